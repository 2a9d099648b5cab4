"""Quota-aware routing: the Router skips a Synthetic key whose subscription is used up.

Every Synthetic answer carries the key's quotas (``x-synthetic-quotas``), and a refusal for quota
carries them too. ``QuotaAwareRouting`` is a LiteLLM ``CustomLogger`` on the Router's own extension
point, shaped like LiteLLM's provider budget limiter (``router_strategy/budget_limiter.py``): its
success and failure callbacks learn each key's windows (from every attempt of a retried call), and
its ``async_filter_deployments`` drops the deployments whose key is known to be used up until the
window gives requests back, leaves out a deployment whose ``max_parallel_requests`` slots are all
taken while another is free, keeps the ones with the most headroom, and, when every deployment of the
model is used up, raises a ``RateLimitError`` that says when the soonest window renews, without
spending an upstream call.

Enable it in a proxy config with one line::

    litellm_settings:
      callbacks: ["litellm_providers.routing.quota_aware_routing"]

or in Python: ``litellm_providers.routing.use_with(router)``.

What it knows lives in LiteLLM's ``DualCache`` (the Router's: in memory, and in Redis when the Router
has one, so every proxy of a fleet sees what another saw), under a digest of the key, never the key,
for as long as the window lasts. Like LiteLLM's own cooldowns, a proxy reads Redis at most once a
second per model group and routes from its memory in between, and it writes a key's state to Redis
when the key becomes used up or free again, and otherwise at most once a second: a Redis round trip
on every call would cost more than the routing it serves. The Router is found the way LiteLLM's own
checks find their cache: given (``use_with``), or the proxy's ``llm_router``; without either, a cache
of this process only.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import litellm
from litellm.caching.dual_cache import DualCache
from litellm.exceptions import RateLimitError
from litellm.integrations.custom_logger import CustomLogger

from litellm_providers.compat import router_cache
from litellm_providers.providers import PROVIDERS
from litellm_providers.quota import QuotaSnapshot, QuotaWindow, snapshot_from_header

logger = logging.getLogger("litellm_providers")

QUOTAS_HEADER = PROVIDERS["synthetic"].quotas_header or "x-synthetic-quotas"
# LiteLLM hands a provider's response headers to callbacks under this prefix.
_HIDDEN_HEADER = f"llm_provider-{QUOTAS_HEADER}"
# The windows that refuse a chat call when used up; search.hourly, freeToolCalls and the image
# windows refuse only their own kind of call, so a key with those spent still serves chat.
GATING_WINDOWS = frozenset({"subscription", "rollingFiveHourLimit", "weeklyTokenLimit"})
# The windows whose remaining count of requests says how much a key can still take, best first.
HEADROOM_WINDOWS = ("subscription", "rollingFiveHourLimit")
# A deployment is kept when it has at least this share of the best headroom: a key with more packs
# takes more load, and a second concurrent call still has somewhere to go.
HEADROOM_SHARE = 0.5
# How long a used-up key is skipped when its answer did not say when the window renews.
UNKNOWN_RENEWAL_SECONDS = 60.0
# How long a key's headroom is remembered when no window says when it renews.
DEFAULT_TTL_SECONDS = 3600.0
CACHE_PREFIX = "litellm_providers:quota:"
DIGEST_CHARS = 24
# Where LiteLLM keeps a deployment's max_parallel_requests slots (``MaxParallelRequestsLimit``, in the
# Router's cache, this process's memory; the same on both legs). LiteLLM's own pick ignores them: a
# call that lands on a deployment whose slots are all taken gets a 429 without an upstream call, and
# the Router's retries pick at random again.
SLOTS_KEY = "{}_max_parallel_requests_client"
# How stale a proxy's view of what the rest of the fleet learned may be: the interval at which LiteLLM
# reads the fleet's cooldowns from Redis (``DEFAULT_COOLDOWN_REDIS_READ_INTERVAL_SECONDS``), so both
# kinds of state reach a proxy together.
SHARED_READ_INTERVAL_SECONDS = 1.0
# How often a key's changing headroom is written to Redis; used up or free again is written at once.
SHARED_WRITE_INTERVAL_SECONDS = 1.0
# Past this many keys or model groups, the bookkeeping of when each was last read or written is
# dropped (so a proxy that sees many keys does not grow): the next call reads and writes afresh.
MOST_REMEMBERED = 4096


def key_digest(api_key: str) -> str:
    """What the state is filed under: a SHA-256 digest of the key, shortened; never the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:DIGEST_CHARS]


