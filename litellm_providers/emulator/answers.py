"""Whole answers of the emulator: a completion, embeddings, search results, an error, with each provider's
headers."""

from __future__ import annotations

import base64
import json
import math
import struct
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from litellm_providers.catalog import ModelEntry, active_models
from litellm_providers.emulator.faults import SYNCROPIC_AUTH_CODE
from litellm_providers.emulator.platform import (
    MALFORMED_SEARCH_ANSWER,
    SEARCH_RESULTS,
    embedding_of,
    quotas_answer,
    search_answer,
)
from litellm_providers.emulator.replies import DIRECTIVE, Reply, content_with_reasoning, number
from litellm_providers.provider import ProviderSpec

if TYPE_CHECKING:
    from litellm_providers.emulator.server import EmulatorServer


class Answers(BaseHTTPRequestHandler):
    """The answers every endpoint shares: who is asking, and a JSON answer with the provider's headers."""

    server: EmulatorServer
    protocol_version = "HTTP/1.1"

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

    def _subscription_used_up(self) -> bool:
        """A key whose name contains ``exhausted`` has used up its subscription, so two keys of one
        emulator can differ: the fleet's tests route around such a key. So has a key refused with
        ``emulate:renews_in``, until that short window renews."""
        return "exhausted" in self.headers.get("Authorization", "") or self._short_window() is not None

    def _short_window(self) -> datetime | None:
        """When this key's short window (``emulate:renews_in``) renews, while it has not."""
        until = self.server.spent_until.get(self.headers.get("Authorization", ""), 0.0)
        return datetime.fromtimestamp(until, UTC) if until > time.time() else None

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
        pieces, _ = content_with_reasoning(reply, reasoning_format)
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

    def _search(self, provider: ProviderSpec, body: dict[str, Any], directives: dict[str, str]) -> None:
        """Search results for the query (``emulate:results=<n>`` of them), or, with
        ``emulate:fault=malformed``, results of the wrong shape."""
        headers = self._provider_headers(provider, body, {"prompt_tokens": 0, "completion_tokens": 0})
        if directives.get("fault") == "malformed":
            return self._json(200, MALFORMED_SEARCH_ANSWER, headers)
        query = DIRECTIVE.sub("", str(body["messages"][-1]["content"])).strip()
        count = int(number(directives.get("results"), SEARCH_RESULTS) or 0)
        self._json(200, search_answer(query, max(count, 0)), headers)

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
                code = SYNCROPIC_AUTH_CODE  # the gateway's own name for a key it does not know
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
