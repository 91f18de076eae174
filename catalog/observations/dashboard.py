"""The home page's observations panel."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from catalog.observations.services.batches import batches_visible_to
from portal.dashboard import Figure, Panel
from portal.markings.models import MarkedQuerySet


def observations_panel(user: Any) -> Panel:
    """From the counts the day's deliveries store (accepted, left uncorrelated), over the
    deliveries the reader may read: a batch is marked as the combination of what it carries,
    so its reader may read every observation it counts. No scan of the observations."""
    recent = batches_visible_to(user).filter(received__gte=timezone.now() - dt.timedelta(hours=24))
    _, marking = cast(MarkedQuerySet, recent.order_by()).count_and_marking()
    totals = recent.order_by().aggregate(received=Sum("accepted", default=0), uct=Sum("uct", default=0))
    listing = reverse("observation-list")
    return Panel(
        "Observations received, last 24 h",
        [
            Figure("Received", totals["received"], listing, marking=marking),
            Figure("Uncorrelated (UCT)", totals["uct"], listing + "?uct=yes", marking=marking),
        ],
    )
