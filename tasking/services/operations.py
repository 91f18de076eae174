"""Coalition operations: creating them, planning who covers which pass, and their live status."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from portal import conflicts, references
from portal.errors import DomainError, NotAllowed
from portal.markings.marking import Marking
from portal.models import SpOC
from tasking.choices import OperationStatus, RequestStatus
from tasking.models import CoalitionOperation, SupportPlanEntry, TaskingRequest, is_operator


def create_operation(
    by: Any,
    *,
    code: str,
    name: str,
    starts: dt.datetime,
    ends: dt.datetime,
    marking: Marking,
    participants: Sequence[SpOC] = (),
    description: str = "",
) -> CoalitionOperation:
    if not is_operator(by):
        raise NotAllowed("Only US operators plan coalition operations.")
    if ends <= starts:
        raise DomainError("The operation ends after it starts.", field="ends")
    refusal = marking.refusal_for(by, "operation")
    if refusal:
        raise DomainError(refusal, field="marking")
    conflicts.refuse_if_taken(CoalitionOperation, "code", code)
    with transaction.atomic():
        operation = CoalitionOperation(
            code=code, name=name, description=description, starts=starts, ends=ends, lead=by
        )
        operation.marking = marking
        operation.save()
        operation.participants.set(participants)
    return operation


def add_plan_entry(operation: CoalitionOperation, by: Any, **fields: Any) -> SupportPlanEntry:
    if not is_operator(by) or not operation.allows(by):
        raise NotAllowed("Only US operators plan coalition operations.")
    entry = SupportPlanEntry(operation=operation, **fields)
    if entry.end <= entry.start:
        raise DomainError("The pass ends after it starts.", field="end")
    if not operation.participants.filter(pk=entry.spoc_id).exists():
        raise DomainError("That SpOC does not take part in the operation.", field="spoc")
    entry.save()
    return entry


@dataclass
class OperationStatusView:
    """What a reader sees of an operation: its requests they may open, and a summary."""

    requests: list[TaskingRequest]
    plan: list[SupportPlanEntry]
    counts: list[tuple[str, int]]
    marking: Marking


def status_of(operation: CoalitionOperation, user: Any) -> OperationStatusView:
    requests = list(
        TaskingRequest.objects.accessible_to(user)
        .filter(operation=operation)
        .select_related("spoc", "sensor")
        .order_by("response_deadline", "pk")
    )
    readable = {r.pk: r for r in requests}
    plan = list(
        references.readable(operation.plan.all(), user).select_related("spoc", "sensor", "space_object")
    )
    for entry in plan:
        # A plan line shows its request's state only to people who may open that request.
        entry.visible_request = readable.get(entry.request_id) if entry.request_id else None
    marking = Marking.combine(operation.marking, *[r.marking for r in requests])
    counts = sorted(Counter(RequestStatus(r.status).label for r in requests).items())
    return OperationStatusView(requests, plan, counts, marking)


def is_live(operation: CoalitionOperation) -> bool:
    return operation.status in {OperationStatus.PLANNED, OperationStatus.ACTIVE}
