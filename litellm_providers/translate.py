"""Request and response translation between LiteLLM and an OpenAI-compatible wire: no I/O.

The handler in ``core.py`` moves bytes; everything that decides what goes on the wire and what
LiteLLM gets back lives here, so it can be tested without a socket. Provider differences come from
the ``ProviderSpec`` and the catalog entry, never from a branch on the provider's name.
"""

from __future__ import annotations

import array
import base64
import copy
import logging
import math
import re
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import litellm
import pydantic
from litellm.litellm_core_utils.core_helpers import process_response_headers
from litellm.types.utils import (
    CompletionTokensDetailsWrapper,
    Delta,
    EmbeddingResponse,
    ModelResponse,
    ModelResponseStream,
    StreamingChoices,
    Usage,
)

from litellm_providers.catalog import ModelEntry
from litellm_providers.effort import ANTHROPIC_REASONING_INPUTS, reasoning_effort_to_send
from litellm_providers.provider import ProviderSpec, ReasoningFormat
from litellm_providers.reasoning import (
    PassthroughSplitter,
    ReasoningSplitter,
    Split,
    splitter_for,
)

# Keys LiteLLM leaves in optional_params that are instructions to LiteLLM or the client, not the API.
_NOT_FOR_THE_WIRE = frozenset({"max_retries", "extra_headers", "extra_body", "stream"})
USER_AGENT = "litellm-providers/0.1.0"


logger = logging.getLogger("litellm_providers")


# -- what the translator may be handed ----------------------------------------------------------------


class UnreadableAnswer(ValueError):
    """A chunk or body whose shape the translator cannot read; the message says which part."""


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _usage_or_none(usage: Any) -> dict[str, Any] | None:
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
    if "usage" in data and _usage_or_none(data["usage"]) is None:
        del data["usage"]
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
        raise UnreadableAnswer(f"a chunk that is {_kind(raw)}, not a JSON object")
    chunk = _without_unfit_metadata(raw)
    choices = chunk.get("choices")
    if choices is None:
        choices = []
    if not isinstance(choices, list):
        raise UnreadableAnswer(f"a chunk whose 'choices' is {_kind(choices)}, not a list")
    chunk["choices"] = [_readable_choice(i, choice, "delta") for i, choice in enumerate(choices)]
    return chunk


def readable_completion(raw: Any) -> dict[str, Any]:
    """A chat.completion body as ``model_response_from_json`` reads it, by the same rules."""
    if not isinstance(raw, dict):
        raise UnreadableAnswer(f"a body that is {_kind(raw)}, not a JSON object")
    data = _without_unfit_metadata(raw)
    choices = data.get("choices")
    if not isinstance(choices, list):
        raise UnreadableAnswer(f"a body whose 'choices' is {_kind(choices)}, not a list")
    data["choices"] = [_readable_choice(i, choice, "message") for i, choice in enumerate(choices)]
    return data


def _readable_choice(position: int, raw: Any, part: str) -> dict[str, Any]:
    where = f"choices[{position}]"
    if not isinstance(raw, dict):
        raise UnreadableAnswer(f"{where} that is {_kind(raw)}, not an object")
    choice = dict(raw)
    index = choice.get("index")
    if index is None:
        index = position
    if type(index) is not int or index < 0:
        raise UnreadableAnswer(f"{where}.index that is {_kind(index)}, not a non-negative integer")
    choice["index"] = index
    found = choice.get(part)
    if found is None:
        found = {}
    if not isinstance(found, dict):
        raise UnreadableAnswer(f"{where}.{part} that is {_kind(found)}, not an object")
    delta = dict(found)
    content = delta.get("content")
    if content is not None and not isinstance(content, str):
        raise UnreadableAnswer(f"{where}.{part}.content that is {_kind(content)}, not a string")
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
        raise UnreadableAnswer(f"{where}.finish_reason that is {_kind(finish)}, not a string")
    return choice


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


