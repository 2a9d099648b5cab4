"""Async streams opened before ``litellm.acompletion(stream=True)`` returns, on a loop of their own.

LiteLLM runs ``completion()`` in an executor thread for ``acompletion`` and wraps whatever
``astreaming()`` returns without awaiting it, so a stream opened lazily, on its first ``__anext__``,
reaches the caller as a stream before the provider has answered: LiteLLM's proxy then sends ``200``
on ``/v1/responses`` and a provider 400 or 429 becomes a ``response.failed`` event, which clients
retry. Opening the stream in that executor thread means running a coroutine from a thread that has
no loop, and waiting for it there.

It runs on this module's own loop (one daemon thread), not on the caller's: the caller's loop is
free while it awaits the executor, but its connections resolve host names in that loop's default
executor, whose threads may all be waiting here (six on a two-core machine; a proxy opening more
streams at once would deadlock). An httpx connection stays on the loop that opened it, so the
stream is read there too, and its chunks are relayed to the caller's loop (``RelayedStream``): the
reader runs ahead by up to ``RelayedStream.AHEAD`` chunks, and the caller's loop is woken only when
it is waiting, so a reader that keeps up costs one lock per chunk, not a thread hop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class _StreamLoop:
    """One event loop on a daemon thread, started on first use and again in a forked child."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid() or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="litellm-providers-streams", daemon=True
                ).start()
                self._loop, self._pid = loop, os.getpid()
            return self._loop


_stream_loop = _StreamLoop()


def on_a_thread_without_a_loop() -> bool:
    """Whether the caller may block here: True in LiteLLM's executor thread, False on a loop's thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def run_on_stream_loop(coroutine: Coroutine[Any, Any, _T]) -> tuple[_T, asyncio.AbstractEventLoop]:
    """Run ``coroutine`` to its end on the streams' loop, from a thread without a loop."""
    loop = _stream_loop.loop()
    return asyncio.run_coroutine_threadsafe(coroutine, loop).result(), loop


class _Relay(Generic[_T]):
    """What the reader on the streams' loop hands over: chunks, then the end (or the failure)."""

    def __init__(self, ahead: int) -> None:
        self.lock = threading.Lock()
        self.chunks: deque[_T] = deque()
        self.ended = False
        self.failure: BaseException | None = None
        self.ahead = ahead
        # The caller's loop and the future it awaits while nothing is ready.
        self.waiting: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None
        # Set by the caller when it takes a chunk from a full relay, on the streams' loop.
        self.room: asyncio.Event | None = None
        self.reader: asyncio.Task[Any] | None = None

    def hand_over(self, chunk: _T | None, *, end: bool = False, failure: BaseException | None = None) -> bool:
        """Called on the streams' loop; returns whether the reader may go on without waiting."""
        with self.lock:
            if end:
                self.ended, self.failure = True, failure
            else:
                self.chunks.append(chunk)  # type: ignore[arg-type]
            waiting, self.waiting = self.waiting, None
            full = len(self.chunks) >= self.ahead
            if full:
                self.room = asyncio.Event()
        if waiting is not None:
            loop, future = waiting
            with contextlib.suppress(RuntimeError):  # the caller's loop closed: nobody reads any more
                loop.call_soon_threadsafe(_wake, future)
        return not full


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _read_into(
    relay: _Relay[_T], iterator: AsyncIterator[_T], close: Callable[[], Awaitable[None]]
) -> None:
    """On the streams' loop: read ``iterator`` into ``relay``, pausing while the caller is behind."""
    relay.reader = asyncio.current_task()
    try:
        async for chunk in iterator:
            if not relay.hand_over(chunk):
                room = relay.room
                if room is not None:
                    await room.wait()
    except asyncio.CancelledError:
        relay.hand_over(None, end=True)
        raise
    except BaseException as error:  # handed to the caller, who raises it where it reads
        relay.hand_over(None, end=True, failure=error)
    else:
        relay.hand_over(None, end=True)
    finally:
        # Stopped while paused, the generator still holds the response: close both here, on the
        # loop that owns the connection.
        closer = getattr(iterator, "aclose", None)
        if closer is not None:
            await closer()
        await close()


async def _stop(relay: _Relay[Any]) -> None:
    # Scheduled after the reader on the same loop, so the reader has started and named itself.
    reader = relay.reader
    if reader is not None:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)


class RelayedStream(AsyncIterator[_T]):
    """An async stream read on the streams' loop, taken from whichever loop awaits it.

    ``aclose`` (LiteLLM's stream wrapper calls it) and garbage collection stop the reader and
    release the connection on the streams' loop.
    """

    AHEAD = 256

    def __init__(
        self,
        iterator: AsyncIterator[_T],
        loop: asyncio.AbstractEventLoop,
        close: Callable[[], Awaitable[None]],
    ) -> None:
        self._relay: _Relay[_T] = _Relay(self.AHEAD)
        self._loop = loop
        self._closed = False
        # The reader holds the relay, not this object, so a stream nobody holds is collected and
        # its __del__ stops the reader.
        asyncio.run_coroutine_threadsafe(_read_into(self._relay, iterator, close), loop)

    def __aiter__(self) -> RelayedStream[_T]:
        return self

    async def __anext__(self) -> _T:
        relay = self._relay
        while True:
            with relay.lock:
                if self._closed:
                    raise StopAsyncIteration
                if relay.chunks:
                    chunk = relay.chunks.popleft()
                    room, relay.room = relay.room, None
                    break
                if relay.ended:
                    failure, relay.failure = relay.failure, None
                    if failure is not None:
                        raise failure
                    raise StopAsyncIteration
                loop = asyncio.get_running_loop()
                future: asyncio.Future[None] = loop.create_future()
                relay.waiting = (loop, future)
            await future
        if room is not None:
            self._loop.call_soon_threadsafe(room.set)
        return chunk

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_stop(self._relay), self._loop))

    def __del__(self) -> None:
        # A stream nobody read to its end (a caller cancelled while it opened, or dropped it) still
        # holds a pooled connection on the streams' loop.
        if not self._closed and not self._loop.is_closed():
            self._closed = True
            with contextlib.suppress(RuntimeError):  # the loop stopped: the process is ending
                asyncio.run_coroutine_threadsafe(_stop(self._relay), self._loop)
