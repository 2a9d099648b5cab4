"""``python -m benchmarks [--quick] [--out PATH]``: run every benchmark, write docs/benchmarks.md.

``python -m benchmarks proxy [--quick | --smoke] [--write]`` runs section 6 instead, a real LiteLLM
proxy under concurrent streaming clients (``benchmarks/proxy.py``): it starts proxies and an emulator
of its own, so it is not part of the full run, which keeps the section already in the page.

Both LiteLLM legs (docs/versions.md): run the floor leg's venv with ``--json floor.json --out
/tmp/floor.md``, then the newest leg's with ``--compare floor.json``; docs/benchmarks.md then shows the
targets on both legs side by side.

The full run takes about six minutes on two cores and writes ``docs/benchmarks.md`` and
``docs/benchmarks-stream.png``; ``--quick`` runs a small version in under a minute and prints the
report instead (pass ``--out`` to write it somewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import benchmarks  # noqa: F401  (sets LITELLM_LOCAL_MODEL_COST_MAP before LiteLLM is imported)
from benchmarks.catalog import FULL_PLAN as FULL_CATALOG
from benchmarks.catalog import QUICK_PLAN as QUICK_CATALOG
from benchmarks.catalog import CatalogPlan
from benchmarks.harness import ROOT


@dataclass(frozen=True)
class Plan:
    lengths: list[int]
    repeats: int
    memory_lengths: list[int]
    memory_repeats: int
    warmups: int
    logging_repeats: int
    drip_delay: float
    ttft_repeats: int
    normaliser_total: int
    normaliser_repeats: int
    normaliser_memory: list[int]
    startup_runs: dict[str, int]
    importtime: bool
    profile_length: int
    catalog: CatalogPlan


FULL = Plan(
    lengths=[500, 1000, 2000, 5000],
    repeats=5,
    memory_lengths=[500, 2000],
    memory_repeats=3,
    warmups=1,
    logging_repeats=5,
    drip_delay=0.05,
    ttft_repeats=5,
    normaliser_total=10_000_000,
    normaliser_repeats=5,
    normaliser_memory=[1_000_000, 5_000_000, 10_000_000],
    startup_runs={"cached": 7, "uncached": 5},
    importtime=True,
    profile_length=2000,
    catalog=FULL_CATALOG,
)
QUICK = Plan(
    lengths=[200, 1000],
    repeats=3,
    memory_lengths=[100, 300],
    memory_repeats=2,
    warmups=1,
    logging_repeats=0,
    drip_delay=0.03,
    ttft_repeats=2,
    normaliser_total=1_000_000,
    normaliser_repeats=3,
    normaliser_memory=[250_000, 500_000, 1_000_000],
    startup_runs={"cached": 2},
    importtime=False,
    profile_length=500,
    catalog=QUICK_CATALOG,
)


_START = time.perf_counter()


def _log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:5.0f} s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["proxy"]:
        from benchmarks.proxy import main as proxy_main

        return proxy_main(given[1:])
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run, under a minute; prints the report")
    parser.add_argument("--out", type=Path, help="where to write the Markdown report")
    parser.add_argument("--json", type=Path, help="also write every raw sample here")
    parser.add_argument("--label", help="a note on the measured package source, shown in the report")
    parser.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        help="the --json of a run on another LiteLLM leg: its targets are shown next to this run's",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    out = args.out if args.out is not None else (None if args.quick else ROOT / "docs" / "benchmarks.md")
    started = time.perf_counter()

    # Subprocess and pure benchmarks first, while this process has not imported LiteLLM yet.
    from benchmarks.normaliser import run_normaliser
    from benchmarks.startup import run_startup

    _log("import and register cost (fresh interpreters)")
    startup = run_startup(plan.startup_runs, _log, plan.importtime)
    from benchmarks.catalog import run_catalog

    _log("registering a large catalog (fresh interpreters)")
    catalog = run_catalog(plan.catalog, _log)
    _log("reasoning normaliser")
    normaliser = run_normaliser(plan.normaliser_total, plan.normaliser_repeats, plan.normaliser_memory, _log)

    import litellm

    import litellm_providers
    from benchmarks.harness import ServerProcess
    from benchmarks.profiling import aprofile_routes, profile_routes
    from benchmarks.routes import Routes
    from benchmarks.streaming import (
        StreamResults,
        TtftResults,
        async_streams,
        async_ttft,
        async_with_litellm_logging,
        requests_needed,
        sync_streams,
        sync_ttft,
        sync_with_litellm_logging,
        ttft_requests_needed,
    )

    litellm.suppress_debug_info = True
    # Applied to both LiteLLM routes alike; a separate check below runs them with LiteLLM's default.
    litellm.disable_streaming_logging = True
    litellm_providers.register()

    streams = StreamResults(plan.lengths, plan.repeats, plan.memory_lengths, plan.memory_repeats)
    ttft = TtftResults(plan.drip_delay, plan.ttft_repeats)
    budget = (
        requests_needed(plan.lengths, plan.repeats, plan.memory_lengths, plan.memory_repeats, plan.warmups)
        + ttft_requests_needed(plan.ttft_repeats)
        + 2 * 2 * plan.logging_repeats  # two LiteLLM routes, sync and async
        + 2 * 2  # the profiled streams
    )
    with ServerProcess(max_requests=budget + 10) as server:
        _log(f"SSE server on {server.base} (at most {server.max_requests} requests)")
        routes = Routes(server.base)
        try:
            _log("streams, sync")
            sync_streams(routes, streams, plan.warmups, _log)
            sync_ttft(routes, ttft, _log)
            if plan.logging_repeats:
                sync_with_litellm_logging(
                    routes, streams, plan.memory_lengths[-1], plan.logging_repeats, _log
                )
            profiles = profile_routes(routes, plan.profile_length, _log)

            async def run_async() -> None:
                try:
                    _log("streams, async")
                    await async_streams(routes, streams, plan.warmups, _log)
                    await async_ttft(routes, ttft, _log)
                    profiles.extend(await aprofile_routes(routes, plan.profile_length, _log))
                    if plan.logging_repeats:
                        await async_with_litellm_logging(
                            routes, streams, plan.memory_lengths[-1], plan.logging_repeats, _log
                        )
                finally:
                    await routes.aclose()

            asyncio.run(run_async())
            server_stats = routes.server_stats()
        finally:
            routes.close()
        _log(server.stop())

    from benchmarks.report import Report, machine

    report = Report(
        machine=machine(args.label),
        quick=args.quick,
        plan=asdict(plan),
        streams=streams,
        ttft=ttft,
        normaliser=normaliser,
        startup=startup,
        profiles=profiles,
        server_stats=server_stats,
        catalog=catalog,
        elapsed=time.perf_counter() - started,
        other_legs=[json.loads(path.read_text()) for path in args.compare],
    )
    if out is None:
        print(report.markdown(plot_name=None))
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        plot = out.parent / f"{out.stem.replace('benchmarks', 'benchmarks-stream', 1)}.png"
        if not plot.name.startswith("benchmarks-"):
            plot = out.parent / f"benchmarks-stream-{out.stem}.png"
        plotted = report.plot(plot)
        from benchmarks.proxy_report import carry_over

        page = report.markdown(plot_name=plot.name if plotted else None)
        # Section 6 comes from `python -m benchmarks proxy`, run on its own: keep what the page had.
        out.write_text(carry_over(out.read_text(), page) if out.exists() else page)
        _log(f"wrote {out}" + (f" and {plot}" if plotted else " (no plot: matplotlib is not installed)"))
    if args.json is not None:
        args.json.write_text(json.dumps(report.raw(), indent=1))
    _log(f"done in {time.perf_counter() - started:.0f} s")
    print(report.targets_summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
