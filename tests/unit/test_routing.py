"""Quota-aware routing on a plain ``litellm.Router``: two deployments of one model, two keys, the emulator."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import litellm
import pytest
from hypothesis import given
from hypothesis import strategies as st

from litellm_providers.emulator import Emulator
from litellm_providers.emulator.platform import quotas_answer, renewal_times
from litellm_providers.errors import provider_error
from litellm_providers.providers import PROVIDERS
from litellm_providers.quota import QuotaSnapshot, snapshot_from_header
from litellm_providers.routing import (
    CACHE_PREFIX,
    QuotaAwareRouting,
    key_digest,
    state_from_cached,
    state_from_snapshot,
    use_with,
)

MODEL = "synthetic/hf:zai-org/GLM-4.7"
FRESH_KEY = "sentinel-fleet-key-two-0123456789abcdef"
SPENT_KEY = "sentinel-fleet-key-one-exhausted-0123456789"
SPENT_TOO = "sentinel-fleet-key-three-exhausted-987654321"


def _router(emulator: Emulator, *keys: str, **litellm_params: Any) -> litellm.Router:
    deployments = [
        {
            "model_name": "glm",
            "litellm_params": {
                "model": MODEL,
                "api_key": key,
                "api_base": emulator.base_url("synthetic"),
                **litellm_params,
            },
            "model_info": {"id": f"deployment-{index}"},
        }
        for index, key in enumerate(keys)
    ]
    # No cooldowns and no retries: what keeps calls off a used-up key is the hook, not LiteLLM's cooldown.
    return litellm.Router(model_list=deployments, num_retries=0, disable_cooldowns=True)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    # Its own emulator: its quotas header counts the requests it has served (135 shows the
    # subscription used up), and the session's has served many by the time this module runs.
    with Emulator() as running:
        yield running


@pytest.fixture
def routing() -> Iterator[QuotaAwareRouting]:
    hook = QuotaAwareRouting()
    yield hook
    # Off every list LiteLLM copied it to: LiteLLM adds one callback of a class once, so a stale
    # instance would keep a later test's from being called, and it must not route other tests' calls.
    for name in _CALLBACK_LISTS:
        listed = getattr(litellm, name, None)
        if isinstance(listed, list):
            listed[:] = [callback for callback in listed if callback is not hook]


_CALLBACK_LISTS = (
    "callbacks",
    "input_callback",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "service_callback",
)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.Runner]:
    """One event loop for the module: LiteLLM runs its logging callbacks on a worker bound to the loop
    it first ran on, so a second ``asyncio.run`` would never see the hook learn (a proxy has one loop)."""
    with asyncio.Runner() as runner:
        yield runner


def _calls_by(emulator: Emulator, key: str) -> int:
    return sum(1 for seen in emulator.requests if seen["headers"].get("authorization") == f"Bearer {key}")


async def _ask(router: litellm.Router, model: str, text: str) -> Any:
    return await router.acompletion(model=model, messages=[{"role": "user", "content": text}])


async def _settle() -> None:
    # LiteLLM runs success and failure callbacks as tasks after the call returns.
    for _ in range(50):
        await asyncio.sleep(0.02)


async def _learn_spent(
    router: litellm.Router, deployment_id: str, routing: QuotaAwareRouting, key: str
) -> None:
    """One call to that deployment alone (by its id): its quota 429 teaches the hook."""
    with pytest.raises(litellm.RateLimitError):
        await _ask(router, deployment_id, "who are you?")
    for _ in range(200):  # the failure callback runs as a task after the call: wait until it has
        if await routing.cache.async_get_cache(CACHE_PREFIX + key_digest(key)) is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the hook never learned of the used-up key")


def test_a_used_up_key_is_skipped_and_the_other_takes_the_calls(
    emulator: Emulator, routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    router = _router(emulator, SPENT_KEY, FRESH_KEY)
    use_with(router, routing)

    async def run() -> None:
        await _learn_spent(router, "deployment-0", routing, SPENT_KEY)
        spent_before = _calls_by(emulator, SPENT_KEY)
        for index in range(12):
            response = await _ask(router, "glm", f"question {index}")
            assert response.choices[0].message.content == f"You asked: question {index}"
        assert _calls_by(emulator, SPENT_KEY) == spent_before
        assert _calls_by(emulator, FRESH_KEY) >= 12

    loop.run(run())


def test_every_key_used_up_raises_with_retry_after_and_spends_no_call(
    emulator: Emulator, routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    router = _router(emulator, SPENT_KEY, SPENT_TOO)
    use_with(router, routing)

    async def run() -> None:
        await _learn_spent(router, "deployment-0", routing, SPENT_KEY)
        await _learn_spent(router, "deployment-1", routing, SPENT_TOO)
        seen = len(emulator.requests)
        with pytest.raises(litellm.RateLimitError) as raised:
            await _ask(router, "glm", "anyone left?")
        assert len(emulator.requests) == seen, [
            (r["body"]["messages"][-1]["content"], r["headers"]["authorization"][-6:])
            for r in emulator.requests[-3:]
        ]  # no upstream call on a known-used-up key
        renews = renewal_times()["subscription"].timestamp() - time.time()
        wait = raised.value.retry_after  # type: ignore[attr-defined]
        assert abs(wait - renews) <= 5
        assert raised.value.response.headers["retry-after"] == str(wait)
        assert "renews at" in str(raised.value)
        assert renewal_times()["subscription"].strftime("%Y-%m-%dT%H:%M") in str(raised.value)

    loop.run(run())


def test_no_key_or_key_prefix_in_the_cache(
    emulator: Emulator, routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    router = _router(emulator, SPENT_KEY, FRESH_KEY)
    use_with(router, routing)

    async def run() -> None:
        await _learn_spent(router, "deployment-0", routing, SPENT_KEY)
        await _ask(router, "glm", "hello")
        await _settle()

    loop.run(run())
    memory = routing.cache.in_memory_cache.cache_dict
    stored = {key: value for key, value in memory.items() if key.startswith(CACHE_PREFIX)}
    assert {CACHE_PREFIX + key_digest(SPENT_KEY), CACHE_PREFIX + key_digest(FRESH_KEY)} <= stored.keys()
    text = json.dumps({key: repr(value) for key, value in memory.items()})
    for key in (SPENT_KEY, FRESH_KEY):
        assert key[:12] not in text and key[-12:] not in text


def test_more_headroom_is_preferred() -> None:
    snapshot = QuotaSnapshot.model_validate(quotas_answer(130))
    few = state_from_snapshot(snapshot)
    many = state_from_snapshot(QuotaSnapshot.model_validate(quotas_answer(10)))
    assert few.headroom == 5 and many.headroom == 125
    assert not few.blocked(time.time())
    spent = state_from_snapshot(QuotaSnapshot.model_validate(quotas_answer(0, exhausted=True)))
    assert spent.blocked(time.time()) and spent.headroom == 0
    assert spent.blocked_until == pytest.approx(renewal_times()["subscription"].timestamp(), abs=2)


def test_filter_keeps_the_keys_with_headroom_best_first(
    routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    deployments = [
        {"litellm_params": {"api_key": key}, "model_info": {"id": key[-4:]}}
        for key in ("k-few", "k-many", "k-new")
    ]

    async def run() -> list[Any]:
        await routing.learn("k-few", json.dumps(quotas_answer(130)))
        await routing.learn("k-many", json.dumps(quotas_answer(10)))
        return await routing.async_filter_deployments("glm", deployments, None)

    kept = loop.run(run())
    assert [d["model_info"]["id"] for d in kept] == ["-new", "many"]


def test_a_search_window_used_up_does_not_block_chat(routing: QuotaAwareRouting) -> None:
    snapshot = QuotaSnapshot.model_validate(quotas_answer(3, search_exhausted=True))
    assert not state_from_snapshot(snapshot).blocked(time.time())


def test_a_rolling_window_blocks_until_its_next_tick() -> None:
    answer = quotas_answer(3)
    answer["rollingFiveHourLimit"]["remaining"] = 0
    state = state_from_snapshot(QuotaSnapshot.model_validate(answer), datetime.now(UTC))
    assert state.blocked_until == pytest.approx(renewal_times()["tick"].timestamp(), abs=2)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.one_of(
        _JSON,
        st.fixed_dictionaries({"headroom": _JSON, "blocked_until": _JSON, "expires_at": _JSON}),
    )
)
def test_any_cached_value_reads_as_a_state_or_none(value: object) -> None:
    state = state_from_cached(value)
    assert state is None or isinstance(state.blocked(time.time()), bool)


_WHEN = st.one_of(
    st.none(),
    st.datetimes(timezones=st.just(UTC)).map(lambda at: at.isoformat()),
    st.text(max_size=10),
)
_COUNT = st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=6))


@given(
    subscription=st.fixed_dictionaries({"limit": _COUNT, "requests": _COUNT, "renewsAt": _WHEN}),
    rolling=st.fixed_dictionaries({"max": _COUNT, "remaining": _COUNT, "nextTickAt": _WHEN}),
)
def test_any_quotas_header_learns_a_state_or_nothing(
    subscription: dict[str, Any], rolling: dict[str, Any]
) -> None:
    header = json.dumps({"subscription": subscription, "rollingFiveHourLimit": rolling})
    snapshot = snapshot_from_header(header)
    if snapshot is None:
        return  # unreadable: ignored with a warning, the key routed as one not heard from
    state = state_from_snapshot(snapshot)
    assert state_from_cached(json.loads(json.dumps(state.as_cached()))) == state


OTHER_FRESH_KEY = "sentinel-fleet-key-four-0123456789abcdef"


def test_a_key_whose_one_slot_is_taken_is_left_out_while_the_other_is_free(
    emulator: Emulator, routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    # Synthetic takes one concurrent request per model per pack: with max_parallel_requests=1 a
    # second call that LiteLLM's random pick sends to the busy key gets LiteLLM's own 429. The hook
    # leaves the busy key out while the other is free, on a plain Router as in the proxy.
    router = _router(emulator, FRESH_KEY, OTHER_FRESH_KEY, max_parallel_requests=1)
    use_with(router, routing)
    held = "a long story emulate:fault=slow-drip emulate:delay=1"

    async def run() -> None:
        stream = await router.acompletion(
            model="deployment-0", messages=[{"role": "user", "content": held}], stream=True
        )
        first = await stream.__anext__()
        busy_before, free_before = _calls_by(emulator, FRESH_KEY), _calls_by(emulator, OTHER_FRESH_KEY)
        for index in range(6):
            response = await _ask(router, "glm", f"while busy {index}")
            assert response.choices[0].message.content == f"You asked: while busy {index}"
        assert _calls_by(emulator, FRESH_KEY) == busy_before
        assert _calls_by(emulator, OTHER_FRESH_KEY) == free_before + 6
        rest = [first, *[chunk async for chunk in stream]]
        assert (
            "".join(c.choices[0].delta.content or "" for c in rest if c.choices) == "You asked: a long story"
        )

    loop.run(run())


class SharedRedis:
    """What two proxies' Routers share, standing in for LiteLLM's ``RedisCache``: counts the round trips."""

    def __init__(self) -> None:
        self.stored: dict[str, object] = {}
        self.reads = 0
        self.writes = 0

    async def async_batch_get_cache(
        self, key_list: list[str], parent_otel_span: Any = None
    ) -> dict[str, object]:
        self.reads += 1
        return {key: self.stored.get(key) for key in key_list}

    async def async_set_cache(self, key: str, value: object, **kwargs: Any) -> None:
        self.writes += 1
        self.stored[key] = value


def test_a_fleet_shares_through_redis_once_a_second_not_once_a_call(loop: asyncio.Runner) -> None:
    from litellm.caching.dual_cache import DualCache

    redis = SharedRedis()
    now = [0.0]
    proxy_a, proxy_b = (QuotaAwareRouting(DualCache(redis_cache=redis)) for _ in range(2))  # type: ignore[arg-type]
    for proxy in (proxy_a, proxy_b):
        proxy.clock = lambda: now[0]  # type: ignore[method-assign]
    keys = ("k-one", "k-two")
    deployments = [{"litellm_params": {"api_key": key}, "model_info": {"id": key}} for key in keys]

    async def kept_by_b() -> list[str]:
        kept = await proxy_b.async_filter_deployments("glm", deployments, None)
        return [deployment["model_info"]["id"] for deployment in kept]

    async def run() -> None:
        for served in range(50):  # fifty answers through A within a second: the headroom shared once
            await proxy_a.learn("k-one", json.dumps(quotas_answer(served)))
        assert redis.writes == 1
        await proxy_a.learn("k-one", json.dumps(quotas_answer(0, exhausted=True)))
        assert redis.writes == 2  # used up: the fleet hears of it at once
        assert await kept_by_b() == ["k-two"]
        for _ in range(20):
            assert await kept_by_b() == ["k-two"]
        assert redis.reads == 1  # B's later calls within the second route from its memory
        await proxy_a.learn("k-one", json.dumps(quotas_answer(1)))
        assert redis.writes == 3  # free again: at once too
        now[0] = 1.5
        assert sorted(await kept_by_b()) == ["k-one", "k-two"]  # B's next read, a second on, sees it
        assert redis.reads == 2
        await proxy_a.learn("k-one", json.dumps(quotas_answer(2)))
        assert redis.writes == 4  # a second on, the headroom is shared again

    loop.run(run())


def _kept_ids(kept: list[Any]) -> list[str]:
    return [deployment["model_info"]["id"] for deployment in kept]


SPENT_AND_OTHER = [
    {"litellm_params": {"api_key": key}, "model_info": {"id": name}}
    for key, name in (("k-spent", "spent"), ("k-other", "other"))
]


def test_a_key_used_up_stays_skipped_past_the_window_an_earlier_answer_named(
    routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    # First seen with room and a rolling window ticking in a second, then used up for hours: LiteLLM's
    # memory keeps a running expiry when a key is stored again, which must not end the used-up state.
    seen = quotas_answer(10)
    seen["rollingFiveHourLimit"]["nextTickAt"] = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()

    async def run() -> list[Any]:
        await routing.learn("k-spent", json.dumps(seen))
        await routing.learn("k-spent", json.dumps(quotas_answer(0, exhausted=True)))
        await asyncio.sleep(1.5)  # the first answer's window has ticked
        return await routing.async_filter_deployments("glm", SPENT_AND_OTHER, None)

    assert _kept_ids(loop.run(run())) == ["other"]


def test_a_402_that_shows_the_subscription_used_up_is_learned(
    routing: QuotaAwareRouting, loop: asyncio.Runner
) -> None:
    # The Router does not retry a 402: skipping the key on the next call is the only help.
    refusal = provider_error(
        PROVIDERS["synthetic"],
        "hf:zai-org/GLM-4.7",
        402,
        json.dumps({"error": {"message": "subscription used up"}}),
        {"x-synthetic-quotas": json.dumps(quotas_answer(0, exhausted=True))},
    )
    assert isinstance(refusal, litellm.exceptions.PaymentRequiredError)

    async def run() -> list[Any]:
        await routing.async_post_call_failure_deployment_hook({"api_key": "k-spent"}, refusal, None)
        return await routing.async_filter_deployments("glm", SPENT_AND_OTHER, None)

    assert _kept_ids(loop.run(run())) == ["other"]