def embedding_response_from_json(model: str, data: Any, sent: Any = None) -> EmbeddingResponse:
    """A LiteLLM ``EmbeddingResponse`` from an OpenAI-shaped ``/embeddings`` body, or ``UnreadableAnswer``.

    ``sent`` is the input the caller sent (a string, a list of strings, token ids, or a list of those):
    the answer must hold exactly one vector per input. Each vector's ``index`` (its position when
    absent) names a distinct input; the vectors come back in input order. A vector is a list of finite
    numbers, or with ``encoding_format="base64"`` a string of float32 values, which is decoded to check
    the same; all are of one kind and one length. Anything else is an answer no caller can use: one
    vector for two inputs would silently pair texts with the wrong vectors.
    """
    if not isinstance(data, dict):
        raise UnreadableAnswer(f"a body that is {_kind(data)}, not a JSON object")
    items = data.get("data")
    if not isinstance(items, list):
        raise UnreadableAnswer(f"a body whose 'data' is {_kind(items)}, not a list")
    expected = _embedding_input_count(sent)
    if expected is not None and len(items) != expected:
        raise UnreadableAnswer(f"{len(items)} embedding(s) for {expected} input(s)")
    vectors = _vectors_in_input_order(items)
    usage = _usage_or_none(data.get("usage")) or {}
    prompt_tokens = usage.get("prompt_tokens") or 0
    return EmbeddingResponse(
        model=data.get("model") if isinstance(data.get("model"), str) else model,
        data=[{"object": "embedding", "index": i, "embedding": vector} for i, vector in enumerate(vectors)],
        usage=Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=0,
            total_tokens=usage.get("total_tokens") or prompt_tokens,
        ),
    )


def _embedding_input_count(sent: Any) -> int | None:
    """How many inputs the caller sent, as OpenAI counts them; None when that cannot be told."""
    if isinstance(sent, str):
        return 1
    if not isinstance(sent, list | tuple) or not sent:
        return None
    if all(isinstance(item, int) and not isinstance(item, bool) for item in sent):
        return 1  # one input, already tokenized
    return len(sent)


def _vectors_in_input_order(items: list[Any]) -> list[list[float] | str]:
    by_index: dict[int, tuple[list[float] | str, str]] = {}
    for position, item in enumerate(items):
        where = f"data[{position}]"
        if not isinstance(item, dict):
            raise UnreadableAnswer(f"{where} that is {_kind(item)}, not an object")
        index = item.get("index", position)
        if type(index) is not int or not 0 <= index < len(items):
            raise UnreadableAnswer(f"{where}.index that is not an input's position (0 to {len(items) - 1})")
        if index in by_index:
            raise UnreadableAnswer(f"{where}.index {index}, which an earlier embedding already has")
        by_index[index] = _readable_vector(where, item.get("embedding"))
    shapes = sorted({shape for _, shape in by_index.values()})
    if len(shapes) > 1:
        raise UnreadableAnswer(f"embeddings of different shapes ({' and '.join(shapes[:2])})")
    return [by_index[i][0] for i in range(len(items))]


def _readable_vector(where: str, vector: Any) -> tuple[list[float] | str, str]:
    """The vector, and its shape ("768 numbers", "768 base64 float32s") for comparing it with the others."""
    if isinstance(vector, str):
        return vector, f"{_base64_float_count(where, vector)} base64 float32s"
    if not isinstance(vector, list):
        raise UnreadableAnswer(f"{where}.embedding that is {_kind(vector)}, not a list of numbers")
    if not vector:
        raise UnreadableAnswer(f"{where}.embedding that is empty")
    if not all(_finite_number(x) for x in vector):
        raise UnreadableAnswer(f"{where}.embedding holding something that is not a finite number")
    return vector, f"{len(vector)} numbers"


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float: JSON allows any number of digits
        return False


