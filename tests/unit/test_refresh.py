"""The refreshed catalog's cache, register() staying offline, and the vision check."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import litellm
import litellm.utils
import pytest

from litellm_providers import catalog
from litellm_providers.catalog_cache import cache_path, read_fresh_cache
from litellm_providers.cli import main
from litellm_providers.emulator import NEW_LIVE_MODEL, Emulator
from litellm_providers.providers import PROVIDERS
from litellm_providers.refresh import LiveModel, refresh_catalog
from litellm_providers.registration import register, register_catalog


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("LITELLM_PROVIDERS_NO_CACHE")
    monkeypatch.setenv("LITELLM_PROVIDERS_CACHE_DIR", str(tmp_path))
    saved = dict(catalog._active)
    # A registered catalog keeps a price it finds that it did not write: the emulator's prices, which a
    # refresh writes, must not outlive the test's catalog even if another route's test writes after it.
    monkeypatch.setattr(litellm, "model_cost", dict(litellm.model_cost))
    yield tmp_path
    monkeypatch.setenv("LITELLM_PROVIDERS_NO_CACHE", "1")  # re-register from the bundled data only
    monkeypatch.undo()
    litellm.utils._invalidate_model_cost_lowercase_map()
    catalog._active.clear()
    catalog._active.update(saved)
    register()


def test_refresh_writes_a_cache_that_register_uses_without_any_network(
    cache_dir: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))  # the base register() reads
    assert refresh_catalog("synthetic", register=False).error is None
    assert list(cache_dir.iterdir()) == [cache_path("synthetic")]
    catalog._active.clear()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("register() opened a connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    register()
    assert NEW_LIVE_MODEL in catalog.active_models("synthetic")
    assert litellm.get_model_info(f"synthetic/{NEW_LIVE_MODEL}")["max_input_tokens"] == 262_144


def test_a_price_a_refresh_found_goes_with_the_catalog_that_stated_it(
    cache_dir: Path, emulator: Emulator
) -> None:
    # GLM-4.6 is retired: the bundled catalog has no price for it, the emulator's live list has one.
    # Once the catalog no longer states it (here the bundled one again; or a later live list without
    # it), LiteLLM must not go on pricing calls with it.
    key = "synthetic/hf:zai-org/GLM-4.6"
    assert refresh_catalog("synthetic", api_base=emulator.base_url("synthetic")).error is None
    assert litellm.model_cost[key].get("input_cost_per_token")
    catalog.set_active_models("synthetic", catalog.bundled_catalog("synthetic").models)
    register_catalog(PROVIDERS["synthetic"])
    assert "input_cost_per_token" not in litellm.model_cost[key]
    bundled = catalog.bundled_catalog("synthetic").models["hf:zai-org/GLM-4.6"]
    assert litellm.model_cost[key]["max_input_tokens"] == bundled.context_window  # the rest stays


def test_a_stale_cache_is_ignored(
    cache_dir: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = emulator.base_url("synthetic")
    refresh_catalog("synthetic", api_base=base, register=False)
    path = cache_path("synthetic", base)
    assert path is not None
    payload = json.loads(path.read_text())
    payload["fetched_at"] = time.time() - 2 * 24 * 3600
    path.write_text(json.dumps(payload))
    assert read_fresh_cache("synthetic", base) is None
    monkeypatch.setenv("LITELLM_PROVIDERS_CATALOG_TTL", str(3 * 24 * 3600))
    assert read_fresh_cache("synthetic", base) is not None


def test_a_corrupt_cache_is_ignored(cache_dir: Path) -> None:
    path = cache_path("synthetic")
    assert path is not None
    path.write_text("{not json")
    assert read_fresh_cache("synthetic") is None


def test_the_cache_can_be_turned_off(
    cache_dir: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITELLM_PROVIDERS_NO_CACHE", "1")
    refresh_catalog("synthetic", api_base=emulator.base_url("synthetic"), register=False)
    assert not list(cache_dir.iterdir())


def test_cli_refresh_offline_keeps_the_bundled_catalog_and_says_why_in_one_line(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("SYNTHETIC_API_BASE", f"http://127.0.0.1:{closed_port}/openai/v1")
    assert main(["models", "--provider", "synthetic", "--refresh", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "synthetic: kept the bundled catalog: Synthetic: could not connect to http://127.0.0.1:"
    )
    assert sum(line.startswith("synthetic/") for line in lines) == len(
        catalog.bundled_catalog("synthetic").models
    )


def test_cli_refresh_shows_new_models(
    cache_dir: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SYNCROPEL_API_KEY", "k")
    monkeypatch.setenv("SYNCROPIC_API_BASE", emulator.base_url("syncropic"))
    assert main(["models", "--refresh", "syncropic", "--provider", "syncropic"]) == 0
    out = capsys.readouterr().out
    assert (
        out.splitlines()[0]
        == f"syncropic: 6 models, 1 new ({NEW_LIVE_MODEL}), 1 malformed skipped (hf:broken/Entry)"
    )
    assert f"syncropic/{NEW_LIVE_MODEL}" in out


IMAGE_MESSAGE = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        ],
    }
]


def test_an_image_for_a_text_only_model_is_a_clear_error_before_the_request(emulator: Emulator) -> None:
    before = len(emulator.requests)
    with pytest.raises(litellm.BadRequestError, match=r"synthetic/hf:zai-org/GLM-4.7 does not accept images"):
        litellm.completion(
            model="synthetic/hf:zai-org/GLM-4.7",
            messages=IMAGE_MESSAGE,
            api_base=emulator.base_url("synthetic"),
        )
    assert len(emulator.requests) == before


def test_an_image_for_a_vision_model_passes_through_intact(emulator: Emulator) -> None:
    litellm.completion(
        model="synthetic/hf:Qwen/Qwen3.5-397B-A17B",
        messages=IMAGE_MESSAGE,
        api_base=emulator.base_url("synthetic"),
    )
    assert emulator.requests[-1]["body"]["messages"] == IMAGE_MESSAGE


def test_a_live_reasoning_flag_gives_a_plain_model_a_reasoning_format_but_keeps_a_bundled_one() -> None:
    bundled = catalog.bundled_catalog("synthetic").models
    plain = bundled["hf:moonshotai/Kimi-K2-Instruct-0905"]
    assert plain.reasoning_format == "none"
    live = LiveModel(id="hf:moonshotai/Kimi-K2-Instruct-0905", supported_features=["reasoning"])
    assert live.merged_over(plain).reasoning_format == "think_tags"
    qwen = bundled["hf:Qwen/Qwen3-235B-A22B-Thinking-2507"]
    live = LiveModel(id="hf:Qwen/Qwen3-235B-A22B-Thinking-2507", supported_features=["reasoning"])
    assert live.merged_over(qwen).reasoning_format == "think_tags_opened"


def test_live_reasoning_efforts_outrank_the_bundled_ones() -> None:
    bundled = catalog.bundled_catalog("synthetic").models["hf:deepseek-ai/DeepSeek-R1-0528"]
    assert bundled.reasoning_efforts == ("low", "medium", "high")
    live = LiveModel.model_validate(
        {
            "id": "hf:deepseek-ai/DeepSeek-R1-0528",
            "reasoning_parameters": {"efforts": ["none", "high", "max"]},
        }
    )
    merged = live.merged_over(bundled)
    assert merged.reasoning_efforts == ("none", "high", "max")
    assert "reasoning_effort" in merged.supported_params(PROVIDERS["synthetic"])
    # An entry that advertises nothing about reasoning keeps the bundled set.
    assert LiveModel(id="hf:deepseek-ai/DeepSeek-R1-0528").merged_over(bundled).reasoning_efforts == (
        "low",
        "medium",
        "high",
    )


def test_a_refresh_reads_each_models_accepted_efforts(emulator: Emulator) -> None:
    result = refresh_catalog("synthetic", api_base=emulator.base_url("synthetic"), register=False)
    assert result.models[NEW_LIVE_MODEL].reasoning_efforts == ("low", "high", "max")
    assert result.models["hf:openai/gpt-oss-120b"].reasoning_efforts == ("none", "low", "medium", "high")
