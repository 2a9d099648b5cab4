"""The API key never leaks: not in an exception, a log record, printed output or a handler's repr.

Every emulator fault is driven on every route, the key passed both ways a user passes it (``api_key=``
and the environment variable), with LiteLLM's debug logging on and every logger at DEBUG. Then the
key is searched for in each exception the caller got and in everything reachable from it (``str``,
``repr``, ``args``, its attributes, the formatted traceback, the attached response's body and headers
and request headers, and the same for ``original_exception``, ``__cause__`` and ``__context__``), in
every log record (message and traceback), in what was printed to stdout and stderr, and in the repr of
the handler objects. The ``401-echo-key`` fault is a provider that repeats the key in its error
message and headers. (Cassettes are scanned in ``tests/test_cassettes_hold_no_secrets.py``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import traceback
from collections.abc import Iterator
from typing import Any

import litellm
import pytest

from litellm_providers import retries, transport
from litellm_providers.compat import HTTP_LIBRARIES, RESPONSE_NOT_READ
from litellm_providers.emulator import FAULTS, Emulator
from litellm_providers.registration import HANDLERS
from tests.conftest import FAULT_MODELS, SENTINEL_KEYS

MODELS = FAULT_MODELS
FRESH_KEY = f"sk-fresh-{secrets.token_hex(16)}"
KEYS = (FRESH_KEY, *SENTINEL_KEYS.values())


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.fixture
def debug_logs() -> Iterator[_Records]:
    """LiteLLM's debug logging on and every logger at DEBUG, recorded; all restored afterwards."""
    records = _Records()
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    levels = {logger: logger.level for logger in loggers}
    # Loggers that do not propagate (LiteLLM's own) get the handler directly.
    attached = [logger for logger in loggers if logger is loggers[0] or not logger.propagate]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    for logger in attached:
        logger.addHandler(records)
    litellm._turn_on_debug()
    try:
        yield records
    finally:
        for logger in attached:
            logger.removeHandler(records)
        for logger, level in levels.items():
            logger.setLevel(level)


def _response_texts(response: Any) -> list[str]:
    if not isinstance(response, tuple(library.Response for library in HTTP_LIBRARIES)):
        return []
    texts = [repr(dict(response.headers))]
    with contextlib.suppress(*RESPONSE_NOT_READ):
        texts.append(response.text)
    with contextlib.suppress(RuntimeError):  # no request attached
        texts.append(repr(dict(response.request.headers)))
    return texts


def everything_reachable_from(error: BaseException) -> list[str]:
    texts: list[str] = []
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        texts.append("".join(traceback.format_exception(current)))
        texts += _response_texts(getattr(current, "response", None))
        request = getattr(current, "request", None)
        if isinstance(request, tuple(library.Request for library in HTTP_LIBRARIES)):
            texts.append(repr(dict(request.headers)))
        pending += [current.__cause__, current.__context__, getattr(current, "original_exception", None)]
    return texts


def assert_no_key(texts: list[str], where: str) -> None:
    for text in texts:
        for key in KEYS:
            assert key not in text, f"the key leaked into {where}: {text[:300]}"


def _call(route: str, base: str, prompt: str, stream: bool, aio: bool, **kwargs: Any) -> Exception | None:
    request: dict[str, Any] = {
        "model": MODELS[route],
        "messages": [{"role": "user", "content": prompt}],
        "api_base": base,
        "stream": stream,
        "timeout": 0.25 if "fault=timeout" in prompt else 10,
        **kwargs,
    }
    if aio:

        async def run() -> Exception | None:
            try:
                response = await litellm.acompletion(**request)
                if stream:
                    async for _ in response:
                        pass
            except Exception as error:
                return error
            return None

        return asyncio.run(run())
    try:
        response = litellm.completion(**request)
        if stream:
            for _ in response:
                pass
    except Exception as error:
        return error
    return None


@pytest.mark.parametrize("route", list(MODELS))
def test_no_fault_leaks_the_key(
    emulator: Emulator, debug_logs: _Records, capfd: pytest.CaptureFixture[str], route: str
) -> None:
    errors: list[Exception] = []
    for fault in sorted(FAULTS):
        prompt = f"Leak? emulate:fault={fault}"
        base = emulator.base_url(route)
        # The key as api_key=, on a sync stream; from the environment variable, on an async call.
        for stream, aio, explicit in ((True, False, True), (False, True, False)):
            key = {"api_key": FRESH_KEY} if explicit else {}
            error = _call(route, base, prompt, stream, aio, **key)
            if error is not None:
                errors.append(error)
    assert len(errors) >= len(FAULTS)  # the faults really failed (bad-sse-line etc. spare JSON calls)
    for error in errors:
        assert_no_key(everything_reachable_from(error), f"an exception ({type(error).__name__})")
    assert_no_key(debug_logs.texts, "a log record")
    assert len(debug_logs.texts) > 100  # debug logging really was on
    printed = capfd.readouterr()
    assert_no_key([printed.out, printed.err], "printed output")


def test_retries_leak_no_key(
    emulator: Emulator, debug_logs: _Records, capfd: pytest.CaptureFixture[str]
) -> None:
    """The retry path logs each failure it retries, and keeps the final failure for LiteLLM's repeats."""
    base = emulator.base_url("syncropic")
    errors = [
        _call(
            "syncropic",
            base,
            f"Retry leak? emulate:fault={fault} emulate:retry_after=0.01",
            stream,
            aio,
            api_key=FRESH_KEY,
            num_retries=2,
        )
        for fault in ("429", "503", "401-echo-key")
        for stream, aio in ((False, False), (True, True))
    ]
    assert all(error is not None for error in errors)
    for error in errors:
        assert error is not None
        assert_no_key(everything_reachable_from(error), "an exception")
    assert any("retry 1 of 2" in text for text in debug_logs.texts)
    assert_no_key(debug_logs.texts, "a log record")
    printed = capfd.readouterr()
    assert_no_key([printed.out, printed.err], "printed output")


@pytest.mark.parametrize("route", list(MODELS))
def test_a_provider_that_echoes_the_key_is_redacted(emulator: Emulator, route: str) -> None:
    error = _call(
        route, emulator.base_url(route), "emulate:fault=401-echo-key", False, False, api_key=FRESH_KEY
    )
    assert isinstance(error, litellm.AuthenticationError)
    assert "Incorrect API key provided: ***" in str(error)
    assert error.response.headers["x-echoed-key"] == "***"
    assert error.response.headers["www-authenticate"] == "Bearer ***"
    assert FRESH_KEY not in error.response.text
    assert_no_key(everything_reachable_from(error), "the echoed 401")


def test_handler_objects_show_no_key(emulator: Emulator) -> None:
    # Use every route with the fresh key first, so the client pool holds clients for it.
    for route in MODELS:
        assert _call(route, emulator.base_url(route), "Hello", False, False, api_key=FRESH_KEY) is None
    texts = [repr(litellm.custom_provider_map), repr(transport.clients), repr(vars(transport.clients))]
    texts += [repr(retries._settled), repr(vars(retries._settled))]
    texts += [repr(transport.redact_http_logs), repr(vars(transport.redact_http_logs))]
    for handler in HANDLERS.values():
        texts += [repr(handler), str(handler), repr(vars(handler))]
    assert_no_key(texts, "a handler object")
