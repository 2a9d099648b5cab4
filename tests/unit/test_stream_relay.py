"""An async stream read on the package's streams' loop and taken from the caller's (stream_loop.py).

What a caller of ``litellm.acompletion(stream=True)`` would notice if the relay were wrong: chunks
lost, reordered or duplicated, a failure swallowed, a connection left open after ``aclose`` or after
the stream is dropped, or a whole answer buffered in memory while the caller reads slowly.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator

import pytest

from litellm_providers.stream_loop import RelayedStream, _stream_loop

GUARD_SECONDS = 30  # a hang guard, far beyond what any of these takes


class Source:
    """A stream on the streams' loop that counts what it produced and whether it was closed."""

    def __init__(self, count: int, fail_after: int | None = None) -> None:
        self.count = count
        self.fail_after = fail_after
        self.produced = 0
        self.closed = threading.Event()

    async def chunks(self) -> AsyncIterator[int]:
        for n in range(self.count):
            if n == self.fail_after:
                raise ConnectionResetError("cut mid-answer")
            self.produced += 1
            yield n
            await asyncio.sleep(0)

    async def close(self) -> None:
        self.closed.set()


def relayed(source: Source) -> RelayedStream[int]:
    return RelayedStream(source.chunks(), _stream_loop.loop(), source.close)


def test_every_chunk_arrives_once_and_in_order_and_a_slow_reader_bounds_what_is_read_ahead() -> None:
    source = Source(RelayedStream.AHEAD * 4)

    async def read_slowly() -> tuple[list[int], int]:
        stream = relayed(source)
        seen: list[int] = []
        most_ahead = 0
        async for n in stream:
            seen.append(n)
            await asyncio.sleep(0.001 if n % 64 == 0 else 0)
            most_ahead = max(most_ahead, source.produced - len(seen))
        return seen, most_ahead

    seen, most_ahead = asyncio.run(asyncio.wait_for(read_slowly(), GUARD_SECONDS))
    assert seen == list(range(RelayedStream.AHEAD * 4))
    assert most_ahead <= RelayedStream.AHEAD + 1
    assert source.closed.wait(GUARD_SECONDS)


def test_a_failure_reaches_the_reader_after_the_chunks_before_it() -> None:
    source = Source(10, fail_after=3)

    async def read() -> tuple[list[int], BaseException | None]:
        seen: list[int] = []
        try:
            async for n in relayed(source):
                seen.append(n)
        except ConnectionResetError as error:
            return seen, error
        return seen, None

    seen, error = asyncio.run(asyncio.wait_for(read(), GUARD_SECONDS))
    assert seen == [0, 1, 2]
    assert isinstance(error, ConnectionResetError)


def test_aclose_stops_reading_and_releases_the_connection() -> None:
    source = Source(RelayedStream.AHEAD * 100)

    async def read_two_and_close() -> list[int]:
        stream = relayed(source)
        seen = [await stream.__anext__(), await stream.__anext__()]
        await stream.aclose()
        with pytest.raises(StopAsyncIteration):
            await stream.__anext__()
        return seen

    assert asyncio.run(asyncio.wait_for(read_two_and_close(), GUARD_SECONDS)) == [0, 1]
    assert source.closed.wait(GUARD_SECONDS)
    assert source.produced < source.count


def test_a_dropped_stream_releases_its_connection() -> None:
    source = Source(RelayedStream.AHEAD * 100)

    async def read_one_and_drop() -> int:
        stream = relayed(source)
        first = await stream.__anext__()
        del stream
        gc.collect()
        return first

    assert asyncio.run(asyncio.wait_for(read_one_and_drop(), GUARD_SECONDS)) == 0
    assert source.closed.wait(GUARD_SECONDS)


def test_a_cancelled_read_loses_no_chunk() -> None:
    gate = threading.Event()

    async def gated() -> AsyncIterator[int]:
        while not gate.is_set():
            await asyncio.sleep(0.001)
        yield 7
        yield 8

    async def cancel_then_read() -> list[int]:
        stream = RelayedStream(gated(), _stream_loop.loop(), Source(0).close)
        pending = asyncio.ensure_future(stream.__anext__())
        await asyncio.sleep(0.01)
        pending.cancel()
        gate.set()
        return [n async for n in stream]

    assert asyncio.run(asyncio.wait_for(cancel_then_read(), GUARD_SECONDS)) == [7, 8]
