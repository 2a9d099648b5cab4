"""``num_retries`` on these routes: transient faults are retried with backoff and Retry-After, within
the call's timeout; faults that would fail again (400, 401, 402, 403, 404, context window) never are.

How it works (``litellm_providers/retries.py``): LiteLLM hands the handler ``num_retries`` as
``max_retries``; the handler retries what ``errors.is_transient`` says may pass (429, 408, 5xx, lost
connections, a 200 with no usable answer), waiting what the provider asked (``Retry-After``) or an
exponential backoff with jitter (about 0.5 s, 1 s, 2 s, ... at most 8 s), and never past the call's
``timeout``. LiteLLM's own ``completion()`` wrapper then retries any ``openai.APIError`` once more per
``num_retries`` (401 and 402 included, with no wait); those repeats reach the handler with the same
``litellm_call_id`` and get the failure the handler settled on, without a request. So the provider
sees one request for a 401 and ``num_retries + 1`` for a persistent 503, the counts asserted below.
LiteLLM's Router hands the handler ``max_retries=0`` and retries by itself, so the two never stack
(``tests/unit/test_retries.py`` counts the Router's requests).

For a ``RateLimitError`` on ``litellm.acompletion(num_retries=N)``, LiteLLM's async wrapper
(1.106, ``utils.py`` ``wrapper_async``) would repeat the call through
``litellm.acompletion_with_retries`` with its own exponential backoff (1 s, 2 s, ...), past the call's
timeout; ``register()`` wraps that function so a call the handler has already settled is not repeated
(``test_async_rate_limit_waits_stay_within_the_timeout``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

import litellm
import pytest
from litellm.exceptions import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    MidStreamFallbackError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)

from litellm_providers.emulator import Emulator
from tests.conftest import FAULT_MODELS, requests_with

MODELS = FAULT_MODELS
RETRY_LOG = re.compile(r"retry (\d+) of (\d+) in ([\d.]+) s")


@dataclass(frozen=True)
class Mode:
    name: str
    stream: bool
    aio: bool


SYNC, ASYNC = Mode("sync", False, False), Mode("async", False, True)
SYNC_STREAM, ASYNC_STREAM = Mode("sync-stream", True, False), Mode("async-stream", True, True)
MODES = [SYNC, ASYNC, SYNC_STREAM, ASYNC_STREAM]


def ask(model: str, base: str, prompt: str, mode: Mode, **kwargs: Any) -> tuple[str, Exception | None]:
    """The answer's content as the caller assembled it, and the exception that ended the call."""
    request: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "api_base": base,
        "stream": mode.stream,
        **kwargs,
    }
    parts: list[str] = []

    def take(response: Any) -> None:
        if mode.stream:
            parts.append("".join(c.choices[0].delta.content or "" for c in response if c.choices))
        else:
            parts.append(response.choices[0].message.content or "")

    if mode.aio:

        async def run() -> Exception | None:
            try:
                response = await litellm.acompletion(**request)
                if mode.stream:
                    parts.append("".join([c.choices[0].delta.content or "" async for c in response]))
                else:
                    take(response)
            except Exception as error:
                return error
            return None

        error = asyncio.run(run())
        return "".join(parts), error
    try:
        take(litellm.completion(**request))
    except Exception as error:
        return "".join(parts), error
    return "".join(parts), None


def retries_logged(caplog: pytest.LogCaptureFixture) -> list[tuple[int, int, float]]:
    found = []
    for record in caplog.records:
        match = RETRY_LOG.search(record.getMessage())
        if record.name == "litellm_providers" and match:
            found.append((int(match[1]), int(match[2]), float(match[3])))
    return found


@pytest.fixture(autouse=True)
def retry_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="litellm_providers")


def unwrap(error: Exception | None) -> Exception | None:
    # An async stream that could not open reaches the caller through LiteLLM's stream wrapper.
    if isinstance(error, MidStreamFallbackError) and isinstance(error.original_exception, Exception):
        return error.original_exception
    return error


