"""The benchmark stream: Synternet's documented shape (shared/seeds/001), made long and deterministic.

Content arrives as ``[Thinking: ...]``, then ``[Reasoning: ...]``, then the answer, cut into
token-sized pieces, one ``chat.completion.chunk`` per piece; the first carries ``role``, the last
carries ``finish_reason: "stop"`` (as Synternet documents), no usage, then ``data: [DONE]``. The
``[Reasoning:`` marker is deliberately cut across two chunks, so the normaliser's hold-back path is
part of every run.

Everything is computed from ``(n_chunks, seed)``, so the server (which sends it) and the benchmark
(which checks what each route delivered) agree without talking.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache

_WORDS = (  # noqa: SIM905
    "consensus block chain node validator stake proof fault tolerance byzantine quorum vote leader "
    "round message signature hash ledger finality fork epoch committee gossip network latency "
    "throughput safety liveness agreement protocol replica commit prepare view change timeout"
).split()

THINKING = "[Thinking: "
REASONING = "[Reasoning: "
MODEL = "syntoshi-apex-thinking"


@dataclass(frozen=True)
class Stream:
    """One benchmark stream: the content pieces and what a correct normaliser makes of them."""

    pieces: tuple[str, ...]
    reasoning: str
    """What ``reasoning_content`` must add up to (segments joined by a newline, as the splitter does)."""
    answer: str
    """What ``content`` must add up to after normalising."""

    @property
    def raw(self) -> str:
        """The content as the provider sends it (what a route without the normaliser delivers)."""
        return "".join(self.pieces)


def _words(rng: random.Random, count: int) -> list[str]:
    return [" " + rng.choice(_WORDS) for _ in range(count)]


@lru_cache(maxsize=32)
def build(n_chunks: int, seed: int = 7) -> Stream:
    """``n_chunks`` content chunks: 20% thinking, 20% reasoning, the rest answer (at least 6 chunks)."""
    if n_chunks < 6:
        raise ValueError("a benchmark stream needs at least 6 chunks")
    rng = random.Random(seed)
    n_think = max(2, n_chunks // 5)
    n_reason = max(2, n_chunks // 5)
    n_answer = n_chunks - n_think - n_reason
    think = _words(rng, n_think)
    reason = _words(rng, n_reason)
    answer = _words(rng, n_answer)
    # [Thinking: w w ... w] | [Reas | oning: w w ... w] | A a a ...   (one "|" per chunk boundary shown)
    think[0] = THINKING + think[0].lstrip()
    think[-1] += "] "
    reason[0] = REASONING[:5]  # "[Reas": a marker prefix the normaliser must hold back
    reason[1] = REASONING[5:] + reason[1].lstrip()
    reason[-1] += "]"
    answer[0] = answer[0].lstrip().capitalize()
    pieces = tuple(think + reason + answer)
    # The splitter drops the one space after a marker's colon, the whitespace after a closed segment,
    # and joins segments with a newline.
    think_text = "".join(think)[len(THINKING) : -len("] ")]
    reason_text = "".join(reason)[len(REASONING) : -len("]")]
    return Stream(pieces=pieces, reasoning=think_text + "\n" + reason_text, answer="".join(answer))


def event(payload: dict[str, object]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def events(stream: Stream, model: str, chunk_id: str = "chatcmpl-bench") -> list[bytes]:
    """The SSE events for ``stream``: one per piece, then ``data: [DONE]``."""
    out = []
    last = len(stream.pieces) - 1
    for index, piece in enumerate(stream.pieces):
        delta: dict[str, str] = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
        out.append(
            event(
                {
                    "id": chunk_id,
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": model,
                    "choices": [
                        {"index": 0, "delta": delta, "finish_reason": "stop" if index == last else None}
                    ],
                }
            )
        )
    out.append(b"data: [DONE]\n\n")
    return out


def drip_stream(shape: str) -> Stream:
    """A short stream for time-to-first-token: ``doc`` has whole markers, ``cut`` splits the first one."""
    if shape == "doc":
        pieces = (
            "[Thinking: Let me break down blockchain consensus.]",
            "[Reasoning: Byzantine fault tolerance is key.]",
            "Blockchain",
            " consensus",
            " is",
            " agreement.",
        )
        reasoning = "Let me break down blockchain consensus.\nByzantine fault tolerance is key."
    elif shape == "cut":
        pieces = (
            "[Thin",
            "king: Let me break down blockchain consensus.]",
            "[Reasoning: Byzantine fault tolerance is key.]",
            "Blockchain",
            " consensus",
            " is agreement.",
        )
        reasoning = "Let me break down blockchain consensus.\nByzantine fault tolerance is key."
    else:
        raise ValueError(f"unknown drip shape {shape!r}")
    return Stream(pieces=pieces, reasoning=reasoning, answer="Blockchain consensus is agreement.")


def first_answer_chunk(stream: Stream) -> int:
    """Index of the chunk that carries the first answer character."""
    prefix = len(stream.raw) - len(stream.answer)
    seen = 0
    for index, piece in enumerate(stream.pieces):
        seen += len(piece)
        if seen > prefix:
            return index
    raise ValueError("the stream has no answer")
