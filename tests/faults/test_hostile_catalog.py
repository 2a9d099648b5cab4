"""A hostile catalog: bad cache files, absurd ``/models`` figures, a list of 20k models.

``register()`` runs at every proxy start and must never fail or hang because of the cache on disk: each
bad file below is ignored with one warning naming the file and the problem, and the bundled catalog
stays in force. A live list's figures are believed only within plausible bounds, and a list adds at
most ``MAX_LIVE_MODELS`` models. Hypothesis drives the two parsers (the live list and the cache file)
with any input.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import litellm
import litellm.utils
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import litellm_providers
from litellm_providers import catalog
from litellm_providers.catalog import MAX_LIVE_MODELS, ModelEntry, bundled_catalog, set_active_models
from litellm_providers.catalog_cache import (
    DEFAULT_TTL_SECONDS,
    MAX_CACHE_BYTES,
    CachedCatalog,
    cache_path,
    cache_source,
    read_fresh_cache,
    write_cache,
)
from litellm_providers.providers import PROVIDERS
from litellm_providers.refresh import (
    MAX_CONTEXT_WINDOW,
    MAX_USD_PER_MILLION,
    SUMMARY_NAMES,
    RefreshResult,
    parse_live_list,
    refresh_catalog,
)
from litellm_providers.registration import register_catalog
from tests.conftest import SENTINEL_KEYS

ROUTE = "synthetic"
MARKER = "hf:cache/Marker-Model"  # in a good cache only: its presence says register() used the cache
KNOWN = "hf:zai-org/GLM-4.7"  # a bundled model whose figures a live list may override
HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def own_cost_map() -> Iterator[None]:
    """LiteLLM's cost map as it was, after the test: a registered catalog merges into the rows it finds,
    so prices a test's catalog stated (the emulator's) would outlive it in the process."""
    original = litellm.model_cost
    litellm.model_cost = dict(original)  # the test's writes replace rows of this copy
    saved = dict(catalog._active)
    try:
        yield
    finally:
        litellm.model_cost = original
        litellm.utils._invalidate_model_cost_lowercase_map()
        catalog._active.clear()
        catalog._active.update(saved)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own_cost_map: None) -> Iterator[Path]:
    monkeypatch.delenv("LITELLM_PROVIDERS_NO_CACHE")
    monkeypatch.setenv("LITELLM_PROVIDERS_CACHE_DIR", str(tmp_path))
    yield tmp_path
    monkeypatch.setenv("LITELLM_PROVIDERS_NO_CACHE", "1")  # re-register from the bundled data only
    catalog._active.clear()
    litellm_providers.register()


def the_cache() -> Path:
    path = cache_path(ROUTE)
    assert path is not None
    return path


def cache_text(**overrides: Any) -> str:
    """A cache file for the configured base holding the marker model, with ``overrides`` applied."""
    payload: dict[str, Any] = {
        "source": cache_source(ROUTE),
        "fetched_at": time.time(),
        "models": {MARKER: {"context_window": 123_456}},
    }
    payload.update(overrides)
    return json.dumps(payload)


def register_within(seconds: float) -> None:
    """``register()`` in a thread, failing the test if it raises or is still running after ``seconds``."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            litellm_providers.register()
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"register() was still running after {seconds} s"
    if errors:
        raise errors[0]


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == "litellm_providers" and r.levelname == "WARNING"
    ]


def assert_no_key_in(text: str) -> None:
    for key in SENTINEL_KEYS.values():
        assert key not in text


# -- each bad cache file: register() goes on with the bundled catalog and says why ------------------------


def _nested(depth: int) -> str:
    return '{"source": "x", "fetched_at": 1, "models": ' + "[" * depth + "]" * depth + "}"


