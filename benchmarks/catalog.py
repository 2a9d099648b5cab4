"""Benchmark 5: what registering a large catalog costs, in one step and through ``register_model``.

Each sample is a fresh interpreter (registering changes LiteLLM's process-wide cost map), which first
runs ``register()`` with the bundled catalog, then times one of:

* ``one step``: ``registration.register_catalog`` for the bundled catalog plus N made-up models (what a
  refresh and every ``register()`` from a cache do), then the same call again;
* ``register_model``: the same entries through ``litellm.register_model``, as the package did before:
  its cost per model grows with the size of LiteLLM's cost map, so it runs at smaller N;
* ``refresh``: a 20,000-model live list (``/models`` already read) parsed, capped to
  ``MAX_LIVE_MODELS``, cached and registered;
* ``register() from a full cache``: a fresh interpreter's first ``register()`` reading a cache of
  ``MAX_LIVE_MODELS`` models more than the bundled catalog, next to one with no cache.

``python -m benchmarks.catalog [--quick] [--json PATH] [--compare PATH]`` runs it alone and prints the
Markdown section; ``python -m benchmarks`` runs it as part of the whole report.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_CHILD = r"""
import gc, json, os, sys, tempfile, time
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
case, n = sys.argv[1], int(sys.argv[2])
os.environ["LITELLM_PROVIDERS_CACHE_DIR"] = tempfile.mkdtemp()
os.environ["LITELLM_PROVIDERS_NO_CACHE"] = "0" if case == "from cache" else "1"
import litellm
import litellm_providers
from litellm_providers.catalog import ModelEntry, active_models, bundled_catalog, litellm_model_cost
from litellm_providers.catalog import set_active_models
from litellm_providers.providers import PROVIDERS
route, provider = "synthetic", PROVIDERS["synthetic"]
bundled = bundled_catalog(route).models
made_up = {
    f"hf:bench/model-{i:05d}": ModelEntry(
        context_window=131_072, max_output_tokens=8_192, input_usd_per_million=0.5,
        output_usd_per_million=1.5, tools=True, reasoning=True, reasoning_efforts=("low", "high"),
    )
    for i in range(n)
}
if case == "from cache":
    from litellm_providers.catalog_cache import write_cache
    if n:
        write_cache(route, {**bundled, **made_up})
    gc.collect()
    start = time.perf_counter()
    litellm_providers.register()
    print(json.dumps({"first": time.perf_counter() - start, "models": len(active_models(route))}))
    raise SystemExit
litellm_providers.register()
if case == "refresh":
    from litellm_providers.catalog_cache import write_cache
    from litellm_providers.refresh import parse_live_list
    from litellm_providers.registration import register_catalog
    live = [{"id": name, "context_length": 131_072, "max_output_length": 8_192,
             "pricing": {"prompt": "$0.0000005", "completion": "$0.0000015"}} for name in made_up]
    gc.collect()
    start = time.perf_counter()
    models, added, _ = parse_live_list(route, {"data": live})
    parsed = time.perf_counter()
    write_cache(route, models)
    set_active_models(route, models)
    register_catalog(provider)
    done = time.perf_counter()
    print(json.dumps({"first": done - start, "parse": parsed - start, "models": len(models)}))
    raise SystemExit
set_active_models(route, {**bundled, **made_up})
if case == "one step":
    from litellm_providers.registration import register_catalog
    register = lambda: register_catalog(provider)
else:
    register = lambda: litellm.register_model(litellm_model_cost(provider, active_models(route)))
