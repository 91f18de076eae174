"""Under the embedded default (no broker) the periodic jobs still run: requests settle and expire."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal.embedded_beat import run_due
from portal.schedules import ensure_periodic_tasks
from tasking.choices import RequestStatus
from tasking.models import RequestWindow, TaskingRequest
from tasking.services import transitions

from .conftest import World
from .test_expiry import overdue
from .test_fulfilment import deliver


def opened_an_hour_ago(request: TaskingRequest) -> RequestWindow:
    now = timezone.now()
    RequestWindow.objects.filter(request=request).update(
        start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=5)
    )
    window = request.windows.get()
    return window


def test_a_delivery_fulfils_its_request_and_an_overdue_request_expires(world: World) -> None:
    ensure_periodic_tasks()
    PeriodicTask.objects.update(last_run_at=None)
    delivered = transitions.apply(
        world.file(observations_wanted=2, tracks_wanted=1), "accept", by=world.users["uk_staff"]
    )
    window = opened_an_hour_ago(delivered)
    deliver(world.sensors["uk_radar"], world.iss, [window.start + dt.timedelta(minutes=m) for m in (5, 6)])
    unanswered = world.file(title="Nobody answers this one")
    overdue(unanswered)

    ran = run_due()

    assert "settle tasking fulfilment" in ran and "expire overdue tasking requests" in ran
    assert TaskingRequest.objects.get(pk=delivered.pk).status == RequestStatus.FULFILLED
    assert TaskingRequest.objects.get(pk=unanswered.pk).status == RequestStatus.EXPIRED


def test_a_job_runs_once_per_due_slot(world: World) -> None:
    ensure_periodic_tasks()
    PeriodicTask.objects.update(last_run_at=None)
    now = timezone.now()
    first = run_due(now)
    assert "expire overdue tasking requests" in first
    assert run_due(now + dt.timedelta(seconds=30)) == []  # every job's interval is a minute or more
    assert "expire overdue tasking requests" in run_due(now + dt.timedelta(seconds=61))


def test_the_command_runs_what_is_due(world: World, capsys, settings) -> None:
    settings.CELERY_BROKER_URL = ""  # the embedded default
    ensure_periodic_tasks()
    PeriodicTask.objects.update(last_run_at=None)
    call_command("run_embedded_beat", "--once")
    assert "expire overdue tasking requests" in capsys.readouterr().out
