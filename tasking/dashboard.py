"""The home page's tasking panel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from portal.dashboard import Figure, Panel
from portal.templatetags.times import words
from tasking import workflow
from tasking.choices import RequestStatus
from tasking.models import Notification, TaskingRequest
from tasking.models.requests import is_us_side

UNMET = [RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.FAILED, RequestStatus.PARTIAL]
OPEN = sorted(workflow.AWAITING_ANSWER | workflow.IN_EXECUTION)
SOONEST = 3


def tasking_panel(user: Any) -> Panel | None:
    now = timezone.now()
    if is_us_side(user):
        requests = TaskingRequest.objects.accessible_to(user)
        listing = reverse("request-list")
        return Panel(
            "Tasking",
            [
                Figure.count(
                    "Open requests (awaiting an answer or being executed)",
                    requests.filter(status__in=OPEN),
                    listing + "?status=open",
                ),
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
    soonest = [
        Figure(
            f"Due: {r.reference} {r.title}"[:120],
            "overdue"
            if r.response_deadline < now
            else f"in {words((r.response_deadline - now).total_seconds())}",
            reverse("request-detail", args=[r.pk]),
            alert=r.response_deadline - now < dt.timedelta(hours=1),
            marking=r.marking,
        )
        for r in inbox.filter(response_deadline__isnull=False).order_by("response_deadline", "pk")[:SOONEST]
    ]
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
            *soonest,
        ],
    )


def unread_notifications(user: Any) -> Figure | None:
    """The reader's unread notifications: a count marked as the combination of what it counts."""
    unread = Notification.objects.visible_to(user).filter(user=user, read_at__isnull=True)
    figure = Figure.count("Unread notifications", unread, reverse("notification-list"))
    return figure if figure.value else None
