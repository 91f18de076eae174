"""The watch overview: each app contributes panels, listed in settings.DASHBOARD_PANELS.

A panel function takes the user and returns a `Panel` (or None when it has nothing for that
user). Every figure in a panel comes from a queryset filtered by `visible_to(user)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from portal.markings.marking import Marking
from portal.markings.models import MarkedQuerySet


@dataclass
class Figure:
    label: str
    value: int | str
    url: str = ""
    alert: bool = False  # drawn in the warning colour: needs someone's attention
    # A count of marked records is itself marked: the combination of what it counts.
    marking: Marking | None = None

    @classmethod
    def count(cls, label: str, rows: MarkedQuerySet, url: str = "", *, alert_if_any: bool = False) -> Figure:
        value, marking = rows.count_and_marking()
        return cls(label, value, url, alert=alert_if_any and value > 0, marking=marking)


@dataclass
class Panel:
    title: str
    figures: list[Figure] = field(default_factory=list)
    note: str = ""


def panels_for(user: Any) -> list[Panel]:
    panels = []
    for dotted in settings.DASHBOARD_PANELS:
        make: Callable[[Any], Panel | None] = import_string(dotted)
        panel = make(user)
        if panel is not None:
            panels.append(panel)
    return panels