@dataclass(frozen=True)
class KeyState:
    """What is known about one key: requests left, and until when it is used up (epoch seconds)."""

    headroom: float | None = None
    blocked_until: float | None = None
    expires_at: float | None = None

    def blocked(self, now: float) -> bool:
        return self.blocked_until is not None and self.blocked_until > now

    def as_cached(self) -> dict[str, float | None]:
        return {"headroom": self.headroom, "blocked_until": self.blocked_until, "expires_at": self.expires_at}


def _finite_number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def state_from_cached(value: object) -> KeyState | None:
    """A cached state, or None for anything else a cache (or whoever else writes to Redis) holds."""
    if not isinstance(value, Mapping):
        return None
    return KeyState(
        headroom=_finite_number(value.get("headroom")),
        blocked_until=_finite_number(value.get("blocked_until")),
        expires_at=_finite_number(value.get("expires_at")),
    )


def state_from_snapshot(snapshot: QuotaSnapshot, now: datetime | None = None) -> KeyState:
    """A key's state from its quotas: blocked until the last used-up window renews, if any is."""
    now = now or datetime.now(UTC)
    windows = {window.name: window for window in snapshot.windows()}
    headroom = next(
        (
            windows[name].remaining
            for name in HEADROOM_WINDOWS
            if name in windows and windows[name].remaining is not None
        ),
        None,
    )
    spent = [window for name, window in windows.items() if name in GATING_WINDOWS and window.exhausted]
    epoch = now.timestamp()
    blocked_until = max((epoch + _renews_in(window, now) for window in spent), default=None)
    renewals = [w.renews_in(now) for w in windows.values() if w.name in GATING_WINDOWS and w.renews_at]
    lasts = [seconds for seconds in renewals if seconds is not None and seconds > 0]
    expires_at = (
        blocked_until if blocked_until is not None else epoch + min(lasts, default=DEFAULT_TTL_SECONDS)
    )
    return KeyState(headroom=0.0 if spent else headroom, blocked_until=blocked_until, expires_at=expires_at)


def _renews_in(window: QuotaWindow, now: datetime) -> float:
    seconds = window.renews_in(now)
    return UNKNOWN_RENEWAL_SECONDS if seconds is None else max(seconds, 1.0)


def _api_key_of(litellm_params: object) -> str | None:
    """The deployment's key as LiteLLM sends it (an ``os.environ/NAME`` reference read as LiteLLM does)."""
    if not isinstance(litellm_params, Mapping):
        return None
    key = litellm_params.get("api_key")
    if not isinstance(key, str) or not key:
        return None
    if key.startswith("os.environ/"):
        return os.environ.get(key.removeprefix("os.environ/")) or None
    return key


def _slots_taken(cache: DualCache, deployment: Mapping[str, Any]) -> bool:
    """Whether every one of the deployment's max_parallel_requests slots is taken in this process."""
    model_info = deployment.get("model_info")
    model_id = model_info.get("id") if isinstance(model_info, Mapping) else None
    if model_id is None:
        return False
    limit = cache.in_memory_cache.get_cache(SLOTS_KEY.format(model_id))  # type: ignore[no-untyped-call]
    in_flight, most = getattr(limit, "in_flight", None), getattr(limit, "max_parallel_requests", None)
    return isinstance(in_flight, int) and isinstance(most, int) and in_flight >= most


def _remember(cache: DualCache, name: str, state: KeyState, ttl: int) -> None:
    """File ``state`` in this process's memory for ``ttl`` seconds, whatever it was filed for before:
    LiteLLM's in-memory cache keeps a running TTL when a key is set again, so a key first seen with a
    window renewing in seconds would forget, that soon, that it is now used up for an hour."""
    cache.in_memory_cache.delete_cache(name)  # type: ignore[no-untyped-call,unused-ignore]
    cache.in_memory_cache.set_cache(name, state.as_cached(), ttl=ttl)  # type: ignore[no-untyped-call]


def _header_of_response(response: object, kwargs: Mapping[str, Any]) -> str | None:
    hidden = getattr(response, "_hidden_params", None)
    for source in (hidden, (kwargs.get("standard_logging_object") or {}).get("hidden_params")):
        headers = source.get("additional_headers") if isinstance(source, Mapping) else None
        if isinstance(headers, Mapping) and isinstance(headers.get(_HIDDEN_HEADER), str):
            return str(headers[_HIDDEN_HEADER])
    return None


def _header_of_error(error: object) -> str | None:
    response = getattr(error, "response", None)
    for headers in (getattr(response, "headers", None), getattr(error, "litellm_response_headers", None)):
        if headers is not None and hasattr(headers, "get"):
            value = headers.get(QUOTAS_HEADER)
            if isinstance(value, str):
                return value
    return None


