"""Running the server, timing and memory measurement, medians: shared by every benchmark."""

from __future__ import annotations

import asyncio
import gc
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


class ServerProcess:
    """``benchmarks.server`` in a child process; ``base`` is ``http://127.0.0.1:PORT/v1``."""

    def __init__(self, max_requests: int, idle: float = 120.0, deadline: float = 900.0) -> None:
        self.max_requests = max_requests
        self._args = ["--max-requests", str(max_requests), "--idle", str(idle), "--deadline", str(deadline)]
        self._process: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ServerProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", *self._args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the benchmark server did not start (it said {line!r})")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> str:
        """Close its stdin (it stops by itself on EOF); return its last words."""
        process = self._process
        if process is None:
            return ""
        self._process = None
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.terminate()  # our own child, by its handle
            process.wait(timeout=5)
        out = process.stdout.read()
        process.stdout.close()
        return out.strip()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def drain_litellm_logging(timeout: float = 30.0) -> None:
    """Wait until LiteLLM's background logging executor has nothing queued or running.

    LiteLLM submits a logging task per streamed chunk and one per finished stream; letting the last
    run's tasks finish before the next measurement keeps runs independent. The executor counts its
    queued-plus-running tasks in a semaphore; if that internal changes, fall back to a short pause.
    """
    try:
        from litellm.litellm_core_utils.thread_pool_executor import executor
    except ImportError:
        time.sleep(0.2)
        return
    slots = getattr(executor, "_pending_slots", None)
    capacity = getattr(executor, "_max_pending_tasks", None)
    if slots is None or capacity is None:
        time.sleep(0.2)
        return
    end = time.monotonic() + timeout
    while slots._value < capacity and time.monotonic() < end:
        time.sleep(0.001)


def settle() -> None:
    drain_litellm_logging()
    gc.collect()


async def adrain(timeout: float = 30.0) -> None:
    """Let the loop finish LiteLLM's tasks of the last stream, then drain its logging executor.

    A finished async stream leaves a success-logging task on the loop that holds the whole stream;
    if it ran during the next measurement, that one would be charged for it.
    """
    end = time.monotonic() + timeout
    current = asyncio.current_task()
    while time.monotonic() < end:
        pending = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
        if not pending:
            break
        await asyncio.wait(pending, timeout=max(0.0, end - time.monotonic()))
    await asyncio.sleep(0)
    drain_litellm_logging()


async def asettle() -> None:
    """``settle`` for async runs."""
    await adrain()
    gc.collect()


@contextmanager
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds, and CPU seconds of this process (all its threads) over the same run.

    CPU time is far less sensitive than wall time to other processes on the machine, so it is
    reported alongside as a check; the targets are on wall time, which is what a caller waits.
    """

    wall: float
    cpu: float
    after: float
    """Seconds LiteLLM's background work (logging thread pool, loop tasks) went on after the stream
    ended: not part of ``wall``, but work the call caused."""


def timed(run: Callable[[], T]) -> tuple[Timing, T]:
    settle()
    cpu = time.process_time()
    start = time.perf_counter()
    result = run()
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    drain_litellm_logging()
    return Timing(end - start, cpu, time.perf_counter() - end), result


def peak_bytes(run: Callable[[], T]) -> tuple[int, T]:
    """Peak traced allocation above what was live before ``run`` (tracemalloc must be running)."""
    settle()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = run()
    return tracemalloc.get_traced_memory()[1] - before, result


async def atimed(run: Callable[[], Any]) -> tuple[Timing, Any]:
    await asettle()
    cpu = time.process_time()
    start = time.perf_counter()
    result = await run()
    end = time.perf_counter()
    cpu = time.process_time() - cpu
    await adrain()
    return Timing(end - start, cpu, time.perf_counter() - end), result


async def apeak_bytes(run: Callable[[], Any]) -> tuple[int, Any]:
    await asettle()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    result = await run()
    return tracemalloc.get_traced_memory()[1] - before, result


def rotations(items: Sequence[str], repeats: int) -> Iterator[list[str]]:
    """Interleaved order: each repeat runs every item once, starting at a different one."""
    for repeat in range(repeats):
        shift = repeat % len(items)
        yield [*items[shift:], *items[:shift]]


@dataclass
class Samples:
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)

    def median(self, key: str) -> float:
        return statistics.median(self.values[key])

    def spread(self, key: str) -> tuple[float, float]:
        return min(self.values[key]), max(self.values[key])
