"""A catalog that stays current: read a provider's live model list, merge it over the bundled one.

Synthetic publishes ``GET {base}/models`` (OpenAI's list shape, each entry with ``context_length``,
``max_output_length``, ``input_modalities``, ``supported_features``, per-token ``pricing`` strings
such as ``"$0.0000006"``, and ``reasoning_parameters.efforts``, the ``reasoning_effort`` values a model
accepts); the Syncropel gateway publishes ``GET {base}/capabilities``. Entries are
validated one by one: unknown fields are ignored, a malformed entry is skipped with a warning that
names it, and nothing here ever stops a caller from using the bundled catalog. Synthetic's ``syn:``
aliases are listed too, each with the ``hugging_face_id`` of the model it routes to today: the alias
then takes that model's window and prices (``ModelEntry.alias_of``).

A figure outside the plausible bounds below (a window of 1 token or 1e30, a price of ``inf`` or
$1e306 per million) is ignored with a warning naming the model and the field: the bundled figure stays.
A list may add at most ``MAX_LIVE_MODELS`` models to the bundled ones; the rest are dropped, with a
warning that says how many.

A refreshed catalog is cached on disk per API base (``catalog_cache.py``: the user cache directory,
``LITELLM_PROVIDERS_CACHE_DIR`` to move it, ``LITELLM_PROVIDERS_NO_CACHE=1`` to turn it off) for
``LITELLM_PROVIDERS_CATALOG_TTL`` seconds (a day by default); ``register()`` reads a fresh cache and
never touches the network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from litellm_providers.catalog import MAX_LIVE_MODELS, PER_MILLION, ModelEntry, bundled_catalog
from litellm_providers.catalog_cache import write_cache
from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import PROVIDERS

logger = logging.getLogger("litellm_providers")

FETCH_TIMEOUT_SECONDS = 15.0
"""The whole refresh's deadline per provider, answer included (a list that drips is cut there)."""
_TOOL_FEATURES = frozenset({"tools", "tool_calling", "function_calling"})
_STRUCTURED_FEATURES = frozenset({"json_mode", "structured_outputs", "response_format", "json_schema"})


# What a live list may state and be believed: a figure outside these bounds is a placeholder, a unit
# mix-up or a hostile answer, and would otherwise override the bundled catalog and be cached for a day.
MIN_CONTEXT_WINDOW = 1_024
"""No chat or embedding model is served with a smaller window; 0 or 1 is a placeholder."""
MAX_CONTEXT_WINDOW = 100_000_000
"""100M tokens: fifty times the largest window served today (2M), far below a unit error (bytes, 1e30)."""
MAX_USD_PER_MILLION = 10_000.0
"""$10,000 per million tokens: over ten times the dearest model sold today (about $600 per million
output tokens); above it is a unit mix-up (a price per million sent as one per token) or a hostile list."""
MAX_MODEL_ID_CHARS = 256
"""Model ids are ``org/name`` pairs of well under 100 characters; a longer id is not a model's."""
_SHOWN_CHARS = 80  # of an id that failed validation, in a warning


def _per_million(value: Any) -> float | None:
    """A per-token USD price as the live lists write it ("$0.0000006", "0.0000006", 6e-7)."""
    if value is None:
        return None
    text = str(value).strip().lstrip("$")
    return float(text) * PER_MILLION if text else None


def _shown(number: float) -> str:
    try:
        value = float(number)
    except OverflowError:  # an int past float's range
        return "a number over 1e308"
    return f"{int(value):,}" if value.is_integer() and abs(value) < 1e15 else f"{value:.6g}"