def _base64_float_count(where: str, vector: str) -> int:
    """How many float32 values a base64 embedding holds (``encoding_format="base64"``), all finite."""
    try:
        raw = base64.b64decode(vector, validate=True)
    except ValueError:
        raise UnreadableAnswer(f"{where}.embedding that is a string but not base64") from None
    if not raw or len(raw) % 4:
        raise UnreadableAnswer(f"{where}.embedding whose {len(raw)} bytes are not float32 values")
    values = array.array("f", raw)
    if sys.byteorder == "big":
        values.byteswap()  # OpenAI's base64 embeddings are little-endian float32
    if not all(math.isfinite(x) for x in values):
        raise UnreadableAnswer(f"{where}.embedding holding a float32 that is not a finite number")
    return len(values)


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
    text = _reasoning_field(message)
    if text:
        return text
    blocks = message.get("thinking_blocks")
    if isinstance(blocks, list):
        parts = [b.get("thinking") for b in blocks if isinstance(b, Mapping)]
        return "".join(p for p in parts if isinstance(p, str)) or None
    return None


# LiteLLM's slot for a cost the provider stated: its logging, spend tracking and the proxy's
# x-litellm-response-cost take this figure instead of pricing the call from the catalog.
STATED_COST_KEY = "llm_provider-x-litellm-response-cost"
# The most one request can be said to cost, in USD; a stated cost at or above it is a broken header, not a
# bill. No single request comes near: the gateway's dearest model (claude-sonnet-4-6, $19.50 per 1M output
# tokens) would have to write some 50M tokens, 250 times its whole 200k-token window, to cost $1,000.
MAX_STATED_COST_USD = 1000.0
_HTTP_SPACE = " \t"  # the whitespace HTTP allows around a header's value
# What a cost header may hold: a plain non-negative decimal (no sign, no nan or inf, no Python-only forms
# such as "1_000", and ASCII digits only: float() also reads other scripts' digits).
_PLAIN_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def hidden_params_from_headers(provider: ProviderSpec, headers: Mapping[str, str]) -> dict[str, Any]:
    """What the response headers tell LiteLLM: forwarded headers, and the provider's own cost.

    The cost is the provider's only when its cost header states a plausible one
    (``response_cost_from_headers``); otherwise nothing is stated and LiteLLM prices the call from the
    catalog. An upstream header that would land in LiteLLM's own slot for a stated cost is dropped: only
    the figure read here may stand there.
    """
    hidden: dict[str, Any] = {"custom_llm_provider": provider.route}
    forwarded = {name: headers[name] for name in provider.forwarded_headers if name in headers}
    additional = {
        name: value
        for name, value in process_response_headers(dict(headers.items())).items()
        if name.lower() != STATED_COST_KEY
    }
    # LiteLLM's convention: provider headers travel as "llm_provider-<name>", which the proxy returns.
    additional.update({f"llm_provider-{name.lower()}": value for name, value in forwarded.items()})
    hidden["additional_headers"] = additional
    cost = response_cost_from_headers(provider, headers)
    if cost is not None:
        hidden["response_cost"] = cost
        additional[STATED_COST_KEY] = cost
    return hidden


def response_cost_from_headers(provider: ProviderSpec, headers: Mapping[str, str]) -> float | None:
    """The call's cost in USD as the provider's cost header states it: a finite, non-negative figure below
    ``MAX_STATED_COST_USD``. None when there is no such header or it states no plausible cost
    (``cost_header_problem`` says why), so that the catalog price stands; never raises."""
    raw = cost_header_value(provider, headers)
    if raw is None or cost_header_problem(provider, raw) is not None:
        return None
    return float(raw.strip(_HTTP_SPACE)) * provider.cost_header_usd_per_unit + 0.0


def cost_header_value(provider: ProviderSpec, headers: Mapping[str, Any]) -> Any:
    """The provider's cost header as it arrived (any case of its name), or None when it did not."""
    if provider.cost_header is None:
        return None
    wanted = provider.cost_header.lower()
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == wanted:
            return value
    return None