PERMANENT: list[tuple[str, str, type[Exception]]] = [
    *[
        (route, fault, error)
        for route in MODELS
        for fault, error in (
            ("400", BadRequestError),
            ("401", AuthenticationError),
            ("402", PaymentRequiredError),
        )
    ],
    ("syncropic", "401-jwt", AuthenticationError),
    ("syncropic", "402-subscription", PaymentRequiredError),
    ("syncropic", "403", PermissionDeniedError),
    ("syncropic", "404", NotFoundError),
    ("syncropic", "413", ContextWindowExceededError),
]


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.name)
@pytest.mark.parametrize(("route", "fault", "error_class"), PERMANENT)
def test_faults_that_would_fail_again_are_sent_once(
    emulator: Emulator,
    caplog: pytest.LogCaptureFixture,
    route: str,
    fault: str,
    error_class: type[Exception],
    mode: Mode,
) -> None:
    prompt = f"[{route} {mode.name}] emulate:fault={fault}"
    _, error = ask(MODELS[route], emulator.base_url(route), prompt, mode, num_retries=3)
    assert type(error) is error_class
    assert requests_with(emulator, prompt) == 1
    assert retries_logged(caplog) == []


# Faults that may pass on a second try. With emulate:retry_after the provider says how long to wait;
# the others have nothing to say it with and get the backoff.
TRANSIENT = [
    ("429", "emulate:retry_after=0.05"),
    ("408", "emulate:retry_after=0.05"),
    ("500", "emulate:retry_after=0.05"),
    ("502-html", "emulate:retry_after=0.05"),
    ("503", "emulate:retry_after=0.05"),
    ("503-internal", "emulate:retry_after=0.05"),
    ("empty-200", ""),
    ("wrong-content-type", ""),
    ("reset", ""),  # mid-body: the caller has received nothing yet
    ("cut", ""),
]


@pytest.mark.parametrize(("fault", "hint"), TRANSIENT, ids=[fault for fault, _ in TRANSIENT])
def test_transient_faults_are_retried_until_they_pass(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, fault: str, hint: str
) -> None:
    prompt = f"Transient {fault}? emulate:fault={fault} emulate:times=1 {hint}"
    answer, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=2)
    assert error is None
    assert answer == f"You asked: Transient {fault}?"
    assert requests_with(emulator, prompt) == 2
    assert [(n, of) for n, of, _ in retries_logged(caplog)] == [(1, 2)]
    if hint:
        assert retries_logged(caplog)[0][2] == pytest.approx(0.05)  # exactly the provider's wait


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.name)
@pytest.mark.parametrize("route", list(MODELS))
def test_every_route_and_mode_retries_a_503(emulator: Emulator, route: str, mode: Mode) -> None:
    """Streams too: they are retried until they open, before the caller has received anything."""
    prompt = f"Busy? [{route} {mode.name}] emulate:fault=503 emulate:times=1 emulate:retry_after=0.05"
    answer, error = ask(MODELS[route], emulator.base_url(route), prompt, mode, num_retries=2)
    assert error is None
    assert answer == f"You asked: Busy? [{route} {mode.name}]"
    assert requests_with(emulator, prompt) == 2


def test_synternet_call_is_retried_when_its_upstream_stream_is_cut(emulator: Emulator) -> None:
    """synternet/ serves a call by streaming upstream: a cut there has delivered nothing yet."""
    prompt = "Cut once? emulate:fault=cut emulate:times=1"
    answer, error = ask(MODELS["synternet"], emulator.base_url("synternet"), prompt, SYNC, num_retries=1)
    assert error is None
    assert answer == "You asked: Cut once?"
    assert requests_with(emulator, prompt) == 2


@pytest.mark.parametrize("mode", [SYNC, ASYNC], ids=lambda mode: mode.name)
def test_a_persistent_fault_is_sent_num_retries_plus_one_times(emulator: Emulator, mode: Mode) -> None:
    """Not once more per LiteLLM wrapper retry: LiteLLM's repeats get the settled failure."""
    prompt = f"Down? {mode.name} emulate:fault=503 emulate:retry_after=0.05"
    _, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, mode, num_retries=2)
    assert type(error) is ServiceUnavailableError
    assert requests_with(emulator, prompt) == 3


def test_rate_limit_is_sent_num_retries_plus_one_times(emulator: Emulator) -> None:
    prompt = "Slow down? emulate:fault=429 emulate:retry_after=0.05"
    _, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=2)
    assert type(error) is RateLimitError
    assert requests_with(emulator, prompt) == 3


