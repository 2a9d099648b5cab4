"""What Synthetic's platform endpoints answer in the emulator: the live model list, the quotas, embeddings,
web search."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from litellm_providers.catalog import active_models
from litellm_providers.provider import ProviderSpec

# A model the bundled catalog does not know yet, as a provider's live list would announce it.
NEW_LIVE_MODEL = "hf:moonshotai/Kimi-K2.5"
_EMULATED_PRICES = {"prompt": "$0.0000006", "completion": "$0.0000024", "input_cache_reads": "$0.0000003"}


def live_model_list(provider: ProviderSpec) -> dict[str, Any]:
    """The provider's live model list in Synthetic's documented shape: every catalogued model with a
    price (the emulator's own, not the provider's), one new vision model, one malformed entry."""
    entries: list[Any] = []
    for name, entry in active_models(provider.route).items():
        if provider.alias_prefix and name.startswith(provider.alias_prefix):
            continue  # listed below, with the model each routes to
        live: dict[str, Any] = {
            "id": name,
            "object": "model",
            "name": name.rsplit("/", 1)[-1],
            "context_length": entry.context_window,
            "max_output_length": entry.max_output_tokens or 32_768,
            "input_modalities": ["text", "image"] if entry.vision else ["text"],
            "output_modalities": ["text"],
            "supported_features": ["reasoning"] if entry.reasoning else [],
        }
        if entry.input_usd_per_million is None:
            live["pricing"] = _EMULATED_PRICES
        if entry.tier:
            live["tier"] = entry.tier
        if entry.reasoning_efforts:
            live["reasoning_parameters"] = {"efforts": list(entry.reasoning_efforts)}
        entries.append(live)
    entries.append(
        {
            "id": NEW_LIVE_MODEL,
            "object": "model",
            "context_length": 262_144,
            "max_output_length": 65_536,
            "input_modalities": ["text", "image"],
            "supported_features": ["tools", "reasoning"],
            "reasoning_parameters": {"efforts": ["low", "high", "max"]},
            "pricing": _EMULATED_PRICES,
            "a_field_nobody_documented": True,
        }
    )
    if provider.alias_prefix:  # Synthetic lists its aliases with the model each routes to
        for alias, target in EMULATED_ALIAS_TARGETS.items():
            entries.append(
                {
                    "id": alias,
                    "object": "model",
                    "hugging_face_id": target,
                    "context_length": 65_536,
                    "input_modalities": ["text", "image"] if "vision" in alias else ["text"],
                }
            )
    entries.append({"id": "hf:broken/Entry", "context_length": "a lot"})
    return {"object": "list", "data": entries}


# Synthetic's syn: aliases in the live list name the model they route to today (hugging_face_id).
EMULATED_ALIAS_TARGETS = {
    "syn:large:text": "deepseek-ai/DeepSeek-V4.1-Flash",
    "syn:small:text": "zai-org/GLM-4.7-Flash",
    "syn:large:vision": "moonshotai/Kimi-K2.6",
    "syn:small:vision": "Qwen/Qwen3.6-27B",
}
QUOTA_LIMIT = 135
_FIVE_HOURS = 5 * 3600
_DAY = 24 * 3600
SEARCH_QUOTA_LIMIT = 250


def renewal_times(now: datetime | None = None) -> dict[str, datetime]:
    """When each window gives requests back, moving with the clock as Synthetic's do: the subscription's
    five-hour window and the rolling limit's ticks (a tenth of five hours) on fixed boundaries, the
    hourly search window at the next hour, the daily ones at the next UTC midnight."""
    now = now or datetime.now(UTC)
    seconds = now.timestamp()

    def next_boundary(step: int) -> datetime:
        return datetime.fromtimestamp((seconds // step + 1) * step, UTC)

    return {
        "subscription": next_boundary(_FIVE_HOURS),
        "hourly": next_boundary(3600),
        "daily": next_boundary(_DAY),
        "tick": next_boundary(_FIVE_HOURS // 10),
    }


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def quotas_answer(
    requests_seen: int,
    *,
    exhausted: bool = False,
    search_exhausted: bool = False,
    now: datetime | None = None,
    subscription_renews: datetime | None = None,
) -> dict[str, Any]:
    """Synthetic's quotas JSON: the documented subscription window, the newer optional ones, and one
    window nobody documented (a client must keep it, not crash). ``exhausted`` shows the subscription
    used up, ``search_exhausted`` the hourly search window; ``subscription_renews`` moves the
    subscription's renewal from its five-hour boundary (a test's short window)."""
    used = QUOTA_LIMIT if exhausted else min(requests_seen, QUOTA_LIMIT)
    searched = SEARCH_QUOTA_LIMIT if search_exhausted else 3
    at = {name: _iso(when) for name, when in renewal_times(now).items()}
    if subscription_renews is not None:
        at["subscription"] = _iso(subscription_renews)
    return {
        "subscription": {"limit": QUOTA_LIMIT, "requests": used, "renewsAt": at["subscription"]},
        "search": {"hourly": {"limit": SEARCH_QUOTA_LIMIT, "requests": searched, "renewsAt": at["hourly"]}},
        "freeToolCalls": {"limit": 1620, "requests": 120, "renewsAt": at["daily"]},
        "weeklyTokenLimit": {
            "nextRegenAt": at["hourly"],
            "percentRemaining": 80,
            "maxCredits": "$24.00",
            "remainingCredits": "$19.20",
            "nextRegenCredits": "$3.43",
        },
        "rollingFiveHourLimit": {
            "nextTickAt": at["tick"],
            "tickPercent": 10,
            "remaining": 40,
            "max": 50,
            "limited": False,
        },
        "dailyImageLimit": {"limit": 20, "requests": 2, "renewsAt": at["daily"]},
    }


def embedding_of(text: str, dimensions: int) -> list[float]:
    """A deterministic unit-free vector for a text: the same text always gets the same vector."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round((digest[i % len(digest)] - 128) / 128, 6) for i in range(max(dimensions, 1))]


SEARCH_RESULTS = 3
"""How many results a search gets unless ``emulate:results=<n>`` asks for another number."""


def search_answer(query: str, count: int = SEARCH_RESULTS) -> dict[str, Any]:
    """Synthetic's search JSON for a query: ``count`` deterministic results, the last without
    ``published`` (Synthetic leaves it out when it does not know)."""
    words = query.split()
    slug = "-".join(word.lower() for word in words)[:60] or "search"
    results: list[dict[str, Any]] = []
    for rank in range(1, count + 1):
        result = {
            "url": f"https://example.org/{slug}/{rank}",
            "title": f"Result {rank} for {query}",
            "text": f"Page {rank} about {query}. It says what the query asked, in a few sentences.",
            "published": f"2025-0{min(rank, 9)}-15T08:00:00.000Z",
        }
        if rank == count and count > 1:
            del result["published"]
        results.append(result)
    return {"results": results}


# What a careless search backend answers: one good result, then results of the wrong shape.
MALFORMED_SEARCH_ANSWER: dict[str, Any] = {
    "results": [
        {"url": "https://example.org/ok", "title": "Fine", "text": "A result of the right shape."},
        {"url": 42, "title": None, "text": ["not", "a", "string"]},
    ]
}