BAD_FILES: dict[str, tuple[Any, str]] = {
    # name: (how to make the file at the cache path, what the warning says)
    "models is a list": (lambda p: p.write_text(cache_text(models=[1, 2])), "models: Input should be"),
    "a model entry is a number": (lambda p: p.write_text(cache_text(models={"m": 1})), "models.m"),
    "fetched_at is NaN": (lambda p: p.write_text(cache_text(fetched_at=math.nan)), "fetched_at"),
    "fetched_at is infinite": (lambda p: p.write_text(cache_text(fetched_at=math.inf)), "fetched_at"),
    "fetched_at is a year ahead": (
        lambda p: p.write_text(cache_text(fetched_at=time.time() + 365 * 24 * 3600)),
        "in the future",
    ),
    "fetched_at is a string": (lambda p: p.write_text(cache_text(fetched_at="today")), "fetched_at"),
    "nested 100k deep": (lambda p: p.write_text(_nested(100_000)), "nested too deeply"),
    "not JSON": (lambda p: p.write_text("{not json"), "not JSON"),
    "not UTF-8": (lambda p: p.write_bytes(b'{"models": "\xff\xfe"}'), "not UTF-8"),
    "a FIFO": (lambda p: os.mkfifo(p), "not a regular file"),
    "a symlink to /dev/zero": (lambda p: p.symlink_to("/dev/zero"), "not a regular file"),
    "a directory": (lambda p: p.mkdir(), "not a regular file"),
    "larger than the cap": (lambda p: os.truncate(_touch(p), MAX_CACHE_BYTES + 1), "byte limit"),
    "too many models": (
        lambda p: p.write_text(
            cache_text(
                models={f"m{i}": {} for i in range(MAX_LIVE_MODELS + len(bundled_catalog(ROUTE).models) + 1)}
            )
        ),
        "more than a refresh keeps",
    ),
    "written for another base": (
        lambda p: p.write_text(cache_text(source="http://127.0.0.1:9/v1")),
        "another API base",
    ),
    "the top level is a list": (lambda p: p.write_text("[1, 2]"), "the top level"),
}


def _touch(path: Path) -> Path:
    path.touch()
    return path


