"""Wraps of LiteLLM internals that shape what the caller gets back: the provider's stated cost, no repeat
of a call the handler already retried, one ``created`` per stream, and text on every legacy completions
chunk. Each is listed in ``compat.py`` with a seam test."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import litellm
import litellm.cost_calculator
import litellm.main
import litellm.utils
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper

from litellm_providers.core import settled_failure
from litellm_providers.cost import carry_provider_headers, route_of, warn_where_the_cost_is_no_cost
from litellm_providers.cost import provider_stated_cost as provider_stated_cost  # the CLI's import
from litellm_providers.providers import PROVIDERS
from litellm_providers.wraps import first_wrap, split_route

logger = logging.getLogger("litellm_providers")


def install_completion_cost() -> None:
    # litellm.completion_cost is what callers (and a few LiteLLM helpers) price a response with;
    # litellm.response_cost_calculator is what LiteLLM's logging prices every call with (callbacks'
    # response_cost, proxy spend, _hidden_params["response_cost"]). Both warn where the figure is no
    # cost (cost.py); the public one also prefers a cost the provider stated, as LiteLLM's logging does.
    original = first_wrap("completion_cost", litellm.cost_calculator.completion_cost)
    if original is not None:

        @functools.wraps(original)  # LiteLLM's signature and doc, for callers that inspect them
        def completion_cost(*args: Any, **kwargs: Any) -> float:
            response = kwargs.get("completion_response", args[0] if args else None)
            stated = provider_stated_cost(response)
            if stated is not None:
                return stated
            route = route_of(response)
            if route is not None and len(args) <= 1 and not kwargs.get("custom_llm_provider"):
                # A cache hit has lost its provider; LiteLLM would price "claude-haiku-4-5" as Anthropic's.
                kwargs["custom_llm_provider"] = route
            warn_where_the_cost_is_no_cost(response, kwargs)
            return original(*args, **kwargs)

        litellm.__dict__["completion_cost"] = completion_cost

    calculator = first_wrap("response_cost_calculator", litellm.cost_calculator.response_cost_calculator)
    if calculator is not None:

        @functools.wraps(calculator)
        def response_cost_calculator(*args: Any, **kwargs: Any) -> float:
            if not kwargs.get("cache_hit"):  # a cache hit costs nothing
                response = kwargs.get("response_object", args[0] if args else None)
                warn_where_the_cost_is_no_cost(response, kwargs)
            return calculator(*args, **kwargs)

        litellm.__dict__["response_cost_calculator"] = response_cost_calculator

    # LiteLLM's logging prices a stream from the response it builds of the chunks; that response must
    # carry the provider's headers as the chunks do, for the figure and the warnings to be the same.
    builder = first_wrap("stream_chunk_builder", litellm.stream_chunk_builder)
    if builder is not None:

        @functools.wraps(builder)
        def stream_chunk_builder(*args: Any, **kwargs: Any) -> Any:
            built = builder(*args, **kwargs)
            carry_provider_headers(built, kwargs.get("chunks", args[0] if args else None))
            return built

        litellm.__dict__["stream_chunk_builder"] = stream_chunk_builder


def install_async_retry_wait() -> None:
    # LiteLLM leaves this function unannotated.
    original: Callable[..., Any] | None = first_wrap(
        "acompletion_with_retries", litellm.acompletion_with_retries
    )
    if original is None:
        return

    async def acompletion_with_retries(*args: Any, **kwargs: Any) -> Any:
        model = kwargs.get("model", args[0] if args else "")
        route, _ = split_route(str(model), kwargs.get("custom_llm_provider"))
        settled = settled_failure(kwargs.get("litellm_call_id")) if route is not None else None
        if settled is not None:
            # The handler has already retried this call within its timeout, waiting what the provider
            # asked; LiteLLM's repeats would each get the same failure, after 1 s, 2 s, ... of sleep.
            raise settled
        return await original(*args, **kwargs)

    acompletion_with_retries.__doc__ = original.__doc__
    litellm.__dict__["acompletion_with_retries"] = acompletion_with_retries


def install_one_created_per_stream() -> None:
    # LiteLLM leaves this method unannotated.
    original: Callable[..., Any] | None = first_wrap(
        "model_response_creator", CustomStreamWrapper.model_response_creator
    )
    if original is None:
        return

    def model_response_creator(self: CustomStreamWrapper, *args: Any, **kwargs: Any) -> Any:
        if self.custom_llm_provider in PROVIDERS:
            stamped = next((c.created for c in self.chunks if type(getattr(c, "created", None)) is int), None)
            if stamped is not None:
                # The handler's chunks all carry the stream's one value; the chunks LiteLLM builds
                # (the finish chunk, the usage chunk) take self.created, else the local time.
                self.created = stamped
        return original(self, *args, **kwargs)

    model_response_creator.__doc__ = original.__doc__
    CustomStreamWrapper.model_response_creator = model_response_creator  # type: ignore[method-assign]


def install_text_chunks_carry_text() -> None:
    # LiteLLM turns each chat chunk of a text_completion stream into a legacy completions chunk whose
    # `text` is the chunk's `content`: None on a reasoning-only chunk and on the closing chunk, where
    # OpenAI's legacy surface always has a string (a client concatenating `choices[0].text` fails).
    import litellm.main

    wrapper: Any = litellm.main.TextCompletionStreamWrapper  # type: ignore[attr-defined]
    original: Callable[..., Any] | None = first_wrap(
        "convert_to_text_completion_object", wrapper.convert_to_text_completion_object
    )
    if original is None:
        return

    def convert_to_text_completion_object(self: Any, chunk: Any) -> Any:
        response = original(self, chunk)
        # atext_completion builds the wrapper before it knows the provider: the model names the route.
        route, _ = split_route(str(self.model or ""), self.custom_llm_provider)
        if route is not None:
            for choice in response.get("choices") or []:
                if choice.get("text") is None:
                    choice["text"] = ""
        return response

    convert_to_text_completion_object.__doc__ = original.__doc__
    wrapper.convert_to_text_completion_object = convert_to_text_completion_object
