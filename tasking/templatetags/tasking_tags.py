from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def duration(value: dt.timedelta | float | None) -> str:
    """“2 h 05 min”, “3 d 4 h”, “overdue 12 min”."""
    if value is None:
        return "—"
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    sign = "overdue " if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    return f"{sign}{minutes} min"


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
