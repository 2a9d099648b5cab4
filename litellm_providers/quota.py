"""How much of a subscription is left: Synthetic's ``GET /v2/quotas`` as typed data.

Synthetic answers ``{"subscription": {"limit": 135, "requests": 0, "renewsAt": "<ISO 8601>"}}``, and
newer answers add windows (``search.hourly``, ``freeToolCalls``, ``weeklyTokenLimit``,
``rollingFiveHourLimit``). The same JSON may ride on a chat response as the ``x-synthetic-quotas``
header. Every window is read into one shape, ``QuotaWindow`` (used, limit, remaining, renews at); a
window this module does not know is kept (``QuotaSnapshot.model_extra``) and read the same way when it
has the request-counter shape. No LiteLLM import: ``errors.py`` reads the header of a refused call.

The header rides on answers the package does not control, so nothing in it may break a call: a header
that cannot be read is ignored with a warning (``snapshot_from_header``), and every time and number a
snapshot holds is one the describers can do arithmetic on (``UtcDatetime``, ``_finite``).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger("litellm_providers")


def _as_utc(value: datetime) -> datetime:
    """``value`` as an aware UTC time, so that subtracting ``now`` and formatting it cannot fail.

    A time without a timezone is read as UTC: Synthetic writes UTC, and a reading off by the reader's
    offset beats one that cannot be compared with ``now`` at all. An aware time whose UTC reading falls
    outside ``datetime``'s range (``0001-01-01T00:00:00+05:00``, ``9999-12-31T23:59:59-05:00``) is
    clamped to the range's edge: "long ago" and "far ahead" are what such a provider means, if anything.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if value.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)


# Every time a quotas answer carries: pydantic accepts naive and offset times, which are made UTC here.
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def _finite(value: float | None) -> float | None:
    """A count of requests or credits, or None: ``inf`` and ``NaN`` (JSON's ``1e400``, ``NaN``) count
    nothing, and arithmetic on them only gives more of them."""
    return value if value is None or math.isfinite(value) else None


def _amount(value: Any) -> float | None:
    """A number as the quotas JSON writes it: 135, "135", "$24.00"; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return _finite(float(value))
        return _finite(float(str(value).strip().lstrip("$").replace(",", "")))
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        return None


class QuotaWindow(BaseModel):
    """One window of a subscription, however the provider writes it."""

    model_config = ConfigDict(frozen=True)

    name: str
    used: float | None = None
    limit: float | None = None
    renews_at: UtcDatetime | None = None

    @field_validator("used", "limit", mode="after")
    @classmethod
    def _counted(cls, value: float | None) -> float | None:
        return _finite(value)

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
        return max((self.renews_at - _as_utc(now or datetime.now(UTC))).total_seconds(), 0.0)


class _Counter(BaseModel):
    """``{"limit": 135, "requests": 0, "renewsAt": "..."}``: requests used of a limit, per window."""

    model_config = ConfigDict(extra="allow")

    limit: float | None = None
    requests: float | None = None
    renews_at: UtcDatetime | None = Field(default=None, alias="renewsAt")

    def window(self, name: str) -> QuotaWindow:
        return QuotaWindow(name=name, used=self.requests, limit=self.limit, renews_at=self.renews_at)


class _Credits(BaseModel):
    """``weeklyTokenLimit``: credits left of a weekly allowance, regenerating in steps."""

    model_config = ConfigDict(extra="allow")

    max_credits: float | None = Field(default=None, alias="maxCredits")
    remaining_credits: float | None = Field(default=None, alias="remainingCredits")
    next_regen_at: UtcDatetime | None = Field(default=None, alias="nextRegenAt")

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
    next_tick_at: UtcDatetime | None = Field(default=None, alias="nextTickAt")

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
    """The quotas a response header carried, or None when it carried none that can be read.

    An unreadable header is logged as a warning naming only what was wrong with it, never its text,
    which a provider could have filled with anything, the caller's key included.
    """
    if not value:
        return None
    try:
        return QuotaSnapshot.model_validate(json.loads(value))
    except ValidationError as error:  # JSON, but not quotas: its first problem, without the input
        reason = error.errors(include_url=False, include_input=False)[0]["msg"]
    except json.JSONDecodeError as error:
        reason = f"not JSON ({error.msg})"
    except RecursionError:  # json.loads of thousands of nested arrays
        reason = "JSON nested too deeply to read"
    except ValueError:  # e.g. an integer longer than Python converts (4300 digits)
        reason = "JSON with a number that cannot be read"
    logger.warning("ignoring an unreadable quotas header: %s", reason)
    return None


def exhausted_from_header(value: str | None) -> str | None:
    """Which window of a refusal's quotas header ran out, and when it renews, or None; never raises.

    The caller is building the provider's error, decided already by status and code; this only adds a
    hint to its message, so a header nobody foresaw is ignored with a warning rather than allowed to
    replace that error with one of its own.
    """
    snapshot = snapshot_from_header(value)
    if snapshot is None:
        return None
    try:
        return describe_exhausted(snapshot)
    except Exception as error:  # the hint is optional; the error it would decorate is not
        logger.warning("ignoring a quotas header that cannot be described: %s", type(error).__name__)
        return None


def _when(window: QuotaWindow, now: datetime | None = None) -> str:
    """How long until the window renews, in the two largest units: ``3h 5m``, ``2d 4h``, ``now``."""
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
            text += f", renews at {_utc_minute(window.renews_at)} (in {_when(window, now)})"
        parts.append(text)
    return "; ".join(parts)


def _utc_minute(at: datetime) -> str:
    # Not strftime: glibc's %Y writes year 1 as "1", not "0001".
    at = _as_utc(at)
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}Z"


def _number(value: float | None) -> str:
    if value is None or not math.isfinite(value):
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
