"""Wraps of LiteLLM internals that decide which parameters reach the handler: the catalog's parameter
list, ``reasoning_effort`` and ``thinking`` kept through LiteLLM's generic mapping, the ``/v1/messages``
adapter's thinking, OpenAI's embedding parameters, and a chat config for the taken-over route. Each is
listed in ``compat.py`` with a seam test."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, Literal

import litellm
import litellm.cost_calculator
import litellm.main
import litellm.utils
from litellm.litellm_core_utils import get_supported_openai_params as supported_params_module
from litellm.llms.openai_like.chat.transformation import OpenAILikeChatConfig
from litellm.utils import ProviderConfigManager

from litellm_providers.cost import provider_stated_cost as provider_stated_cost  # the CLI's import
from litellm_providers.provider import REASONING_PARAMS
from litellm_providers.providers import PROVIDERS
from litellm_providers.wraps import first_wrap, split_route, supported_params, taken_over

logger = logging.getLogger("litellm_providers")


class CatalogChatConfig(OpenAILikeChatConfig):
    """LiteLLM's chat config for a route this package took over: it names the parameters a catalogued
    model accepts (every OpenAI one for a model it does not know), and maps them exactly as LiteLLM maps
    a custom provider's, which it did for this route before the config existed. (LiteLLM's own check
    against the supported list, ``UnsupportedParamsError`` / ``drop_params``, runs before mapping.)"""

    def __init__(self, route: str) -> None:
        super().__init__()
        self.route = route

    def get_supported_openai_params(self, model: str) -> list[str]:
        _, name = split_route(model, self.route)
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


def install_provider_config() -> None:
    original = first_wrap("get_provider_chat_config", ProviderConfigManager.get_provider_chat_config)
    if original is None:
        return

    def get_provider_chat_config(model: str, provider: Any, *args: Any, **kwargs: Any) -> Any:
        route = getattr(provider, "value", provider)
        if route in taken_over:
            return CatalogChatConfig(route)
        return original(model, provider, *args, **kwargs)

    get_provider_chat_config.__doc__ = original.__doc__
    ProviderConfigManager.get_provider_chat_config = staticmethod(get_provider_chat_config)  # type: ignore[method-assign]


def install_supported_params() -> None:
    original = first_wrap("get_supported_openai_params", supported_params_module.get_supported_openai_params)
    if original is None:
        return

    def get_supported_openai_params(
        model: str,
        custom_llm_provider: str | None = None,
        request_type: Literal["chat_completion", "embeddings", "transcription"] = "chat_completion",
        base_model: str | None = None,
    ) -> list[str] | None:
        route, name = split_route(model, custom_llm_provider)
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


def install_reasoning_params_kept() -> None:
    # LiteLLM checks a custom provider's parameters against the list above, then maps them with its
    # generic OpenAI-compatible config, whose own list has neither reasoning_effort nor thinking: a
    # parameter the check let through would never reach the handler. Every caller of
    # litellm.utils.get_optional_params (litellm.completion, or a test suite that imported it before
    # register() ran) goes through this helper after the mapping, which reads it from the module's
    # globals at call time; it puts them back for these routes.
    original: Callable[..., dict[str, Any]] | None = first_wrap(
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
        route, name = split_route(str(passed_params.get("model") or ""), custom_llm_provider)
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


def install_anthropic_thinking_kept() -> None:
    # LiteLLM's /v1/messages adapter (Claude Code through the proxy) turns Anthropic `thinking` into a
    # bare reasoning_effort string before the call reaches the handler, indistinguishable from an effort
    # the caller named, which a model lacking it must refuse. For these routes `thinking` (and the
    # effort of adaptive thinking, from output_config) goes on as sent, as it does for a Claude model,
    # and the handler maps it to an effort the model accepts (effort.py).
    adapter = _anthropic_messages_adapter()
    original: Callable[..., Any] | None = (
        first_wrap("_translate_thinking_to_openai", adapter._translate_thinking_to_openai)
        if adapter is not None
        else None
    )
    if original is None:
        return

    def _translate_thinking_to_openai(
        self: Any, anthropic_message_request: Any, new_kwargs: Any, **kwargs: Any
    ) -> None:
        model = str(new_kwargs.get("model") or "")
        route, _ = split_route(model, kwargs.get("custom_llm_provider"))
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


# What LiteLLM passes its embedding-parameter mapper that is an instruction to itself, not a parameter.
_EMBEDDING_CONTROL_KEYS = frozenset(
    {"model", "custom_llm_provider", "allowed_openai_params", "drop_params", "additional_drop_params"}
)


def install_embedding_params() -> None:
    main = importlib.import_module("litellm.main")  # the module, not the `litellm.main` attribute
    original = first_wrap("get_optional_params_embeddings", main.get_optional_params_embeddings)
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
