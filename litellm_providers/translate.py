"""Request and response translation between LiteLLM and an OpenAI-compatible wire: no I/O.

The handler in ``core.py`` moves bytes; everything that decides what goes on the wire and what
LiteLLM gets back lives here, so it can be tested without a socket. Provider differences come from
the ``ProviderSpec`` and the catalog entry, never from a branch on the provider's name.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import httpx
import litellm
from litellm.litellm_core_utils.core_helpers import process_response_headers
from litellm.types.utils import Delta, ModelResponse, ModelResponseStream, StreamingChoices, Usage

from litellm_providers.catalog import ModelEntry
from litellm_providers.errors import transport_error
from litellm_providers.provider import ProviderSpec, ReasoningFormat
from litellm_providers.reasoning import ReasoningSplitter, Split, split_text, splitter_for

# Keys LiteLLM leaves in optional_params that are instructions to LiteLLM or the client, not the API.
_NOT_FOR_THE_WIRE = frozenset({"max_retries", "extra_headers", "extra_body", "stream"})
USER_AGENT = "litellm-providers/0.1.0"


def reasoning_format(provider: ProviderSpec, entry: ModelEntry | None) -> ReasoningFormat:
    return entry.reasoning_format if entry is not None else provider.default_reasoning_format


def build_request(
    provider: ProviderSpec,
    model: str,
    messages: list[Any],
    optional_params: Mapping[str, Any],
    stream: bool,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and extra headers for one chat completion call.

    Parameters arrive already checked against the model's supported list (LiteLLM did that with the
    list ``registration`` gives it); here they are only renamed where the provider says so and
    merged with ``extra_body``, which LiteLLM users reach for when a provider has a parameter of its
    own.
    """
    body: dict[str, Any] = {"model": provider.wire_model(model), "messages": messages}
    for key, value in optional_params.items():
        if key in _NOT_FOR_THE_WIRE or value is None:
            continue
        body[provider.param_renames.get(key, key)] = value
    extra_body = optional_params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    if stream:
        body["stream"] = True
        if provider.streams_usage:
            body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    else:
        body.pop("stream_options", None)
    headers = {"User-Agent": USER_AGENT}
    extra_headers = optional_params.get("extra_headers")
    if isinstance(extra_headers, Mapping):
        headers.update({str(k): str(v) for k, v in extra_headers.items()})
    return body, headers


def hidden_params_from_headers(provider: ProviderSpec, headers: httpx.Headers) -> dict[str, Any]:
    """What the response headers tell LiteLLM: forwarded headers, and the provider's own cost."""
    hidden: dict[str, Any] = {"custom_llm_provider": provider.route}
    forwarded = {name: headers[name] for name in provider.forwarded_headers if name in headers}
    additional = process_response_headers(headers)
    # LiteLLM's convention: provider headers travel as "llm_provider-<name>", which the proxy returns.
    additional.update({f"llm_provider-{name.lower()}": value for name, value in forwarded.items()})
    hidden["additional_headers"] = additional
    cost = response_cost_from_headers(provider, headers)
    if cost is not None:
        hidden["response_cost"] = cost
        # LiteLLM's own slot for a provider-stated cost: its logging, spend tracking and the proxy's
        # x-litellm-response-cost take this figure instead of pricing the call from the catalog.
        additional["llm_provider-x-litellm-response-cost"] = cost
    return hidden


def response_cost_from_headers(provider: ProviderSpec, headers: Mapping[str, str]) -> float | None:
    if provider.cost_header is None:
        return None
    raw = headers.get(provider.cost_header) or headers.get(provider.cost_header.lower())
    if raw is None:
        return None
    try:
        return float(raw) * provider.cost_header_usd_per_unit
    except ValueError:
        return None  # a malformed header must not fail a call that succeeded; the catalog price stands


def _reasoning_field(message: Mapping[str, Any]) -> str | None:
    # Providers that parse reasoning themselves send it as reasoning_content (DeepSeek, vLLM) or
    # reasoning (OpenRouter, newer vLLM); either passes through untouched.
    value = message.get("reasoning_content") or message.get("reasoning")
    return value if isinstance(value, str) else None


def model_response_from_json(
    provider: ProviderSpec,
    model: str,
    data: Any,
    reasoning: ReasoningFormat,
    merge_reasoning: bool,
) -> ModelResponse:
    """A LiteLLM ``ModelResponse`` from a chat.completion JSON body."""
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise transport_error(provider, model, "the response is not a chat completion (no 'choices' list)")
    choices = []
    for raw_choice in data["choices"]:
        message = dict(raw_choice.get("message") or {})
        content = message.get("content")
        reasoning_text = _reasoning_field(message)
        if reasoning_text is None and isinstance(content, str) and reasoning != "none":
            parts = split_text(splitter_for(reasoning), content)
            content, reasoning_text = parts.content, parts.reasoning or None
        message.pop("reasoning", None)
        message["content"] = content
        message["reasoning_content"] = reasoning_text
        if merge_reasoning and reasoning_text:
            message["content"] = f"<think>{reasoning_text}</think>{content or ''}"
            message["reasoning_content"] = None
        choices.append({**raw_choice, "message": message})
    return ModelResponse(
        id=data.get("id") or f"chatcmpl-{uuid.uuid4().hex}",
        created=data.get("created") or int(time.time()),
        # The model the provider says served the call (Synternet answers with its whole wire id,
        # "synternet/syntoshi-apex-thinking", which LiteLLM can then resolve to this route).
        model=data.get("model") if isinstance(data.get("model"), str) else model,
        choices=choices,
        usage=data.get("usage"),
        system_fingerprint=data.get("system_fingerprint"),
    )


