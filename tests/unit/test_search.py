"""Synthetic's web search: ``litellm_providers.search`` / ``asearch`` against the emulator, the answer
reader (property-tested), and what LiteLLM's own ``litellm.search`` does with the provider on this leg."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import litellm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litellm.exceptions import BadRequestError, RateLimitError, ServiceUnavailableError
from litellm.llms.base_llm.search.transformation import SearchResponse
from litellm.types.utils import SearchProviders

import litellm_providers
from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS
from litellm_providers.readable import UnreadableAnswer
from litellm_providers.search_results import read_search_answer, results_table
from tests.conftest import SENTINEL_KEYS

ENDPOINT = PROVIDERS["synthetic"].search
assert ENDPOINT is not None


def _search(emulator: Emulator, query: str, **kwargs: Any) -> SearchResponse:
    return litellm_providers.search(query, api_base=emulator.base_url("synthetic"), **kwargs)


# -- 1. search / asearch on the one transport -----------------------------------------------------------


def test_search_returns_litellms_own_search_response(emulator: Emulator) -> None:
    response = _search(emulator, "python asyncio tutorial")
    assert type(response) is SearchResponse  # what litellm.search returns, read unchanged
    first, *_, last = response.results
    assert first.title == "Result 1 for python asyncio tutorial"
    assert first.url == "https://example.org/python-asyncio-tutorial/1"
    assert first.snippet.startswith("Page 1 about python asyncio tutorial")
    assert first.date == "2025-01-15T08:00:00.000Z"
    assert last.date is None  # Synthetic left "published" out
    # The quotas header rides along, as on a chat answer.
    assert "llm_provider-x-synthetic-quotas" in response._hidden_params["additional_headers"]


def test_search_posts_the_query_at_the_origin_with_the_key_from_the_environment(emulator: Emulator) -> None:
    before = len(emulator.requests)
    _search(emulator, "where is the key")
    sent = emulator.requests[before:]
    assert [seen["endpoint"] for seen in sent] == ["/v2/search"]  # beside /openai/v1, not under it
    assert sent[0]["body"]["query"] == "where is the key"
    assert sent[0]["headers"]["authorization"] == f"Bearer {SENTINEL_KEYS['synthetic']}"


def test_search_reads_the_api_base_from_the_environment(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    assert len(litellm_providers.search("from the environment").results) == 3


def test_max_results_keeps_the_first_ones(emulator: Emulator) -> None:
    response = _search(emulator, "many emulate:results=7", max_results=2)
    assert [result.url.rsplit("/", 1)[-1] for result in response.results] == ["1", "2"]


def test_an_empty_answer_is_an_empty_result_list(emulator: Emulator) -> None:
    assert _search(emulator, "nothing emulate:results=0").results == []


def test_asearch_answers_the_same(emulator: Emulator) -> None:
    response = asyncio.run(
        litellm_providers.asearch("async search", api_base=emulator.base_url("synthetic"), max_results=1)
    )
    assert [result.title for result in response.results] == ["Result 1 for async search"]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_used_up_search_window_is_a_rate_limit_that_says_when_it_renews(
    emulator: Emulator, asynchronous: bool
) -> None:
    query = "too many emulate:fault=quota"
    with pytest.raises(RateLimitError) as caught:
        if asynchronous:
            asyncio.run(litellm_providers.asearch(query, api_base=emulator.base_url("synthetic")))
        else:
            _search(emulator, query)
    message = str(caught.value)
    assert caught.value.status_code == 429
    assert "search.hourly quota used up (250 of 250)" in message
    assert re.search(r"renews at \d{4}-\d\d-\d\dT\d\d:00Z \(in [^)]+\)", message), message  # on the hour
    assert "subscription quota used up" not in message  # only the window that ran out


def test_a_malformed_answer_is_a_502_that_says_which_field(emulator: Emulator) -> None:
    with pytest.raises(ServiceUnavailableError) as caught:
        _search(emulator, "careless emulate:fault=malformed")
    assert caught.value.status_code == 502
    assert "Synthetic" in str(caught.value) and "results[1].url that is int, not a string" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("query", "max_results", "reason"),
    [
        ("", None, "the search query is empty"),
        ("   ", None, "the search query is empty"),
        (["a", "list"], None, "must be a string, got list"),
        ("fine", 0, "max_results must be a positive integer, got 0"),
        ("fine", True, "max_results must be a positive integer, got True"),
    ],
)
def test_input_no_search_could_be_sent_with_is_refused_before_sending(
    emulator: Emulator, query: Any, max_results: Any, reason: str
) -> None:
    before = len(emulator.requests)
    with pytest.raises(BadRequestError) as caught:
        _search(emulator, query, max_results=max_results)
    assert reason in str(caught.value) and "Synthetic" in str(caught.value)
    assert len(emulator.requests) == before


def test_no_key_is_an_authentication_error_naming_the_variable(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNTHETIC_API_KEY")
    with pytest.raises(litellm.AuthenticationError) as caught:
        _search(emulator, "no key")
    assert "SYNTHETIC_API_KEY" in str(caught.value)


# -- 2. LiteLLM's own litellm.search on this leg -------------------------------------------------------


def test_litellm_search_keeps_its_provider_list_closed_on_this_leg() -> None:
    # LiteLLM 1.106 and 1.110 both look a search provider up in the SearchProviders enum, which no
    # package can extend: docs/providers/synthetic.md says so and shows litellm_providers.search. If a
    # release opens the list, this fails, and `search_provider="synthetic"` can be wired.
    assert "synthetic" not in {provider.value for provider in SearchProviders}
    with pytest.raises(litellm.APIConnectionError) as caught:
        litellm.search(query="anything", search_provider="synthetic")
    assert "'synthetic' is not a valid SearchProviders" in str(caught.value)


# -- the answer reader -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        ([], "a body that is list, not a JSON object"),
        ({"data": []}, "a body whose 'results' is null, not a list"),
        ({"results": ["https://example.org"]}, "results[0] that is str, not an object"),
        ({"results": [{"url": "u", "text": "t"}]}, "results[0] with no 'title'"),
        ({"results": [{"url": "u", "title": "t", "text": 3}]}, "results[0].text that is int, not a string"),
        (
            {"results": [{"url": "u", "title": "t", "text": "x", "published": 2025}]},
            "results[0].published that is int, not a string",
        ),
    ],
)
def test_the_reader_refuses_every_malformed_shape(answer: Any, found: str) -> None:
    with pytest.raises(UnreadableAnswer, match=found.replace("[", r"\[").replace("]", r"\]")):
        read_search_answer(ENDPOINT, answer)


def test_the_reader_takes_a_null_published_and_ignores_unknown_fields() -> None:
    answer = {
        "results": [{"url": "u", "title": "t", "text": "x", "published": None, "score": 0.9}],
        "took_ms": 12,
    }
    (result,) = read_search_answer(ENDPOINT, answer).results
    assert (result.url, result.title, result.snippet, result.date) == ("u", "t", "x", None)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_RESULT = st.fixed_dictionaries(
    {},
    optional={
        "url": st.text(max_size=8) | _JSON,
        "title": st.text(max_size=8) | _JSON,
        "text": st.text(max_size=8) | _JSON,
        "published": st.none() | st.text(max_size=8) | _JSON,
    },
)
_ANSWERS = _JSON | st.fixed_dictionaries({"results": st.lists(_RESULT | _JSON, max_size=4)})


@settings(max_examples=300, deadline=None)
@given(answer=_ANSWERS, max_results=st.none() | st.integers(min_value=1, max_value=5))
def test_any_answer_gives_search_results_or_an_unreadable_answer(
    answer: Any, max_results: int | None
) -> None:
    try:
        response = read_search_answer(ENDPOINT, answer, max_results)
    except UnreadableAnswer:
        return
    assert isinstance(response, SearchResponse)
    assert all(isinstance(result.url, str) and isinstance(result.snippet, str) for result in response.results)
    assert max_results is None or len(response.results) <= max_results


# -- the CLI's table -------------------------------------------------------------------------------------


def test_the_table_fits_100_columns_and_strips_terminal_escapes() -> None:
    answer = {
        "results": [
            {
                "url": "https://example.org/" + "long/" * 40,
                "title": "\x1b[31mRed\x1b[0m title \u202eoverride " + "word " * 30,
                "text": "line one\nline two\r\x07 " + "more " * 50,
                "published": "2025-03-04T05:06:07Z",
            }
        ]
    }
    table = results_table(read_search_answer(ENDPOINT, answer))
    lines = table.splitlines()
    assert all(len(line) <= 100 for line in lines), [len(line) for line in lines]
    assert lines[0].split() == ["#", "published", "title", "url"]
    assert "2025-03-04" in lines[2] and "Red" in lines[2] and "https://example.org/long/" in lines[2]
    assert not any(ch in table for ch in "\x1b\x07\r\u202e")
    assert lines[3].strip().startswith("line one line two")


def test_the_cli_prints_the_results_as_a_table(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from litellm_providers.cli import main

    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    assert main(["search", "litellm", "providers", "--max-results", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["#", "published", "title", "url"]
    assert lines[2].split()[:3] == ["1", "2025-01-15", "Result"]
    assert "https://example.org/litellm-providers/1" in lines[2]
    assert sum(1 for line in lines if line[:1].isdigit()) == 2
    assert all(len(line) <= 100 for line in lines)


def test_the_cli_says_why_in_one_line_when_the_search_fails(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from litellm_providers.cli import main

    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    assert main(["search", "emulate:fault=quota"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("synthetic: search failed: ") and "search.hourly quota used up" in out
    assert SENTINEL_KEYS["synthetic"] not in out
