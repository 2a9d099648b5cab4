"""Synternet's reasoning format: ``[Thinking: ...]`` / ``[Reasoning: ...]`` segments before the answer.

The splitter follows the rules ``reasoning.py`` states for every splitter (pure, incremental, leading
reasoning only, a stream reads as its whole text); what is particular to brackets is where a segment
ends, since reasoning may hold brackets of its own (code, intervals).
"""

from __future__ import annotations

import re
from typing import Final

from litellm_providers.reasoning import Split, text_start

_BRACKET_MARKERS: Final = ("[Thinking:", "[Reasoning:")
_BRACKET_MARKER_RE: Final = re.compile(r"\[(?:Thinking|Reasoning):")
# Also the most held back: outside a segment a proper prefix of a marker; inside one, a "]" that may end
# the segment because the next marker follows it, with a proper prefix of that marker.
_BRACKET_MARKER_MAX: Final = max(map(len, _BRACKET_MARKERS))


def _is_bracket_marker_prefix(text: str) -> bool:
    return any(marker.startswith(text) for marker in _BRACKET_MARKERS)


def _one_unbalanced_step(body: str) -> bool:
    """Whether ``body`` is one whole ``[Thinking: ...]`` step whose brackets do not balance."""
    return (
        _BRACKET_MARKER_RE.match(body) is not None
        and body.endswith("]")
        and _BRACKET_MARKER_RE.search(body, 1) is None
        and body.count("[") != body.count("]")
    )


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
            # Whitespace before the first segment is kept; after a segment it is dropped.
            start = text_start(buf, pos, content, keep_whitespace=not self._skip_ws)
            if start is None:
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

    def feed_event(self, text: str) -> Split:
        """``feed`` for a text that is one whole provider event (one SSE object's content).

        Synternet sends each reasoning step as one whole object, ``[Thinking: ...]`` or
        ``[Reasoning: ...]``. When such an object's brackets do not balance ("the interval (0, 1]",
        "[0, 1)"), counting them would end the step too early or never: the object's end says where it
        ends. Any other event, a step whose brackets balance included (counting reads it exactly), is
        ``feed(text)``, so a stream reads as its whole text unless it carries such a step.
        """
        body = text.strip()
        if self._held or self._depth or self._answer_started or not _one_unbalanced_step(body):
            return self.feed(text)
        # Leading whitespace as ``feed`` has it: content before the first segment, else dropped.
        lead = self.feed(text[: len(text) - len(text.lstrip())])
        inner = _BRACKET_MARKER_RE.sub("", body, count=1)[:-1]
        reasoning: list[str] = []
        self._need_separator = self._any_reasoning
        self._segment_chars = 0
        self._emit_reasoning(inner[1:] if inner.startswith(" ") else inner, reasoning)
        self._skip_ws = True  # whitespace opening the next event, as after any segment
        return lead + Split(reasoning="".join(reasoning))

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
