"""Event streams: each provider's chunks, with the faults that hit a stream mid-way."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from litellm_providers.catalog import ModelEntry
from litellm_providers.emulator.answers import Answers
from litellm_providers.emulator.faults import DOCUMENTED_SYNTERNET_STREAM, WireFaults
from litellm_providers.emulator.replies import Reply, content_with_reasoning, number
from litellm_providers.provider import ProviderSpec


class Streams(Answers, WireFaults):
    """A chat or text completion as an event stream."""

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
        pieces, _ = content_with_reasoning(reply, reasoning_format)
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
            delay = number(directives.get("delay"), 0.5) or 0.0
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
