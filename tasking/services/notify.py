"""Telling people: a Notification row each (marked like the request) and an e-mail queued after commit.

The e-mail goes over an unclassified channel, so it names only the kind of event and the
request's reference, never its content.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from portal import audit, ownership
from portal.bulk import allocate_ids, among, insert_rows
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models.audit import AuditAction
from tasking.choices import NotificationKind
from tasking.models import CoalitionOperation, Notification, TaskingRequest

_quiet: ContextVar[bool] = ContextVar("tasking_quiet", default=False)

# Sent after commit for each notification to e-mail (`notification_id`); the app queues the
# e-mail task on it (`tasking.signals`), so the services never import the tasks that run them.
email_due = Signal()


@contextlib.contextmanager
def without_email() -> Iterator[None]:
    """Record notifications without e-mailing them (demo history)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify(
    users: Iterable[Any],
    kind: str,
    request: TaskingRequest,
    title: str,
    body: str = "",
    marking: Marking | None = None,
) -> list[Notification]:
    made: list[Notification] = []
    marking = marking or request.marking
    for user in {u.pk: u for u in users if u is not None}.values():
        # Someone who may no longer read the request is not told about it either.
        if not marking.allows(user):
            continue
        notification = Notification(user=user, kind=kind, request=request, title=title[:200], body=body)
        notification.marking = marking
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            continue  # already told once (deadline reminders, expiry)
        made.append(notification)
        if user.email and not _quiet.get():
            transaction.on_commit(
                partial(email_due.send, sender=Notification, notification_id=notification.pk)
            )
    return made


def notify_many(items: Iterable[tuple[Iterable[Any], int, Marking, str]], kind: str) -> list[int]:
    """`notify` for many requests at once, written in one insert without model instances: each
    item is (people, request id, the request's marking, title), each notice marked like its
    request. A person already told of this kind of event for that request (deadline reminders,
    expiry) is not told again. Returns the new notices' ids."""
    wanted: dict[tuple[int, int], tuple[Any, Marking, str]] = {}
    allowed: dict[tuple[Marking, int], bool] = {}  # few markings and people, many requests
    for users, request_id, marking, title in items:
        for user in users:
            if user is None or (user.pk, request_id) in wanted:
                continue
            if (marking, user.pk) not in allowed:
                allowed[(marking, user.pk)] = marking.allows(user)
            if allowed[(marking, user.pk)]:
                wanted[(user.pk, request_id)] = (user, marking, title[:200])
    if not wanted:
        return []
    told = set(
        Notification.objects.filter(among("request_id", {r for _, r in wanted}), kind=kind).values_list(
            "user_id", "request_id"
        )
    )
    new = [(key, notice) for key, notice in wanted.items() if key not in told]
    ids = allocate_ids(Notification, len(new))
    insert_rows(
        Notification,
        _NOTICE_COLUMNS,
        [
            (pk, user_id, request_id, title, *_columns_of(marking))
            for pk, ((user_id, request_id), (_, marking, title)) in zip(ids, new, strict=True)
        ],
        shared={"kind": kind, "body": "", "created": timezone.now()},
    )
    audit.record_rows(
        AuditAction.CREATE,
        Notification,
        ((pk, title, marking) for pk, (_, (_, marking, title)) in zip(ids, new, strict=True)),
    )
    if not _quiet.get():
        for pk, (_, (user, _, _)) in zip(ids, new, strict=True):
            if user.email:
                transaction.on_commit(partial(email_due.send, sender=Notification, notification_id=pk))
    return ids


_NOTICE_COLUMNS = ("id", "user_id", "request_id", "title", "classification_level", "noforn", "rel_mask")


@functools.lru_cache(maxsize=256)
def _columns_of(marking: Marking) -> tuple[int, bool, int]:
    columns = marking_columns(marking)
    return columns["classification_level"], columns["noforn"], columns["rel_mask"]


def email_subject_and_body(notification: Notification) -> tuple[str, str]:
    reference = notification.request.reference if notification.request is not None else ""
    label = NotificationKind(notification.kind).label
    url = reverse("request-detail", args=[notification.request_id]) if notification.request_id else ""
    subject = f"[SDA portal] {label}: {reference}".strip()
    body = (
        f"{label}: {reference}.\n\nSign in to the Coalition SDA Portal to read it: {url}\n\n"
        "This message carries no classified content; the request is marked in the portal."
    )
    return subject, body


def partner_staff(request: TaskingRequest) -> list[Any]:
    return list(ownership.partner_staff_of([request.spoc_id]))


def partner_staff_of(spoc_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The active partner staff of each SpOC, in one query."""
    staff: dict[int, list[Any]] = {}
    for user in ownership.partner_staff_of(set(spoc_ids)):
        staff.setdefault(user.spoc_id, []).append(user)
    return staff


def requester_side(request: TaskingRequest) -> list[Any]:
    """Who speaks for a request on the US side: its requester and its operation's lead."""
    people: list[Any] = [request.requested_by]
    if request.operation_id is not None and request.operation is not None:
        people.append(request.operation.lead)
    return _active(people)


def requester_sides(requests: Iterable[tuple[int, int | None, int | None]]) -> dict[int, list[Any]]:
    """`requester_side` of many requests given as (id, requester id, operation id), in two
    queries: request id -> its requester and operation lead."""
    requests = list(requests)
    leads = dict(
        CoalitionOperation.objects.filter(pk__in={op for _, _, op in requests if op is not None}).values_list(
            "pk", "lead_id"
        )
    )
    wanted = {user for _, user, _ in requests} | set(leads.values())
    users = get_user_model().objects.in_bulk({pk for pk in wanted if pk is not None})
    return {pk: _active([users.get(user), users.get(leads.get(op))]) for pk, user, op in requests}


def _active(people: list[Any]) -> list[Any]:
    return [p for p in people if p is not None and p.is_active]
