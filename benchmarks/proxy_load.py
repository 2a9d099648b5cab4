"""The proxy benchmark's load: the emulator in a child process, and concurrent streaming clients.

``python -m benchmarks.proxy_load`` runs the bundled emulator (``litellm_providers.emulator``) on a free
loopback port, in its own process so that serving never competes with the proxy or the clients for a
GIL. It prints ``PORT <n>``, serves until its stdin closes, then prints what it served as JSON. Its
request log is bounded: the emulator files every request it saw and derives the ``x-synthetic-quotas``
header from their count, which would report the subscription used up after ``QUOTA_LIMIT`` calls (and
the quota-aware routing hook would then refuse every call without an upstream one); the benchmark's
emulator keeps the last few only, so its quota header always shows requests left.

``drive`` is one measured run: ``concurrency`` aiohttp clients at once, each streaming ``per_client``
chat completions back to back (``stream=true``), timing each stream's first token.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOG_KEPT = 32  # requests the benchmark's emulator remembers: far below QUOTA_LIMIT

try:  # the client's own parsing is charged to every route alike; orjson keeps it small
    from orjson import loads as _loads
except ImportError:  # pragma: no cover - orjson is in both legs' venvs
    _loads = json.loads


class BoundedRequestLog(deque[dict[str, Any]]):
    """The emulator's request log, keeping the last ``LOG_KEPT`` requests and counting all of them."""

    def __init__(self) -> None:
        super().__init__(maxlen=LOG_KEPT)
        self.counts: Counter[str] = Counter()

    def append(self, request: dict[str, Any]) -> None:
        agent = str(request.get("headers", {}).get("user-agent", "")).split("/", 1)[0]
        self.counts[f"{request.get('endpoint')} model {request['body'].get('model')} from {agent}"] += 1
        super().append(request)


def _serve_emulator() -> None:
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    from litellm_providers.emulator import EmulatorServer

    class BenchEmulatorServer(EmulatorServer):
        request_queue_size = 1024  # every client of the widest run, and a proxy's, may connect at once

    server = BenchEmulatorServer(("127.0.0.1", 0))
    log = BoundedRequestLog()
    server.requests = log  # type: ignore[assignment]

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the parent closed the pipe or is gone
        server.shutdown()

    threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        print(json.dumps({"served": sum(log.counts.values()), "requests": dict(log.counts)}), flush=True)


class EmulatorProcess:
    """The emulator in a child process; ``base`` is Synthetic's OpenAI-compatible base on it."""

    def __init__(self, python: str = sys.executable) -> None:
        self._python = python
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self.stats: dict[str, Any] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/openai/v1"

    def __enter__(self) -> EmulatorProcess:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        self.process = subprocess.Popen(
            [self._python, "-m", "benchmarks.proxy_load"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, so that its CPU time can be read
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.__exit__()
            raise RuntimeError(f"the emulator did not start (it said {line!r})")
        self.port = int(line.split()[1])
        return self

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid) if self.process is not None else 0.0

    def __exit__(self, *exc: object) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.terminate()  # our own child, by its handle
            process.wait(timeout=5)
        last = process.stdout.read().strip().splitlines()
        self.stats = json.loads(last[-1]) if last and last[-1].startswith("{") else {}
        process.stdout.close()


def cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of every live process in process group ``pgid`` (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == pgid:  # fields[0] is the state: pgrp is the stat file's 5th field
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class RunResult:
    """One measured run: every stream's time to first token, and what came back."""

    wall: float
    requests: int
    failures: int
    tokens: int
    ttfts: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def prompt_of(words: int) -> str:
    """A prompt the emulator answers in ``words`` + 2 streamed words, one chunk each."""
    return " ".join(f"w{index}" for index in range(words))


async def _stream(session: Any, url: str, body: bytes, key: str, result: RunResult) -> None:
    started = time.perf_counter()
    first: float | None = None
    tokens = 0
    done = False
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
    try:
        async with session.post(url, data=body, headers=headers) as response:
            if response.status != 200:
                text = (await response.text())[:200]
                raise RuntimeError(f"HTTP {response.status}: {text}")
            async for line in response.content:
                if not line.startswith(b"data: "):
                    continue
                if line.startswith(b"data: [DONE]"):
                    done = True
                    break
                choices = _loads(line[6:]).get("choices") or [{}]
                delta = choices[0].get("delta") or {}
                if delta.get("content") or delta.get("reasoning_content"):
                    tokens += 1
                    if first is None:
                        first = time.perf_counter() - started
        if not done or first is None:
            raise RuntimeError("the stream ended without [DONE] or without any text")
    except Exception as error:  # a failed stream is counted and named, never timed
        result.failures += 1
        if len(result.errors) < 3:
            result.errors.append(f"{type(error).__name__}: {error}"[:300])
        return
    result.requests += 1
    result.tokens += tokens
    result.ttfts.append(first)


async def drive(url: str, model: str, concurrency: int, per_client: int, words: int, key: str) -> RunResult:
    """``concurrency`` clients at once against ``url`` (an OpenAI-compatible base), each streaming
    ``per_client`` completions of about ``words`` tokens back to back."""
    import aiohttp

    body = json.dumps(
        {"model": model, "messages": [{"role": "user", "content": prompt_of(words)}], "stream": True}
    ).encode()
    endpoint = url + "/chat/completions"
    result = RunResult(wall=0.0, requests=0, failures=0, tokens=0)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            for _ in range(per_client):
                await _stream(session, endpoint, body, key, result)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        result.wall = time.perf_counter() - started
    return result


if __name__ == "__main__":
    _serve_emulator()
