"""A hostile ``x-synthetic-quotas`` header (issue 22, items 1 and 6): it never changes what the caller gets.

The header is a hint Synthetic adds to its answers. Read on a 429 or 402, it names the window that ran
out; read by ``litellm-providers quotas``, it is the table. A naive ``renewsAt``, one before year 1 once
in UTC, or JSON nested 100k deep used to replace a 429 with an ``APIConnectionError`` (500) holding a
traceback, losing ``Retry-After`` and keeping the key reachable through ``__context__``; the CLI died
with a ``TypeError``. Each case is served by a tiny loopback server and read as a user reads it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import litellm
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from litellm.exceptions import PaymentRequiredError, RateLimitError

from litellm_providers.cli import main
from litellm_providers.quota import (
    QuotaSnapshot,
    describe_exhausted,
    quotas_table,
    snapshot_from_header,
)
from tests.conftest import SENTINEL_KEYS
from tests.faults.test_hostile_upstream import MODE_IDS, MODES, unwrapped
from tests.faults.test_no_key_leaks import everything_reachable_from

MODEL = "synthetic/hf:zai-org/GLM-4.7"
KEY = SENTINEL_KEYS["synthetic"]
DEEP = "[" * 100_000


def _quotas(renews_at: str) -> str:
    return json.dumps({"subscription": {"limit": 10, "requests": 10, "renewsAt": renews_at}})


# The three headers the issue reproduced; the first two are readable once their times are made UTC.
HOSTILE_HEADERS = {
    "naive-renewsAt": _quotas("2030-01-01T00:00:00"),
    "renewsAt-before-year-1-in-UTC": _quotas("0001-01-01T00:00:00+05:00"),
    "nested-100k-deep": DEEP,
}
# (status, the class LiteLLM's callers key off, the provider's error code)
REFUSALS = {
    429: (RateLimitError, "rate_limited"),
    402: (PaymentRequiredError, "subscription_required"),
}


@dataclass
class _Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class _Upstream(ThreadingHTTPServer):
    """Answers every request (chat at ``/openai/v1``, quotas at ``/v2/quotas``) with ``answer``."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Serve)
        self.answer = _Answer()
        self.paths: list[str] = []

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/openai/v1"


class _Serve(BaseHTTPRequestHandler):
    server: _Upstream
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(stream=False)

    def do_POST(self) -> None:
        sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(stream=bool(json.loads(sent or b"{}").get("stream")))

    def _answer(self, *, stream: bool) -> None:
        self.server.paths.append(self.path)
        answer = self.server.answer
        body = _sse_answer() if stream and answer.status == 200 else answer.body
        self.send_response(answer.status)
        content_type = "text/event-stream" if stream and answer.status == 200 else "application/json"
        self.send_header("Content-Type", content_type)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _chunk(delta: dict[str, Any], finish: str | None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}
    return f"data: {json.dumps(chunk)}\n\n"


def _sse_answer() -> bytes:
    return (
        _chunk({"role": "assistant", "content": "hello"}, None) + _chunk({}, "stop") + "data: [DONE]\n\n"
    ).encode()


_COMPLETION = json.dumps(
    {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hello"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()


@pytest.fixture(scope="module")
def upstream() -> Iterator[_Upstream]:
    server = _Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _call(upstream: _Upstream, *, stream: bool, aio: bool) -> tuple[list[Any], Exception | None]:
    request: dict[str, Any] = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "hi"}],
        "api_base": upstream.api_base,
        "api_key": KEY,
        "stream": stream,
        "timeout": 30,
    }
    received: list[Any] = []

    async def arun() -> None:
        response = await litellm.acompletion(**request)
        received.extend([chunk async for chunk in response] if stream else [response])

    try:
        if aio:
            asyncio.run(arun())
        else:
            response = litellm.completion(**request)
            received.extend(response if stream else [response])
    except Exception as error:
        return received, error
    return received, None


