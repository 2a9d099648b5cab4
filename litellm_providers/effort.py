"""The ``reasoning_effort`` a chat call puts on the wire: from the caller's effort or Anthropic ``thinking``.

Two things ask a model to think: OpenAI's ``reasoning_effort`` and Anthropic's ``thinking`` (``{"type":
"enabled", "budget_tokens": N}``, or Claude Code 2.1's ``{"type": "adaptive"}`` with
``output_config.effort``). The providers here speak only the first, so ``thinking`` becomes an effort.

An effort the caller named is the caller's word: a model that does not accept it refuses it before any
request (``UnsupportedParamsError``, left out under ``drop_params``). An effort that came from
``thinking`` is the package's own reading of a budget, so it goes to the nearest effort the model
accepts instead (see ``nearest_effort``): Claude Code sends a budget to whichever model the proxy puts
behind it, and could not name a model's efforts if it wanted to.

The package, not LiteLLM, turns ``thinking`` into an effort for these routes, so that it knows where an
effort came from: LiteLLM's own translation (its ``/v1/messages`` adapter) hands over a bare effort
string, indistinguishable from one the caller named. The budget is bucketed by LiteLLM's own rule
(``reasoning_effort_from_thinking_budget``: 1024 ``low``, 2048 ``medium``, 4096 and more ``high``), the
one it applies to every other provider, so only the last step differs: a label the model lacks.
"""

from __future__ import annotations

import logging
import math
import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from litellm.exceptions import UnsupportedParamsError
from litellm.litellm_core_utils.reasoning_effort_utils import reasoning_effort_from_thinking_budget

from litellm_providers.catalog import ModelEntry
from litellm_providers.provider import ProviderSpec

logger = logging.getLogger("litellm_providers")

EFFORT_SCALE: Final = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
"""Efforts from least to most thinking, as OpenAI and the providers name them: "nearest" is on this scale."""

ANTHROPIC_REASONING_INPUTS: Final = frozenset({"thinking", "output_config"})
"""Anthropic parameters read into ``reasoning_effort``; the OpenAI-compatible wire has no field for them."""

_shown = reprlib.Repr()
_shown.maxstring = _shown.maxother = 60


@dataclass(frozen=True, slots=True)
class RequestedEffort:
    """The effort a call asks for, and whether it came from Anthropic ``thinking``."""

    effort: Any
    from_thinking: bool


def requested_effort(
    provider: ProviderSpec, name: str, optional_params: Mapping[str, Any], drop_params: bool
) -> RequestedEffort | None:
    """The effort ``optional_params`` ask for, None for none, or ``UnsupportedParamsError`` for a
    ``thinking`` that cannot be read (left out under ``drop_params``).

    An explicit ``reasoning_effort`` wins over ``thinking``. LiteLLM's ``/v1/messages`` adapter may wrap
    an effort with an OpenAI Responses reasoning summary, which chat completions have no field for: the
    effort itself is read.
    """
    effort = optional_params.get("reasoning_effort")
    if isinstance(effort, Mapping):
        effort = effort.get("effort")
    if effort is not None:
        return RequestedEffort(effort, from_thinking=False)
    thinking = optional_params.get("thinking")
    if thinking is None:
        return None
    try:
        derived = effort_from_thinking(thinking, optional_params.get("output_config"))
    except ValueError as unreadable:
        if drop_params:
            logger.debug(
                "%s: thinking=%s left out (drop_params): %s", name, _shown.repr(thinking), unreadable
            )
            return None
        raise UnsupportedParamsError(
            status_code=400,
            message=(
                f"{provider.display_name}: {name} cannot read thinking={_shown.repr(thinking)}: "
                f"{unreadable}. Pass drop_params=True to leave it out."
            ),
            llm_provider=provider.route,
            model=name,
        ) from None
    return None if derived is None else RequestedEffort(derived, from_thinking=True)


