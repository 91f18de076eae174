"""The expiry sweep is set-based: its queries do not grow with the number of overdue requests,
and it writes the same history, audit trail and notices as one request at a time would."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from tasking.choices import NotificationKind, RequestStatus
from tasking.models import Notification, RequestEvent, TaskingRequest
from tasking.services import sweeps, transitions

from .conftest import World
from .copies import copies


def overdue_copies(world: World, count: int) -> list[int]:
    original = world.file()
    past = world.now - dt.timedelta(minutes=5)
    made = copies(original, count, response_deadline=past, status=RequestStatus.SUBMITTED)
    TaskingRequest.objects.filter(pk=original.pk).update(response_deadline=past)
    return [original.pk, *(r.pk for r in made)]


def queries_of_a_sweep() -> int:
    with CaptureQueriesContext(connection) as captured:
        sweeps.expire_overdue()
    return len(captured.captured_queries)


def test_the_sweep_runs_as_many_queries_for_thirty_requests_as_for_three(world: World) -> None:
    overdue_copies(world, 2)
    few = queries_of_a_sweep()
    TaskingRequest.objects.all().delete()
    overdue_copies(world, 29)
    many = queries_of_a_sweep()
    assert many == few
    assert TaskingRequest.objects.filter(status=RequestStatus.EXPIRED).count() == 30


def test_each_expired_request_has_its_event_audit_record_and_notices(world: World) -> None:
    ids = overdue_copies(world, 4)
    proposed = world.file(title="Counter-proposed")
    transitions.apply(
        proposed,
        "propose",
        by=world.users["uk_staff"],
        window=(world.now + dt.timedelta(hours=8), world.now + dt.timedelta(hours=9)),
    )
    TaskingRequest.objects.filter(pk=proposed.pk).update(proposed_start=world.now - dt.timedelta(minutes=1))
    assert sweeps.expire_overdue() == {"expired": 6}
    for pk in [*ids, proposed.pk]:
        request = TaskingRequest.objects.get(pk=pk)
        assert request.status == RequestStatus.EXPIRED and request.closed_at is not None
        event = RequestEvent.objects.get(request_id=pk, action="expire")
        assert event.to_status == RequestStatus.EXPIRED and event.side == "system"
        assert event.from_status == ("proposed" if pk == proposed.pk else "submitted")
        audited = AuditEvent.objects.filter(
            model="tasking.taskingrequest", object_id=str(pk), detail__action="expire"
        )
        assert audited.count() == 1
        told = set(
            Notification.objects.filter(kind=NotificationKind.EXPIRED, request_id=pk).values_list(
                "user__username", flat=True
            )
        )
        assert told == {"us_operator", "uk_staff"}
        notice = Notification.objects.filter(kind=NotificationKind.EXPIRED, request_id=pk).first()
        assert notice is not None and notice.marking == request.marking


def test_a_second_sweep_finds_nothing_and_writes_nothing(world: World) -> None:
    overdue_copies(world, 3)
    assert sweeps.expire_overdue()["expired"] == 4
    events = RequestEvent.objects.count()
    notices = Notification.objects.count()
    assert sweeps.expire_overdue()["expired"] == 0
    assert RequestEvent.objects.count() == events and Notification.objects.count() == notices


def test_a_request_answered_in_time_is_left_alone(world: World) -> None:
    ids = overdue_copies(world, 1)
    transitions.apply(TaskingRequest.objects.get(pk=ids[0]), "accept", by=world.users["uk_staff"])
    assert sweeps.expire_overdue()["expired"] == 1
    assert TaskingRequest.objects.get(pk=ids[0]).status == RequestStatus.ACCEPTED
