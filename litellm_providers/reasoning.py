"""Split a streamed text answer into a reasoning channel and a content channel.

Some providers send the model's "thinking" as ordinary text before the answer, either as
``[Thinking: ...]`` / ``[Reasoning: ...]`` segments (Synternet) or as ``<think>...</think>`` blocks
(DeepSeek-R1 style). The splitters here turn such a stream into ``reasoning`` and ``content``.

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
    "BracketReasoningSplitter",
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
_NON_SPACE: Final = re.compile(r"\S")

_BRACKET_MARKERS: Final = ("[Thinking:", "[Reasoning:")
_BRACKET_MARKER_RE: Final = re.compile(r"\[(?:Thinking|Reasoning):")
# Also the most held back: outside a segment a proper prefix of a marker; inside one, a "]" that may end
# the segment because the next marker follows it, with a proper prefix of that marker.
_BRACKET_MARKER_MAX: Final = max(map(len, _BRACKET_MARKERS))


def _is_bracket_marker_prefix(text: str) -> bool:
    return any(marker.startswith(text) for marker in _BRACKET_MARKERS)


class BracketReasoningSplitter:
    """Leading ``[Thinking: ...]`` / ``[Reasoning: ...]`` segments are reasoning; the rest is content.

    A segment ends at the ``]`` that balances its ``[`` (reasoning may contain brackets, e.g. code), or
    at a ``]`` directly followed by the next marker: Synternet sends one segment per reasoning step, back
    to back, so a step whose brackets do not balance ("the interval [0, 1)") still ends where the next
    step begins. A marker after the first non-whitespace answer character is answer text.
    """

    __slots__ = (
        "_answer_started",
        "_any_reasoning",
        "_depth",
        "_held",
        "_need_separator",
        "_segment_chars",
        "_skip_space",
        "_skip_ws",
    )

    max_pending: Final = _BRACKET_MARKER_MAX

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # A suffix that may still become a marker (outside), or "]" + a marker prefix (inside).
        self._held = ""
        # Bracket depth inside a segment; 0 means outside.
        self._depth = 0
        # Drop one " " right after the marker's colon; a flag, since the colon may end a chunk.
        self._skip_space = False
        # Drop whitespace after a closed segment, until the first non-whitespace character.
        self._skip_ws = False
        # A non-whitespace character of answer was decided: no segment opens after it.
        self._answer_started = False
        self._any_reasoning = False
        # Set when a segment opens after earlier reasoning; the "\n" is written only once the new
        # segment yields text, so an empty segment does not leave a dangling newline.
        self._need_separator = False
        # Reasoning characters emitted from the segment that is open now (separators not counted).
        self._segment_chars = 0

    @property
    def pending(self) -> int:
        """Number of characters received but not yet emitted."""
        return len(self._held)

    @property
    def open_segment_chars(self) -> int | None:
        # Held text inside a segment is reasoning once the stream ends (``close`` emits it as such).
        return self._segment_chars + len(self._held) if self._depth else None

    def feed(self, text: str) -> Split:
        reasoning: list[str] = []
        content: list[str] = []
        buf = self._held + text if self._held else text
        self._held = ""
        pos = 0
        end = len(buf)
        while pos < end:
            if self._depth:
                if self._skip_space:
                    self._skip_space = False
                    if buf[pos] == " ":
                        pos += 1
                        continue
                pos = self._scan_segment(buf, pos, reasoning)
                continue
            if self._answer_started:
                content.append(buf[pos:])
                break
            first = _NON_SPACE.search(buf, pos)
            start = end if first is None else first.start()
            if not self._skip_ws:
                content.append(buf[pos:start])  # whitespace before the first segment is kept
            if first is None:
                break
            self._skip_ws = False
            marker = _BRACKET_MARKER_RE.match(buf, start)
            if marker is not None:
                pos = marker.end()
                self._depth = 1
                self._segment_chars = 0
                self._skip_space = True
                self._need_separator = self._any_reasoning
                continue
            if end - start < _BRACKET_MARKER_MAX and _is_bracket_marker_prefix(buf[start:]):
                self._held = buf[start:]
            else:
                self._answer_started = True
                content.append(buf[start:])
            break
        return Split("".join(reasoning), "".join(content))

    def _scan_segment(self, buf: str, pos: int, reasoning: list[str]) -> int:
        """Emit reasoning from ``pos`` up to the ``]`` that ends the segment (or the end); return where
        it stopped."""
        depth = self._depth
        cursor = pos
        end = len(buf)
        while True:
            close = buf.find("]", cursor)
            if close == -1:
                self._depth = depth + buf.count("[", cursor)
                self._emit_reasoning(buf[pos:], reasoning)
                return end
            # Counting "[" between two "]" in C keeps bracket-heavy reasoning off a per-character loop.
            depth += buf.count("[", cursor, close) - 1
            cursor = close + 1
            if depth == 0 or _BRACKET_MARKER_RE.match(buf, cursor):
                self._depth = 0
                self._skip_ws = True
                self._emit_reasoning(buf[pos:close], reasoning)
                return cursor
            if end - cursor < _BRACKET_MARKER_MAX and _is_bracket_marker_prefix(buf[cursor:]):
                # The next chunk decides whether a marker follows this "]": rescan it from the "]".
                self._depth = depth + 1
                self._held = buf[close:]
                self._emit_reasoning(buf[pos:close], reasoning)
                return end

    def _emit_reasoning(self, piece: str, reasoning: list[str]) -> None:
        if not piece:
            return
        if self._need_separator:
            reasoning.append("\n")
            self._need_separator = False
        reasoning.append(piece)
        self._segment_chars += len(piece)
        self._any_reasoning = True

    def close(self) -> Split:
        # Held text never became a marker: reasoning of a segment still open, otherwise content.
        if self._depth:
            reasoning: list[str] = []
            self._emit_reasoning(self._held, reasoning)
            result = Split(reasoning="".join(reasoning))
        else:
            result = Split(content=self._held)
        self._reset()
        return result


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
                match = _NON_SPACE.search(buf, pos)
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
            first = _NON_SPACE.search(buf, pos)
            start = end if first is None else first.start()
            content.append(buf[pos:start])  # whitespace before the first block is kept
            if first is None:
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

    def close(self) -> Split:
        return _EMPTY


def splitter_for(reasoning_format: str) -> ReasoningSplitter:
    """A fresh splitter for a provider's ``reasoning_format``.

    "brackets", "think_tags", "think_tags_opened" (the ``<think>`` is in the prompt, so the output starts
    inside the block) or "none".
    """
    if reasoning_format == "brackets":
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
