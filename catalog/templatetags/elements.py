"""`{% stale_elements epoch mean_motion eccentricity %}`: the staleness warning on prediction pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from catalog.services.freshness import staleness

register = template.Library()


@register.simple_tag
def stale_elements(
    epoch: dt.datetime | None, mean_motion: Any, eccentricity: Any, at: dt.datetime | None = None
) -> str:
    warning = staleness(
        epoch,
        float(mean_motion) if mean_motion not in (None, "") else None,
        float(eccentricity) if eccentricity not in (None, "") else None,
        at or timezone.now(),
    )
    return format_html('<p class="warning stale-elements">{}</p>', warning) if warning else ""
