"""Every request of the package on one transport (issue 22, items 2-6, 10 and 12).

Chat, embeddings, text completions, ``quotas()`` and the live-list refresh all send through the same
client: the key redacted from DEBUG logs, credentials in ``api_base`` refused, no redirect followed to
another origin, JSON nested too deep read as an unusable answer (never a ``RecursionError``), a whole
read bounded in size and in time. Each hostile upstream here is a scripted server on loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import litellm
import pytest
from litellm.exceptions import (
    APIConnectionError,
    APIError,
    BadRequestError,
    ServiceUnavailableError,
    Timeout,
)

import litellm_providers
from litellm_providers.refresh import refresh_catalog
from tests.conftest import ROOT, SENTINEL_KEYS
from tests.loopback import Answer, send

KEY = SENTINEL_KEYS["synthetic"]
DEEP = b"[" * 100_000 + b"]" * 100_000


def _chain(error: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def assert_no_key(error: BaseException) -> None:
    for link in _chain(error):
        assert KEY not in str(link) and KEY not in repr(link)
        response = getattr(link, "response", None)
        request = getattr(response, "request", None) if response is not None else None
        headers = getattr(request, "headers", None) if request is not None else None
        if headers is not None:
            assert KEY not in str(dict(headers))


SURFACES = ["chat", "chat-stream", "achat", "achat-stream", "embedding", "aembedding", "quotas"]


def call_surface(surface: str, base: str, prompt: str = "hello", **kwargs: Any) -> Any:
    """One call of a surface against ``base`` (Synthetic's API base), as a user makes it."""
    common: dict[str, Any] = {"api_base": base, "api_key": KEY, **kwargs}
    chat: dict[str, Any] = {
        "model": "synthetic/hf:zai-org/GLM-4.7",
        "messages": [{"role": "user", "content": prompt}],
        **common,
    }
    embed: dict[str, Any] = {
        "model": "synthetic/hf:nomic-ai/nomic-embed-text-v1.5",
        "input": [prompt],
        **common,
    }

    async def achat(stream: bool) -> Any:
        response = await litellm.acompletion(stream=stream, **chat)
        return [chunk async for chunk in response] if stream else response

    if surface == "chat":
        return litellm.completion(**chat)
    if surface == "chat-stream":
        return list(litellm.completion(stream=True, **chat))
    if surface == "achat":
        return asyncio.run(achat(False))
    if surface == "achat-stream":
        return asyncio.run(achat(True))
    if surface == "embedding":
        return litellm.embedding(**embed)
    if surface == "aembedding":
        return asyncio.run(litellm.aembedding(**embed))
    assert surface == "quotas"
    common.pop("extra_headers", None)  # quotas() sends only the key
    return litellm_providers.quotas("synthetic", **common)


def failure_of(action: Callable[[], Any]) -> BaseException:
    try:
        action()
    except Exception as error:
        inner = getattr(error, "original_exception", None)  # LiteLLM's MidStreamFallbackError
        return inner if isinstance(inner, BaseException) else error
    raise AssertionError("the call succeeded")


def path_of(surface: str) -> str:
    if surface == "quotas":
        return "/v2/quotas"
    return "/openai/v1/embeddings" if "embedding" in surface else "/openai/v1/chat/completions"


# -- 2. the refresh's request goes through the redacted client ----------------------------------------

_REFRESH_WITH_DEBUG_LOGS = textwrap.dedent(
    """
    import logging, sys
    logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format="%(name)s %(message)s")
    from litellm_providers.refresh import refresh_catalog
    result = refresh_catalog("synthetic", api_key=sys.argv[1], api_base=sys.argv[2], register=False)
    print("refresh:", result.summary())
    """
)


def test_a_refresh_never_logs_the_key_at_debug_in_a_fresh_interpreter(serve: Any) -> None:
    def echoing_list(handler: BaseHTTPRequestHandler) -> None:
        # A careless provider: repeats the credentials it was sent in a response header.
        echoed = {"X-Echoed-Authorization": handler.headers.get("Authorization", "")}
        body = json.dumps({"data": [{"id": "hf:zai-org/GLM-4.7", "context_length": 202752}]}).encode()
        send(handler, 200, body, echoed)

    server = serve({"/openai/v1/models": echoing_list})
    result = subprocess.run(
        [sys.executable, "-c", _REFRESH_WITH_DEBUG_LOGS, KEY, server.url + "/openai/v1"],
        capture_output=True,
        text=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_PROVIDERS_NO_CACHE": "1"},
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert "refresh: synthetic: " in output and "kept the bundled catalog" not in output, output[-2000:]
    # The HTTP stack did log the echoing response's headers, with the key masked.
    assert "x-echoed-authorization" in output.lower()
    assert KEY not in output


# -- 3, 4. credentials in api_base: refused before sending, masked everywhere ------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_credentials_in_api_base_are_refused_before_anything_is_sent(serve: Any, surface: str) -> None:
    server = serve({})
    base = server.url.replace("://", "://admin:S3cret-pw@") + "/openai/v1"
    error = failure_of(lambda: call_surface(surface, base))
    assert isinstance(error, BadRequestError), error
    assert "carries a user name or password" in str(error)
    assert "S3cret-pw" not in str(error) and "admin" not in str(error)
    assert server.seen == []  # nothing went out, so no `Authorization: Basic` either


def test_a_refresh_with_credentials_in_api_base_says_why_without_them(serve: Any) -> None:
    server = serve({})
    base = server.url.replace("://", "://admin:S3cret-pw@") + "/openai/v1"
    result = refresh_catalog("synthetic", api_key=KEY, api_base=base, register=False)
    assert result.error is not None and "carries a user name or password" in result.error
    assert "S3cret-pw" not in result.summary() and "admin" not in result.summary()
    assert server.seen == []


# -- 5. no redirect followed to another origin --------------------------------------------------------


def _redirect_to(target: str, status: int) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        send(handler, status, b"", {"Location": target + handler.path})

    return answer


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("surface", SURFACES)
def test_a_redirect_to_another_origin_is_not_followed(serve: Any, surface: str, status: int) -> None:
    elsewhere = serve({})
    provider = serve({path_of(surface): _redirect_to(elsewhere.url, status)})
    error = failure_of(
        lambda: call_surface(surface, provider.url + "/openai/v1", extra_headers={"X-Api-Key": KEY})
    )
    assert isinstance(error, APIError) and getattr(error, "status_code", None) == status, error
    assert "another origin" in str(error) and elsewhere.url in str(error)
    assert getattr(error, "transient", None) is False  # the same request gets the same redirect
    assert elsewhere.seen == []  # neither the prompt nor the X-Api-Key went there
    assert len(provider.seen) == 1  # and nothing was retried
    assert_no_key(error)


def test_a_refresh_redirected_to_another_origin_keeps_the_bundled_catalog(serve: Any) -> None:
    elsewhere = serve({})
    provider = serve({"/openai/v1/models": _redirect_to(elsewhere.url, 308)})
    result = refresh_catalog("synthetic", api_key=KEY, api_base=provider.url + "/openai/v1", register=False)
    assert result.error is not None and "another origin" in result.error
    assert elsewhere.seen == []


def test_a_redirect_within_the_origin_is_still_followed(serve: Any) -> None:
    windows = {"subscription": {"limit": 135, "requests": 3, "renewsAt": "2030-01-01T00:00:00Z"}}

    def quotas(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, json.dumps(windows).encode())

    def moved(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 308, b"", {"Location": "/v2/quotas/"})

    server = serve({"/v2/quotas": moved, "/v2/quotas/": quotas})
    snapshot = litellm_providers.quotas("synthetic", api_key=KEY, api_base=server.url + "/openai/v1")
    assert snapshot.windows()[0].used == 3


# -- 6. JSON nested 100k deep: an unusable answer, never a RecursionError -------------------------------


@pytest.mark.parametrize("surface", SURFACES)
def test_a_200_nested_too_deep_is_an_unusable_answer(serve: Any, surface: str) -> None:
    def deep(handler: BaseHTTPRequestHandler) -> None:
        if surface.endswith("stream"):
            send(handler, 200, b"data: " + DEEP + b"\n\n", content_type="text/event-stream")
        else:
            send(handler, 200, DEEP)

    server = serve({path_of(surface): deep})
    error = failure_of(lambda: call_surface(surface, server.url + "/openai/v1"))
    assert isinstance(error, ServiceUnavailableError | APIConnectionError), repr(error)
    assert "Traceback" not in str(error) and "RecursionError" not in str(error)
    assert "Synthetic" in str(error)
    assert_no_key(error)


@pytest.mark.parametrize("surface", SURFACES)
def test_an_error_body_nested_too_deep_keeps_the_status(serve: Any, surface: str) -> None:
    server = serve({path_of(surface): lambda handler: send(handler, 400, DEEP)})
    error = failure_of(lambda: call_surface(surface, server.url + "/openai/v1"))
    assert isinstance(error, BadRequestError), repr(error)
    assert "HTTP 400" in str(error) and "Traceback" not in str(error)


def test_a_model_list_nested_too_deep_keeps_the_bundled_catalog(serve: Any) -> None:
    server = serve({"/openai/v1/models": lambda handler: send(handler, 200, DEEP)})
    result = refresh_catalog("synthetic", api_key=KEY, api_base=server.url + "/openai/v1", register=False)
    assert result.error is not None and "expected a model list" in result.error


# -- 10. the model list: bounded in size and in time --------------------------------------------------


def test_a_huge_model_list_is_refused_after_its_bound_not_read_whole(serve: Any) -> None:
    piece = b'{"id": "hf:x/y", "context_length": 1024},' * 1000  # ~40 KB

    def endless(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(300 * 1024 * 1024))  # 300 MB announced
        handler.end_headers()
        handler.wfile.write(b'{"data": [')
        for _ in range(300 * 1024 * 1024 // len(piece)):
            handler.wfile.write(piece)
            handler.server.sent_bytes += len(piece)  # type: ignore[attr-defined]

    server = serve({"/openai/v1/models": endless})
    result = refresh_catalog("synthetic", api_key=KEY, api_base=server.url + "/openai/v1", register=False)
    assert result.error is not None and "longer than 16 MiB" in result.error
    # The reader stopped at the bound: what the server got out is the bound plus socket buffers, not 300 MB.
    assert server.sent_bytes < 100 * 1024 * 1024


def _drip(delay: float) -> Answer:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        body = json.dumps({"data": [{"id": "hf:x/y"}] * 20}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:  # each byte well within any read timeout; the whole far longer than the call's
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(delay)

    return answer


def test_a_dripping_model_list_ends_at_the_refresh_deadline(serve: Any) -> None:
    server = serve({"/openai/v1/models": _drip(0.05)})
    result = refresh_catalog(
        "synthetic", api_key=KEY, api_base=server.url + "/openai/v1", register=False, timeout=1.0
    )
    assert result.error is not None and "timeout=1 s ran out" in result.error


# -- 12. quotas() takes timeout=, meaning what a call's does ------------------------------------------


def test_quotas_timeout_bounds_the_whole_read(serve: Any) -> None:
    server = serve({"/v2/quotas": _drip(0.05)})
    base = server.url + "/openai/v1"
    error = failure_of(lambda: litellm_providers.quotas("synthetic", api_key=KEY, api_base=base, timeout=1))
    assert isinstance(error, Timeout), repr(error)
    assert "timeout=1 s ran out" in str(error)
