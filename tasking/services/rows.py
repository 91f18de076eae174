"""What a page or API answer shows of each request: the statuses an inbox lists, the related
rows loaded with a page, and per request a row of the reader's side, actions and the passes over
sensors they may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from portal.references import readable_children, reader_for
from tasking import workflow
from tasking.choices import IN_HAND_STATUSES, Actor, RequestAction, RequestStatus
from tasking.models import PredictedPass, RequestTarget, TaskingRequest, is_operator

INBOX_STATUSES = [RequestStatus.SUBMITTED, *IN_HAND_STATUSES]


def with_page_data(requests: QuerySet[TaskingRequest]) -> QuerySet[TaskingRequest]:
    """The records a page or API answer shows beside each request, joined into its own row.
    Its windows, targets and passes are loaded for the page once it is cut (`load_children`).
    Lists show no requester and name the operation by id, so neither is joined here."""
    return requests.select_related("spoc", "sensor")


def load_children(requests: list[TaskingRequest], viewer: Any) -> None:
    """Load the windows, targets and passes of `requests`, which the viewer (an HTTP request,
    whose reader is reused, or a user) is shown: only the children whose own links they may
    read (portal.references: a child with a hidden link is absent). The requests came out of
    `accessible_to` or `answerable_by`, so their children's parent is not asked again; the
    viewer's reader is told what was loaded, so nested lists do not ask either."""
    reader = reader_for(viewer)
    user = reader.user
    targets = readable_children(RequestTarget, user).select_related("space_object")
    prefetch_related_objects(requests, "windows", Prefetch("targets", queryset=targets))
    # A pass's target is one of the targets just read (of the pass's own request).
    shown_targets = [target.pk for request in requests for target in request.targets.all()]
    passes = readable_children(
        PredictedPass, user, siblings_read={RequestTarget: shown_targets}
    ).select_related("sensor", "target__space_object")
    prefetch_related_objects(requests, Prefetch("passes", queryset=passes))
    reader.vouch(requests)
    for request in requests:
        reader.vouch(request.windows.all())
        reader.vouch(request.targets.all())
        reader.vouch(request.passes.all())


@dataclass(frozen=True)
class RequestRow:
    """One request as a page or API answer shows it to one reader: the side they answer it
    from (None when they take no part), the actions open to them, the passes they may see."""

    request: TaskingRequest
    side: Actor | None
    actions: tuple[RequestAction, ...]
    passes: tuple[PredictedPass, ...]


def request_rows(
    requests: Iterable[TaskingRequest], viewer: Any, *, answerable: bool = False
) -> list[RequestRow]:
    """A row per request the viewer (an HTTP request or a user) is shown, in order, with its
    children loaded. `answerable`: the requests came from `answerable_by` the viewer already
    (the inbox), so none is looked up again."""
    requests = list(requests)
    load_children(requests, viewer)
    user = reader_for(viewer).user
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


def request_row(request: TaskingRequest, viewer: Any) -> RequestRow:
    return request_rows([request], viewer)[0]
