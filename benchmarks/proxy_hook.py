"""The quota-aware routing hook's own time per call (``litellm_providers.routing``), timed directly.

A Router call with the hook enabled runs ``async_filter_deployments`` once (before the call: read
each deployment's key state, drop the used-up keys, order by headroom) and one success or failure
callback (after it: parse the answer's ``x-synthetic-quotas`` header, store the key's state). Each
sample here is that pair, on a plain ``litellm.Router`` with two Synthetic deployments (two keys)
and the hook attached with ``routing.use_with``; every answer carries a different quota header, as
a real one does (one more request used each time), so each call parses and stores a new state.

Cases: the Router's cache in memory only (one proxy, or a Router in a script), and, when
``redis-server`` is on PATH, a Router with Redis (a fleet: each filter reads the keys' states from
Redis, each success writes there), on a throwaway loopback redis-server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
import statistics
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MODEL = "glm-4.7"
KEYS = ("bench-quota-key-1", "bench-quota-key-2")


@dataclass
class HookTiming:
    case: str
    calls: int
    samples: list[float]  # filter + success callback, per call
    filter_samples: list[float]  # of which async_filter_deployments

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.samples, n=100)[98] if len(self.samples) > 1 else self.samples[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def redis_server() -> Iterator[int | None]:
    """A throwaway redis-server on a free loopback port (no persistence), or None without one."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()  # our own child, by its handle
        process.wait(timeout=10)


def _router(redis_port: int | None) -> Any:
    import litellm

    model_list = [
        {
            "model_name": MODEL,
            "litellm_params": {"model": "synthetic/hf:zai-org/GLM-4.7", "api_key": key},
        }
        for key in KEYS
    ]
    if redis_port is None:
        return litellm.Router(model_list=model_list)
    return litellm.Router(model_list=model_list, redis_host="127.0.0.1", redis_port=redis_port)


async def _time_case(case: str, redis_port: int | None, calls: int, warmups: int) -> HookTiming:
    import litellm

    from litellm_providers.emulator import quotas_answer
    from litellm_providers.routing import _HIDDEN_HEADER, QuotaAwareRouting, use_with

    router = _router(redis_port)
    hook = QuotaAwareRouting()
    use_with(router, hook)
    litellm.callbacks.remove(hook)  # timed directly here; no call goes through LiteLLM
    deployments = [d for d in router.model_list if d["model_name"] == MODEL]
    messages = [{"role": "user", "content": "hello"}]
    samples: list[float] = []
    filtered: list[float] = []
    for index in range(warmups + calls):
        deployment = deployments[index % len(deployments)]
        header = json.dumps(quotas_answer(index % 100))
        response = litellm.ModelResponse()
        response._hidden_params = {"additional_headers": {_HIDDEN_HEADER: header}}
        kwargs = {"litellm_params": deployment["litellm_params"], "model": MODEL}
        started = time.perf_counter()
        kept = await hook.async_filter_deployments(MODEL, deployments, messages)
        between = time.perf_counter()
        await hook.async_log_success_event(kwargs, response, None, None)
        ended = time.perf_counter()
        assert kept, "the hook dropped every deployment: the timing would not be of the usual path"
        if index >= warmups:
            samples.append(ended - started)
            filtered.append(between - started)
    return HookTiming(case, calls, samples, filtered)


def time_hook(calls: int, warmups: int, log: Any = print) -> list[HookTiming]:
    """The hook's time per call: in memory, and with Redis when a redis-server is available."""
    timings = [asyncio.run(_time_case("Router cache in memory", None, calls, warmups))]
    log(f"  hook, in memory: {timings[0].median * 1e6:.0f} µs per call (median)")
    with redis_server() as port:
        if port is None:
            log("  hook with Redis: no redis-server on PATH, skipped")
        else:
            timings.append(asyncio.run(_time_case("Router cache with Redis (a fleet)", port, calls, warmups)))
            log(f"  hook, with Redis: {timings[-1].median * 1e6:.0f} µs per call (median)")
    return timings
