"""A provider's stream as LiteLLM chunks: reasoning split out, tool calls kept, usage counted, and a whole
answer built from a stream (``aggregate_stream``) for providers that always stream."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import litellm
from litellm.types.utils import (
    CompletionTokensDetailsWrapper,
    Delta,
    ModelResponse,
    ModelResponseStream,
    StreamingChoices,
    Usage,
)

from litellm_providers.provider import ProviderSpec, ReasoningFormat
from litellm_providers.readable import readable_chunk, reasoning_field
from litellm_providers.reasoning import (
    PassthroughSplitter,
    ReasoningSplitter,
    Split,
    splitter_for,
)

logger = logging.getLogger("litellm_providers")


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


class StreamTally:
    """What a stream said, counted for its usage: the provider's figures with the reasoning tokens added,
    or, when it sends none (Synternet never does), a local estimate from the prompt and the text."""

    def __init__(self, provider: ProviderSpec, prompt: Sequence[Any] | None) -> None:
        self._provider = provider
        self._prompt = prompt  # None: nothing to estimate from, so nothing is counted
        self._answer_text: list[str] = []
        self._reasoning_text: list[str] = []
        self.provider_usage: Usage | None = None

    def count(self, split: Split, tool_calls: Any) -> None:
        if self._prompt is None:
            return
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

    def _estimated_usage(self, model: str, hidden_params: dict[str, Any]) -> Usage | None:
        """Token counts made locally, the way LiteLLM's stream builder counts, for a stream without usage.

        LiteLLM logs a custom provider's stream that carries no usage as 0 prompt and 0 completion
        tokens, so callbacks, proxy spend and ``stream_chunk_builder`` would all see 0. An estimate is
        closer to the truth; ``_hidden_params["usage_is_estimate"]`` says it is one.
        """
        try:
            prompt = litellm.token_counter(model=model, messages=list(self._prompt or ()))
            answer = count_tokens(model, "".join(self._answer_text))
            reasoning = count_tokens(model, "".join(self._reasoning_text))
        except Exception as error:  # a prompt the tokenizer cannot read: no estimate, as LiteLLM does
            logger.debug("%s: no usage estimate for this stream: %s", self._provider.display_name, error)
            return None
        hidden_params["usage_is_estimate"] = True
        return Usage(
            prompt_tokens=prompt,
            completion_tokens=answer + reasoning,
            total_tokens=prompt + answer + reasoning,
            completion_tokens_details=CompletionTokensDetailsWrapper(
                reasoning_tokens=reasoning, text_tokens=answer
            ),
        )

    def usage(self, model: str, hidden_params: dict[str, Any]) -> Usage | None:
        """The stream's usage: the provider's, with its reasoning tokens, else an estimate, else None."""
        if self.provider_usage is not None:
            return with_reasoning_tokens(self.provider_usage, model, "".join(self._reasoning_text))
        if self._prompt is not None:
            return self._estimated_usage(model, hidden_params)
        return None


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
        self._tally = StreamTally(provider, prompt)
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
        return self._tally.provider_usage

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
            self._tally.provider_usage = Usage(**chunk["usage"])
        out = []
        for raw_choice in chunk.get("choices") or ():
            index = raw_choice.get("index", 0)
            delta = raw_choice.get("delta") or {}
            upstream_reasoning = reasoning_field(delta)
            if upstream_reasoning and index not in self._splitters:
                # The provider separates reasoning itself: its content holds no tags to look for.
                self._splitters[index] = PassthroughSplitter()
            # One provider event: Synternet sends each reasoning step as a whole event (see feed_event).
            split = self._splitter(index).feed_event(delta["content"]) if delta.get("content") else Split()
            if upstream_reasoning:
                split = Split(reasoning=upstream_reasoning) + split
            if raw_choice.get("finish_reason"):
                self._finish[index] = raw_choice["finish_reason"]
            tool_calls = delta.get("tool_calls")
            self._tally.count(split, tool_calls)
            if split or tool_calls or delta.get("role"):
                out.append(self._chunk(index, split, tool_calls=tool_calls, role=delta.get("role")))
        return out

    def close(self) -> list[ModelResponseStream]:
        """The chunks that end the stream: held-back text, the provider's usage, then the finish."""
        self.unclosed_reasoning = {
            index: chars
            for index, splitter in self._splitters.items()
            if (chars := unclosed_segment(self._provider, self._model, splitter, self._finish.get(index)))
            is not None
        }
        held = [(i, s.close()) for i, s in self._splitters.items()]
        out = [c for c in (self._chunk(i, split) for i, split in held) if _has_payload(c)]
        for _, split in held:
            self._tally.count(split, None)
        usage = self._tally.usage(self._model, self.hidden_params)
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


def unclosed_segment(
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


def recovered(content: str, reasoning: str, unclosed: int | None) -> tuple[str, str | None]:
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
        content, message.reasoning_content = recovered(
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
