"""The quota-aware routing hook's own time per call (``litellm_providers.routing``), timed directly.

A Router call with the hook enabled runs ``async_filter_deployments`` once (before the call: read
each deployment's key state, drop the used-up keys, order by headroom) and one success or failure
callback (after it: parse the answer's ``x-synthetic-quotas`` header, store the key's state). Each
sample here is that pair, on a plain ``litellm.Router`` with two Synthetic deployments (two keys)
and the hook attached with ``routing.use_with``; every answer carries a different quota header, as
a real one does (one more request used each time), so each call parses and stores a new state.

Cases: the Router's cache in memory only (one proxy, or a Router in a script), and, when
``redis-server`` is on PATH, a Router with Redis (a fleet), on a throwaway loopback redis-server. With
Redis the hook reads the fleet's states at most once a second per model group and writes a key's
state at most once a second unless it became used up or free (``routing``): calls back to back pay
for Redis rarely, so both cases are also run at a proxy's pace (``PACED_CALLS_PER_SECOND``, what one
proxy served in section 6), where the round trips fall on one call in twenty or so: the difference of
the two paced means is what Redis adds. (Paced, every call is slower, in memory too: the process
comes back to cold caches after each pause.)

``time_router_calls`` times whole calls instead: a plain Router streaming from the emulator without a
callback, with a do-nothing routing callback, and with the hook, to show LiteLLM's own dispatch
beside the hook's work.
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
PACED_CALLS_PER_SECOND = 20
PACED_CALLS = 1_000
KEYS = ("bench-quota-key-1", "bench-quota-key-2")


@dataclass
class HookTiming:
    case: str
    calls: int
    samples: list[float]  # filter + success callback, per call
    filter_samples: list[float]  # of which async_filter_deployments
    cpu_samples: list[float]  # this process's CPU time for the pair: what other processes leave alone
    pace: float = 0.0  # seconds between calls; 0: back to back

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.samples)

    @property
    def p99(self) -> float:
        return statistics.quantiles(self.samples, n=100)[98] if len(self.samples) > 1 else self.samples[0]

    def summary(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "calls": self.calls,
            "median": self.median,
            "mean": self.mean,
            "p99": self.p99,
            "filter_median": statistics.median(self.filter_samples),
            "cpu_mean": statistics.fmean(self.cpu_samples),
            "pace": self.pace,
        }


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


async def _time_case(
    case: str, redis_port: int | None, calls: int, warmups: int, pace: float = 0.0
) -> HookTiming:
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
    cpu: list[float] = []
    for index in range(warmups + calls):
        deployment = deployments[index % len(deployments)]
        header = json.dumps(quotas_answer(index % 100))
        response = litellm.ModelResponse()
        response._hidden_params = {"additional_headers": {_HIDDEN_HEADER: header}}
        kwargs = {"litellm_params": deployment["litellm_params"], "model": MODEL}
        cpu_started, started = time.process_time(), time.perf_counter()
        kept = await hook.async_filter_deployments(MODEL, deployments, messages)
        between = time.perf_counter()
        await hook.async_log_success_event(kwargs, response, None, None)
        ended, cpu_ended = time.perf_counter(), time.process_time()
        assert kept, "the hook dropped every deployment: the timing would not be of the usual path"
        if pace:
            await asyncio.sleep(pace)  # between calls, as a proxy's calls come: not timed
        if index >= warmups:
            samples.append(ended - started)
            filtered.append(between - started)
            cpu.append(cpu_ended - cpu_started)
    return HookTiming(case, calls, samples, filtered, cpu, pace)


def time_hook(calls: int, warmups: int, log: Any = print) -> list[HookTiming]:
    """The hook's time per call: in memory, and with Redis when a redis-server is available."""
    timings = [asyncio.run(_time_case("Router cache in memory", None, calls, warmups))]
    log(f"  hook, in memory: {timings[0].median * 1e6:.0f} µs per call (median)")
    paced, pace = min(calls, PACED_CALLS), 1 / PACED_CALLS_PER_SECOND
    timings.append(asyncio.run(_time_case("in memory", None, paced, min(warmups, 20), pace)))
    log(f"  hook, in memory, paced: {timings[-1].mean * 1e6:.0f} µs per call (mean)")
    with redis_server() as port:
        if port is None:
            log("  hook with Redis: no redis-server on PATH, skipped")
        else:
            timings.append(asyncio.run(_time_case("Router cache with Redis (a fleet)", port, calls, warmups)))
            log(f"  hook, with Redis: {timings[-1].median * 1e6:.0f} µs per call (median)")
            timings.append(asyncio.run(_time_case("with Redis", port, paced, min(warmups, 20), pace)))
            log(f"  hook, with Redis, paced: {timings[-1].mean * 1e6:.0f} µs per call (mean)")
    return timings


