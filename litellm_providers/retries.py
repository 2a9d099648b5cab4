"""Retries: which failures are tried again, how long to wait, and what a repeated call gets.

``litellm.completion(..., num_retries=N)`` (or ``max_retries=N``) reaches the handler as
``optional_params["max_retries"]``; the handler then retries what ``errors.is_transient`` calls
transient (429, 408, 5xx, lost connections, unusable 200s) and nothing else (400, 401, 402, 403, 404,
context window): exponential backoff with jitter (0.5 s, 1 s, 2 s, ... at most 8 s), or exactly the
wait the provider asked for (``Retry-After``, ``retry-after-ms``, the gateway's
``retry_after_seconds``), and never past the call's ``timeout``, which bounds the whole call: a wait
that would end after it is not taken, and each attempt gets only the time that is left. A stream is
retried only until it opens; once text has been yielded it is never replayed. LiteLLM's Router passes
``max_retries=0`` and retries by itself, so the two never stack.

LiteLLM's own ``completion()`` wrapper, when given ``num_retries``, retries *every* ``openai.APIError``
again on top (401 and 402 included), by calling the handler again with the same ``litellm_call_id``
and ``max_retries=0``. Those repeat calls get the failure the handler already settled on, without a
new request (``_Settled``): the provider sees one request for a 401, and N+1 for a 429. On
``acompletion`` LiteLLM would sleep 1 s, 2 s, ... before those repeats of a 429; ``register()`` wraps
``litellm.acompletion_with_retries`` so a settled call is not repeated at all (``settled_failure``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from litellm_providers.errors import is_transient, retry_after

if TYPE_CHECKING:
    import tenacity  # imported when a call asks for retries: most calls never pay for it

    from litellm_providers.call import Call

logger = logging.getLogger("litellm_providers")
_T = TypeVar("_T")

_INITIAL_WAIT = 0.5
_MAX_WAIT = 8.0


def _planned_wait(state: tenacity.RetryCallState) -> float:
    """The longest the next wait can be: the provider's Retry-After, else the backoff step."""
    error = state.outcome.exception() if state.outcome is not None else None
    asked = retry_after(error) if error is not None else None
    if asked is not None:
        return asked
    return min(_INITIAL_WAIT * 2.0 ** (state.attempt_number - 1), _MAX_WAIT)


def _wait(state: tenacity.RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome is not None else None
    planned = _planned_wait(state)
    if error is not None and retry_after(error) is not None:
        return planned
    return planned * (1 - 0.25 * random.random())  # jitter, never longer than planned


class _Settled:
    """The final failure of each call the handler retried itself (bounded in number and time).

    Keyed by LiteLLM's call id *and* the exact request (endpoint, model, body), so only a true repeat
    of the same call finds it, never a different call that happens to carry the same id.
    """

    _SIZE = 256
    _TTL = 300.0  # LiteLLM's wrapper repeats within seconds of the failure

    def __init__(self) -> None:
        self._failures: OrderedDict[tuple[str, str], tuple[float, BaseException]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(call: Call) -> tuple[str, str] | None:
        if not call.call_id:
            return None
        request = json.dumps([call.url, call.model, call.body], sort_keys=True, default=str)
        return str(call.call_id), hashlib.sha256(request.encode()).hexdigest()

    def remember(self, call: Call, error: BaseException) -> None:
        key = self._key(call)
        if key is None or call.max_retries == 0:
            return
        with self._lock:
            self._failures[key] = (time.monotonic() + self._TTL, error)
            self._failures.move_to_end(key)
            while len(self._failures) > self._SIZE:
                self._failures.popitem(last=False)

    def recall(self, call: Call) -> BaseException | None:
        # LiteLLM's wrapper repeats a failed call with max_retries=0 and the same call id.
        key = self._key(call) if call.max_retries == 0 else None
        if key is None:
            return None
        with self._lock:
            now = time.monotonic()
            for stale in [k for k, (expiry, _) in self._failures.items() if expiry < now]:
                del self._failures[stale]
            found = self._failures.get(key)
        if found is None:
            return None
        logger.debug("%s: LiteLLM repeated a call the handler already retried; same failure", call)
        return found[1]

    def failure_of(self, call_id: object) -> BaseException | None:
        """The failure the handler last settled on for a LiteLLM call id, whatever the request."""
        if not call_id:
            return None
        with self._lock:
            now = time.monotonic()
            for (settled_id, _), (expiry, error) in reversed(self._failures.items()):
                if settled_id == str(call_id) and expiry >= now:
                    return error
        return None


_settled = _Settled()
settled_failure = _settled.failure_of


def _retry_policy(call: Call) -> dict[str, Any]:
    import tenacity

    def stop(state: tenacity.RetryCallState) -> bool:
        if state.attempt_number > call.max_retries:
            return True
        left = call.remaining()
        wait = _planned_wait(state)
        if left is None or wait < left:
            return False
        logger.info(
            "%s: not retrying: waiting %.2f s would end after the call's timeout (%.2f s left)",
            call.provider.display_name,
            wait,
            max(left, 0.0),
        )
        return True

    def before_sleep(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        logger.info(
            "%s: %s; retry %d of %d in %.2f s",
            call.provider.display_name,
            error,
            state.attempt_number,
            call.max_retries,
            state.upcoming_sleep,
        )

    return {
        "retry": tenacity.retry_if_exception(is_transient),
        "stop": stop,
        "wait": _wait,
        "before_sleep": before_sleep,
        "reraise": True,
    }


def retried(call: Call, attempt: Callable[[], _T]) -> _T:
    settled = _settled.recall(call)
    if settled is not None:
        raise settled
    if call.max_retries == 0:
        return attempt()
    import tenacity

    try:
        return tenacity.Retrying(**_retry_policy(call))(attempt)
    except Exception as error:
        _settled.remember(call, error)
        raise


async def aretried(call: Call, attempt: Callable[[], Awaitable[_T]]) -> _T:
    settled = _settled.recall(call)
    if settled is not None:
        raise settled

    if call.max_retries == 0:
        return await attempt()
    import tenacity

    async def attempt_once() -> _T:
        # A coroutine function, so tenacity awaits it (a lambda returning a coroutine it would not).
        return await attempt()

    try:
        return await tenacity.AsyncRetrying(**_retry_policy(call))(attempt_once)
    except Exception as error:
        _settled.remember(call, error)
        raise
