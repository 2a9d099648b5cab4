"""Benchmark 6: a real ``litellm --config`` proxy under concurrent streaming clients (issue 23).

``python -m benchmarks proxy [--quick | --smoke] [--json PATH] [--compare PATH] [--write]`` starts, on free
loopback ports, the bundled emulator (``benchmarks.proxy_load``, its own process) and LiteLLM proxies
from a generated config: one with one worker, one with two (``--num_workers``), and one with one worker
and the quota-aware routing hook (``litellm_settings.callbacks``). Each proxy serves the same model
twice, through this package's ``synthetic/`` route and through LiteLLM's generic ``openai/`` route, both
at the emulator's Synthetic base. ``concurrency`` aiohttp clients at once stream completions through
each (and straight from the emulator, its ceiling), every configuration once per round in a rotated
order; then the hook's own time per call is measured directly, and a plain Router's calls with and
without it (``benchmarks.proxy_hook``).

It prints the Markdown section; ``--write`` puts it into docs/benchmarks.md (replacing an earlier one),
and a full ``python -m benchmarks`` run keeps it there. Both LiteLLM legs: run the floor leg's venv with
``--json floor.json``, then the newest leg's with ``--compare floor.json --write`` (or ``--from-json``
a saved run of it instead of measuring again).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import benchmarks  # noqa: F401  (sets LITELLM_LOCAL_MODEL_COST_MAP)
from benchmarks.harness import ROOT, rotations
from benchmarks.proxy_load import EmulatorProcess, RunResult, cpu_seconds, drive

HEADING = "## 6. A LiteLLM proxy under concurrent streams"
UPSTREAM_MODEL = "hf:zai-org/GLM-4.7"
ROUTES = {"synthetic": "bench-synthetic", "openai": "bench-openai"}
HOOK_CALLBACK = "litellm_providers.routing.quota_aware_routing"
RATIO_TARGET = 0.95
HOOK_TARGET = 0.0002  # s per call
STARTUP_SECONDS = 180
MASTER_KEY = "sk-" + secrets.token_hex(32)  # the proxies refuse to start without one


@dataclass(frozen=True)
class ProxyPlan:
    concurrencies: tuple[int, ...]
    workers: tuple[int, ...]
    rounds: int
    requests_per_run: int  # at least; every client streams the same number
    words: int  # the prompt's words: each answer streams words + 2 tokens, one chunk each
    hook_proxy: bool
    hook_calls: int
    hook_warmups: int
    router_calls: int  # per batch, a plain Router with and without the hook


FULL = ProxyPlan(
    (64, 256),
    (1, 2),
    rounds=3,
    requests_per_run=512,
    words=48,
    hook_proxy=True,
    hook_calls=20_000,
    hook_warmups=500,
    router_calls=50,
)
QUICK = ProxyPlan(
    (64, 256),
    (1, 2),
    rounds=1,
    requests_per_run=256,
    words=24,
    hook_proxy=True,
    hook_calls=2_000,
    hook_warmups=100,
    router_calls=20,
)
SMOKE = ProxyPlan(
    (2, 4),
    (1, 2),
    rounds=1,
    requests_per_run=4,
    words=4,
    hook_proxy=True,
    hook_calls=20,
    hook_warmups=2,
    router_calls=2,
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def proxy_config(api_base: str, hook: bool) -> dict[str, Any]:
    """The same upstream model through this package's route and through LiteLLM's generic one."""
    settings: dict[str, Any] = {
        "custom_provider_map": [
            {"provider": "synthetic", "custom_handler": "litellm_providers.proxy.synthetic"}
        ]
    }
    if hook:
        settings["callbacks"] = [HOOK_CALLBACK]
    return {
        "general_settings": {"master_key": "os.environ/LITELLM_MASTER_KEY"},
        "litellm_settings": settings,
        "model_list": [
            {
                "model_name": name,
                "litellm_params": {
                    "model": f"{route}/{UPSTREAM_MODEL}",
                    "api_base": api_base,
                    "api_key": "bench-key",
                },
            }
            for route, name in ROUTES.items()
        ],
    }


class ProxyProcess:
    """``litellm --config`` in its own process group (its workers with it), stopped by that group."""

    def __init__(self, name: str, config: dict[str, Any], workers: int, directory: Path) -> None:
        self.name, self.workers = name, workers
        self.port = _free_port()
        self.config_path = directory / f"{name}.yaml"
        self.config_path.write_text(json.dumps(config, indent=1))  # JSON is YAML
        self.log = directory / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, python: str) -> None:
        litellm_cli = Path(python).with_name("litellm")
        command = [str(litellm_cli), "--config", str(self.config_path), "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--num_workers", str(self.workers)]
        # A worker slower than uvicorn's 5 s health check to start (importing LiteLLM on a busy
        # machine) would be killed and restarted, again and again.
        command += ["--timeout_worker_healthcheck", "60"]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        env["LITELLM_MASTER_KEY"] = MASTER_KEY
        with self.log.open("wb") as sink:
            self.process = subprocess.Popen(
                command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, deadline: float) -> None:
        import urllib.request

        assert self.process is not None
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"proxy {self.name} exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                readiness = f"http://127.0.0.1:{self.port}/health/readiness"
                with urllib.request.urlopen(readiness, timeout=2) as answer:
                    if answer.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"no proxy {self.name} after {STARTUP_SECONDS}s:\n{self.log.read_text()[-3000:]}"
                )
            time.sleep(0.5)

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid) if self.process is not None else 0.0

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # the group this proxy leads: its workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass(frozen=True)
class Target:
    """One configuration a run drives: where, through which route, and how labelled."""

    key: str  # e.g. "2w/synthetic", "hook/synthetic", "emulator"
    proxy: str | None
    route: str


@dataclass
class ProxyResults:
    plan: dict[str, Any]
    machine: dict[str, str] = field(default_factory=dict)
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "<concurrency>/<key>": runs
    hook: list[dict[str, Any]] = field(default_factory=list)
    router: dict[str, Any] = field(default_factory=dict)
    emulator: dict[str, Any] = field(default_factory=dict)
    elapsed: float = 0.0

    def add(self, concurrency: int, key: str, run: RunResult) -> None:
        self.runs.setdefault(f"{concurrency}/{key}", []).append(asdict(run))


def targets(plan: ProxyPlan) -> list[Target]:
    found = [Target(f"{w}w/{route}", f"{w}w", route) for w in plan.workers for route in ROUTES]
    if plan.hook_proxy:
        found.append(Target("hook/synthetic", "hook", "synthetic"))
    return [*found, Target("emulator", None, "emulator")]


def run_proxy_benchmark(plan: ProxyPlan, log: Any, python: str = sys.executable) -> ProxyResults:
    import tempfile

    results = ProxyResults(plan=asdict(plan))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as scratch, EmulatorProcess(python) as emulator:
        directory = Path(scratch)
        log(f"emulator on 127.0.0.1:{emulator.port}")
        proxies = {
            f"{w}w": ProxyProcess(f"{w}w", proxy_config(emulator.base, False), w, directory)
            for w in plan.workers
        }
        if plan.hook_proxy:
            proxies["hook"] = ProxyProcess("hook", proxy_config(emulator.base, True), 1, directory)
        try:
            for proxy in proxies.values():
                proxy.start(python)
            deadline = time.monotonic() + STARTUP_SECONDS
            for proxy in proxies.values():
                proxy.wait_ready(deadline)
            log(f"proxies ready: {', '.join(proxies)}")
            asyncio.run(_measure(plan, proxies, emulator, results, log))
        finally:
            for proxy in proxies.values():
                proxy.stop()
        from benchmarks.proxy_hook import time_router_calls

        log("a plain Router streaming from the emulator, the hook on and off")
        results.router = time_router_calls(emulator.base, plan.router_calls, plan.rounds * 2, plan.words)
    results.emulator = emulator.stats
    from benchmarks.proxy_hook import time_hook

    log("the routing hook's own time per call")
    results.hook = [timing.summary() for timing in time_hook(plan.hook_calls, plan.hook_warmups, log)]
    from benchmarks.report import machine

    results.machine = machine()
    results.elapsed = time.perf_counter() - started
    return results


async def _measure(
    plan: ProxyPlan,
    proxies: dict[str, ProxyProcess],
    emulator: EmulatorProcess,
    results: ProxyResults,
    log: Any,
) -> None:
    by_key = {target.key: target for target in targets(plan)}
    for target in by_key.values():  # warm-up: first-call imports, connection set-up
        url = proxies[target.proxy].url if target.proxy else emulator.base
        await drive(url, _model(target), 4, 1, plan.words, MASTER_KEY)
    for concurrency in plan.concurrencies:
        per_client = max(1, math.ceil(plan.requests_per_run / concurrency))
        for order in rotations(list(by_key), plan.rounds):
            for key in order:
                target = by_key[target_key := key]
                proxy = proxies[target.proxy] if target.proxy else None
                cpu_before = (proxy.cpu() if proxy else 0.0, emulator.cpu(), time.process_time())
                run = await drive(
                    proxy.url if proxy else emulator.base,
                    _model(target),
                    concurrency,
                    per_client,
                    plan.words,
                    MASTER_KEY,
                )
                cpu_after = (proxy.cpu() if proxy else 0.0, emulator.cpu(), time.process_time())
                parts = ("proxy", "emulator", "client")
                run.cpu = {part: b - a for part, a, b in zip(parts, cpu_before, cpu_after, strict=True)}
                results.add(concurrency, target_key, run)
                note = f"; {run.failures} failed: {run.errors[0]}" if run.failures else ""
                log(
                    f"  {concurrency:>3} at once, {target_key:<15} {run.requests / run.wall:7.1f} req/s "
                    f"{run.tokens / run.wall:8.0f} tok/s{note}"
                )


def _model(target: Target) -> str:
    return ROUTES.get(target.route, UPSTREAM_MODEL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks proxy", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="one round, shorter runs")
    size.add_argument("--smoke", action="store_true", help="a tiny load: checks that every row is produced")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--compare", type=Path, action="append", default=[], help="--json of another leg's run"
    )
    parser.add_argument("--write", action="store_true", help="put the section into docs/benchmarks.md")
    parser.add_argument("--from-json", type=Path, help="measure nothing: show the --json of an earlier run")
    args = parser.parse_args(argv)
    from benchmarks.proxy_report import section, splice

    plan = SMOKE if args.smoke else QUICK if args.quick else FULL
    if args.from_json is not None:
        results = json.loads(args.from_json.read_text())
    else:
        results = asdict(run_proxy_benchmark(plan, lambda line: print(line, file=sys.stderr, flush=True)))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1))
    text = section(results, [json.loads(path.read_text()) for path in args.compare])
    if args.write:
        page = ROOT / "docs" / "benchmarks.md"
        page.write_text(splice(page.read_text(), text))
        print(f"wrote {HEADING!r} into {page.relative_to(ROOT)}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
