"""A stream the provider refuses raises from ``litellm.acompletion(stream=True)`` itself.

LiteLLM's proxy sends its status line once ``acompletion`` has returned a stream; on ``/v1/responses``
it does so before reading that stream, so a stream that opened only on its first ``__anext__`` turned
a provider 400 or 429 into ``200`` and a ``response.failed`` event, which Codex retried five times
(issue 26). The proxy end of this is tests/integration/test_status_through_the_proxy.py.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

import litellm
import pytest
from litellm.exceptions import BadRequestError, RateLimitError

from litellm_providers.emulator import Emulator
from litellm_providers.registration import HANDLERS
from tests.conftest import FAULT_MODELS, SENTINEL_KEYS, requests_with

ROUTES = sorted(FAULT_MODELS)
# A test's own guard against a hang: far beyond what any of these calls takes.
GUARD_SECONDS = 60


def _request(route: str, base: str, prompt: str) -> dict[str, Any]:
    return {
        "model": FAULT_MODELS[route],
        "messages": [{"role": "user", "content": prompt}],
        "api_base": base,
        "stream": True,
        "timeout": 10,
    }


async def _opened_or_refused(request: dict[str, Any]) -> tuple[Any, Exception | None]:
    """What ``acompletion`` returned, or what it raised, without reading the stream."""
    try:
        return await litellm.acompletion(**request), None
    except Exception as error:
        return None, error


@pytest.mark.parametrize("route", ROUTES)
def test_a_refused_async_stream_raises_from_acompletion_with_its_status(
    emulator: Emulator, route: str
) -> None:
    prompt = f"emulate:fault=400 call-time {route}"
    returned, error = asyncio.run(_opened_or_refused(_request(route, emulator.base_url(route), prompt)))
    assert returned is None, "a refused stream was handed back instead of raising"
    assert isinstance(error, BadRequestError), repr(error)
    assert error.status_code == 400
    assert error.llm_provider == route
    assert requests_with(emulator, prompt) == 1
    assert SENTINEL_KEYS[route] not in repr(error) + str(error)


@pytest.mark.parametrize("route", ROUTES)
def test_a_rate_limited_async_stream_raises_with_retry_after(emulator: Emulator, route: str) -> None:
    prompt = f"emulate:fault=429 emulate:retry_after=7 call-time {route}"
    returned, error = asyncio.run(_opened_or_refused(_request(route, emulator.base_url(route), prompt)))
    assert returned is None
    assert isinstance(error, RateLimitError), repr(error)
    assert error.status_code == 429
    assert error.response is not None and error.response.headers.get("retry-after") == "7"
    assert requests_with(emulator, prompt) == 1


@pytest.mark.parametrize("route", ROUTES)
def test_an_async_stream_that_opens_still_reads_to_its_end(emulator: Emulator, route: str) -> None:
    async def read() -> str:
        stream = await litellm.acompletion(**_request(route, emulator.base_url(route), "What is up?"))
        return "".join([chunk.choices[0].delta.content or "" async for chunk in stream])

    assert asyncio.run(read()) == "You asked: What is up?"


def test_more_streams_than_the_callers_executor_has_threads_all_open(emulator: Emulator) -> None:
    # LiteLLM runs completion() in the loop's default executor; a stream opened there must not wait
    # for that same executor (a host name is resolved in it), or a full executor deadlocks.
    base = emulator.base_url("synthetic").replace("127.0.0.1", "localhost")

    async def read_all() -> list[str]:
        asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=1))

        async def read(n: int) -> str:
            stream = await litellm.acompletion(**_request("synthetic", base, f"executor {n}"))
            return "".join([chunk.choices[0].delta.content or "" async for chunk in stream])

        return await asyncio.wait_for(asyncio.gather(*(read(n) for n in range(3))), GUARD_SECONDS)

    assert asyncio.run(read_all()) == [f"You asked: executor {n}" for n in range(3)]


def test_astreaming_called_on_a_loops_own_thread_opens_on_first_read(emulator: Emulator) -> None:
    # Blocking there would stall the very loop that must answer; the stream opens when read instead.
    prompt = "emulate:fault=400 on the loop thread"
    handler = HANDLERS["synthetic"]

    async def direct() -> tuple[int, Exception | None]:
        stream = handler.astreaming(
            model="hf:deepseek-ai/DeepSeek-R1-0528",
            messages=[{"role": "user", "content": prompt}],
            api_base=emulator.base_url("synthetic"),
            api_key=SENTINEL_KEYS["synthetic"],
            optional_params={},
            litellm_params={},
            timeout=10,
        )
        sent_before_reading = requests_with(emulator, prompt)
        try:
            async for _ in stream:
                pass
        except Exception as error:
            return sent_before_reading, error
        return sent_before_reading, None

    sent_before_reading, error = asyncio.run(asyncio.wait_for(direct(), GUARD_SECONDS))
    assert sent_before_reading == 0
    assert isinstance(error, BadRequestError), repr(error)
    assert requests_with(emulator, prompt) == 1