class QuotaAwareRouting(CustomLogger):
    """Skips deployments whose Synthetic key is used up; prefers the ones with the most left."""

    clock = staticmethod(time.monotonic)  # what the read and write intervals are measured on

    def __init__(self, cache: DualCache | None = None) -> None:
        super().__init__()
        self._cache = cache
        self._own_cache = DualCache()
        # When each model group's states were last read from Redis (monotonic seconds), and what each
        # key's state was when last written there, and when: what decides the next round trip.
        self._read_at: dict[tuple[int, tuple[str, ...]], float] = {}
        self._written: dict[tuple[int, str], tuple[KeyState, float]] = {}

    def attach(self, cache: DualCache) -> None:
        self._cache = cache

    @property
    def cache(self) -> DualCache:
        """The given cache, else the proxy's Router's, else this process's own."""
        if self._cache is not None:
            return self._cache
        proxy_server = sys.modules.get("litellm.proxy.proxy_server")
        found = router_cache(getattr(proxy_server, "llm_router", None))
        return found if found is not None else self._own_cache

    # -- learning ------------------------------------------------------------------------------------

    async def learn(self, api_key: str | None, header: str | None) -> None:
        snapshot = snapshot_from_header(header)
        if api_key is None or snapshot is None:
            return
        state = state_from_snapshot(snapshot)
        ttl = max(math.ceil((state.expires_at or 0) - time.time()), 1)
        cache, name = self.cache, CACHE_PREFIX + key_digest(api_key)
        try:
            _remember(cache, name, state, ttl)
            if cache.redis_cache is not None and self._worth_writing(cache, name, state):
                await cache.redis_cache.async_set_cache(name, state.as_cached(), ttl=ttl)
        except Exception as error:  # a cache away costs the routing its memory, never the call
            logger.warning("quota-aware routing could not store a key's quotas: %s", type(error).__name__)

    def _worth_writing(self, cache: DualCache, name: str, state: KeyState) -> bool:
        """Whether the fleet should hear of ``state`` now: at once when the key became used up or free
        again, or its last written state is about to expire from Redis; else once a write interval."""
        now, clock = time.time(), self.clock()
        last = self._written.get((id(cache), name))
        due = (
            last is None
            or last[0].blocked(now) != state.blocked(now)
            or (last[0].expires_at or 0) <= now + SHARED_WRITE_INTERVAL_SECONDS
            or clock - last[1] >= SHARED_WRITE_INTERVAL_SECONDS
        )
        if due:
            if len(self._written) >= MOST_REMEMBERED:
                self._written.clear()
            self._written[(id(cache), name)] = (state, clock)
        return due

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        if kwargs.get("cache_hit"):
            return  # a cached answer's quotas are those of the call that was cached, long ago perhaps
        await self.learn(_api_key_of(kwargs.get("litellm_params")), _header_of_response(response_obj, kwargs))

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        # Any refusal that carries the key's quotas teaches them: a 429, and the 402 Synthetic may send
        # for a used-up subscription (which the Router does not retry, so only skipping the key helps).
        error = kwargs.get("exception")
        if isinstance(error, Exception):
            await self.learn(_api_key_of(kwargs.get("litellm_params")), _header_of_error(error))

    async def async_post_call_failure_deployment_hook(
        self,
        request_data: Mapping[str, object],
        exception: Exception,
        call_type: Any,
        fallback_depth: int | None = None,
    ) -> None:
        # Once per failed attempt, awaited before the Router retries. The failure event above fires once
        # per request (a proxy logs a request once), for its first refusal only: without this, a retry
        # refused by a second used-up key would teach nothing, and the next call would spend it again.
        await self.learn(_api_key_of(request_data), _header_of_error(exception))

    # -- routing -------------------------------------------------------------------------------------

    async def _states(self, deployments: list[dict[str, Any]]) -> list[KeyState | None]:
        keys = [_api_key_of(deployment.get("litellm_params")) for deployment in deployments]
        wanted = [CACHE_PREFIX + key_digest(key) for key in keys if key is not None]
        found = iter(await self._read(wanted) if wanted else [])
        return [state_from_cached(next(found, None)) if key is not None else None for key in keys]

    async def _read(self, wanted: list[str]) -> list[object]:
        """The states filed under ``wanted``: this process's memory, brought up to date with what every
        proxy of the fleet wrote to Redis when the group's read interval has passed (memory is also what
        is left when Redis is away)."""
        cache = self.cache
        shared: Mapping[str, object] = {}
        if cache.redis_cache is not None and self._read_due(cache, wanted):
            try:
                shared = await cache.redis_cache.async_batch_get_cache(wanted) or {}
            except Exception as error:
                logger.warning("quota-aware routing reads its memory only: %s", type(error).__name__)
        try:
            local = await cache.async_batch_get_cache(keys=wanted, local_only=True) or []
        except Exception as error:
            logger.warning("quota-aware routing could not read the keys' quotas: %s", type(error).__name__)
            local = []
        memory = dict(zip(wanted, local, strict=False))
        for key, value in shared.items():
            state = state_from_cached(value)
            if key in memory and state is not None and state.expires_at is not None:
                # Remembered here too: what another proxy learned still routes this one if Redis goes away.
                _remember(cache, key, state, max(math.ceil(state.expires_at - time.time()), 1))
                memory[key] = value
        return [memory.get(key) for key in wanted]

    def _read_due(self, cache: DualCache, wanted: list[str]) -> bool:
        group, clock = (id(cache), tuple(wanted)), self.clock()
        if clock - self._read_at.get(group, -math.inf) < SHARED_READ_INTERVAL_SECONDS:
            return False
        if len(self._read_at) >= MOST_REMEMBERED:
            self._read_at.clear()
        self._read_at[group] = clock  # before the read: the calls meanwhile do not queue on Redis too
        return True

    async def async_filter_deployments(
        self,
        model: str,
        healthy_deployments: list[Any],
        messages: Any,
        request_kwargs: Any = None,
        parent_otel_span: Any = None,
    ) -> list[Any]:
        deployments = (
            [healthy_deployments] if isinstance(healthy_deployments, dict) else list(healthy_deployments)
        )
        if not deployments:
            return deployments
        states = await self._states(deployments)
        now = time.time()
        usable = [(d, s) for d, s in zip(deployments, states, strict=True) if s is None or not s.blocked(now)]
        if not usable:
            raise _all_used_up(model, [s.blocked_until for s in states if s is not None and s.blocked_until])
        # A key busy with as many calls as it takes at once is left out while another is free; when all
        # are busy, LiteLLM answers its own 429.
        usable = [(d, s) for d, s in usable if not _slots_taken(self.cache, d)] or usable
        known = [s.headroom for _, s in usable if s is not None and s.headroom is not None]
        best = max(known, default=None)

        def headroom(state: KeyState | None) -> float:
            # A key not heard from yet sorts first: one answer tells how much it has.
            return math.inf if state is None or state.headroom is None else state.headroom

        kept = [(d, s) for d, s in usable if best is None or headroom(s) >= best * HEADROOM_SHARE]
        kept.sort(key=lambda pair: headroom(pair[1]), reverse=True)
        return [deployment for deployment, _ in kept]


