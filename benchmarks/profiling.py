"""Where a streamed chunk's time goes: one cProfile'd stream per LiteLLM route, sync and async.

cProfile slows everything down, so only proportions are reported: the share of the route's time spent
in this package's own code (self time of functions in ``litellm_providers/``), in LiteLLM, in the
``openai`` SDK, and in pydantic, plus the functions with the most self time.
"""

from __future__ import annotations

import cProfile
import pstats
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from benchmarks.harness import asettle, settle
from benchmarks.routes import Routes

GROUPS = ("litellm_providers", "litellm", "openai", "pydantic", "httpx/httpcore/h11", "other")


def _group(filename: str) -> str:
    parts = PurePath(filename).parts
    for name in ("litellm_providers", "litellm", "openai", "pydantic", "pydantic_core"):
        if name in parts:
            return "pydantic" if name == "pydantic_core" else name
    if any(p in parts for p in ("httpx", "httpcore", "h11")):
        return "httpx/httpcore/h11"
    return "other"


def _short(filename: str, line: int, name: str) -> str:
    parts = PurePath(filename).parts
    for root in ("litellm_providers", "litellm", "openai", "pydantic", "httpx", "httpcore", "h11"):
        if root in parts:
            parts = parts[parts.index(root) :]
            break
    else:
        parts = parts[-1:]
    return f"{'/'.join(parts)}:{line}({name})"


@dataclass
class Profile:
    mode: str
    route: str
    total: float
    groups: dict[str, float] = field(default_factory=dict)
    top: list[tuple[str, float]] = field(default_factory=list)

    def share(self, group: str) -> float:
        return self.groups.get(group, 0.0) / self.total if self.total else 0.0


def _summarise(mode: str, route: str, profiler: cProfile.Profile) -> Profile:
    raw = pstats.Stats(profiler).stats  # type: ignore[attr-defined]  # {(file, line, name): (cc, nc, tt, ct, callers)}
    groups: dict[str, float] = {}
    rows = []
    for (filename, line, name), (_, _, tottime, _, _) in raw.items():
        group = _group(filename)
        groups[group] = groups.get(group, 0.0) + tottime
        rows.append((_short(filename, line, name), tottime))
    rows.sort(key=lambda row: -row[1])
    return Profile(mode, route, sum(groups.values()), groups, rows[:8])


def profile_routes(routes: Routes, n: int, log: Callable[[str], None]) -> list[Profile]:
    profiles = []
    for route in ("package", "openai"):
        read = routes.sync(route)
        settle()
        profiler = cProfile.Profile()
        profiler.enable()
        read(f"bench n={n}")
        profiler.disable()
        profiles.append(_summarise("sync", route, profiler))
        log(f"  profiled sync {route}: {profiles[-1].share('litellm_providers'):.1%} in litellm_providers")
    return profiles


async def aprofile_routes(routes: Routes, n: int, log: Callable[[str], None]) -> list[Profile]:
    profiles = []
    for route in ("package", "openai"):
        read = routes.async_(route)
        await asettle()
        profiler = cProfile.Profile()
        profiler.enable()
        await read(f"bench n={n}")
        profiler.disable()
        profiles.append(_summarise("async", route, profiler))
        log(f"  profiled async {route}: {profiles[-1].share('litellm_providers'):.1%} in litellm_providers")
    return profiles
