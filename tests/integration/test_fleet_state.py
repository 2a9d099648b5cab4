"""The fleet's shared state, run for real with two keys that both have room: a Router cooldown set
through one proxy holds in the other (LiteLLM shares it through Redis), a key busy with a call takes
no second one at once (``max_parallel_requests: 1`` in docs/proxy/fleet.yaml), and after Redis has
been stopped and started again the proxies share again. Same fleet as test_fleet.py
(tests/integration/fleet.py), its own Redis, emulator and proxies."""

from __future__ import annotations

import contextlib
import itertools
import time
from collections.abc import Iterator

import openai
import pytest

from litellm_providers.emulator import Emulator
from litellm_providers.emulator.replies import directives_of
from tests.integration.fleet import MODEL, Redis, ask, calls_by, fleet_env, hook_refusal, running_fleet
from tests.integration.test_proxy import Proxy

pytestmark = pytest.mark.integration

KEYS = ("sentinel-fleet-key-three-0123456789abcdef", "sentinel-fleet-key-four-0123456789abcdef")
# LiteLLM re-reads a cooldown missing from a proxy's memory from Redis at most this often
# (DEFAULT_COOLDOWN_REDIS_READ_INTERVAL_SECONDS, 1 s on both legs), so a sibling sees it that late.
COOLDOWN_READ_INTERVAL = 1.0
# Synthetic's rate-limit 429 asks for 30 s; LiteLLM cools the deployment down that long.
RATE_LIMITED = "emulate:fault=429 emulate:times=1 emulate:retry_after=30"
# LiteLLM's Redis circuit breaker (both legs) opens after 5 failed Redis calls in a row and lets one
# call try again after REDIS_CIRCUIT_BREAKER_RECOVERY_TIMEOUT seconds (60 unless told); the fleet
# here tells it 2, so Redis coming back is seen in seconds (docs/scaling.md has the default measured).
BREAKER_ENV = {"REDIS_CIRCUIT_BREAKER_RECOVERY_TIMEOUT": "2"}
BREAKER_THRESHOLD = 5
# How long to wait for the proxies to share again before calling it a failure: a bound on a hang.
SHARE_AGAIN_SECONDS = 60
# LiteLLM's own pick ignores busy slots: each call would try the busy key first half the time.
CONCURRENT_CALLS = 6


@pytest.fixture(scope="module")
def fleet(
    redis_server: Redis, fleet_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Proxy, Proxy]]:
    env = fleet_env(redis_server, *KEYS, **BREAKER_ENV)
    with running_fleet(fleet_emulator, tmp_path_factory.mktemp("fleet"), env) as proxies:
        yield proxies


def _key_of(emulator: Emulator, prompt: str) -> str:
    """The key of the first request the emulator received whose last message is ``prompt``."""
    for seen in emulator.requests:
        if seen["body"]["messages"][-1]["content"] == prompt:
            bearer = seen["headers"]["authorization"].removeprefix("Bearer ")
            assert bearer in KEYS
            return str(bearer)
    raise AssertionError(f"the emulator never received {prompt!r}")


def _other(key: str) -> str:
    return next(other for other in KEYS if other != key)


def test_a_second_concurrent_call_goes_to_the_other_key(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator
) -> None:
    proxy_a, _ = fleet
    # A stream that takes its time (a piece a second): its key's one slot stays taken meanwhile.
    prompt = "a long story emulate:fault=slow-drip emulate:delay=1"
    stream = proxy_a.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}], stream=True
    )
    chunks = iter(stream)
    first = next(chunks)  # the stream has begun
    busy = _key_of(fleet_emulator, prompt)
    before = calls_by(fleet_emulator, busy), calls_by(fleet_emulator, _other(busy))
    for index in range(CONCURRENT_CALLS):
        # Straight to the other key: no 429 from the busy key's slot, and no retry after one.
        question = [{"role": "user", "content": f"meanwhile {index}"}]
        raw = proxy_a.client().chat.completions.with_raw_response.create(model=MODEL, messages=question)  # type: ignore[arg-type]
        assert raw.parse().choices[0].message.content == f"You asked: meanwhile {index}"
        assert raw.headers["x-litellm-attempted-retries"] == "0"
    assert calls_by(fleet_emulator, busy) == before[0]
    assert calls_by(fleet_emulator, _other(busy)) == before[1] + CONCURRENT_CALLS
    rest = [first, *chunks]
    assert "".join(c.choices[0].delta.content or "" for c in rest if c.choices) == "You asked: a long story"


