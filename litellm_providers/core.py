"""The one OpenAI-compatible handler that all three providers configure.

A ``ProviderHandler`` is LiteLLM's ``CustomLLM`` for one ``ProviderSpec``. HTTP and SSE go through
the ``openai`` SDK (connection pooling, SSE decoding, timeouts) on ``transport.clients``; a call is one
``Call`` (``call.py``) of one ``Operation`` (``operations.py``: chat completions, embeddings, text
completions, the quotas read, the live model list); the translation is in ``translate.py``; a failure
becomes a LiteLLM exception in ``failures.py``; retries are ``retries.py``'s. Sync and async differ only
in the loops that move bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai
import pydantic
from litellm.llms.custom_llm import CustomLLM
from litellm.types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream

from litellm_providers.call import Call
from litellm_providers.failures import (
    BODY_ERRORS,
    STREAM_ERRORS,
    TRANSPORT_ERRORS,
    failure,
    not_a_stream,
    unfinished,
)
from litellm_providers.limits import MAX_SSE_LINE_BYTES, guard_body
from litellm_providers.operations import (
    CHAT,
    EMBEDDINGS,
    TEXT_COMPLETION,
    Operation,
    models_operation,
    quotas_operation,
    read_answer,
)
from litellm_providers.provider import ProviderSpec
from litellm_providers.quota import QuotaSnapshot
from litellm_providers.retries import aretried, retried, settled_failure
from litellm_providers.translate import StreamTranslator, aggregate_stream, hidden_params_from_headers
from litellm_providers.transport import clients

__all__ = ["ProviderHandler", "settled_failure"]


def _is_event_stream(headers: Any) -> bool:
    content_type = headers.get("content-type")
    return content_type is None or content_type.split(";")[0].strip().lower() == "text/event-stream"


def _guard_stream(call: Call, response: Any) -> None:
    # A caller waiting for a whole answer gets it within timeout=; a stream's reader sees each chunk.
    guard_body(response, deadline=None if call.stream else call.deadline, max_line=MAX_SSE_LINE_BYTES)


def _event(chunk: Any) -> Any:
    # The SDK builds chunks without validation: dump exactly what arrived, whatever its shape.
    if isinstance(chunk, pydantic.BaseModel):
        return chunk.model_dump(exclude_none=True, warnings=False)
    return chunk


class ProviderHandler(CustomLLM):
    """LiteLLM's entry point for one provider route."""

    def __init__(self, provider: ProviderSpec) -> None:
        super().__init__()
        self.provider = provider

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider.route!r})"

    def _call(self, stream: bool, operation: Operation | None = None, **kwargs: Any) -> Call:
        if operation is None:
            # litellm.text_completion reaches a custom provider through completion(), flagged.
            text = bool((kwargs.get("litellm_params") or {}).get("text_completion"))
            operation = TEXT_COMPLETION if text else CHAT
        return Call(
            self.provider,
            kwargs["model"],
            kwargs["messages"] if "messages" in kwargs else kwargs.get("input"),
            kwargs.get("api_base"),
            kwargs.get("api_key"),
            kwargs.get("optional_params") or {},
            kwargs.get("litellm_params"),
            kwargs.get("timeout"),
            stream,
            operation,
            kwargs.get("headers"),
            kwargs.get("logging_obj"),
        )

    # -- embeddings, quotas and the model list: one request, one JSON answer ------------------------

    def embedding(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        call = self._call(False, EMBEDDINGS, **kwargs)
        response: EmbeddingResponse = retried(call, lambda: self._post(call))
        return response

    async def aembedding(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        call = self._call(False, EMBEDDINGS, **kwargs)
        response: EmbeddingResponse = await aretried(call, lambda: self._apost(call))
        return response

    def quotas(
        self, api_key: str | None = None, api_base: str | None = None, timeout: float | None = 30.0
    ) -> QuotaSnapshot:
        call = self._call(
            False,
            quotas_operation(self.provider),
            model="",
            messages=None,
            api_key=api_key,
            api_base=api_base,
            timeout=timeout,
        )
        snapshot: QuotaSnapshot = retried(call, lambda: self._post(call))
        return snapshot

    def live_models(
        self, api_key: str | None = None, api_base: str | None = None, timeout: float | None = 15.0
    ) -> Any:
        """The provider's live model list as JSON, on the same transport as a call (``refresh.py``)."""
        call = self._call(
            False,
            models_operation(self.provider),
            model="",
            messages=None,
            api_key=api_key,
            api_base=api_base,
            timeout=timeout,
        )
        return retried(call, lambda: self._post(call))

    # -- sync ---------------------------------------------------------------------------------------

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return retried(call, lambda: self._aggregate(call))
        response: ModelResponse = retried(call, lambda: self._post(call))
        return response

    def _post(self, call: Call) -> Any:
        client = clients.sync(call.base_url, call.api_key)
        try:
            http_response = call.send(client)
            try:
                # Read here, under the call's deadline (limits.py), not inside the SDK.
                guard_body(
                    http_response, deadline=call.deadline, max_line=None, max_body=call.operation.max_body
                )
                http_response.read()
            finally:
                http_response.close()
        except BODY_ERRORS as error:
            problem = failure(call, error)
        else:
            return read_answer(call, http_response)
        raise problem  # outside the except block: the SDK's error (which holds the key) is no context

    def _aggregate(self, call: Call) -> ModelResponse:
        translator = call.translator()
        chunks = list(self._read(call, translator, self._open(call, translator)))
        response = aggregate_stream(
            chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
        )
        response._hidden_params.update(translator.hidden_params)
        return response

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[ModelResponseStream]:  # type: ignore[override]
        call = self._call(True, **kwargs)
        translator = call.translator()
        # Opened here, not on the first next(): a refused stream raises from litellm.completion() itself,
        # with its own class, as LiteLLM's built-in providers do; and it can be retried.
        opened = retried(call, lambda: self._open(call, translator))
        return self._read(call, translator, opened)

    def _open(self, call: Call, translator: StreamTranslator) -> openai.Stream[Any]:
        client = clients.sync(call.base_url, call.api_key)
        try:
            stream: openai.Stream[Any] = call.send(client, stream=True)
            response = stream.response
            if _is_event_stream(response.headers):
                translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
                _guard_stream(call, response)
                return stream
            try:
                problem = not_a_stream(call, response, response.read())
            finally:
                response.close()
        except TRANSPORT_ERRORS as error:
            problem = failure(call, error)
        raise problem

    def _read(
        self, call: Call, translator: StreamTranslator, stream: openai.Stream[Any]
    ) -> Iterator[ModelResponseStream]:
        headers = stream.response.headers
        as_chunk = call.operation.stream_event
        problem: Exception | None = None
        try:
            for event in stream:
                yield from translator.translate(as_chunk(_event(event)))
        except STREAM_ERRORS as error:
            problem = failure(call, error, headers)
        finally:
            stream.close()
        # Whatever arrived before a failure is yielded first, including text a splitter still holds.
        yield from translator.close()
        if problem is None and not translator.finished:
            problem = unfinished(call, headers)
        if problem is not None:
            raise problem

    # -- async --------------------------------------------------------------------------------------

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return await aretried(call, lambda: self._aaggregate(call))
        response: ModelResponse = await aretried(call, lambda: self._apost(call))
        return response

    async def _apost(self, call: Call) -> Any:
        client = clients.async_(call.base_url, call.api_key)
        try:
            http_response = await call.asend(client)
            try:
                guard_body(
                    http_response, deadline=call.deadline, max_line=None, max_body=call.operation.max_body
                )
                await http_response.aread()
            finally:
                await http_response.aclose()
        except BODY_ERRORS as error:
            problem = failure(call, error)
        else:
            return read_answer(call, http_response)
        raise problem

    async def _aaggregate(self, call: Call) -> ModelResponse:
        translator = call.translator()
        stream = await self._aopen(call, translator)
        chunks = [chunk async for chunk in self._aread(call, translator, stream)]
        response = aggregate_stream(
            chunks, call.messages, translator.provider_usage, call.logging_obj, translator.unclosed_reasoning
        )
        response._hidden_params.update(translator.hidden_params)
        return response

    def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[ModelResponseStream]:  # type: ignore[override]
        # Not itself a generator: input refused before sending (no key, api_key=123, timeout=-1) is
        # raised by acompletion() now, before LiteLLM's stream wrapper chokes on it. LiteLLM wraps what
        # this returns before iterating it, so the stream opens on the first __anext__; a stream the
        # provider refuses raises there (see tests/faults for what the caller receives).
        return self._astream(self._call(True, **kwargs))

    async def _astream(self, call: Call) -> AsyncIterator[ModelResponseStream]:
        translator = call.translator()
        stream = await aretried(call, lambda: self._aopen(call, translator))
        async for chunk in self._aread(call, translator, stream):
            yield chunk

    async def _aopen(self, call: Call, translator: StreamTranslator) -> openai.AsyncStream[Any]:
        client = clients.async_(call.base_url, call.api_key)
        try:
            stream: openai.AsyncStream[Any] = await call.asend(client, stream=True)
            response = stream.response
            if _is_event_stream(response.headers):
                translator.hidden_params.update(hidden_params_from_headers(call.provider, response.headers))
                _guard_stream(call, response)
                return stream
            try:
                problem = not_a_stream(call, response, await response.aread())
            finally:
                await response.aclose()
        except TRANSPORT_ERRORS as error:
            problem = failure(call, error)
        raise problem

    async def _aread(
        self, call: Call, translator: StreamTranslator, stream: openai.AsyncStream[Any]
    ) -> AsyncIterator[ModelResponseStream]:
        headers = stream.response.headers
        as_chunk = call.operation.stream_event
        problem: Exception | None = None
        try:
            async for event in stream:
                for chunk in translator.translate(as_chunk(_event(event))):
                    yield chunk
        except STREAM_ERRORS as error:
            problem = failure(call, error, headers)
        finally:
            await stream.close()
        for chunk in translator.close():
            yield chunk
        if problem is None and not translator.finished:
            problem = unfinished(call, headers)
        if problem is not None:
            raise problem
