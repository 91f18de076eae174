"""What a page or API answer shows of each request: the statuses an inbox lists, the related
rows loaded with a page, and per request a row of the reader's side, actions and the passes over
sensors they may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from portal.references import readable
from tasking import workflow
from tasking.choices import Actor, RequestAction, RequestStatus
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


@dataclass(frozen=True)
class RequestRow:
    """One request as a page or API answer shows it to one reader: the side they answer it
    from (None when they take no part), the actions open to them, the passes they may see."""

    request: TaskingRequest
    side: Actor | None
    actions: tuple[RequestAction, ...]
    passes: tuple[PredictedPass, ...]


def request_rows(
    requests: Iterable[TaskingRequest], user: Any, *, answerable: bool = False
) -> list[RequestRow]:
    """A row per request, in order. `answerable`: the requests came from
    `answerable_by(user)` already (the inbox), so none is looked up again."""
    requests = list(requests)
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
    rows = []
    for request in requests:
        side = Actor.OPERATOR if operator else Actor.PARTNER if request.pk in partner_ids else None
        actions = tuple(workflow.actions_for(request.status, request.kind, side)) if side else ()
        rows.append(RequestRow(request, side, actions, tuple(request.passes.all())))
    return rows


def request_row(request: TaskingRequest, user: Any) -> RequestRow:
    return request_rows([request], user)[0]
