"""The one OpenAI-compatible handler that all three providers configure.

A ``ProviderHandler`` is LiteLLM's ``CustomLLM`` for one ``ProviderSpec``. HTTP and SSE go through
the ``openai`` SDK (connection pooling, SSE decoding, timeouts) on ``transport.clients``; a call is one
``Call`` (``call.py``) of one ``Operation`` (``operations.py``: chat completions, embeddings, text
completions, the quotas read, the live model list, web search); the translation is in ``translate.py``
and ``streaming.py``; a failure becomes a LiteLLM exception in ``failures.py``; retries are
``retries.py``'s. Sync and async differ only in the loops that move bytes (``exchange.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from litellm.llms.custom_llm import CustomLLM
from litellm.types.utils import EmbeddingResponse, ModelResponse, ModelResponseStream

from litellm_providers.call import Call
from litellm_providers.exchange import (
    aaggregate,
    aggregate,
    aopen_stream,
    apost,
    aread_stream,
    astream,
    open_stream,
    post,
    read_stream,
)
from litellm_providers.operations import (
    CHAT,
    EMBEDDINGS,
    TEXT_COMPLETION,
    Operation,
    models_operation,
    quotas_operation,
    search_operation,
)
from litellm_providers.provider import ProviderSpec
from litellm_providers.quota import QuotaSnapshot
from litellm_providers.retries import aretried, retried, settled_failure
from litellm_providers.search_results import DEFAULT_SEARCH_TIMEOUT, SearchResponse
from litellm_providers.stream_loop import RelayedStream, on_a_thread_without_a_loop, run_on_stream_loop

__all__ = ["ProviderHandler", "settled_failure"]


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
        response: EmbeddingResponse = retried(call, lambda: post(call))
        return response

    async def aembedding(self, *args: Any, **kwargs: Any) -> EmbeddingResponse:
        call = self._call(False, EMBEDDINGS, **kwargs)
        response: EmbeddingResponse = await aretried(call, lambda: apost(call))
        return response

    def _platform_call(
        self, operation: Operation, api_key: str | None, api_base: str | None, timeout: Any, sent: Any = None
    ) -> Call:
        # A read of the provider's platform (quotas, the model list, search): no model, the same transport.
        return self._call(
            False, operation, model="", messages=sent, api_key=api_key, api_base=api_base, timeout=timeout
        )

    def quotas(
        self, api_key: str | None = None, api_base: str | None = None, timeout: float | None = 30.0
    ) -> QuotaSnapshot:
        call = self._platform_call(quotas_operation(self.provider), api_key, api_base, timeout)
        snapshot: QuotaSnapshot = retried(call, lambda: post(call))
        return snapshot

    def live_models(
        self, api_key: str | None = None, api_base: str | None = None, timeout: float | None = 15.0
    ) -> Any:
        """The provider's live model list as JSON, on the same transport as a call (``refresh.py``)."""
        call = self._platform_call(models_operation(self.provider), api_key, api_base, timeout)
        return retried(call, lambda: post(call))

    def _search_call(
        self, query: Any, max_results: Any, api_key: str | None, api_base: str | None, timeout: Any
    ) -> Call:
        operation = search_operation(self.provider, max_results)
        timeout = DEFAULT_SEARCH_TIMEOUT if timeout is None else timeout
        return self._platform_call(operation, api_key, api_base, timeout, sent=query)

    def search(
        self,
        query: str,
        max_results: int | None = None,
        api_key: str | None = None,
        api_base: str | None = None,
        timeout: Any = None,
    ) -> SearchResponse:
        """The provider's web search, on the same transport as a call (``litellm_providers.search``)."""
        call = self._search_call(query, max_results, api_key, api_base, timeout)
        response: SearchResponse = retried(call, lambda: post(call))
        return response

    async def asearch(
        self,
        query: str,
        max_results: int | None = None,
        api_key: str | None = None,
        api_base: str | None = None,
        timeout: Any = None,
    ) -> SearchResponse:
        call = self._search_call(query, max_results, api_key, api_base, timeout)
        response: SearchResponse = await aretried(call, lambda: apost(call))
        return response

    # -- sync ---------------------------------------------------------------------------------------

    def completion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return retried(call, lambda: aggregate(call))
        response: ModelResponse = retried(call, lambda: post(call))
        return response

    def streaming(self, *args: Any, **kwargs: Any) -> Iterator[ModelResponseStream]:  # type: ignore[override]
        call = self._call(True, **kwargs)
        translator = call.translator()
        # Opened here, not on the first next(): a refused stream raises from litellm.completion() itself,
        # with its own class, as LiteLLM's built-in providers do; and it can be retried.
        opened = retried(call, lambda: open_stream(call, translator))
        return read_stream(call, translator, opened)

    # -- async --------------------------------------------------------------------------------------

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        call = self._call(False, **kwargs)
        if call.stream_upstream:
            return await aretried(call, lambda: aaggregate(call))
        response: ModelResponse = await aretried(call, lambda: apost(call))
        return response

    def astreaming(self, *args: Any, **kwargs: Any) -> AsyncIterator[ModelResponseStream]:  # type: ignore[override]
        # Not itself a generator: input refused before sending (no key, api_key=123, timeout=-1) is
        # raised by acompletion() now. LiteLLM calls this in an executor thread and wraps what it
        # returns before anyone reads it, so the stream is opened here, as the sync one is: a stream
        # the provider refuses raises from acompletion() itself, with its status and Retry-After, and
        # LiteLLM's proxy answers with that status instead of 200 and a failed event (stream_loop.py).
        call = self._call(True, **kwargs)
        if not on_a_thread_without_a_loop():
            # Called on a loop's own thread (not LiteLLM's way): blocking here would stall that loop,
            # so the stream opens on its first __anext__ instead.
            return astream(call)
        translator = call.translator()
        stream, loop = run_on_stream_loop(aretried(call, lambda: aopen_stream(call, translator)))
        return RelayedStream(aread_stream(call, translator, stream), loop, stream.close)
