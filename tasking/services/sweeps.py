"""Periodic work over many requests: expiry, deadline reminders, settling, element refresh.

Each step moves a request with a conditional UPDATE, so two sweeps running at once, or one
run twice, change each request once.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from portal import audit
from portal.models.audit import AuditAction
from tasking.choices import Actor, NotificationKind, RequestAction, RequestStatus
from tasking.models import RequestEvent, TaskingRequest
from tasking.services import fulfilment, notify
from tasking.services.elements import refresh_elements
from tasking.services.retask_queue import queue_retasking
from tasking.workflow import IN_EXECUTION

S = RequestStatus
REMINDER_BEFORE = dt.timedelta(hours=1)
BEFORE_EXECUTION = (S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.SCHEDULED)


def expire_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Requests nobody answered by the deadline, and proposals left unanswered until the
    alternative window opened, become expired.

    Set-based: one conditional UPDATE per source status claims the rows (a row another sweep
    already moved is not matched again), then the history, the audit trail and the notices are
    written in bulk in the same transaction, whatever the number of requests."""
    now = now or timezone.now()
    table = connection.ops.quote_name(TaskingRequest._meta.db_table)
    claimed: dict[int, str] = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            for old, column in ((S.SUBMITTED, "response_deadline"), (S.PROPOSED, "proposed_start")):
                condition = "<" if old == S.SUBMITTED else "<="
                cursor.execute(
                    f"UPDATE {table} SET status = %s, updated = %s, closed_at = %s "  # noqa: S608
                    f"WHERE status = %s AND {column} IS NOT NULL AND {column} {condition} %s RETURNING id",
                    [S.EXPIRED, now, now, old, now],
                )
                claimed.update({row[0]: old for row in cursor.fetchall()})
        if claimed:
            _record_expiry(claimed, now)
    return {"expired": len(claimed)}


def _record_expiry(claimed: dict[int, str], now: dt.datetime) -> None:
    requests = list(
        TaskingRequest.objects.filter(pk__in=claimed).select_related(
            "spoc", "requested_by", "operation__lead"
        )
    )
    actor_name = audit.current_actor().name
    events = RequestEvent.objects.bulk_create(
        RequestEvent(
            request=request,
            at=now,
            actor=None,
            actor_name=actor_name,
            side=Actor.SYSTEM,
            action=RequestAction.EXPIRE,
            from_status=claimed[request.pk],
            to_status=S.EXPIRED,
        )
        for request in requests
    )
    for before in (S.SUBMITTED, S.PROPOSED):
        audit.record_many(
            AuditAction.UPDATE,
            [r for r in requests if claimed[r.pk] == before],
            detail={"action": RequestAction.EXPIRE, "status": [before, S.EXPIRED], "side": Actor.SYSTEM},
        )
    audit.record_many(AuditAction.CREATE, events)
    staff_by_spoc = notify.partner_staff_of({r.spoc_id for r in requests})
    notify.notify_many(
        [
            (
                notify.requester_side(r) + staff_by_spoc.get(r.spoc_id, []),
                r,
                f"{r.reference} expired without an answer",
            )
            for r in requests
        ],
        NotificationKind.EXPIRED,
    )
    queue_retasking()


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
