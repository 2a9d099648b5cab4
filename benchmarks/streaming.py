"""Benchmarks 1 and 3: the same stream through the three routes (time, memory), and time to first token."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import litellm

from benchmarks.harness import (
    Samples,
    Timing,
    apeak_bytes,
    asettle,
    atimed,
    peak_bytes,
    rotations,
    settle,
    timed,
    traced,
)
from benchmarks.routes import MODELS, ROUTES, Read, Routes
from benchmarks.stream import Stream, build, drip_stream

MODES = ("sync", "async")


def check(route: str, stream: Stream, read: Read) -> None:
    """Every route must deliver the whole stream: normalised for the package, raw for the others."""
    if route == "package":
        ok = read.reasoning == stream.reasoning and read.content == stream.answer
    else:
        ok = read.reasoning == "" and read.content == stream.raw
    if not ok:
        raise AssertionError(
            f"route {route} delivered the wrong text ({len(read.reasoning)} reasoning and "
            f"{len(read.content)} content characters)"
        )


@dataclass
class StreamResults:
    lengths: list[int]
    repeats: int
    memory_lengths: list[int]
    memory_repeats: int
    # "<mode>/<route>/<chunks>" -> one value per run: seconds (time, cpu, after) or peak bytes (memory)
    time: Samples = field(default_factory=Samples)
    cpu: Samples = field(default_factory=Samples)
    after: Samples = field(default_factory=Samples)
    memory: Samples = field(default_factory=Samples)

    def add(self, key: str, timing: Timing) -> None:
        self.time.add(key, timing.wall)
        self.cpu.add(key, timing.cpu)
        self.after.add(key, timing.after)


def _prompt(n_chunks: int) -> str:
    return f"bench n={n_chunks}"


def requests_needed(
    lengths: list[int], repeats: int, memory_lengths: list[int], memory_repeats: int, warmups: int
) -> int:
    per_mode = len(ROUTES) * (len(lengths) * repeats + len(memory_lengths) * memory_repeats + warmups)
    return per_mode * len(MODES)


def sync_streams(routes: Routes, results: StreamResults, warmups: int, log: Callable[[str], None]) -> None:
    for _ in range(warmups):
        for route in ROUTES:
            n = results.lengths[0]
            check(route, build(n), routes.sync(route)(_prompt(n)))
    for repeat, order in enumerate(rotations(ROUTES, results.repeats)):
        for n in results.lengths:
            for route in order:
                timing, read = timed(partial(routes.sync(route), _prompt(n)))
                check(route, build(n), read)
                results.add(f"sync/{route}/{n}", timing)
        log(f"  sync time, repeat {repeat + 1}/{results.repeats}")
    with traced():
        for order in rotations(ROUTES, results.memory_repeats):
            for n in results.memory_lengths:
                for route in order:
                    peak, read = peak_bytes(partial(routes.sync(route), _prompt(n)))
                    check(route, build(n), read)
                    results.memory.add(f"sync/{route}/{n}", peak)
    log("  sync memory done")


async def async_streams(
    routes: Routes, results: StreamResults, warmups: int, log: Callable[[str], None]
) -> None:
    for _ in range(warmups):
        for route in ROUTES:
            n = results.lengths[0]
            check(route, build(n), await routes.async_(route)(_prompt(n)))
    for repeat, order in enumerate(rotations(ROUTES, results.repeats)):
        for n in results.lengths:
            for route in order:
                timing, read = await atimed(_bind(routes.async_(route), _prompt(n)))
                check(route, build(n), read)
                results.add(f"async/{route}/{n}", timing)
        log(f"  async time, repeat {repeat + 1}/{results.repeats}")
    with traced():
        for order in rotations(ROUTES, results.memory_repeats):
            for n in results.memory_lengths:
                for route in order:
                    peak, read = await apeak_bytes(_bind(routes.async_(route), _prompt(n)))
                    check(route, build(n), read)
                    results.memory.add(f"async/{route}/{n}", peak)
    log("  async memory done")


def _bind(
    read: Callable[[str], Coroutine[Any, Any, Read]], prompt: str
) -> Callable[[], Coroutine[Any, Any, Read]]:
    return lambda: read(prompt)


# -- time to first token -----------------------------------------------------------------------------

TTFT_ROUTES = ("package", "openai")
SHAPES = ("doc", "cut")


@dataclass
class TtftResults:
    delay: float
    repeats: int
    # "sync/doc/package/reasoning", ".../content", "sync/doc/openai/first", ".../answer" -> seconds
    samples: Samples = field(default_factory=Samples)

    def record(self, mode: str, shape: str, route: str, times: dict[str, float]) -> None:
        for name, value in times.items():
            self.samples.add(f"{mode}/{shape}/{route}/{name}", value)


def ttft_requests_needed(repeats: int) -> int:
    return len(MODES) * len(SHAPES) * len(TTFT_ROUTES) * repeats


class _Clock:
    """Times of first reasoning, first content, and first answer text (raw routes) since ``start``."""

    def __init__(self, answer_offset: int) -> None:
        self.start = time.perf_counter()
        self.answer_offset = answer_offset
        self.seen = 0
        self.times: dict[str, float] = {}

    def chunk(self, chunk: Any) -> None:
        now = time.perf_counter() - self.start
        delta = chunk.choices[0].delta if chunk.choices else None
        if delta is None:
            return
        if getattr(delta, "reasoning_content", None):
            self.times.setdefault("reasoning", now)
        if delta.content:
            self.times.setdefault("first", now)
            self.seen += len(delta.content)
            if self.seen > self.answer_offset:
                self.times.setdefault("answer", now)


def _drip_prompt(shape: str, delay: float) -> str:
    return f"drip shape={shape} delay={delay}"


def _drip_call(route: str, routes: Routes, shape: str, delay: float) -> dict[str, Any]:
    return {
        "model": MODELS[route],
        "messages": [{"role": "user", "content": _drip_prompt(shape, delay)}],
        "api_base": routes.api_base,
        "api_key": "x",
        "stream": True,
    }


def _answer_offset(route: str, shape: str) -> int:
    # Raw routes deliver the markers as content: their answer starts after the whole reasoning text.
    # The package's first content token is its first answer token.
    stream = drip_stream(shape)
    return 0 if route == "package" else len(stream.raw) - len(stream.answer)


def sync_ttft(routes: Routes, results: TtftResults, log: Callable[[str], None]) -> None:
    for shape in SHAPES:
        for order in rotations(TTFT_ROUTES, results.repeats):
            for route in order:
                settle()
                clock = _Clock(_answer_offset(route, shape))
                for chunk in litellm.completion(**_drip_call(route, routes, shape, results.delay)):
                    clock.chunk(chunk)
                results.record("sync", shape, route, clock.times)
    log("  sync time to first token done")


async def async_ttft(routes: Routes, results: TtftResults, log: Callable[[str], None]) -> None:
    for shape in SHAPES:
        for order in rotations(TTFT_ROUTES, results.repeats):
            for route in order:
                await asettle()
                clock = _Clock(_answer_offset(route, shape))
                response = await litellm.acompletion(**_drip_call(route, routes, shape, results.delay))
                async for chunk in response:
                    clock.chunk(chunk)
                results.record("async", shape, route, clock.times)
    log("  async time to first token done")


# -- LiteLLM's default streaming logging, both routes alike ---------------------------------------


def sync_with_litellm_logging(
    routes: Routes, results: StreamResults, n: int, repeats: int, log: Callable[[str], None]
) -> None:
    """The same comparison with ``litellm.disable_streaming_logging`` left at LiteLLM's default."""
    saved = litellm.disable_streaming_logging
    litellm.disable_streaming_logging = False
    try:
        for order in rotations(TTFT_ROUTES, repeats):
            for route in order:
                timing, read = timed(partial(routes.sync(route), _prompt(n)))
                check(route, build(n), read)
                results.add(f"sync-logging/{route}/{n}", timing)
    finally:
        litellm.disable_streaming_logging = saved
    log("  sync with LiteLLM's streaming logging done")


async def async_with_litellm_logging(
    routes: Routes, results: StreamResults, n: int, repeats: int, log: Callable[[str], None]
) -> None:
    saved = litellm.disable_streaming_logging
    litellm.disable_streaming_logging = False
    try:
        for order in rotations(TTFT_ROUTES, repeats):
            for route in order:
                timing, read = await atimed(_bind(routes.async_(route), _prompt(n)))
                check(route, build(n), read)
                results.add(f"async-logging/{route}/{n}", timing)
    finally:
        litellm.disable_streaming_logging = saved
    log("  async with LiteLLM's streaming logging done")
