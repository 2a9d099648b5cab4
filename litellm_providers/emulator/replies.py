"""What the emulated model says: a deterministic reply to a request, steered by ``emulate:`` directives."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from litellm_providers.emulator.tool_calls import arguments_for, chosen_tool, offered_tools, quoted_or_whole

DIRECTIVE = re.compile(r"emulate:(\w+)=([\w.-]+)")
# LiteLLM turns a system message sent mid-conversation into a user message that starts so. Claude Code
# 2.1.3xx sends its environment that way, after the user's prompt, for a model name it does not know:
# not the user's words, so the emulator reads the user's turn past it.
OPERATOR_NOTE = "Operator note (not from the user)"


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
        texts = (part.get("text") for part in content if isinstance(part, dict))
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def compose_reply(body: dict[str, Any]) -> Reply:
    """The deterministic answer to a chat request: an echo, one tool call, or a tool result summary."""
    given = body.get("messages")
    messages = [m for m in given if isinstance(m, dict)] if isinstance(given, list) else []
    prompt_tokens = sum(len(text_of(m.get("content")).split()) + 4 for m in messages)
    said = text_of(_last_user_said(messages).get("content"))
    question = DIRECTIVE.sub("", said).strip()
    results = _tool_results_since_last_answer(messages)
    if results is not None:
        return Reply(
            reasoning="The tool returned a result; I will report it.",
            answer=f"The tool says: {results}",
            prompt_tokens=prompt_tokens,
        )
    asked = _user_text_parts(messages)
    directives = dict(DIRECTIVE.findall(said))
    tool = chosen_tool(
        offered_tools(body.get("tools")), body.get("tool_choice"), asked, directives.get("tool")
    )
    if tool is not None:
        # Ids stay unique across a conversation: a client may reject a tool_use id it has seen before.
        earlier = sum(len(m["tool_calls"]) for m in messages if isinstance(m.get("tool_calls"), list))
        call = {
            "id": f"call_{earlier}_{tool.name}",
            "type": "function",
            "function": {
                "name": tool.name,
                "arguments": json.dumps(arguments_for(tool.schema, quoted_or_whole(asked))),
            },
        }
        return Reply(
            reasoning=f"The user asked: {question!r}. A tool can answer this.",
            answer="",
            tool_calls=[call],
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


def _tool_results_since_last_answer(messages: list[dict[str, Any]]) -> str | None:
    """The tool results the client sent since the model last spoke (a client may add its own user text
    after them), joined: the turn that reports them rather than calling again."""
    results = []
    for message in reversed(messages):
        if message.get("role") == "assistant":
            break
        if message.get("role") == "tool":
            results.append(text_of(message.get("content")))
    return "\n".join(reversed(results)) if results else None


def _user_text_parts(messages: list[dict[str, Any]]) -> list[str]:
    """The text parts of the last user message, directives removed."""
    content = _last_user_said(messages).get("content")
    parts = [content] if isinstance(content, str) else []
    if isinstance(content, list):
        parts = [p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return [DIRECTIVE.sub("", part).strip() for part in parts]


def number(raw: str | None, default: float | None = None) -> float | None:
    try:
        return float(raw) if raw is not None else default
    except ValueError:
        return default


def directives_of(body: dict[str, Any]) -> dict[str, str]:
    """The directives of the last user message. Not of the last message: a client that resends a
    failed turn may end it with its own item (Codex sends back the reasoning it got before the error),
    and a provider in trouble fails the resend as it failed the first try."""
    given = body.get("messages")
    messages = [m for m in given if isinstance(m, dict)] if isinstance(given, list) else []
    return dict(DIRECTIVE.findall(text_of(_last_user_said(messages).get("content"))))


def _operator_note(message: dict[str, Any]) -> bool:
    return message.get("role") == "user" and text_of(message.get("content")).startswith(OPERATOR_NOTE)


def _last_user_said(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The last user message, past the operator notes LiteLLM appended after it."""
    return next((m for m in reversed(messages) if m.get("role") == "user" and not _operator_note(m)), {})


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