def cost_header_problem(provider: ProviderSpec, raw: Any) -> str | None:
    """Why a cost header's value is not a cost to believe (without quoting it), or None if it is one."""
    text = raw.strip(_HTTP_SPACE) if isinstance(raw, str) else ""
    if not text:
        return "is empty"
    if not _PLAIN_DECIMAL.fullmatch(text):
        return "is not a non-negative decimal number"
    usd = float(text) * provider.cost_header_usd_per_unit
    if not usd < MAX_STATED_COST_USD:  # also catches a figure that overflows to inf
        return f"states ${MAX_STATED_COST_USD:,.0f} or more for one request (the bound)"
    return None


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
    """A LiteLLM ``ModelResponse`` from a chat.completion body (``UnreadableAnswer`` if it is not one)."""
    data = readable_completion(data)
    choices = []
    for raw_choice in data["choices"]:
        message = dict(raw_choice.get("message") or {})
        content = message.get("content")
        reasoning_text = _reasoning_field(message)
        if reasoning_text is None and isinstance(content, str) and reasoning != "none":
            if reasoning == "think_tags_opened" and "</think>" not in content:
                # A whole answer that never closed a block the prompt opened did not think: all of
                # it is the answer (a stream has to decide earlier; see ThinkTagSplitter).
                reasoning = "think_tags"
            splitter = splitter_for(reasoning)
            parts = splitter.feed(content)
            unclosed = _unclosed_segment(provider, model, splitter, raw_choice.get("finish_reason"))
            parts += splitter.close()
            content, reasoning_text = _recovered(parts.content, parts.reasoning, unclosed)
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


def count_tokens(model: str, text: str) -> int:
    """Tokens in answer text, counted the way LiteLLM's stream builder counts a response."""
    if not text:
        return 0
    return int(litellm.token_counter(model=model, text=text, count_response_tokens=True))


def with_reasoning_tokens(usage: Usage, model: str, reasoning: str) -> Usage:
    """``usage`` with ``completion_tokens_details.reasoning_tokens`` filled from the reasoning text the
    package separated, unless the provider stated it; never more than ``completion_tokens``."""
    details = usage.completion_tokens_details
    if not reasoning or (details is not None and details.reasoning_tokens):
        return usage
    try:
        counted = count_tokens(model, reasoning)
    except Exception as error:  # text the tokenizer cannot read: no count, as for the estimate
        logger.debug("no reasoning token count for %s: %s", model, error)
        return usage
    reasoning_tokens = min(counted, usage.completion_tokens or 0)
    text_tokens = (usage.completion_tokens or 0) - reasoning_tokens
    if details is None:
        usage.completion_tokens_details = CompletionTokensDetailsWrapper(
            reasoning_tokens=reasoning_tokens, text_tokens=text_tokens
        )
    else:
        details.reasoning_tokens = reasoning_tokens
        if details.text_tokens is None:
            details.text_tokens = text_tokens
    return usage


