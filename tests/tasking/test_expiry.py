"""A missed deadline expires a request, once, however often the beat job runs."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from portal.models import TaskRun, TaskRunStatus
from tasking.choices import NotificationKind, RequestStatus
from tasking.models import Notification, TaskingRequest
from tasking.services import sweeps, transitions
from tasking.tasks import expire_overdue, send_notification_email

from .conftest import World


def overdue(request: TaskingRequest) -> None:
    assert request.submitted_at is not None
    TaskingRequest.objects.filter(pk=request.pk).update(
        response_deadline=request.submitted_at - dt.timedelta(minutes=1)
    )


def test_a_missed_deadline_expires_the_request_and_everyone_is_told(
    world: World, django_capture_on_commit_callbacks
) -> None:
    request = world.file()
    answered = world.file(title="Answered in time")
    transitions.apply(answered, "accept", by=world.users["uk_staff"])
    overdue(request)
    overdue(answered)
    with django_capture_on_commit_callbacks(execute=True):
        result = expire_overdue.delay("expire-test-1").get()
    assert result["expired"] == 1 and result["duplicate"] is False
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED and request.closed_at is not None
    assert TaskingRequest.objects.get(pk=answered.pk).status == RequestStatus.ACCEPTED
    run = TaskRun.objects.get(idempotency_key="expire-test-1")
    assert run.status == TaskRunStatus.SUCCEEDED and run.counts["expired"] == 1
    told = set(
        Notification.objects.filter(kind=NotificationKind.EXPIRED, request=request).values_list(
            "user__username", flat=True
        )
    )
    assert told == {"us_operator", "uk_staff"}
    assert any("expired" in m.subject.lower() for m in mail.outbox)


def test_running_expiry_twice_does_it_once(world: World) -> None:
    request = world.file()
    overdue(request)
    assert expire_overdue.delay("same-minute").get()["expired"] == 1
    assert expire_overdue.delay("same-minute").get()["duplicate"] is True
    assert expire_overdue.delay("next-minute").get()["expired"] == 0
    assert request.events.filter(action="expire").count() == 1
    assert (
        Notification.objects.filter(
            kind=NotificationKind.EXPIRED, request=request, user=world.users["uk_staff"]
        ).count()
        == 1
    )


def test_an_unanswered_proposal_expires_when_its_window_opens(world: World) -> None:
    request = world.file()
    start = world.now + dt.timedelta(hours=1)
    transitions.apply(
        request, "propose", by=world.users["uk_staff"], window=(start, start + dt.timedelta(hours=2))
    )
    assert sweeps.expire_overdue(world.now)["expired"] == 0
    assert sweeps.expire_overdue(start + dt.timedelta(minutes=1))["expired"] == 1
    assert TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.EXPIRED


def test_partners_are_reminded_once_before_the_deadline(world: World) -> None:
    request = world.file(priority="flash")  # two hours to answer
    assert sweeps.remind_deadlines(world.now)["reminded"] == 0
    assert request.response_deadline is not None
    soon = request.response_deadline - dt.timedelta(minutes=30)
    assert sweeps.remind_deadlines(soon)["reminded"] == 1
    assert sweeps.remind_deadlines(soon + dt.timedelta(minutes=1))["reminded"] == 0
    assert Notification.objects.get(
        kind=NotificationKind.DEADLINE_APPROACHING, user=world.users["uk_staff"]
    ).title.endswith("30 min")


def test_an_e_mail_is_sent_once(world: World) -> None:
    world.file()
    notice = Notification.objects.get(user=world.users["uk_staff"], kind=NotificationKind.NEW_REQUEST)
    mail.outbox.clear()
    assert send_notification_email(notice.pk) is True
    assert send_notification_email(notice.pk) is False
    assert len(mail.outbox) == 1