def _all_used_up(model: str, renewals: list[float]) -> RateLimitError:
    """The error for a model whose every key is used up: when the soonest window gives requests back."""
    soonest = min(renewals)
    wait = max(math.ceil(soonest - time.time()), 1)
    at = datetime.fromtimestamp(soonest, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = (
        # "available": the Router offers only deployments not cooling down, which may leave out a key
        # that has requests left; this says what the hook saw, not more.
        f"synthetic: every key available for model group {model!r} has used up its subscription; "
        f"the soonest window renews at {at} (in {wait}s); no upstream call was made"
    )
    headers = {"retry-after": str(wait)}
    response = httpx.Response(
        429, headers=headers, request=httpx.Request("POST", "http://quota-aware-routing")
    )
    error = RateLimitError(message, llm_provider="synthetic", model=model, response=response, headers=headers)
    error.retry_after = wait  # type: ignore[attr-defined]  # what a caller reads without parsing headers
    error.litellm_response_headers = response.headers  # type: ignore[attr-defined]  # the proxy passes these on
    return error


def use_with(router: Any, routing: QuotaAwareRouting | None = None) -> QuotaAwareRouting:
    """Route ``router``'s async calls by quota: the hook on the router's cache, in ``litellm.callbacks``.

    LiteLLM runs routing and failure hooks on the async path only (``router.acompletion``, a proxy), as
    for its own provider budgets: a sync ``router.completion`` is routed by LiteLLM alone."""
    hook = routing or quota_aware_routing
    cache = router_cache(router)
    if cache is not None:
        hook.attach(cache)
    if hook not in litellm.callbacks:
        litellm.callbacks.append(hook)
    return hook


quota_aware_routing = QuotaAwareRouting()
"""The instance a proxy config names: ``callbacks: ["litellm_providers.routing.quota_aware_routing"]``."""