class StreamTranslator:
    """Turns the provider's chat.completion.chunk objects into LiteLLM stream chunks.

    Keeps one reasoning splitter per choice, so reasoning in content is moved to
    ``delta.reasoning_content`` as it arrives. LiteLLM's stream wrapper ends a custom provider's
    stream at the first empty chunk after a finish_reason, so the finish is held back and sent last,
    after any text the splitters still hold and after the provider's usage chunk.
    """

    def __init__(
        self,
        provider: ProviderSpec,
        model: str,
        reasoning: ReasoningFormat,
        merge_reasoning: bool,
        *,
        prompt: Sequence[Any] | None = None,
    ):
        self._provider = provider
        self._model = model
        self._reasoning = reasoning
        self._merge_reasoning = merge_reasoning
        self._splitters: dict[int, ReasoningSplitter] = {}
        self._in_merged_reasoning: dict[int, bool] = {}
        self._finish: dict[int, str] = {}
        self._usage: Usage | None = None
        # The call's messages, and the text streamed so far, for a usage estimate when the provider
        # sends none (Synternet never does): see _estimated_usage.
        self._prompt = prompt
        self._answer_text: list[str] = []
        self._reasoning_text: list[str] = []
        self._id = f"chatcmpl-{uuid.uuid4().hex}"
        # One `created` for the whole stream: the provider's first, else the local time at the start.
        self._created = int(time.time())
        self._created_by_provider = False
        self.hidden_params: dict[str, Any] = {"custom_llm_provider": provider.route}
        # Per choice, the reasoning characters of a segment the answer never closed (set by close()).
        self.unclosed_reasoning: dict[int, int] = {}

    @property
    def finished(self) -> bool:
        return bool(self._finish)

    @property
    def provider_usage(self) -> Usage | None:
        return self._usage

    def translate(self, raw_chunk: Any) -> list[ModelResponseStream]:
        """LiteLLM chunks for one provider chunk (``UnreadableAnswer`` if its answer cannot be read)."""
        chunk = readable_chunk(raw_chunk)
        if chunk.get("id"):
            self._id = chunk["id"]
        if chunk.get("created") and not self._created_by_provider:
            self._created, self._created_by_provider = chunk["created"], True
        if isinstance(chunk.get("model"), str):
            self._model = chunk["model"]
        if isinstance(chunk.get("usage"), dict):
            self._usage = Usage(**chunk["usage"])
        out = []
        for raw_choice in chunk.get("choices") or ():
            index = raw_choice.get("index", 0)
            delta = raw_choice.get("delta") or {}
            upstream_reasoning = _reasoning_field(delta)
            if upstream_reasoning and index not in self._splitters:
                # The provider separates reasoning itself: its content holds no tags to look for.
                self._splitters[index] = PassthroughSplitter()
            # One provider event: Synternet's reasoning steps are each a whole event (see feed_event).
            split = self._splitter(index).feed_event(delta["content"]) if delta.get("content") else Split()
            if upstream_reasoning:
                split = Split(reasoning=upstream_reasoning) + split
            if raw_choice.get("finish_reason"):
                self._finish[index] = raw_choice["finish_reason"]
            tool_calls = delta.get("tool_calls")
            if self._prompt is not None:
                self._count(split, tool_calls)
            if split or tool_calls or delta.get("role"):
                out.append(self._chunk(index, split, tool_calls=tool_calls, role=delta.get("role")))
        return out

    def close(self) -> list[ModelResponseStream]:
        """The chunks that end the stream: held-back text, the provider's usage, then the finish."""
        self.unclosed_reasoning = {
            index: chars
            for index, splitter in self._splitters.items()
            if (chars := _unclosed_segment(self._provider, self._model, splitter, self._finish.get(index)))
            is not None
        }
        held = [(i, s.close()) for i, s in self._splitters.items()]
        out = [c for c in (self._chunk(i, split) for i, split in held) if _has_payload(c)]
        if self._prompt is not None:
            for _, split in held:
                self._count(split, None)
        usage = self._usage
        if usage is not None:
            usage = with_reasoning_tokens(usage, self._model, "".join(self._reasoning_text))
        elif self._prompt is not None:
            usage = self._estimated_usage()
        if usage is not None:
            cost = self.hidden_params.get("response_cost")
            if cost is not None:
                # LiteLLM's stream builder takes a provider-stated cost from usage.cost, and logs,
                # bills (proxy spend) and returns that instead of recomputing it from the catalog.
                usage.cost = cost
            usage_chunk = self._chunk(0, Split())
            usage_chunk.usage = usage
            out.append(usage_chunk)
        for index, reason in sorted(self._finish.items()):
            out.append(self._chunk(index, Split(), finish_reason=reason))
        return out

    def _count(self, split: Split, tool_calls: Any) -> None:
        if split.content:
            self._answer_text.append(split.content)
        if split.reasoning:
            self._reasoning_text.append(split.reasoning)
        for call in tool_calls or ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                self._answer_text.extend(
                    str(function[part]) for part in ("name", "arguments") if function.get(part)
                )

    def _estimated_usage(self) -> Usage | None:
        """Token counts made locally, the way LiteLLM's stream builder counts, for a stream without usage.

        LiteLLM logs a custom provider's stream that carries no usage as 0 prompt and 0 completion
        tokens, so callbacks, proxy spend and ``stream_chunk_builder`` would all see 0. An estimate is
        closer to the truth; ``_hidden_params["usage_is_estimate"]`` says it is one.
        """
        try:
            prompt = litellm.token_counter(model=self._model, messages=list(self._prompt or ()))
            answer = count_tokens(self._model, "".join(self._answer_text))
            reasoning = count_tokens(self._model, "".join(self._reasoning_text))
        except Exception as error:  # a prompt the tokenizer cannot read: no estimate, as LiteLLM does
            logger.debug("%s: no usage estimate for this stream: %s", self._provider.display_name, error)
            return None
        self.hidden_params["usage_is_estimate"] = True
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=answer + reasoning,
            total_tokens=prompt + answer + reasoning,
            completion_tokens_details=CompletionTokensDetailsWrapper(
                reasoning_tokens=reasoning, text_tokens=answer
            ),
        )

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


