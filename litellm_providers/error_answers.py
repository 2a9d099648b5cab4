"""What a provider's error answer says, read defensively, and the secrets kept out of it.

``ErrorBody`` reads any body (JSON of OpenAI's or the gateway's shape, HTML, nothing); ``describe_body``
says in one short line what a body that is not the expected JSON was; ``redact`` takes the key and any
credentials written into a URL out of a text; ``retry_after_from_headers`` reads the wait a provider
asked for. ``errors.py`` builds LiteLLM's exceptions from these.
"""

from __future__ import annotations

import email.utils
import json
import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litellm_providers.limits import load_json

_SNIPPET = 200  # of a body that is not the expected JSON, of a code or a request id
_MESSAGE_LIMIT = 2000  # of the provider's own message: whole in practice, bounded against a runaway


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
            data: Any = load_json(text)
        except ValueError:
            data = None
        return cls.from_json(data, text, content_type)

    @classmethod
    def from_json(cls, data: Any, text: str = "", content_type: str = "") -> ErrorBody:
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, str):
            return cls(message=snippet(error, _MESSAGE_LIMIT))
        if not isinstance(error, dict):
            if isinstance(data, dict) and isinstance(data.get("message"), str):
                error = data
            elif data is not None and not text:
                return cls(message=snippet(json.dumps(data, default=str)))
            else:
                return cls(message=describe_body(text, content_type))
        code = error.get("code") or error.get("type")
        retry = error.get("retry_after_seconds")
        return cls(
            message=snippet(str(error.get("message") or "no message"), _MESSAGE_LIMIT),
            code=snippet(str(code)) if code is not None else None,
            request_id=snippet(str(error["request_id"])) if error.get("request_id") is not None else None,
            retry_after_seconds=_seconds(retry),
        )


def snippet(text: str, limit: int = _SNIPPET) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _seconds(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


# An HTML or XML tag (a name, then attributes after a space) or a comment / doctype, not any text between
# "<" and ">": a body such as "<<key=...>>" or "a < b > c" stays readable.
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|<![^<>]*>")
# The userinfo of a URL ("user:password@"), which an api_base may carry and httpx repeats in its errors.
_URL_USERINFO = re.compile(r"(?<=://)[^/\s@]+@")


def describe_body(text: str, content_type: str) -> str:
    """A short, tag-free description of a body that is not the JSON the package expected."""
    stripped = " ".join(_TAG.sub(" ", text).split())
    kind = content_type.split(";")[0].strip() or "unknown content type"
    if not stripped:
        return f"empty body ({kind})"
    try:
        load_json(text)
    except ValueError:
        return f"non-JSON body ({kind}): {stripped[:_SNIPPET]}"
    return f"JSON body ({kind}): {stripped[:_SNIPPET]}"


def redact(text: str, secret: str | None) -> str:
    """``text`` without the API key and without any password or user name written into a URL."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _URL_USERINFO.sub("***@", text)


def redact_headers(headers: Mapping[str, str], secret: str | None) -> dict[str, str]:
    return {name.lower(): redact(str(value), secret) for name, value in headers.items()}


def retry_after_from_headers(headers: Mapping[str, str]) -> float | None:
    """Seconds a ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) header asks for."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        return _seconds(float(lowered["retry-after-ms"]) / 1000)
    except (KeyError, ValueError):
        pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    try:
        return _seconds(float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0) if when.tzinfo is not None else None
