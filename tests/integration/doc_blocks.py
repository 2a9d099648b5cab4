"""The examples of a Markdown page: its fenced blocks, their opt-out markers, and the shell lines
that run the CLI or the proxy. Parsing only; tests/integration/test_doc_examples.py runs them."""

from __future__ import annotations

import importlib.util
import re
import shlex
from dataclasses import dataclass

import pytest

SHELL = {"bash", "sh", "shell", "console"}
# The servers a shell line may start, and where each answers 200 once it serves.
SERVER_PROBES = {"proxy": "/health/readiness", "emulate": "/openai/v1/models"}

FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(
    r"^<!--\s*doc-example:\s*(?P<directive>skip|requires\s+[\w.]+)\s*\((?P<reason>.+)\)\s*-->$"
)
ANY_MARKER = re.compile(r"<!--\s*doc-example:")
# A shell line's leading `NAME=value` words (the command's own environment), then the command.
ASSIGNMENTS = re.compile(r"^((?:[A-Za-z_]\w*=(?:\"[^\"]*\"|'[^']*'|\S)*\s+)*)(.*)$")


@dataclass(frozen=True)
class Block:
    page: str  # relative to the repository
    index: int  # 1-based, among the page's fenced blocks
    line: int  # the line of its first code line
    language: str
    code: str
    marker: str | None  # the `<!-- doc-example: ... -->` line right above the fence

    @property
    def id(self) -> str:
        return f"{self.page}#{self.index}"

    def opt_out(self) -> None:
        """Skip, with the marker's reason, where the marker says the block cannot run here."""
        if self.marker is None:
            return
        found = MARKER.match(self.marker)
        assert found, f"{self.page}:{self.line - 1}: a doc-example marker needs a directive and (a reason)"
        directive, reason = found["directive"], found["reason"]
        if directive == "skip":
            pytest.skip(f"{self.id} opts out: {reason}")
        module = directive.split()[1]
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{self.id} needs {module}: {reason}")


def blocks(page: str, text: str) -> list[Block]:
    lines = text.splitlines()
    found, index, number = [], 0, 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if not opening:
            number += 1
            continue
        end = next(n for n in range(number + 1, len(lines)) if lines[n].strip() == "```")
        index += 1
        above = lines[number - 1].strip() if number else ""
        marker = above if ANY_MARKER.match(above) else None
        code = "\n".join(lines[number + 1 : end]) + "\n"
        found.append(Block(page, index, number + 2, opening[1], code, marker))
        number = end + 1
    return found


def _kind(words: list[str]) -> str | None:
    """What a shell line runs: the proxy or the emulator (servers), another CLI command, or neither."""
    if words[:1] == ["litellm"] and "--config" in words:
        return "proxy"
    if words[:2] == ["litellm-providers", "emulate"]:
        return "emulate"
    return "cli" if words[:1] == ["litellm-providers"] else None


@dataclass(frozen=True)
class Command:
    """One shell line that runs the CLI or the proxy, with the block's exports before it."""

    block: Block
    exports: str
    assignments: str  # the line's own `NAME=value` prefix
    words: tuple[str, ...]
    kind: str

    @property
    def server(self) -> bool:
        return self.kind in SERVER_PROBES


def commands(block: Block) -> list[Command]:
    found, exports = [], []
    for line in block.code.replace("\\\n", " ").splitlines():
        if line.strip().startswith("export "):
            exports.append(line)
            continue
        assignments, rest = ASSIGNMENTS.match(line.strip()).groups()  # type: ignore[union-attr]
        words = shlex.split(rest, comments=True)
        kind = _kind(words)
        if kind:
            found.append(Command(block, "\n".join(exports), assignments.strip(), tuple(words), kind))
    return found
