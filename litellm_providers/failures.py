"""What a failed attempt becomes: any failure of the transport, as the LiteLLM exception to act on.

``errors.py`` builds the exceptions; this module decides which one a failure of one ``Call`` is. What
happened decides the message (never connected, failed before the answer's headers, cut mid-response,
redirected to another origin, too large, too deep), not which library or SDK version raised it: openai
2 raises httpx's errors mid-stream, openai 3 wraps httpx2's in its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import openai

from litellm_providers.call import Call, total_seconds
from litellm_providers.compat import CONNECT_ERRORS, HTTP_ERRORS, RESPONSE_NOT_READ, TIMEOUT_ERRORS, caused_by
from litellm_providers.errors import (
    provider_error,
    redirect_refused,
    stream_error_event,
    transport_error,
    unusable_answer,
)
from litellm_providers.limits import BodyTooLarge, DeadlineExceeded, LineTooLong
from litellm_providers.translate import UnreadableAnswer
from litellm_providers.transport import CrossOriginRedirect

# Everything reading a provider's answer can raise; each becomes a LiteLLM exception in ``failure``.
# RecursionError: the SDK's json.loads of an SSE line nested 100k deep.
TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    openai.APIError,
    *HTTP_ERRORS,
    json.JSONDecodeError,
    UnicodeDecodeError,
    RecursionError,
    CrossOriginRedirect,
)
# ... and reading a body, also a bound it broke (limits.py).
BODY_ERRORS: tuple[type[Exception], ...] = (*TRANSPORT_ERRORS, DeadlineExceeded, LineTooLong, BodyTooLarge)
# ... and reading a stream, also an event the translator cannot read.
STREAM_ERRORS: tuple[type[Exception], ...] = (*BODY_ERRORS, UnreadableAnswer)


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def http_error(call: Call, error: openai.APIStatusError) -> Exception:
    response = error.response
    body: bytes | str
    try:
        body = response.content
    except RESPONSE_NOT_READ:
        body = json.dumps(error.body) if error.body is not None else b""
    return provider_error(
        call.provider,
        call.model,
        response.status_code,
        body,
        response.headers,
        secret=call.api_key,
        no_key_sent=call.api_key is None,
    )


def failure(call: Call, error: BaseException, headers: Mapping[str, str] | None = None) -> Exception:
    """Any failure of the transport, as the LiteLLM exception a caller can act on.

    ``headers`` are those of the stream being read, when it failed mid-stream: they carry the request id
    the caller needs to quote. Never raises: a failure while describing a failure would replace the
    provider's error with an unrelated one (whose context may hold the request and its key).
    """
    try:
        return _failure(call, error, headers)
    except Exception as unexpected:  # a bug here must not cost the caller the provider's status
        problem = f"{_describe(error)} (and describing it failed: {type(unexpected).__name__})"
    return transport(call, problem, headers)


def _failure(call: Call, error: BaseException, headers: Mapping[str, str] | None) -> Exception:
    mid_stream = headers is not None
    redirect = caused_by(error, (CrossOriginRedirect,))
    if isinstance(redirect, CrossOriginRedirect):
        return redirect_refused(
            call.provider, call.model, redirect.status, redirect.location, call.base_url, secret=call.api_key
        )
    if isinstance(error, DeadlineExceeded):
        return transport_error(
            call.provider,
            call.model,
            f"the answer was still arriving when timeout={total_seconds(call.timeout):g} s ran out",
            timeout=True,
            secret=call.api_key,
            request_id=call.request_id(headers),
        )
    if isinstance(error, BodyTooLarge):
        return transport(call, f"the provider sent {error}; refused", headers, transient=False)
    if isinstance(error, LineTooLong):
        return transport(call, f"the stream carried {error}; refused", headers)
    if isinstance(error, UnreadableAnswer):
        return transport(call, f"the stream carried {error}", headers, transient=True)
    if isinstance(error, RecursionError):
        return transport(call, "the stream carried JSON nested too deep to read", headers)
    if isinstance(error, openai.APIStatusError):
        return http_error(call, error)
    if isinstance(error, openai.APITimeoutError) or caused_by(error, TIMEOUT_ERRORS) is not None:
        return transport_error(
            call.provider,
            call.model,
            "request timed out",
            timeout=True,
            secret=call.api_key,
            request_id=call.request_id(headers),
        )
    if isinstance(error, openai.APIError) and error.body is not None and mid_stream:
        # An SSE `error` event in an otherwise successful stream.
        return stream_error_event(call.provider, call.model, error.body, headers or {}, secret=call.api_key)
    cause = caused_by(error, HTTP_ERRORS) or error
    if isinstance(error, json.JSONDecodeError):
        problem = f"the stream carried a line that is not JSON ({error.msg})"
    elif isinstance(error, UnicodeDecodeError):
        problem = f"the stream carried bytes that are not UTF-8 ({error.reason})"
    elif mid_stream:
        problem = f"the connection failed mid-response ({_describe(cause)})"
    elif caused_by(error, CONNECT_ERRORS) is not None:
        problem = f"could not connect to {call.base_url} ({_describe(cause)})"
    elif isinstance(error, openai.APIConnectionError):
        problem = f"the connection to {call.base_url} failed ({_describe(cause)})"
    else:
        problem = f"the connection failed mid-response ({_describe(cause)})"
    return transport(call, problem, headers)


def transport(
    call: Call, problem: str, headers: Mapping[str, str] | None, transient: bool = True
) -> Exception:
    return transport_error(
        call.provider,
        call.model,
        problem,
        secret=call.api_key,
        request_id=call.request_id(headers),
        transient=transient,
    )


def unfinished(call: Call, headers: Mapping[str, str] | None) -> Exception:
    problem = "the stream ended before the provider finished the answer (no finish_reason)"
    if call.stream:
        problem += "; everything received was delivered"
    return transport(call, problem, headers)


def not_a_stream(call: Call, response: Any, body: bytes) -> Exception:
    """The failure when a stream was asked for and a 200 came back that is not an event stream."""
    return unusable_answer(
        call.provider,
        call.model,
        response.status_code,
        body,
        response.headers,
        "an event stream (text/event-stream)",
        secret=call.api_key,
    )
