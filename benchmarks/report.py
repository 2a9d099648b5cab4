"""The Markdown report (docs/benchmarks.md) and the plot, from the results of one run."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.catalog import CatalogResults, catalog_section
from benchmarks.normaliser import MB, SPLITTER_NAMES, NormaliserResults
from benchmarks.profiling import GROUPS, Profile
from benchmarks.routes import LABELS, ROUTES
from benchmarks.startup import StartupResults
from benchmarks.stream import build, drip_stream, events, first_answer_chunk
from benchmarks.streaming import MODES, SHAPES, StreamResults, TtftResults

TIME_TARGET = 1.05
MEMORY_TARGET = 1.05
THROUGHPUT_TARGET = 50.0  # MB/s
REGISTER_TARGET = 0.050  # s


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def source(label: str | None = None) -> str:
    """Which ``litellm_providers`` was measured: in a git checkout, its commit. Never its directory: the
    report is published, and a path says nothing about the code but names the machine's layout."""
    from benchmarks.startup import package_source

    git = ["git", "-C", str(package_source())]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    if head.returncode == 0:
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "litellm_providers"],
            capture_output=True,
            text=True,
            check=False,
        )
        where = f"commit `{head.stdout.strip()}`"
        if status.stdout.strip():
            where += " with uncommitted changes"
    else:
        where = "not from a git checkout"
    return f"{where}; {label}" if label else where