@pytest.mark.parametrize("bad", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_cache_file_is_ignored_with_a_warning_and_register_goes_on(
    cache_dir: Path, caplog: pytest.LogCaptureFixture, bad: str
) -> None:
    make, problem = BAD_FILES[bad]
    make(the_cache())
    caplog.set_level("WARNING", "litellm_providers")
    register_within(seconds=20)
    assert MARKER not in catalog.active_models(ROUTE)
    assert catalog.active_models(ROUTE) == bundled_catalog(ROUTE).models
    said = [message for message in warnings_of(caplog) if str(the_cache()) in message]
    assert len(said) == 1 and problem in said[0], warnings_of(caplog)
    assert_no_key_in(caplog.text)


def test_a_good_cache_is_used(cache_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The control for the test above: the same file, well formed, is read."""
    the_cache().write_text(cache_text())
    caplog.set_level("WARNING", "litellm_providers")
    register_within(seconds=20)
    assert catalog.active_models(ROUTE)[MARKER].context_window == 123_456
    assert litellm.get_model_info(f"{ROUTE}/{MARKER}")["max_input_tokens"] == 123_456
    assert not warnings_of(caplog)


def test_a_bad_cache_is_rewritten_by_the_next_refresh(
    cache_dir: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url(ROUTE))
    os.mkfifo(the_cache())
    assert read_fresh_cache(ROUTE) is None
    result = refresh_catalog(ROUTE, register=False)
    assert result.error is None
    assert the_cache().is_file()
    assert read_fresh_cache(ROUTE) == result.models


@pytest.mark.parametrize("ttl", ["1d", "nan", "-5", "inf", ""])
def test_a_bad_ttl_warns_and_the_default_applies(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, ttl: str
) -> None:
    monkeypatch.setenv("LITELLM_PROVIDERS_CATALOG_TTL", ttl)
    the_cache().write_text(cache_text(fetched_at=time.time() - DEFAULT_TTL_SECONDS / 2))
    caplog.set_level("WARNING", "litellm_providers")
    register_within(seconds=20)
    assert MARKER in catalog.active_models(ROUTE)  # half a day old: fresh under the default day
    assert any("LITELLM_PROVIDERS_CATALOG_TTL" in message for message in warnings_of(caplog))
    the_cache().write_text(cache_text(fetched_at=time.time() - 2 * DEFAULT_TTL_SECONDS))
    assert read_fresh_cache(ROUTE) is None  # two days old: stale under the default day


def test_writing_never_follows_a_symlink_planted_at_a_temporary_name(cache_dir: Path) -> None:
    victim = cache_dir.parent / f"{cache_dir.name}-victim.txt"
    victim.write_text("not yours")
    # Every fixed temporary name the cache has had: a writer that follows one overwrites the victim.
    for planted in (the_cache().with_suffix(".tmp"), cache_dir / f"catalog-{ROUTE}.tmp"):
        planted.symlink_to(victim)
    write_cache(ROUTE, bundled_catalog(ROUTE).models)
    assert victim.read_text() == "not yours"
    assert the_cache().is_file() and not the_cache().is_symlink()
    assert read_fresh_cache(ROUTE) == dict(bundled_catalog(ROUTE).models)
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp") and not p.is_symlink()]


def test_a_cache_too_large_to_read_back_is_not_written(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An effort list long enough (over 11 bytes an item as JSON) that the file would pass the read cap.
    efforts = tuple(f"effort-{i}" for i in range(MAX_CACHE_BYTES // 10))
    write_cache(ROUTE, {"m": ModelEntry(reasoning_efforts=efforts)})
    assert not the_cache().exists()
    assert any("byte limit" in message for message in warnings_of(caplog))


# -- a cache per API base: an emulator or staging refresh never replaces production's list ---------------


def test_a_refresh_against_another_base_leaves_the_configured_bases_cache_alone(
    cache_dir: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from litellm_providers.cli import main

    production = the_cache()
    production.write_text(cache_text())  # the configured (default) base's list, with the marker
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url(ROUTE))
    assert main(["models", "--refresh", ROUTE, "--provider", ROUTE]) == 0  # against the emulator
    emulated = the_cache()
    assert emulated != production and emulated.is_file()
    register_within(seconds=20)
    assert MARKER not in catalog.active_models(ROUTE)  # the emulator's list, for the emulator's base
    monkeypatch.delenv("SYNTHETIC_API_BASE")
    assert MARKER in (read_fresh_cache(ROUTE) or {})
    register_within(seconds=20)
    assert MARKER in catalog.active_models(ROUTE)  # production's list is still production's


def test_the_cache_holds_no_userinfo_of_the_base(cache_dir: Path, emulator: Any) -> None:
    base = emulator.base_url(ROUTE).replace("http://", "http://admin:S3cret-pw@")
    write_cache(ROUTE, bundled_catalog(ROUTE).models, base)
    path = cache_path(ROUTE, base)
    assert path == cache_path(ROUTE, emulator.base_url(ROUTE))  # one base, one cache
    assert path is not None and "S3cret-pw" not in path.read_text()
    assert read_fresh_cache(ROUTE, base) is not None


# -- absurd figures in a live list: the bundled figure stays, a warning names the model and the field -------

ABSURD: dict[str, tuple[dict[str, Any], str, str]] = {
    # name: (the live entry's fields, the field named in the warning, the ModelEntry field that must stay)
    "a window of 1": ({"context_length": 1}, "context_length", "context_window"),
    "a window of 1e30": ({"context_length": 10**30}, "context_length", "context_window"),
    "a negative window": ({"context_length": -4096}, "context_length", "context_window"),
    "an output past the window": ({"max_output_length": 10**9}, "max_output_length", "max_output_tokens"),
    "a price of inf": ({"pricing": {"prompt": "inf"}}, "pricing.prompt", "input_usd_per_million"),
    "a price of Infinity": (
        {"pricing": {"completion": math.inf}},
        "pricing.completion",
        "output_usd_per_million",
    ),
    "a price of nan": ({"pricing": {"prompt": "nan"}}, "pricing.prompt", "input_usd_per_million"),
    "a price of 1e306 $/M": ({"pricing": {"prompt": "$1e300"}}, "pricing.prompt", "input_usd_per_million"),
    "a negative price": (
        {"pricing": {"input_cache_reads": "-0.000001"}},
        "pricing.input_cache_reads",
        "cache_read_usd_per_million",
    ),
}


@pytest.mark.parametrize("case", ABSURD, ids=list(ABSURD))
def test_an_absurd_live_figure_keeps_the_bundled_one_with_a_warning(
    caplog: pytest.LogCaptureFixture, case: str
) -> None:
    fields, named, kept = ABSURD[case]
    bundled = bundled_catalog(ROUTE).models[KNOWN]
    caplog.set_level("WARNING", "litellm_providers")
    plausible = {"id": KNOWN, "max_output_length": 4096, "tier": "paid"}
    models, _, skipped = parse_live_list(ROUTE, {"data": [{**plausible, **fields}]})
    assert skipped == []
    assert getattr(models[KNOWN], kept) == getattr(bundled, kept)
    assert models[KNOWN].tier == "paid"  # the entry's plausible figures still apply
    if kept != "max_output_tokens":
        assert models[KNOWN].max_output_tokens == 4096
    said = warnings_of(caplog)
    assert len(said) == 1 and KNOWN in said[0] and named in said[0], said


class _OneBody(ThreadingHTTPServer):
    """A loopback API whose every GET answers 200 with one JSON body."""

    daemon_threads = True

    def __init__(self, body: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.body = body

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Answer(BaseHTTPRequestHandler):
    server: _OneBody

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def absurd_list() -> Iterator[_OneBody]:
    entry = {"id": KNOWN, "context_length": 10**30, "pricing": {"prompt": "$1e300", "completion": "inf"}}
    with _OneBody(json.dumps({"data": [entry]}).encode()) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server
        server.shutdown()


def test_an_absurd_live_list_is_not_cached_or_registered(
    cache_dir: Path, absurd_list: _OneBody, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", absurd_list.base)
    assert refresh_catalog(ROUTE).error is None
    register_within(seconds=20)  # a later start, reading the cache
    bundled = bundled_catalog(ROUTE).models[KNOWN]
    info = litellm.get_model_info(f"{ROUTE}/{KNOWN}")
    assert info["max_input_tokens"] == bundled.context_window
    assert info["input_cost_per_token"] == pytest.approx((bundled.input_usd_per_million or 0) / 1e6)
    assert info["output_cost_per_token"] == pytest.approx((bundled.output_usd_per_million or 0) / 1e6)


# -- 20k models: a capped list, and a catalog registered in one step ---------------------------------------


def test_a_live_list_adds_at_most_the_cap_and_keeps_every_bundled_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bundled = bundled_catalog(ROUTE).models
    extra = 20_000
    # The bundled models come last: past the cap, they are still kept.
    entries = [{"id": f"hf:flood/model-{i}", "context_length": 8192} for i in range(extra)]
    entries += [{"id": name} for name in bundled]
    caplog.set_level("WARNING", "litellm_providers")
    models, added, _ = parse_live_list(ROUTE, {"data": entries})
    assert len(added) == MAX_LIVE_MODELS
    assert added == [f"hf:flood/model-{i}" for i in range(MAX_LIVE_MODELS)]
    assert set(bundled) <= set(models) and len(models) == len(bundled) + MAX_LIVE_MODELS
    said = [message for message in warnings_of(caplog) if "dropped" in message]
    assert len(said) == 1 and f"dropped the {extra - MAX_LIVE_MODELS} entries" in said[0]


def test_a_flood_of_malformed_entries_is_a_few_warnings_and_a_one_line_summary(
    caplog: pytest.LogCaptureFixture,
) -> None:
    entries: list[Any] = [{"id": f"hf:bad/model-{i}", "context_length": "huge"} for i in range(20_000)]
    entries += [{"id": "hf:good/model", "context_length": 8192}]
    caplog.set_level("WARNING", "litellm_providers")
    models, added, skipped = parse_live_list(ROUTE, {"data": entries})
    assert added == ["hf:good/model"] and len(skipped) == 20_000
    malformed = [message for message in warnings_of(caplog) if "malformed" in message]
    assert len(malformed) == SUMMARY_NAMES + 1 and "skipped 19990 more" in malformed[-1]
    line = RefreshResult(ROUTE, models, added, skipped).summary()
    assert "20000 malformed skipped (hf:bad/model-0, " in line and line.endswith("and 19990 more)")
    assert len(line) < 500


@pytest.mark.usefixtures("own_cost_map")
def test_registering_a_large_catalog_neither_calls_register_model_nor_reindexes_per_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LiteLLM's register_model rebuilds an index of its whole cost map for every new model (quadratic
    in the catalog); registration writes the catalog in one step instead."""
    counts = {"register_model": 0, "reindex": 0}
    register_model, reindex = litellm.register_model, litellm.utils._rebuild_model_cost_lowercase_map

    def counting_register_model(*args: Any, **kwargs: Any) -> Any:
        counts["register_model"] += 1
        return register_model(*args, **kwargs)

    def counting_reindex() -> dict[str, str]:
        counts["reindex"] += 1
        return reindex()

    monkeypatch.setattr(litellm, "register_model", counting_register_model)
    monkeypatch.setattr(litellm.utils, "_rebuild_model_cost_lowercase_map", counting_reindex)
    many = {f"hf:bulk/model-{i}": ModelEntry(context_window=8192 + i) for i in range(500)}
    set_active_models(ROUTE, {**bundled_catalog(ROUTE).models, **many})
    register_catalog(PROVIDERS[ROUTE])
    assert counts == {"register_model": 0, "reindex": 0}
    assert litellm.get_model_info(f"{ROUTE}/hf:bulk/model-499")["max_input_tokens"] == 8192 + 499
    assert counts["reindex"] <= 1


# -- hypothesis: any input to either parser gives a result or the documented refusal ------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    [
        "id",
        "context_length",
        "max_output_length",
        "pricing",
        "input_modalities",
        "supported_features",
        "tier",
        "reasoning_parameters",
        "hugging_face_id",
    ]
)
_PRICES = st.dictionaries(
    st.sampled_from(["prompt", "completion", "input_cache_reads"]),
    _JSON | st.floats().map(lambda f: f"${f}") | st.integers().map(str),
)
_ENTRY = st.dictionaries(_FIELDS, _JSON, max_size=6) | st.builds(
    lambda name, length, output, prices: {
        "id": name,
        "context_length": length,
        "max_output_length": output,
        "pricing": prices,
    },
    st.sampled_from([KNOWN, "hf:new/Model", "syn:large:text", ""]) | st.text(max_size=8),
    st.integers() | st.floats(),
    st.integers() | st.floats(),
    _PRICES,
)
_LIVE_LIST = _JSON | st.builds(
    lambda entries, key: {key: entries},
    st.lists(_ENTRY | _JSON, max_size=6),
    st.sampled_from(["data", "models"]),
)


