"""Honest times and plain words: every instant in UTC with its Z, ages and spans in words, and
enum codes as their labels (`label`, from `portal.labels`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from portal.labels import label_of

register = template.Library()


@register.filter
def label(value: Any, within: str | None = None) -> str:
    """An enum code (or a list of codes) as its label: `in_negotiation` -> "In negotiation";
    `{{ code|label:"RequestStatus" }}` for a code two vocabularies label differently."""
    return label_of(value, within)


@register.filter
def utc(value: dt.datetime | None, precision: str = "minutes") -> str:
    """`2026-12-01 13:05Z` (or with seconds); an em dash for no time."""
    if not isinstance(value, dt.datetime):
        return "—"
    value = value.astimezone(dt.UTC) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%d %H:%M:%SZ" if precision == "seconds" else "%Y-%m-%d %H:%MZ")


def words(seconds: float) -> str:
    """A span in words, to the two largest units: “2 days 3 h”, “45 min”, “under a minute”."""
    seconds = abs(seconds)
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days >= 2:
        return f"{days} days" + (f" {hours} h" if hours and days < 7 else "")
    if days == 1:
        return "1 day" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {minutes} min" if minutes else "")
    if minutes:
        return f"{minutes} min"
    return "under a minute"


@register.filter
def age(value: dt.datetime | None, now: Any = None) -> str:
    """How long ago (“3 h 5 min ago”) or how far ahead (“in 2 days”) `value` is."""
    if not isinstance(value, dt.datetime):
        return "—"
    now = now if isinstance(now, dt.datetime) else timezone.now()
    delta = (value - now).total_seconds()
    return f"in {words(delta)}" if delta > 0 else f"{words(delta)} ago"


@register.filter
def span(value: dt.timedelta | float | None) -> str:
    """A duration in words: “2 days”, “4 h 30 min”; a negative one (a passed deadline) is
    “overdue 12 min”."""
    if value is None or value == "":
        return "—"
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return f"overdue {words(seconds)}" if seconds < 0 else words(seconds)


@register.filter
def split_list(value: str) -> list[str]:
    return [part for part in str(value).split(",") if part]


@register.filter
def is_past(value: dt.datetime | None) -> bool:
    return isinstance(value, dt.datetime) and value < timezone.now()
