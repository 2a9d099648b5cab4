"""The emulated model's tool call: which one offered tool it calls, and arguments its schema accepts.

Real clients (Claude Code, Codex, opencode) validate a call's arguments against the tool's JSON schema
before running it, so the arguments are built from the schema: each required property, and nothing
else, gets a plausible value for its type. A shell tool's command comes from the text the user quoted
in backticks ("run `echo hi`"), so the client really runs it and the next turn reports its output.
Everything here is deterministic (cassettes replay it) and never raises on a malformed schema.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

# Deeper schemas ($ref cycles, absurd nesting) are cut off with an empty value rather than recursed into.
MAX_SCHEMA_DEPTH = 8
MAX_VALUES = 256
# A fenced block first (```bash\necho hi\n```), else an inline span (`echo hi`).
_FENCED = re.compile(r"```[\w+-]*\n?(.*?)```", re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`")
_NO_TOOL = "none"


@dataclass(frozen=True)
class OfferedTool:
    """One callable tool of a request: its name and its parameters' JSON schema."""

    name: str
    schema: Any


def offered_tools(tools: Any) -> list[OfferedTool]:
    """The callable tools of a request, in the order offered. Chat Completions' shape
    (``{"type": "function", "function": {...}}``) is what LiteLLM sends after translating a Responses or
    Anthropic request; their flat shapes (``name`` + ``parameters`` / ``input_schema``) are read too.
    Entries without a name (an MCP server, a hosted tool LiteLLM passed through) cannot be called."""
    found = []
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, dict):
            continue
        nested = tool.get("function")
        function: dict[str, Any] = nested if isinstance(nested, dict) else tool
        name = function.get("name")
        if isinstance(name, str) and name:
            schema = function.get("parameters", function.get("input_schema"))
            found.append(OfferedTool(name, schema))
    return found


def chosen_tool(
    tools: list[OfferedTool], tool_choice: Any, text: str, forced: str | None
) -> OfferedTool | None:
    """The one tool to call, or None: ``tool_choice`` naming a function (or an ``emulate:tool=<name>``
    directive) forces it, ``"none"`` calls nothing; otherwise the first tool whose name the user wrote
    as a whole word (case-insensitive), else the first tool offered."""
    if not tools or tool_choice == _NO_TOOL or forced == _NO_TOOL:
        return None
    by_name = {tool.name: tool for tool in reversed(tools)}  # the first of a repeated name wins
    named = forced or _named_in_choice(tool_choice)
    if named in by_name:
        return by_name[named]
    for tool in tools:
        if re.search(rf"(?<!\w){re.escape(tool.name)}(?!\w)", text, re.IGNORECASE):
            return tool
    return tools[0]


def _named_in_choice(tool_choice: Any) -> str | None:
    # {"type": "function", "function": {"name": ...}} (chat) or {"type": ..., "name": ...} (flat shapes)
    if not isinstance(tool_choice, dict):
        return None
    function = tool_choice.get("function")
    name = function.get("name") if isinstance(function, dict) else tool_choice.get("name")
    return name if isinstance(name, str) else None


def quoted_or_whole(parts: list[str]) -> str:
    """What a string argument gets: the text the user quoted in backticks (the last text part that quotes
    any, its first quote: a client puts its own reminders before the user's words), else the last
    non-empty part, the user's question."""
    for part in reversed(parts):
        for pattern in (_FENCED, _INLINE):
            match = pattern.search(part)
            if match and match.group(1).strip():
                return match.group(1).strip()
    return next((part.strip() for part in reversed(parts) if part.strip()), "")


def arguments_for(schema: Any, text: str) -> dict[str, Any]:
    """Arguments a tool with this parameters schema accepts: each required property filled by type
    (string: ``text``; array of strings: ``text`` split like argv; integer/number: 1; boolean: false;
    enum: its first value; object: built the same way; any other array: []). A missing or malformed
    schema gives {}."""
    root = schema if isinstance(schema, dict) else {}
    built = _ArgumentBuilder(root, text).value(root, 0)
    return built if isinstance(built, dict) else {}


class _ArgumentBuilder:
    """Builds one call's arguments; a budget of values bounds the work a self-referencing or very wide
    schema could cause (past it, values are empty)."""

    def __init__(self, root: dict[str, Any], text: str) -> None:
        self.root = root
        self.text = text
        self.budget = MAX_VALUES

    def value(self, schema: dict[str, Any], depth: int) -> Any:
        self.budget -= 1
        if depth > MAX_SCHEMA_DEPTH or self.budget < 0:
            return {}
        schema = _resolved(schema, self.root)
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        for union in ("anyOf", "oneOf", "allOf"):
            options = schema.get(union)
            first = (
                next((o for o in options if isinstance(o, dict)), None) if isinstance(options, list) else None
            )
            if first is not None:
                return self.value(first, depth + 1)
        kind = _type_of(schema)
        if kind == "object":
            return self.object(schema, depth)
        if kind == "array":
            items = schema.get("items")
            if isinstance(items, dict) and _type_of(_resolved(items, self.root)) == "string":
                return _argv(self.text)
            return []
        return {"integer": 1, "number": 1, "boolean": False, "null": None}.get(kind, self.text)

    def object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        required = schema.get("required")
        names = [name for name in required if isinstance(name, str)] if isinstance(required, list) else []
        built: dict[str, Any] = {}
        for name in names:
            given = properties.get(name)
            built[name] = self.value(given if isinstance(given, dict) else {}, depth + 1)
        return built


def _type_of(schema: dict[str, Any]) -> str:
    """The schema's type; for a list of types the first that is not null; unstated, guessed from the
    keywords present (a bare schema is taken as a string, the commonest parameter)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next(
            (k for k in kind if isinstance(k, str) and k != "null"), "null" if "null" in kind else None
        )
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "required" in schema:
        return "object"
    return "array" if "items" in schema else "string"


def _resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """A local ``$ref`` (``#/$defs/x``, ``#/definitions/x``) replaced by what it points at, once."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for key in ref[2:].split("/"):
        target = target.get(key) if isinstance(target, dict) else None
    return target if isinstance(target, dict) else {}


def _argv(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: plain words will do
        return text.split()
