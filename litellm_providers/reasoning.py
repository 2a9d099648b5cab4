"""Split a streamed text answer into a reasoning channel and a content channel.

Some providers send the model's "thinking" as ordinary text before the answer, either as
``[Thinking: ...]`` / ``[Reasoning: ...]`` segments (Synternet) or as ``<think>...</think>`` blocks
(DeepSeek-R1 style). The splitters turn such a stream into ``reasoning`` and ``content``: the ``<think>``
one is here, the bracket one in ``bracket_reasoning.py``.

Reasoning is recognised only before the answer: segments or blocks at the start of the text (after
optional whitespace), back to back. Once a non-whitespace character of answer has been decided, every
later marker is answer text, so an answer that mentions ``<think>`` tags or quotes ``[Thinking: ...]``
keeps all of its text (LiteLLM's own ``_parse_content_for_reasoning`` also takes only a leading block).

They are pure (no I/O, standard library only) so that the streaming path, the non-streaming path, the
emulator and the tests all run the very same code on plain strings. They are incremental because the
provider's chunks can be cut anywhere, including in the middle of a marker: each ``feed`` emits
everything that can no longer turn into a marker and holds back only a short suffix that still may
(at most ``max_pending`` characters), so memory is O(1) in the stream length and the user sees text as
soon as it is decided. All other decisions (optional space after a colon, whitespace after a segment,
bracket depth, whether the answer has started) are kept as state, never as buffered text; that is what
makes the result independent of how the stream was chunked, and the same for a stream and a whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol

__all__ = [
    "PassthroughSplitter",
    "ReasoningSplitter",
    "Split",
    "ThinkTagSplitter",
    "split_text",
    "splitter_for",
]


@dataclass(frozen=True, slots=True)
class Split:
    """Text decided by one step of a splitter: reasoning and answer content."""

    reasoning: str = ""
    content: str = ""

    def __bool__(self) -> bool:
        return bool(self.reasoning or self.content)

    def __add__(self, other: Split) -> Split:
        if not isinstance(other, Split):
            return NotImplemented
        return Split(self.reasoning + other.reasoning, self.content + other.content)


_EMPTY: Final = Split()


class ReasoningSplitter(Protocol):
    def feed(self, text: str) -> Split:
        """Take the next chunk; return the text that is now decided."""
        ...

    def feed_event(self, text: str) -> Split:
        """Like ``feed``, for a text that is one whole provider event (one SSE object's content)."""
        ...

    def close(self) -> Split:
        """End of stream: return whatever was held back."""
        ...

    @property
    def open_segment_chars(self) -> int | None:
        """Reasoning characters emitted so far from a ``[Thinking:`` segment still open, else None.

        Read before ``close``: a text that ends with a segment open never said where its reasoning
        ended (its answer is most likely in that segment)."""
        ...


# One regex search per chunk finds the first non-whitespace character in C instead of a Python loop;
# `\s` uses the same Unicode definition as str.isspace().
NON_SPACE: Final = re.compile(r"\S")


def text_start(buf: str, pos: int, content: list[str], *, keep_whitespace: bool) -> int | None:
    """Outside reasoning, before the answer (every splitter's leading-only rule): where the next
    non-whitespace character of ``buf`` from ``pos`` is, None if there is none; the whitespace before it
    goes to ``content`` when it is kept."""
    first = NON_SPACE.search(buf, pos)
    start = len(buf) if first is None else first.start()
    if keep_whitespace:
        content.append(buf[pos:start])
    return None if first is None else start


_THINK_OPEN: Final = "<think>"
_THINK_CLOSE: Final = "</think>"
_THINK_MAX_PENDING: Final = len(_THINK_CLOSE) - 1


class ThinkTagSplitter:
    """Leading ``<think>...</think>`` blocks are reasoning; the rest is content. Blocks do not nest.

    Only blocks before the answer count (after optional whitespace, back to back): once a
    non-whitespace character of answer is decided, a later ``<think>`` is answer text.

    With ``opened=True`` the stream starts inside a block: models whose chat template puts ``<think>``
    in the prompt (Qwen3-*-Thinking-2507, DeepSeek-R1-0528 with its newer template) answer
    ``reasoning</think>answer``. A leading ``<think>`` (after optional whitespace) is still accepted and
    skipped, so output that does repeat the opening tag splits the same way.
    """

    __slots__ = ("_answer_started", "_held", "_inside", "_may_open", "_opened", "_skip_ws")

    max_pending: Final = _THINK_MAX_PENDING

    def __init__(self, *, opened: bool = False) -> None:
        self._opened = opened
        self._reset()

    def _reset(self) -> None:
        # A suffix that may still become the tag being looked for.
        self._held = ""
        self._inside = self._opened
        # Drop whitespace right after either tag, until the first non-whitespace character; an opened
        # stream starts as if right after "<think>".
        self._skip_ws = self._opened
        # Opened stream, no reasoning seen yet: a "<think>" here is the optional repeated opening tag.
        self._may_open = self._opened
        # A non-whitespace character of answer was decided: no block opens after it.
        self._answer_started = False

    @property
    def pending(self) -> int:
        """Number of characters received but not yet emitted."""
        return len(self._held)

    def feed(self, text: str) -> Split:
        reasoning: list[str] = []
        content: list[str] = []
        buf = self._held + text if self._held else text
        self._held = ""
        pos = 0
        end = len(buf)
        while pos < end:
            if self._skip_ws:
                match = NON_SPACE.search(buf, pos)
                if match is None:
                    break
                pos = match.start()
                self._skip_ws = False
            if self._may_open:
                if buf.startswith(_THINK_OPEN, pos):
                    self._may_open = False
                    self._skip_ws = True
                    pos += len(_THINK_OPEN)
                    continue
                if _THINK_OPEN.startswith(buf[pos:]):
                    # A proper prefix of "<think>" (pos < end): shorter than the longest held tag.
                    self._held = buf[pos:]
                    break
                self._may_open = False
            if self._inside:
                pos = self._scan_block(buf, pos, reasoning)
                continue
            if self._answer_started:
                content.append(buf[pos:])
                break
            start = text_start(buf, pos, content, keep_whitespace=True)  # kept before the first block
            if start is None:
                break
            if buf.startswith(_THINK_OPEN, start):
                pos = start + len(_THINK_OPEN)
                self._inside = True
                self._skip_ws = True
                continue
            if _THINK_OPEN.startswith(buf[start:]):
                self._held = buf[start:]
            else:
                self._answer_started = True
                content.append(buf[start:])
            break
        return Split("".join(reasoning), "".join(content))

    def _scan_block(self, buf: str, pos: int, reasoning: list[str]) -> int:
        """Emit reasoning from ``pos`` up to ``</think>`` (or the end); return where it stopped."""
        found = buf.find(_THINK_CLOSE, pos)
        if found == -1:
            # "</think>" contains "<" only at its start, so only the last "<" can begin a prefix.
            start = buf.rfind("<", max(pos, len(buf) - _THINK_MAX_PENDING))
            if start != -1 and _THINK_CLOSE.startswith(buf[start:]):
                self._held = buf[start:]
                reasoning.append(buf[pos:start])
            else:
                reasoning.append(buf[pos:])
            return len(buf)
        reasoning.append(buf[pos:found])
        self._inside = False
        self._skip_ws = True
        return found + len(_THINK_CLOSE)

    @property
    def open_segment_chars(self) -> int | None:
        # An unclosed <think> block is reasoning cut short (by the token limit, or an opened block the
        # model never closed: see ``think_tags_opened``), not an answer hidden in it.
        return None

    # One event is no different from any chunk here.
    feed_event = feed

    def close(self) -> Split:
        # A held partial tag never completed, so it is plain text of whichever channel it sits in.
        result = Split(reasoning=self._held) if self._inside else Split(content=self._held)
        self._reset()
        return result


class PassthroughSplitter:
    """For models without inline reasoning: every character is content, nothing is held."""

    __slots__ = ()

    max_pending: Final = 0

    @property
    def pending(self) -> int:
        return 0

    def feed(self, text: str) -> Split:
        return Split(content=text)

    @property
    def open_segment_chars(self) -> int | None:
        return None

    # One event is no different from any chunk here.
    feed_event = feed

    def close(self) -> Split:
        return _EMPTY


def splitter_for(reasoning_format: str) -> ReasoningSplitter:
    """A fresh splitter for a provider's ``reasoning_format``.

    "brackets", "think_tags", "think_tags_opened" (the ``<think>`` is in the prompt, so the output starts
    inside the block) or "none".
    """
    if reasoning_format == "brackets":
        # Imported here: its module takes ``Split`` from this one.
        from litellm_providers.bracket_reasoning import BracketReasoningSplitter

        return BracketReasoningSplitter()
    if reasoning_format == "think_tags":
        return ThinkTagSplitter()
    if reasoning_format == "think_tags_opened":
        return ThinkTagSplitter(opened=True)
    if reasoning_format == "none":
        return PassthroughSplitter()
    raise ValueError(
        f"unknown reasoning format {reasoning_format!r}; "
        "expected 'brackets', 'think_tags', 'think_tags_opened' or 'none'"
    )


def split_text(splitter: ReasoningSplitter, text: str) -> Split:
    """Split a whole (non-streamed) text with ``splitter``."""
    return splitter.feed(text) + splitter.close()