gc.collect()
start = time.perf_counter()
register()
first = time.perf_counter()
gc.collect()
between = time.perf_counter()
register()
again = time.perf_counter()
print(json.dumps({"first": first - start, "again": again - between, "models": len(active_models(route))}))
"""


@dataclass(frozen=True)
class CatalogPlan:
    one_step: list[int]
    register_model: list[int]
    refresh_list: int
    repeats: int


FULL_PLAN = CatalogPlan(
    one_step=[1_000, 5_000, 20_000], register_model=[1_000, 2_000, 4_000], refresh_list=20_000, repeats=3
)
QUICK_PLAN = CatalogPlan(one_step=[1_000, 5_000], register_model=[500, 1_000], refresh_list=5_000, repeats=1)


@dataclass
class CatalogResults:
    machine: dict[str, str] = field(default_factory=dict)
    samples: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    """``"<case>/<made-up models>"`` -> one dict per fresh interpreter (seconds, and the model count)."""

    def median(self, key: str, what: str) -> float:
        return statistics.median(sample[what] for sample in self.samples[key])

    def models(self, key: str) -> int:
        return int(self.samples[key][0]["models"])


def run_catalog(plan: CatalogPlan, log: Callable[[str], None]) -> CatalogResults:
    from benchmarks.report import machine
    from benchmarks.startup import _env
    from litellm_providers.catalog import MAX_LIVE_MODELS

    results = CatalogResults(machine=machine())
    cases = [("one step", n, plan.repeats) for n in plan.one_step]
    cases += [("register_model", n, 1) for n in plan.register_model]  # seconds each: once is enough
    cases += [("refresh", plan.refresh_list, plan.repeats)]
    cases += [("from cache", MAX_LIVE_MODELS, plan.repeats), ("from cache", 0, plan.repeats)]
    for case, n, repeats in cases:
        for _ in range(repeats):
            out = subprocess.run(
                [sys.executable, "-c", _CHILD, case, str(n)],
                capture_output=True,
                text=True,
                env=_env("cached"),
                cwd=tempfile.gettempdir(),
                check=True,
            )
            results.samples.setdefault(f"{case}/{n}", []).append(
                json.loads(out.stdout.strip().splitlines()[-1])
            )
        log(f"  {case}, {n} made-up models: {results.median(f'{case}/{n}', 'first') * 1000:.0f} ms")
    return results


def _cell(results: CatalogResults | None, key: str, what: str) -> str:
    if results is None or key not in results.samples or what not in results.samples[key][0]:
        return "not run"
    seconds = results.median(key, what)
    return f"{seconds * 1000:.0f} ms ({seconds * 1000 / results.models(key):.3f} ms/model)"


def catalog_section(results: CatalogResults, others: list[CatalogResults]) -> str:
    from litellm_providers.catalog import MAX_LIVE_MODELS

    legs = [results, *others]
    header = " | ".join(f"LiteLLM {leg.machine.get('litellm', '?')}" for leg in legs)
    lines = [
        "## 5. Registering a large catalog",
        "",
        "Each figure is the median over fresh interpreters (see `benchmarks/catalog.py`); *models* counts "
        "the bundled ones too, and *ms/model* divides by it. The package writes its catalog into "
        "LiteLLM's cost map in one step (`litellm_providers/cost_map.py`). `litellm.register_model`, which "
        "it used before, asks `get_model_info` about each new key; that lookup misses and rebuilds "
        "LiteLLM's case-insensitive index of every key in the map, which the previous key's write had "
        "invalidated: the cost per model grows with the map, so the whole grows with the square of the "
        f"catalog. A live list adds at most {MAX_LIVE_MODELS:,} models (`MAX_LIVE_MODELS`). Each timed "
        "call starts after a `gc.collect()`, so a full garbage collection that the process owed from "
        "before (a few hundred ms once LiteLLM is imported) is not charged to it.",
        "",
        f"| case | models | {header} |",
        "|---|---|" + "---|" * len(legs),
    ]
    rows: list[tuple[str, str, str]] = []
    for key in results.samples:
        case, _ = key.split("/")
        if case in ("one step", "register_model"):
            name = (
                "`register_catalog` (one step)" if case == "one step" else "`litellm.register_model` (before)"
            )
            rows += [(f"{name}, first call", key, "first"), (f"{name}, again", key, "again")]
        elif case == "refresh":
            rows.append(("refresh: parse a 20,000-model list, cap, cache, register", key, "first"))
        elif key.endswith("/0"):
            rows.append(("first `register()`, no cache", key, "first"))
        else:
            rows.append(("first `register()`, reading a full cache", key, "first"))
    for name, key, what in rows:
        cells = " | ".join(_cell(leg, key, what) for leg in legs)
        lines.append(f"| {name} | {results.models(key):,} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import benchmarks  # noqa: F401  (sets LITELLM_LOCAL_MODEL_COST_MAP)

    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw samples here")
    parser.add_argument("--compare", type=Path, action="append", default=[], help="--json of another leg")
    args = parser.parse_args(argv)
    results = run_catalog(QUICK_PLAN if args.quick else FULL_PLAN, lambda line: print(line, file=sys.stderr))
    others = [CatalogResults(**json.loads(path.read_text())) for path in args.compare]
    if args.json is not None:
        args.json.write_text(json.dumps({"machine": results.machine, "samples": results.samples}, indent=1))
    print(catalog_section(results, others))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
