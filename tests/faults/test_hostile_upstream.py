"""A hostile upstream and careless caller input (issue 16): each case a probe found, pinned.

Keys in DEBUG logs (in a fresh interpreter, where the HTTP stack's loggers are created late),
credentials in ``api_base``, ``timeout=`` against an answer that drips, bad ``timeout`` / ``api_key``
values, a key in an exception's context, an SSE line with no end, an unclosed ``[Thinking:``, a cached
gateway response's stated cost, LiteLLM's provider config for the taken-over route, and the small
contract gaps (``refresh_catalog``, a keyless gateway refusal, a Router against ``Retry-After: 3600``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import textwrap
from typing import Any

import litellm
import pytest
from litellm.exceptions import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    MidStreamFallbackError,
    PaymentRequiredError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)

import litellm_providers
from litellm_providers.emulator import Emulator
from litellm_providers.limits import MAX_SSE_LINE_BYTES
from litellm_providers.providers import PROVIDERS
from tests.conftest import FAULT_MODELS, ROOT, SENTINEL_KEYS, requests_with

MODES = [(False, False), (True, False), (False, True), (True, True)]  # (stream, aio)
MODE_IDS = ["sync", "sync-stream", "async", "async-stream"]


def run(
    model: str, prompt: str, *, stream: bool, aio: bool, **kwargs: Any
) -> tuple[list[Any], Exception | None]:
    """Everything the caller received, and the exception that ended it (None if none)."""
    request = {"model": model, "messages": [{"role": "user", "content": prompt}], "stream": stream, **kwargs}
    received: list[Any] = []

    async def arun() -> None:
        response = await litellm.acompletion(**request)
        if stream:
            received.extend([chunk async for chunk in response])
        else:
            received.append(response)

    try:
        if aio:
            asyncio.run(arun())
        else:
            response = litellm.completion(**request)
            received.extend(response if stream else [response])
    except Exception as error:
        return received, error
    return received, None


def unwrapped(error: Exception | None) -> Exception:
    assert error is not None
    if isinstance(error, MidStreamFallbackError):
        inner = error.original_exception
        assert isinstance(inner, Exception)
        return inner
    return error


# -- 1. the key never reaches DEBUG logs, whenever the HTTP stack creates its loggers ----------------

_FRESH_INTERPRETER = textwrap.dedent(
    """
    import asyncio, logging, sys
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(name)s %(message)s")
    import litellm, litellm_providers
    litellm_providers.register()
    key, models, bases = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    async def consume(request):
        response = await litellm.acompletion(**request)
        if request["stream"]:
            async for _ in response:
                pass
    for model, base in zip(models, bases):
        for stream in (False, True):
            request = dict(model=model, api_base=base, api_key=key, stream=stream,
                           messages=[{"role": "user", "content": f"{stream} emulate:fault=401-echo-key"}])
            for attempt in (lambda: litellm.completion(**request), lambda: asyncio.run(consume(request))):
                try:
                    attempt()
                except Exception as error:
                    print("raised", type(error).__name__, error)
    """
)


def test_a_key_echoed_in_response_headers_never_reaches_debug_logs_in_a_fresh_interpreter(
    emulator: Emulator,
) -> None:
    key = "sk-echoed-in-headers-0123456789abcdef"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _FRESH_INTERPRETER,
            key,
            ",".join(FAULT_MODELS.values()),
            ",".join(emulator.base_url(route) for route in FAULT_MODELS),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=240,
        check=False,
    )
    output = result.stdout + result.stderr
    # The HTTP stack did log the echoing response's headers, twelve calls' worth, with the key masked.
    assert output.count("raised AuthenticationError") == 12, output[-3000:]
    assert "receive_response_headers.complete" in output
    assert "X-Echoed-Key" in output or "x-echoed-key" in output
    assert key not in output


# -- 2. credentials in api_base ----------------------------------------------------------------------


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("route", list(FAULT_MODELS))
def test_a_password_in_api_base_is_refused_and_never_reaches_a_message(
    closed_port: int, route: str, stream: bool, aio: bool
) -> None:
    # Sent, it would go out as `Authorization: Basic` in place of the key (issue 22): refused instead.
    base = f"http://admin:S3cret-pw@127.0.0.1:{closed_port}/v1"
    _, error = run(FAULT_MODELS[route], "Anyone?", stream=stream, aio=aio, api_base=base)
    inner = unwrapped(error)
    assert isinstance(inner, BadRequestError)
    for text in (str(error), repr(error), str(inner)):
        assert "S3cret-pw" not in text
        assert "admin:" not in text
    assert f"api_base http://***@127.0.0.1:{closed_port}/v1 carries a user name or password" in str(inner)


# -- 3. timeout= against an answer that drips ---------------------------------------------------------


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("route", list(FAULT_MODELS))
def test_timeout_bounds_a_whole_call_whose_answer_drips(emulator: Emulator, route: str, aio: bool) -> None:
    # Ten pieces 0.3 s apart: each within any read timeout, the whole three times the call's timeout.
    # (synternet/ answers a call with a stream: chunk=4 makes it tens of events.)
    prompt = f"[{route} {aio}] drip emulate:fault=slow-drip emulate:delay=0.3 emulate:chunk=4"
    _, error = run(
        FAULT_MODELS[route],
        prompt,
        stream=False,
        aio=aio,
        api_base=emulator.base_url(route),
        timeout=1,
        num_retries=2,
    )
    assert isinstance(error, Timeout), repr(error)
    assert error.status_code == 408
    assert "timeout=1 s" in str(error)
    assert requests_with(emulator, prompt) == 1  # the time is up: nothing is retried


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_a_stream_that_keeps_coming_is_not_cut_by_timeout(emulator: Emulator, aio: bool) -> None:
    # A stream's timeout bounds the time to its first byte and each silence, not its length.
    prompt = f"[{aio}] a long stream emulate:fault=slow-drip emulate:delay=0.15 emulate:chunk=6"
    received, error = run(
        FAULT_MODELS["synternet"],
        prompt,
        stream=True,
        aio=aio,
        api_base=emulator.base_url("synternet"),
        timeout=0.6,
    )
    assert error is None, repr(error)
    content = "".join(chunk.choices[0].delta.content or "" for chunk in received if chunk.choices)
    assert content == f"You asked: [{aio}] a long stream"


# -- 4. bad caller input -----------------------------------------------------------------------------

BAD_INPUT = [
    ({"timeout": -1}, BadRequestError, "timeout must be a positive number of seconds"),
    ({"timeout": 0}, BadRequestError, "timeout must be a positive number of seconds"),
    ({"api_key": 123}, AuthenticationError, "api_key must be a string, got int"),
]


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize(
    ("bad", "error_class", "message"), BAD_INPUT, ids=["timeout-1", "timeout0", "key123"]
)
@pytest.mark.parametrize("route", list(FAULT_MODELS))
def test_bad_timeout_or_key_is_refused_at_once_naming_the_parameter(
    emulator: Emulator,
    route: str,
    bad: dict[str, Any],
    error_class: type[Exception],
    message: str,
    stream: bool,
    aio: bool,
) -> None:
    prompt = f"[{route} {bad} {stream} {aio}] bad input"
    _, error = run(
        FAULT_MODELS[route],
        prompt,
        stream=stream,
        aio=aio,
        api_base=emulator.base_url(route),
        num_retries=2,
        **bad,
    )
    inner = unwrapped(error)
    assert type(inner) is error_class, repr(error)
    assert message in str(inner)
    assert PROVIDERS[route].display_name in str(inner)
    assert "Traceback" not in str(error)
    assert inner.transient is False  # type: ignore[attr-defined]
    assert requests_with(emulator, prompt) == 0


# -- 5. a key in the exception's context -------------------------------------------------------------


def _everything_reachable(error: BaseException) -> list[str]:
    """repr of the exception, its attributes, and the same for its whole cause / context chain."""
    texts: list[str] = []
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen or current is None:
            continue
        seen.add(id(current))
        texts.append(repr(current))
        if isinstance(current, BaseException):
            pending += [current.__context__, current.__cause__, *vars(current).values()]
    return texts


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("route", ["synthetic", "syncropic"])
def test_a_key_echoed_in_a_200_body_is_nowhere_in_the_exception(
    emulator: Emulator, route: str, aio: bool
) -> None:
    key = f"sk-echoed-in-body-{route}-{aio}-0123456789"
    prompt = f"[{route} {aio}] emulate:fault=200-echo-key"
    _, error = run(
        FAULT_MODELS[route], prompt, stream=False, aio=aio, api_base=emulator.base_url(route), api_key=key
    )
    assert isinstance(error, ServiceUnavailableError)
    assert error.__context__ is None
    assert not any(key in text for text in _everything_reachable(error))
    # The body is described readably, the key masked.
    assert "non-JSON body (application/json): <<key=***>> accepted" in str(error)


# -- 6. an SSE line with no end ----------------------------------------------------------------------


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
def test_an_sse_line_with_no_end_is_refused_at_the_limit(emulator: Emulator, stream: bool, aio: bool) -> None:
    prompt = f"[{stream} {aio}] emulate:fault=long-line"
    _, error = run(
        FAULT_MODELS["synternet"], prompt, stream=stream, aio=aio, api_base=emulator.base_url("synternet")
    )
    inner = unwrapped(error)
    assert isinstance(inner, APIConnectionError), repr(error)
    assert f"a line longer than {MAX_SSE_LINE_BYTES // 1024} KiB with no line break" in str(inner)


# -- 7. an unclosed [Thinking: -----------------------------------------------------------------------


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_a_call_whose_thinking_never_closes_returns_the_text_as_content(
    emulator: Emulator, aio: bool, caplog: pytest.LogCaptureFixture
) -> None:
    prompt = f"[{aio}] Why? emulate:fault=unclosed-thinking"
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        received, error = run(
            FAULT_MODELS["synternet"], prompt, stream=False, aio=aio, api_base=emulator.base_url("synternet")
        )
    assert error is None
    message = received[0].choices[0].message
    assert message.content is not None
    assert message.content.endswith(f"You asked: [{aio}] Why?")
    assert "never closed" in caplog.text
    assert "synternet/syntoshi-apex-thinking:" in caplog.text
    assert "synternet/synternet/" not in caplog.text  # the route once, not the wire id after it
    # The recovered text is the answer: none of the completion is counted as reasoning.
    assert message.reasoning_content is None
    details = received[0].usage.completion_tokens_details
    assert details is None or not details.reasoning_tokens


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_a_stream_whose_thinking_never_closes_says_so(
    emulator: Emulator, aio: bool, caplog: pytest.LogCaptureFixture
) -> None:
    prompt = f"[{aio}] Why? emulate:fault=unclosed-thinking"
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        received, error = run(
            FAULT_MODELS["synternet"], prompt, stream=True, aio=aio, api_base=emulator.base_url("synternet")
        )
    assert error is None
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in received)
    # A stream has already delivered the text as reasoning when the end shows the segment never closed.
    assert reasoning.endswith(f"You asked: [{aio}] Why?")
    assert "never closed" in caplog.text
    assert "synternet/syntoshi-apex-thinking:" in caplog.text
    assert "synternet/synternet/" not in caplog.text


# -- 8. a cached gateway response keeps its stated cost ----------------------------------------------


def test_a_cache_hit_reports_the_stated_cost_of_the_answer_it_replays(emulator: Emulator) -> None:
    from litellm.caching.caching import Cache

    request = {
        "model": FAULT_MODELS["syncropic"],
        "messages": [{"role": "user", "content": "cache me, issue 16"}],
        "api_base": emulator.base_url("syncropic"),
        "caching": True,
    }
    litellm.cache = Cache()
    try:
        first = litellm.completion(**request)
        hit = litellm.completion(**request)
    finally:
        litellm.cache = None
    assert requests_with(emulator, "cache me, issue 16") == 1
    assert hit._hidden_params.get("cache_hit") is True
    stated = first._hidden_params["response_cost"]
    assert litellm.completion_cost(first) == stated
    assert litellm.completion_cost(hit) == stated


# -- 9. LiteLLM's provider config for the taken-over route -------------------------------------------


@pytest.mark.parametrize("provider", [litellm.LlmProviders.SYNTHETIC, "synthetic"], ids=["enum", "str"])
def test_litellm_helpers_that_read_the_synthetic_provider_config_work(provider: Any) -> None:
    from litellm.utils import ProviderConfigManager

    from litellm_providers.registration import supported_params

    model = "hf:zai-org/GLM-4.7"
    config = ProviderConfigManager.get_provider_chat_config(model, provider)
    assert config is not None
    assert config.get_supported_openai_params(model) == supported_params("synthetic", model)
    # LiteLLM's test_response_format_type_text pattern: the config maps the parameters.
    mapped = config.map_openai_params(
        non_default_params={"response_format": {"type": "text"}, "max_tokens": 5},
        optional_params={},
        model=model,
        drop_params=False,
    )
    assert mapped == {"response_format": {"type": "text"}, "max_tokens": 5}
    # The handler's own parameter passes through, as it did before the config existed.
    assert config.map_openai_params({"max_retries": 2}, {}, model, False) == {"max_retries": 2}


# -- 10. small contract gaps -------------------------------------------------------------------------


def test_refresh_catalog_is_importable_from_the_package() -> None:
    from litellm_providers import refresh_catalog
    from litellm_providers.refresh import refresh_catalog as defined

    assert refresh_catalog is defined
    assert "refresh_catalog" in litellm_providers.__all__


@pytest.mark.parametrize(
    ("model", "fault", "error_class"),
    [
        # A model the catalog does not know is sent keyless, and the anonymous tier refuses it (a
        # catalogued paid model is refused before sending: test_hostile_cost_and_embeddings.py).
        ("syncropic/some-future-model", "", PaymentRequiredError),
        ("syncropic/gemini-flash-1.5", "emulate:fault=401", AuthenticationError),
    ],
)
def test_a_keyless_gateway_refusal_names_the_key_variable(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, model: str, fault: str, error_class: type[Exception]
) -> None:
    monkeypatch.delenv("SYNCROPEL_API_KEY")
    _, error = run(
        model, f"keyless {fault}", stream=False, aio=False, api_base=emulator.base_url("syncropic")
    )
    assert type(error) is error_class, repr(error)
    assert "no API key was sent: set SYNCROPEL_API_KEY" in str(error)


def test_a_keyed_gateway_refusal_does_not_blame_a_missing_key(emulator: Emulator) -> None:
    _, error = run(
        "syncropic/claude-haiku-4-5",
        "keyed emulate:fault=402",
        stream=False,
        aio=False,
        api_base=emulator.base_url("syncropic"),
        api_key=SENTINEL_KEYS["syncropic"],
    )
    assert isinstance(error, PaymentRequiredError)
    assert "no API key was sent" not in str(error)


def test_a_router_does_not_wait_an_hour_long_retry_after(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/errors.md: the Router honours a Retry-After of up to 60 s; a longer one it replaces with its
    own short backoff, so num_retries=2 sends three requests, and the error still says 3600."""
    deployment = {"model": FAULT_MODELS["syncropic"], "api_base": emulator.base_url("syncropic")}
    model_list = [{"model_name": "gateway", "litellm_params": deployment}]
    router = litellm.Router(model_list=model_list, num_retries=2)
    asked: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(seconds: float, *args: Any) -> Any:
        asked.append(seconds)
        return await real_sleep(min(seconds, 0.01), *args)

    monkeypatch.setattr(asyncio, "sleep", recorded_sleep)
    prompt = "an hour emulate:fault=429 emulate:retry_after=3600"
    with pytest.raises(RateLimitError) as caught:
        asyncio.run(router.acompletion(model="gateway", messages=[{"role": "user", "content": prompt}]))
    assert requests_with(emulator, prompt) == 3
    assert caught.value.retry_after == 3600  # type: ignore[attr-defined]
    assert not any(seconds >= 60 for seconds in asked)
