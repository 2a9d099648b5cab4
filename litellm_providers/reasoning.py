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

    A segment ends at the ``]`` that balances its ``[`` (reasoning may contain brackets, e.g. code).
    """

    __slots__ = ("_any_reasoning", "_depth", "_held", "_need_separator", "_skip_space", "_skip_ws")

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
            self._skip_space = True
            self._need_separator = self._any_reasoning
        return Split("".join(reasoning), "".join(content))

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
    """``<think>...</think>`` blocks are reasoning; everything else is content. Blocks do not nest."""

    __slots__ = ("_held", "_inside", "_skip_ws")

    max_pending: Final = _THINK_MAX_PENDING

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # A suffix that may still become the tag being looked for.
        self._held = ""
        self._inside = False
        # Drop whitespace right after either tag, until the first non-whitespace character.
        self._skip_ws = False

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

    def close(self) -> Split:
        return _EMPTY


def splitter_for(reasoning_format: str) -> ReasoningSplitter:
    """A fresh splitter for a provider's ``reasoning_format`` ("brackets", "think_tags" or "none")."""
    if reasoning_format == "brackets":
        return BracketReasoningSplitter()
    if reasoning_format == "think_tags":
        return ThinkTagSplitter()
    if reasoning_format == "none":
        return PassthroughSplitter()
    raise ValueError(
        f"unknown reasoning format {reasoning_format!r}; expected 'brackets', 'think_tags' or 'none'"
    )


def split_text(splitter: ReasoningSplitter, text: str) -> Split:
    """Split a whole (non-streamed) text with ``splitter``."""
    return splitter.feed(text) + splitter.close()
