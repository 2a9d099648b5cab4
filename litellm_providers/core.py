"""The one OpenAI-compatible transport that all three providers configure.

A ``ProviderHandler`` is LiteLLM's ``CustomLLM`` for one ``ProviderSpec``. HTTP and SSE go through
the ``openai`` SDK (connection pooling, SSE decoding, timeouts); the translation is in
``translate.py``; errors become LiteLLM exceptions in ``errors.py``. Sync and async differ only in
the loops that move bytes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from typing import Any

import httpx
import openai
from litellm.exceptions import AuthenticationError, BadRequestError
from litellm.llms.custom_llm import CustomLLM
from litellm.types.utils import ModelResponse, ModelResponseStream

from litellm_providers.catalog import active_models
from litellm_providers.errors import provider_error, transport_error
from litellm_providers.provider import ProviderSpec
from litellm_providers.translate import (
    StreamTranslator,
    aggregate_stream,
    build_request,
    hidden_params_from_headers,
    model_response_from_json,
    reasoning_format,
)

_CLIENT_CACHE_SIZE = 16


class _ClientPool:
    """openai clients by (base URL, key): one connection pool per endpoint, as LiteLLM keeps its own."""

    def __init__(self) -> None:
        self._sync: dict[tuple[str, str], openai.OpenAI] = {}
        self._async: dict[tuple[str, str], openai.AsyncOpenAI] = {}
        self._lock = threading.Lock()

    def sync(self, base_url: str, api_key: str) -> openai.OpenAI:
        with self._lock:
            client = self._sync.get((base_url, api_key))
            if client is None:
                if len(self._sync) >= _CLIENT_CACHE_SIZE:
                    self._sync.pop(next(iter(self._sync))).close()
                # Retries belong to LiteLLM (num_retries, Router), which knows the exception classes.
                client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0)
                self._sync[(base_url, api_key)] = client
            return client

    def async_(self, base_url: str, api_key: str) -> openai.AsyncOpenAI:
        with self._lock:
            client = self._async.get((base_url, api_key))
            if client is None:
                if len(self._async) >= _CLIENT_CACHE_SIZE:
                    self._async.pop(next(iter(self._async)))
                client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0)
                self._async[(base_url, api_key)] = client
            return client


_clients = _ClientPool()


def _has_image(messages: list[Any]) -> bool:
    for message in messages:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list) and any(
            isinstance(part, dict) and part.get("type") == "image_url" for part in content
        ):
            return True
    return False


class _Call:
    """Everything one call needs, resolved once from what LiteLLM hands the handler."""

    def __init__(
        self,
        provider: ProviderSpec,
        model: str,
        messages: list[Any],
        api_base: str | None,
        api_key: str | None,
        optional_params: Mapping[str, Any],
        litellm_params: Mapping[str, Any] | None,
        timeout: Any,
        stream: bool,
    ) -> None:
        self.provider = provider
        self.model = provider.catalog_model(model)
        self.messages = messages
        key = provider.api_key(api_key)
        if not key:
            raise AuthenticationError(
                message=(
                    f"{provider.display_name}: no API key. Pass api_key=... or set the "
                    f"{provider.api_key_env} environment variable."
                ),
                llm_provider=provider.route,
                model=self.model,
            )
        self.api_key = key
        self.base_url = provider.api_base(api_base)
        entry = active_models(provider.route).get(self.model)
        if entry is not None and not entry.vision and _has_image(messages):
            raise BadRequestError(
                message=(
                    f"{provider.display_name}: {provider.route}/{self.model} does not accept images "
                    "(the catalog lists it as text-only); send text, or pick a model with vision "
                    "(`litellm-providers models` shows them)."
                ),
                model=self.model,
                llm_provider=provider.route,
            )
        params = litellm_params or {}
        self.merge_reasoning = bool(params.get("merge_reasoning_content_in_choices"))
        self.reasoning = reasoning_format(provider, entry)
        self.stream_upstream = stream or provider.upstream_always_streams
        self.body, self.headers = build_request(
            provider, model, messages, optional_params, self.stream_upstream
        )
        self.timeout = timeout if isinstance(timeout, int | float | httpx.Timeout) else None

    def translator(self) -> StreamTranslator:
        return StreamTranslator(self.provider, self.model, self.reasoning, self.merge_reasoning)

    def request_kwargs(self) -> dict[str, Any]:
        # The whole body travels as extra_body so every parameter reaches the wire exactly as built.
        body = dict(self.body)
        return {
            "model": body.pop("model"),
            "messages": body.pop("messages"),
            "extra_body": body,
            "extra_headers": self.headers,
            "timeout": self.timeout,
        }

    def http_error(self, error: openai.APIStatusError) -> Exception:
        response = error.response
        body: bytes | str
        try:
            body = response.content
        except httpx.ResponseNotRead:
            body = json.dumps(error.body) if error.body is not None else b""
        return provider_error(
            self.provider, self.model, response.status_code, body, response.headers, secret=self.api_key
        )

    def failure(self, error: BaseException) -> Exception:
        """Any failure of the transport, as the LiteLLM exception a caller can act on."""
        if isinstance(error, openai.APIStatusError):
            return self.http_error(error)
        if isinstance(error, openai.APITimeoutError | httpx.TimeoutException):
            return transport_error(
                self.provider, self.model, "request timed out", timeout=True, secret=self.api_key
            )
        if isinstance(error, openai.APIError) and isinstance(error.body, dict):
            # An SSE `error` event in an otherwise successful stream.
            return provider_error(
                self.provider, self.model, 500, json.dumps({"error": error.body}), {}, secret=self.api_key
            )
        if isinstance(error, json.JSONDecodeError):
            problem = f"the stream carried a line that is not JSON ({error.msg})"
        elif isinstance(error, openai.APIConnectionError):
            problem = f"could not connect to {self.base_url} ({error.__cause__ or error})"
        else:
            problem = f"the connection failed mid-response ({type(error).__name__}: {error})"
        return transport_error(self.provider, self.model, problem, secret=self.api_key)

    def unfinished(self) -> Exception:
        return transport_error(
            self.provider,
            self.model,
            "the stream ended before the provider finished the answer (no finish_reason); "
            "everything received was delivered",
            secret=self.api_key,
        )

    def response_from_json(self, http_response: httpx.Response) -> ModelResponse:
        try:
            data = json.loads(http_response.content)
        except ValueError:
            raise provider_error(
                self.provider,
                self.model,
                http_response.status_code,
                http_response.content,
                http_response.headers,
                secret=self.api_key,
            ) from None
        response = model_response_from_json(
            self.provider, self.model, data, self.reasoning, self.merge_reasoning
        )
        response._hidden_params.update(hidden_params_from_headers(self.provider, http_response.headers))
        return response


_TRANSPORT_ERRORS = (openai.APIError, httpx.HTTPError, json.JSONDecodeError)


class ProviderHandler(CustomLLM):
    """LiteLLM's entry point for one provider route."""

    def __init__(self, provider: ProviderSpec) -> None:
        super().__init__()
        self.provider = provider

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider.route!r})"

    def _call(self, stream: bool, **kwargs: Any) -> _Call:
        return _Call(
            self.provider,
            kwargs["model"],
            kwargs["messages"],
            kwargs.get("api_base"),
            kwargs.get("api_key"),
            kwargs.get("optional_params") or {},
            kwargs.get("litellm_params"),
            kwargs.get("timeout"),
            stream,
        )

    # -- sync ---------------------------------------------------------------------------------------

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            translator = call.translator()
            chunks = list(self._stream_chunks(call, translator))
            response = aggregate_stream(chunks, call.messages, translator.provider_usage)
            response._hidden_params.update(translator.hidden_params)
            return response
        client = _clients.sync(call.base_url, call.api_key)
        try:
            raw = client.chat.completions.with_raw_response.create(**call.request_kwargs())
        except _TRANSPORT_ERRORS as error:
            raise call.failure(error) from None
        return call.response_from_json(raw.http_response)

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[ModelResponseStream]:  # type: ignore[override]
        call = self._call(True, **kwargs)
        return self._stream_chunks(call, call.translator())

    def _stream_chunks(self, call: _Call, translator: StreamTranslator) -> Iterator[ModelResponseStream]:
        with self._open_stream(call, translator) as events:
            try:
                for event in events:
                    yield from translator.translate(event)
            except _TRANSPORT_ERRORS as error:
                yield from translator.close()
                raise call.failure(error) from None
        yield from translator.close()
        if not translator.finished:
            raise call.unfinished()

    def _open_stream(
        self, call: _Call, translator: StreamTranslator
    ) -> AbstractContextManager[Iterator[Any]]:
        @contextmanager
        def opened() -> Iterator[Iterator[Any]]:
            client = _clients.sync(call.base_url, call.api_key)
            try:
                raw = client.chat.completions.with_raw_response.create(stream=True, **call.request_kwargs())
            except _TRANSPORT_ERRORS as error:
                raise call.failure(error) from None
            translator.hidden_params.update(
                hidden_params_from_headers(call.provider, raw.http_response.headers)
            )
            stream = raw.parse()
            try:
                yield (chunk.model_dump(exclude_none=True) for chunk in stream)
            finally:
                stream.close()

        return opened()

    # -- async --------------------------------------------------------------------------------------

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            translator = call.translator()
            chunks = [chunk async for chunk in self._astream_chunks(call, translator)]
            response = aggregate_stream(chunks, call.messages, translator.provider_usage)
            response._hidden_params.update(translator.hidden_params)
            return response
        client = _clients.async_(call.base_url, call.api_key)
        try:
            raw = await client.chat.completions.with_raw_response.create(**call.request_kwargs())
        except _TRANSPORT_ERRORS as error:
            raise call.failure(error) from None
        return call.response_from_json(raw.http_response)

    async def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[ModelResponseStream]:  # type: ignore[override]
        call = self._call(True, **kwargs)
        async for chunk in self._astream_chunks(call, call.translator()):
            yield chunk

    async def _astream_chunks(
        self, call: _Call, translator: StreamTranslator
    ) -> AsyncIterator[ModelResponseStream]:
        async with self._aopen_stream(call, translator) as events:
            try:
                async for event in events:
                    for chunk in translator.translate(event):
                        yield chunk
            except _TRANSPORT_ERRORS as error:
                for chunk in translator.close():
                    yield chunk
                raise call.failure(error) from None
        for chunk in translator.close():
            yield chunk
        if not translator.finished:
            raise call.unfinished()

    def _aopen_stream(
        self, call: _Call, translator: StreamTranslator
    ) -> AbstractAsyncContextManager[AsyncIterator[Any]]:
        @asynccontextmanager
        async def opened() -> AsyncIterator[AsyncIterator[Any]]:
            client = _clients.async_(call.base_url, call.api_key)
            try:
                raw = await client.chat.completions.with_raw_response.create(
                    stream=True, **call.request_kwargs()
                )
            except _TRANSPORT_ERRORS as error:
                raise call.failure(error) from None
            translator.hidden_params.update(
                hidden_params_from_headers(call.provider, raw.http_response.headers)
            )
            stream = raw.parse()

            async def events() -> AsyncIterator[Any]:
                async for chunk in stream:
                    yield chunk.model_dump(exclude_none=True)

            try:
                yield events()
            finally:
                await stream.close()

        return opened()
