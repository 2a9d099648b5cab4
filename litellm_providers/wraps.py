"""What every wrap of a LiteLLM internal shares: each is wrapped once, and knows the routes it serves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litellm_providers.catalog import model_entry
from litellm_providers.cost import provider_stated_cost as provider_stated_cost  # the CLI's import
from litellm_providers.providers import PROVIDERS

# LiteLLM's own functions the package has wrapped, by name: each is wrapped once, however often
# register() runs.
_wrapped_originals: dict[str, Callable[..., Any]] = {}
_F = TypeVar("_F", bound=Callable[..., Any])
# Routes LiteLLM had built in before register() took them over.
taken_over: set[str] = set()


def first_wrap(name: str, current: _F) -> _F | None:
    """LiteLLM's function ``current`` the first time ``name`` is wrapped; None once it has been."""
    if name in _wrapped_originals:
        return None
    _wrapped_originals[name] = current
    return current


def split_route(model: str, custom_llm_provider: str | None) -> tuple[str | None, str]:
    if custom_llm_provider in PROVIDERS:
        prefix = f"{custom_llm_provider}/"
        return custom_llm_provider, model[len(prefix) :] if model.startswith(prefix) else model
    if custom_llm_provider is None and "/" in model:
        route, name = model.split("/", 1)
        if route in PROVIDERS:
            return route, name
    return None, model


def supported_params(route: str, model: str) -> list[str] | None:
    """The OpenAI parameters a catalogued model accepts, or None when the catalog does not know it."""
    provider = PROVIDERS[route]
    entry = model_entry(route, provider.catalog_model(model))
    return entry.supported_params(provider) if entry is not None else None
