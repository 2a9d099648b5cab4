"""``register()``: the one place that wires this package into LiteLLM.

What LiteLLM offers no public hook for is done here, each touch listed in ``compat.py`` and guarded by
a test (``tests/unit/test_litellm_seams.py``) that fails loudly when a LiteLLM upgrade moves it:

* LiteLLM ships a JSON-configured ``synthetic`` provider, and ``litellm.completion`` dispatches JSON,
  OpenAI-compatible and (for ``text_completion``) OpenAI-text-compatible providers *before* custom
  ones. The route is taken over by removing it from those three tables, so ``synthetic/...`` reaches
  this package's handler.
* ``litellm.completion_cost(response)`` prices a response from the catalog even when the provider
  stated the cost (the Syncropel gateway's ``X-Syncropic-Cost-Cents``). LiteLLM's own logging already
  prefers a stated cost (``llm_provider-x-litellm-response-cost``); the public function is wrapped to
  prefer it the same way for this package's responses. It, and ``litellm.response_cost_calculator``
  that LiteLLM's logging prices every call with, also warn where the figure is no cost: a stated cost
  that was refused, or a catalogued model with no price, which LiteLLM would report as free (``cost.py``).
* ``litellm.get_supported_openai_params`` answers a custom provider with a generic OpenAI list. It is
  wrapped so the answer for these routes comes from the catalog; LiteLLM's own parameter check
  (``UnsupportedParamsError``, ``drop_params``, ``allowed_openai_params``) then enforces it, exactly
  as for a built-in provider. LiteLLM's generic mapping that follows the check would drop
  ``reasoning_effort`` and ``thinking``; ``add_provider_specific_params_to_optional_params``, which
  every ``get_optional_params`` call goes through after it, is wrapped to keep what the check allowed.
* LiteLLM's ``/v1/messages`` adapter turns Anthropic ``thinking`` into a bare ``reasoning_effort``,
  which a model lacking that effort must refuse. Its ``_translate_thinking_to_openai`` is wrapped so
  that for these routes ``thinking`` reaches the handler, which maps it to an effort the model takes.
* LiteLLM's stream wrapper builds some chunks itself (the one carrying ``finish_reason``, the usage
  chunk of ``stream_options.include_usage``), stamped with the local time, while the handler's chunks
  carry the provider's ``created``. ``CustomStreamWrapper.model_response_creator`` is wrapped so they
  carry the stream's own ``created``: one value per stream, as OpenAI streams have.
* ``litellm.embedding`` refuses every OpenAI embedding parameter (``dimensions``, ``encoding_format``)
  for a provider outside its OpenAI-compatible list, which these routes had to leave (see the first
  point). ``litellm.main.get_optional_params_embeddings`` is wrapped so these routes pass them as OpenAI
  defines them.
* Taking over ``synthetic`` also takes LiteLLM's provider config for it away, and LiteLLM code that
  asks ``ProviderConfigManager.get_provider_chat_config`` for one (parameter mapping, helpers such as
  ``get_optional_params``) would get None. That method is wrapped to answer a taken-over route with
  ``CatalogChatConfig``: OpenAI-compatible, with the catalog's parameter list.
* ``litellm.acompletion(..., num_retries=N)`` repeats a failed call through
  ``litellm.acompletion_with_retries``, sleeping 1 s, 2 s, ... first for a ``RateLimitError``, past the
  call's timeout. The handler has already retried within the timeout, so that function is wrapped to
  raise a call's settled failure at once instead of repeating it.
"""

from __future__ import annotations

import functools
import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import litellm
import litellm.cost_calculator
import litellm.main
import litellm.utils
from litellm.constants import openai_compatible_providers, openai_text_completion_compatible_providers
from litellm.litellm_core_utils import get_supported_openai_params as supported_params_module
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
from litellm.llms.openai_like.chat.transformation import OpenAILikeChatConfig
from litellm.llms.openai_like.json_loader import JSONProviderRegistry
from litellm.utils import ProviderConfigManager

