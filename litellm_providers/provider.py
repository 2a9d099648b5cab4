"""What the shared OpenAI-compatible core needs to know about one provider.

Each provider module (``litellm_providers/providers/<route>.py``) builds one ``ProviderSpec`` from its
own documentation; the core, the emulator, the CLI and the registration read only this object, so a
provider's differences live in its own module and nowhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

ReasoningFormat = Literal["none", "think_tags", "think_tags_opened", "brackets"]
# Where a model's chat template reads an earlier assistant turn's reasoning ("none": not sent back).
ReasoningReplay = Literal["none", "reasoning_content", "reasoning"]

# LiteLLM exception classes a provider error code can map to, by name (resolved in errors.py so that
# this module stays importable without LiteLLM).
ErrorClassName = Literal[
    "BadRequestError",
    "AuthenticationError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "NotFoundError",
    "ContextWindowExceededError",
    "RateLimitError",
    "ServiceUnavailableError",
    "InternalServerError",
    "Timeout",
]

# The OpenAI chat parameters every catalogued model accepts unless its provider says otherwise: what a
# LiteLLM user reasonably sends to any OpenAI-compatible endpoint.
COMMON_CHAT_PARAMS: frozenset[str] = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "stream",
        "stream_options",
        "seed",
        "user",
        "n",
    }
)
TOOL_PARAMS: frozenset[str] = frozenset({"tools", "tool_choice"})
PARALLEL_TOOL_PARAMS: frozenset[str] = frozenset({"parallel_tool_calls"})
STRUCTURED_OUTPUT_PARAMS: frozenset[str] = frozenset({"response_format"})
# Anthropic ``thinking`` asks for reasoning too; the package turns it into an effort (effort.py).
REASONING_PARAMS: frozenset[str] = frozenset({"reasoning_effort", "thinking"})


@dataclass(frozen=True)
class ProviderSpec:
    """Facts about one provider, as its documentation states them."""

    route: str
    """The LiteLLM model prefix: ``synthetic`` in ``synthetic/hf:zai-org/GLM-4.6``."""
    display_name: str
    default_api_base: str
    api_key_env: str
    api_base_env: str
    chat_params: frozenset[str]
    """OpenAI parameters the provider accepts for every catalogued model; tool and structured-output
    parameters are added per model from the catalog's capabilities."""
    accepts_developer_role: bool = True
    """Takes OpenAI's ``developer`` role as such; when False, ``developer`` messages are sent as
    ``system`` with their text kept (what reasoning-model clients such as the OpenAI Agents SDK send)."""
    anonymous_access: bool = False
    """Serves calls that carry no key at all. Such a call is sent with no ``Authorization`` header
    (never an empty ``Bearer``) and the provider decides what it may do; without this, a call with no
    key is refused before sending, with an error naming ``api_key_env``."""
    anonymous_tier: str = "anonymous"
    """The catalog tier (``ModelEntry.tier``) a call with no key is served from."""
    param_renames: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    wire_model_prefix: str = ""
    """Prepended to the model id on the wire when the user did not already write it."""
    endpoints: tuple[str, ...] = ("/chat/completions",)
    """The OpenAI endpoints served under the API base; a call to another is refused before sending."""
    alias_prefix: str | None = None
    """Model ids that are aliases for another model (Synthetic's ``syn:large:text``): the live list
    names the model each routes to, whose window and prices the alias then takes."""
    alias_target_prefix: str = ""
    """What the live list leaves off the id of an alias's target (Synthetic names it by its Hugging Face
    id, ``org/name``, where its model ids read ``hf:org/name``)."""
    models_path: str | None = None
    """Where the provider publishes its live model list, relative to the API base."""
    streams_usage: bool = False
    """Accepts OpenAI's ``stream_options.include_usage``: streams are then always asked for usage, so
    cost and token counts come from the provider rather than a local estimate."""
    upstream_always_streams: bool = False
    """Serve non-streaming calls by streaming upstream and aggregating (the provider wants stream: true)."""
    default_reasoning_format: ReasoningFormat = "none"
    """How reasoning arrives in content for models the catalog does not know."""
    error_codes: Mapping[str, ErrorClassName] = field(default_factory=lambda: MappingProxyType({}))
    """Provider ``error.code`` values whose meaning is more precise than their HTTP status."""
    request_id_header: str | None = None
    forwarded_headers: tuple[str, ...] = ()
    """Response headers that reach the caller in ``_hidden_params["additional_headers"]``."""
    quotas_path: str | None = None
    """Where the provider reports what is left of the subscription, from the API base's origin."""
    quotas_header: str | None = None
    """A response header carrying the same quotas JSON; read to say which window a refusal hit."""
    cost_header: str | None = None
    cost_header_usd_per_unit: float = 1.0
    docs_url: str = ""

    def api_key(self, explicit: str | None) -> str | None:
        return explicit or os.environ.get(self.api_key_env) or None

    def api_base(self, explicit: str | None) -> str:
        return (explicit or os.environ.get(self.api_base_env) or self.default_api_base).rstrip("/")

    def wire_model(self, model: str) -> str:
        if self.wire_model_prefix and not model.startswith(self.wire_model_prefix):
            return self.wire_model_prefix + model
        return model

    def catalog_model(self, model: str) -> str:
        """The catalog key for a model as LiteLLM hands it to the handler (route prefix stripped)."""
        if self.wire_model_prefix and model.startswith(self.wire_model_prefix):
            return model[len(self.wire_model_prefix) :]
        return model
