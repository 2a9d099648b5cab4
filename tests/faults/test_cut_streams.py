"""A stream that breaks mid-answer: everything that arrived is yielded, then a clear error is raised.

The emulator breaks the stream at its third event (``cut``: the connection closes before
``[DONE]`` and before any ``finish_reason``; ``reset``: a TCP reset; ``bad-sse-line``: a line that
is not JSON; ``sse-error``: an SSE ``error`` event). The first two events, and only they, reached
the client; the caller must have received exactly their reasoning and content, including text the
reasoning splitter was still holding back when the stream broke (with ``emulate:chunk=20`` the cut
falls inside a reasoning segment).

What a LiteLLM user receives, sync and async alike (LiteLLM 1.106): the chunks, then LiteLLM's
``MidStreamFallbackError`` raised by its stream wrapper. It is a ``ServiceUnavailableError`` (so code
catching LiteLLM's exceptions, and the Router's mid-stream fallbacks, handle it), ``llm_provider`` is
the route, its message is the package's message naming the provider and what happened,
``generated_content`` holds the content received so far, and ``original_exception`` is the package's
own typed exception (``APIConnectionError``, or the provider's error for an ``error`` event, with the
gateway's request id). The package cannot give the caller its own class here: LiteLLM wraps every
mid-stream failure that is not a 4xx.
"""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest
from litellm.exceptions import (
    APIConnectionError,
    InternalServerError,
    MidStreamFallbackError,
    ServiceUnavailableError,
)

from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS
from tests.conftest import FAULT_MODELS

MODELS = FAULT_MODELS
QUESTION = "Why is the sky blue?"
# (reasoning, content) the emulator's first two events carry, per route and chunking.
# Default chunking: one event per reasoning segment, then one per word of "You asked: <question>".
# emulate:chunk=20: the raw text in 20-character events, so the cut falls inside reasoning.
BEFORE_THE_CUT = {
    ("synthetic", ""): (f"The user asked: '{QUESTION}'. Let me answer briefly.", "You "),
    ("synternet", ""): (f"The user asked: '{QUESTION}'.\nLet me answer briefly.", ""),
    ("syncropic", ""): ("", "You asked: "),
    # "<think>The user aske" + "d: 'Why is the sky b": an unterminated think block
    ("synthetic", "emulate:chunk=20"): ("The user asked: 'Why is the sky b", ""),
    # "[Thinking: The user " + "asked: 'Why is the s": an unterminated bracket segment
    ("synternet", "emulate:chunk=20"): ("The user asked: 'Why is the s", ""),
    # the whole answer fits in two events: only the finish_reason and [DONE] are lost
    ("syncropic", "emulate:chunk=20"): ("", f"You asked: {QUESTION}"),
}
PROBLEMS = {
    "cut": "the stream ended before the provider finished the answer (no finish_reason); "
    "everything received was delivered",
    "reset": "the connection failed mid-response",
    "bad-sse-line": "the stream carried a line that is not JSON",
    "sse-error": "sent an error event in the stream (provider_error): upstream model crashed",
}


def _collect(
    model: str, base: str, prompt: str, aio: bool, **kwargs: Any
) -> tuple[list[Any], Exception | None]:
    request: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "api_base": base,
        "stream": True,
        "timeout": 10,
        **kwargs,
    }
    received: list[Any] = []
    if aio:

        async def run() -> Exception | None:
            try:
                async for chunk in await litellm.acompletion(**request):
                    received.append(chunk)
            except Exception as error:
                return error
            return None

        return received, asyncio.run(run())
    try:
        for chunk in litellm.completion(**request):
            received.append(chunk)
    except Exception as error:
        return received, error
    return received, None


def _channels(chunks: list[Any]) -> tuple[str, str]:
    reasoning = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
    )
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return reasoning, content


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("chunking", ["", "emulate:chunk=20"], ids=["by-segment", "chunk-20"])
@pytest.mark.parametrize("fault", list(PROBLEMS))
@pytest.mark.parametrize("route", list(MODELS))
def test_everything_before_the_break_arrives_then_a_clear_error(
    emulator: Emulator, route: str, fault: str, chunking: str, aio: bool
) -> None:
    prompt = f"{QUESTION} {chunking} emulate:fault={fault}"
    received, error = _collect(MODELS[route], emulator.base_url(route), prompt, aio)

    assert _channels(received) == BEFORE_THE_CUT[(route, chunking)]
    assert all(c.choices[0].finish_reason is None for c in received if c.choices)  # no fake "stop"

    assert isinstance(error, MidStreamFallbackError), repr(error)
    assert isinstance(error, ServiceUnavailableError)
    assert error.llm_provider == route
    assert error.generated_content == BEFORE_THE_CUT[(route, chunking)][1]
    message = str(error)
    assert PROVIDERS[route].display_name in message
    assert PROBLEMS[fault] in message
    inner = error.original_exception
    if fault == "sse-error":
        assert type(inner) is (ServiceUnavailableError if route == "syncropic" else InternalServerError)
        assert inner.provider_error_code == "provider_error"  # type: ignore[union-attr]
    else:
        assert type(inner) is APIConnectionError
    assert inner.llm_provider == route  # type: ignore[union-attr]
    if route == "syncropic":
        # The stream's X-Syncropic-Request-ID, to quote to support about the broken answer.
        assert inner.request_id.startswith("req_emu")  # type: ignore[union-attr]
        assert f"[request_id={inner.request_id}]" in message  # type: ignore[union-attr]


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_a_stream_that_broke_is_never_replayed(emulator: Emulator, aio: bool) -> None:
    """Even with num_retries: the caller already holds the first words, a retry would repeat them."""
    prompt = f"Replay? {aio} emulate:fault=cut"
    base = emulator.base_url("syncropic")
    received, error = _collect(MODELS["syncropic"], base, prompt, aio, num_retries=2)
    assert isinstance(error, MidStreamFallbackError)
    assert _channels(received) == ("", "You asked: ")
    sent = [r for r in emulator.requests if r["body"]["messages"][-1]["content"] == prompt]
    assert len(sent) == 1