# -- item 1: a refusal stays the provider's refusal ----------------------------------------------------


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("header", list(HOSTILE_HEADERS))
@pytest.mark.parametrize("status", list(REFUSALS))
def test_a_malformed_quotas_header_leaves_the_refusal_as_the_provider_sent_it(
    upstream: _Upstream, status: int, header: str, stream: bool, aio: bool, caplog: pytest.LogCaptureFixture
) -> None:
    error_class, code = REFUSALS[status]
    upstream.answer = _Answer(
        status,
        {"Retry-After": "7", "x-synthetic-quotas": HOSTILE_HEADERS[header]},
        json.dumps({"error": {"message": "not now", "code": code}}).encode(),
    )
    with caplog.at_level(logging.DEBUG, logger="litellm_providers"):
        received, raised = _call(upstream, stream=stream, aio=aio)

    assert received == []
    error = unwrapped(raised)
    assert type(error) is error_class, repr(error)
    assert error.status_code == status  # type: ignore[attr-defined]
    assert error.retry_after == 7.0  # type: ignore[attr-defined]
    assert error.provider_error_code == code  # type: ignore[attr-defined]
    assert str(error).startswith(f"litellm.{error_class.__name__}: Synthetic returned HTTP {status} ({code})")
    assert "Traceback" not in str(error)
    for text in everything_reachable_from(error):
        assert KEY not in text
    for record in caplog.records:
        assert KEY not in record.getMessage()
    if header == "nested-100k-deep":  # unreadable: the message has no hint, a warning says why
        assert "quota used up" not in str(error)
        assert "ignoring an unreadable quotas header: JSON nested too deeply to read" in caplog.messages
    else:  # readable once its time is UTC: the message names the window, as for a well-formed header
        assert "subscription quota used up (10 of 10), renews at" in str(error)


def test_a_quotas_header_carrying_the_key_is_warned_about_without_it(
    upstream: _Upstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.answer = _Answer(
        429,
        {"Retry-After": "7", "x-synthetic-quotas": json.dumps({"subscription": {"renewsAt": KEY}})},
        json.dumps({"error": {"message": "not now", "code": "rate_limited"}}).encode(),
    )
    with caplog.at_level(logging.WARNING, logger="litellm_providers"):
        _, raised = _call(upstream, stream=False, aio=False)
    assert isinstance(raised, RateLimitError) and raised.retry_after == 7.0  # type: ignore[attr-defined]
    (warning,) = [message for message in caplog.messages if "quotas header" in message]
    assert warning.startswith("ignoring an unreadable quotas header: Input should be a valid datetime")
    assert all(KEY not in message for message in caplog.messages)


@pytest.mark.parametrize(("stream", "aio"), MODES, ids=MODE_IDS)
@pytest.mark.parametrize("header", list(HOSTILE_HEADERS))
def test_a_malformed_quotas_header_on_a_200_reaches_hidden_params_and_the_call_succeeds(
    upstream: _Upstream, header: str, stream: bool, aio: bool
) -> None:
    upstream.answer = _Answer(200, {"x-synthetic-quotas": HOSTILE_HEADERS[header]}, _COMPLETION)
    received, raised = _call(upstream, stream=stream, aio=aio)
    assert raised is None, repr(raised)
    if stream:
        assert "".join(chunk.choices[0].delta.content or "" for chunk in received if chunk.choices) == "hello"
    else:
        assert received[0].choices[0].message.content == "hello"
    forwarded = received[0]._hidden_params["additional_headers"]["llm_provider-x-synthetic-quotas"]
    assert forwarded == HOSTILE_HEADERS[header]


# -- the quotas CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("renews_at", "renews_in"),
    [("2999-01-01T00:00:00", "d"), ("0001-01-01T00:00:00+05:00", "now"), ("9999-12-31T23:59:59-05:00", "d")],
    ids=["naive", "before-year-1-in-UTC", "after-year-9999-in-UTC"],
)
def test_cli_quotas_prints_the_table_whatever_renewsAt_says(
    upstream: _Upstream, renews_at: str, renews_in: str, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream.answer = _Answer(200, {}, _quotas(renews_at).encode())
    assert main(["quotas", "--api-base", upstream.api_base]) == 0
    out = capsys.readouterr().out
    assert upstream.paths[-1] == "/v2/quotas"
    row = out.splitlines()[2].split()
    assert row[:4] == ["subscription", "10", "10", "0"] and row[4].endswith(renews_in), out


def test_cli_quotas_of_an_answer_nested_100k_deep_is_one_line(
    upstream: _Upstream, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream.answer = _Answer(200, {}, DEEP.encode())
    assert main(["quotas", "--api-base", upstream.api_base]) == 1
    out = capsys.readouterr().out
    assert out.startswith("synthetic: no quotas: ") and out.count("\n") == 1, out[:2000]
    assert "Traceback" not in out and KEY not in out


# -- item 6: the snapshot itself: any time pydantic accepts, any number ---------------------------------

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("renews_at", "when", "at"),
    [
        (datetime(2030, 1, 1, 3), "3h 0m", "2030-01-01T03:00Z"),  # naive: read as UTC
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "now", "0001-01-01T00:00Z"),
        (
            datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
            "2910982d 0h",
            "9999-12-31T23:59Z",
        ),
        (99999999999999, "1135492d 9h", "5138-11-16T09:46Z"),  # a huge number: milliseconds to pydantic
    ],
    ids=["naive", "year-0-in-UTC", "year-10000-in-UTC", "huge-timestamp"],
)
def test_every_time_pydantic_accepts_can_be_described(renews_at: Any, when: str, at: str) -> None:
    snapshot = QuotaSnapshot.model_validate(
        {"subscription": {"limit": 1, "requests": 1, "renewsAt": renews_at}}
    )
    (window,) = snapshot.windows()
    assert window.renews_at is not None and window.renews_at.tzinfo is not None
    assert (
        describe_exhausted(snapshot, NOW)
        == f"subscription quota used up (1 of 1), renews at {at} (in {when})"
    )
    assert quotas_table(snapshot, NOW).splitlines()[2].endswith(when)
    assert window.renews_in(NOW.replace(tzinfo=None)) == window.renews_in(NOW)  # a naive now is UTC too


