"""Request and response translation between LiteLLM and an OpenAI-compatible wire: no I/O.

The handler in ``core.py`` moves bytes; everything that decides what goes on the wire and what
LiteLLM gets back lives here, so it can be tested without a socket. Provider differences come from
the ``ProviderSpec`` and the catalog entry, never from a branch on the provider's name.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any

from litellm.types.utils import (
    ModelResponse,
    Usage,
)

from litellm_providers.catalog import ModelEntry
from litellm_providers.effort import ANTHROPIC_REASONING_INPUTS, reasoning_effort_to_send
from litellm_providers.provider import ProviderSpec, ReasoningFormat
from litellm_providers.readable import readable_completion, reasoning_field
from litellm_providers.reasoning import splitter_for
from litellm_providers.streaming import recovered, unclosed_segment, with_reasoning_tokens

# Keys LiteLLM leaves in optional_params that are instructions to LiteLLM or the client, not the API.
_NOT_FOR_THE_WIRE = frozenset({"max_retries", "extra_headers", "extra_body", "stream"})
USER_AGENT = "litellm-providers/0.1.0"

logger = logging.getLogger("litellm_providers")


def reasoning_format(provider: ProviderSpec, entry: ModelEntry | None) -> ReasoningFormat:
    return entry.reasoning_format if entry is not None else provider.default_reasoning_format


def build_request(
    provider: ProviderSpec,
    model: str,
    messages: list[Any],
    optional_params: Mapping[str, Any],
    stream: bool,
    *,
    entry: ModelEntry | None = None,
    drop_params: bool = False,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and extra headers for one chat completion call.

    Parameter names arrive already checked against the model's supported list (LiteLLM did that with
    the list ``registration`` gives it); here the ``reasoning_effort`` value is checked against the
    model's accepted set (``UnsupportedParamsError`` before any request), parameters are renamed where
    the provider says so and merged with ``extra_body``, which LiteLLM users reach for when a provider
    has a parameter of its own. Messages are sent as the provider and the model read them
    (``wire_messages``).
    """
    body: dict[str, Any] = {
        "model": provider.wire_model(model),
        "messages": wire_messages(provider, entry, messages),
    }
    effort_sent = reasoning_effort_to_send(provider, model, entry, optional_params, drop_params)
    body.update(_wire_params(provider, optional_params, effort_sent))
    _stream_fields(provider, body, stream)
    return body, request_headers(optional_params)


def build_text_completion_request(
    provider: ProviderSpec,
    model: str,
    messages: list[Any],
    optional_params: Mapping[str, Any],
    stream: bool,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of a legacy ``/completions`` call.

    ``litellm.text_completion`` hands a custom provider its prompt as chat messages, one user message
    per prompt; they go back on the wire as ``prompt`` (a string, or a list for several prompts).
    """
    prompts = [_text_of(message.get("content")) for message in messages if isinstance(message, Mapping)]
    body: dict[str, Any] = {
        "model": provider.wire_model(model),
        "prompt": prompts[0] if len(prompts) == 1 else prompts,
    }
    body.update(_wire_params(provider, optional_params))
    _stream_fields(provider, body, stream)
    return body, request_headers(optional_params)


def build_embedding_request(
    provider: ProviderSpec, model: str, texts: Any, optional_params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of an ``/embeddings`` call: ``dimensions``, ``encoding_format`` and ``user`` pass as sent."""
    body: dict[str, Any] = {"model": provider.wire_model(model), "input": texts}
    body.update(_wire_params(provider, optional_params))
    return body, request_headers(optional_params)


def request_headers(optional_params: Mapping[str, Any]) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT}
    extra_headers = optional_params.get("extra_headers")
    if isinstance(extra_headers, Mapping):
        headers.update({str(k): str(v) for k, v in extra_headers.items()})
    return headers


def _wire_params(
    provider: ProviderSpec, optional_params: Mapping[str, Any], effort_sent: Any = None
) -> dict[str, Any]:
    """The parameters as the provider names them, then ``extra_body``. ``reasoning_effort`` goes as
    ``reasoning_effort_to_send`` settled it for a chat call (from Anthropic ``thinking`` too, which has no
    field on this wire), and is left out of other operations."""
    body: dict[str, Any] = {}
    for key, value in optional_params.items():
        if key in _NOT_FOR_THE_WIRE or key in ANTHROPIC_REASONING_INPUTS or value is None:
            continue
        if key == "reasoning_effort":
            value = effort_sent
            if value is None:
                continue
        body[provider.param_renames.get(key, key)] = value
    if effort_sent is not None and "reasoning_effort" not in optional_params:
        # The effort came from Anthropic thinking, which is not sent itself.
        body[provider.param_renames.get("reasoning_effort", "reasoning_effort")] = effort_sent
    extra_body = optional_params.get("extra_body")
    if isinstance(extra_body, Mapping):
        body.update(extra_body)
    return body


def _stream_fields(provider: ProviderSpec, body: dict[str, Any], stream: bool) -> None:
    if stream:
        body["stream"] = True
        if provider.streams_usage:
            body["stream_options"] = {**(body.get("stream_options") or {}), "include_usage": True}
    else:
        body.pop("stream_options", None)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


# -- other operations' answers, in the shapes the chat readers and LiteLLM take -----------------------


