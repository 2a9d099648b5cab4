"""Ready tools for agent loops: Synthetic's web search as an OpenAI function tool.

``web_search`` is the tool's schema and its executor in one object::

    from litellm_providers.tools import web_search

    response = litellm.completion(model=..., messages=messages, tools=[web_search.schema])
    for call in response.choices[0].message.tool_calls or []:
        if call.function.name == web_search.name:
            result = web_search(call.function.arguments)  # the model's JSON arguments in, text out
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})

The executor never raises for what a model or the provider does: arguments that are not JSON, a
missing query, a used-up ``search.hourly`` window, a timeout all come back as one line of text
beginning ``web_search failed:``, which the model reads and can act on (rephrase, wait, answer
without). ``web_search.configured(api_base=..., max_results=...)`` is a copy with other settings;
``web_search.for_agents_sdk()`` is the same tool as an OpenAI Agents SDK ``FunctionTool``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import openai

from litellm_providers.limits import load_json
from litellm_providers.search_results import SearchResponse, printable

MAX_RESULTS_ASKED = 20
"""The most results a model may ask for in one call (the schema's maximum)."""

_DESCRIPTION = (
    "Search the web. Returns the most relevant pages for the query: title, URL, publication date "
    "when known, and the page's text. Use it for recent events or facts you are unsure of."
)


class _BadArguments(ValueError):
    """The model's arguments cannot be searched with; the message says why, for the model."""


@dataclass(frozen=True)
class WebSearchTool:
    """Synthetic's web search as a function tool: ``schema`` for the model, a call to run it."""

    name: str = "web_search"
    api_key: str | None = None
    """Defaults as for a call: ``SYNTHETIC_API_KEY``."""
    api_base: str | None = None
    """Defaults as for a call: ``SYNTHETIC_API_BASE``, else Synthetic's; search is at its origin."""
    timeout: float = 30.0
    """Seconds one search may take; an agent loop should not wait on a search for minutes."""
    max_results: int = 5
    """Results returned when the model does not say how many."""
    max_text_chars: int = 1_000
    """Each result's text is cut to this many characters: the model's context is the scarce part."""
    output: Literal["text", "json"] = "text"
    """``text``: a numbered list; ``json``: ``{"query": ..., "results": [{title, url, published, text}]}``."""

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON schema of the arguments."""
        return {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to search the web for."},
                "max_results": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_RESULTS_ASKED,
                    "description": f"How many results to return (default {self.max_results}).",
                },
            },
            "required": ["query"],
            "additionalProperties": False,
        }

    @property
    def schema(self) -> dict[str, Any]:
        """The OpenAI function-tool schema, for ``tools=[...]`` of ``litellm.completion``."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": _DESCRIPTION, "parameters": self.parameters},
        }

    def configured(self, **changes: Any) -> WebSearchTool:
        """A copy with other settings: ``web_search.configured(api_base=..., output="json")``."""
        return dataclasses.replace(self, **changes)

    def __call__(self, arguments: str | Mapping[str, Any]) -> str:
        """Run a search from the model's arguments (its JSON string, or the parsed object)."""
        import litellm_providers

        try:
            query, count = self._read(arguments)
            response = litellm_providers.search(
                query, max_results=count, api_key=self.api_key, api_base=self.api_base, timeout=self.timeout
            )
        except (_BadArguments, openai.APIError) as error:
            return self._failed(error)
        return self._render(query, response)

    async def acall(self, arguments: str | Mapping[str, Any]) -> str:
        """``__call__``, awaited."""
        import litellm_providers

        try:
            query, count = self._read(arguments)
            response = await litellm_providers.asearch(
                query, max_results=count, api_key=self.api_key, api_base=self.api_base, timeout=self.timeout
            )
        except (_BadArguments, openai.APIError) as error:
            return self._failed(error)
        return self._render(query, response)

    def for_agents_sdk(self) -> Any:
        """This tool as an OpenAI Agents SDK ``FunctionTool`` (``pip install openai-agents``)."""
        from agents import FunctionTool

        async def invoke(_context: Any, arguments: str) -> str:
            return await self.acall(arguments)

        return FunctionTool(
            name=self.name,
            description=_DESCRIPTION,
            params_json_schema=self.parameters,
            on_invoke_tool=invoke,
            # max_results is optional, which the SDK's strict mode (every property required) forbids.
            strict_json_schema=False,
        )

    # -- the executor's halves ----------------------------------------------------------------------

    def _read(self, arguments: str | Mapping[str, Any]) -> tuple[str, int]:
        parsed: Any = arguments
        if isinstance(arguments, str | bytes):
            try:
                parsed = load_json(arguments or "{}")
            except ValueError:
                raise _BadArguments('the arguments are not JSON; send {"query": "..."}') from None
        if not isinstance(parsed, Mapping):
            raise _BadArguments('the arguments must be a JSON object such as {"query": "..."}')
        query = parsed.get("query")
        if not isinstance(query, str) or not query.strip():
            raise _BadArguments("'query' must be a non-empty string")
        count = parsed.get("max_results", self.max_results)
        if count is None:
            count = self.max_results
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_RESULTS_ASKED:
            raise _BadArguments(f"'max_results' must be an integer from 1 to {MAX_RESULTS_ASKED}")
        return query, count

    def _failed(self, error: Exception) -> str:
        # LiteLLM's messages name the provider, the status and, for a used-up window, when it renews;
        # they never carry the key. One line: some agent loops show tool output in a log.
        text = getattr(error, "message", None) or str(error)
        return f"{self.name} failed: {printable(str(text))}"

    def _render(self, query: str, response: SearchResponse) -> str:
        results = [
            {
                "title": printable(result.title),
                "url": printable(result.url),
                "published": printable(result.date) if result.date else None,
                "text": self._cut(printable(result.snippet)),
            }
            for result in response.results
        ]
        if self.output == "json":
            return json.dumps({"query": query, "results": results}, ensure_ascii=False)
        if not results:
            return f"No results for {query!r}."
        blocks = []
        for number, result in enumerate(results, start=1):
            dated = f" (published {result['published']})" if result["published"] else ""
            blocks.append(f"{number}. {result['title']}\n   {result['url']}{dated}\n   {result['text']}")
        return "\n\n".join(blocks)

    def _cut(self, text: str) -> str:
        return text if len(text) <= self.max_text_chars else text[: self.max_text_chars].rstrip() + "…"


web_search = WebSearchTool()
"""Synthetic's web search for agent loops, with the default settings (see ``WebSearchTool``)."""
