"""Web search against hostile upstreams: the same transport as chat, so the same hardness.

Each upstream is a scripted loopback server (``test_one_transport.ScriptedServer``) answering
``POST /v2/search``: results of the wrong shape, JSON nested 100k deep, a body without end, a 429 for a
used-up ``search.hourly`` window, a redirect to another origin, a drip, a key echoed back. Every case
runs through ``litellm_providers.search`` and ``asearch`` and must end in a LiteLLM exception that names
Synthetic and never carries the key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from litellm.exceptions import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    ServiceUnavailableError,
    Timeout,
)

import litellm_providers
from tests.faults.test_one_transport import DEEP, KEY, assert_no_key, failure_of
from tests.loopback import ScriptedServer, send

SEARCH = "/v2/search"
MODES = ["sync", "async"]
Serve = Callable[[dict[str, Callable[[BaseHTTPRequestHandler], None]]], ScriptedServer]


@pytest.fixture
def upstream(serve: Serve) -> Serve:
    """Scripted loopback servers (tests/loopback.py), started on demand and stopped after the test."""
    return serve


def search_at(server_url: str, mode: str, **kwargs: Any) -> Any:
    options: dict[str, Any] = {"api_base": server_url + "/openai/v1", "api_key": KEY, **kwargs}
    if mode == "async":
        return asyncio.run(litellm_providers.asearch("hostile upstream", **options))
    return litellm_providers.search("hostile upstream", **options)


def answering(status: int, body: bytes, headers: dict[str, str] | None = None, **kw: Any) -> Any:
    return lambda handler: send(handler, status, body, headers, **kw)


MALFORMED = {
    "a list": b"[]",
    "no results": b'{"data": []}',
    "results not a list": b'{"results": {"url": "u"}}',
    "a result not an object": b'{"results": ["https://example.org"]}',
    "a url that is a number": b'{"results": [{"url": 42, "title": "t", "text": "x"}]}',
    "no title": b'{"results": [{"url": "u", "text": "x"}]}',
    "published a number": b'{"results": [{"url": "u", "title": "t", "text": "x", "published": 1}]}',
    "not JSON": b"<html><body>search is down</body></html>",
    "empty": b"",
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("body", MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_answer_is_a_502_naming_synthetic(upstream: Serve, body: bytes, mode: str) -> None:
    server = upstream({SEARCH: answering(200, body)})
    error = failure_of(lambda: search_at(server.url, mode))
    assert isinstance(error, ServiceUnavailableError), repr(error)
    assert error.status_code == 502
    assert "Synthetic answered HTTP 200" in str(error) and "expected search results" in str(error)
    assert_no_key(error)


@pytest.mark.parametrize("mode", MODES)
def test_json_nested_too_deep_is_an_unusable_answer_not_a_recursion_error(upstream: Serve, mode: str) -> None:
    server = upstream({SEARCH: answering(200, DEEP)})
    error = failure_of(lambda: search_at(server.url, mode))
    assert isinstance(error, ServiceUnavailableError), repr(error)
    assert "RecursionError" not in str(error) and "Traceback" not in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_huge_answer_is_refused_after_its_bound_not_read_whole(upstream: Serve, mode: str) -> None:
    piece = b'{"url": "https://example.org", "title": "t", "text": "' + b"x" * 4000 + b'"},'

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(300 * 1024 * 1024))  # 300 MB announced
        handler.end_headers()
        handler.wfile.write(b'{"results": [')
        for _ in range(300 * 1024 * 1024 // len(piece)):
            handler.wfile.write(piece)
            handler.server.sent_bytes += len(piece)  # type: ignore[attr-defined]

    server = upstream({SEARCH: endless})
    error = failure_of(lambda: search_at(server.url, mode))
    assert isinstance(error, APIConnectionError), repr(error)
    assert "longer than 16 MiB" in str(error) and "Synthetic" in str(error)
    assert getattr(error, "transient", None) is False  # the same search gets the same answer
    # The reader stopped at the bound: what left the server is the bound plus socket buffers.
    assert server.sent_bytes < 100 * 1024 * 1024


def _used_up_search_window(handler: BaseHTTPRequestHandler) -> None:
    windows = {
        "subscription": {"limit": 135, "requests": 12, "renewsAt": "2030-01-01T00:00:00Z"},
        "search": {"hourly": {"limit": 250, "requests": 250, "renewsAt": "2030-01-01T14:00:00Z"}},
    }
    body = json.dumps({"error": {"message": "Search quota exceeded", "code": "rate_limited"}}).encode()
    send(handler, 429, body, {"x-synthetic-quotas": json.dumps(windows), "Retry-After": "120"})


@pytest.mark.parametrize("mode", MODES)
def test_a_used_up_search_window_is_a_rate_limit_saying_when_it_renews(upstream: Serve, mode: str) -> None:
    server = upstream({SEARCH: _used_up_search_window})
    error = failure_of(lambda: search_at(server.url, mode))
    assert isinstance(error, RateLimitError), repr(error)
    assert error.status_code == 429
    message = str(error)
    assert "Synthetic returned HTTP 429 (rate_limited)" in message
    assert "search.hourly quota used up (250 of 250), renews at 2030-01-01T14:00Z" in message
    assert getattr(error, "retry_after", None) == 120.0 and getattr(error, "provider_error_code", None)
    assert_no_key(error)


def test_num_retries_retries_a_failed_search_then_answers(
    upstream: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litellm

    down = json.dumps({"error": {"message": "search backend down", "code": "server_error"}}).encode()
    answers = iter([answering(503, down, {"Retry-After": "0"}), answering(200, b'{"results": []}')])
    server = upstream({SEARCH: lambda handler: next(answers)(handler)})
    monkeypatch.setattr(litellm, "num_retries", 1)
    response = litellm_providers.search("again", api_base=server.url + "/openai/v1", api_key=KEY)
    assert response.results == []
    assert len(server.seen) == 2  # the 503, then the answer


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_to_another_origin_is_not_followed(upstream: Serve, mode: str, status: int) -> None:
    elsewhere = upstream({})

    def redirect(handler: BaseHTTPRequestHandler) -> None:
        send(handler, status, b"", {"Location": elsewhere.url + handler.path})

    provider = upstream({SEARCH: redirect})
    error = failure_of(lambda: search_at(provider.url, mode))
    assert isinstance(error, APIError) and getattr(error, "status_code", None) == status, repr(error)
    assert "another origin" in str(error) and elsewhere.url in str(error)
    assert elsewhere.seen == []  # the query and the key stayed home
    assert len(provider.seen) == 1
    assert_no_key(error)


def test_a_redirect_within_the_origin_is_followed(upstream: Serve) -> None:
    good = b'{"results": [{"url": "https://example.org", "title": "t", "text": "x"}]}'
    server = upstream(
        {SEARCH: answering(308, b"", {"Location": "/v2/search/"}), SEARCH + "/": answering(200, good)}
    )
    response = litellm_providers.search("moved", api_base=server.url + "/openai/v1", api_key=KEY)
    assert [result.url for result in response.results] == ["https://example.org"]


@pytest.mark.parametrize("mode", MODES)
def test_a_dripping_answer_ends_at_the_timeout(upstream: Serve, mode: str) -> None:
    def drip(handler: BaseHTTPRequestHandler) -> None:
        body = json.dumps({"results": [{"url": "u", "title": "t", "text": "x"}] * 20}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:  # each byte well within any read timeout; the whole far longer than the call's
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(0.05)

    server = upstream({SEARCH: drip})
    error = failure_of(lambda: search_at(server.url, mode, timeout=1))
    assert isinstance(error, Timeout), repr(error)
    assert "timeout=1 s ran out" in str(error)


@pytest.mark.parametrize("mode", MODES)
def test_a_key_echoed_back_in_a_401_never_reaches_the_caller(upstream: Serve, mode: str) -> None:
    def echo(handler: BaseHTTPRequestHandler) -> None:
        key = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        body = json.dumps(
            {"error": {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key"}}
        )
        send(handler, 401, body.encode(), {"X-Echoed-Key": key})

    server = upstream({SEARCH: echo})
    error = failure_of(lambda: search_at(server.url, mode))
    assert isinstance(error, AuthenticationError), repr(error)
    assert "Incorrect API key provided: ***" in str(error)
    assert_no_key(error)


def test_credentials_in_api_base_are_refused_before_anything_is_sent(upstream: Serve) -> None:
    server = upstream({})
    base = server.url.replace("://", "://admin:S3cret-pw@") + "/openai/v1"
    error = failure_of(lambda: litellm_providers.search("q", api_base=base, api_key=KEY))
    assert isinstance(error, BadRequestError) and "carries a user name or password" in str(error)
    assert "S3cret-pw" not in str(error)
    assert server.seen == []


def test_a_key_echoed_in_a_header_never_reaches_the_debug_logs(
    upstream: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    def echo(handler: BaseHTTPRequestHandler) -> None:
        echoed = {"X-Echoed-Authorization": handler.headers.get("Authorization", "")}
        send(handler, 200, b'{"results": []}', echoed)

    server = upstream({SEARCH: echo})
    with caplog.at_level(logging.DEBUG):
        assert search_at(server.url, "sync").results == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "x-echoed-authorization" in logged.lower()  # the HTTP stack did log the headers...
    assert KEY not in logged  # ...with the key masked