def _unclosed_segment(
    provider: ProviderSpec, model: str, splitter: ReasoningSplitter, finish_reason: object
) -> int | None:
    """The reasoning characters of a ``[Thinking:`` segment the answer ended in, with a warning.

    A segment cut by the token limit (``finish_reason`` "length") is reasoning cut short: None.
    """
    chars = splitter.open_segment_chars
    if chars is None or finish_reason == "length":
        return None
    logger.warning(
        "%s/%s: the answer ended inside a [Thinking: ...] segment that was never closed "
        "(finish_reason %r), so where the reasoning ends is unknown. A stream delivered the rest as "
        "reasoning_content; a non-streaming call returns it as content.",
        provider.route,
        provider.catalog_model(model),  # a stream's chunks may name the wire id (synternet/...)
        finish_reason,
    )
    return chars


def _recovered(content: str, reasoning: str, unclosed: int | None) -> tuple[str, str | None]:
    """(content, reasoning_content) of a whole answer, with an unclosed segment's text as content.

    An answer is never left empty with all of it in reasoning: a segment that was never closed most
    likely swallowed the answer, so its text is returned as content, after any content before it.
    """
    if unclosed:
        content += reasoning[-unclosed:]
        reasoning = reasoning[: len(reasoning) - unclosed].rstrip("\n")
    return content, reasoning or None


def _has_payload(chunk: ModelResponseStream) -> bool:
    delta = chunk.choices[0].delta
    return bool(delta.content or getattr(delta, "reasoning_content", None) or delta.tool_calls)


def aggregate_stream(
    chunks: Iterable[ModelResponseStream],
    messages: list[Any],
    provider_usage: Usage | None,
    logging_obj: Any = None,
    unclosed_reasoning: Mapping[int, int] | None = None,
) -> ModelResponse:
    """One ModelResponse from a whole stream, for providers that only stream.

    LiteLLM's call logging object tells the stream builder which provider the chunks came from;
    without it the builder guesses from the model name and prints LiteLLM's "Provider List" banner.
    ``unclosed_reasoning`` (``StreamTranslator.unclosed_reasoning``): the text of a segment the answer
    never closed goes back to content, as for a whole JSON answer.
    """
    collected = list(chunks)
    built = litellm.stream_chunk_builder(collected, messages=messages, logging_obj=logging_obj)
    if not isinstance(built, ModelResponse):
        raise ValueError("the stream held no chunks to build a response from")
    for index, chars in (unclosed_reasoning or {}).items():
        message = built.choices[index].message
        content, message.reasoning_content = _recovered(
            message.content or "", getattr(message, "reasoning_content", None) or "", chars
        )
        message.content = content or None
        details = getattr(built.usage, "completion_tokens_details", None)  # type: ignore[attr-defined]
        if provider_usage is None and details is not None:
            # The stream's estimate counted the recovered text as reasoning: count again below.
            details.reasoning_tokens = 0
            details.text_tokens = None
    if provider_usage is not None:
        built.usage = provider_usage  # type: ignore[attr-defined]
    else:
        # stream_chunk_builder counted tokens locally; say so, since the provider did not, and say
        # how many of them were the reasoning it was handed apart from the answer.
        built._hidden_params["usage_is_estimate"] = True
        reasoning = "".join(
            getattr(choice.message, "reasoning_content", None) or "" for choice in built.choices
        )
        built.usage = with_reasoning_tokens(built.usage, built.model or "", reasoning)  # type: ignore[attr-defined]
    return built
