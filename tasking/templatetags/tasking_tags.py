"""Template filters of the tasking pages: durations, deadlines, urgency, priority classes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from agreements.choices import QUICK_TURN_PRIORITIES
from portal.templatetags.times import span
from tasking.services.filing import staffing_note as current_staffing_note

register = template.Library()


@register.filter
def duration(value: dt.timedelta | float | None) -> str:
    """A span in words, as everywhere in the portal (“2 days 3 h”, “overdue 12 min”)."""
    return span(value)


@register.filter
def time_left(deadline: dt.datetime | None) -> str:
    if deadline is None:
        return "—"
    return duration(deadline - timezone.now())


@register.filter
def is_overdue(deadline: dt.datetime | None) -> bool:
    return deadline is not None and deadline < timezone.now()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


# Thresholds an operator on watch acts on: past due, within the hour, within the shift.
URGENT = dt.timedelta(hours=1)
SOON = dt.timedelta(hours=4)


@register.filter
def urgency(deadline: dt.datetime | None) -> str:
    """A CSS class for how close `deadline` is: overdue, urgent, soon, or nothing."""
    if deadline is None:
        return ""
    left = deadline - timezone.now()
    if left < dt.timedelta(0):
        return "overdue"
    if left < URGENT:
        return "urgent"
    if left < SOON:
        return "soon"
    return ""


EXECUTING = frozenset({"proposed", "accepted", "scheduled", "collected", "delivered"})


@register.filter
def window_countdown(request: Any) -> str:
    """Where an accepted request's execution stands: “opens in 2 h 05 min”, “open, 3 h left”, “closed”."""
    if request.status not in EXECUTING:
        return "—"
    windows = sorted((w.start, w.end) for w in request.windows.all())
    now = timezone.now()
    for start, end in windows:
        if now < start:
            return f"opens in {duration(start - now)}"
        if now < end:
            return f"open, {duration(end - now)} left"
    return "closed" if windows else "—"


@register.filter
def priority_class(priority: str) -> str:
    return "quick-turn" if priority in QUICK_TURN_PRIORITIES else ""


@register.filter
def staffing_note(request: Any) -> str:
    """Whether anyone is on watch at the partner, as of now (not as it was at filing)."""
    return current_staffing_note(request)
