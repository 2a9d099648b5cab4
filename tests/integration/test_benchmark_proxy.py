"""`python -m benchmarks proxy` (docs/benchmarks.md, section 6) run with a tiny load: real proxies, the
emulator, concurrent streaming clients and the routing hook timed directly, and every row of the
section produced. No figure is checked: only that each configuration ran, served every stream, and
is reported; and that a full `python -m benchmarks` run keeps the section in the page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.proxy import HEADING, ROUTES, SMOKE, targets
from benchmarks.proxy_hook import ROUTER_ARMS
from benchmarks.proxy_report import END_MARKER, carry_over, splice, target_rows
from tests.conftest import ROOT

BENCHMARK_SECONDS = 900  # a bound on a hang (three proxies start on a busy machine), not a speed check


@pytest.mark.integration
def test_the_proxy_benchmark_produces_every_row(tmp_path: Path) -> None:
    raw = tmp_path / "proxy.json"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "proxy", "--smoke", "--json", str(raw)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BENCHMARK_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(raw.read_text())
    for concurrency in SMOKE.concurrencies:
        per_client = -(-SMOKE.requests_per_run // concurrency)
        for target in targets(SMOKE):
            runs = results["runs"][f"{concurrency}/{target.key}"]
            assert len(runs) == SMOKE.rounds
            for run in runs:
                assert run["failures"] == 0, run["errors"]
                assert run["requests"] == concurrency * per_client
                assert len(run["ttfts"]) == run["requests"] and run["tokens"] >= run["requests"]
    # Each route really reached the emulator: the package's handler and LiteLLM's OpenAI client.
    agents = " ".join(results["emulator"]["requests"])
    assert "from litellm-providers" in agents and "from AsyncOpenAI" in agents
    cases = [(hook["case"], bool(hook["pace"])) for hook in results["hook"]]
    expected = [("Router cache in memory", False), ("in memory", True)]
    if shutil.which("redis-server"):
        expected += [("Router cache with Redis (a fleet)", False), ("with Redis", True)]
    assert cases == expected  # each case back to back, and at a proxy's pace
    assert set(results["router"]["arms"]) == set(ROUTER_ARMS)
    section = done.stdout
    assert section.startswith(HEADING)
    for name, _, _, _ in target_rows(results):
        assert name in section
    for workers in SMOKE.workers:
        for route in ROUTES:
            label = f"| {workers} worker{'s' if workers > 1 else ''} |"
            assert sum(label in line and f"`{route}/`" in line for line in section.splitlines()) == len(
                SMOKE.concurrencies
            )
    assert section.count("| 1 worker + quota-aware routing hook |") == len(SMOKE.concurrencies)
    assert section.count("| none: the emulator straight (its ceiling) |") == len(SMOKE.concurrencies)
    assert all(arm in section for arm in ROUTER_ARMS)
    assert "* The routing hook at a proxy's pace (20 calls a second" in section


PAGE = "# Benchmarks\n\n## 5. Catalog\n\ntext\n\n## Method\n\nhow\n"


def test_the_section_goes_before_method_and_replaces_itself_keeping_notes_below_it() -> None:
    first = splice(PAGE, f"{HEADING}\n\nfigures 1\n\n{END_MARKER}\n")
    assert first.index(HEADING) < first.index("## Method") and "## 5. Catalog" in first
    noted = first.replace(END_MARKER, END_MARKER + "\n\nA note on the profile.")
    again = splice(noted, f"{HEADING}\n\nfigures 2\n\n{END_MARKER}\n")
    assert "figures 1" not in again and "figures 2" in again
    assert again.count(HEADING) == 1 and "A note on the profile." in again
    assert again.endswith("## Method\n\nhow\n")


def test_a_full_run_rewriting_the_page_keeps_the_proxy_section() -> None:
    old = splice(PAGE, f"{HEADING}\n\nfigures\n\n{END_MARKER}\n\nA note.\n")
    rewritten = "# Benchmarks\n\n## 5. Catalog\n\nnew text\n\n## Method\n\nhow\n"
    kept = carry_over(old, rewritten)
    assert "new text" in kept and "figures" in kept and "A note." in kept
    assert kept.index(HEADING) < kept.index("## Method")
    assert carry_over(PAGE, rewritten) == rewritten