class StreamTranslator:
    """Turns the provider's chat.completion.chunk objects into LiteLLM stream chunks.

    Keeps one reasoning splitter per choice, so reasoning in content is moved to
    ``delta.reasoning_content`` as it arrives. LiteLLM's stream wrapper ends a custom provider's
    stream at the first empty chunk after a finish_reason, so the finish is held back and sent last,
    after any text the splitters still hold and after the provider's usage chunk.
    """

    def __init__(self, provider: ProviderSpec, model: str, reasoning: ReasoningFormat, merge_reasoning: bool):
        self._provider = provider
        self._model = model
        self._reasoning = reasoning
        self._merge_reasoning = merge_reasoning
        self._splitters: dict[int, ReasoningSplitter] = {}
        self._in_merged_reasoning: dict[int, bool] = {}
        self._finish: dict[int, str] = {}
        self._usage: Usage | None = None
        self._id = f"chatcmpl-{uuid.uuid4().hex}"
        self._created = int(time.time())
        self.hidden_params: dict[str, Any] = {"custom_llm_provider": provider.route}

    @property
    def finished(self) -> bool:
        return bool(self._finish)

    @property
    def provider_usage(self) -> Usage | None:
        return self._usage

    def translate(self, chunk: Mapping[str, Any]) -> list[ModelResponseStream]:
        if chunk.get("id"):
            self._id = chunk["id"]
        if chunk.get("created"):
            self._created = chunk["created"]
        if isinstance(chunk.get("model"), str):
            self._model = chunk["model"]
        if isinstance(chunk.get("usage"), dict):
            self._usage = Usage(**chunk["usage"])
        out = []
        for raw_choice in chunk.get("choices") or ():
            index = raw_choice.get("index", 0)
            delta = raw_choice.get("delta") or {}
            split = self._splitter(index).feed(delta["content"]) if delta.get("content") else Split()
            upstream_reasoning = _reasoning_field(delta)
            if upstream_reasoning:
                split = Split(reasoning=upstream_reasoning) + split
            if raw_choice.get("finish_reason"):
                self._finish[index] = raw_choice["finish_reason"]
            tool_calls = delta.get("tool_calls")
            if split or tool_calls or delta.get("role"):
                out.append(self._chunk(index, split, tool_calls=tool_calls, role=delta.get("role")))
        return out

    def close(self) -> list[ModelResponseStream]:
        """The chunks that end the stream: held-back text, the provider's usage, then the finish."""
        out = [self._chunk(i, s.close()) for i, s in self._splitters.items()]
        out = [c for c in out if _has_payload(c)]
        if self._usage is not None:
            cost = self.hidden_params.get("response_cost")
            if cost is not None:
                # LiteLLM's stream builder takes a provider-stated cost from usage.cost, and logs,
                # bills (proxy spend) and returns that instead of recomputing it from the catalog.
                self._usage.cost = cost
            usage_chunk = self._chunk(0, Split())
            usage_chunk.usage = self._usage
            out.append(usage_chunk)
        for index, reason in sorted(self._finish.items()):
            out.append(self._chunk(index, Split(), finish_reason=reason))
        return out

    def _splitter(self, index: int) -> ReasoningSplitter:
        if index not in self._splitters:
            self._splitters[index] = splitter_for(self._reasoning)
        return self._splitters[index]

    def _chunk(
        self,
        index: int,
        split: Split,
        *,
        tool_calls: Any = None,
        role: str | None = None,
        finish_reason: str | None = None,
    ) -> ModelResponseStream:
        content, reasoning = split.content or None, split.reasoning or None
        if self._merge_reasoning:
            content, reasoning = self._merged(index, content, reasoning), None
        delta = Delta(content=content, reasoning_content=reasoning, tool_calls=tool_calls, role=role)
        chunk = ModelResponseStream(
            id=self._id,
            created=self._created,
            model=self._model,
            choices=[StreamingChoices(index=index, delta=delta, finish_reason=finish_reason)],
        )
        chunk._hidden_params.update(self.hidden_params)
        return chunk

    def _merged(self, index: int, content: str | None, reasoning: str | None) -> str | None:
        # LiteLLM's documented merge_reasoning_content_in_choices form: <think>reasoning</think>answer.
        text = ""
        if reasoning:
            if not self._in_merged_reasoning.get(index):
                text += "<think>"
                self._in_merged_reasoning[index] = True
            text += reasoning
        if content:
            if self._in_merged_reasoning.get(index):
                text += "</think>"
                self._in_merged_reasoning[index] = False
            text += content
        return text or None


def _has_payload(chunk: ModelResponseStream) -> bool:
    delta = chunk.choices[0].delta
    return bool(delta.content or getattr(delta, "reasoning_content", None) or delta.tool_calls)


def aggregate_stream(
    chunks: Iterable[ModelResponseStream], messages: list[Any], provider_usage: Usage | None
) -> ModelResponse:
    """One ModelResponse from a whole stream, for providers that only stream."""
    collected = list(chunks)
    built = litellm.stream_chunk_builder(collected, messages=messages)
    if not isinstance(built, ModelResponse):
        raise ValueError("the stream held no chunks to build a response from")
    if provider_usage is not None:
        built.usage = provider_usage  # type: ignore[attr-defined]
    else:
        # stream_chunk_builder counted tokens locally; say so, since the provider did not.
        built._hidden_params["usage_is_estimate"] = True
    return built