from litellm_providers.catalog import active_models, litellm_model_cost, model_entry, set_active_models
from litellm_providers.catalog_cache import read_fresh_cache
from litellm_providers.core import ProviderHandler, settled_failure
from litellm_providers.cost import carry_provider_headers, route_of, warn_where_the_cost_is_no_cost
from litellm_providers.cost import provider_stated_cost as provider_stated_cost  # the CLI's import
from litellm_providers.cost_map import write_catalog_entries
from litellm_providers.provider import REASONING_PARAMS, ProviderSpec
from litellm_providers.providers import PROVIDERS

logger = logging.getLogger("litellm_providers")

HANDLERS: dict[str, ProviderHandler] = {route: ProviderHandler(spec) for route, spec in PROVIDERS.items()}

_lock = threading.Lock()
# Routes LiteLLM had built in before register() took them over.
_taken_over: set[str] = set()
# LiteLLM's own functions this module has wrapped, by name: each is wrapped once, however often
# register() runs.
_wrapped_originals: dict[str, Callable[..., Any]] = {}
_F = TypeVar("_F", bound=Callable[..., Any])


def _first_wrap(name: str, current: _F) -> _F | None:
    """LiteLLM's function ``current`` the first time ``name`` is wrapped; None once it has been."""
    if name in _wrapped_originals:
        return None
    _wrapped_originals[name] = current
    return current


def register() -> None:
    """Make LiteLLM serve ``synthetic/``, ``synternet/`` and ``syncropic/`` through this package.

    Idempotent and cheap to call again; touches no network.
    """
    with _lock:
        for route, handler in HANDLERS.items():
            _take_over_builtin_route(route)
            _install_handler(route, handler)
            cached = read_fresh_cache(route)  # a refreshed catalog from disk; never the network
            if cached is not None:
                set_active_models(route, cached)
            register_catalog(handler.provider)
        _custom_llm_setup()
        _install_supported_params()
        _install_reasoning_params_kept()
        _install_anthropic_thinking_kept()
        _install_provider_config()
        _install_completion_cost()
        _install_embedding_params()
        _install_async_retry_wait()
        _install_one_created_per_stream()
        _install_text_chunks_carry_text()


