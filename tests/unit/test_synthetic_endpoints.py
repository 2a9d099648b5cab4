"""Synthetic beyond chat, against the emulator: what reaches the wire, and what the caller gets back.

Embeddings, legacy text completions, syn: aliases and the quotas read all go through the one call core;
these tests look at the requests the emulator received (path, body, key) and at the errors a caller
sees, which must be the same LiteLLM classes a chat call gets.
"""

from __future__ import annotations

import asyncio
import base64
import struct
from datetime import UTC, datetime, timedelta

import litellm
import pytest

import litellm_providers
from litellm_providers.cli import main
from litellm_providers.emulator import QUOTA_LIMIT, Emulator
from litellm_providers.emulator.platform import renewal_times
from litellm_providers.quota import QuotaSnapshot, describe_exhausted, quotas_table, snapshot_from_header
from tests.conftest import SENTINEL_KEYS

EMBEDDER = "synthetic/hf:nomic-ai/nomic-embed-text-v1.5"
R1 = "synthetic/hf:deepseek-ai/DeepSeek-R1-0528"
KEY = SENTINEL_KEYS["synthetic"]


def _last(emulator: Emulator, endpoint: str) -> dict:
    return next(seen for seen in reversed(emulator.requests) if seen["endpoint"] == endpoint)


# -- embeddings ---------------------------------------------------------------------------------------


def test_embedding_posts_to_embeddings_with_key_dimensions_and_encoding_format(emulator: Emulator) -> None:
    response = litellm.embedding(
        model=EMBEDDER,
        input=["a first text", "a second"],
        dimensions=4,
        encoding_format="float",
        api_base=emulator.base_url("synthetic"),
    )
    sent = _last(emulator, "/embeddings")
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"
    assert sent["body"]["model"] == "hf:nomic-ai/nomic-embed-text-v1.5"
    assert sent["body"]["input"] == ["a first text", "a second"]
    assert sent["body"]["dimensions"] == 4 and sent["body"]["encoding_format"] == "float"
    assert [len(item["embedding"]) for item in response.data] == [4, 4]
    assert response.usage.prompt_tokens == 5
    # Synthetic publishes no embedding price (embeddings do not count against the subscription): $0,
    # reported, not "model not mapped".
    assert response._hidden_params["response_cost"] == 0.0
    assert litellm.completion_cost(response) == 0.0


def test_aembedding_with_base64_returns_the_encoded_vectors(emulator: Emulator) -> None:
    response = asyncio.run(
        litellm.aembedding(
            model=EMBEDDER,
            input="one text",
            encoding_format="base64",
            api_base=emulator.base_url("synthetic"),
        )
    )
    encoded = response.data[0]["embedding"]
    assert isinstance(encoded, str)
    assert len(struct.unpack("<8f", base64.b64decode(encoded))) == 8  # the emulator's default size
    assert _last(emulator, "/embeddings")["body"]["encoding_format"] == "base64"


@pytest.mark.parametrize(
    ("fault", "error_class", "status"),
    [
        ("401", litellm.AuthenticationError, 401),
        ("429", litellm.RateLimitError, 429),
        ("503", litellm.ServiceUnavailableError, 503),
        ("wrong-content-type", litellm.ServiceUnavailableError, 502),
    ],
)
def test_embedding_errors_map_as_chat_errors_do(
    emulator: Emulator, fault: str, error_class: type[Exception], status: int
) -> None:
    with pytest.raises(error_class) as caught:
        litellm.embedding(
            model=EMBEDDER, input=f"emulate:fault={fault}", api_base=emulator.base_url("synthetic")
        )
    assert caught.value.status_code == status  # type: ignore[attr-defined]
    assert "Synthetic" in str(caught.value) and KEY not in str(caught.value)


def test_embedding_unusable_answer_says_what_was_expected(emulator: Emulator) -> None:
    with pytest.raises(litellm.ServiceUnavailableError) as caught:
        litellm.embedding(
            model=EMBEDDER, input="emulate:fault=empty-200", api_base=emulator.base_url("synthetic")
        )
    assert "expected embeddings" in str(caught.value)


def test_a_provider_without_embeddings_refuses_before_sending() -> None:
    with pytest.raises(litellm.BadRequestError) as caught:
        litellm.embedding(model="synternet/syntoshi-apex-thinking", input="hi")
    assert "serves no /embeddings endpoint" in str(caught.value)