def effort_from_thinking(thinking: Any, output_config: Any = None) -> str | None:
    """The effort an Anthropic ``thinking`` asks for; None for adaptive thinking that names none (the
    model's own default, which is what adaptive means); ``ValueError`` saying why one cannot be read."""
    if not isinstance(thinking, Mapping):
        raise ValueError(f"thinking must be an object, not {type(thinking).__name__}")
    kind = thinking.get("type")
    if kind == "disabled":
        return "none"
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not math.isfinite(budget):
            raise ValueError("budget_tokens must be a finite number")
        if budget < 0:
            raise ValueError("budget_tokens must not be negative")
        return str(reasoning_effort_from_thinking_budget(int(budget)))
    if kind == "adaptive":
        effort = output_config.get("effort") if isinstance(output_config, Mapping) else None
        if effort is None:
            return None
        if not isinstance(effort, str):
            raise ValueError(f"output_config.effort must be a string, not {type(effort).__name__}")
        return effort
    raise ValueError("type must be 'enabled', 'adaptive' or 'disabled'")


def nearest_effort(wanted: str, accepted: Sequence[str]) -> str | None:
    """The effort in ``accepted`` closest to ``wanted`` on ``EFFORT_SCALE``; None if none compares.

    A tie goes to the lower effort: a thinking budget is a ceiling, and a model's reasoning shares
    ``max_tokens`` with its answer, so rounding up could spend the answer's tokens on thinking. ``none``
    is chosen only for ``none``: thinking the caller asked for is never turned off.
    """
    if wanted not in EFFORT_SCALE:
        return None
    rank = EFFORT_SCALE.index(wanted)
    candidates = [e for e in accepted if e in EFFORT_SCALE and (e != "none" or wanted == "none")]
    if not candidates:
        return None
    return min(candidates, key=lambda e: (abs(EFFORT_SCALE.index(e) - rank), EFFORT_SCALE.index(e)))


def reasoning_effort_to_send(
    provider: ProviderSpec,
    model: str,
    entry: ModelEntry | None,
    optional_params: Mapping[str, Any],
    drop_params: bool,
) -> Any:
    """The ``reasoning_effort`` to put on the wire, None to leave it out, or ``UnsupportedParamsError``.

    A catalogued model's accepted set is data (``ModelEntry.reasoning_efforts``): a value in it goes
    unchanged. A value outside it that came from ``thinking`` goes as the nearest accepted one; any other
    is refused before any request, since the provider would answer 400 (left out under ``drop_params``).
    A model that always reasons has nothing to set: the value is accepted and left out. A model the
    catalog does not know, or a reasoning model whose set it does not know, gets whatever was asked.
    """
    name = f"{provider.route}/{provider.catalog_model(model)}"
    requested = requested_effort(provider, name, optional_params, drop_params)
    if requested is None:
        return None
    effort = requested.effort
    if entry is None or effort in entry.reasoning_efforts:
        return effort
    if entry.reasoning and not entry.reasoning_efforts and not entry.always_reasons:
        # A reasoning model whose accepted set no source gives (yet): the provider decides.
        return effort
    if entry.always_reasons:
        logger.debug("%s always reasons, with no effort control; reasoning_effort=%r not sent", name, effort)
        return None
    nearest = nearest_effort(effort, entry.reasoning_efforts) if requested.from_thinking else None
    if nearest is not None:
        logger.debug(
            "%s lacks effort %r that thinking asks for; sending %r, the nearest it takes",
            name,
            effort,
            nearest,
        )
        return nearest
    if drop_params:
        logger.debug("%s does not take reasoning_effort=%r; dropped (drop_params)", name, effort)
        return None
    accepted = ", ".join(entry.reasoning_efforts) if entry.reasoning_efforts else "none (no effort control)"
    raise UnsupportedParamsError(
        status_code=400,
        message=(
            f"{provider.display_name}: {name} does not accept reasoning_effort={_shown.repr(effort)}; "
            f"accepted values: {accepted}. Pass drop_params=True to leave it out."
        ),
        llm_provider=provider.route,
        model=name,
    )