@HYPOTHESIS
@given(payload=_LIVE_LIST)
@example(payload={"data": [{"id": KNOWN, "pricing": {"prompt": "inf"}}]})
@example(payload={"models": [{"id": "hf:new/Model", "context_length": 10**30}]})
def test_the_live_list_parser_gives_a_catalog_or_a_value_error(payload: Any) -> None:
    try:
        models, added, skipped = parse_live_list(ROUTE, payload)
    except ValueError as error:
        assert "model list" in str(error)
        return
    assert set(bundled_catalog(ROUTE).models) <= set(models)
    assert all(isinstance(entry, ModelEntry) for entry in models.values())
    for entry in models.values():
        assert entry.context_window is None or entry.context_window <= MAX_CONTEXT_WINDOW
        for price in (
            entry.input_usd_per_million,
            entry.output_usd_per_million,
            entry.cache_read_usd_per_million,
        ):
            assert price is None or 0 <= price <= MAX_USD_PER_MILLION
    assert set(added) <= set(models) and all(isinstance(name, str) for name in skipped)


_CACHE_FILES = (
    st.binary(max_size=300)
    | _JSON.map(lambda value: json.dumps(value).encode())
    | st.builds(
        lambda fetched_at, models, source: json.dumps(
            {"source": source, "fetched_at": fetched_at, "models": models}
        ).encode(),
        st.floats() | st.integers() | st.just(time.time()),
        _JSON
        | st.dictionaries(
            st.text(max_size=8),
            st.dictionaries(
                st.sampled_from(["context_window", "tier", "mode", "reasoning_efforts", "tools"]),
                _JSON,
                max_size=3,
            ),
            max_size=3,
        ),
        st.just(None).map(lambda _: cache_source(ROUTE)) | st.text(max_size=8),
    )
)


@HYPOTHESIS
@given(data=_CACHE_FILES)
def test_the_cache_reader_gives_a_catalog_or_none_with_a_warning(
    cache_dir: Path, caplog: pytest.LogCaptureFixture, data: bytes
) -> None:
    caplog.clear()
    caplog.set_level("WARNING", "litellm_providers")
    the_cache().write_bytes(data)
    models = read_fresh_cache(ROUTE)
    said = warnings_of(caplog)
    if models is None and not said:  # only a well-formed cache past its TTL goes without a warning
        cached = CachedCatalog.model_validate_json(data)
        assert cached.source == cache_source(ROUTE)
        assert time.time() - cached.fetched_at > DEFAULT_TTL_SECONDS
    elif models is None:
        assert len(said) == 1 and str(the_cache()) in said[0], said
    else:
        assert all(isinstance(entry, ModelEntry) for entry in models.values())
