"""Section 6 of docs/benchmarks.md from the proxy benchmark's results (``benchmarks.proxy``).

The results are plain data (``ProxyResults`` as a dict, or its ``--json``), so another leg's run can be
shown beside this one's (``--compare``). ``splice`` puts the section into the page, replacing an earlier
one; a full ``python -m benchmarks`` run carries it over with ``carry_over``.
"""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks.proxy import HEADING, HOOK_TARGET, RATIO_TARGET, ROUTES, UPSTREAM_MODEL

END_MARKER = "<!-- end of the generated proxy section: notes below it are kept by --write -->"


def _runs(results: dict[str, Any], concurrency: int, key: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = results["runs"].get(f"{concurrency}/{key}", [])
    return runs


def _rate(run: dict[str, Any], what: str) -> float:
    return float(run[what]) / run["wall"] if run["wall"] else 0.0


def _percentile(values: list[float], share: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def _cpu_per_request(run: dict[str, Any]) -> float:
    return float(run["cpu"]["proxy"]) / run["requests"] if run["requests"] else 0.0


def _clean(run: dict[str, Any]) -> bool:
    """A run every stream of which was served: one with failures is shown, never put in a ratio."""
    return bool(run["requests"]) and not run["failures"]


def _ratio(
    results: dict[str, Any], concurrency: int, key: str, over: str, cpu: bool = False
) -> tuple[float, float, float, int]:
    """Median, min and max of the per-round ratio of requests/s (``cpu``: of the proxy's CPU time per
    request, over ÷ key, so that above 1 is better for ``key`` either way): rounds pair runs made close
    in time. Rounds where either run lost streams are left out."""
    pairs = zip(_runs(results, concurrency, key), _runs(results, concurrency, over), strict=False)
    if cpu:
        ratios = [_cpu_per_request(b) / _cpu_per_request(a) for a, b in pairs if _clean(a) and _clean(b)]
    else:
        ratios = [_rate(a, "requests") / _rate(b, "requests") for a, b in pairs if _clean(a) and _clean(b)]
    if not ratios:
        return float("nan"), float("nan"), float("nan"), 0
    return statistics.median(ratios), min(ratios), max(ratios), len(ratios)


def _proxy_label(results: dict[str, Any], key: str) -> str:
    proxy = key.partition("/")[0]
    if key == "emulator":
        return "none: the emulator straight (its ceiling)"
    if proxy == "hook":
        return "1 worker + quota-aware routing hook"
    workers = int(proxy.removesuffix("w"))
    return f"{workers} worker{'s' if workers > 1 else ''}"


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    plan = results["plan"]
    rows = []
    for workers in plan["workers"]:
        for concurrency in plan["concurrencies"]:
            median, low, high, rounds = _ratio(
                results, concurrency, f"{workers}w/synthetic", f"{workers}w/openai"
            )
            name = f"`synthetic/` ÷ `openai/` requests/s, {workers} worker{'s' if workers > 1 else ''}, "
            name += f"{concurrency} streams at once"
            by_cpu = _ratio(results, concurrency, f"{workers}w/synthetic", f"{workers}w/openai", cpu=True)
            measured = (
                f"{median:.3f} ({_rounds(rounds, plan)}: {low:.3f} to {high:.3f}); by proxy CPU per "
                f"request: {by_cpu[0]:.3f}"
                if rounds
                else "not measured: every round lost streams (see the table)"
            )
            rows.append((name, f"≥ {RATIO_TARGET}", measured, rounds > 0 and median >= RATIO_TARGET))
    for hook in (hook for hook in results["hook"] if not hook.get("pace")):
        name = f"routing hook per call (`async_filter_deployments` + success callback), {hook['case']}"
        measured = (
            f"{hook['median'] * 1e3:.3f} ms median, {hook['mean'] * 1e3:.3f} ms mean, "
            f"{hook['p99'] * 1e3:.3f} ms p99 ({hook['calls']:,} calls)"
        )
        if "cpu_mean" in hook:
            measured += f"; CPU time {hook['cpu_mean'] * 1e3:.3f} ms mean"
        if "filter_median" in hook:
            measured += f"; the filter alone {hook['filter_median'] * 1e3:.3f} ms median"
        # The median, and the mean of CPU time: a rare Redis round trip shows in the mean only.
        met = hook["median"] < HOOK_TARGET and hook.get("cpu_mean", 0.0) < HOOK_TARGET
        rows.append((name, f"< {HOOK_TARGET * 1e3:g} ms (median and CPU mean)", measured, met))
    return rows


def _rounds(used: int, plan: dict[str, Any]) -> str:
    if used == plan["rounds"]:
        return "rounds"
    return f"{used} of {plan['rounds']} rounds, the others lost streams"


def _yes(ok: bool) -> str:
    return "**yes**" if ok else "**NO**"


def _legs_table(results: dict[str, Any], others: list[dict[str, Any]]) -> list[str]:
    legs = [results, *others]
    header = " | ".join(f"LiteLLM {leg['machine'].get('litellm', '?')}" for leg in legs)
    lines = [f"| target | goal | {header} |", "|---|---|" + "---|" * len(legs)]
    found = [{row[0]: row for row in target_rows(leg)} for leg in legs]
    for name, goal, _, _ in target_rows(results):
        cells = [
            f"{rows[name][2]} ({'met' if rows[name][3] else 'NOT MET'})" if name in rows else "not run"
            for rows in found
        ]
        lines.append(f"| {name} | {goal} | " + " | ".join(cells) + " |")
    return lines


def _table(results: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    lines = [
        "| proxy | streams at once | route | requests/s | tokens/s | TTFT p50 | TTFT p99 | failed "
        "| cores busy: proxy / emulator / client | proxy CPU per request |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({key.split("/", 1)[1] for key in results["runs"]}, key=_order)
    for concurrency in plan["concurrencies"]:
        for key in keys:
            runs = _runs(results, concurrency, key)
            if not runs:
                continue
            rps = statistics.median(_rate(run, "requests") for run in runs)
            tps = statistics.median(_rate(run, "tokens") for run in runs)
            ttfts = [t for run in runs for t in run["ttfts"]]
            wall = sum(run["wall"] for run in runs)
            busy = " / ".join(
                f"{sum(run['cpu'][part] for run in runs) / wall:.2f}"
                for part in ("proxy", "emulator", "client")
            )
            served = sum(run["requests"] for run in runs)
            per_request = sum(run["cpu"]["proxy"] for run in runs) / served if served else 0.0
            route = key.rpartition("/")[2]
            lines.append(
                f"| {_proxy_label(results, key)} | {concurrency} | "
                f"{f'`{route}/`' if route in ROUTES else '-'} | {rps:.1f} | {tps:,.0f} | "
                f"{_percentile(ttfts, 50) * 1e3:.0f} ms | {_percentile(ttfts, 99) * 1e3:.0f} ms | "
                f"{sum(run['failures'] for run in runs)} | {busy} | "
                f"{f'{per_request * 1e3:.1f} ms' if route in ROUTES else '-'} |"
            )
    return lines


def _order(key: str) -> tuple[int, str]:
    proxy = key.partition("/")[0]
    rank = 0 if proxy.endswith("w") else 1 if proxy == "hook" else 2
    return rank, key


def _facts(results: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    lines = []
    for concurrency in plan["concurrencies"]:
        ceiling = [_rate(run, "requests") for run in _runs(results, concurrency, "emulator")]
        best = max(
            (
                _rate(run, "requests")
                for key in results["runs"]
                if key.startswith(f"{concurrency}/") and not key.endswith("/emulator")
                for run in results["runs"][key]
            ),
            default=0.0,
        )
        if ceiling and best:
            times = statistics.median(ceiling) / best
            verdict = "not the bottleneck" if times >= 2 else "close enough to limit the proxies"
            alone = statistics.median(ceiling)
            lines.append(
                f"* {concurrency} streams at once: the emulator alone served {alone:.0f} requests/s, "
                f"{times:.1f} times the fastest proxy run ({best:.0f}): {verdict}."
            )
    for concurrency in plan["concurrencies"]:
        if _runs(results, concurrency, "hook/synthetic"):
            median, low, high, rounds = _ratio(results, concurrency, "hook/synthetic", "1w/synthetic")
            if not rounds:
                continue
            by_cpu = _ratio(results, concurrency, "hook/synthetic", "1w/synthetic", cpu=True)[0]
            lines.append(
                f"* The proxy with the quota-aware routing hook ÷ the same proxy without it, `synthetic/`, "
                f"1 worker, {concurrency} streams at once: {median:.3f} of the requests/s "
                f"({_rounds(rounds, plan)}: {low:.3f} to {high:.3f}); by proxy CPU per request: {by_cpu:.3f}."
            )
    paced = {hook["case"]: hook for hook in results["hook"] if hook.get("pace")}
    if paced:
        each = "; ".join(
            f"{case}: {hook['mean'] * 1e3:.3f} ms mean, {hook['median'] * 1e3:.3f} ms median, CPU time "
            f"{hook['cpu_mean'] * 1e3:.3f} ms mean ({hook['calls']:,} calls)"
            for case, hook in paced.items()
        )
        lines.append(
            f"* The routing hook at a proxy's pace ({1 / next(iter(paced.values()))['pace']:g} calls a "
            f"second, not back to back; no goal row, see the notes below): {each}."
        )
    return lines


def section(results: dict[str, Any], others: list[dict[str, Any]]) -> str:
    plan, machine = results["plan"], results["machine"]
    per_client = {c: max(1, -(-plan["requests_per_run"] // c)) for c in plan["concurrencies"]}
    served = ", ".join(
        f"{count} {name}" for name, count in results.get("emulator", {}).get("requests", {}).items()
    )
    lines = [
        HEADING,
        "",
        f"From `python -m benchmarks proxy` ({results['elapsed']:.0f} s, {machine.get('date', '?')}; "
        f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores; Python {machine.get('python', '?')}; "
        f"LiteLLM {machine.get('litellm', '?')}, openai {machine.get('openai', '?')} over "
        f"{machine.get('transport', '?')}; litellm-providers {machine.get('litellm-providers', '?')}, "
        f"{machine.get('source', '?')}). Other processes were running on the same two cores (test suites of "
        "other work), so single figures are noisy; the ratios pair runs of the same round, made back to "
        "back.",
        "",
        "Set-up, all on loopback: the bundled emulator (`litellm_providers.emulator`, in its own process) "
        "and LiteLLM proxies (the `litellm` command, each with a generated `--config`), started together: "
        "one with 1 worker, one "
        "with 2 (`--num_workers 2`), and one with 1 worker and the quota-aware routing hook (`callbacks: "
        '["litellm_providers.routing.quota_aware_routing"]`). Each proxy serves the same upstream model '
        f"`{UPSTREAM_MODEL}` twice: `synthetic/{UPSTREAM_MODEL}` (this package) and "
        f"`openai/{UPSTREAM_MODEL}` (LiteLLM's generic route), both with `api_base` the emulator's Synthetic "
        "base. The clients are aiohttp (in the benchmark's process, one event loop) posting "
        "`/v1/chat/completions` with `stream: true`; each stream answers "
        f"{plan['words'] + 3} text chunks (a `<think>` block, then one word a chunk) and `[DONE]`. Per run, "
        "every client streams "
        + ", ".join(
            f"{n} completion{'s' if n > 1 else ''} back to back at {c} at once" for c, n in per_client.items()
        )
        + f". {plan['rounds']} round{'s' if plan['rounds'] > 1 else ''}: each round runs every configuration "
        "once, in an order rotated from round to round. *requests/s* and *tokens/s* (text chunks a "
        "second): median over rounds; *TTFT*: from the request to the first chunk with text, over every "
        "stream of every round; *cores busy*: CPU seconds ÷ wall seconds of the proxy's processes, the "
        "emulator's and the clients'; *proxy CPU per request*: the proxy's CPU seconds ÷ requests served, "
        "far less sensitive to other processes than wall time, given beside each ratio as a check (as "
        "*CPU per request of `openai/` ÷ `synthetic/`*, so that above 1 favours `synthetic/` too).",
        "",
        "| target | goal | measured | met |",
        "|---|---|---|---|",
        *[f"| {name} | {goal} | {value} | {_yes(ok)} |" for name, goal, value, ok in target_rows(results)],
        "",
    ]
    if others:
        lines += [
            "The same targets on each LiteLLM leg, each from its own run on this machine:",
            "",
            *_legs_table(results, others),
            "",
        ]
    lines += [*_table(results), "", *_facts(results)]
    router = results.get("router") or {}
    if router:
        arms = "; ".join(
            f"{arm}: {got['cpu'] * 1e3:.1f} ms CPU (batches: {got['cpu_range'][0] * 1e3:.1f} to "
            f"{got['cpu_range'][1] * 1e3:.1f}), {got['wall'] * 1e3:.1f} ms wall"
            for arm, got in router["arms"].items()
        )
        lines.append(
            f"* A plain `litellm.Router` in one process streaming from the emulator ({router['chunks']} "
            f"chunks a call), in batches of {router['calls']} calls, {router['rounds']} of each kind, the "
            f"order reversed every round; median per call: {arms}."
        )
    if served:
        lines += [f"* Requests the emulator served in this run: {served}."]
    lines += ["", END_MARKER]
    return "\n".join(lines)


def _bounds(doc: str, end_at_marker: bool) -> tuple[int, int] | None:
    start = doc.find("\n" + HEADING + "\n")
    if start < 0:
        return None
    start += 1
    following = doc.find("\n## ", start + len(HEADING))
    end = following + 1 if following >= 0 else len(doc)
    marker = doc.find(END_MARKER, start, end) if end_at_marker else -1
    return (start, marker + len(END_MARKER)) if marker >= 0 else (start, end)


def splice(doc: str, new_section: str, whole: bool = False) -> str:
    """``doc`` with ``new_section`` in place of its proxy section (up to the end marker, so notes written
    after it stay; ``whole``: up to the next ``## `` heading), or inserted before ``## Method``."""
    new = new_section.rstrip("\n")
    found = _bounds(doc, end_at_marker=not whole)
    if found is not None:
        start, end = found
        rest = doc[end:].lstrip("\n")
        return doc[:start] + new + ("\n\n" + rest if rest else "\n")
    method = doc.find("\n## Method\n")
    if method < 0:
        return doc.rstrip("\n") + "\n\n" + new + "\n"
    return doc[: method + 1] + new + "\n\n" + doc[method + 1 :]


def carry_over(old_doc: str, new_doc: str) -> str:
    """The proxy section of ``old_doc`` (with its notes) put into ``new_doc``, which lacks it."""
    found = _bounds(old_doc, end_at_marker=False)
    if found is None:
        return new_doc
    return splice(new_doc, old_doc[found[0] : found[1]], whole=True)