def test_a_cooldown_set_through_a_holds_in_b(fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator) -> None:
    proxy_a, proxy_b = fleet
    ask(proxy_b, "B has read that no deployment is cooling down")
    # Through A, one deployment draws Synthetic's rate-limit 429: LiteLLM cools it down (the Router
    # retries the call on the other key, which the emulator answers).
    prompt = f"slow down {RATE_LIMITED}"
    with contextlib.suppress(openai.RateLimitError):
        ask(proxy_a, prompt)
    cooled = _key_of(fleet_emulator, prompt)
    time.sleep(COOLDOWN_READ_INTERVAL * 1.5)  # B's memory of "no cooldown" has lapsed by now
    before = calls_by(fleet_emulator, cooled), calls_by(fleet_emulator, _other(cooled))
    for index in range(8):
        assert (
            ask(proxy_b, f"through B {index}").choices[0].message.content == f"You asked: through B {index}"
        )
    # Every one of B's calls went to the other key: at random, all eight avoid one key once in 256.
    assert calls_by(fleet_emulator, cooled) == before[0]
    assert calls_by(fleet_emulator, _other(cooled)) == before[1] + 8


def test_redis_back_after_a_stop_the_proxies_share_again(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator, redis_server: Redis
) -> None:
    """Last in the module (it empties Redis). While Redis is away both proxies answer from memory;
    once it is back, a response asked through one is a cache hit through the other, both ways."""
    redis_server.stop()
    for index in range(BREAKER_THRESHOLD + 1):  # enough failed Redis calls to open every breaker
        for proxy in fleet:
            answer = ask(proxy, f"without Redis {index}")
            assert answer.choices[0].message.content == f"You asked: without Redis {index}"
    redis_server.start()
    deadline = time.monotonic() + SHARE_AGAIN_SECONDS
    shared: set[str] = set()
    for index in itertools.count():
        for name, (asked, again) in zip("AB", (fleet, fleet[::-1]), strict=True):
            question = f"is Redis back? {name} {index}"
            ask(asked, question)
            seen = len(fleet_emulator.requests)
            assert ask(again, question).choices[0].message.content == f"You asked: {question}"
            if len(fleet_emulator.requests) == seen:  # answered from the cache the other proxy filled
                shared.add(name)
        if shared == {"A", "B"}:
            break
        assert time.monotonic() < deadline, f"no cache shared {SHARE_AGAIN_SECONDS}s after Redis came back"
        time.sleep(0.5)
    for proxy in fleet:  # Redis's errors were logged (warnings), never with a key
        log = proxy.log.read_text(errors="replace")
        for key in KEYS:
            assert key[:12] not in log and key[-12:] not in log


# The fleet config's second model group, on the same two keys: the glm-4.7 tests leave cooldowns.
UNCOOLED_MODEL = "syn-large-text"
# Each key's subscription used up, in a window that gives requests back this soon (the emulator's
# emulate:renews_in): longer than LiteLLM's own cooldown of a refused deployment (5 s), which answers
# first while it lasts.
RENEWS_IN = 15
# How long to wait for a key to be used again after its window renewed: a bound on a hang.
USED_AGAIN_SECONDS = 30


def test_every_key_used_up_until_its_window_renews_then_used_again(
    fleet: tuple[Proxy, Proxy], fleet_emulator: Emulator
) -> None:
    proxy_a, proxy_b = fleet
    # One call through A spends both keys: the Router retries it on the other key. Each key draws its
    # refusal once, then the hook answers: a refusal on the retry teaches the hook as the first try's
    # does. (A model group the earlier tests never cooled down, so LiteLLM's cooldown does not pick.)
    with pytest.raises(openai.RateLimitError):
        ask(proxy_a, f"spend both emulate:fault=quota emulate:renews_in={RENEWS_IN}", UNCOOLED_MODEL)
    assert [_refusals(fleet_emulator, key) for key in KEYS] == [1, 1]
    hook_refusal(proxy_a, UNCOOLED_MODEL)
    # B (once its read interval has passed) knows both are spent: its 429 says when, without a call.
    time.sleep(COOLDOWN_READ_INTERVAL * 1.5)
    seen = len(fleet_emulator.requests)
    wait = hook_refusal(proxy_b, UNCOOLED_MODEL)
    assert len(fleet_emulator.requests) == seen
    assert 0 < wait <= RENEWS_IN
    # Once the window has given requests back, a key is used again and answers.
    time.sleep(wait)
    deadline = time.monotonic() + USED_AGAIN_SECONDS
    while True:
        try:
            answer = ask(proxy_b, "used again?", UNCOOLED_MODEL)
            break
        except openai.RateLimitError:  # LiteLLM's cooldown of the refused deployments, for a few seconds
            assert time.monotonic() < deadline, "no key was used again after its window renewed"
            time.sleep(0.5)
    assert answer.choices[0].message.content == "You asked: used again?"
    served = [seen for seen in fleet_emulator.requests if "used again?" in str(seen["body"]["messages"])]
    assert served and served[-1]["headers"]["authorization"].removeprefix("Bearer ") in KEYS


def _refusals(emulator: Emulator, key: str) -> int:
    """How many quota 429s with a short window ``key`` has drawn (requests carrying the directive)."""
    return sum(
        1
        for seen in emulator.requests
        if "renews_in" in directives_of(seen["body"]) and seen["headers"]["authorization"] == f"Bearer {key}"
    )