async def _router_streams(router: Any, calls: int, words: int) -> tuple[float, float]:
    """Wall and CPU seconds per streamed ``router.acompletion`` call, over ``calls`` calls."""
    from benchmarks.proxy_load import prompt_of

    messages = [{"role": "user", "content": prompt_of(words)}]
    cpu, started = time.process_time(), time.perf_counter()
    for _ in range(calls):
        stream = await router.acompletion(model=MODEL, messages=messages, stream=True)
        async for _chunk in stream:
            pass
    await asyncio.sleep(0.05)  # the success callbacks LiteLLM runs as tasks after the stream
    return (time.perf_counter() - started) / calls, (time.process_time() - cpu) / calls


def _null_logger() -> Any:
    from litellm.integrations.custom_logger import CustomLogger

    class DoNothingFilter(CustomLogger):
        """A routing callback with the hook's shape and no work: LiteLLM's own cost of one more."""

        async def async_filter_deployments(
            self,
            model: str,
            healthy_deployments: list[Any],
            messages: Any,
            request_kwargs: Any = None,
            parent_otel_span: Any = None,
        ) -> list[Any]:
            return healthy_deployments

    return DoNothingFilter()


ROUTER_ARMS = ("no callback", "a do-nothing routing callback", "the quota-aware routing hook")


def time_router_calls(api_base: str, calls: int, rounds: int, words: int) -> dict[str, Any]:
    """A plain ``litellm.Router`` streaming from the emulator in batches of ``calls``: without a
    callback, with a do-nothing routing callback (LiteLLM's dispatch to one more callback: for a
    stream it calls ``async_log_stream_event`` on every chunk) and with the hook (``use_with``), in an
    order reversed every round. Median seconds per call, wall and CPU, for each."""
    import litellm

    from litellm_providers.routing import QuotaAwareRouting, use_with

    litellm.suppress_debug_info = True
    model_list = [
        {
            "model_name": MODEL,
            "litellm_params": {"model": "synthetic/hf:zai-org/GLM-4.7", "api_key": key, "api_base": api_base},
        }
        for key in KEYS
    ]
    router = litellm.Router(model_list=model_list)
    hook = QuotaAwareRouting()
    callbacks = dict(zip(ROUTER_ARMS, (None, _null_logger(), hook), strict=True))
    samples: dict[str, list[tuple[float, float]]] = {arm: [] for arm in ROUTER_ARMS}

    async def run() -> None:
        await _router_streams(router, 3, words)  # warm-up
        for index in range(rounds):
            for arm in ROUTER_ARMS if index % 2 == 0 else ROUTER_ARMS[::-1]:
                callback = callbacks[arm]
                if callback is hook:
                    use_with(router, hook)
                elif callback is not None:
                    litellm.callbacks.append(callback)
                samples[arm].append(await _router_streams(router, calls, words))
                if callback is not None:
                    litellm.callbacks.remove(callback)

    asyncio.run(run())
    return {
        "calls": calls,
        "rounds": rounds,
        "chunks": words + 3,
        "arms": {
            arm: {
                "wall": statistics.median(w for w, _ in got),
                "cpu": statistics.median(c for _, c in got),
                "cpu_range": [min(c for _, c in got), max(c for _, c in got)],
            }
            for arm, got in samples.items()
        },
    }