def machine(label: str | None = None) -> dict[str, str]:
    from litellm_providers.compat import SDK_HTTP

    return {
        "source": source(label),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "os": platform.platform(),
        "python": platform.python_version(),
        "litellm": _version("litellm"),
        "openai": _version("openai"),
        "httpx": _version("httpx"),
        # The library the openai SDK sends with: httpx on openai 2, httpx2 on openai 3.
        "transport": f"{SDK_HTTP.__name__} {_version(SDK_HTTP.__name__)}",
        "litellm-providers": _version("litellm-providers"),
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB"


def _kb(size: float) -> str:
    return f"{size / 1e3:.1f} KB"


def _yes(ok: bool) -> str:
    return "**yes**" if ok else "**NO**"


@dataclass
class Report:
    machine: dict[str, str]
    quick: bool
    plan: dict[str, Any]
    streams: StreamResults
    ttft: TtftResults
    normaliser: NormaliserResults
    startup: StartupResults
    profiles: list[Profile]
    server_stats: dict[str, Any]
    elapsed: float
    _targets: list[tuple[str, str, str, bool]] = field(default_factory=list)
    catalog: CatalogResults | None = None
    other_legs: list[dict[str, Any]] = field(default_factory=list)
    """``raw()`` of runs on other LiteLLM legs (``--compare``): their targets go next to this run's."""

    # -- numbers ------------------------------------------------------------------------------------

    @property
    def long(self) -> int:
        return self.streams.lengths[-1]

    def t(self, mode: str, route: str, n: int | None = None) -> float:
        return self.streams.time.median(f"{mode}/{route}/{n or self.long}")

    def cpu(self, mode: str, route: str, n: int | None = None) -> float:
        return self.streams.cpu.median(f"{mode}/{route}/{n or self.long}")

    @property
    def mem_long(self) -> int:
        return self.streams.memory_lengths[-1]

    def mem(self, mode: str, route: str, n: int | None = None) -> float:
        return self.streams.memory.median(f"{mode}/{route}/{n or self.mem_long}")

    def _target_rows(self) -> list[tuple[str, str, str, float]]:
        """(name, goal, measured, load): load is measured ÷ limit, >1 misses, within 0.9-1.1 is close."""
        rows = []
        for mode in MODES:
            ratio = self.t(mode, "package") / self.t(mode, "openai")
            cpu = self.cpu(mode, "package") / self.cpu(mode, "openai")
            rows.append(
                (
                    f"(a)/(b) time, {mode}, {self.long} chunks",
                    f"≤ {TIME_TARGET}",
                    f"{ratio:.3f} (CPU time: {cpu:.3f})",
                    ratio / TIME_TARGET,
                )
            )
        for mode in MODES:
            ratio = self.mem(mode, "package") / self.mem(mode, "openai")
            rows.append(
                (
                    f"(a)/(b) peak memory, {mode}, {self.mem_long} chunks",
                    f"≤ {MEMORY_TARGET}",
                    f"{ratio:.3f}",
                    ratio / MEMORY_TARGET,
                )
            )
        for kind, name in SPLITTER_NAMES.items():
            rate = self.normaliser.mb_per_s(kind)
            rows.append(
                (
                    f"`{name}` throughput",
                    f"≥ {THROUGHPUT_TARGET:.0f} MB/s",
                    f"{rate:.0f} MB/s",
                    THROUGHPUT_TARGET / rate,
                )
            )
        names = {
            "cached": "`import litellm_providers` + first `register()` over `import litellm`, with bytecode",
            "uncached": "the same without bytecode (`PYTHONDONTWRITEBYTECODE=1`, editable install)",
        }
        for variant, name in names.items():
            if f"{variant}/register" not in self.startup.samples:
                continue
            cost = statistics.median(self.startup.package_total(variant))
            cpu = statistics.median(self.startup.package_total(variant, "cpu_"))
            rows.append(
                (
                    name,
                    f"≤ {REGISTER_TARGET * 1000:.0f} ms",
                    f"{_ms(cost)} (CPU time: {_ms(cpu)})",
                    cost / REGISTER_TARGET,
                )
            )
        return rows

    def targets(self) -> list[tuple[str, str, str, bool]]:
        return [(name, goal, shown, load <= 1.0) for name, goal, shown, load in self._target_rows()]

    def targets_summary(self) -> str:
        return "\n".join(
            f"{'met' if ok else 'NOT MET'}: {name}: {value} ({goal})"
            for name, goal, value, ok in self.targets()
        )

    def raw(self) -> dict[str, Any]:
        return {
            "machine": self.machine,
            "plan": self.plan,
            "stream_seconds": self.streams.time.values,
            "stream_cpu_seconds": self.streams.cpu.values,
            "stream_background_seconds": self.streams.after.values,
            "stream_peak_bytes": self.streams.memory.values,
            "ttft_seconds": self.ttft.samples.values,
            "normaliser_seconds": self.normaliser.seconds,
            "normaliser_peak_bytes": {
                k: {str(s): b for s, b in v.items()} for k, v in self.normaliser.peak.items()
            },
            "startup_seconds": self.startup.samples,
            "startup_top_imports_us": self.startup.top_imports,
            "register_profile_seconds": self.startup.profile,
            "server": self.server_stats,
            "catalog": asdict(self.catalog) if self.catalog is not None else None,
            "targets": [list(row) for row in self.targets()],
        }

    # -- Markdown -----------------------------------------------------------------------------------

    def markdown(self, plot_name: str | None) -> str:
        parts = [
            self._header(),
            self._targets_section(),
            self._streams_section(plot_name),
            self._normaliser_section(),
            self._ttft_section(),
            self._startup_section(),
            self._catalog_section(),
            self._method_section(),
        ]
        return "\n\n".join(part for part in parts if part).rstrip() + "\n"

    def _header(self) -> str:
        m = self.machine
        kind = "a `--quick` run (small sizes, few repeats: indicative only)" if self.quick else "a full run"
        return "\n".join(
            [
                "# Benchmarks",
                "",
                "Does `litellm-providers` cost anything next to LiteLLM's own OpenAI-compatible route? "
                f"Everything below comes from {kind} of `python -m benchmarks` "
                f"({self.elapsed:.0f} s), written by it; re-run it to reproduce (see [Method](#method)).",
                "",
                "| | |",
                "|---|---|",
                f"| date | {m['date']} |",
                f"| CPU | {m['cpu']} ({m['cores']} cores visible to the OS) |",
                f"| OS | {m['os']} |",
                f"| Python | {m['python']} |",
                f"| LiteLLM | {m['litellm']} (openai {m['openai']} over {m.get('transport', 'httpx')}) |",
                f"| litellm-providers | {m['litellm-providers']}, {m['source']} |",
                "",
                "Routes compared on the very same SSE stream from one loopback server:",
                "",
                f'* **{LABELS["package"]}**: `litellm.completion(model="synternet/syntoshi-apex-thinking", '
                'api_base=..., api_key="x", stream=True)` after `litellm_providers.register()`; reasoning '
                "is moved out of `content` into `reasoning_content`;",
                f'* **{LABELS["openai"]}**: `litellm.completion(model="openai/syntoshi-apex-thinking", ...)` '
                "at the same `api_base`; the `[Thinking: ...]` text stays in `content`;",
                f"* **{LABELS['httpx']}**: `httpx` `iter_lines()` and `json.loads` per `data:` line, "
                "the floor any Python client pays.",
                "",
                "Async is the same with `litellm.acompletion` and `httpx.AsyncClient`.",
            ]
        )

    def _targets_section(self) -> str:
        lines = [
            "## Targets",
            "",
            "| target | goal | measured | met |",
            "|---|---|---|---|",
        ]
        for name, goal, value, ok in self.targets():
            lines.append(f"| {name} | {goal} | {value} | {_yes(ok)} |")
        legs = self._legs_table()
        if legs:
            lines += ["", *legs]
        missed = [name for name, _, _, ok in self.targets() if not ok]
        close = [name for name, _, _, load in self._target_rows() if 0.9 <= load <= 1.0]
        lines.append("")
        if missed:
            lines.append("Not met: " + "; ".join(missed) + ". The sections below show what the time goes to.")
        else:
            lines.append("All targets are met on this machine.")
        if close:
            lines += [
                "",
                "Within 10% of the limit, so a noisier run may land on the other side: "
                + "; ".join(close)
                + ".",
            ]
        return "\n".join(lines)

    def _legs_table(self) -> list[str]:
        """The same targets on each LiteLLM leg CI runs: this run's, then each ``--compare`` run's."""
        if not self.other_legs:
            return []
        runs = [(self.machine, [list(row) for row in self.targets()])]
        runs += [(other["machine"], other.get("targets", [])) for other in self.other_legs]
        header = "| target | goal | " + " | ".join(
            f"LiteLLM {m['litellm']}, openai {m['openai']}" for m, _ in runs
        )
        lines = [
            "The same targets on each LiteLLM leg CI runs (`.ci/legs/`), each measured by its own run "
            "of `python -m benchmarks` in that leg's venv on this machine:",
            "",
            header + " |",
            "|---|---|" + "---|" * len(runs),
        ]
        for name, goal, _, _ in self.targets():
            cells = []
            for _, rows in runs:
                found = [row for row in rows if row[0] == name]
                cells.append(f"{found[0][2]} ({'met' if found[0][3] else 'NOT MET'})" if found else "not run")
            lines.append(f"| {name} | {goal} | " + " | ".join(cells) + " |")
        return lines

    def _stream_facts(self) -> str:
        stream = build(self.long)
        sse = sum(len(e) for e in events(stream, "syntoshi-apex-thinking"))
        return (
            f"The stream: {self.long} `chat.completion.chunk` events ({_kb(sse)} of SSE), "
            f"{_kb(len(stream.raw))} of content of which {_kb(len(stream.reasoning))} is reasoning in "
            "`[Thinking: ...]` and `[Reasoning: ...]` (the second marker cut across two chunks), then the "
            "answer; the last content chunk carries `finish_reason`, then `data: [DONE]`, as Synternet "
            "documents. Every run checks what the route delivered: the package must yield exactly the "
            "reasoning and the answer, the other two exactly the raw content."
        )

    def _streams_section(self, plot_name: str | None) -> str:
        lines = ["## 1. One long stream through the three routes", "", self._stream_facts(), ""]
        reps = self.streams.repeats
        lines.append(
            f"Time: median of {reps} runs per route, routes interleaved (each repeat starts with a different "
            "route). *CPU time ÷ (b)* compares this process's CPU time (all threads), which other processes "
            "on the machine disturb far less than wall time: a check on the wall-time ratio. "
            "*Then background work*: how long LiteLLM's logging thread pool and event-loop tasks went on "
            "after the stream ended (not in the time, but work the call caused). "
            "`litellm.disable_streaming_logging = True` for both LiteLLM routes alike; the same comparison "
            "with LiteLLM's default follows."
        )
        for mode in MODES:
            lines += ["", f"### {mode}, {self.long} chunks", ""]
            lines += [
                "| route | time (median) | range | per chunk | ÷ (b) | ÷ (c) | CPU time ÷ (b) "
                "| then background work |",
                "|---|---|---|---|---|---|---|---|",
            ]
            base_t, floor_t = self.t(mode, "openai"), self.t(mode, "httpx")
            for route in ROUTES:
                t = self.t(mode, route)
                lo, hi = self.streams.time.spread(f"{mode}/{route}/{self.long}")
                lines.append(
                    f"| {LABELS[route]} | {_ms(t)} | {lo * 1000:.0f} to {hi * 1000:.0f} ms | "
                    f"{t / self.long * 1e6:.1f} µs | {t / base_t:.3f} | {t / floor_t:.1f} | "
                    f"{self.cpu(mode, route) / self.cpu(mode, 'openai'):.3f} | "
                    f"{_ms(self.streams.after.median(f'{mode}/{route}/{self.long}'))} |"
                )
        lines += [
            "",
            "### Peak memory",
            "",
            "`tracemalloc` peak above what was live before the call, median of "
            f"{self.streams.memory_repeats} runs per stream length. Traced runs are separate from timed "
            "runs: tracing slows Python several times over, which is also why they use shorter streams.",
            "",
            "| mode | chunks | (a) | (b) | (c) | (a) ÷ (b) | (a) ÷ (c) |",
            "|---|---|---|---|---|---|---|",
        ]
        for mode in MODES:
            for n in self.streams.memory_lengths:
                a, b, c = (self.mem(mode, route, n) for route in ROUTES)
                lines.append(f"| {mode} | {n} | {_mb(a)} | {_mb(b)} | {_mb(c)} | {a / b:.3f} | {a / c:.1f} |")
        lines += [
            "",
            "Both LiteLLM routes hold every chunk of a stream until it ends (LiteLLM's stream wrapper keeps "
            "them to rebuild the whole response for logging and usage), so their peak grows with the "
            "stream; the bare read holds one line at a time.",
        ]
        lines += ["", "### Time per chunk against stream length", ""]
        if plot_name:
            lines += [f"![time per chunk]({plot_name})", ""]
        header = "| chunks | " + " | ".join(
            f"{mode} {r}" for mode in MODES for r in ("(a)", "(b)", "(c)", "(a)/(b)")
        )
        lines += [header + " |", "|---" * (1 + 4 * len(MODES)) + "|"]
        for n in self.streams.lengths:
            cells = []
            for mode in MODES:
                values = [self.t(mode, route, n) / n * 1e6 for route in ROUTES]
                cells += [f"{v:.1f} µs" for v in values] + [f"{values[0] / values[1]:.3f}"]
            lines.append(f"| {n} | " + " | ".join(cells) + " |")
        lines += self._fit_rows()
        lines += self._logging_rows()
        lines += self._profile_rows()
        return "\n".join(lines)

    def _fit_rows(self) -> list[str]:
        lengths = self.streams.lengths
        if len(lengths) < 2:
            return []
        short, long = lengths[0], lengths[-1]
        changes = []
        for mode in MODES:
            for route in ROUTES:
                before = self.t(mode, route, short) / short
                after = self.t(mode, route, long) / long
                changes.append(f"{mode} {LABELS[route].split(' ', 1)[0]} {after / before - 1:+.0%}")
        return [
            "",
            f"Per-chunk time from {short} to {long} chunks: " + ", ".join(changes) + ". A short stream "
            "spreads the per-call cost (request, set-up, end-of-stream work) over fewer chunks, so a "
            "drop is expected; a rise means some cost grows faster than the stream (or noise: see the "
            "ranges above).",
        ]

    def _logging_rows(self) -> list[str]:
        n = self.mem_long
        keys = [f"{mode}-logging/{route}/{n}" for mode in MODES for route in ("package", "openai")]
        if not all(k in self.streams.time.values for k in keys):
            return []
        lines = [
            "",
            "### With LiteLLM's default streaming logging",
            "",
            "`litellm.disable_streaming_logging` left at its default (`False`) for both routes: in sync "
            "mode LiteLLM then hands every chunk to its logging thread pool, whose threads compete with "
            f"the reading thread for the GIL. {self.plan['logging_repeats']} interleaved runs per route, "
            f"{n} chunks; median, and the fastest run (*best*), which is less sensitive to that "
            "contention and to other processes.",
            "",
            "| mode | (a) median | (a) range | (b) median | (b) range | (a)/(b) median | (a)/(b) best "
            "| CPU time (a)/(b) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        spread = False
        for mode in MODES:
            key_a, key_b = f"{mode}-logging/package/{n}", f"{mode}-logging/openai/{n}"
            time = self.streams.time
            a, b = time.median(key_a), time.median(key_b)
            (a_lo, a_hi), (b_lo, b_hi) = time.spread(key_a), time.spread(key_b)
            spread = spread or a_hi > 1.4 * a_lo or b_hi > 1.4 * b_lo
            cpu = self.streams.cpu.median(key_a) / self.streams.cpu.median(key_b)
            lines.append(
                f"| {mode} | {_ms(a)} | {a_lo * 1000:.0f} to {a_hi * 1000:.0f} ms | {_ms(b)} | "
                f"{b_lo * 1000:.0f} to {b_hi * 1000:.0f} ms | {a / b:.3f} | {a_lo / b_lo:.3f} | {cpu:.3f} |"
            )
        if spread:
            lines += [
                "",
                "The runs of at least one route here spread by more than 40% from fastest to slowest, so "
                "a median of a few runs can land anywhere in that spread; this is why the main comparison "
                "above turns the per-chunk logging off for both routes.",
            ]
        return lines

    def _profile_rows(self) -> list[str]:
        if not self.profiles:
            return []
        n = self.plan["profile_length"]
        lines = [
            "",
            "### Where the time goes",
            "",
            f"One {n}-chunk stream per LiteLLM route and mode under `cProfile` (which inflates "
            "Python-heavy code, so only shares are shown): self time by package. `litellm_providers` is "
            "this package's own code; the rest of route (a) is LiteLLM, the `openai` SDK and pydantic "
            "doing what they also do for route (b). Only the thread that reads the stream is profiled; in "
            "async, LiteLLM rebuilds the whole response at the end of a stream in a worker thread, which "
            "these shares leave out.",
            "",
            "| mode | route | " + " | ".join(GROUPS) + " |",
            "|---" * (2 + len(GROUPS)) + "|",
        ]
        for profile in self.profiles:
            shares = " | ".join(f"{profile.share(g):.1%}" for g in GROUPS)
            lines.append(f"| {profile.mode} | {LABELS[profile.route]} | {shares} |")
        for profile in self.profiles:
            if profile.mode != "sync":
                continue
            lines += ["", f"Most self time, sync, {LABELS[profile.route]}:", ""]
            lines += [f"* `{name}`: {tottime / profile.total:.1%}" for name, tottime in profile.top[:6]]
        return lines

    def _normaliser_section(self) -> str:
        res = self.normaliser
        lines = [
            "## 2. The reasoning normaliser alone",
            "",
            f"The splitters fed {res.total / MB:.0f} MB of text in chunks of "
            "16 to 256 characters (seeded RNG, so markers are cut everywhere), then `close()`. "
            "Reasoning counts only before the answer, so each stream is a run of reasoning steps back "
            "to back, then the answer. The bracket steps are `[Thinking: ...]` / `[Reasoning: ...]` with "
            "nested brackets, the answer holds `[` and a quoted marker; the think-tag steps are `<think>` "
            "blocks with stray `<`, the answer a quoted `<think>`. "
            f"Throughput: median of {res.repeats} runs over pre-cut chunks. Memory: `tracemalloc` "
            "peak while the chunks are cut on the fly (the input is never held), for growing stream "
            "lengths.",
            "",
            "| splitter | throughput | "
            + " | ".join(f"peak at {s / MB:g} MB" for s in res.memory_sizes)
            + " |",
            "|---|---|" + "---|" * len(res.memory_sizes),
        ]
        for kind, name in SPLITTER_NAMES.items():
            peaks = " | ".join(_kb(res.peak[kind][s]) for s in res.memory_sizes)
            lines.append(f"| `{name}` | {res.mb_per_s(kind):.0f} MB/s | {peaks} |")
        growth = max(
            res.peak[k][res.memory_sizes[-1]] - res.peak[k][res.memory_sizes[0]] for k in SPLITTER_NAMES
        )
        lines += [
            "",
            f"Peak memory does not grow with stream length (at most {growth} bytes more at "
            f"{res.memory_sizes[-1] / MB:g} MB than at {res.memory_sizes[0] / MB:g} MB: the benchmark's own "
            "counters getting bigger); what is traced is one chunk, its output and the splitter's few "
            "held-back characters.",
        ]
        return "\n".join(lines)

    def _ttft_section(self) -> str:
        delay = self.ttft.delay
        lines = [
            "## 3. Time to first token on a slow stream",
            "",
            f"The server sends the first event at once, then one every {delay * 1000:.0f} ms. Two streams: "
            "`doc` has whole markers per chunk, as Synternet's documentation shows; `cut` splits the first "
            "marker (`[Thin` | `king: ...]`). Times from the call to the chunk that carries the text, median "
            f"of {self.ttft.repeats} interleaved runs. (b) delivers the markers as content, so its *first "
            "content* is raw reasoning text; its *first answer text* is when the answer's first "
            "characters arrive, comparable to (a)'s first content.",
            "",
            "| mode | stream | (a) first reasoning | (b) first content | (a) first content (answer) | "
            "(b) first answer text | answer sent at |",
            "|---|---|---|---|---|---|---|",
        ]
        s = self.ttft.samples
        for mode in MODES:
            for shape in SHAPES:
                index = first_answer_chunk(drip_stream(shape))
                lines.append(
                    f"| {mode} | `{shape}` | {_ms(s.median(f'{mode}/{shape}/package/reasoning'))} | "
                    f"{_ms(s.median(f'{mode}/{shape}/openai/first'))} | "
                    f"{_ms(s.median(f'{mode}/{shape}/package/first'))} | "
                    f"{_ms(s.median(f'{mode}/{shape}/openai/answer'))} | {index * delay * 1000:.0f} ms |"
                )
        lines += [
            "",
            "On `doc` the package's first reasoning token arrives with (b)'s first token, and its first "
            "answer token with (b)'s. On `cut` the first chunk is only `[Thin`, a possible marker, which "
            "the normaliser holds until the next chunk decides it: one chunk interval "
            f"({delay * 1000:.0f} ms here), and no more; the answer is not delayed.",
        ]
        return "\n".join(lines)

    def _startup_section(self) -> str:
        st = self.startup
        lines = [
            "## 4. Import and register cost",
            "",
            "Each sample is a fresh `python -c` that times each step with `time.perf_counter()`; median of "
            "the runs shown (one unrecorded run first fills the caches). `import litellm_providers` is lazy "
            "and imports nothing from LiteLLM; the first `register()` imports the handler modules, loads the "
            "TOML catalog and writes it into LiteLLM's cost map (section 5). *With bytecode*: compiled "
            "bytecode is available (as after `pip install`, which compiles, or any earlier run; kept in a "
            "private `PYTHONPYCACHEPREFIX`). *Without*: this sandbox sets `PYTHONDONTWRITEBYTECODE=1`, so an "
            "editable install compiles the package's sources at every start.",
            "",
        ]
        variants = [v for v in ("cached", "uncached") if f"{v}/register" in st.samples]
        names = {"cached": "with bytecode", "uncached": "without bytecode"}
        lines.append("| step | " + " | ".join(f"{names[v]} ({st.runs[v]} runs)" for v in variants) + " |")
        lines.append("|---" * (1 + len(variants)) + "|")
        rows = [
            ("`import litellm` (for scale)", "litellm"),
            ("`import litellm_providers`", "import"),
            ("first `litellm_providers.register()`", "register"),
            ("**both: the package's cost over `import litellm`**", "total"),
            ("both, CPU time", "cpu_total"),
            ("a second `register()` (idempotent)", "again"),
        ]
        for name, phase in rows:
            cells = []
            for variant in variants:
                if phase == "total":
                    values = st.package_total(variant)
                elif phase == "cpu_total":
                    values = st.package_total(variant, "cpu_")
                else:
                    values = st.samples[f"{variant}/{phase}"]
                cells.append(f"{_ms(statistics.median(values))} ({_ms(min(values))} to {_ms(max(values))})")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        if st.top_imports:
            lines += [
                "",
                "Modules imported after `litellm` by `import litellm_providers; register()`, with bytecode "
                "(`python -X importtime`, cumulative, top level only):",
                "",
            ]
            lines += [f"* `{name}`: {us / 1000:.1f} ms" for name, us in st.top_imports]
        profile = st.profile
        if profile.get("total"):
            total = profile["total"]
            lines += [
                "",
                "Where the first `register()` spends its time (one fresh interpreter, with bytecode, under "
                "`cProfile`, which inflates it; shares overlap): "
                f"{profile.get('catalog', 0.0) / total:.0%} writing the catalog into LiteLLM's cost map, "
                f"{profile.get('register_model', 0.0) / total:.0%} in LiteLLM's `litellm.register_model` "
                f"(of which {profile.get('lowercase_map', 0.0) / total:.0%} of the total is LiteLLM "
                "rebuilding its case-insensitive index of the whole cost map); "
                f"{profile.get('imports', 0.0) / total:.0%} importing modules (this package's and LiteLLM's "
                "lazily loaded ones).",
            ]
        return "\n".join(lines)

    def _catalog_section(self) -> str:
        if self.catalog is None:
            return ""
        others = [CatalogResults(**leg["catalog"]) for leg in self.other_legs if leg.get("catalog")]
        return catalog_section(self.catalog, others)

    def _method_section(self) -> str:
        counts = ", ".join(
            f"`{r['path']}`, model `{r['model']}`, User-Agent `{r['user_agent']}`: {r['count']}"
            for r in self.server_stats.get("requests", [])
        )
        return "\n".join(
            [
                "## Method",
                "",
                "```bash",
                ". .venv/bin/activate",
                "pip install -e '.[benchmarks]'   # matplotlib, for the plot",
                "python -m benchmarks             # full run: writes docs/benchmarks.md and the plot",
                "python -m benchmarks --quick     # under a minute: prints the report",
                "```",
                "",
                "It measures the `litellm_providers` that Python imports: run from the repository root, the "
                "working tree. To measure a commit instead: `git archive <commit> litellm_providers | tar -x "
                "-C /tmp/lp`, then from another directory `PYTHONPATH=/tmp/lp:<repo> python -m benchmarks "
                '--out <repo>/docs/benchmarks.md --label "commit <commit>"`; the header names the '
                "source measured.",
                "",
                "* One SSE server (`benchmarks/server.py`) runs in a child process, so serving never "
                "competes with the measured client for the GIL. It listens on 127.0.0.1 only, answers "
                "at most the number of requests the run plans (plus a margin), and stops when the run "
                "closes its stdin, after 2 minutes without a request, or 15 minutes after start. It serves "
                "`POST /v1/chat/completions` only: every route gets `api_base=http://127.0.0.1:PORT/v1`, "
                "and the package posts to `<api_base>/chat/completions` as the others do. Each SSE event "
                "is its own HTTP/1.1 chunk; connections are kept alive.",
                f"* Requests the server saw in this run: {counts}.",
                "* Before every measurement, LiteLLM's logging thread pool is drained and (async) the event "
                "loop's pending logging tasks are awaited, then `gc.collect()`: no run is charged for the "
                "previous run's background work.",
                "* One warm-up stream per route before timing (first-call imports and client set-up are not "
                "measured). `litellm.suppress_debug_info = True`. `LITELLM_LOCAL_MODEL_COST_MAP=True` "
                "everywhere, including the child interpreters.",
                "* Other processes on the machine add noise; interleaving the routes spreads it over all "
                "of them, and range columns show how much there was.",
            ]
        )

    # -- plot ---------------------------------------------------------------------------------------

    def plot(self, path: Path) -> bool:
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
            from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
        except ImportError:
            return False
        figure, axes = plt.subplots(1, len(MODES), figsize=(11, 4.2), sharey=True)
        styles = {"package": ("tab:blue", "o"), "openai": ("tab:orange", "s"), "httpx": ("tab:green", "^")}
        for axis, mode in zip(axes, MODES, strict=True):
            for route in ROUTES:
                xs = self.streams.lengths
                ys = [self.t(mode, route, n) / n * 1e6 for n in xs]
                color, marker = styles[route]
                axis.plot(xs, ys, marker=marker, color=color, label=LABELS[route])
            axis.set_xscale("log")
            axis.set_yscale("log")
            axis.set_xticks(self.streams.lengths)
            axis.set_xticklabels([str(n) for n in self.streams.lengths])
            axis.xaxis.set_minor_formatter(NullFormatter())
            axis.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
            axis.yaxis.set_minor_formatter(NullFormatter())
            axis.set_title(f"{mode}")
            axis.set_xlabel("stream length (chunks)")
            axis.grid(True, which="both", alpha=0.3)
        axes[0].set_ylabel("time per chunk (µs, median)")
        axes[0].legend(fontsize=8)
        figure.suptitle(
            f"One Synternet-style stream, three routes ({self.machine['cpu']}, "
            f"Python {self.machine['python']}, LiteLLM {self.machine['litellm']})",
            fontsize=9,
        )
        figure.tight_layout()
        figure.savefig(path, dpi=110)
        plt.close(figure)
        return True
