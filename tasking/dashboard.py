"""The home page's tasking panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from portal.dashboard import Figure, Panel
from tasking.choices import RequestStatus
from tasking.models import Notification, TaskingRequest
from tasking.models.requests import is_us_side

UNMET = [RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.FAILED, RequestStatus.PARTIAL]


def tasking_panel(user: Any) -> Panel | None:
    now = timezone.now()
    if is_us_side(user):
        requests = TaskingRequest.objects.accessible_to(user)
        listing = reverse("request-list")
        return Panel(
            "Tasking",
            [
                Figure.count(
                    "Awaiting a partner's answer",
                    requests.filter(status=RequestStatus.SUBMITTED),
                    listing + "?status=submitted",
                ),
                Figure.count(
                    "Alternatives proposed to you",
                    requests.filter(status=RequestStatus.PROPOSED),
                    listing + "?status=proposed",
                    alert_if_any=True,
                ),
                Figure.count(
                    "Unmet in the last 7 days",
                    requests.filter(status__in=UNMET, updated__gte=now - dt.timedelta(days=7)),
                    listing + "?status=unmet&days=7",
                ),
            ],
        )
    if getattr(user, "spoc_id", None) is None:
        return None
    inbox = TaskingRequest.objects.answerable_by(user).filter(status=RequestStatus.SUBMITTED)
    return Panel(
        "Your inbox",
        [
            Figure.count("Requests awaiting your answer", inbox, reverse("request-inbox")),
            Figure.count(
                "Due within the hour",
                inbox.filter(response_deadline__lte=now + dt.timedelta(hours=1)),
                reverse("request-inbox"),
                alert_if_any=True,
            ),
        ],
    )


def unread_notifications(user: Any) -> Figure | None:
    """The reader's unread notifications: a count marked as the combination of what it counts."""
    unread = Notification.objects.visible_to(user).filter(user=user, read_at__isnull=True)
    figure = Figure.count("Unread notifications", unread, reverse("notification-list"))
    return figure if figure.value else None
