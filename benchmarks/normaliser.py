"""Benchmark 2: the reasoning normaliser alone, on a long stream cut into small random chunks.

The text is Synternet-style (``[Thinking: ...]`` / ``[Reasoning: ...]`` segments with brackets inside,
answers with ``[`` in them) for ``BracketReasoningSplitter``, and ``<think>...</think>`` blocks for
``ThinkTagSplitter``. Chunks are 16-256 characters from a seeded RNG, so every marker gets cut
somewhere. Throughput is timed on pre-cut chunks (cutting is not the splitter's work); memory is
traced while the chunks are cut on the fly, so the input never sits in memory and what is traced is
the splitter's own state plus one chunk and its output.
"""

from __future__ import annotations

import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from benchmarks.harness import settle
from litellm_providers.bracket_reasoning import BracketReasoningSplitter
from litellm_providers.reasoning import ReasoningSplitter, ThinkTagSplitter

MB = 1_000_000  # characters; the text is ASCII, so characters and UTF-8 bytes agree
_WORDS = "the node votes on a block and the quorum commits it once two thirds of stake agree".split()  # noqa: SIM905


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _bracket_step(rng: random.Random) -> str:
    thinking = f"[Thinking: {_sentence(rng, 40)} (see [1] and list[int]) {_sentence(rng, 30)}]"
    reasoning = f"[Reasoning: {_sentence(rng, 50)} [[nested] brackets] {_sentence(rng, 20)}]"
    return thinking + " " + reasoning + "\n"


def _bracket_answer(rng: random.Random) -> str:
    return f"{_sentence(rng, 60)} [a link](https://example.com) [Thinking: quoted] {_sentence(rng, 40)}.\n"


def _think_step(rng: random.Random) -> str:
    return f"<think>{_sentence(rng, 70)} a < b and </thin {_sentence(rng, 50)}</think>\n"


def _think_answer(rng: random.Random) -> str:
    return f"{_sentence(rng, 80)} <b>bold</b> a quoted <think> tag {_sentence(rng, 40)}.\n"


# Reasoning is recognised only before the answer (``reasoning.py``): each stream is a long run of
# reasoning steps back to back, then the answer, so both channels carry volume.
TEXTS: dict[str, dict[str, Callable[[random.Random], str]]] = {
    "brackets": {"reasoning": _bracket_step, "answer": _bracket_answer},
    "think_tags": {"reasoning": _think_step, "answer": _think_answer},
}
SPLITTERS: dict[str, Callable[[], ReasoningSplitter]] = {
    "brackets": BracketReasoningSplitter,
    "think_tags": ThinkTagSplitter,
}
SPLITTER_NAMES = {"brackets": "BracketReasoningSplitter", "think_tags": "ThinkTagSplitter"}
# About this share of a stream is reasoning (whole repeats of the reasoning text), the rest answer.
REASONING_SHARE = 0.6


@lru_cache(maxsize=8)
def _base_text(kind: str, seed: int, part: str = "reasoning") -> str:
    """About 256 KB of whole reasoning steps or of answer; longer runs repeat it."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < 256_000:
        parts.append(TEXTS[kind][part](rng))
        size += len(parts[-1])
    return "".join(parts)


def _cyclic(base: str, start: int, size: int) -> str:
    start %= len(base)
    piece = base[start : start + size]
    while len(piece) < size:
        piece += base[: size - len(piece)]
    return piece


def chunks(kind: str, total: int, seed: int = 11) -> Iterator[str]:
    """``total`` characters of ``kind`` text in chunks of 16-256 characters (seeded): whole repeats of
    the reasoning text, then answer text."""
    reasoning, answer = _base_text(kind, seed, "reasoning"), _base_text(kind, seed, "answer")
    # Ends on a step boundary, so the answer starts outside any segment.
    switch = len(reasoning) * max(1, int(total * REASONING_SHARE) // len(reasoning))
    rng = random.Random(seed + 1)
    sent = 0
    while sent < total:
        size = min(rng.randint(16, 256), total - sent)
        if sent + size <= switch:
            yield _cyclic(reasoning, sent, size)
        elif sent >= switch:
            yield _cyclic(answer, sent - switch, size)
        else:
            yield _cyclic(reasoning, sent, switch - sent) + _cyclic(answer, 0, size - (switch - sent))
        sent += size


def _consume(splitter: ReasoningSplitter, pieces: Iterator[str] | list[str]) -> tuple[int, int]:
    reasoning = content = 0
    for piece in pieces:
        split = splitter.feed(piece)
        reasoning += len(split.reasoning)
        content += len(split.content)
    tail = splitter.close()
    return reasoning + len(tail.reasoning), content + len(tail.content)


@dataclass
class NormaliserResults:
    total: int
    repeats: int
    memory_sizes: list[int]
    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak: dict[str, dict[int, int]] = field(default_factory=dict)
    split: dict[str, tuple[int, int]] = field(default_factory=dict)

    def mb_per_s(self, kind: str) -> float:
        return self.total / MB / statistics.median(self.seconds[kind])


def run_normaliser(
    total: int, repeats: int, memory_sizes: list[int], log: Callable[[str], None]
) -> NormaliserResults:
    results = NormaliserResults(total, repeats, memory_sizes)
    for kind in SPLITTERS:
        pieces = list(chunks(kind, total))
        times = []
        for _ in range(repeats):
            settle()
            start = time.perf_counter()
            split = _consume(SPLITTERS[kind](), pieces)
            times.append(time.perf_counter() - start)
            if sum(split) > total or sum(split) < total * 0.8:
                raise AssertionError(f"{kind}: {sum(split)} characters out of {total} in")
            results.split[kind] = split
        results.seconds[kind] = times
        del pieces
        results.peak[kind] = {}
        for size in memory_sizes:
            _base_text(kind, 11, "reasoning")  # built (and cached) before tracing: the input is not
            _base_text(kind, 11, "answer")  # the splitter's
            settle()
            tracemalloc.start()
            try:
                before = tracemalloc.get_traced_memory()[0]
                _consume(SPLITTERS[kind](), chunks(kind, size))
                results.peak[kind][size] = tracemalloc.get_traced_memory()[1] - before
            finally:
                tracemalloc.stop()
        log(f"  {SPLITTER_NAMES[kind]}: {results.mb_per_s(kind):.0f} MB/s")
    return results