def text_completion_chunk_as_chat(raw: Any) -> Any:
    """A ``text_completion`` chunk as a chat one: each choice's ``text`` becomes its delta content, so
    ``StreamTranslator`` (and its reasoning splitters) reads it unchanged."""
    if not isinstance(raw, dict) or not isinstance(raw.get("choices"), list):
        return raw
    return {**raw, "choices": [_chat_choice(choice, "delta") for choice in raw["choices"]]}


def text_completion_as_chat(raw: Any) -> Any:
    """A ``text_completion`` body as a chat one, for ``model_response_from_json``; anything else is left
    as it is, for the chat reader to say what is wrong with it."""
    if not isinstance(raw, dict) or not isinstance(raw.get("choices"), list):
        return raw
    return {**raw, "choices": [_chat_choice(choice, "message") for choice in raw["choices"]]}


def _chat_choice(choice: Any, part: str) -> Any:
    if not isinstance(choice, dict) or "text" not in choice:
        return choice
    moved = {k: v for k, v in choice.items() if k not in ("text", "logprobs")}
    moved[part] = {"content": choice["text"]}
    if part == "message":
        moved[part]["role"] = "assistant"
    return moved


def wire_messages(provider: ProviderSpec, entry: ModelEntry | None, messages: list[Any]) -> list[Any]:
    """The conversation as the provider and the model read it.

    ``developer`` becomes ``system`` (text kept) where the provider does not take that role. An earlier
    assistant turn's reasoning (``reasoning_content``, ``reasoning``, or the text of Anthropic
    ``thinking_blocks`` that LiteLLM's /v1/messages adapter leaves there) goes back only under the field
    the model's ``reasoning_replay`` names, and otherwise not at all. Messages that need no change are
    passed as they are.
    """
    replay = entry.reasoning_replay if entry is not None else "none"
    out: list[Any] = []
    for message in messages:
        if not isinstance(message, Mapping):
            out.append(message)
            continue
        role = message.get("role")
        if role == "developer" and not provider.accepts_developer_role:
            message = {**message, "role": "system"}
        elif role == "assistant" and any(key in message for key in _REPLAYED_REASONING):
            reasoning = _replayed_reasoning(message)
            message = {k: v for k, v in message.items() if k not in _REPLAYED_REASONING}
            if replay != "none" and reasoning:
                message[replay] = reasoning
        out.append(message)
    return out


_REPLAYED_REASONING = ("reasoning_content", "reasoning", "thinking_blocks")


def _replayed_reasoning(message: Mapping[str, Any]) -> str | None:
    text = reasoning_field(message)
    if text:
        return text
    blocks = message.get("thinking_blocks")
    if isinstance(blocks, list):
        parts = [b.get("thinking") for b in blocks if isinstance(b, Mapping)]
        return "".join(p for p in parts if isinstance(p, str)) or None
    return None


def model_response_from_json(
    provider: ProviderSpec,
    model: str,
    data: Any,
    reasoning: ReasoningFormat,
    merge_reasoning: bool,
) -> ModelResponse:
    """A LiteLLM ``ModelResponse`` from a chat.completion body (``UnreadableAnswer`` if it is not one)."""
    data = readable_completion(data)
    choices = []
    for raw_choice in data["choices"]:
        message = dict(raw_choice.get("message") or {})
        content = message.get("content")
        reasoning_text = reasoning_field(message)
        if reasoning_text is None and isinstance(content, str) and reasoning != "none":
            if reasoning == "think_tags_opened" and "</think>" not in content:
                # A whole answer that never closed a block the prompt opened did not think: all of
                # it is the answer (a stream has to decide earlier; see ThinkTagSplitter).
                reasoning = "think_tags"
            splitter = splitter_for(reasoning)
            parts = splitter.feed(content)
            unclosed = unclosed_segment(provider, model, splitter, raw_choice.get("finish_reason"))
            parts += splitter.close()
            content, reasoning_text = recovered(parts.content, parts.reasoning, unclosed)
        message.pop("reasoning", None)
        message["content"] = content
        message["reasoning_content"] = reasoning_text
        if merge_reasoning and reasoning_text:
            message["content"] = f"<think>{reasoning_text}</think>{content or ''}"
            message["reasoning_content"] = None
        choices.append({**raw_choice, "message": message})
    served_by = data.get("model") if isinstance(data.get("model"), str) else model
    usage = data.get("usage")
    if usage is not None:
        reasoning_parts = [c["message"]["reasoning_content"] or "" for c in choices]
        if merge_reasoning:
            reasoning_parts = [_merged_reasoning(c["message"]["content"]) for c in choices]
        usage = with_reasoning_tokens(Usage(**usage), served_by, "".join(reasoning_parts))
    return ModelResponse(
        id=data.get("id") or f"chatcmpl-{uuid.uuid4().hex}",
        created=data.get("created") or int(time.time()),
        # The model the provider says served the call (Synternet answers with its whole wire id,
        # "synternet/syntoshi-apex-thinking", which LiteLLM can then resolve to this route).
        model=served_by,
        choices=choices,
        usage=usage,
        system_fingerprint=data.get("system_fingerprint"),
    )


def _merged_reasoning(content: Any) -> str:
    if isinstance(content, str) and content.startswith("<think>"):
        return content[len("<think>") :].partition("</think>")[0]
    return ""
