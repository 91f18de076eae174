"""Retasking runs: unmet requests onto US SSN sensors, idempotent, marked, moved on by reports."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from agreements.choices import SensorType
from agreements.models import Sensor
from portal import audit
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import AuditEvent, SpOC
from tasking.choices import NotificationKind, RequestStatus
from tasking.models import (
    Notification,
    RetaskingGap,
    RetaskingRun,
    SsnTask,
    SsnTaskStatus,
)
from tasking.services import retasking, transitions
from tests.factories import SensorFactory
from tests.tasking.conftest import World

S = RequestStatus


def _ssn(number: int, lat: float, lon: float, marking: str, tph: int = 60, **extra) -> Sensor:
    us = next(s for s in SpOC.objects.all() if s.is_us)
    values = dict(
        spoc=us,
        number=number,
        name=f"SSN {number}",
        sensor_type=SensorType.PHASED_ARRAY_RADAR,
        latitude_deg=lat,
        longitude_deg=lon,
        min_elevation_deg=3.0,
        max_range_km=6000.0,
        tracks_per_hour=tph,
        is_us_ssn=True,
        marking=marking,
    )
    values.update(extra)
    return SensorFactory.create(**values)


@pytest.fixture
def ssn(world: World) -> dict[str, Sensor]:
    return {
        "eglin": _ssn(399, 30.57, -86.21, "UNCLASSIFIED"),
        "clear": _ssn(349, 64.29, -149.19, "CUI//REL TO USA, FVEY"),
        "fylingdales": _ssn(346, 54.36, -0.67, "CUI//REL TO USA, GBR"),
    }


def _rejected(world: World, **overrides):
    request = world.file(**overrides)
    return transitions.apply(
        request, "reject", by=world.users["uk_staff"], reason_code="no_capacity", text="Fully booked."
    )


def test_a_rejected_request_is_covered_by_ssn_tracks_inside_its_window(world: World, ssn) -> None:
    request = _rejected(world, tracks_wanted=2)
    run = retasking.run_retasking(world.now)
    request.refresh_from_db()
    assert request.status == S.RETASKED
    tasks = list(request.ssn_tasks.select_related("sensor"))
    assert len(tasks) == 2
    ((start, end),) = request.execution_windows()
    for task in tasks:
        assert start <= task.start < task.end <= end
        assert task.sensor.is_us_ssn and task.space_object_id == world.iss.pk
        assert task.marking == Marking.combine(request.marking, task.sensor.marking)
        assert task.run_id == run.pk
    assert run.status == "succeeded" and run.progress == 100 and run.duration_s is not None
    assert run.outputs["tasks"] == 2 and request.pk in run.inputs["requests"]
    told = Notification.objects.filter(
        user=world.users["us_operator"], request=request, kind=NotificationKind.FULFILMENT
    )
    assert told.count() == 1 and "retasked" in told.get().title


def test_one_run_per_input_snapshot(world: World, ssn) -> None:
    _rejected(world, windows=[(world.now + dt.timedelta(hours=1), world.now + dt.timedelta(hours=2))])
    after = world.now.replace(minute=0) + dt.timedelta(hours=3)
    first = retasking.run_retasking(after)
    with pytest.raises(retasking.AlreadyPlanned) as again:
        retasking.run_retasking(after + dt.timedelta(minutes=1))
    assert again.value.run == first and RetaskingRun.objects.count() == 1


def test_a_second_run_books_nothing_twice(world: World, ssn) -> None:
    _rejected(world)
    retasking.run_retasking(world.now)
    second = retasking.run_retasking(world.now)
    assert SsnTask.objects.count() == 1 and second.outputs["tasks"] == 0


def test_a_sensor_slot_holds_one_task_in_the_database(world: World, ssn) -> None:
    request = _rejected(world)
    retasking.run_retasking(world.now)
    task = SsnTask.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        SsnTask.objects.create(
            request=request, sensor=task.sensor, space_object=world.iss, start=task.start,
            end=task.end, **marking_columns(task.marking),
        )  # fmt: skip


def test_a_slot_booked_by_a_concurrent_run_becomes_a_capacity_gap(world: World, ssn) -> None:
    request = _rejected(world)
    requests, sensors = retasking.unmet_requests(), retasking.ssn_sensors()
    planned = retasking.plan(world.now, requests, sensors)
    (task,) = planned.tasks
    # Another run books the same slot between this run's planning and its booking.
    other = RetaskingRun.objects.create(key="other", at=world.now, **marking_columns("UNCLASSIFIED"))
    SsnTask.objects.create(
        run=other, request=request, sensor_id=task.sensor, space_object=world.iss,
        start=dt.datetime.fromtimestamp(task.start_s, tz=dt.UTC),
        end=dt.datetime.fromtimestamp(task.end_s, tz=dt.UTC), **marking_columns("UNCLASSIFIED"),
    )  # fmt: skip
    run = RetaskingRun.objects.create(key="mine", at=world.now, **marking_columns("UNCLASSIFIED"))
    retasking._store(run, planned, sensors)
    assert SsnTask.objects.filter(sensor_id=task.sensor).count() == 1
    assert list(run.gaps.values_list("reason", "tracks_missing")) == [("capacity_exhausted", 1)]


def test_gaps_say_why_and_a_partner_reads_only_the_gaps_it_may(world: World, ssn) -> None:
    gbr = _rejected(
        world, windows=[(world.now + dt.timedelta(minutes=10), world.now + dt.timedelta(minutes=40))]
    )
    aus = world.file(
        spoc=world.spocs["au-spoc"],
        marking=Marking.parse("CUI//REL TO USA, AUS"),
        windows=[(world.now + dt.timedelta(hours=1), world.now + dt.timedelta(hours=1, minutes=5))],
    )
    aus = transitions.apply(aus, "reject", by=world.users["au_staff"], reason_code="weather", text="Cloud")
    run = retasking.run_retasking(world.now + dt.timedelta(minutes=45))
    reasons = dict(run.gaps.values_list("request_id", "reason"))
    assert reasons[gbr.pk] == "window_over"
    assert reasons[aus.pk] in {"not_visible", "window_too_short"}
    for gap in run.gaps.all():
        assert gap.marking.no_looser_than(gap.request.marking)
    uk_sees = set(
        RetaskingGap.objects.visible_to(world.users["uk_staff"]).values_list("request_id", flat=True)
    )
    au_sees = set(
        RetaskingGap.objects.visible_to(world.users["au_staff"]).values_list("request_id", flat=True)
    )
    assert gbr.pk in uk_sees and aus.pk not in uk_sees
    assert aus.pk not in au_sees  # combined with the GBR-only SSN sensor, so not releasable to AUS


def test_reports_of_the_ssn_tasks_move_the_request_on(world: World, ssn) -> None:
    request = _rejected(world, tracks_wanted=2, observations_wanted=10)
    retasking.run_retasking(world.now)
    first, second = request.ssn_tasks.order_by("start")
    retasking.report_task(first, SsnTaskStatus.COLLECTED, observations=6)
    request.refresh_from_db()
    assert request.status == S.RETASKED
    retasking.report_task(second, SsnTaskStatus.COLLECTED, observations=5)
    request.refresh_from_db()
    assert request.status == S.FULFILLED and request.tracks_counted == 2


def test_all_ssn_tasks_failed_fails_the_request(world: World, ssn) -> None:
    request = _rejected(world)
    retasking.run_retasking(world.now)
    retasking.report_task(request.ssn_tasks.get(), SsnTaskStatus.FAILED)
    request.refresh_from_db()
    assert request.status == S.FAILED


def test_a_request_becoming_unmet_queues_a_run_after_commit(
    world: World, ssn, django_capture_on_commit_callbacks
) -> None:
    request = world.file()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        transitions.apply(request, "reject", by=world.users["uk_staff"], reason_code="weather", text="Cloud")
    assert len([c for c in queued if "queue_retasking" in getattr(c, "__qualname__", "")]) == 1
    request.refresh_from_db()
    assert request.status == S.RETASKED and RetaskingRun.objects.count() == 1


def test_the_ssn_step_is_the_portals_own_even_when_retasking_runs_in_the_partners_request(
    world: World, ssn, django_capture_on_commit_callbacks
) -> None:
    """In process, the run executes inside the partner's request; on a worker it has no user.
    Either way the Retasked step and its audit record are the portal's, not the partner's."""
    request = world.file()
    uk = world.users["uk_staff"]
    with (
        audit.acting_as(audit.Actor(user=uk, name=uk.username, path="/tasking/inbox/")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        transitions.apply(request, "reject", by=uk, reason_code="weather", text="Cloud")
    rejected = request.events.get(to_status=S.REJECTED)
    retasked = request.events.get(to_status=S.RETASKED)
    assert (rejected.actor, rejected.actor_name) == (uk, "uk_staff")
    assert (retasked.actor, retasked.actor_name) == (None, "system")
    trail = AuditEvent.objects.filter(model="tasking.taskingrequest", object_id=str(request.pk))
    moved = [e for e in trail if e.detail.get("status") == [S.REJECTED, S.RETASKED]]
    assert len(moved) == 1 and moved[0].actor is None and moved[0].actor_name == "system"


def test_the_retask_button_queues_retasking(
    world: World, ssn, client, django_capture_on_commit_callbacks
) -> None:
    request = _rejected(world)
    client.force_login(world.users["us_operator"])
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(f"/tasking/requests/{request.pk}/do/retask/", follow=True)
    assert response.status_code == 200 and b"retasking queued" in response.content
    assert len([c for c in queued if "queue_retasking" in getattr(c, "__qualname__", "")]) == 1
    request.refresh_from_db()
    assert request.status == S.RETASKED and request.ssn_tasks.count() == 1


def test_the_retask_command_lists_tasks_and_gaps_as_json(world: World, ssn) -> None:
    request = _rejected(world)
    out = io.StringIO()
    call_command("retask", "--at", world.now.isoformat(), "--json", stdout=out)
    report = json.loads(out.getvalue())
    (task,) = report["tasks"]
    assert task["request"] == request.reference
    assert task["sensor"] in {399, 349, 346} and task["target"] == world.iss.catalog_number
    assert dt.datetime.fromisoformat(task["start"]) < dt.datetime.fromisoformat(task["end"])
    assert report["gaps"] == []


def test_the_retask_command_refuses_a_bad_time() -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("retask", "--at", "yesterday", "--json", stdout=out)
    assert "--at" in json.loads(out.getvalue())["error"]


def test_a_retasking_run_lost_with_its_worker_fails_and_the_same_snapshot_takes_it_over(
    world: World, ssn, settings
) -> None:
    from django.utils import timezone

    from portal import task_runs
    from portal.models import TaskRun, TaskRunStatus

    request = _rejected(world)
    task_run = task_runs.start_run("tasking.retask", args=[world.now.isoformat()])
    # The dead worker's run of this snapshot: nothing of it booked (bookings commit all at once).
    key = retasking.snapshot_key(world.now, retasking.unmet_requests(), retasking.ssn_sensors())
    lost = RetaskingRun.objects.create(
        key=key, at=world.now, inputs={"task_run": task_run.pk}, **marking_columns("UNCLASSIFIED")
    )
    silent = timezone.now() - dt.timedelta(seconds=settings.TASK_RUN_LEASE_S + 1)
    TaskRun.objects.filter(pk=task_run.pk).update(heartbeat=silent)
    assert task_runs.recover() == {"recovered": 1, "requeued": 1}  # re-queued, run at once here
    lost.refresh_from_db()
    assert lost.status == "succeeded" and lost.error == "" and lost.outputs["tasks"] == 1
    assert RetaskingRun.objects.count() == 1 and SsnTask.objects.count() == 1
    request.refresh_from_db()
    assert request.status == S.RETASKED
    task_run.refresh_from_db()
    assert task_run.status == TaskRunStatus.FAILED and "lease" in task_run.error
    assert retasking.run_retasking(world.now).outputs["tasks"] == 0  # a later run books nothing more
    assert SsnTask.objects.count() == 1
