"""What a page or API answer shows of each request: the statuses an inbox lists, the related
rows loaded with a page, and per row the reader's side, actions and the passes over sensors they
may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from portal.references import readable
from tasking import workflow
from tasking.choices import Actor, RequestStatus
from tasking.models import PredictedPass, RequestTarget, TaskingRequest, is_operator

INBOX_STATUSES = [
    RequestStatus.SUBMITTED,
    RequestStatus.PROPOSED,
    RequestStatus.ACCEPTED,
    RequestStatus.SCHEDULED,
    RequestStatus.COLLECTED,
    RequestStatus.DELIVERED,
]


def with_page_data(requests: QuerySet[TaskingRequest], user: Any) -> QuerySet[TaskingRequest]:
    """What a page or API answer of requests shows, with each request's targets and passes
    only those `user` may read (portal.references: a child with a hidden link is absent)."""
    targets = readable(RequestTarget, user).select_related("space_object")
    passes = readable(PredictedPass, user).select_related("sensor", "target__space_object")
    return requests.select_related("spoc", "sensor", "requested_by", "operation").prefetch_related(
        "windows", Prefetch("targets", queryset=targets), Prefetch("passes", queryset=passes)
    )


def decorate(requests: list[TaskingRequest], user: Any, *, answerable: bool = False) -> None:
    """Per row: the actions the user may take. `answerable`: the rows came from
    `answerable_by(user)` already (the inbox), so none is looked up again."""
    operator = is_operator(user)
    partner_ids: set[int] = set()
    if answerable and not operator:
        partner_ids = {r.pk for r in requests}
    elif not operator:
        partner_ids = set(
            TaskingRequest.objects.answerable_by(user)
            .filter(pk__in=[r.pk for r in requests])
            .values_list("pk", flat=True)
        )
    for request in requests:
        side = Actor.OPERATOR if operator else Actor.PARTNER if request.pk in partner_ids else None
        request.side = side  # type: ignore[attr-defined]
        request.actions = (  # type: ignore[attr-defined]
            [a for a in workflow.actions_for(request.status, request.kind, side)] if side else []
        )
        request.shown_passes = list(request.passes.all())  # type: ignore[attr-defined]
