"""Bounds on what one upstream answer may cost: the call's deadline, its size, and one SSE line's size.

A proxy worker must not be pinned by one broken or hostile upstream. Two bounds are checked on the
answer's bytes as they arrive (decoded, so a gzip stream is measured by what it expands to), before
the openai SDK buffers or parses them:

* ``deadline``: a call whose caller waits for a whole answer (every non-stream call, including a
  ``synternet/`` call served by an upstream stream) fails once ``timeout=`` has passed, even when the
  provider keeps dripping bytes that each arrive within the read timeout. Streams have no deadline:
  their ``timeout=`` bounds the time to the first byte and each silence between bytes (httpx's read
  timeout), so a long answer that keeps coming is not cut.
* ``max_body``: a whole answer read at once (a call's JSON, the live model list) may be at most the
  operation's ``max_body`` bytes: a 300 MB ``/models`` answer is refused after its first bytes over the
  bound instead of costing 300 MB of memory and the time to parse it.
* ``max_line``: an event stream's line may be at most ``MAX_SSE_LINE_BYTES`` long. The SDK's SSE
  decoder re-copies a line that has no end yet on every network read (quadratic time, and memory for
  the whole line); the guard refuses it after ``max_line`` bytes, in time linear in what it read.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

MAX_SSE_LINE_BYTES = 1024 * 1024
"""The longest SSE line accepted (1 MiB). A chat chunk is a few hundred bytes; a whole tool call's
arguments in one event are rarely more than a few kilobytes."""
MAX_ERROR_BODY_BYTES = 1024 * 1024
"""How much of a refusal's body is read (1 MiB): the providers' error objects are a few hundred bytes;
past the bound the rest is left unread, and the status is what the caller gets."""


class DeadlineExceeded(Exception):
    """The call's ``timeout=`` passed while its answer was still arriving."""


class LineTooLong(Exception):
    """An event stream carried a line longer than the limit, with no end in sight."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a line longer than {limit // 1024} KiB with no line break")
        self.limit = limit


class BodyTooLarge(Exception):
    """An answer was longer than its operation allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an answer longer than {limit // (1024 * 1024)} MiB")
        self.limit = limit


class _Guard:
    def __init__(self, deadline: float | None, max_line: int | None, max_body: int | None) -> None:
        self.deadline = deadline
        self.max_line = max_line
        self.max_body = max_body
        self.line = 0  # bytes since the last line break
        self.body = 0

    def check(self, chunk: bytes) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise DeadlineExceeded
        self.body += len(chunk)
        if self.max_body is not None and self.body > self.max_body:
            raise BodyTooLarge(self.max_body)
        if self.max_line is None:
            return
        end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        self.line = self.line + len(chunk) if end == -1 else len(chunk) - end - 1
        if self.line > self.max_line:
            raise LineTooLong(self.max_line)


def guard_body(
    response: Any, *, deadline: float | None, max_line: int | None, max_body: int | None = None
) -> None:
    """Make an unread httpx / httpx2 response enforce these bounds while its body is read.

    The response's ``iter_bytes`` / ``aiter_bytes`` are what the SDK's SSE decoder and ``read()``
    consume; the guarded versions raise ``DeadlineExceeded``, ``BodyTooLarge`` or ``LineTooLong`` between
    chunks.
    """
    if deadline is None and max_line is None and max_body is None:
        return
    guard = _Guard(deadline, max_line, max_body)
    iter_bytes, aiter_bytes = response.iter_bytes, response.aiter_bytes

    def guarded_iter_bytes(chunk_size: int | None = None) -> Iterator[bytes]:
        for chunk in iter_bytes(chunk_size):
            guard.check(chunk)
            yield chunk

    async def guarded_aiter_bytes(chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in aiter_bytes(chunk_size):
            guard.check(chunk)
            yield chunk

    response.iter_bytes = guarded_iter_bytes
    response.aiter_bytes = guarded_aiter_bytes


def cut_body(response: Any, limit: int) -> None:
    """Make an unread httpx / httpx2 response end its body after ``limit`` bytes, closing the connection.

    For an answer whose body only explains a failure (a refusal, a page where a stream was asked for):
    the SDK reads a refusal's whole body before it raises, and the status, not the rest of a body
    that may never end, is what the caller needs.
    """
    iter_bytes, aiter_bytes = response.iter_bytes, response.aiter_bytes

    def cut_iter_bytes(chunk_size: int | None = None) -> Iterator[bytes]:
        left = limit
        chunks = iter_bytes(chunk_size)
        for chunk in chunks:
            yield chunk[:left]
            left -= len(chunk)
            if left <= 0:
                chunks.close()
                response.close()
                return

    async def cut_aiter_bytes(chunk_size: int | None = None) -> AsyncIterator[bytes]:
        left = limit
        chunks = aiter_bytes(chunk_size)
        async for chunk in chunks:
            yield chunk[:left]
            left -= len(chunk)
            if left <= 0:
                await chunks.aclose()
                await response.aclose()
                return

    response.iter_bytes = cut_iter_bytes
    response.aiter_bytes = cut_aiter_bytes


def load_json(data: bytes | str) -> Any:
    """``json.loads`` that fails only with ``ValueError``, whatever the text: JSON nested deeper than
    Python's recursion limit (``[[[[...`` 100k deep) raises ``RecursionError`` from the decoder, which no
    caller of a parser expects and which LiteLLM would report with a traceback in the message."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deep to read") from None
