"""Benchmark 4: what ``import litellm_providers; litellm_providers.register()`` costs over ``import litellm``.

Each sample is a fresh interpreter (``python -c``), so nothing is cached in-process; the OS file cache
is warm after the first run, as it is for any real program. One child times, with
``time.perf_counter``: ``import litellm``, then ``import litellm_providers``, then the first
``register()`` (which imports the handler modules and loads the catalog), then a second ``register()``
(what a proxy or a library calling it again pays).

Two variants, because Python's bytecode cache decides much of an import's cost:

* ``cached``: compiled bytecode is available, as after any ``pip install`` (which compiles) or any
  earlier run. The children write and read it under a private ``PYTHONPYCACHEPREFIX`` in the temp
  directory, so the repository is never written to; the unrecorded first run fills it.
* ``uncached``: the environment as it is; if it sets ``PYTHONDONTWRITEBYTECODE`` (this project's
  sandbox does), an editable install compiles the package's sources on every start.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_CHILD = """
import os, time, json
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
t0, c0 = time.perf_counter(), time.process_time()
import litellm
t1, c1 = time.perf_counter(), time.process_time()
import litellm_providers
t2, c2 = time.perf_counter(), time.process_time()
litellm_providers.register()
t3, c3 = time.perf_counter(), time.process_time()
litellm_providers.register()
t4, c4 = time.perf_counter(), time.process_time()
print(json.dumps({
    "litellm": t1 - t0, "import": t2 - t1, "register": t3 - t2, "again": t4 - t3,
    "cpu_import": c2 - c1, "cpu_register": c3 - c2,
}))
"""

_IMPORTTIME = """
import os
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import litellm
import litellm_providers
litellm_providers.register()
"""

PHASES = ("litellm", "import", "register", "again", "cpu_import", "cpu_register")

_PROFILE = """
import os, json, cProfile, pstats
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
import litellm
import litellm_providers
profiler = cProfile.Profile()
profiler.enable()
litellm_providers.register()
profiler.disable()
stats = pstats.Stats(profiler)
wanted = {
    ("/litellm_providers/cost_map.py", "write_catalog_entries"): "catalog",
    ("/litellm/utils.py", "register_model"): "register_model",
    ("/litellm/utils.py", "_rebuild_model_cost_lowercase_map"): "lowercase_map",
    ("importlib._bootstrap>", "_find_and_load"): "imports",
}
out = {"total": stats.total_tt}
for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():
    for (where, function), key in wanted.items():
        if name == function and filename.endswith(where):
            out[key] = out.get(key, 0.0) + cumulative
print(json.dumps(out))
"""


VARIANTS = ("cached", "uncached")
PYCACHE = Path(tempfile.gettempdir()) / "litellm-providers-bench-pycache"


@dataclass
class StartupResults:
    runs: dict[str, int]
    samples: dict[str, list[float]] = field(default_factory=dict)
    """``"cached/register"`` -> seconds per run."""
    top_imports: list[tuple[str, float]] = field(default_factory=list)
    profile: dict[str, float] = field(default_factory=dict)
    """One first ``register()`` under cProfile: total seconds and cumulative seconds of a few parts."""
    """Modules first imported by the package's import and register(), by cumulative microseconds."""

    def median(self, variant: str, phase: str) -> float:
        return statistics.median(self.samples[f"{variant}/{phase}"])

    def package_total(self, variant: str, clock: str = "") -> list[float]:
        """``import litellm_providers`` + first ``register()`` per run; ``clock="cpu_"`` for CPU time."""
        imports = self.samples[f"{variant}/{clock}import"]
        registers = self.samples[f"{variant}/{clock}register"]
        return [i + r for i, r in zip(imports, registers, strict=True)]


def package_source() -> Path:
    """The directory this process imports ``litellm_providers`` from (cheap: it imports no LiteLLM)."""
    import litellm_providers

    return Path(litellm_providers.__file__).resolve().parent.parent


def _env(variant: str) -> dict[str, str]:
    # The children import the very package copy this process measures: its directory goes first on
    # their path, and they run from a neutral directory so no checkout shadows it.
    env = dict(os.environ)
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(package_source()), env.get("PYTHONPATH", "")]))
    if variant == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def run_startup(runs: dict[str, int], log: Callable[[str], None], importtime: bool = True) -> StartupResults:
    results = StartupResults(runs)
    for variant, count in runs.items():
        for index in range(count + 1):  # the first run fills the caches and is not kept
            out = subprocess.run(
                [sys.executable, "-c", _CHILD],
                capture_output=True,
                text=True,
                env=_env(variant),
                cwd=tempfile.gettempdir(),
                check=True,
            )
            sample = json.loads(out.stdout.strip().splitlines()[-1])
            if index:
                for phase in PHASES:
                    results.samples.setdefault(f"{variant}/{phase}", []).append(sample[phase])
        total = statistics.median(results.package_total(variant))
        log(f"  {variant}: import + register {total * 1000:.1f} ms (median of {count})")
    if importtime:
        results.top_imports = _top_imports()
        results.profile = _register_profile()
    return results


def _register_profile() -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _PROFILE],
        capture_output=True,
        text=True,
        env=_env("cached"),
        cwd=tempfile.gettempdir(),
        check=True,
    )
    profile: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return profile


def _top_imports(limit: int = 8) -> list[tuple[str, float]]:
    """``-X importtime`` for the modules imported after ``litellm``: what the package adds."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _IMPORTTIME],
        capture_output=True,
        text=True,
        env=_env("cached"),
        cwd=tempfile.gettempdir(),
        check=True,
    )
    rows: list[tuple[str, float]] = []
    after_litellm = False
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, raw_name = line.removeprefix("import time:").split("|")
        cumulative = cumulative.strip()
        name = raw_name[1:]  # nesting shows as two more leading spaces per level
        if not cumulative.isdigit():
            continue
        if name == "litellm":
            after_litellm = True  # importtime prints a package after its children
            continue
        if after_litellm and not name.startswith(" "):
            rows.append((name, float(cumulative)))
    # Top-level entries only (no leading spaces): each one's cumulative time includes its children.
    return sorted(rows, key=lambda row: -row[1])[:limit]
