"""Synthetic's web search on recorded HTTP: the cassettes pin the wire format.

Each cassette holds the exact request (``POST /v2/search`` at the API base's origin, the body
``{"query": ...}`` and nothing else) and Synthetic's answer shape; replaying one proves the package still
sends that request and reads that answer. Re-record with ``pytest --record-mode=rewrite`` (docs/recording.md).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from litellm.exceptions import RateLimitError

import litellm_providers


@pytest.mark.vcr
def test_search_sends_the_query_alone_and_reads_each_result(recorded_base: Any, vcr: Any) -> None:
    response = litellm_providers.search("litellm custom provider", api_base=recorded_base("synthetic"))
    (request,) = vcr.requests
    assert (request.method, request.path) == ("POST", "/v2/search")
    assert json.loads(request.body) == {"query": "litellm custom provider"}
    assert [result.title for result in response.results] == [
        "Result 1 for litellm custom provider",
        "Result 2 for litellm custom provider",
        "Result 3 for litellm custom provider",
    ]
    assert response.results[0].snippet.startswith("Page 1 about litellm custom provider")
    assert [result.date for result in response.results] == [
        "2025-01-15T08:00:00.000Z",
        "2025-02-15T08:00:00.000Z",
        None,
    ]


@pytest.mark.vcr
def test_max_results_is_cut_locally_not_sent(recorded_base: Any, vcr: Any) -> None:
    response = litellm_providers.search("two only", max_results=2, api_base=recorded_base("synthetic"))
    assert json.loads(vcr.requests[0].body) == {"query": "two only"}
    assert len(response.results) == 2


@pytest.mark.vcr
def test_async_search_with_an_empty_answer(recorded_base: Any) -> None:
    response = asyncio.run(
        litellm_providers.asearch("nothing emulate:results=0", api_base=recorded_base("synthetic"))
    )
    assert response.results == []


@pytest.mark.vcr
def test_a_used_up_search_window_names_it_and_when_it_renews(recorded_base: Any) -> None:
    with pytest.raises(RateLimitError) as caught:
        litellm_providers.search("once more emulate:fault=quota", api_base=recorded_base("synthetic"))
    assert "search.hourly quota used up (250 of 250), renews at 2030-01-01T00:00Z" in str(caught.value)
