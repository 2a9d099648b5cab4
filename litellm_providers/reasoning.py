"""Split a streamed text answer into a reasoning channel and a content channel.

Some providers send the model's "thinking" as ordinary text before the answer, either as
``[Thinking: ...]`` / ``[Reasoning: ...]`` segments (Synternet) or as ``<think>...</think>`` blocks
(DeepSeek-R1 style). The splitters here turn such a stream into ``reasoning`` and ``content``.

They are pure (no I/O, standard library only) so that the streaming path, the non-streaming path, the
emulator and the tests all run the very same code on plain strings. They are incremental because the
provider's chunks can be cut anywhere, including in the middle of a marker: each ``feed`` emits
everything that can no longer turn into a marker and holds back only a proper prefix of one (at most
``len(marker) - 1`` characters), so memory is O(1) in the stream length and the user sees text as soon
as it is decided. All other decisions (optional space after a colon, whitespace after a segment,
bracket depth) are kept as state, never as buffered text; that is what makes the result independent of
how the stream was chunked.

``feed_event`` is ``feed`` for a text known to be one whole provider event (one SSE object's
content). Only the bracket splitter uses that knowledge: Synternet documents that each reasoning step
arrives as one whole object whose content is ``[Thinking: ...]`` or ``[Reasoning: ...]``, so such an
object is one segment whatever brackets its reasoning contains.
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
_NON_SPACE: Final = re.compile(r"\S")

_BRACKET_MARKERS: Final = ("[Thinking:", "[Reasoning:")
_BRACKET_MARKER_RE: Final = re.compile(r"\[(?:Thinking|Reasoning):")
# A held-back suffix is a proper prefix of a marker, so it is shorter than the longest marker.
_BRACKET_MAX_PENDING: Final = max(map(len, _BRACKET_MARKERS)) - 1


def _is_bracket_marker_prefix(text: str) -> bool:
    return any(marker.startswith(text) for marker in _BRACKET_MARKERS)


class BracketReasoningSplitter:
    """``[Thinking: ...]`` / ``[Reasoning: ...]`` segments are reasoning; everything else is content.

    In ``feed`` a segment ends at the ``]`` that balances its ``[`` (reasoning may contain brackets, e.g.
    code). ``feed_event`` also knows where the provider's event ends, which settles unbalanced brackets.
    """

    __slots__ = (
        "_any_reasoning",
        "_depth",
        "_held",
        "_need_separator",
        "_segment_chars",
        "_skip_space",
        "_skip_ws",
    )

    max_pending: Final = _BRACKET_MAX_PENDING

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # Outside a segment only: a suffix that may still become a marker.
        self._held = ""
        # Bracket depth inside a segment; 0 means outside.
        self._depth = 0
        # Drop one " " right after the marker's colon; a flag, since the colon may end a chunk.
        self._skip_space = False
        # Drop whitespace after a closed segment, until the first non-whitespace character.
        self._skip_ws = False
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
        return self._segment_chars if self._depth else None

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
            if self._skip_ws:
                match = _NON_SPACE.search(buf, pos)
                if match is None:
                    break
                pos = match.start()
                self._skip_ws = False
            marker = _BRACKET_MARKER_RE.search(buf, pos)
            if marker is None:
                # Only a suffix starting with the last "[" can be a marker prefix: "[" occurs in a
                # marker only at its start.
                start = buf.rfind("[", max(pos, end - _BRACKET_MAX_PENDING))
                if start != -1 and _is_bracket_marker_prefix(buf[start:]):
                    self._held = buf[start:]
                    content.append(buf[pos:start])
                else:
                    content.append(buf[pos:])
                break
            content.append(buf[pos : marker.start()])
            pos = marker.end()
            self._depth = 1
            self._segment_chars = 0
            self._skip_space = True
            self._need_separator = self._any_reasoning
        return Split("".join(reasoning), "".join(content))

    def feed_event(self, text: str) -> Split:
        """Take one whole provider event (one SSE object's content); return the text now decided.

        Synternet sends each reasoning step as one whole object whose content is ``[Thinking: ...]`` or
        ``[Reasoning: ...]``. So when no segment or partial marker is pending and the event, apart from
        surrounding whitespace, starts with a marker and ends with ``]``, it is exactly one segment: all
        of it up to that last ``]`` is reasoning, even with unbalanced brackets inside (``[0, 1)``,
        ``(0, 1]``), which bracket counting in ``feed`` would misread. Any other event is ``feed(text)``.
        """
        if self._held or self._depth:
            return self.feed(text)
        body = text.strip()
        marker = next((m for m in _BRACKET_MARKERS if body.startswith(m)), None)
        # An event holding a second marker is several segments: counting brackets reads it best.
        if marker is None or not body.endswith("]") or _BRACKET_MARKER_RE.search(body, 1):
            return self.feed(text)
        # Leading whitespace goes through `feed`: content, or dropped right after an earlier segment.
        # It holds nothing, since whitespace cannot start a marker.
        lead = self.feed(text[: len(text) - len(text.lstrip())])
        inner = body[len(marker) : -1]
        if inner.startswith(" "):
            inner = inner[1:]
        reasoning: list[str] = []
        self._need_separator = self._any_reasoning
        self._emit_reasoning(inner, reasoning)
        # Trailing whitespace is dropped here, and whitespace opening the next event by `_skip_ws`.
        self._skip_ws = True
        return lead + Split(reasoning="".join(reasoning))

    def _scan_segment(self, buf: str, pos: int, reasoning: list[str]) -> int:
        """Emit reasoning from ``pos`` up to the balancing ``]`` (or the end); return where it stopped."""
        depth = self._depth
        cursor = pos
        while True:
            close = buf.find("]", cursor)
            if close == -1:
                self._depth = depth + buf.count("[", cursor)
                self._emit_reasoning(buf[pos:], reasoning)
                return len(buf)
            # Counting "[" between two "]" in C keeps bracket-heavy reasoning off a per-character loop.
            depth += buf.count("[", cursor, close) - 1
            cursor = close + 1
            if depth == 0:
                self._depth = 0
                self._skip_ws = True
                self._emit_reasoning(buf[pos:close], reasoning)
                return cursor

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
        # Inside a segment nothing is held (reasoning is emitted as it arrives), so only a partial
        # marker outside can be left; it never became a marker, so it is content.
        result = Split(content=self._held)
        self._reset()
        return result


_THINK_OPEN: Final = "<think>"
_THINK_CLOSE: Final = "</think>"
_THINK_MAX_PENDING: Final = len(_THINK_CLOSE) - 1


class ThinkTagSplitter:
    """``<think>...</think>`` blocks are reasoning; everything else is content. Blocks do not nest.

    With ``opened=True`` the stream starts inside a block: models whose chat template puts ``<think>``
    in the prompt (Qwen3-*-Thinking-2507, DeepSeek-R1-0528 with its newer template) answer
    ``reasoning</think>answer``. A leading ``<think>`` (after optional whitespace) is still accepted and
    skipped, so output that does repeat the opening tag splits the same way.
    """

    __slots__ = ("_held", "_inside", "_may_open", "_opened", "_skip_ws")

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
            out = reasoning if self._inside else content
            tag = _THINK_CLOSE if self._inside else _THINK_OPEN
            found = buf.find(tag, pos)
            if found == -1:
                # Both tags contain "<" only at their start, so only the last "<" can begin a prefix.
                start = buf.rfind("<", max(pos, end - len(tag) + 1))
                if start != -1 and tag.startswith(buf[start:]):
                    self._held = buf[start:]
                    out.append(buf[pos:start])
                else:
                    out.append(buf[pos:])
                break
            out.append(buf[pos:found])
            pos = found + len(tag)
            self._inside = not self._inside
            self._skip_ws = True
        return Split("".join(reasoning), "".join(content))

    def feed_event(self, text: str) -> Split:
        """``feed``: tags are found in the text itself, so event boundaries add nothing."""
        return self.feed(text)

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

    def feed_event(self, text: str) -> Split:
        """``feed``: without inline reasoning, event boundaries add nothing."""
        return self.feed(text)

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