# -- text completions ----------------------------------------------------------------------------------


def test_text_completion_posts_the_prompt_to_completions_and_splits_think(emulator: Emulator) -> None:
    response = litellm.text_completion(
        model=R1, prompt="Name a colour", api_base=emulator.base_url("synthetic")
    )
    sent = _last(emulator, "/completions")
    assert sent["body"]["prompt"] == "Name a colour" and "messages" not in _wire_body(sent)
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"
    assert response.choices[0].text == "You asked: Name a colour"
    assert response._hidden_params["reasoning_content"][0].startswith("The user asked")


def test_text_completion_stream_carries_reasoning_apart_from_the_text(emulator: Emulator) -> None:
    stream = litellm.text_completion(
        model=R1, prompt="Name a colour emulate:chunk=3", api_base=emulator.base_url("synthetic"), stream=True
    )
    choices = [chunk.choices[0] for chunk in stream if chunk.choices]
    # OpenAI's legacy surface: every chunk's text is a string, "" on a reasoning-only or closing chunk.
    assert all(isinstance(choice.text, str) for choice in choices)
    text = "".join(choice.text for choice in choices)
    reasoning = "".join(choice.get("reasoning_content") or "" for choice in choices)
    assert text == "You asked: Name a colour"  # the tags were cut across 3-character chunks
    assert reasoning.startswith("The user asked") and "<think>" not in text + reasoning
    sent = _last(emulator, "/completions")
    assert sent["body"]["stream"] is True


def test_atext_completion_reaches_completions(emulator: Emulator) -> None:
    response = asyncio.run(
        litellm.atext_completion(model=R1, prompt="Say hi", api_base=emulator.base_url("synthetic"))
    )
    assert response.choices[0].text == "You asked: Say hi"
    assert _last(emulator, "/completions")["body"]["prompt"] == "Say hi"


def test_text_completion_errors_map_as_chat_errors_do(emulator: Emulator) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm.text_completion(
            model=R1, prompt="emulate:fault=429-no-retry-after", api_base=emulator.base_url("synthetic")
        )
    assert caught.value.status_code == 429


def _wire_body(seen: dict) -> dict:
    # The emulator adds a chat-style message to steer its answer; what was sent is the rest.
    return {k: v for k, v in seen["body"].items() if k != "messages"}


# -- aliases ---------------------------------------------------------------------------------------------


def test_an_alias_is_sent_as_the_alias_and_priced_as_its_target(emulator: Emulator) -> None:
    response = litellm.completion(
        model="synthetic/syn:large:text",
        messages=[{"role": "user", "content": "hi"}],
        api_base=emulator.base_url("synthetic"),
    )
    assert _last(emulator, "/chat/completions")["body"]["model"] == "syn:large:text"
    usage = response.usage
    expected = usage.prompt_tokens * 0.6e-6 + usage.completion_tokens * 1.2e-6  # DeepSeek-V4.1-Flash
    assert litellm.completion_cost(response) == pytest.approx(expected)


# -- quotas ------------------------------------------------------------------------------------------------


def test_quotas_reads_v2_quotas_at_the_origin_with_the_key(emulator: Emulator) -> None:
    before = datetime.now(UTC)
    snapshot = litellm_providers.quotas("synthetic", api_base=emulator.base_url("synthetic"))
    windows = {window.name: window for window in snapshot.windows()}
    assert windows["subscription"].limit == QUOTA_LIMIT
    assert windows["subscription"].remaining == QUOTA_LIMIT - windows["subscription"].used
    # The renewal moves with the clock, as the real API's does: within the next five hours.
    renews_at = windows["subscription"].renews_at
    assert renews_at is not None and before < renews_at <= before + timedelta(hours=5)
    assert windows["search.hourly"].renews_in() <= 3600
    assert windows["weeklyTokenLimit"].limit == 24.0 and windows["weeklyTokenLimit"].remaining == 19.2
    assert windows["rollingFiveHourLimit"].remaining == 40
    # A window nobody documented is kept, and listed since it has the counter shape.
    assert "dailyImageLimit" in (snapshot.model_extra or {}) and windows["dailyImageLimit"].limit == 20


