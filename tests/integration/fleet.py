"""What the fleet tests share: a real redis-server on a loopback port, two `litellm --config
docs/proxy/fleet.yaml` proxies on it in front of the emulator, and the counts the tests read at the
emulator. The fixtures are in tests/integration/conftest.py; each fleet module starts its own fleet
with its own keys."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openai
import pytest

from litellm_providers.emulator import Emulator
from litellm_providers.routing import CACHE_PREFIX, SHARED_READ_INTERVAL_SECONDS, key_digest
from tests.conftest import ROOT
from tests.integration.test_proxy import Proxy, _free_port, running_proxy

FLEET_CONFIG = ROOT / "docs" / "proxy" / "fleet.yaml"
INSTALL = "apt-get update && apt-get install -y redis-server"
MODEL = "glm-4.7"
STARTUP_SECONDS = 30


class Redis:
    """A throwaway redis-server on a free loopback port, read with redis-cli; it can be stopped and
    started again on the same port."""

    def __init__(self, port: int, directory: Path) -> None:
        self.port, self.directory = port, directory
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert self.process.poll() is None, "redis-server exited at start"
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            assert time.monotonic() < deadline, f"no redis-server after {STARTUP_SECONDS}s"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def cli(self, *args: str) -> str:
        command = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), "--raw", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=10, check=True).stdout

    def everything(self) -> str:
        """Every key and every value in the server, as text (strings read whole, others dumped)."""
        parts = []
        for key in self.cli("--scan").split():
            kind = self.cli("TYPE", key).strip()
            value = self.cli("GET", key) if kind == "string" else self.cli("DUMP", key)
            parts.append(f"{key} = {value}")
        return "\n".join(parts)


@contextmanager
def running_redis(directory: Path) -> Iterator[Redis]:
    """A redis-server for one module; skipped locally without one on PATH, a failure in CI."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        reason = f"redis-server is not on PATH; install it: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the fleet tests must run in CI: {reason}")
        pytest.skip(reason)
    server = Redis(_free_port(), directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def fleet_env(redis_server: Redis, key_one: str, key_two: str, **extra: str) -> dict[str, str]:
    return {
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_server.port),
        "REDIS_PASSWORD": "",
        "SYNTHETIC_API_KEY_1": key_one,
        "SYNTHETIC_API_KEY_2": key_two,
        **extra,
    }


@contextmanager
def running_fleet(
    emulator: Emulator, directory: Path, env: dict[str, str], config: Path = FLEET_CONFIG
) -> Iterator[tuple[Proxy, Proxy]]:
    """Two proxies (one worker each) from ``config``, sharing the Redis named in ``env``."""
    with (
        running_proxy(config, emulator, directory / "a.log", workers=1, **env) as proxy_a,
        running_proxy(config, emulator, directory / "b.log", workers=1, **env) as proxy_b,
    ):
        yield proxy_a, proxy_b


def calls_by(emulator: Emulator, key: str) -> int:
    """How many requests the emulator received with ``key`` as their bearer."""
    return sum(1 for seen in emulator.requests if seen["headers"].get("authorization") == f"Bearer {key}")


def ask(proxy: Proxy, text: str, model: str = MODEL) -> openai.types.chat.ChatCompletion:
    return proxy.client().chat.completions.create(model=model, messages=[{"role": "user", "content": text}])


def wait_for_state(redis_server: Redis, key: str) -> None:
    """Until a proxy has filed what it learned of ``key`` in Redis (its callback runs after the answer),
    and the other proxies' memory of the fleet has lapsed: each reads Redis at most once an interval."""
    name = CACHE_PREFIX + key_digest(key)
    for _ in range(100):
        if name in redis_server.cli("--scan"):
            time.sleep(SHARED_READ_INTERVAL_SECONDS * 1.5)
            return
        time.sleep(0.1)
    raise AssertionError(f"no proxy filed {name} in Redis")


def hook_refusal(proxy: Proxy, model: str = MODEL) -> float:
    """The Retry-After of the routing hook's 429. For a few seconds after the refusals, LiteLLM's own
    cooldown of both deployments answers first (a 429 with Retry-After: its cooldown time)."""
    for _ in range(100):
        with pytest.raises(openai.RateLimitError) as raised:
            ask(proxy, "is anyone left?", model)
        if "renews at" in str(raised.value):
            return float(raised.value.response.headers["retry-after"])
        assert "cooldown" in str(raised.value)
        time.sleep(0.2)
    raise AssertionError(f"the routing hook never answered; last: {raised.value}")
