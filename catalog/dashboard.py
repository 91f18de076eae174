"""The home page's catalog panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from catalog.models import SpaceObject, SyncRun
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
