"""Every route x every emulator fault x (sync, async) x (call, stream): the exception a caller gets.

Each failure must arrive as LiteLLM's own exception class with the provider's real HTTP status in
``status_code``, the route in ``llm_provider``, the provider's error code in ``provider_error_code``
and, for the Syncropel gateway, its request id in ``request_id`` (and in the message, for support).

What a LiteLLM user actually receives, found by running these against LiteLLM 1.106:

* A call (``stream=False``) raises the package's exception itself.
* A sync stream opens inside ``litellm.completion(stream=True)``: a failure before the first byte of
  the answer raises from ``completion()`` itself, with the same exception as a call.
* So does an async stream, inside ``litellm.acompletion(stream=True)`` (tests/faults/
  test_status_at_call_time.py). Any failure after a stream has opened (a cut, a reset, a bad SSE
  line, an SSE ``error`` event) is raised by LiteLLM's ``CustomStreamWrapper``, sync or async. That
  wrapper passes 4xx errors other than 429 through unchanged, and wraps everything else in
  ``MidStreamFallbackError`` (a ``ServiceUnavailableError``, which the Router uses for mid-stream
  fallbacks): its ``status_code`` is the original's, ``llm_provider`` is the route, its message
  repeats the package's message, and ``original_exception`` is the package's exception with the code
  and request id. The test checks the wrapper exactly when LiteLLM is expected to add it, and the
  package's exception inside it.
* Without ``num_retries`` nothing is retried: the provider sees exactly one request per call.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import litellm
import pytest
from litellm.exceptions import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ContextWindowExceededError,
    InternalServerError,
    MidStreamFallbackError,
    NotFoundError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)

from litellm_providers.emulator import FAULTS, Emulator
from litellm_providers.providers import PROVIDERS
from tests.conftest import FAULT_MODELS, requests_with

MODELS = FAULT_MODELS
# The emulator's `timeout` fault answers after 5 s; the client gives up long before.
SHORT_TIMEOUT = 0.25
TIMEOUT = 10.0


@dataclass(frozen=True)
class Mode:
    name: str
    stream: bool
    aio: bool


MODES = [
    Mode("sync", stream=False, aio=False),
    Mode("async", stream=False, aio=True),
    Mode("sync-stream", stream=True, aio=False),
    Mode("async-stream", stream=True, aio=True),
]


@dataclass(frozen=True)
class Expected:
    error: type[Exception]
    status: int
    code: str | None
    # Whether the gateway's request id reaches the caller (it does whenever the emulated gateway sends
    # one: its error answers, and the headers of a stream that fails later).
    request_id: bool


# fault -> (class, status, provider code, the gateway sends a request id)
HTTP_FAULTS: dict[str, tuple[type[Exception], int, str | None, bool]] = {
    "400": (BadRequestError, 400, "invalid_request_error", True),
    "401": (AuthenticationError, 401, "invalid_api_key", True),
    "401-jwt": (AuthenticationError, 401, "invalid_jwt_signature", True),
    "401-echo-key": (AuthenticationError, 401, "invalid_api_key", False),
    "402": (PaymentRequiredError, 402, "quota_exceeded", True),
    "402-subscription": (PaymentRequiredError, 402, "subscription_required", True),
    "403": (PermissionDeniedError, 403, "permission_denied", True),
    "404": (NotFoundError, 404, "model_not_found", True),
    "408": (Timeout, 408, "request_timeout", True),
    "413": (ContextWindowExceededError, 413, "context_length_exceeded", True),
    "429": (RateLimitError, 429, "rate_limited", True),
    "429-no-retry-after": (RateLimitError, 429, "rate_limited", True),
    "500": (InternalServerError, 500, "server_error", True),
    "502-html": (ServiceUnavailableError, 502, None, False),
    "503": (ServiceUnavailableError, 503, "provider_error", True),
    "503-internal": (ServiceUnavailableError, 503, "internal_error", True),
    # A 200 that is no answer: the provider acted as a bad gateway.
    "empty-200": (ServiceUnavailableError, 502, None, False),
    "wrong-content-type": (ServiceUnavailableError, 502, None, False),
    "200-echo-key": (ServiceUnavailableError, 502, None, False),
    # The client's own timeout.
    "timeout": (Timeout, 408, None, False),
}
# Faults that strike after the answer started: mid-stream (at the third event) or mid-body.
MID_ANSWER_FAULTS = ("cut", "reset", "bad-sse-line", "sse-error", "long-line")
# Faults that are no error on their own, or not in every mode: tests/faults/test_hostile_upstream.py;
# "malformed" shapes a search answer only (tests/unit/test_search.py, tests/faults/test_hostile_search.py).
TESTED_ELSEWHERE = ("slow-drip", "unclosed-thinking", "malformed")


def expected(route: str, fault: str, mode: Mode) -> Expected | None:
    """What the caller must receive, or None when the fault does not apply (the call succeeds)."""
    gateway = route == "syncropic"
    if fault in HTTP_FAULTS:
        error, status, code, sends_id = HTTP_FAULTS[fault]
        if fault == "401" and gateway:
            code = "invalid_bearer"  # the gateway's own code for a key it does not know
        return Expected(error, status, code, gateway and sends_id)
    streamed = mode.stream or PROVIDERS[route].upstream_always_streams
    if not streamed and fault in ("bad-sse-line", "sse-error", "long-line"):
        return None  # a JSON answer has no SSE lines to spoil
    if fault == "sse-error":
        # An error event is the provider's error: its code decides the class and the status (the
        # gateway documents provider_error as a 503); a code the provider does not define is a 500.
        if gateway:
            return Expected(ServiceUnavailableError, 503, "provider_error", gateway)
        return Expected(InternalServerError, 500, "provider_error", gateway)
    if fault == "long-line":
        # Refused before the gateway's headers would matter: the emulator sends none with it.
        return Expected(APIConnectionError, 500, None, False)
    # Cut, reset, a line that is not JSON: no usable answer. A stream's headers carry the gateway's
    # request id; a JSON answer cut mid-body never reaches the package's hands with its headers.
    return Expected(APIConnectionError, 500, None, gateway and streamed)


def test_the_table_covers_every_fault_the_emulator_has() -> None:
    assert set(HTTP_FAULTS) | set(MID_ANSWER_FAULTS) | set(TESTED_ELSEWHERE) == FAULTS


def call(model: str, base: str, prompt: str, mode: Mode, **kwargs: Any) -> tuple[list[Any], Exception | None]:
    """Everything the caller received, and the exception that ended it (None if none)."""
    request: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": prompt}],
        "api_base": base,
        "stream": mode.stream,
        **kwargs,
    }
    received: list[Any] = []
    if mode.aio:

        async def run() -> Exception | None:
            try:
                response = await litellm.acompletion(**request)
                if mode.stream:
                    async for chunk in response:
                        received.append(chunk)
                else:
                    received.append(response)
            except Exception as error:
                return error
            return None

        return received, asyncio.run(run())
    try:
        response = litellm.completion(**request)
        if mode.stream:
            received.extend(response)
        else:
            received.append(response)
    except Exception as error:
        return received, error
    return received, None


def wrapped_by_litellm(mode: Mode, fault: str, status: int) -> bool:
    """Whether LiteLLM's stream wrapper turns the package's exception into MidStreamFallbackError."""
    raised_while_iterating = mode.stream and fault in MID_ANSWER_FAULTS
    passed_through = 400 <= status < 500 and status != 429
    return raised_while_iterating and not passed_through


def package_error(error: Exception, route: str, status: int, wrapped: bool) -> Exception:
    """The package's own exception, after checking LiteLLM's wrapper when LiteLLM adds one."""
    if not wrapped:
        assert not isinstance(error, MidStreamFallbackError), error
        return error
    assert isinstance(error, MidStreamFallbackError), repr(error)
    assert error.status_code == status
    assert error.llm_provider == route
    inner = error.original_exception
    assert isinstance(inner, Exception)
    assert str(inner) in str(error)  # the wrapper's message is the package's message
    return inner


# Faults that differ from a sibling only by the provider's code take the sibling's path through the
# package and LiteLLM; they are checked on a call and an async stream, the others in all four modes.
VARIANTS = {"401-jwt", "402-subscription", "429-no-retry-after", "503-internal"}
CASES = [
    (route, fault, mode)
    for route in MODELS
    for fault in sorted(set(FAULTS) - set(TESTED_ELSEWHERE))
    for mode in MODES
    if fault not in VARIANTS or mode.name in ("sync", "async-stream")
]


@pytest.mark.parametrize(("route", "fault", "mode"), CASES, ids=[f"{r}-{f}-{m.name}" for r, f, m in CASES])
def test_fault(emulator: Emulator, route: str, fault: str, mode: Mode) -> None:
    prompt = f"[{route} {fault} {mode.name}] Why is the sky blue? emulate:fault={fault}"
    timeout = SHORT_TIMEOUT if fault == "timeout" else TIMEOUT
    want = expected(route, fault, mode)
    received, error = call(MODELS[route], emulator.base_url(route), prompt, mode, timeout=timeout)
    if fault == "timeout":
        # The deadline covers the whole call, connect and send included: on a busy machine it can fire
        # before the request leaves (0 at the emulator, seen once in CI), or the emulator may read the
        # request only after the client gave up. Wait (bounded) for a late request; what must not
        # happen is a second one.
        deadline = time.monotonic() + TIMEOUT
        while requests_with(emulator, prompt) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests_with(emulator, prompt) <= 1  # a timeout is not retried unless num_retries asks
    else:
        assert requests_with(emulator, prompt) == 1  # nothing retried unless num_retries asks
    if want is None:
        assert error is None
        assert received
        return
    assert error is not None, f"{fault} raised nothing"
    inner = package_error(error, route, want.status, wrapped_by_litellm(mode, fault, want.status))
    assert type(inner) is want.error, repr(inner)
    assert inner.status_code == want.status  # type: ignore[attr-defined]
    assert inner.llm_provider == route  # type: ignore[attr-defined]
    assert inner.provider_error_code == want.code  # type: ignore[attr-defined]
    message = str(inner)
    assert PROVIDERS[route].display_name in message
    if want.request_id:
        assert inner.request_id.startswith("req_emu")  # type: ignore[attr-defined]
        assert f"[request_id={inner.request_id}]" in message  # type: ignore[attr-defined]
    else:
        assert inner.request_id is None  # type: ignore[attr-defined]
    if fault in HTTP_FAULTS and fault not in ("timeout", "empty-200", "wrong-content-type", "200-echo-key"):
        assert f"HTTP {want.status}" in message
    if fault == "413":
        # LiteLLM's ContextWindowExceededError is a BadRequestError: code that catches either works.
        assert isinstance(inner, BadRequestError)


@pytest.mark.parametrize("mode", MODES, ids=lambda mode: mode.name)
@pytest.mark.parametrize("route", list(MODELS))
def test_connection_refused(closed_port: int, route: str, mode: Mode) -> None:
    base = f"http://127.0.0.1:{closed_port}/v1"
    _, error = call(MODELS[route], base, "Is anyone there?", mode, timeout=TIMEOUT)
    assert error is not None
    inner = package_error(error, route, 500, wrapped=False)  # refused before any stream is handed back
    assert type(inner) is APIConnectionError
    assert inner.llm_provider == route
    assert inner.status_code == 500
    assert f"{PROVIDERS[route].display_name}: could not connect to {base}" in str(inner)
    assert inner.provider_error_code is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("route", list(MODELS))
def test_a_rate_limit_tells_how_long_to_wait(emulator: Emulator, route: str) -> None:
    _, error = call(MODELS[route], emulator.base_url(route), "emulate:fault=429", MODES[0])
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 30  # type: ignore[attr-defined]
    assert error.response.headers["retry-after"] == "30"  # what LiteLLM's Router reads
    _, error = call(MODELS[route], emulator.base_url(route), "emulate:fault=429-no-retry-after", MODES[0])
    assert isinstance(error, RateLimitError)
    assert error.retry_after is None  # type: ignore[attr-defined]
