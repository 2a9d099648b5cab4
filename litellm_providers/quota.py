"""How much of a subscription is left: Synthetic's ``GET /v2/quotas`` as typed data.

Synthetic answers ``{"subscription": {"limit": 135, "requests": 0, "renewsAt": "<ISO 8601>"}}``, and
newer answers add windows (``search.hourly``, ``freeToolCalls``, ``weeklyTokenLimit``,
``rollingFiveHourLimit``). The same JSON may ride on a chat response as the ``x-synthetic-quotas``
header. Every window is read into one shape, ``QuotaWindow`` (used, limit, remaining, renews at); a
window this module does not know is kept (``QuotaSnapshot.model_extra``) and read the same way when it
has the request-counter shape. No LiteLLM import: ``errors.py`` reads the header of a refused call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def _amount(value: Any) -> float | None:
    """A number as the quotas JSON writes it: 135, "135", "$24.00"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().lstrip("$").replace(",", ""))
    except ValueError:
        return None


class QuotaWindow(BaseModel):
    """One window of a subscription, however the provider writes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    used: float | None = None
    limit: float | None = None
    renews_at: datetime | None = None

    @property
    def remaining(self) -> float | None:
        if self.limit is None or self.used is None:
            return None
        return max(self.limit - self.used, 0.0)

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0

    def renews_in(self, now: datetime | None = None) -> float | None:
        """Seconds until the window renews (0 once that time has passed), if the provider said."""
        if self.renews_at is None:
            return None
        return max((self.renews_at - (now or datetime.now(UTC))).total_seconds(), 0.0)


class _Counter(BaseModel):
    """``{"limit": 135, "requests": 0, "renewsAt": "..."}``: requests used of a limit, per window."""

    model_config = ConfigDict(extra="allow")

    limit: float | None = None
    requests: float | None = None
    renews_at: datetime | None = Field(default=None, alias="renewsAt")

    def window(self, name: str) -> QuotaWindow:
        return QuotaWindow(name=name, used=self.requests, limit=self.limit, renews_at=self.renews_at)


class _Credits(BaseModel):
    """``weeklyTokenLimit``: credits left of a weekly allowance, regenerating in steps."""

    model_config = ConfigDict(extra="allow")

    max_credits: float | None = Field(default=None, alias="maxCredits")
    remaining_credits: float | None = Field(default=None, alias="remainingCredits")
    next_regen_at: datetime | None = Field(default=None, alias="nextRegenAt")

    @field_validator("max_credits", "remaining_credits", mode="before")
    @classmethod
    def _dollars(cls, value: Any) -> float | None:
        return _amount(value)  # written as strings, "$24.00"

    def window(self, name: str) -> QuotaWindow:
        used = None
        if self.max_credits is not None and self.remaining_credits is not None:
            used = round(self.max_credits - self.remaining_credits, 6)
        return QuotaWindow(name=name, used=used, limit=self.max_credits, renews_at=self.next_regen_at)


class _Rolling(BaseModel):
    """``rollingFiveHourLimit``: requests left of a rolling maximum, refilled a tick at a time."""

    model_config = ConfigDict(extra="allow")

    max: float | None = None
    remaining: float | None = None
    next_tick_at: datetime | None = Field(default=None, alias="nextTickAt")

    def window(self, name: str) -> QuotaWindow:
        used = self.max - self.remaining if self.max is not None and self.remaining is not None else None
        return QuotaWindow(name=name, used=used, limit=self.max, renews_at=self.next_tick_at)


class _Search(BaseModel):
    model_config = ConfigDict(extra="allow")

    hourly: _Counter | None = None


class QuotaSnapshot(BaseModel):
    """One answer of the quotas endpoint (or one ``x-synthetic-quotas`` header), typed.

    The known windows have fields; any other top-level window is kept in ``model_extra`` and still
    listed by ``windows()`` when it has the ``limit``/``requests``/``renewsAt`` shape.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    subscription: _Counter | None = None
    search: _Search | None = None
    free_tool_calls: _Counter | None = Field(default=None, alias="freeToolCalls")
    weekly_token_limit: _Credits | None = Field(default=None, alias="weeklyTokenLimit")
    rolling_five_hour_limit: _Rolling | None = Field(default=None, alias="rollingFiveHourLimit")

    def windows(self) -> list[QuotaWindow]:
        """Every window the answer holds, in a fixed order: known ones first, then the others."""
        return list(self._windows())

    def _windows(self) -> Iterator[QuotaWindow]:
        if self.subscription is not None:
            yield self.subscription.window("subscription")
        if self.search is not None and self.search.hourly is not None:
            yield self.search.hourly.window("search.hourly")
        if self.free_tool_calls is not None:
            yield self.free_tool_calls.window("freeToolCalls")
        if self.weekly_token_limit is not None:
            yield self.weekly_token_limit.window("weeklyTokenLimit")
        if self.rolling_five_hour_limit is not None:
            yield self.rolling_five_hour_limit.window("rollingFiveHourLimit")
        for name, value in (self.model_extra or {}).items():
            if isinstance(value, Mapping) and {"limit", "requests"} <= value.keys():
                try:
                    yield _Counter.model_validate(value).window(name)
                except ValidationError:
                    continue  # a window of a shape nobody documented: kept in model_extra, not listed


def snapshot_from_header(value: str | None) -> QuotaSnapshot | None:
    """The quotas a response header carried, or None when it carried none that can be read."""
    if not value:
        return None
    try:
        return QuotaSnapshot.model_validate(json.loads(value))
    except (ValueError, ValidationError):
        return None


def _when(window: QuotaWindow, now: datetime | None = None) -> str:
    left = window.renews_in(now)
    if left is None:
        return "—"
    seconds = int(left)
    if seconds <= 0:
        return "now"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{max(minutes, 1)}m"


def describe_exhausted(snapshot: QuotaSnapshot, now: datetime | None = None) -> str | None:
    """``subscription quota used up (135 of 135), renews at 2025-09-21T14:36Z (in 3h 5m)``, or None."""
    spent = [window for window in snapshot.windows() if window.exhausted]
    if not spent:
        return None
    parts = []
    for window in spent:
        text = f"{window.name} quota used up ({_number(window.used)} of {_number(window.limit)})"
        if window.renews_at is not None:
            at = window.renews_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
            text += f", renews at {at} (in {_when(window, now)})"
        parts.append(text)
    return "; ".join(parts)


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def quotas_table(snapshot: QuotaSnapshot, now: datetime | None = None) -> str:
    """The windows as a table: window, used, limit, remaining, renews in."""
    header = ("window", "used", "limit", "remaining", "renews in")
    rows: list[tuple[str, ...]] = [header]
    for window in snapshot.windows():
        rows.append(
            (
                window.name,
                _number(window.used),
                _number(window.limit),
                _number(window.remaining),
                _when(window, now),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
