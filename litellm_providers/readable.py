"""What the translator may be handed: a provider's chunk or body checked for the fields that carry the
answer, with metadata that does not fit dropped (``UnreadableAnswer`` says which part is wrong)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from typing import Any

import pydantic
from litellm.types.utils import (
    Delta,
    Usage,
)

logger = logging.getLogger("litellm_providers")


# -- what the translator may be handed ----------------------------------------------------------------


class UnreadableAnswer(ValueError):
    """A chunk or body whose shape the translator cannot read; the message says which part."""


def kind_of(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def usage_or_none(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, dict):
        return None
    try:
        Usage(**usage)
    except Exception:  # any shape Usage refuses: the provider's usage is unknown, LiteLLM estimates
        logger.debug("ignoring a usage object LiteLLM cannot read: keys %s", sorted(usage))
        return None
    return usage


def _tool_calls_ok(tool_calls: Any) -> bool:
    if not isinstance(tool_calls, list):
        return False
    try:
        Delta(tool_calls=copy.deepcopy(tool_calls))  # a copy: LiteLLM's Delta rewrites the list in place
    except (pydantic.ValidationError, TypeError, ValueError, AttributeError, KeyError):
        return False
    return True


def _without_unfit_metadata(raw: dict[str, Any]) -> dict[str, Any]:
    data = dict(raw)
    for key in ("id", "system_fingerprint"):
        if key in data and not isinstance(data[key], str):
            del data[key]
    if "created" in data and type(data["created"]) is not int:
        del data["created"]
    if "usage" in data and usage_or_none(data["usage"]) is None:
        del data["usage"]
    elif isinstance(data.get("usage"), dict) and "cost" in data["usage"]:
        # LiteLLM takes usage.cost as the provider's stated cost, unchecked (1e306 became the call's
        # response_cost). These providers state a cost only in a documented header, which is bounded
        # (response_cost_from_headers); a figure in the body is not theirs to state.
        data["usage"] = {k: v for k, v in data["usage"].items() if k != "cost"}
    return data


def readable_chunk(raw: Any) -> dict[str, Any]:
    """A chat.completion.chunk as ``StreamTranslator`` reads it, or ``UnreadableAnswer`` saying why not.

    What carries the answer must be readable: ``choices`` a list of objects, each ``delta`` an object,
    ``content`` a string, ``tool_calls`` a list of tool-call deltas, ``finish_reason`` a string, ``index``
    a non-negative integer. Metadata that does not fit (an ``id`` that is not a string, a ``created``
    that is not an integer, a ``usage`` LiteLLM refuses, a non-string ``role`` or reasoning field) is
    dropped: it must not cost the caller an answer that arrived. Everything else passes untouched.
    """
    if not isinstance(raw, dict):
        raise UnreadableAnswer(f"a chunk that is {kind_of(raw)}, not a JSON object")
    chunk = _without_unfit_metadata(raw)
    choices = chunk.get("choices")
    if choices is None:
        choices = []
    if not isinstance(choices, list):
        raise UnreadableAnswer(f"a chunk whose 'choices' is {kind_of(choices)}, not a list")
    chunk["choices"] = [_readable_choice(i, choice, "delta") for i, choice in enumerate(choices)]
    return chunk


def readable_completion(raw: Any) -> dict[str, Any]:
    """A chat.completion body as ``model_response_from_json`` reads it, by the same rules."""
    if not isinstance(raw, dict):
        raise UnreadableAnswer(f"a body that is {kind_of(raw)}, not a JSON object")
    data = _without_unfit_metadata(raw)
    choices = data.get("choices")
    if not isinstance(choices, list):
        raise UnreadableAnswer(f"a body whose 'choices' is {kind_of(choices)}, not a list")
    data["choices"] = [_readable_choice(i, choice, "message") for i, choice in enumerate(choices)]
    return data


def _readable_choice(position: int, raw: Any, part: str) -> dict[str, Any]:
    where = f"choices[{position}]"
    if not isinstance(raw, dict):
        raise UnreadableAnswer(f"{where} that is {kind_of(raw)}, not an object")
    choice = dict(raw)
    index = choice.get("index")
    if index is None:
        index = position
    if type(index) is not int or index < 0:
        raise UnreadableAnswer(f"{where}.index that is {kind_of(index)}, not a non-negative integer")
    choice["index"] = index
    found = choice.get(part)
    if found is None:
        found = {}
    if not isinstance(found, dict):
        raise UnreadableAnswer(f"{where}.{part} that is {kind_of(found)}, not an object")
    delta = dict(found)
    content = delta.get("content")
    if content is not None and not isinstance(content, str):
        raise UnreadableAnswer(f"{where}.{part}.content that is {kind_of(content)}, not a string")
    for name in ("reasoning_content", "reasoning", "role"):
        if name in delta and not isinstance(delta[name], str):
            del delta[name]
    tool_calls = delta.get("tool_calls")
    if tool_calls is None:
        delta.pop("tool_calls", None)
    elif not _tool_calls_ok(tool_calls):
        raise UnreadableAnswer(f"{where}.{part}.tool_calls that LiteLLM cannot read as tool calls")
    choice[part] = delta
    finish = choice.get("finish_reason")
    if finish is not None and not isinstance(finish, str):
        raise UnreadableAnswer(f"{where}.finish_reason that is {kind_of(finish)}, not a string")
    return choice


def reasoning_field(message: Mapping[str, Any]) -> str | None:
    # Providers that parse reasoning themselves send it as reasoning_content (DeepSeek, vLLM) or
    # reasoning (OpenRouter, newer vLLM); either passes through untouched.
    value = message.get("reasoning_content") or message.get("reasoning")
    return value if isinstance(value, str) else None