@pytest.mark.parametrize(
    "windows",
    [
        {"weeklyTokenLimit": {"maxCredits": 10**400, "remainingCredits": "$1"}},
        {"subscription": {"limit": float("inf"), "requests": float("nan")}},
        {"rollingFiveHourLimit": {"max": float("inf"), "remaining": float("inf")}},
    ],
    ids=["integer-too-large-for-a-float", "inf-and-nan", "inf-minus-inf"],
)
def test_numbers_that_are_not_finite_are_shown_as_unknown(windows: dict[str, Any]) -> None:
    snapshot = QuotaSnapshot.model_validate(windows)
    (window,) = snapshot.windows()
    assert window.remaining is None and not window.exhausted
    assert quotas_table(snapshot, NOW).splitlines()[2].split()[1:] == ["—", "—", "—", "—"]


# -- property: any header text gives a snapshot or None, and the describers give text -------------------

_times = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda at: at.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2030-01-01", "now", ""]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)
_numbers = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["$24.00", "1,500", "$", "inf", "nan", "-0"]),
    st.text(max_size=8),
)
# Times pydantic accepts, for windows that are read (most wild ones make the whole header unreadable).
_readable_times = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda at: at.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2030-01-01"]),
    st.integers(min_value=-62_135_596_800_000, max_value=253_402_300_799_999),
)
_readable_numbers = st.integers(min_value=-(10**20), max_value=10**20) | st.floats()
_readable_counter = st.fixed_dictionaries(
    {"limit": _readable_numbers, "requests": _readable_numbers, "renewsAt": _readable_times}
)
_readable = st.fixed_dictionaries(
    {},
    optional={
        "subscription": _readable_counter,
        "freeToolCalls": _readable_counter,
        "weeklyTokenLimit": st.fixed_dictionaries(
            {"maxCredits": _numbers, "remainingCredits": _numbers, "nextRegenAt": _readable_times}
        ),
        "rollingFiveHourLimit": st.fixed_dictionaries(
            {"max": _readable_numbers, "remaining": _readable_numbers, "nextTickAt": _readable_times}
        ),
        "dailyImageLimit": _readable_counter,
    },
)
_counter = st.fixed_dictionaries({}, optional={"limit": _numbers, "requests": _numbers, "renewsAt": _times})
_windows = st.fixed_dictionaries(
    {},
    optional={
        "subscription": _counter | _numbers,
        "search": st.fixed_dictionaries({}, optional={"hourly": _counter}) | _numbers,
        "freeToolCalls": _counter,
        "weeklyTokenLimit": st.fixed_dictionaries(
            {}, optional={"maxCredits": _numbers, "remainingCredits": _numbers, "nextRegenAt": _times}
        ),
        "rollingFiveHourLimit": st.fixed_dictionaries(
            {}, optional={"max": _numbers, "remaining": _numbers, "nextTickAt": _times}
        ),
        "dailyImageLimit": _counter,
    },
)
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


def _header_texts() -> st.SearchStrategy[str]:
    as_json = (_readable | _windows | _json).map(json.dumps)
    nested = st.tuples(st.sampled_from("[{"), st.integers(min_value=1, max_value=200_000)).map(
        lambda pair: pair[0] * pair[1] if pair[0] == "[" else '{"a":' * pair[1]
    )
    return as_json | nested | st.text()


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=_header_texts(), now=st.datetimes(timezones=st.none() | st.timezones()))
def test_any_header_text_gives_a_snapshot_or_none_and_the_describers_give_text(
    text: str, now: datetime
) -> None:
    snapshot = snapshot_from_header(text)
    if snapshot is None:
        return
    assert isinstance(snapshot, QuotaSnapshot)
    described = describe_exhausted(snapshot, now)
    assert described is None or isinstance(described, str)
    assert isinstance(quotas_table(snapshot, now), str)
    for window in snapshot.windows():
        left = window.renews_in(now)
        assert left is None or left >= 0