class _TakenOverRouteNotice(logging.Filter):
    """Drops LiteLLM's warning (1.110 on) that a built-in provider of the same name shadows a custom
    handler: for the routes ``register()`` took over, the custom handler is the one that answers."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The whole message: LiteLLM's own filter on the logger may already have merged the args in.
        message = record.getMessage()
        return not any(message.startswith(f"custom_provider_map provider '{route}'") for route in _taken_over)


def _custom_llm_setup() -> None:
    notice, litellm_logger = _TakenOverRouteNotice(), logging.getLogger("LiteLLM")
    litellm_logger.addFilter(notice)
    try:
        litellm.utils.custom_llm_setup()  # type: ignore[no-untyped-call]
    finally:
        litellm_logger.removeFilter(notice)


def register_catalog(provider: ProviderSpec) -> None:
    """Tell LiteLLM about a route's models: windows, limits, prices and capabilities.

    Written into LiteLLM's cost map in one step (``cost_map.py``), not model by model through
    ``litellm.register_model``, whose cost per model grows with the size of the map."""
    write_catalog_entries(provider.route, litellm_model_cost(provider, active_models(provider.route)))


def supported_params(route: str, model: str) -> list[str] | None:
    """The OpenAI parameters a catalogued model accepts, or None when the catalog does not know it."""
    provider = PROVIDERS[route]
    entry = model_entry(route, provider.catalog_model(model))
    return entry.supported_params(provider) if entry is not None else None


def _take_over_builtin_route(route: str) -> None:
    if JSONProviderRegistry.exists(route):
        JSONProviderRegistry._providers.pop(route, None)
        _taken_over.add(route)
    # The built-in route also sends text_completion() to LiteLLM's own /completions client.
    for table in (openai_compatible_providers, openai_text_completion_compatible_providers):
        if route in table:
            table.remove(route)
            _taken_over.add(route)


class CatalogChatConfig(OpenAILikeChatConfig):
    """LiteLLM's chat config for a route this package took over: it names the parameters a catalogued
    model accepts (every OpenAI one for a model it does not know), and maps them exactly as LiteLLM maps
    a custom provider's, which it did for this route before the config existed. (LiteLLM's own check
    against the supported list, ``UnsupportedParamsError`` / ``drop_params``, runs before mapping.)"""

    def __init__(self, route: str) -> None:
        super().__init__()
        self.route = route

    def get_supported_openai_params(self, model: str) -> list[str]:
        _, name = _split_route(model, self.route)
        known = supported_params(self.route, name)
        return known if known is not None else list(super().get_supported_openai_params(model))

    def map_openai_params(
        self,
        non_default_params: dict[Any, Any],
        optional_params: dict[Any, Any],
        model: str,
        drop_params: bool,
        replace_max_completion_tokens_with_max_tokens: bool = True,
    ) -> dict[Any, Any]:
        # Parameters the handler reads itself (max_retries) pass through, as for any custom provider.
        generic = OpenAILikeChatConfig()
        mapped: dict[Any, Any] = generic.map_openai_params(
            non_default_params,
            optional_params,
            model,
            drop_params,
            replace_max_completion_tokens_with_max_tokens=replace_max_completion_tokens_with_max_tokens,
        )
        return mapped


def _install_provider_config() -> None:
    original = _first_wrap("get_provider_chat_config", ProviderConfigManager.get_provider_chat_config)
    if original is None:
        return

    def get_provider_chat_config(model: str, provider: Any, *args: Any, **kwargs: Any) -> Any:
        route = getattr(provider, "value", provider)
        if route in _taken_over:
            return CatalogChatConfig(route)
        return original(model, provider, *args, **kwargs)

    get_provider_chat_config.__doc__ = original.__doc__
    ProviderConfigManager.get_provider_chat_config = staticmethod(get_provider_chat_config)  # type: ignore[method-assign]


def _install_handler(route: str, handler: ProviderHandler) -> None:
    # Replace, never duplicate: a proxy config may already have listed the same handler.
    others = [item for item in litellm.custom_provider_map if item["provider"] != route]
    litellm.custom_provider_map = [*others, {"provider": route, "custom_handler": handler}]


def _install_supported_params() -> None:
    original = _first_wrap("get_supported_openai_params", supported_params_module.get_supported_openai_params)
    if original is None:
        return

    def get_supported_openai_params(
        model: str,
        custom_llm_provider: str | None = None,
        request_type: Literal["chat_completion", "embeddings", "transcription"] = "chat_completion",
        base_model: str | None = None,
    ) -> list[str] | None:
        route, name = _split_route(model, custom_llm_provider)
        if route is not None and request_type == "chat_completion":
            known = supported_params(route, name)
            if known is not None:
                return known
            logger.debug("%s/%s is not in the catalog; passing every OpenAI parameter through", route, name)
        found = original(
            model=model,
            custom_llm_provider=custom_llm_provider,
            request_type=request_type,
            base_model=base_model,
        )
        if route is not None and found is not None:
            # The provider decides for a model the catalog does not know.
            found = [*found, *sorted(REASONING_PARAMS - set(found))]
        return found

    get_supported_openai_params.__doc__ = original.__doc__
    supported_params_module.get_supported_openai_params = get_supported_openai_params
    # LiteLLM resolves these names lazily through module __getattr__; a module attribute wins.
    for module in (litellm.utils, litellm):
        module.__dict__["get_supported_openai_params"] = get_supported_openai_params


def _install_reasoning_params_kept() -> None:
    # LiteLLM checks a custom provider's parameters against the list above, then maps them with its
    # generic OpenAI-compatible config, whose own list has neither reasoning_effort nor thinking: a
    # parameter the check let through would never reach the handler. Every caller of
    # litellm.utils.get_optional_params (litellm.completion, or a test suite that imported it before
    # register() ran) goes through this helper after the mapping, which reads it from the module's
    # globals at call time; it puts them back for these routes.
    original: Callable[..., dict[str, Any]] | None = _first_wrap(
        "add_provider_specific_params_to_optional_params",
        litellm.utils.add_provider_specific_params_to_optional_params,
    )
    if original is None:
        return

    def add_provider_specific_params_to_optional_params(
        optional_params: dict[str, Any],
        passed_params: dict[str, Any],
        custom_llm_provider: str,
        openai_params: list[str],
        additional_drop_params: list[Any] | None = None,
    ) -> dict[str, Any]:
        mapped = original(
            optional_params=optional_params,
            passed_params=passed_params,
            custom_llm_provider=custom_llm_provider,
            openai_params=openai_params,
            additional_drop_params=additional_drop_params,
        )
        route, name = _split_route(str(passed_params.get("model") or ""), custom_llm_provider)
        if route is None or not isinstance(mapped, dict):
            return mapped
        allowed = supported_params(route, name)  # None: a model the catalog does not know takes both
        dropped = {param for param in additional_drop_params or () if isinstance(param, str)}
        for param in sorted(REASONING_PARAMS - dropped):
            value = passed_params.get(param)
            # Not allowed: LiteLLM's check dropped it (drop_params); it would have refused it otherwise.
            if value is not None and (allowed is None or param in allowed):
                mapped.setdefault(param, value)
        return mapped

    add_provider_specific_params_to_optional_params.__doc__ = original.__doc__
    litellm.utils.__dict__["add_provider_specific_params_to_optional_params"] = (
        add_provider_specific_params_to_optional_params
    )


# Where LiteLLM's /v1/messages adapter lives: 1.110 moved it from pass_through/ to messages/.
_ANTHROPIC_ADAPTER_MODULES = (
    "litellm.llms.anthropic.messages.adapters.transformation",
    "litellm.llms.anthropic.pass_through.adapters.transformation",
)


def _anthropic_messages_adapter() -> Any:
    for name in _ANTHROPIC_ADAPTER_MODULES:
        try:
            return importlib.import_module(name).LiteLLMAnthropicMessagesAdapter
        except (ImportError, AttributeError):
            continue
    return None


def _install_anthropic_thinking_kept() -> None:
    # LiteLLM's /v1/messages adapter (Claude Code through the proxy) turns Anthropic `thinking` into a
    # bare reasoning_effort string before the call reaches the handler, indistinguishable from an effort
    # the caller named, which a model lacking it must refuse. For these routes `thinking` (and the
    # effort of adaptive thinking, from output_config) goes on as sent, as it does for a Claude model,
    # and the handler maps it to an effort the model accepts (effort.py).
    adapter = _anthropic_messages_adapter()
    original: Callable[..., Any] | None = (
        _first_wrap("_translate_thinking_to_openai", adapter._translate_thinking_to_openai)
        if adapter is not None
        else None
    )
    if original is None:
        return

    def _translate_thinking_to_openai(
        self: Any, anthropic_message_request: Any, new_kwargs: Any, **kwargs: Any
    ) -> None:
        model = str(new_kwargs.get("model") or "")
        route, _ = _split_route(model, kwargs.get("custom_llm_provider"))
        if route is None:
            original(
                self, anthropic_message_request=anthropic_message_request, new_kwargs=new_kwargs, **kwargs
            )
            return
        thinking = anthropic_message_request.get("thinking")
        if thinking:
            new_kwargs["thinking"] = thinking
        output_config = anthropic_message_request.get("output_config")
        if isinstance(output_config, dict) and output_config.get("effort") is not None:
            new_kwargs["output_config"] = {"effort": output_config["effort"]}

    _translate_thinking_to_openai.__doc__ = original.__doc__
    adapter._translate_thinking_to_openai = _translate_thinking_to_openai


def _install_completion_cost() -> None:
    # litellm.completion_cost is what callers (and a few LiteLLM helpers) price a response with;
    # litellm.response_cost_calculator is what LiteLLM's logging prices every call with (callbacks'
    # response_cost, proxy spend, _hidden_params["response_cost"]). Both warn where the figure is no
    # cost (cost.py); the public one also prefers a cost the provider stated, as LiteLLM's logging does.
    original = _first_wrap("completion_cost", litellm.cost_calculator.completion_cost)
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

    calculator = _first_wrap("response_cost_calculator", litellm.cost_calculator.response_cost_calculator)
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
    builder = _first_wrap("stream_chunk_builder", litellm.stream_chunk_builder)
    if builder is not None:

        @functools.wraps(builder)
        def stream_chunk_builder(*args: Any, **kwargs: Any) -> Any:
            built = builder(*args, **kwargs)
            carry_provider_headers(built, kwargs.get("chunks", args[0] if args else None))
            return built

        litellm.__dict__["stream_chunk_builder"] = stream_chunk_builder


# What LiteLLM passes its embedding-parameter mapper that is an instruction to itself, not a parameter.
_EMBEDDING_CONTROL_KEYS = frozenset(
    {"model", "custom_llm_provider", "allowed_openai_params", "drop_params", "additional_drop_params"}
)


def _install_embedding_params() -> None:
    main = importlib.import_module("litellm.main")  # the module, not the `litellm.main` attribute
    original = _first_wrap("get_optional_params_embeddings", main.get_optional_params_embeddings)
    if original is None:
        return

    def get_optional_params_embeddings(*args: Any, **kwargs: Any) -> dict[str, Any]:
        if kwargs.get("custom_llm_provider") not in PROVIDERS:
            result: dict[str, Any] = original(*args, **kwargs)
            return result
        # OpenAI's embedding parameters (user, dimensions, encoding_format) and anything the caller
        # sent for the provider itself (extra_body), as sent: the provider's API is OpenAI's.
        return {k: v for k, v in kwargs.items() if k not in _EMBEDDING_CONTROL_KEYS and v is not None}

    get_optional_params_embeddings.__doc__ = original.__doc__
    # main.py imported the name from utils; the call reads main's global.
    main.__dict__["get_optional_params_embeddings"] = get_optional_params_embeddings


def _install_async_retry_wait() -> None:
    # LiteLLM leaves this function unannotated.
    original: Callable[..., Any] | None = _first_wrap(
        "acompletion_with_retries", litellm.acompletion_with_retries
    )
    if original is None:
        return

    async def acompletion_with_retries(*args: Any, **kwargs: Any) -> Any:
        model = kwargs.get("model", args[0] if args else "")
        route, _ = _split_route(str(model), kwargs.get("custom_llm_provider"))
        settled = settled_failure(kwargs.get("litellm_call_id")) if route is not None else None
        if settled is not None:
            # The handler has already retried this call within its timeout, waiting what the provider
            # asked; LiteLLM's repeats would each get the same failure, after 1 s, 2 s, ... of sleep.
            raise settled
        return await original(*args, **kwargs)

    acompletion_with_retries.__doc__ = original.__doc__
    litellm.__dict__["acompletion_with_retries"] = acompletion_with_retries


def _install_one_created_per_stream() -> None:
    # LiteLLM leaves this method unannotated.
    original: Callable[..., Any] | None = _first_wrap(
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


def _split_route(model: str, custom_llm_provider: str | None) -> tuple[str | None, str]:
    if custom_llm_provider in PROVIDERS:
        prefix = f"{custom_llm_provider}/"
        return custom_llm_provider, model[len(prefix) :] if model.startswith(prefix) else model
    if custom_llm_provider is None and "/" in model:
        route, name = model.split("/", 1)
        if route in PROVIDERS:
            return route, name
    return None, model


def registered_handler(route: str) -> Any:
    """The handler LiteLLM will call for a route right now (None if it is not registered)."""
    for item in litellm.custom_provider_map:
        if item["provider"] == route:
            return item["custom_handler"]
    return None


def _install_text_chunks_carry_text() -> None:
    # LiteLLM turns each chat chunk of a text_completion stream into a legacy completions chunk whose
    # `text` is the chunk's `content`: None on a reasoning-only chunk and on the closing chunk, where
    # OpenAI's legacy surface always has a string (a client concatenating `choices[0].text` fails).
    import litellm.main

    wrapper: Any = litellm.main.TextCompletionStreamWrapper  # type: ignore[attr-defined]
    original: Callable[..., Any] | None = _first_wrap(
        "convert_to_text_completion_object", wrapper.convert_to_text_completion_object
    )
    if original is None:
        return

    def convert_to_text_completion_object(self: Any, chunk: Any) -> Any:
        response = original(self, chunk)
        # atext_completion builds the wrapper before it knows the provider: the model names the route.
        route, _ = _split_route(str(self.model or ""), self.custom_llm_provider)
        if route is not None:
            for choice in response.get("choices") or []:
                if choice.get("text") is None:
                    choice["text"] = ""
        return response

    convert_to_text_completion_object.__doc__ = original.__doc__
    wrapper.convert_to_text_completion_object = convert_to_text_completion_object
