"""``litellm-providers``: list the catalog, show the quotas left, search the web, run the offline demo, serve
the emulator."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import TextIO

# LiteLLM fetches its price map over the network at import unless told not to; the CLI must work
# offline, so say so before anything imports LiteLLM.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from litellm_providers.catalog import ModelEntry, active_models, resolved
from litellm_providers.providers import PROVIDERS

_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"


TABLE_WIDTH = 100
"""The widest line ``models`` prints: a terminal's default, with room to spare."""
# One letter per capability, explained under the table: words would not fit 100 columns.
_CAPABILITY_LETTERS = (
    ("T", "tools"),
    ("J", "structured output (json)"),
    ("R", "reasoning"),
    ("V", "vision"),
    ("E", "embeddings"),
    ("A", "served to the anonymous tier"),
)


def _price(value: float | None) -> str:
    return "—" if value is None else f"${value:.2f}"


def _tokens(value: int | None) -> str:
    """``128k``, ``1M``: a window at a glance. Windows are written in decimal or binary thousands
    (128,000 and 131,072 both read 128k, as the providers write them); others are rounded."""
    if value is None:
        return "—"
    for unit, suffix in ((1_000_000, "M"), (1024 * 1024, "M"), (1000, "k"), (1024, "k")):
        if value >= unit and value % unit == 0:
            return f"{value // unit}{suffix}"
    if value >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    return f"{round(value / 1000)}k" if value >= 1000 else str(value)


def _capabilities(entry: ModelEntry) -> str:
    flags = {
        "T": entry.tools,
        "J": entry.structured_output,
        "R": entry.reasoning,
        "V": entry.vision,
        "E": entry.mode == "embedding",
        "A": entry.admits("anonymous"),
    }
    return " ".join(letter for letter, on in flags.items() if on)


def models_table(catalogs: Mapping[str, Mapping[str, ModelEntry]], *, include_retired: bool = False) -> str:
    """The catalog in at most ``TABLE_WIDTH`` columns: current models first, retired ones only if asked.

    A model whose name does not leave room for its figures gets a line of its own, the figures under it.
    """
    header = ("model", "context", "max out", "in $/1M", "out $/1M", "caps")
    current: list[tuple[str, ...]] = []
    retired: list[tuple[str, ...]] = []
    for route, models in catalogs.items():
        for name in models:
            entry = resolved(models, name)
            label = f"{route}/{name}" + (f" → {entry.alias_of}" if entry.alias_of else "")
            row = (
                label,
                _tokens(entry.context_window),
                _tokens(entry.max_output_tokens),
                _price(entry.input_usd_per_million),
                _price(entry.output_usd_per_million),
                _capabilities(entry),
            )
            (retired if entry.retired else current).append(row)
    rows = current + (retired if include_retired else [])
    figures = [max(len(row[i]) for row in [header, *rows]) for i in range(1, len(header))]
    room = TABLE_WIDTH - sum(width + 2 for width in figures)
    name_width = min(max(len(row[0]) for row in [header, *rows]), room)

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(name_width)] + [
            cell.rjust(width) if i < 4 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row[1:], figures, strict=True))
        ]
        if len(row[0]) > name_width:  # the name alone, then its figures under it
            return row[0] + "\n" + line(("", *row[1:]))
        return "  ".join(cells).rstrip()

    lines = [line(header), "  ".join("-" * width for width in [name_width, *figures])]
    lines += [line(row) for row in current]
    if include_retired and retired:
        lines += ["", "retired (gone from the provider's lineup; kept so old configs keep their prices):"]
        lines += [line(row) for row in retired]
    legend = ", ".join(f"{letter} {meaning}" for letter, meaning in _CAPABILITY_LETTERS)
    lines += ["", *textwrap.wrap(f"caps: {legend}.", TABLE_WIDTH)]
    if retired and not include_retired:
        lines.append(f"{len(retired)} retired models not shown (--all shows them).")
    return "\n".join(lines)


def demo_model(route: str) -> str:
    """The model the demo shows: the first reasoning model of the catalog, else its first model."""
    models = active_models(route)
    return next((name for name, entry in models.items() if entry.reasoning), next(iter(models)))


def run_demo(prompt: str, out: TextIO | None = None) -> int:
    import litellm

    from litellm_providers.emulator import Emulator
    from litellm_providers.registration import provider_stated_cost, register

    stream_out = out or sys.stdout
    write = stream_out.write
    color = stream_out.isatty()
    dim, bold, reset = (_DIM, _BOLD, _RESET) if color else ("", "", "")
    register()
    with Emulator() as emulator:
        write(f"Offline demo against the bundled emulator at {emulator.url}\n")
        for route, spec in PROVIDERS.items():
            model = f"{route}/{demo_model(route)}"
            write(f"\n{bold}{model}{reset}\n")
            stream = litellm.completion(
                model=model,
                messages=[{"role": "user", "content": prompt}],
                api_base=emulator.base_url(route),
                api_key=os.environ.get(spec.api_key_env) or "emulator-key",
                stream=True,
                stream_options={"include_usage": True},
            )
            chunks = [chunk for chunk in stream if chunk.choices]
            deltas = [chunk.choices[0].delta for chunk in chunks]
            # Stripped for display: thinking models end their reasoning with the newlines before </think>.
            reasoning = "".join(getattr(delta, "reasoning_content", None) or "" for delta in deltas).strip()
            answer = "".join(delta.content or "" for delta in deltas)
            write(
                f"  {dim}reasoning: {(reasoning or '(none)').replace(chr(10), chr(10) + ' ' * 13)}{reset}\n"
            )
            write(f"  answer:    {answer}\n")
            cost = provider_stated_cost(chunks[0]) if chunks else None
            if cost is not None:
                write(f"  {dim}cost:      ${cost:.6f} (stated by the provider){reset}\n")
    return 0


