"""Periodic work over many requests: expiry, deadline reminders, settling, element refresh.

Each step moves a request with a conditional UPDATE, so two sweeps running at once, or one
run twice, change each request once.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from portal import audit
from portal.bulk import allocate_ids, insert_rows
from portal.markings.marking import Marking
from portal.markings.models import marking_from_columns
from portal.models.audit import AuditAction
from tasking.choices import Actor, NotificationKind, RequestAction, RequestStatus
from tasking.models import RequestEvent, TaskingRequest
from tasking.models.requests import event_label, reference_of, request_label
from tasking.services import fulfilment, notify
from tasking.services.elements import refresh_elements
from tasking.services.retask_queue import queue_retasking
from tasking.workflow import IN_EXECUTION

S = RequestStatus
REMINDER_BEFORE = dt.timedelta(hours=1)
BEFORE_EXECUTION = (S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.SCHEDULED)


class Claimed(NamedTuple):
    """An overdue request the sweep moved, as its UPDATE returned it."""

    id: int
    spoc_id: int
    requested_by_id: int | None
    operation_id: int | None
    title: str
    marking: Marking
    from_status: str


_RETURNED = "id, spoc_id, requested_by_id, operation_id, title, classification_level, noforn, rel_mask"


def expire_overdue(now: dt.datetime | None = None) -> dict[str, int]:
    """Requests nobody answered by the deadline, and proposals left unanswered until the
    alternative window opened, become expired.

    Set-based: one conditional UPDATE per source status claims the rows (a row another sweep
    already moved is not matched again) and returns what the rest needs, so no request is
    loaded; then the history, the audit trail and the notices are written as plain rows in the
    same transaction, whatever the number of requests."""
    now = now or timezone.now()
    table = connection.ops.quote_name(TaskingRequest._meta.db_table)
    claimed: list[Claimed] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            for old, column in ((S.SUBMITTED, "response_deadline"), (S.PROPOSED, "proposed_start")):
                condition = "<" if old == S.SUBMITTED else "<="
                cursor.execute(
                    f"UPDATE {table} SET status = %s, updated = %s, closed_at = %s "  # noqa: S608
                    f"WHERE status = %s AND {column} IS NOT NULL AND {column} {condition} %s "
                    f"RETURNING {_RETURNED}",
                    [S.EXPIRED, now, now, old, now],
                )
                claimed.extend(
                    Claimed(pk, spoc, by, operation, title, marking_from_columns(level, noforn, mask), old)
                    for pk, spoc, by, operation, title, level, noforn, mask in cursor.fetchall()
                )
        if claimed:
            _record_expiry(claimed, now)
    return {"expired": len(claimed)}


def _record_expiry(claimed: list[Claimed], now: dt.datetime) -> None:
    event_ids = allocate_ids(RequestEvent, len(claimed))
    insert_rows(
        RequestEvent,
        ("id", "request_id", "from_status"),
        [(pk, r.id, r.from_status) for pk, r in zip(event_ids, claimed, strict=True)],
        shared={
            "at": now,
            "actor_name": audit.current_actor().name,
            "side": Actor.SYSTEM,
            "action": RequestAction.EXPIRE,
            "to_status": S.EXPIRED,
            "reason_code": "",
            "text": "",
        },
    )
    for before in (S.SUBMITTED, S.PROPOSED):
        audit.record_rows(
            AuditAction.UPDATE,
            TaskingRequest,
            ((r.id, request_label(r.id, r.title), r.marking) for r in claimed if r.from_status == before),
            detail={"action": RequestAction.EXPIRE, "status": [before, S.EXPIRED], "side": Actor.SYSTEM},
        )
    audit.record_rows(
        AuditAction.CREATE,
        RequestEvent,
        (
            (pk, event_label(r.id, r.from_status, S.EXPIRED), None)
            for pk, r in zip(event_ids, claimed, strict=True)
        ),
    )
    staff_by_spoc = notify.partner_staff_of({r.spoc_id for r in claimed})
    requesters = notify.requester_sides((r.id, r.requested_by_id, r.operation_id) for r in claimed)
    notify.notify_many(
        (
            (
                requesters[r.id] + staff_by_spoc.get(r.spoc_id, []),
                r.id,
                r.marking,
                f"{reference_of(r.id)} expired without an answer",
            )
            for r in claimed
        ),
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
