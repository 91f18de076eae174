"""The watch overview: each app contributes panels, listed in settings.DASHBOARD_PANELS.

A panel function takes the user and returns a `Panel` (or None when it has nothing for that
user). Every figure in a panel comes from a queryset filtered by `visible_to(user)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from portal.markings.marking import Marking
from portal.markings.models import MarkedQuerySet
from portal.models import AccessChange, AccessChangeStatus, Role


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
        return cls.of(label, rows.count_and_marking(), url, alert_if_any=alert_if_any)

    @classmethod
    def of(
        cls, label: str, counted: tuple[int, Marking | None], url: str = "", *, alert_if_any: bool = False
    ) -> Figure:
        """A count and its marking, from `MarkedQuerySet.counts_and_markings`."""
        value, marking = counted
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


def security_panel(user: Any) -> Panel | None:
    """What the security officer handles first: access changes waiting for a second officer."""
    if getattr(user, "role", None) != Role.SECURITY_OFFICER:
        return None
    pending = AccessChange.objects.filter(status=AccessChangeStatus.PENDING)
    yours = pending.exclude(requested_by=user).count()
    asked = pending.filter(requested_by=user).count()
    url = reverse("security-approvals")
    return Panel(
        "Approvals",
        [
            Figure("Waiting for your approval", yours, url, alert=yours > 0),
            Figure("Your changes waiting for a second officer", asked, url),
        ],
        note="Nobody approves their own change: TOP SECRET grants and nationality changes "
        "need a second officer.",
    )
