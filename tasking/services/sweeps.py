"""Periodic work over many requests: expiry, deadline reminders, settling, element refresh.

Each step moves a request with a conditional UPDATE, so two sweeps running at once, or one
run twice, change each request once.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.errors import Conflict
from tasking.choices import Actor, NotificationKind, RequestAction, RequestStatus
from tasking.models import TaskingRequest
from tasking.services import fulfilment, notify, transitions
from tasking.services.elements import refresh_elements
from tasking.workflow import IN_EXECUTION

S = RequestStatus
REMINDER_BEFORE = dt.timedelta(hours=1)
BEFORE_EXECUTION = (S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.SCHEDULED)


def expire_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Requests nobody answered by the deadline, and proposals left unanswered until the
    alternative window opened, become expired."""
    now = now or timezone.now()
    overdue = list(
        TaskingRequest.objects.filter(status=S.SUBMITTED, response_deadline__lt=now).select_related(
            "spoc", "requested_by", "operation__lead"
        )
    ) + list(
        TaskingRequest.objects.filter(status=S.PROPOSED, proposed_start__lte=now).select_related(
            "spoc", "requested_by", "operation__lead"
        )
    )
    expired = 0
    for request in overdue:
        try:
            transitions.apply(request, RequestAction.EXPIRE, side=Actor.SYSTEM, now=now)
        except Conflict:
            continue
        expired += 1
    return {"expired": expired}


def remind_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    due = TaskingRequest.objects.filter(
        status=S.SUBMITTED,
        deadline_warned_at__isnull=True,
        response_deadline__gte=now,
        response_deadline__lt=now + REMINDER_BEFORE,
    )
    reminded = 0
    for request in due.select_related("spoc"):
        if TaskingRequest.objects.filter(pk=request.pk, deadline_warned_at__isnull=True).update(
            deadline_warned_at=now
        ):
            minutes = int((request.response_deadline - now).total_seconds() // 60)
            notify.notify(
                notify.partner_staff(request),
                NotificationKind.DEADLINE_APPROACHING,
                request,
                f"{request.reference}: answer due in {minutes} min",
            )
            reminded += 1
    return {"reminded": reminded}


def settle_in_execution(now: dt.datetime | None = None) -> dict[str, int]:
    """Count observations for requests being executed (or partly met) whose window has opened."""
    now = now or timezone.now()
    candidates = (
        TaskingRequest.objects.filter(status__in=[*IN_EXECUTION, S.PARTIAL])
        .filter(windows__start__lte=now)
        .distinct()
        .select_related("agreement", "spoc", "requested_by")
        .prefetch_related("windows", "targets")
    )
    moved = 0
    for request in candidates:
        before = request.status
        after = fulfilment.evaluate(request, now=now).status
        moved += after != before
    return {"settled": moved}


def refresh_before_execution(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    refreshed = 0
    for request in TaskingRequest.objects.filter(status__in=BEFORE_EXECUTION).select_related("requested_by"):
        refreshed += refresh_elements(request, now)
    return {"element_sets_refreshed": refreshed}
