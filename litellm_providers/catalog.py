"""The model catalog: one TOML file per provider in ``catalog/``, validated by pydantic at load.

Code reads the catalog; it never spells a model out. ``litellm_model_cost`` turns it into LiteLLM's
model cost map entries (written by ``cost_map.py``), so ``get_model_info``, ``completion_cost``,
``supports_function_calling`` and the proxy's ``/model/info`` all read the same facts. A refreshed
catalog's disk cache is ``catalog_cache.py``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from litellm_providers.provider import (
    PARALLEL_TOOL_PARAMS,
    REASONING_PARAMS,
    STRUCTURED_OUTPUT_PARAMS,
    TOOL_PARAMS,
    ProviderSpec,
    ReasoningFormat,
    ReasoningReplay,
)

PER_MILLION = 1_000_000
MAX_LIVE_MODELS = 5_000
"""How many models a live list may add to the bundled catalog (bundled models always stay). The largest
live list today has under 100 models; past a few thousand a list is broken or hostile, and every model
costs time at each proxy start (validation, the cache file, LiteLLM's cost map)."""


class ModelEntry(BaseModel):
    """One model as a provider serves it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    input_usd_per_million: float | None = Field(default=None, ge=0)
    output_usd_per_million: float | None = Field(default=None, ge=0)
    cache_read_usd_per_million: float | None = Field(default=None, ge=0)
    streaming: bool = True
    tools: bool = False
    parallel_tool_calls: bool = False
    structured_output: bool = False
    reasoning: bool = False
    reasoning_format: ReasoningFormat = "none"
    reasoning_efforts: tuple[str, ...] = ()
    """The ``reasoning_effort`` values the model accepts, sent unchanged; any other is refused before any
    request (left out under ``drop_params``). Empty on a model without ``reasoning``: no effort control,
    the parameter is refused. Empty on a reasoning model: no source gives its set yet, so the value goes
    as sent and the provider decides (a refresh fills the set in from the live list)."""
    always_reasons: bool = False
    """Reasons on every call and offers no control over it: ``reasoning_effort`` (which is also what
    LiteLLM makes of Anthropic ``thinking``) is accepted and not sent, since the model thinks anyway."""
    reasoning_replay: ReasoningReplay = "none"
    """How an earlier assistant turn's reasoning goes back on the wire: not at all, or under the field
    the model's chat template reads (``reasoning_content`` or ``reasoning``), which keeps a multi-turn
    tool loop coherent on models trained to see their own earlier thinking."""
    vision: bool = False
    tier: str | None = None
    """The provider's tier(s) that serve the model, ``+``-joined when several do: ``paid``, or
    ``anonymous+paid`` for the gateway's "Anonymous + Paid"."""
    mode: Literal["chat", "embedding"] = "chat"
    """What the model serves: chat (and text) completions, or embeddings."""
    alias_of: str | None = None
    """For an alias (Synthetic's ``syn:large:text``): the model it stands for now, as the live list
    says. Its window, prices and capabilities are the alias's; the wire model stays the alias."""
    retired: bool = False
    """Gone from the provider's lineup; kept so that old configs keep their windows and prices."""

    def admits(self, tier: str) -> bool:
        """Whether a call served from ``tier`` (``anonymous``, ``paid``, ...) may use this model."""
        return self.tier is not None and tier.lower() in {
            part.strip().lower() for part in self.tier.split("+")
        }

    def supported_params(self, provider: ProviderSpec) -> list[str]:
        params = set(provider.chat_params)
        if self.tools:
            params |= TOOL_PARAMS
        if self.parallel_tool_calls:
            params |= PARALLEL_TOOL_PARAMS
        if self.structured_output:
            params |= STRUCTURED_OUTPUT_PARAMS
        if self.reasoning or self.reasoning_efforts or self.always_reasons:
            params |= REASONING_PARAMS
        return sorted(params)


class ProviderCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    models: dict[str, ModelEntry]


@cache
def bundled_catalog(route: str) -> ProviderCatalog:
    """The catalog shipped with the package for one provider route."""
    text = (
        resources.files("litellm_providers").joinpath("catalog").joinpath(f"{route}.toml").read_text("utf-8")
    )
    return ProviderCatalog.model_validate(tomllib.loads(text))


def litellm_model_cost(provider: ProviderSpec, models: Mapping[str, ModelEntry]) -> dict[str, dict[str, Any]]:
    """LiteLLM cost map entries (what ``litellm.register_model`` takes), keyed ``<route>/<model>``."""
    entries: dict[str, dict[str, Any]] = {}
    for name in models:
        entry = resolved(models, name)
        info: dict[str, Any] = {
            "litellm_provider": provider.route,
            "mode": entry.mode,
            "max_input_tokens": entry.context_window,
            "max_output_tokens": entry.max_output_tokens,
            # LiteLLM's legacy field: the output limit where known, else the window.
            "max_tokens": entry.max_output_tokens or entry.context_window,
            "supports_function_calling": entry.tools,
            "supports_tool_choice": entry.tools,
            "supports_parallel_function_calling": entry.parallel_tool_calls,
            "supports_response_schema": entry.structured_output,
            "supports_reasoning": entry.reasoning,
            "supports_vision": entry.vision,
            "supports_native_streaming": entry.streaming,
            "supported_openai_params": entry.supported_params(provider),
        }
        if entry.input_usd_per_million is not None:
            info["input_cost_per_token"] = entry.input_usd_per_million / PER_MILLION
        if entry.output_usd_per_million is not None:
            info["output_cost_per_token"] = entry.output_usd_per_million / PER_MILLION
        # A provider that publishes one input price charges it for cached tokens too; saying so
        # keeps LiteLLM from assuming cached tokens are free (and from warning about it).
        cache_read = entry.cache_read_usd_per_million
        if cache_read is None:
            cache_read = entry.input_usd_per_million
        if cache_read is not None:
            info["cache_read_input_token_cost"] = cache_read / PER_MILLION
            info["cache_creation_input_token_cost"] = (
                entry.input_usd_per_million or cache_read
            ) / PER_MILLION
        if entry.tier is not None:
            info["tier"] = entry.tier
        entries[f"{provider.route}/{name}"] = {k: v for k, v in info.items() if v is not None}
    return entries


def resolved(models: Mapping[str, ModelEntry], name: str) -> ModelEntry:
    """The facts of a model: for an alias whose target the catalog knows, the target's."""
    entry = models[name]
    target = models.get(entry.alias_of) if entry.alias_of else None
    if target is None or target.alias_of:
        return entry
    return target.model_copy(update={"alias_of": entry.alias_of, "retired": entry.retired})


# The models each route serves right now: the bundled catalog until register() or a refresh
# replaces it. Handlers read it per call, so a refreshed catalog takes effect without re-registering.
_active: dict[str, Mapping[str, ModelEntry]] = {}


def active_models(route: str) -> Mapping[str, ModelEntry]:
    models = _active.get(route)
    return models if models is not None else bundled_catalog(route).models


def model_entry(route: str, name: str) -> ModelEntry | None:
    """What the catalog in force knows of one model (an alias resolved to its target), or None."""
    models = active_models(route)
    return resolved(models, name) if name in models else None


def set_active_models(route: str, models: Mapping[str, ModelEntry]) -> None:
    _active[route] = dict(models)