def print_quotas(route: str, api_base: str | None, out: TextIO | None = None) -> int:
    """The quotas table, or the one-line reason there is none (exit status 1)."""
    import litellm_providers
    from litellm_providers.quota import quotas_table

    write = (out or sys.stdout).write
    try:
        # A time the answer writes without a timezone is read as UTC (quota.UtcDatetime), so the table
        # can always say how long is left; quotas_table itself never raises on what the answer holds.
        table = quotas_table(litellm_providers.quotas(route, api_base=api_base))
    except Exception as error:  # LiteLLM's exceptions: their message names provider, status and cause
        # One line: the first of the message, which for any exception is what went wrong (a message
        # LiteLLM built around a Python error goes on with the traceback).
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        write(f"{route}: no quotas: {reason}\n")
        return 1
    write(table + "\n")
    return 0


def print_search(query: str, max_results: int | None, api_base: str | None, out: TextIO | None = None) -> int:
    """Synthetic's search results as a table, or the one-line reason there are none (exit status 1)."""
    import litellm_providers
    from litellm_providers.search_results import results_table

    write = (out or sys.stdout).write
    try:
        response = litellm_providers.search(query, max_results=max_results, api_base=api_base)
    except Exception as error:  # LiteLLM's exceptions: their message names provider, status and cause
        write(f"synthetic: search failed: {error}\n")
        return 1
    write(results_table(response) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litellm-providers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("models", help="print the model catalog as a table")
    models.add_argument("--provider", choices=sorted(PROVIDERS), help="only this provider")
    models.add_argument("--all", action="store_true", help="also list the models a provider has retired")
    listing = sorted(r for r, spec in PROVIDERS.items() if spec.models_path)
    models.add_argument(
        "--refresh",
        nargs="?",
        const="",
        metavar="PROVIDER",
        help="first read the providers' live model lists (all that publish one, or PROVIDER: "
        f"{', '.join(listing)}) and cache them",
    )
    demo = commands.add_parser(
        "demo", help="stream one answer per provider from the bundled emulator (offline)"
    )
    demo.add_argument("--prompt", default="What is the capital of France?")
    quotas = commands.add_parser("quotas", help="what is left of the subscription, window by window")
    quotas.add_argument(
        "--provider",
        choices=sorted(r for r, spec in PROVIDERS.items() if spec.quotas_path),
        default="synthetic",
    )
    quotas.add_argument("--api-base", help="the API base (default: the provider's, or its API_BASE variable)")
    search = commands.add_parser("search", help="search the web with Synthetic's search API (a table)")
    search.add_argument("query", nargs="+", help="what to search for (several words are one query)")
    search.add_argument("--max-results", type=int, help="keep only the first N results")
    search.add_argument("--api-base", help="the API base (default: SYNTHETIC_API_BASE, else Synthetic's)")
    emulate = commands.add_parser("emulate", help="serve the providers' wire formats on loopback")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)
    if args.command == "models" and args.refresh and args.refresh not in listing:
        parser.error(f"--refresh: {args.refresh!r} publishes no model list; one of {', '.join(listing)}")

    if args.command == "models":
        from litellm_providers.catalog_cache import read_fresh_cache
        from litellm_providers.refresh import refresh_catalog

        routes = [args.provider] if args.provider else list(PROVIDERS)
        if args.refresh is not None:
            targets = [args.refresh] if args.refresh else [r for r in routes if PROVIDERS[r].models_path]
            for route in targets:
                spec = PROVIDERS[route]
                # A refresh may take up to its deadline per provider: say what is being waited on.
                where = spec.api_base(None) + str(spec.models_path)
                print(f"{route}: reading the live model list from {where} ...", file=sys.stderr, flush=True)
                print(refresh_catalog(route, register=False).summary())
            print()
        catalogs = {route: read_fresh_cache(route) or active_models(route) for route in routes}
        print(models_table(catalogs, include_retired=args.all))
        return 0
    if args.command == "demo":
        return run_demo(args.prompt)
    if args.command == "quotas":
        return print_quotas(args.provider, args.api_base)
    if args.command == "search":
        return print_search(" ".join(args.query), args.max_results, args.api_base)
    from litellm_providers.emulator import serve

    try:
        serve(args.host, args.port)
    except OSError as error:  # the port is taken, or the address is not this machine's
        reason = error.strerror or error
        print(
            f"litellm-providers emulate: cannot listen on {args.host}:{args.port} ({reason}); "
            "pick another with --port",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
