"""One call, resolved once from what LiteLLM hands the handler: where it goes, what it sends, its budget.

A ``Call`` refuses what no request could be sent with before anything is sent (no key, a bad
``timeout``, an endpoint the provider does not serve, credentials written into ``api_base``), builds
the body through its ``Operation``, and tells the transport how to send it. What a failed attempt
becomes is ``failures.py``'s; how an answer is read is the operation's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import litellm
import openai

from litellm_providers.catalog import ModelEntry, active_models, model_entry
from litellm_providers.compat import RAW_RESPONSE_HEADER, SDK_HTTP, TIMEOUT_TYPES
from litellm_providers.errors import redact, refused_before_sending
from litellm_providers.provider import ProviderSpec
from litellm_providers.streaming import StreamTranslator
from litellm_providers.translate import reasoning_format
from litellm_providers.transport import origin

if TYPE_CHECKING:
    from litellm_providers.operations import Operation


def total_seconds(timeout: Any) -> float | None:
    """The whole call's time budget: LiteLLM's ``timeout=`` (for an httpx.Timeout, its longest part)."""
    if isinstance(timeout, bool):
        return None
    if isinstance(timeout, int | float):
        return float(timeout) if timeout > 0 else None
    if isinstance(timeout, TIMEOUT_TYPES):
        parts = [p for p in (timeout.connect, timeout.read, timeout.write, timeout.pool) if p is not None]
        return max(parts) if parts else None
    return None


def _retries(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _credentials_in(base_url: str) -> bool:
    try:
        parts = urlsplit(base_url)
    except ValueError:
        return False
    return parts.username is not None or parts.password is not None


def _bad_caller_input(
    provider: ProviderSpec, model: str, api_key: object, timeout: object
) -> Exception | None:
    """The refusal of an ``api_key`` or ``timeout`` no request could be sent with, else None.

    A caller's mistake, so never transient: ``num_retries`` and the Router do not retry it. The key's
    value is never shown, only its type.
    """
    if api_key is not None and not isinstance(api_key, str):
        return refused_before_sending(
            provider,
            model,
            f"api_key must be a string, got {type(api_key).__name__}.",
            missing_key=True,
        )
    if timeout is None or isinstance(timeout, TIMEOUT_TYPES):
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        problem = f"got {type(timeout).__name__}"
    elif not math.isfinite(timeout) or timeout <= 0:
        problem = f"got {timeout!r}"
    else:
        return None
    return refused_before_sending(
        provider, model, f"timeout must be a positive number of seconds (or an httpx.Timeout), {problem}."
    )


def _refuse_keyless_call(
    provider: ProviderSpec, model: str, api_key: str | None, entry: ModelEntry | None
) -> None:
    """Refuse, before sending, a call with no key to a model the provider's anonymous tier does not serve.

    A provider with ``anonymous_access`` serves keyless calls only for the models whose catalog tier
    admits its ``anonymous_tier``; any other would be sent for a certain 402. A model the catalog does
    not know, or whose tier it does not know, is sent: the provider decides.
    """
    if api_key or not provider.anonymous_access or entry is None or entry.tier is None:
        return
    if entry.admits(provider.anonymous_tier):
        return
    served = sorted(
        name for name, known in active_models(provider.route).items() if known.admits(provider.anonymous_tier)
    )
    raise refused_before_sending(
        provider,
        model,
        f"no API key, and {provider.route}/{model} is not served without one (catalog tier: {entry.tier}; "
        f"keyless calls reach only {', '.join(served) or 'no model'}). Pass api_key=... or set the "
        f"{provider.api_key_env} environment variable.",
        missing_key=True,
    )


class Call:
    """Everything one call needs, resolved once from what LiteLLM hands the handler."""

    def __init__(
        self,
        provider: ProviderSpec,
        model: str,
        messages: Any,
        api_base: str | None,
        api_key: str | None,
        optional_params: Mapping[str, Any],
        litellm_params: Mapping[str, Any] | None,
        timeout: Any,
        stream: bool,
        operation: Operation,
        headers: Mapping[str, Any] | None = None,
        logging_obj: Any = None,
    ) -> None:
        self.started = time.monotonic()
        self.provider = provider
        self.operation = operation
        self.model = provider.catalog_model(model)
        # What the caller sent: chat messages, embedding input; the prompt estimate and the stream
        # builder read it as messages.
        self.messages = messages
        self.stream = stream
        refusal = _bad_caller_input(provider, self.model, api_key, timeout)
        if refusal is not None:
            raise refusal
        key = provider.api_key(api_key)
        if not key and not provider.anonymous_access:
            raise refused_before_sending(
                provider,
                self.model,
                f"no API key. Pass api_key=... or set the {provider.api_key_env} environment variable.",
                missing_key=True,
            )
        if operation.listed_endpoint and operation.path not in provider.endpoints:
            raise refused_before_sending(
                provider,
                self.model,
                f"{provider.display_name} serves no {operation.path} endpoint "
                f"(it serves {', '.join(provider.endpoints)}).",
            )
        self.base_url = provider.api_base(api_base)
        if _credentials_in(self.base_url):
            # httpx would send them as `Authorization: Basic ...` in place of the key, to a provider
            # that wants the Bearer key; and a user name or password has no place in a provider URL.
            raise refused_before_sending(
                provider,
                self.model,
                f"api_base {redact(self.base_url, key)} carries a user name or password; "
                f"remove them (the key goes in api_key=... or {provider.api_key_env}).",
            )
        # None for a keyless call to a provider with anonymous_access: sent with no Authorization.
        self.api_key = key or None
        self.entry = model_entry(provider.route, self.model) if operation.uses_catalog else None
        _refuse_keyless_call(provider, self.model, self.api_key, self.entry)  # before a certain 402
        params = litellm_params or {}
        self.call_id = params.get("litellm_call_id")
        self.merge_reasoning = bool(params.get("merge_reasoning_content_in_choices"))
        self.reasoning = reasoning_format(provider, self.entry)
        self.stream_upstream = stream or provider.upstream_always_streams
        # LiteLLM's drop_params (per call or global) also drops a reasoning_effort the model refuses.
        self.drop_params = bool(params.get("drop_params") or litellm.drop_params)
        self.body, self.headers = operation.build(self, messages, optional_params)
        # LiteLLM hands extra_headers (and litellm.headers) to a custom handler apart from the params.
        self.headers.update({str(k): str(v) for k, v in (headers or {}).items()})
        self.logging_obj = logging_obj
        asked = optional_params.get("max_retries")
        # litellm.num_retries set globally reaches LiteLLM's wrapper but not the handler's params.
        self.max_retries = _retries(litellm.num_retries if asked is None else asked)
        # A number, or an httpx / httpx2 Timeout (the SDK converts one to the other).
        self.timeout: Any = timeout if isinstance(timeout, (int, float, *TIMEOUT_TYPES)) else None
        budget = total_seconds(timeout)
        self.deadline = self.started + budget if budget is not None else None

    def __repr__(self) -> str:
        return f"Call({self.provider.route}/{self.model}, {self.operation.path}, stream={self.stream})"

    @property
    def url(self) -> str:
        """Where the request goes: the operation's path under the API base, or under its origin."""
        root = origin(self.base_url) if self.operation.from_origin else self.base_url
        return root + self.operation.path

    def translator(self) -> StreamTranslator:
        return StreamTranslator(
            self.provider, self.model, self.reasoning, self.merge_reasoning, prompt=self.messages
        )

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def attempt_timeout(self) -> Any:
        """The timeout of one attempt: the call's own, but never beyond what is left of it."""
        left = self.remaining()
        if left is None or isinstance(self.timeout, TIMEOUT_TYPES):
            return self.timeout
        return max(min(self.timeout or left, left), 0.001)

    def request_kwargs(self, stream: bool = False) -> dict[str, Any]:
        """What the SDK's ``post`` (or ``get``) is called with: the body exactly as built."""
        headers: dict[str, Any] = dict(self.headers)
        if self.api_key is None and not any(name.lower() == "authorization" for name in headers):
            # No key: no Authorization header at all (the SDK would otherwise send its placeholder,
            # or refuse a request with none unless told it is omitted on purpose).
            headers["Authorization"] = openai.Omit()
        kwargs: dict[str, Any] = {
            "path": self.url,
            # The raw response: its headers carry the request id, quotas and the provider's cost.
            "cast_to": SDK_HTTP.Response,
            "options": {"headers": headers, "timeout": self.attempt_timeout()},
        }
        if self.operation.method == "POST":
            kwargs["body"] = self.body
        if stream:
            kwargs.update(cast_to=object, stream=True, stream_cls=openai.Stream[Any])
        else:
            # The SDK hands back the response unread (what its with_streaming_response does), so the
            # handler reads the body under the call's deadline (limits.py), not the SDK inside send().
            headers[RAW_RESPONSE_HEADER] = "stream"
        return kwargs

    def send(self, client: openai.OpenAI, stream: bool = False) -> Any:
        kwargs = self.request_kwargs(stream)
        return client.get(**kwargs) if self.operation.method == "GET" else client.post(**kwargs)

    async def asend(self, client: openai.AsyncOpenAI, stream: bool = False) -> Any:
        kwargs = self.request_kwargs(stream)
        if stream:
            kwargs["stream_cls"] = openai.AsyncStream[Any]
        if self.operation.method == "GET":
            return await client.get(**kwargs)
        return await client.post(**kwargs)

    def request_id(self, headers: Mapping[str, str] | None) -> str | None:
        if not headers:
            return None
        lowered = {k.lower(): v for k, v in headers.items()}
        for name in (self.provider.request_id_header, "x-request-id"):
            if name and name.lower() in lowered:
                return lowered[name.lower()]
        return None
