"""One place where a provider's failure becomes a LiteLLM exception.

LiteLLM's Router retries, cooldowns and fallbacks, and the proxy's status codes, all key off the
exception class and its ``status_code``, so every failure the package sees goes through one of three
builders here, and nowhere else:

* ``provider_error``: the provider answered with an HTTP error status, or sent an SSE ``error`` event
  in a stream. The provider's error code decides the class first (``ProviderSpec.error_codes``), then
  the context-length codes and phrases, then the status (``_BY_STATUS``). ``status_code`` is always
  the status the provider sent, whatever LiteLLM's class would default to (a 502 stays 502, a 413
  stays 413).
* ``unusable_answer``: HTTP 200, but nothing usable came back: an empty body, a body that is not JSON,
  or a content type that is not what was asked for (JSON for a call, an event stream for a stream).
  ``ServiceUnavailableError`` with ``status_code`` 502: the provider (or something in front of it)
  acted as a bad gateway, and a 200 must never reach a proxy's client as an error status.
* ``transport_error``: no answer at all: refused, reset, timed out, a stream cut short or carrying a
  line that is not JSON. ``APIConnectionError`` (``status_code`` 500), or ``Timeout`` (408).
* ``refused_before_sending``: the package itself refuses the call before any request, with the reason
  (no API key: ``AuthenticationError``; input the model does not take: ``BadRequestError``).

Every exception carries, so that no caller has to parse a message:

* ``provider_error_code``: the body's ``error.code`` (or ``error.type``), else None;
* ``request_id``: the body's ``error.request_id``, or the provider's request-id header, else None;
* ``retry_after``: seconds the provider asked to wait (``Retry-After`` / ``retry-after-ms`` headers,
  or the gateway's ``retry_after_seconds``), else None;
* ``transient``: whether trying again can help (``is_transient``). The handler retries exactly these
  when ``num_retries`` asks for it; they are also the ones LiteLLM's Router retries by status.

Messages name the provider, the status and the provider's error code, and carry the request id when
there is one; a refusal for quota (a rate-limit or payment class) also says which window ran out and
when it renews, when the provider's quotas header (``ProviderSpec.quotas_header``) says so.
The API key never appears in a message, an attached body or attached headers, even
when a provider echoes it back (``redact``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

import httpx
from litellm import exceptions as litellm_exceptions

from litellm_providers.error_answers import (
    ErrorBody,
    describe_body,
    redact_headers,
    retry_after_from_headers,
)
from litellm_providers.error_answers import redact as redact  # callers redact with the builders' rule
from litellm_providers.provider import ErrorClassName, ProviderSpec
from litellm_providers.quota import exhausted_from_header

_BY_STATUS: dict[int, ErrorClassName] = {
    400: "BadRequestError",
    401: "AuthenticationError",
    402: "PaymentRequiredError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    408: "Timeout",
    413: "ContextWindowExceededError",
    429: "RateLimitError",
    500: "InternalServerError",
    502: "ServiceUnavailableError",
    503: "ServiceUnavailableError",
    504: "Timeout",
}
# Classes that say "try again later" whatever the status; every other class says "this request will
# fail again as it is" (bad request, auth, payment, permission, not found, context window).
_TRANSIENT_CLASSES: frozenset[ErrorClassName] = frozenset(
    {"RateLimitError", "InternalServerError", "ServiceUnavailableError", "Timeout"}
)
# For a status no class claims (409, 422, 418, ...): OpenAI's and LiteLLM's own rule.
_TRANSIENT_STATUSES = frozenset({408, 409, 429})
# Codes and phrases OpenAI-compatible servers use for an over-long prompt on a plain 400.
_CONTEXT_CODES = frozenset({"context_length_exceeded", "context_window_exceeded", "string_above_max_length"})
_CONTEXT_PHRASES = re.compile(
    r"context (length|window)|maximum context|too many tokens|prompt is too long", re.I
)
UNUSABLE_ANSWER_STATUS = 502


def is_transient(error: BaseException) -> bool:
    """Whether trying the same request again can succeed: rate limits, 5xx, timeouts, lost connections."""
    return bool(getattr(error, "transient", False))


def retry_after(error: BaseException) -> float | None:
    """Seconds the provider asked the caller to wait before trying again, if it said."""
    value = getattr(error, "retry_after", None)
    return value if isinstance(value, float) else None


def provider_error(
    provider: ProviderSpec,
    model: str,
    status: int,
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str | None = None,
    *,
    no_key_sent: bool = False,
) -> Exception:
    """The LiteLLM exception for an HTTP error answer from the provider.

    ``no_key_sent``: the call went out keyless (a provider's anonymous tier). A 401 or 402 then most
    likely means the caller forgot the key, which the message says, naming the variable.
    """
    lowered = redact_headers(headers, secret)
    parsed = ErrorBody.parse(body, lowered.get("content-type", ""))
    if no_key_sent and status in (401, 402):
        hint = f" (no API key was sent: set {provider.api_key_env} or pass api_key=... to use your key)"
        parsed = dataclasses.replace(parsed, message=parsed.message + hint)
    return _from_error_body(provider, model, status, parsed, body, lowered, secret, in_stream=False)


def stream_error_event(
    provider: ProviderSpec, model: str, payload: Any, headers: Mapping[str, str], secret: str | None = None
) -> Exception:
    """The LiteLLM exception for an SSE ``error`` event: the provider's error, sent after a 200.

    The event has no status of its own: its code decides the class (the gateway's ``rate_limited`` is a
    ``RateLimitError``), and the status is the one that class stands for; an unknown code is a 500.
    The request id comes from the event or the stream's headers.
    """
    lowered = redact_headers(headers, secret)
    data = {"error": payload} if isinstance(payload, dict | str) else payload
    parsed = ErrorBody.from_json(data)
    body = json.dumps(data, default=str)
    class_name = _classify(provider, 500, parsed)
    status = {name: s for s, name in _BY_STATUS.items()}.get(class_name, 500) if class_name else 500
    return _from_error_body(provider, model, status, parsed, body, lowered, secret, in_stream=True)


def _from_error_body(
    provider: ProviderSpec,
    model: str,
    status: int,
    parsed: ErrorBody,
    body: bytes | str,
    lowered: dict[str, str],
    secret: str | None,
    *,
    in_stream: bool,
) -> Exception:
    request_id = parsed.request_id or _request_id_from_headers(provider, lowered)
    class_name = _classify(provider, status, parsed)
    wait = parsed.retry_after_seconds
    if wait is not None and "retry-after" not in lowered:
        # LiteLLM's retry and Router cooldown read Retry-After from the response headers.
        lowered["retry-after"] = f"{wait:g}"
    if wait is None:
        wait = retry_after_from_headers(lowered)
    if in_stream:
        opening = f"{provider.display_name} sent an error event in the stream"
    else:
        opening = f"{provider.display_name} returned HTTP {status}"
    message = redact(_message(opening, parsed.code, parsed.message, request_id), secret)
    spent = _exhausted_quota(provider, class_name, lowered)
    if spent:
        message += f"; {spent}"
    response = httpx.Response(
        status,
        headers=lowered,
        content=redact(body.decode("utf-8", "replace") if isinstance(body, bytes) else body, secret),
        request=httpx.Request("POST", provider.default_api_base),
    )
    error = _build(class_name, message, provider, model, status, response)
    transient = class_name in _TRANSIENT_CLASSES if class_name is not None else _transient_status(status)
    return _annotate(error, parsed.code, request_id, wait, transient)


def unusable_answer(
    provider: ProviderSpec,
    model: str,
    status: int,
    body: bytes | str,
    headers: Mapping[str, str],
    expected: str,
    secret: str | None = None,
) -> Exception:
    """The LiteLLM exception for a success status whose body cannot be used (empty, not JSON, ...)."""
    lowered = redact_headers(headers, secret)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    request_id = _request_id_from_headers(provider, lowered)
    described = describe_body(text, lowered.get("content-type", ""))
    message = f"{provider.display_name} answered HTTP {status} with {described}; expected {expected}"
    if request_id:
        message += f" [request_id={request_id}]"
    response = httpx.Response(
        UNUSABLE_ANSWER_STATUS,
        headers=lowered,
        content=redact(text, secret),
        request=httpx.Request("POST", provider.default_api_base),
    )
    error = _build(
        "ServiceUnavailableError",
        redact(message, secret),
        provider,
        model,
        UNUSABLE_ANSWER_STATUS,
        response,
    )
    return _annotate(error, None, request_id, None, True)


def transport_error(
    provider: ProviderSpec,
    model: str,
    problem: str,
    *,
    timeout: bool = False,
    secret: str | None = None,
    request_id: str | None = None,
    transient: bool = True,
) -> Exception:
    """The LiteLLM exception when there is no usable answer: refused, reset, timed out, cut short."""
    message = f"{provider.display_name}: {problem}"
    if request_id:
        message += f" [request_id={request_id}]"
    message = redact(message, secret)
    if timeout:
        error = _build("Timeout", message, provider, model, 408, None)
    else:
        error = litellm_exceptions.APIConnectionError(
            message=message,
            llm_provider=provider.route,
            model=model,
            request=httpx.Request("POST", provider.default_api_base),
        )
    return _annotate(error, None, request_id, None, transient)


def redirect_refused(
    provider: ProviderSpec,
    model: str,
    status: int,
    location: str,
    base_url: str,
    secret: str | None = None,
) -> Exception:
    """The LiteLLM exception for a redirect to another origin, which the transport does not follow.

    Following it would send the prompt (307/308 re-send the body) and any key in the caller's headers to
    that host. Not transient: the same request gets the same redirect.
    """
    message = redact(
        f"{provider.display_name} returned HTTP {status}, a redirect from {base_url} to another origin "
        f"({location}); not followed, since it would carry the request and its credentials there. If the "
        "provider has moved, set api_base to the new address.",
        secret,
    )
    error = litellm_exceptions.APIError(
        status_code=status,
        message=message,
        llm_provider=provider.route,
        model=model,
        request=httpx.Request("POST", provider.default_api_base),
    )
    return _annotate(error, None, None, None, False)


def refused_before_sending(
    provider: ProviderSpec, model: str, problem: str, *, missing_key: bool = False
) -> Exception:
    """The LiteLLM exception for a call the package refuses to send (no key, input the model refuses)."""
    common: dict[str, Any] = {
        "message": f"{provider.display_name}: {problem}",
        "llm_provider": provider.route,
        "model": model,
    }
    if missing_key:
        error: Exception = litellm_exceptions.AuthenticationError(**common)
    else:
        error = litellm_exceptions.BadRequestError(**common)
    return _annotate(error, None, None, None, False)


def _exhausted_quota(
    provider: ProviderSpec, class_name: ErrorClassName | None, lowered: Mapping[str, str]
) -> str | None:
    """For a refusal for quota, which window ran out and when it renews, from the provider's header.

    Only a hint added to the message: a header that cannot be read or described leaves the error as
    its status and code made it (``exhausted_from_header`` never raises; it logs a warning).
    """
    if provider.quotas_header is None or class_name not in ("RateLimitError", "PaymentRequiredError"):
        return None
    return exhausted_from_header(lowered.get(provider.quotas_header.lower()))


def _transient_status(status: int) -> bool:
    return status in _TRANSIENT_STATUSES or status >= 500


def _classify(provider: ProviderSpec, status: int, parsed: ErrorBody) -> ErrorClassName | None:
    if parsed.code is not None and parsed.code in provider.error_codes:
        return provider.error_codes[parsed.code]
    if parsed.code in _CONTEXT_CODES or (status == 400 and _CONTEXT_PHRASES.search(parsed.message)):
        return "ContextWindowExceededError"
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return "ServiceUnavailableError" if status >= 500 else None


def _message(opening: str, code: str | None, text: str, request_id: str | None) -> str:
    message = opening
    if code:
        message += f" ({code})"
    message += f": {text}"
    if request_id:
        message += f" [request_id={request_id}]"
    return message


def _request_id_from_headers(provider: ProviderSpec, lowered: Mapping[str, str]) -> str | None:
    for name in (provider.request_id_header, "x-request-id"):
        if name and name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _build(
    class_name: ErrorClassName | None,
    message: str,
    provider: ProviderSpec,
    model: str,
    status: int,
    response: httpx.Response | None,
) -> Exception:
    common: dict[str, Any] = {"message": message, "llm_provider": provider.route, "model": model}
    error: Exception
    if class_name is None:
        error = litellm_exceptions.APIError(
            status_code=status, request=httpx.Request("POST", provider.default_api_base), **common
        )
    elif class_name == "Timeout":
        error = litellm_exceptions.Timeout(exception_status_code=status, **common)
    else:
        needs_response = class_name in ("PermissionDeniedError",)
        if response is None and needs_response:
            response = httpx.Response(status, request=httpx.Request("POST", provider.default_api_base))
        error = getattr(litellm_exceptions, class_name)(response=response, **common)
    # LiteLLM's classes pin a status each (503 for ServiceUnavailableError, 400 for the subclasses of
    # BadRequestError); keep the status the provider really sent, which the proxy passes on.
    error.status_code = status  # type: ignore[attr-defined]
    return error


def _annotate(
    error: Exception,
    code: str | None,
    request_id: str | None,
    wait: float | None,
    transient: bool,
) -> Exception:
    # Callers, the handler's retries and tests read these without parsing the message.
    error.provider_error_code = code  # type: ignore[attr-defined]
    error.request_id = request_id  # type: ignore[attr-defined]
    error.retry_after = wait  # type: ignore[attr-defined]
    error.transient = transient  # type: ignore[attr-defined]
    return error
