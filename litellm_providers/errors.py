"""One place where a provider's failure becomes a LiteLLM exception.

LiteLLM's Router retries, cooldowns and fallbacks, and the proxy's status codes, all key off the
exception class and its ``status_code``, so every failure the package sees goes through
``provider_error`` (an HTTP error answer) or ``transport_error`` (no usable answer at all). Messages
name the provider, the status and the provider's error code, and carry the request id when there is
one; the API key never appears, even when a provider echoes it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from litellm import exceptions as litellm_exceptions

from litellm_providers.provider import ErrorClassName, ProviderSpec

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
# Codes and phrases OpenAI-compatible servers use for an over-long prompt on a plain 400.
_CONTEXT_CODES = frozenset({"context_length_exceeded", "context_window_exceeded", "string_above_max_length"})
_CONTEXT_PHRASES = re.compile(
    r"context (length|window)|maximum context|too many tokens|prompt is too long", re.I
)
_SNIPPET = 200


@dataclass(frozen=True)
class ErrorBody:
    """What an error answer said, read defensively: any field may be missing, the body may not be JSON."""

    message: str
    code: str | None = None
    request_id: str | None = None
    retry_after_seconds: float | None = None

    @classmethod
    def parse(cls, body: bytes | str, content_type: str = "") -> ErrorBody:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = None
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, str):
            return cls(message=error)
        if not isinstance(error, dict):
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                error = data
            else:
                return cls(message=_describe_non_json(text, content_type))
        code = error.get("code") or error.get("type")
        retry = error.get("retry_after_seconds")
        return cls(
            message=str(error.get("message") or "no message"),
            code=str(code) if code is not None else None,
            request_id=_str_or_none(error.get("request_id")),
            retry_after_seconds=float(retry) if isinstance(retry, int | float) else None,
        )


def _str_or_none(value: object) -> str | None:
    return str(value) if value is not None else None


def _describe_non_json(text: str, content_type: str) -> str:
    stripped = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    kind = content_type.split(";")[0].strip() or "unknown content type"
    if not stripped:
        return f"empty body ({kind})"
    return f"non-JSON body ({kind}): {stripped[:_SNIPPET]}"


def redact(text: str, secret: str | None) -> str:
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text


def provider_error(
    provider: ProviderSpec,
    model: str,
    status: int,
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str | None = None,
) -> Exception:
    """The LiteLLM exception for an HTTP error answer from the provider."""
    lowered = {k.lower(): v for k, v in headers.items()}
    parsed = ErrorBody.parse(body, lowered.get("content-type", ""))
    request_id = parsed.request_id or _request_id_from_headers(provider, lowered)
    class_name = _classify(provider, status, parsed)
    response_headers = dict(lowered)
    if parsed.retry_after_seconds is not None and "retry-after" not in response_headers:
        # LiteLLM's retry and Router cooldown read Retry-After from the response headers.
        response_headers["retry-after"] = f"{parsed.retry_after_seconds:g}"
    message = redact(_message(provider, status, parsed.code, parsed.message, request_id), secret)
    response = httpx.Response(
        status,
        headers=response_headers,
        content=redact(body.decode("utf-8", "replace") if isinstance(body, bytes) else body, secret),
        request=httpx.Request("POST", provider.default_api_base),
    )
    return _build(class_name, message, provider, model, status, response, parsed.code, request_id)


def transport_error(
    provider: ProviderSpec, model: str, problem: str, *, timeout: bool = False, secret: str | None = None
) -> Exception:
    """The LiteLLM exception when there is no usable answer: refused, reset, timed out, cut short."""
    message = redact(f"{provider.display_name}: {problem}", secret)
    if timeout:
        return _build("Timeout", message, provider, model, 408, None, None, None)
    return _annotate(
        litellm_exceptions.APIConnectionError(
            message=message,
            llm_provider=provider.route,
            model=model,
            request=httpx.Request("POST", provider.default_api_base),
        ),
        None,
        None,
    )


def _classify(provider: ProviderSpec, status: int, parsed: ErrorBody) -> ErrorClassName | None:
    if parsed.code is not None and parsed.code in provider.error_codes:
        return provider.error_codes[parsed.code]
    if parsed.code in _CONTEXT_CODES or (status == 400 and _CONTEXT_PHRASES.search(parsed.message)):
        return "ContextWindowExceededError"
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return "ServiceUnavailableError" if status >= 500 else None


def _message(provider: ProviderSpec, status: int, code: str | None, text: str, request_id: str | None) -> str:
    message = f"{provider.display_name} returned HTTP {status}"
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
    code: str | None,
    request_id: str | None,
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
    if class_name == "ContextWindowExceededError" or class_name == "BadRequestError":
        # LiteLLM's subclasses of BadRequestError pin 400; keep the status the provider really sent.
        error.status_code = status  # type: ignore[attr-defined]
    return _annotate(error, code, request_id)


def _annotate(error: Exception, code: str | None, request_id: str | None) -> Exception:
    # Callers and tests read these without parsing the message.
    error.provider_error_code = code  # type: ignore[attr-defined]
    error.request_id = request_id  # type: ignore[attr-defined]
    return error