class LivePricing(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: float | None = None
    completion: float | None = None
    input_cache_reads: float | None = None

    @field_validator("prompt", "completion", "input_cache_reads", mode="before")
    @classmethod
    def _usd_per_million(cls, value: Any) -> float | None:
        return _per_million(value)


class LiveReasoningParameters(BaseModel):
    """The reasoning controls a live entry advertises (Synthetic's ``reasoning_parameters``)."""

    model_config = ConfigDict(extra="ignore")

    efforts: list[str] | None = None


class LiveModel(BaseModel):
    """One entry of a provider's live list; fields it does not know are ignored."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=MAX_MODEL_ID_CHARS)
    context_length: int | None = None
    max_output_length: int | None = None
    input_modalities: list[str] | None = None
    supported_features: list[str] | None = None
    pricing: LivePricing | None = None
    tier: str | None = None
    reasoning_parameters: LiveReasoningParameters | None = None
    hugging_face_id: str | None = None
    """For an alias (``syn:large:text``), the model it routes to today (``org/name``)."""

    def plausible(self, field: str, value: float | None, low: float, high: float) -> float | None:
        """``value`` if it lies within ``[low, high]``; otherwise None, with a warning naming the model
        and the field. 0 and None mean "not stated" and pass silently as None."""
        if not value:
            return None
        if low <= value <= high:  # NaN fails this too
            return value
        logger.warning(
            "the live list's %s of %s is %s, outside %s to %s; keeping the bundled figure",
            field,
            self.id,
            _shown(value),
            _shown(low),
            _shown(high),
        )
        return None

    def merged_over(self, bundled: ModelEntry | None) -> ModelEntry:
        """The bundled facts, overridden by whatever plausible figures the live entry states."""
        data = bundled.model_dump() if bundled is not None else {}
        window = self.plausible("context_length", self.context_length, MIN_CONTEXT_WINDOW, MAX_CONTEXT_WINDOW)
        if window is not None:
            data["context_window"] = int(window)
        output_limit = data.get("context_window") or MAX_CONTEXT_WINDOW  # the output fits in the window
        max_output = self.plausible("max_output_length", self.max_output_length, 1, output_limit)
        if max_output is not None:
            data["max_output_tokens"] = int(max_output)
        if self.pricing is not None:
            for ours, field, theirs in (
                ("input_usd_per_million", "prompt", self.pricing.prompt),
                ("output_usd_per_million", "completion", self.pricing.completion),
                ("cache_read_usd_per_million", "input_cache_reads", self.pricing.input_cache_reads),
            ):
                if theirs == 0:
                    data[ours] = 0.0  # a free model
                    continue
                price = self.plausible(f"pricing.{field} ($/M)", theirs, 0.0, MAX_USD_PER_MILLION)
                if price is not None:
                    data[ours] = price
        if self.input_modalities is not None:
            data["vision"] = "image" in self.input_modalities
        features = set(self.supported_features or ())
        if "reasoning" in features:
            data["reasoning"] = True
            if data.get("reasoning_format", "none") == "none":  # the bundled format, when it has one, wins
                data["reasoning_format"] = "think_tags"
        efforts = self.reasoning_parameters.efforts if self.reasoning_parameters is not None else None
        if efforts is not None:
            # The provider's own list of accepted values outranks the bundled one.
            data["reasoning_efforts"] = tuple(efforts)
            if efforts:
                data["reasoning"] = True
                if data.get("reasoning_format", "none") == "none":
                    data["reasoning_format"] = "think_tags"
        if features & _TOOL_FEATURES:
            data["tools"] = True
        if features & _STRUCTURED_FEATURES:
            data["structured_output"] = True
        if self.tier:
            data["tier"] = self.tier
        return ModelEntry.model_validate(data)


@dataclass
class RefreshResult:
    """What a refresh did, for a one-line report."""

    route: str
    models: dict[str, ModelEntry] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> str:
        if self.error is not None:
            return f"{self.route}: kept the bundled catalog: {self.error}"
        line = f"{self.route}: {len(self.models)} models"
        if self.added:
            line += f", {len(self.added)} new ({_some(self.added)})"
        if self.skipped:
            line += f", {len(self.skipped)} malformed skipped ({_some(self.skipped)})"
        return line


SUMMARY_NAMES = 10
"""How many ids a summary names: a list of thousands of new or malformed entries is one line to read."""


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SUMMARY_NAMES])
    return shown if len(names) <= SUMMARY_NAMES else f"{shown} and {len(names) - SUMMARY_NAMES} more"


def parse_live_list(route: str, payload: Any) -> tuple[dict[str, ModelEntry], list[str], list[str]]:
    """Validated entries merged over the bundled catalog, the new model ids, and the skipped entries.

    Raises ``ValueError`` (and nothing else) when ``payload`` holds no list of models. A malformed entry
    is skipped and an implausible figure ignored, each with a warning; past ``MAX_LIVE_MODELS`` new
    models the rest are dropped, with one warning (bundled models are never dropped).
    """
    bundled = bundled_catalog(route).models
    items = payload.get("data", payload.get("models")) if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise ValueError("the model list has no 'data' (or 'models') array")
    merged: dict[str, ModelEntry] = dict(bundled)
    added: dict[str, None] = {}  # ordered, and a model listed twice is new once
    skipped: list[str] = []
    dropped = 0
    targets: dict[str, str] = {}
    alias_prefix = PROVIDERS[route].alias_prefix
    for index, item in enumerate(items):
        raw_id = item.get("id") if isinstance(item, dict) else None
        if (
            len(added) >= MAX_LIVE_MODELS
            and isinstance(raw_id, str)
            and raw_id not in bundled
            and raw_id not in added
        ):
            dropped += 1  # counted before validation: past the cap an entry costs nothing
            continue
        try:
            live = LiveModel.model_validate(item)
            entry = live.merged_over(bundled.get(live.id))
        except ValidationError as error:
            name = raw_id[:_SHOWN_CHARS] if isinstance(raw_id, str) else f"#{index}"
            if len(skipped) < SUMMARY_NAMES:  # a list of thousands of bad entries is not thousands of lines
                logger.warning("skipping malformed model entry %s: %s", name, error.errors()[0]["msg"])
            skipped.append(name)
            continue
        if live.id not in bundled:
            added[live.id] = None
        merged[live.id] = entry
        if live.hugging_face_id and alias_prefix and live.id.startswith(alias_prefix):
            targets[live.id] = live.hugging_face_id
    if len(skipped) > SUMMARY_NAMES:
        logger.warning("skipped %d more malformed model entries", len(skipped) - SUMMARY_NAMES)
    if dropped:
        logger.warning(
            "the %s live list adds more than %d models to the bundled ones: dropped the %d entries past that",
            route,
            MAX_LIVE_MODELS,
            dropped,
        )
    # An alias takes its window and prices from the model it routes to, once the list names it.
    for alias, target in targets.items():
        candidates = (target, PROVIDERS[route].alias_target_prefix + target)
        known = next((name for name in candidates if name in merged and name != alias), None)
        if known is not None:
            merged[alias] = merged[alias].model_copy(update={"alias_of": known})
    return merged, list(added), skipped


def fetch_live_list(
    provider: ProviderSpec,
    api_key: str | None,
    api_base: str | None,
    timeout: float | None = FETCH_TIMEOUT_SECONDS,
) -> Any:
    """The provider's live list as JSON, read on the package's one transport (``core``): the same client,
    key redaction, redirect policy, error mapping as a call, a deadline over the whole read and a bound
    on the answer's size. Raises ``ValueError`` with a one-line reason (no key in it) on any failure."""
    if provider.models_path is None:
        raise ValueError(f"{provider.display_name} publishes no model list")
    import openai

    from litellm_providers.registration import HANDLERS

    try:
        return HANDLERS[provider.route].live_models(api_key=api_key, api_base=api_base, timeout=timeout)
    except openai.APIError as error:  # every LiteLLM exception derives from it
        raise ValueError(_one_line(str(error))) from None


def _one_line(message: str) -> str:
    # LiteLLM prefixes its class path ("litellm.RateLimitError: ..."); the reason is what follows.
    text = " ".join(message.split())
    return text.split(": ", 1)[1] if text.startswith("litellm.") and ": " in text else text


def refresh_catalog(
    route: str,
    api_key: str | None = None,
    api_base: str | None = None,
    *,
    register: bool = True,
    timeout: float | None = FETCH_TIMEOUT_SECONDS,
) -> RefreshResult:
    """Read the provider's live list, merge it over the bundled catalog, cache it, register it.

    Never raises for a provider problem: offline, a refused key or a bad answer leave the bundled
    catalog in force and say why in ``RefreshResult.error``.
    """
    provider = PROVIDERS[route]
    result = RefreshResult(route)
    try:
        result.models, result.added, result.skipped = parse_live_list(
            route, fetch_live_list(provider, api_key, api_base, timeout)
        )
    except ValueError as error:
        result.error = str(error)
        return result
    write_cache(route, result.models, api_base)
    if register:
        from litellm_providers.catalog import set_active_models
        from litellm_providers.registration import register_catalog

        set_active_models(route, result.models)
        register_catalog(provider)
    return result
