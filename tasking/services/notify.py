"""Telling people: a Notification row each (marked like the request) and an e-mail queued after commit.

The e-mail goes over an unclassified channel, so it names only the kind of event and the
request's reference, never its content.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse

from portal import audit, ownership
from portal.markings.marking import Marking
from portal.models.audit import AuditAction
from tasking.choices import NotificationKind
from tasking.models import Notification, TaskingRequest

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


def notify_many(items: Iterable[tuple[Iterable[Any], TaskingRequest, str]], kind: str) -> list[Notification]:
    """`notify` for many requests at once, written in one insert: each item is (people, request,
    title), each notice marked like its request. A person already told of this kind of event for
    that request (deadline reminders, expiry) is not told again."""
    wanted: dict[tuple[int, int], Notification] = {}
    for users, request, title in items:
        marking = request.marking
        for user in users:
            if user is None or (user.pk, request.pk) in wanted or not marking.allows(user):
                continue
            notification = Notification(user=user, kind=kind, request=request, title=title[:200])
            notification.marking = marking
            wanted[(user.pk, request.pk)] = notification
    if not wanted:
        return []
    told = set(
        Notification.objects.filter(kind=kind, request_id__in={r for _, r in wanted}).values_list(
            "user_id", "request_id"
        )
    )
    made = Notification.objects.bulk_create([n for key, n in wanted.items() if key not in told])
    audit.record_many(AuditAction.CREATE, made)
    if not _quiet.get():
        for notification in made:
            if notification.user.email and notification.pk is not None:
                transaction.on_commit(
                    partial(email_due.send, sender=Notification, notification_id=notification.pk)
                )
    return made


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
    people: list[Any] = [request.requested_by]
    if request.operation_id is not None and request.operation is not None:
        people.append(request.operation.lead)
    return [p for p in people if p is not None and p.is_active]