@pytest.mark.parametrize("asked_by", ["num_retries", "litellm.num_retries"])
def test_async_rate_limit_waits_stay_within_the_timeout(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, asked_by: str
) -> None:
    """A provider that stays rate-limited: every wait the call asks of the event loop, LiteLLM's own
    included, adds up to less than ``timeout``; the provider sees ``num_retries + 1`` requests."""
    waits: list[float] = []
    sleep = asyncio.sleep

    async def recorded_sleep(delay: float, *args: Any, **kwargs: Any) -> Any:
        waits.append(delay)
        return await sleep(delay, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)
    retries: dict[str, Any] = {"num_retries": 3}
    if asked_by == "litellm.num_retries":
        monkeypatch.setattr(litellm, "num_retries", 3)
        retries = {}
    prompt = f"Slow down, async ({asked_by})? emulate:fault=429 emulate:retry_after=0.05"
    _, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, ASYNC, timeout=1, **retries)
    assert type(error) is RateLimitError
    assert error.provider_error_code == "rate_limited"  # type: ignore[attr-defined]
    assert requests_with(emulator, prompt) == 4
    assert sum(waits) < 1


def test_without_retry_after_the_wait_doubles(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    prompt = "Backoff? emulate:fault=429-no-retry-after emulate:times=2"
    answer, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=2)
    assert error is None
    assert answer == "You asked: Backoff?"
    (first, _, wait_1), (second, _, wait_2) = retries_logged(caplog)
    assert (first, second) == (1, 2)
    # 0.5 s then 1 s, each shortened by up to a quarter of jitter.
    assert 0.375 <= wait_1 <= 0.5
    assert 0.75 <= wait_2 <= 1.0


def test_the_gateway_retry_after_seconds_is_honoured_like_the_header(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    prompt = "Gateway wait? emulate:fault=429 emulate:retry_after=0.2 emulate:times=1"
    answer, error = ask(MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=1)
    assert error is None
    assert answer == "You asked: Gateway wait?"
    assert [wait for _, _, wait in retries_logged(caplog)] == [pytest.approx(0.2)]


def test_a_wait_longer_than_the_timeout_is_not_taken(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Retry-After: 30 with timeout=3: the 429 is raised now, not after sleeping past the deadline."""
    prompt = "Long wait? emulate:fault=429"
    _, error = ask(
        MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=3, timeout=3
    )
    assert type(error) is RateLimitError
    assert error.retry_after == 30  # type: ignore[attr-defined]
    assert requests_with(emulator, prompt) == 1
    assert retries_logged(caplog) == []
    assert any("would end after the call's timeout" in r.getMessage() for r in caplog.records)


def test_the_timeout_bounds_the_whole_call_not_each_attempt(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    """num_retries=10 against a provider that stays down: the timeout, not the count, ends it."""
    prompt = "Down for good? emulate:fault=503"
    _, error = ask(
        MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=10, timeout=1.2
    )
    assert type(error) is ServiceUnavailableError
    assert 1 <= requests_with(emulator, prompt) < 4
    assert any("would end after the call's timeout" in r.getMessage() for r in caplog.records)


def test_a_timed_out_attempt_has_used_the_time_there_was(emulator: Emulator) -> None:
    prompt = "Slow answer? emulate:fault=timeout"
    _, error = ask(
        MODELS["syncropic"], emulator.base_url("syncropic"), prompt, SYNC, num_retries=3, timeout=0.5
    )
    assert type(error) is Timeout
    assert requests_with(emulator, prompt) == 1


@pytest.mark.parametrize("mode", [SYNC, ASYNC_STREAM], ids=lambda mode: mode.name)
def test_a_refused_connection_is_retried(
    closed_port: int, caplog: pytest.LogCaptureFixture, mode: Mode
) -> None:
    base = f"http://127.0.0.1:{closed_port}/v1"
    _, error = ask(MODELS["synthetic"], base, "Anyone?", mode, num_retries=1)
    assert type(unwrap(error)) is APIConnectionError
    assert [(n, of) for n, of, _ in retries_logged(caplog)] == [(1, 1)]
