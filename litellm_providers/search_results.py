"""Web search (Synthetic's ``POST /v2/search``) read into LiteLLM's own ``SearchResponse``.

What is sent, how the answer is checked and how it is shown; the call itself goes through the package's
one transport (``operations.search_operation``, ``core.ProviderHandler.search``), so a search gets the
client pool, key redaction, the deadline, typed errors and the redirect policy of every other call.

The answer is read into ``litellm.llms.base_llm.search.transformation.SearchResponse``, the type
``litellm.search`` returns (the same class on both supported LiteLLM releases; see ``compat.py``), so
code written for LiteLLM's search providers reads it unchanged: ``result.title``, ``result.url``,
``result.snippet`` (the provider's ``text``), ``result.date`` (its ``published``).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from litellm.llms.base_llm.search.transformation import SearchResponse, SearchResult

from litellm_providers.provider import SearchEndpoint
from litellm_providers.readable import UnreadableAnswer

__all__ = [
    "DEFAULT_SEARCH_TIMEOUT",
    "SearchResponse",
    "SearchResult",
    "read_search_answer",
    "results_table",
    "search_input_problem",
    "search_request",
]

DEFAULT_SEARCH_TIMEOUT = 60.0
"""Seconds a whole search may take when the caller gives no ``timeout=`` (the answer included)."""


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def search_input_problem(query: object, max_results: object) -> str | None:
    """Why no search could be sent with this query and ``max_results``, or None when one can."""
    if not isinstance(query, str):
        return f"the search query must be a string, got {_kind(query)}."
    if not query.strip():
        return "the search query is empty."
    if max_results is not None and (
        isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1
    ):
        return f"max_results must be a positive integer, got {max_results!r}."
    return None


def search_request(endpoint: SearchEndpoint, query: str) -> dict[str, Any]:
    """The body sent: the query alone (the provider takes no count; ``max_results`` is cut here)."""
    return {endpoint.query_field: query}


def _field(item: dict[str, Any], where: str, name: str, *, required: bool) -> str | None:
    value = item.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        missing = name not in item
        raise UnreadableAnswer(
            f"{where} with no '{name}'" if missing else f"{where}.{name} that is {_kind(value)}, not a string"
        )
    return value


def read_search_answer(endpoint: SearchEndpoint, data: Any, max_results: int | None = None) -> SearchResponse:
    """LiteLLM's ``SearchResponse`` from the provider's JSON answer, every result's fields checked.

    Raises ``UnreadableAnswer`` (naming the part and the type found, never a value) for anything but
    ``{"results": [{"url": str, "title": str, "text": str, "published": str | null}, ...]}``; the
    transport turns that into a ``ServiceUnavailableError`` 502. ``max_results`` keeps the first ones.
    """
    if not isinstance(data, dict):
        raise UnreadableAnswer(f"a body that is {_kind(data)}, not a JSON object")
    raw = data.get(endpoint.results_key)
    if not isinstance(raw, list):
        raise UnreadableAnswer(f"a body whose '{endpoint.results_key}' is {_kind(raw)}, not a list")
    results = []
    for index, item in enumerate(raw):
        where = f"{endpoint.results_key}[{index}]"
        if not isinstance(item, dict):
            raise UnreadableAnswer(f"{where} that is {_kind(item)}, not an object")
        fields: dict[str, Any] = {
            ours: _field(item, where, theirs, required=True) for ours, theirs in endpoint.required.items()
        }
        fields.update(
            (ours, _field(item, where, theirs, required=False)) for ours, theirs in endpoint.optional.items()
        )
        results.append(SearchResult(**fields))
    return SearchResponse(results=results[:max_results] if max_results is not None else results)


def printable(text: str) -> str:
    """One line of text safe to print: control and format characters (escape sequences, bidi
    overrides, line breaks) become spaces, so a hostile result cannot drive the terminal."""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)
    return " ".join(cleaned.split())


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def results_table(response: SearchResponse, width: int = 100) -> str:
    """The results as a table no wider than ``width``: number, date, title and URL, then the text's
    first line indented under each."""
    if not response.results:
        return "no results"
    number = len(str(len(response.results)))
    date = 10  # 2025-01-31: the day of an ISO 8601 timestamp
    room = max(width - number - date - 6, 20)  # three two-space gaps
    title = room * 2 // 5
    url = room - title
    header = ("#".ljust(number), "published".ljust(date), "title".ljust(title), "url")
    lines = ["  ".join(header), "  ".join(("-" * number, "-" * date, "-" * title, "-" * url))]
    for index, result in enumerate(response.results, start=1):
        published = printable(result.date or "")[:date] or "—"
        row = (
            str(index).rjust(number),
            published.ljust(date),
            _fit(printable(result.title), title).ljust(title),
            _fit(printable(result.url), url),
        )
        lines.append("  ".join(row).rstrip())
        snippet = printable(result.snippet)
        if snippet:
            indent = " " * (number + 2)
            lines.append(indent + _fit(snippet, width - len(indent)))
    return "\n".join(line[:width] for line in lines)
