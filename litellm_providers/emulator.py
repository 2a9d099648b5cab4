"""A loopback emulator of the three providers' documented wire formats.

It records the cassettes, runs the demo and the integration tests, and lets a user try the package
with no key and no network. It follows ``shared/seeds/`` to the letter: each provider is served at
its documented path, Synternet always streams ``[Thinking: ...]`` / ``[Reasoning: ...]`` content
before the answer and sends no usage, Syncropel adds its cost, tier and request-id headers and its
own error codes, Synthetic's R1 and Thinking models put ``<think>`` reasoning in content. Synthetic also
answers ``/completions`` (text completions), ``/embeddings`` (deterministic vectors), ``GET /v2/quotas``
and sends ``x-synthetic-quotas`` on every answer; its live list carries the ``syn:`` aliases.

Answers are deterministic, so recordings are stable. The last user message steers the emulator with
``emulate:`` directives, so a test (or a user at a proxy) can ask for any behaviour:

* ``emulate:fault=<name>``: one of ``FAULTS`` (an error answer, a cut stream, a bad SSE line, ...);
  on Synthetic also ``quota``: a 429 whose ``x-synthetic-quotas`` header shows the subscription used up.
* ``emulate:chunk=<n>``: stream the content in pieces of n characters (markers get cut anywhere).
* ``emulate:script=documented``: Synternet's documented example stream, byte for byte.
* ``emulate:times=<n>``: the fault hits only the first n requests with this exact body; later ones
  are answered (a transient fault that a retry gets past).
* ``emulate:retry_after=<seconds>``: the ``Retry-After`` an HTTP error fault sends (the ``429`` fault
  sends 30 unless told otherwise; the others send none unless told).

Any API key is accepted except one starting with ``invalid``, which gets the provider's 401. A
provider with ``anonymous_access`` (the Syncropel gateway) also serves requests with no
``Authorization`` header, as its anonymous tier: models whose catalog tier admits it are answered
(``X-Syncropic-Tier: anonymous``; keyed calls get ``paid``), the others get the documented 402
``subscription_required``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from litellm_providers.catalog import ModelEntry, active_models, model_entry
from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import PROVIDERS

_DIRECTIVE = re.compile(r"emulate:(\w+)=([\w.-]+)")

# HTTP faults: status, error code, message. Providers without their own codes answer in OpenAI's shape.
_STATUS_FAULTS: dict[str, tuple[int, str, str]] = {
    "400": (400, "invalid_request_error", "Invalid parameter: messages"),
    "401": (401, "invalid_api_key", "Invalid API key provided"),
    "401-jwt": (401, "invalid_jwt_signature", "Bearer was a JWT but signature doesn't verify"),
    "402": (402, "quota_exceeded", "Subscription monthly cap exceeded"),
    "402-subscription": (
        402,
        "subscription_required",
        "No active subscription; upgrade or use anonymous tier",
    ),
    "403": (403, "permission_denied", "This key may not use this model"),
    "404": (404, "model_not_found", "The model does not exist"),
    "408": (408, "request_timeout", "The request timed out upstream"),
    "413": (413, "context_length_exceeded", "This model's maximum context length was exceeded"),
    "429": (429, "rate_limited", "60 requests per minute on paid tier; retry in 30s"),
    "429-no-retry-after": (429, "rate_limited", "Too many requests"),
    "500": (500, "server_error", "The server had an error while processing your request"),
    "503": (503, "provider_error", "Backing model degraded; retry or try a different model"),
    "503-internal": (503, "internal_error", "Gateway error; report request_id to support"),
}
# Faults that are not a clean error answer.
_WIRE_FAULTS = frozenset(
    {
        "502-html",
        "timeout",
        "reset",
        "cut",
        "bad-sse-line",
        "sse-error",
        "empty-200",
        "wrong-content-type",
        # A careless provider: a 401 whose message and headers repeat the key it was sent.
        "401-echo-key",
        # ... and a 200 whose body is not JSON and repeats the key.
        "200-echo-key",
        # The answer arrives in pieces, emulate:delay=<seconds> apart (0.5 unless told): each piece
        # within any read timeout, the whole longer than the call's.
        "slow-drip",
        # A stream (a call is answered) whose first line never ends: 50 MB with no line break.
        "long-line",
        # Synternet: a [Thinking: segment that is never closed, the answer after it, finish "stop".
        "unclosed-thinking",
    }
)
_LONG_LINE_BYTES = 50 * 1024 * 1024
FAULTS = frozenset(_STATUS_FAULTS) | _WIRE_FAULTS
_SYNCROPIC_AUTH_CODE = "invalid_bearer"
# The example stream of Synternet's documentation (shared/seeds/001_*), verbatim.
DOCUMENTED_SYNTERNET_STREAM = (
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"role":"assistant",'
    b'"content":"[Thinking: Let me break down blockchain consensus...]"},"finish_reason":null}]}\n\n'
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"content":'
    b'"[Reasoning: Byzantine Fault Tolerance is key...]"},"finish_reason":null}]}\n\n'
    b'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1234567890,'
    b'"model":"synternet/syntoshi-apex-thinking","choices":[{"index":0,"delta":{"content":'
    b'"Blockchain consensus is a mechanism..."},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)
_TIMEOUT_SECONDS = 5.0


@dataclass
class Reply:
    """What the emulated model says to one request."""

    reasoning: str
    answer: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0

    @property
    def completion_tokens(self) -> int:
        words = len(self.reasoning.split()) + len(self.answer.split())
        return words + sum(len(json.dumps(call).split()) for call in self.tool_calls)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def compose_reply(body: dict[str, Any]) -> Reply:
    """The deterministic answer to a chat request: an echo, a tool call, or a tool result summary."""
    messages = body.get("messages") or []
    prompt_tokens = sum(len(_text_of(m.get("content")).split()) + 4 for m in messages if isinstance(m, dict))
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    question = _DIRECTIVE.sub("", _text_of(last.get("content"))).strip()
    if last.get("role") == "tool":
        result = _text_of(last.get("content"))
        return Reply(
            reasoning="The tool returned a result; I will report it.",
            answer=f"The tool says: {result}",
            prompt_tokens=prompt_tokens,
        )
    tools = body.get("tools") or []
    if tools and body.get("tool_choice") != "none":
        calls = []
        wanted = tools if body.get("parallel_tool_calls", True) else tools[:1]
        for index, tool in enumerate(wanted):
            name = tool.get("function", {}).get("name", "tool")
            calls.append(
                {
                    "id": f"call_{index}_{name}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps({"query": question})},
                }
            )
        return Reply(
            reasoning=f"The user asked: {question!r}. A tool can answer this.",
            answer="",
            tool_calls=calls,
            prompt_tokens=prompt_tokens,
        )
    response_format = body.get("response_format") or {}
    if response_format.get("type") in ("json_object", "json_schema"):
        answer = json.dumps({"answer": question})
    else:
        answer = f"You asked: {question}" if question else "Hello! How can I help?"
    return Reply(
        reasoning=f"The user asked: {question!r}. Let me answer briefly.",
        answer=answer,
        prompt_tokens=prompt_tokens,
    )


# A model the bundled catalog does not know yet, as a provider's live list would announce it.
NEW_LIVE_MODEL = "hf:moonshotai/Kimi-K2.5"
_EMULATED_PRICES = {"prompt": "$0.0000006", "completion": "$0.0000024", "input_cache_reads": "$0.0000003"}


def live_model_list(provider: ProviderSpec) -> dict[str, Any]:
    """The provider's live model list in Synthetic's documented shape: every catalogued model with a
    price (the emulator's own, not the provider's), one new vision model, one malformed entry."""
    entries: list[Any] = []
    for name, entry in active_models(provider.route).items():
        if provider.alias_prefix and name.startswith(provider.alias_prefix):
            continue  # listed below, with the model each routes to
        live: dict[str, Any] = {
            "id": name,
            "object": "model",
            "name": name.rsplit("/", 1)[-1],
            "context_length": entry.context_window,
            "max_output_length": entry.max_output_tokens or 32_768,
            "input_modalities": ["text", "image"] if entry.vision else ["text"],
            "output_modalities": ["text"],
            "supported_features": ["reasoning"] if entry.reasoning else [],
        }
        if entry.input_usd_per_million is None:
            live["pricing"] = _EMULATED_PRICES
        if entry.tier:
            live["tier"] = entry.tier
        if entry.reasoning_efforts:
            live["reasoning_parameters"] = {"efforts": list(entry.reasoning_efforts)}
        entries.append(live)
    entries.append(
        {
            "id": NEW_LIVE_MODEL,
            "object": "model",
            "context_length": 262_144,
            "max_output_length": 65_536,
            "input_modalities": ["text", "image"],
            "supported_features": ["tools", "reasoning"],
            "reasoning_parameters": {"efforts": ["low", "high", "max"]},
            "pricing": _EMULATED_PRICES,
            "a_field_nobody_documented": True,
        }
    )
    if provider.alias_prefix:  # Synthetic lists its aliases with the model each routes to
        for alias, target in EMULATED_ALIAS_TARGETS.items():
            entries.append(
                {
                    "id": alias,
                    "object": "model",
                    "hugging_face_id": target,
                    "context_length": 65_536,
                    "input_modalities": ["text", "image"] if "vision" in alias else ["text"],
                }
            )
    entries.append({"id": "hf:broken/Entry", "context_length": "a lot"})
    return {"object": "list", "data": entries}


# Synthetic's syn: aliases in the live list name the model they route to today (hugging_face_id).
EMULATED_ALIAS_TARGETS = {
    "syn:large:text": "deepseek-ai/DeepSeek-V4.1-Flash",
    "syn:small:text": "zai-org/GLM-4.7-Flash",
    "syn:large:vision": "moonshotai/Kimi-K2.6",
    "syn:small:vision": "Qwen/Qwen3.6-27B",
}
QUOTA_LIMIT = 135
_RENEWS_AT = "2030-01-01T00:00:00.000Z"  # fixed, so recordings are stable


def quotas_answer(requests_seen: int, *, exhausted: bool = False) -> dict[str, Any]:
    """Synthetic's quotas JSON: the documented subscription window, the newer optional ones, and one
    window nobody documented (a client must keep it, not crash)."""
    used = QUOTA_LIMIT if exhausted else min(requests_seen, QUOTA_LIMIT)
    return {
        "subscription": {"limit": QUOTA_LIMIT, "requests": used, "renewsAt": _RENEWS_AT},
        "search": {"hourly": {"limit": 250, "requests": 3, "renewsAt": _RENEWS_AT}},
        "freeToolCalls": {"limit": 1620, "requests": 120, "renewsAt": _RENEWS_AT},
        "weeklyTokenLimit": {
            "nextRegenAt": _RENEWS_AT,
            "percentRemaining": 80,
            "maxCredits": "$24.00",
            "remainingCredits": "$19.20",
            "nextRegenCredits": "$3.43",
        },
        "rollingFiveHourLimit": {
            "nextTickAt": _RENEWS_AT,
            "tickPercent": 10,
            "remaining": 40,
            "max": 50,
            "limited": False,
        },
        "dailyImageLimit": {"limit": 20, "requests": 2, "renewsAt": _RENEWS_AT},
    }


def embedding_of(text: str, dimensions: int) -> list[float]:
    """A deterministic unit-free vector for a text: the same text always gets the same vector."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round((digest[i % len(digest)] - 128) / 128, 6) for i in range(max(dimensions, 1))]


