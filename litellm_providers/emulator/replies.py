"""What the emulated model says: a deterministic reply to a request, steered by ``emulate:`` directives."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

DIRECTIVE = re.compile(r"emulate:(\w+)=([\w.-]+)")


@dataclass
class Reply:
    """What the emulated model says to one request."""

    reasoning: str
    answer: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0

    @property
    def completion_tokens(self) -> int:
        words = len(self.reasoning.split()) + len(self.answer.split())
        return words + sum(len(json.dumps(call).split()) for call in self.tool_calls)


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def compose_reply(body: dict[str, Any]) -> Reply:
    """The deterministic answer to a chat request: an echo, a tool call, or a tool result summary."""
    messages = body.get("messages") or []
    prompt_tokens = sum(len(text_of(m.get("content")).split()) + 4 for m in messages if isinstance(m, dict))
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    question = DIRECTIVE.sub("", text_of(last.get("content"))).strip()
    if last.get("role") == "tool":
        result = text_of(last.get("content"))
        return Reply(
            reasoning="The tool returned a result; I will report it.",
            answer=f"The tool says: {result}",
            prompt_tokens=prompt_tokens,
        )
    tools = body.get("tools") or []
    if tools and body.get("tool_choice") != "none":
        calls = []
        wanted = tools if body.get("parallel_tool_calls", True) else tools[:1]
        for index, tool in enumerate(wanted):
            name = tool.get("function", {}).get("name", "tool")
            calls.append(
                {
                    "id": f"call_{index}_{name}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps({"query": question})},
                }
            )
        return Reply(
            reasoning=f"The user asked: {question!r}. A tool can answer this.",
            answer="",
            tool_calls=calls,
            prompt_tokens=prompt_tokens,
        )
    response_format = body.get("response_format") or {}
    if response_format.get("type") in ("json_object", "json_schema"):
        answer = json.dumps({"answer": question})
    else:
        answer = f"You asked: {question}" if question else "Hello! How can I help?"
    return Reply(
        reasoning=f"The user asked: {question!r}. Let me answer briefly.",
        answer=answer,
        prompt_tokens=prompt_tokens,
    )


def number(raw: str | None, default: float | None = None) -> float | None:
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


def directives_of(body: dict[str, Any]) -> dict[str, str]:
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], dict) else {}
    return dict(DIRECTIVE.findall(text_of(last.get("content"))))


def content_with_reasoning(reply: Reply, reasoning_format: str) -> tuple[list[str], str | None]:
    """Content pieces as the provider sends them, and reasoning for a separate field (if any)."""
    if not reply.reasoning:
        return _words(reply.answer), None
    if reasoning_format == "brackets":
        first, _, rest = reply.reasoning.partition(". ")
        pieces = [f"[Thinking: {first}.]"]
        if rest:
            pieces.append(f"[Reasoning: {rest}]")
        return [*pieces, *_words(reply.answer)], None
    if reasoning_format == "think_tags":
        return [f"<think>{reply.reasoning}</think>", *_words(reply.answer)], None
    if reasoning_format == "think_tags_opened":  # the prompt opened the block: only the close is sent
        return [f"{reply.reasoning}\n</think>\n\n", *_words(reply.answer)], None
    return _words(reply.answer), None


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text) if text else []
