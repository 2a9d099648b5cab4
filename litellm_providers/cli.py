"""``litellm-providers``: list the catalog, show the quotas left, run the offline demo, serve the emulator."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

# LiteLLM fetches its price map over the network at import unless told not to; the CLI must work
# offline, so say so before anything imports LiteLLM.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from litellm_providers.catalog import ModelEntry, active_models, resolved
from litellm_providers.providers import PROVIDERS

_DIM, _BOLD, _RESET = "\033[2m", "\033[1m", "\033[0m"


def _price(value: float | None) -> str:
    return "—" if value is None else f"${value:.2f}"


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _capabilities(entry: ModelEntry) -> str:
    flags = {
        "stream": entry.streaming,
        "tools": entry.tools,
        "parallel": entry.parallel_tool_calls,
        "json": entry.structured_output,
        "reasoning": entry.reasoning,
        "vision": entry.vision,
        "embedding": entry.mode == "embedding",
        "retired": entry.retired,
    }
    return ",".join(name for name, on in flags.items() if on)


def models_table(catalogs: Mapping[str, Mapping[str, ModelEntry]]) -> str:
    header = ("model", "context", "max output", "in $/1M", "out $/1M", "tier", "capabilities")
    rows: list[tuple[str, ...]] = [header]
    for route, models in catalogs.items():
        for name in models:
            entry = resolved(models, name)
            label = f"{route}/{name}" + (f" → {entry.alias_of}" if entry.alias_of else "")
            rows.append(
                (
                    label,
                    _number(entry.context_window),
                    _number(entry.max_output_tokens),
                    _price(entry.input_usd_per_million),
                    _price(entry.output_usd_per_million),
                    entry.tier or "—",
                    _capabilities(entry),
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
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
        snapshot = litellm_providers.quotas(route, api_base=api_base)
    except Exception as error:  # LiteLLM's exceptions: their message names provider, status and cause
        write(f"{route}: no quotas: {error}\n")
        return 1
    write(quotas_table(snapshot) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litellm-providers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    models = commands.add_parser("models", help="print the model catalog as a table")
    models.add_argument("--provider", choices=sorted(PROVIDERS), help="only this provider")
    models.add_argument(
        "--refresh",
        nargs="?",
        const="",
        choices=["", *sorted(r for r, spec in PROVIDERS.items() if spec.models_path)],
        metavar="PROVIDER",
        help="first read the providers' live model lists (all that publish one, or PROVIDER) and cache them",
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
    emulate = commands.add_parser("emulate", help="serve the providers' wire formats on loopback")
    emulate.add_argument("--host", default="127.0.0.1")
    emulate.add_argument("--port", type=int, default=8765)
    args = parser.parse_args(argv)

    if args.command == "models":
        from litellm_providers.catalog_cache import read_fresh_cache
        from litellm_providers.refresh import refresh_catalog

        routes = [args.provider] if args.provider else list(PROVIDERS)
        if args.refresh is not None:
            targets = [args.refresh] if args.refresh else [r for r in routes if PROVIDERS[r].models_path]
            for route in targets:
                print(refresh_catalog(route, register=False).summary())
            print()
        catalogs = {route: read_fresh_cache(route) or active_models(route) for route in routes}
        print(models_table(catalogs))
        return 0
    if args.command == "demo":
        return run_demo(args.prompt)
    if args.command == "quotas":
        return print_quotas(args.provider, args.api_base)
    from litellm_providers.emulator import serve

    serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
