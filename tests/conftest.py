"""One conftest: offline LiteLLM, registered routes, fake keys, and one cassette rule for every test.

Cassettes live in ``cassettes/<test module>/<test name>.yaml`` and replay with record_mode "none":
a request that is not in its cassette fails the test instead of reaching a network. They match on
method, path and body (not host), so the same cassette serves a request to the real provider URL
(what the tests send) and the emulator or live API it was recorded against:

* ``pytest --record-mode=rewrite <tests>`` re-records against the bundled emulator;
* ``LITELLM_PROVIDERS_LIVE=1 SYNTHETIC_API_KEY=... pytest --record-mode=rewrite <tests>`` re-records
  against the live API with a real key (see docs/recording.md).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import pytest

from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
LIVE = os.environ.get("LITELLM_PROVIDERS_LIVE") == "1"

# One model per route for the fault suite: a reasoning model each, so cuts can land mid-reasoning.
FAULT_MODELS = {
    "synthetic": "synthetic/hf:deepseek-ai/DeepSeek-R1-0528",
    "synternet": "synternet/syntoshi-apex-thinking",
    "syncropic": "syncropic/claude-haiku-4-5",
}


def requests_with(emulator: Emulator, prompt: str) -> int:
    """How many requests the emulator received whose last message is ``prompt``."""
    return sum(1 for seen in emulator.requests if seen["body"]["messages"][-1]["content"] == prompt)


# Keys that must never show up anywhere: tests that look for leaks search for these strings.
SENTINEL_KEYS = {route: f"sentinel-{route}-key-0123456789abcdef" for route in PROVIDERS}

# Tests never read or write the user's real catalog cache; the cache tests point it at a tmp dir.
os.environ["LITELLM_PROVIDERS_NO_CACHE"] = "1"

if not LIVE:
    for _route, _spec in PROVIDERS.items():
        os.environ[_spec.api_key_env] = SENTINEL_KEYS[_route]
        os.environ.pop(_spec.api_base_env, None)


@pytest.fixture(scope="session", autouse=True)
def registered() -> None:
    import litellm_providers

    litellm_providers.register()


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    yield port


@pytest.fixture
def serve() -> Iterator[Any]:
    """Scripted loopback servers (tests/loopback.py): ``serve({path: answer})``, stopped after the test."""
    from tests.loopback import scripted_servers

    with scripted_servers() as start:
        yield start


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    with Emulator() as running:
        yield running


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": ["authorization", "x-api-key", "api-key"],
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def recorded_base(request: pytest.FixtureRequest) -> Any:
    """The API base a recorded test should pass: the real default when replaying or recording live,
    the emulator when recording offline. Call it with the route."""
    recording = request.config.getoption("--record-mode", default="none") != "none"

    def base(route: str) -> str | None:
        if recording and not LIVE:
            emulator: Emulator = request.getfixturevalue("emulator")
            return emulator.base_url(route)
        return None

    return base
