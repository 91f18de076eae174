from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from portal.dashboard import Figure, Panel
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest
from tasking.models.requests import is_us_side

AWAITING_PARTNER = [RequestStatus.SUBMITTED]
UNMET = [RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.FAILED, RequestStatus.PARTIAL]


def tasking_panel(user: Any) -> Panel | None:
    now = timezone.now()
    if is_us_side(user):
        requests = TaskingRequest.objects.accessible_to(user)
        week_ago = now - dt.timedelta(days=7)
        return Panel(
            "Tasking",
            [
                Figure(
                    "Awaiting a partner's answer",
                    requests.filter(status__in=AWAITING_PARTNER).count(),
                    reverse("request-list") + "?status=submitted",
                ),
                Figure(
                    "Alternatives proposed to you",
                    requests.filter(status=RequestStatus.PROPOSED).count(),
                    reverse("request-list") + "?status=proposed",
                    alert=True,
                ),
                Figure(
                    "Unmet in the last 7 days",
                    requests.filter(status__in=UNMET, updated__gte=week_ago).count(),
                    reverse("request-list"),
                ),
            ],
        )
    if getattr(user, "spoc_id", None) is None:
        return None
    inbox = TaskingRequest.objects.answerable_by(user).filter(status=RequestStatus.SUBMITTED)
    soon = inbox.filter(response_deadline__lte=now + dt.timedelta(hours=1)).count()
    return Panel(
        "Your inbox",
        [
            Figure("Requests awaiting your answer", inbox.count(), reverse("request-inbox")),
            Figure("Due within the hour", soon, reverse("request-inbox"), alert=soon > 0),
        ],
    )
