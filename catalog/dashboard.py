"""The home page's catalog and observations panels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalog.models import Observation, SpaceObject, SyncRun
from portal.dashboard import Figure, Panel


def catalog_panel(user: Any) -> Panel:
    figures = [
        Figure.count("Objects you may see", SpaceObject.objects.visible_to(user), reverse("spaceobject-list"))
    ]
    last_run = SyncRun.objects.visible_to(user).order_by("-started").first()
    if last_run is not None:
        figures.append(
            Figure(
                "Last sync",
                f"{last_run.get_status_display()} {last_run.started:%d %b %H:%M}Z",
                reverse("syncrun-list"),
                alert=last_run.status == "failed",
                marking=last_run.marking,
            )
        )
    return Panel("Catalog", figures)


def observations_panel(user: Any) -> Panel:
    recent = Observation.objects.visible_to(user).filter(
        batch__received__gte=timezone.now() - dt.timedelta(hours=24)
    )
    # Both figures from one pass over the day's rows.
    figures = recent.counts_and_markings(received=None, uct=Q(space_object__isnull=True))
    listing = reverse("observation-list")
    return Panel(
        "Observations received, last 24 h",
        [
            Figure.of("Received", figures["received"], listing),
            Figure.of("Uncorrelated (UCT)", figures["uct"], listing + "?uct=yes"),
        ],
    )
