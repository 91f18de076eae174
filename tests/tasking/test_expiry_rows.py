"""The expiry sweep never loads a request: its history, audit trail and notices are written as
plain rows from what its UPDATE returned. Each row reads back as the record it describes says,
and the notices reach exactly the people `notify` would tell, e-mail included."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from portal import audit
from portal.markings.marking import Level
from portal.markings.models import marking_columns
from portal.models import AuditEvent
from tasking.choices import NotificationKind, RequestStatus
from tasking.models import CoalitionOperation, Notification, RequestEvent, TaskingRequest
from tasking.services import notify, sweeps
from tests.factories import UserFactory

from .conftest import World
from .test_set_based_expiry import overdue_copies

DETAIL = {"action": "expire", "status": ["submitted", "expired"], "side": "system"}


def swept(model: str, pk: int, action: str, after: int) -> AuditEvent:
    """The sweep's audit record of one record (written after the event numbered `after`)."""
    return AuditEvent.objects.get(model=model, object_id=str(pk), action=action, pk__gt=after)


def test_every_row_the_sweep_writes_reads_back_as_its_record_says(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    lead = UserFactory.create(us_operator=True, username="kestrel_lead", email="lead@example.mil")
    uncleared = UserFactory.create(
        partner_staff=True, spoc=world.spocs["uk-spoc"], clearance=Level.UNCLASSIFIED, email="u@example.uk"
    )
    operation = CoalitionOperation.objects.create(
        code="kestrel",
        name="Operation Kestrel",
        starts=world.now,
        ends=world.now + dt.timedelta(days=2),
        lead=lead,
        **marking_columns("CUI//REL TO USA, GBR"),
    )
    ids = overdue_copies(world, 2)
    TaskingRequest.objects.filter(pk=ids[0]).update(operation=operation)
    now = world.now + dt.timedelta(seconds=1)
    after = AuditEvent.objects.latest("id").pk
    with (
        audit.acting_as(audit.Actor(name="beat: expire overdue")),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert sweeps.expire_overdue(now) == {"expired": 3}

    for pk in ids:
        request = TaskingRequest.objects.get(pk=pk)
        assert request.status == RequestStatus.EXPIRED and request.closed_at == now
        row = swept("tasking.taskingrequest", pk, "update", after)
        assert (row.object_repr, row.marking, row.classification_level) == (
            str(request),
            str(request.marking),
            int(request.marking.level),
        )
        assert row.detail == DETAIL and row.actor_name == "beat: expire overdue" and row.actor_id is None

        event = RequestEvent.objects.get(request_id=pk, action="expire")
        assert (event.at, event.actor_name, event.action, event.from_status, event.to_status) == (
            now,
            "beat: expire overdue",
            "expire",
            "submitted",
            "expired",
        )
        row = swept("tasking.requestevent", event.pk, "create", after)
        assert (row.object_repr, row.marking, row.classification_level) == (str(event), "", None)

        told = Notification.objects.filter(request_id=pk, kind=NotificationKind.EXPIRED)
        for notice in told:
            assert notice.title == f"{request.reference} expired without an answer"
            assert notice.marking == request.marking and notice.body == "" and notice.created is not None
            row = swept("tasking.notification", notice.pk, "create", after)
            assert (row.object_repr, row.marking) == (str(notice), str(notice.marking))
        expected = {"us_operator", "uk_staff"} | ({"kestrel_lead"} if pk == ids[0] else set())
        assert {n.user.username for n in told} == expected

    assert not Notification.objects.filter(user=uncleared).exists()
    e_mailed = {
        c.keywords["notification_id"]
        for c in callbacks
        if isinstance(c, partial) and c.func == notify.email_due.send
    }
    assert e_mailed == set(
        Notification.objects.filter(request_id__in=ids, kind=NotificationKind.EXPIRED)
        .exclude(user__email="")
        .values_list("pk", flat=True)
    )
    assert Notification.objects.filter(pk__in=e_mailed, user=lead).count() == 1
