"""The fleet tests' fixtures (tests/integration/fleet.py has the rest): each fleet module gets its own
redis-server and its own emulator, and starts its own proxies with its own keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from litellm_providers.emulator import Emulator
from tests.integration.fleet import Redis, running_redis


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Redis]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def fleet_emulator() -> Iterator[Emulator]:
    # Its own emulator: its quotas header counts requests (135 shows a subscription used up), and
    # the session's has served many.
    with Emulator() as running:
        yield running