def _number(raw: str | None, default: float | None = None) -> float | None:
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


def _directives(body: dict[str, Any]) -> dict[str, str]:
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    return dict(_DIRECTIVE.findall(_text_of(last.get("content"))))


def _content_with_reasoning(reply: Reply, reasoning_format: str) -> tuple[list[str], str | None]:
    """Content pieces as the provider sends them, and reasoning for a separate field (if any)."""
    if not reply.reasoning:
        return _words(reply.answer), None
    if reasoning_format == "brackets":
        first, _, rest = reply.reasoning.partition(". ")
        pieces = [f"[Thinking: {first}.]"]
        if rest:
            pieces.append(f"[Reasoning: {rest}]")
        return [*pieces, *_words(reply.answer)], None
    if reasoning_format == "think_tags":
        return [f"<think>{reply.reasoning}</think>", *_words(reply.answer)], None
    if reasoning_format == "think_tags_opened":  # the prompt opened the block: only the close is sent
        return [f"{reply.reasoning}\n</think>\n\n", *_words(reply.answer)], None
    return _words(reply.answer), None


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text) if text else []


class _Handler(BaseHTTPRequestHandler):
    server: EmulatorServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the emulator is quiet; tests read what the client saw

    # -- routing ------------------------------------------------------------------------------------

    def do_POST(self) -> None:
        provider, endpoint = self._endpoint(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if provider is None:
            return self._json(404, {"error": {"message": f"no such path {self.path}", "code": "not_found"}})
        anonymous = self._anonymous(provider)
        if not anonymous and not self._authorized():
            return self._error(provider, 401, "", "Invalid API key provided")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(provider, 400, "invalid_request_error", "The body is not valid JSON")
        # Header names lower-cased, as HTTP compares them (httpx sends "Authorization", httpx2 lower-case).
        sent = {name.lower(): value for name, value in self.headers.items()}
        if endpoint != "/chat/completions" and isinstance(body, dict):
            # A text completion (or embedding) is steered as a chat turn whose message is its input.
            given = body.get("prompt" if endpoint == "/completions" else "input")
            text = given if isinstance(given, str) else " ".join(map(str, given or []))
            body = {**body, "messages": [{"role": "user", "content": text}]}
        self.server.requests.append(
            {"provider": provider.route, "body": body, "headers": sent, "endpoint": endpoint}
        )
        if anonymous:
            # The tier gate runs up-front, before any fault a directive asks for.
            served = active_models(provider.route).get(provider.catalog_model(str(body.get("model", ""))))
            if served is None or not served.admits(provider.anonymous_tier):
                status, code, message = _STATUS_FAULTS["402-subscription"]
                return self._error(provider, status, code, message)
        directives = _directives(body)
        times = _number(directives.get("times"))
        if times is not None and sum(1 for seen in self.server.requests if seen["body"] == body) > times:
            directives.pop("fault", None)  # failed as many times as asked: from now on, answer
        fault = directives.get("fault")
        if fault in _STATUS_FAULTS:
            status, code, message = _STATUS_FAULTS[fault]
            wait = _number(directives.get("retry_after"), default=30.0 if fault == "429" else None)
            return self._error(provider, status, code, message, retry_after=wait)
        if fault == "quota" and provider.quotas_header:
            # A refusal for quota: 429, with the window that ran out in the quotas header.
            spent = quotas_answer(len(self.server.requests), exhausted=True)
            told = {provider.quotas_header: json.dumps(spent)}
            return self._error(provider, 429, "rate_limited", "Quota exceeded", extra_headers=told)
        if fault == "502-html":
            wait = _number(directives.get("retry_after"))
            headers = {"Retry-After": f"{wait:g}"} if wait is not None else None
            page = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            return self._send(502, page, "text/html", headers)
        if fault == "401-echo-key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            error = {"message": f"Incorrect API key provided: {key}", "code": "invalid_api_key", "key": key}
            echoed = {"X-Echoed-Key": key, "WWW-Authenticate": f"Bearer {key}"}
            return self._json(401, {"error": error}, echoed)
        if fault == "timeout":
            time.sleep(_TIMEOUT_SECONDS)
            if self._client_gone():
                return None  # the client timed out first, as it was meant to
        if fault == "200-echo-key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            return self._send(200, f"<<key={key}>> accepted".encode(), "application/json")
        if fault == "long-line" and (body.get("stream") or provider.upstream_always_streams):
            return self._long_line()
        if fault == "empty-200":
            return self._send(200, b"", "application/json")
        if fault == "wrong-content-type":
            return self._send(200, b"OK", "text/plain")
        if endpoint == "/embeddings":
            return self._embeddings(provider, body)
        entry = model_entry(provider.route, provider.catalog_model(str(body.get("model", ""))))
        effort = body.get("reasoning_effort")
        if (
            effort is not None
            and entry is not None
            and entry.reasoning_efforts
            and effort not in entry.reasoning_efforts
        ):
            # Synthetic's OpenAI shim answers 400 to a value outside the model's accepted set.
            accepted = ", ".join(entry.reasoning_efforts)
            message = f"Invalid reasoning_effort {effort!r} for this model; expected one of: {accepted}"
            return self._error(provider, 400, "invalid_request_error", message)
        reply = compose_reply(body)
        if effort == "none":
            reply.reasoning = ""  # reasoning turned off: the answer alone
        as_text = endpoint == "/completions"
        if body.get("stream") or provider.upstream_always_streams:
            return self._stream(provider, body, reply, entry, directives, as_text=as_text)
        if fault in ("cut", "reset"):
            return self._cut_answer(
                fault, lambda: self._completion(provider, body, reply, entry, as_text=as_text)
            )
        if fault == "slow-drip":
            delay = _number(directives.get("delay"), 0.5) or 0.0
            return self._drip(delay, lambda: self._completion(provider, body, reply, entry, as_text=as_text))
        return self._completion(provider, body, reply, entry, as_text=as_text)

    def do_GET(self) -> None:
        for spec in PROVIDERS.values():
            if spec.quotas_path and self.path == spec.quotas_path:
                if not self._authorized():
                    return self._error(spec, 401, "", "Invalid API key provided")
                return self._json(200, quotas_answer(len(self.server.requests)))
            if spec.models_path and self.path == urlparse(spec.default_api_base).path + spec.models_path:
                if not self._authorized():
                    return self._error(spec, 401, "", "Invalid API key provided")
                return self._json(200, live_model_list(spec))
        self._json(404, {"error": {"message": f"no such path {self.path}", "code": "not_found"}})

    def _endpoint(self, path: str) -> tuple[ProviderSpec | None, str]:
        """The provider and the endpoint (``/chat/completions``, ``/embeddings``, ...) a path is for."""
        for spec in PROVIDERS.values():
            base = urlparse(spec.default_api_base).path
            for endpoint in spec.endpoints:
                if path == base + endpoint:
                    return spec, endpoint
        return None, ""

    def _anonymous(self, provider: ProviderSpec) -> bool:
        """A request with no Authorization header at all, to a provider that serves those."""
        return provider.anonymous_access and self.headers.get("Authorization") is None

    def _authorized(self) -> bool:
        # Any key works except one that starts with "invalid", so a refused key can be recorded.
        header = self.headers.get("Authorization", "")
        return (
            header.startswith("Bearer ")
            and len(header) > len("Bearer ")
            and not header[7:].startswith("invalid")
        )

    # -- answers ------------------------------------------------------------------------------------

    def _completion(
        self,
        provider: ProviderSpec,
        body: dict[str, Any],
        reply: Reply,
        entry: ModelEntry | None,
        *,
        as_text: bool = False,
    ) -> None:
        reasoning_format = entry.reasoning_format if entry else provider.default_reasoning_format
        pieces, _ = _content_with_reasoning(reply, reasoning_format)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces) or None}
        if reply.tool_calls:
            message["tool_calls"] = reply.tool_calls
        usage = self._usage(reply)
        choice: dict[str, Any] = {
            "index": 0,
            "message": message,
            "finish_reason": "tool_calls" if reply.tool_calls else "stop",
        }
        if as_text:  # the legacy text_completion shape: the text on the choice, no message
            choice = {"index": 0, "text": "".join(pieces), "logprobs": None, "finish_reason": "stop"}
        payload = {
            "id": self.server.next_id("cmpl" if as_text else "chatcmpl"),
            "object": "text_completion" if as_text else "chat.completion",
            "created": 1_700_000_000,
            "model": body.get("model"),
            "choices": [choice],
            "usage": usage,
        }
        self._json(200, payload, self._provider_headers(provider, body, usage))

    def _embeddings(self, provider: ProviderSpec, body: dict[str, Any]) -> None:
        texts = body.get("input")
        inputs = [texts] if isinstance(texts, str) else list(texts or [])
        asked = body.get("dimensions")
        dimensions = asked if isinstance(asked, int) else 8
        data = []
        for index, item in enumerate(inputs):
            vector = embedding_of(str(item), dimensions)
            encoded: Any = vector
            if body.get("encoding_format") == "base64":
                encoded = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(len(str(item).split()) for item in inputs)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        payload = {"object": "list", "data": data, "model": body.get("model"), "usage": usage}
        self._json(200, payload, self._provider_headers(provider, body, usage))

    def _stream(
        self,
        provider: ProviderSpec,
        body: dict[str, Any],
        reply: Reply,
        entry: ModelEntry | None,
        directives: dict[str, str],
        *,
        as_text: bool = False,
    ) -> None:
        reasoning_format = entry.reasoning_format if entry else provider.default_reasoning_format
        pieces, _ = _content_with_reasoning(reply, reasoning_format)
        if directives.get("fault") == "unclosed-thinking":
            pieces = [f"[Thinking: {reply.reasoning} ", reply.answer]
        if "chunk" in directives:
            size = max(1, int(directives["chunk"]))
            text = "".join(pieces)
            pieces = [text[i : i + size] for i in range(0, len(text), size)]
        usage = self._usage(reply)
        # Synternet's documented stream carries no usage; the others send it when asked, as OpenAI does.
        send_usage = not provider.upstream_always_streams and bool(
            (body.get("stream_options") or {}).get("include_usage")
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        for name, value in self._provider_headers(provider, body, usage).items():
            self.send_header(name, value)
        self.end_headers()
        self.close_connection = True
        fault = directives.get("fault")
        delay = self.server.chunk_delay
        if fault == "slow-drip":
            delay = _number(directives.get("delay"), 0.5) or 0.0
        if directives.get("script") == "documented":
            self.wfile.write(DOCUMENTED_SYNTERNET_STREAM)
            return
        try:
            events = self._events(provider, body, reply, pieces, usage, send_usage, as_text=as_text)
            for index, event in enumerate(events):
                if fault == "cut" and index == 2:
                    return
                if fault == "reset" and index == 2:
                    self._reset()
                    return
                if fault == "bad-sse-line" and index == 2:
                    self.wfile.write(b"data: {this is not json\n\n")
                    continue
                if fault == "sse-error" and index == 2:
                    error = {"error": {"message": "upstream model crashed", "code": "provider_error"}}
                    self.wfile.write(f"event: error\ndata: {json.dumps(error)}\n\n".encode())
                    return
                self.wfile.write(event)
                self.wfile.flush()
                if delay:
                    time.sleep(delay)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client went away; nothing to tell it

    def _events(
        self,
        provider: ProviderSpec,
        body: dict[str, Any],
        reply: Reply,
        pieces: list[str],
        usage: dict[str, int],
        send_usage: bool,
        *,
        as_text: bool = False,
    ) -> Iterator[bytes]:
        chunk_id = self.server.next_id("cmpl" if as_text else "chatcmpl")

        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
            if as_text:  # text_completion chunks carry the text on the choice
                choice = {"index": 0, "text": delta.get("content") or "", "finish_reason": finish}
            chunk = {
                "id": chunk_id,
                "object": "text_completion" if as_text else "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": body.get("model"),
                "choices": [choice],
            }
            return f"data: {json.dumps(chunk)}\n\n".encode()

        finish = "tool_calls" if reply.tool_calls else "stop"
        deltas: list[dict[str, Any]] = [{"content": piece} for piece in pieces]
        for index, call in enumerate(reply.tool_calls):
            arguments = call["function"]["arguments"]
            cut = max(1, len(arguments) // 2)
            head = {"index": index, "id": call["id"], "type": "function"}
            deltas.append(
                {"tool_calls": [{**head, "function": {"name": call["function"]["name"], "arguments": ""}}]}
            )
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": arguments[:cut]}}]})
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": arguments[cut:]}}]})
        if deltas:
            deltas[0] = {"role": "assistant", **deltas[0]}
        else:
            deltas = [{"role": "assistant", "content": ""}]
        for position, delta in enumerate(deltas):
            # As documented for Synternet, the last content object carries the finish_reason.
            last = position == len(deltas) - 1
            yield event(delta, finish if last and provider.upstream_always_streams else None)
        if not provider.upstream_always_streams:
            yield event({}, finish)
        if send_usage:
            usage_chunk: dict[str, Any] = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": 1_700_000_000,
                "model": body.get("model"),
                "choices": [],
                "usage": usage,
            }
            yield f"data: {json.dumps(usage_chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    def _usage(self, reply: Reply) -> dict[str, int]:
        return {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }

    def _provider_headers(
        self, provider: ProviderSpec, body: dict[str, Any], usage: dict[str, int]
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        if provider.quotas_header:
            headers[provider.quotas_header] = json.dumps(quotas_answer(len(self.server.requests)))
        if provider.cost_header is None:
            return headers
        entry = active_models(provider.route).get(str(body.get("model", "")))
        cents = 0.0
        if entry is not None and entry.input_usd_per_million is not None and entry.output_usd_per_million:
            usd = usage["prompt_tokens"] * entry.input_usd_per_million
            usd += usage["completion_tokens"] * entry.output_usd_per_million
            # Billed in ten-thousandths of a cent, rounded up: close to the catalog price but not equal,
            # so a test can tell the header's figure from one LiteLLM computed from the catalog.
            cents = math.ceil(usd / 1_000_000 * 100 * 10_000) / 10_000
        headers[provider.cost_header] = f"{cents:.4f}"
        # The tier the caller's bearer is served from, whatever tiers the model admits.
        headers["X-Syncropic-Tier"] = provider.anonymous_tier if self._anonymous(provider) else "paid"
        if provider.request_id_header:
            headers[provider.request_id_header] = self.server.next_id("req")
        return headers

    # -- errors -------------------------------------------------------------------------------------

    def _error(
        self,
        provider: ProviderSpec,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        headers: dict[str, str] = dict(extra_headers or {})
        error: dict[str, Any] = {"message": message}
        if provider.request_id_header:
            # The Syncropel gateway's documented shape: code, kind, message, request_id.
            request_id = self.server.next_id("req")
            headers[provider.request_id_header] = request_id
            if status == 401 and code in ("", "invalid_api_key"):
                code = _SYNCROPIC_AUTH_CODE  # the gateway's own name for a key it does not know
            error.update(
                code=code,
                kind="usage" if status in (402, 429) else "error",
                request_id=request_id,
            )
            if retry_after is not None:
                error["retry_after_seconds"] = retry_after
        else:
            error.update(
                type="invalid_request_error" if status < 500 else "server_error",
                code=code or "invalid_api_key",
            )
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        self._json(status, {"error": error}, headers)

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees a reset mid-body, not a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()

    def _captured(self, answer: Callable[[], None]) -> tuple[bytes, bytes]:
        """What ``answer`` would have sent, unsent: its status line and headers, and its body."""
        buffer = io.BytesIO()
        real, self.wfile = self.wfile, buffer
        try:
            answer()
        finally:
            self.wfile = real
        head, _, body = buffer.getvalue().partition(b"\r\n\r\n")
        return head, body

    def _cut_answer(self, fault: str, answer: Callable[[], None]) -> None:
        """Send an answer's status, headers and half its body, then end the connection: with a reset
        (``reset``) or a clean close (``cut``). The client sees a body shorter than its Content-Length."""
        head, body = self._captured(answer)
        self.wfile.write(head + b"\r\n\r\n" + body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True
        if fault == "reset":
            self._reset()

    def _drip(self, delay: float, answer: Callable[[], None]) -> None:
        """Send an answer's status and headers, then its body in ten pieces, ``delay`` seconds apart."""
        head, body = self._captured(answer)
        step = max(1, math.ceil(len(body) / 10))
        try:
            self.wfile.write(head + b"\r\n\r\n")
            for start in range(0, len(body), step):
                self.wfile.flush()
                time.sleep(delay)
                self.wfile.write(body[start : start + step])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up, as it was meant to

    def _long_line(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        block = b"a" * 65536
        try:
            self.wfile.write(b'data: {"choices": [{"index": 0, "delta": {"content": "')
            for _ in range(_LONG_LINE_BYTES // len(block)):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client refused the line and closed, as it should

    def _client_gone(self) -> bool:
        """Whether the client has closed its end (a peek at the socket reads end-of-file)."""
        previous = self.connection.gettimeout()
        self.connection.setblocking(False)
        try:
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except BlockingIOError:
            return False
        except OSError:
            return True
        finally:
            self.connection.settimeout(previous)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # hundreds of concurrent test streams connect at once

    def __init__(self, address: tuple[str, int], chunk_delay: float = 0.0) -> None:
        super().__init__(address, _Handler)
        self.chunk_delay = chunk_delay
        self.requests: list[dict[str, Any]] = []
        self._counter = 0
        self._counter_lock = threading.Lock()

    def next_id(self, prefix: str) -> str:
        with self._counter_lock:
            self._counter += 1
            return f"{prefix}_emu{self._counter:06d}"


class Emulator:
    """The emulator on a background thread: ``with Emulator() as emu: emu.base_url("synthetic")``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, chunk_delay: float = 0.0) -> None:
        self.server = EmulatorServer((host, port), chunk_delay)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def base_url(self, route: str) -> str:
        """The emulated provider's API base: the same path as the real one, on loopback."""
        return self.url + urlparse(PROVIDERS[route].default_api_base).path

    @property
    def requests(self) -> list[dict[str, Any]]:
        return self.server.requests

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="litellm-providers-emulator")
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Run the emulator in the foreground until interrupted (``litellm-providers emulate``)."""
    server = EmulatorServer((host, port))
    print(f"litellm-providers emulator on http://{host}:{server.server_address[1]}")
    for route, spec in PROVIDERS.items():
        print(f"  {route:<10} {urlparse(spec.default_api_base).path}  (set {spec.api_base_env})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