def test_quotas_with_a_refused_key_is_a_litellm_authentication_error(emulator: Emulator) -> None:
    with pytest.raises(litellm.AuthenticationError) as caught:
        litellm_providers.quotas(
            "synthetic", api_key="invalid-key-123", api_base=emulator.base_url("synthetic")
        )
    assert "Synthetic returned HTTP 401" in str(caught.value) and "invalid-key-123" not in str(caught.value)


def test_quotas_of_a_provider_that_publishes_none_says_so() -> None:
    with pytest.raises(ValueError, match="publishes no quotas"):
        litellm_providers.quotas("synternet")


def test_the_quotas_header_of_a_chat_response_reaches_hidden_params(emulator: Emulator) -> None:
    response = litellm.completion(
        model=R1, messages=[{"role": "user", "content": "hi"}], api_base=emulator.base_url("synthetic")
    )
    header = response._hidden_params["additional_headers"]["llm_provider-x-synthetic-quotas"]
    snapshot = snapshot_from_header(header)
    assert snapshot is not None and snapshot.subscription is not None
    assert snapshot.subscription.limit == QUOTA_LIMIT


def test_a_refusal_for_quota_says_which_window_ran_out_and_when_it_renews(emulator: Emulator) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm.completion(
            model=R1,
            messages=[{"role": "user", "content": "emulate:fault=quota"}],
            api_base=emulator.base_url("synthetic"),
        )
    message = str(caught.value)
    assert "subscription quota used up (135 of 135)" in message
    renews_at = renewal_times()["subscription"]
    assert f"renews at {renews_at:%Y-%m-%dT%H:%M}Z" in message


def test_unknown_and_malformed_windows_never_crash_the_snapshot() -> None:
    snapshot = QuotaSnapshot.model_validate(
        {
            "subscription": {"limit": 10, "requests": 10, "renewsAt": "2030-01-01T00:00:00Z"},
            "somethingNew": {"shape": ["nobody", "documented"]},
            "alsoNew": {"limit": 5, "requests": 1},
        }
    )
    assert [window.name for window in snapshot.windows()] == ["subscription", "alsoNew"]
    assert snapshot.model_extra is not None and "somethingNew" in snapshot.model_extra
    now = datetime(2029, 12, 31, 21, 0, tzinfo=UTC)
    assert describe_exhausted(snapshot, now) == (
        "subscription quota used up (10 of 10), renews at 2030-01-01T00:00Z (in 3h 0m)"
    )
    table = quotas_table(snapshot, now)
    assert table.splitlines()[0].split() == ["window", "used", "limit", "remaining", "renews", "in"]
    assert table.splitlines()[2].split() == ["subscription", "10", "10", "0", "3h", "0m"]


def test_a_header_that_is_not_quotas_json_is_ignored() -> None:
    assert snapshot_from_header("not json") is None
    assert snapshot_from_header('["a list"]') is None


def test_cli_quotas_prints_each_window(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    assert main(["quotas"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[2:]}
    assert set(rows) == {
        "subscription",
        "search.hourly",
        "freeToolCalls",
        "weeklyTokenLimit",
        "rollingFiveHourLimit",
        "dailyImageLimit",
    }
    assert rows["freeToolCalls"][1:4] == ["120", "1,620", "1,500"]


def test_cli_quotas_with_a_refused_key_says_why_in_one_line(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    monkeypatch.setenv("SYNTHETIC_API_KEY", "invalid-key-456")
    assert main(["quotas"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("synthetic: no quotas:") and "401" in out and "invalid-key-456" not in out


def test_completion_cost_of_a_synthetic_response_prints_no_provider_list_banner(emulator: Emulator) -> None:
    # LiteLLM 1.110 looked the response's bare model name ("hf:zai-org/GLM-4.7") up as a provider and
    # printed its "Provider List" banner twice per completion_cost(); the route is now passed along.
    import subprocess
    import sys

    code = (
        "import litellm, litellm_providers, sys; litellm_providers.register();"
        "r = litellm.completion(model='synthetic/hf:zai-org/GLM-4.7', api_key='k', api_base=sys.argv[1],"
        " messages=[{'role': 'user', 'content': 'hi'}]);"
        "print('cost', litellm.completion_cost(r))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, emulator.base_url("synthetic")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "cost " in done.stdout and float(done.stdout.split("cost ")[1]) > 0
    assert "Provider List" not in done.stdout + done.stderr
