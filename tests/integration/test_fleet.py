"""A fleet for real: a redis-server, the emulator with two keys whose quotas differ, and two
`litellm --config docs/proxy/fleet.yaml` proxies sharing that Redis, driven as a team's application
drives them. Without redis-server on PATH these tests skip locally and fail in CI (``CI=true``)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator

import openai
import pytest

from litellm_providers.compat import HTTP_ERRORS
from litellm_providers.emulator import Emulator
from litellm_providers.emulator.platform import renewal_times
from litellm_providers.routing import CACHE_PREFIX, key_digest
from tests.integration.fleet import (
    FLEET_CONFIG,
    MODEL,
    Redis,
    ask,
    calls_by,
    fleet_env,
    hook_refusal,
    running_fleet,
    wait_for_state,
)
from tests.integration.test_proxy import Proxy, running_proxy

pytestmark = pytest.mark.integration

# Key 1's subscription is used up (the emulator refuses a key named *exhausted* for quota); key 2 has room.
KEY_ONE = "sentinel-fleet-key-one-exhausted-0123456789"
KEY_TWO = "sentinel-fleet-key-two-0123456789abcdef"


def _fleet_env(redis_server: Redis) -> dict[str, str]:
    return fleet_env(redis_server, KEY_ONE, KEY_TWO)


@pytest.fixture(scope="module")
def fleet(
    redis_server: Redis, fleet_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proxy, Proxy]]:
    env = _fleet_env(redis_server)
    with running_fleet(fleet_emulator, tmp_path_factory.mktemp("fleet"), env) as proxies:
        yield proxies


def _key_one_refused_through(proxy: Proxy, emulator: Emulator, redis_server: Redis) -> None:
    """Ask ``proxy`` until its router has sent key 1 a call (it picks at random) and filed the refusal."""
    for index in range(30):
        if calls_by(emulator, KEY_ONE):
            break
        with contextlib.suppress(openai.RateLimitError):  # key 1's refusal, unless retried on key 2
            ask(proxy, f"through A {index}")
    assert calls_by(emulator, KEY_ONE) >= 1
    wait_for_state(redis_server, KEY_ONE)


def test_a_response_cached_through_a_is_a_hit_through_b(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator
) -> None:
    proxy_a, proxy_b = fleet
    question = [{"role": "user", "content": "What does the fleet cache?"}]
    first = proxy_a.client().chat.completions.with_raw_response.create(model=MODEL, messages=question)  # type: ignore[arg-type]
    seen = len(fleet_emulator.requests)
    again = proxy_b.client().chat.completions.with_raw_response.create(model=MODEL, messages=question)  # type: ignore[arg-type]
    assert len(fleet_emulator.requests) == seen  # B answered from the cache A filled
    assert again.parse().choices[0].message.content == "You asked: What does the fleet cache?"
    assert again.headers.get("x-litellm-cache-key")
    # LiteLLM's cost convention for a cache hit: 1.110 says it cost nothing; 1.106 repeats the cost of
    # the call that filled the cache. Either way, the cost of that call, not of a new one.
    cost = float(first.headers["x-litellm-response-cost"])
    assert cost > 0
    assert float(again.headers["x-litellm-response-cost"]) in (0.0, cost)


def test_a_key_used_up_through_a_is_skipped_by_b(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator, redis_server: Redis
) -> None:
    proxy_a, proxy_b = fleet
    _key_one_refused_through(proxy_a, fleet_emulator, redis_server)
    key_one_before = calls_by(fleet_emulator, KEY_ONE)
    for index in range(8):
        answer = ask(proxy_b, f"through B {index}")
        assert answer.choices[0].message.content == f"You asked: through B {index}"
    assert calls_by(fleet_emulator, KEY_ONE) == key_one_before


def test_a_proxy_killed_mid_stream_leaves_the_other_serving(
    fleet: tuple[Proxy, Proxy],
    fleet_emulator: Emulator,
    redis_server: Redis,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    proxy_a, proxy_b = fleet
    _key_one_refused_through(proxy_a, fleet_emulator, redis_server)  # so the stream goes to key 2
    prompt = "a long story emulate:fault=slow-drip emulate:delay=0.5"
    log = tmp_path_factory.mktemp("doomed") / "c.log"
    with running_proxy(FLEET_CONFIG, fleet_emulator, log, workers=1, **_fleet_env(redis_server)) as doomed:
        stream = doomed.client().chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True
        )
        chunks = iter(stream)
        next(chunks)  # the stream has begun
        os.killpg(doomed.pid, signal.SIGKILL)
        with pytest.raises((openai.APIError, *HTTP_ERRORS)):
            for _ in chunks:
                pass
    answer = ask(proxy_b, "still there?")
    assert answer.choices[0].message.content == "You asked: still there?"
    assert (
        sum(1 for seen in fleet_emulator.requests if seen["body"]["messages"][-1]["content"] == prompt) == 1
    )


def test_every_key_used_up_is_a_429_with_retry_after_from_both(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator, redis_server: Redis
) -> None:
    proxy_a, proxy_b = fleet
    _key_one_refused_through(proxy_a, fleet_emulator, redis_server)
    # Key 2's subscription runs out too, seen through A: the emulator answers its quota 429.
    with pytest.raises(openai.RateLimitError):
        ask(proxy_a, "spend the rest emulate:fault=quota")
    renews = renewal_times()["subscription"].timestamp() - time.time()
    for proxy in (proxy_a, proxy_b):
        seen = len(fleet_emulator.requests)
        wait = hook_refusal(proxy)
        assert len(fleet_emulator.requests) == seen  # no upstream call spent on a used-up key
        assert abs(wait - renews) <= 10


def test_no_key_or_key_prefix_in_redis(fleet: tuple[Proxy, Proxy], redis_server: Redis) -> None:
    proxy_a, _ = fleet
    with contextlib.suppress(openai.RateLimitError):
        ask(proxy_a, "one more, for the record")
    stored = redis_server.everything()
    assert CACHE_PREFIX + key_digest(KEY_ONE) in stored
    for key in (KEY_ONE, KEY_TWO):
        for piece in (key, key[:12], key[-12:]):
            assert piece not in stored


def test_redis_stopped_both_proxies_keep_answering(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator, redis_server: Redis
) -> None:
    """Last in the module: Redis goes away for good (test_fleet_state.py starts it again and sees the
    proxies share again). Every key is used up by now (the tests above): A learned that itself, B
    read it from Redis; both still answer the hook's 429 from memory without an upstream call,
    neither crashes, and neither logs a key."""
    proxy_a, proxy_b = fleet
    redis_server.stop()
    for proxy in (proxy_a, proxy_b):
        seen = len(fleet_emulator.requests)
        assert "renews at" in str(_refusal(proxy))
        assert len(fleet_emulator.requests) == seen
    for proxy in (proxy_a, proxy_b):
        assert proxy.client().models.list().data  # still up
        log = proxy.log.read_text(errors="replace")
        for key in (KEY_ONE, KEY_TWO):
            assert key[:12] not in log and key[-12:] not in log


def _refusal(proxy: Proxy) -> openai.RateLimitError:
    for _ in range(100):
        with pytest.raises(openai.RateLimitError) as raised:
            ask(proxy, "and without Redis?")
        if "cooldown" not in str(raised.value):
            return raised.value
        time.sleep(0.2)
    raise AssertionError(f"only cooldowns; last: {raised.value}")
