"""What retasking derives from a target object is marked at least as that object.

A reader who may read a request and a sensor but not the request's target must not learn the
target's whereabouts from an SSN task's slot, a gap, or the what-if counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from tasking.models import RetaskingGap, RetaskingRun, SsnTask
from tasking.services import coverage_whatif, retask_split, retasking
from tasking.tasks import retask, retask_finish
from tests.tasking.conftest import World
from tests.tasking.test_retasking import _rejected, _ssn

US_ONLY = "CUI//NOFORN"


def _target_becomes_us_only(world: World) -> Marking:
    SpaceObject.objects.filter(pk=world.iss.pk).update(**marking_columns(US_ONLY))
    return Marking.parse(US_ONLY)


def test_an_ssn_task_is_marked_as_its_target_object_too(world: World) -> None:
    request = _rejected(world, tracks_wanted=1)  # CUI//REL TO USA, GBR
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    target_marking = _target_becomes_us_only(world)
    retasking.run_retasking(world.now)
    task = SsnTask.objects.get(request=request)
    assert task.marking.no_looser_than(target_marking)
    assert task.marking.no_looser_than(request.marking)
    assert not SsnTask.objects.visible_to(world.users["uk_staff"]).exists()
    assert SsnTask.objects.visible_to(world.users["us_operator"]).filter(pk=task.pk).exists()


def test_a_gap_is_marked_as_the_target_objects_of_its_request(world: World) -> None:
    request = _rejected(
        world, windows=[(world.now + dt.timedelta(minutes=10), world.now + dt.timedelta(minutes=40))]
    )
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    target_marking = _target_becomes_us_only(world)
    run = retasking.run_retasking(world.now + dt.timedelta(minutes=45))
    gap = run.gaps.get(request=request)
    assert gap.marking.no_looser_than(target_marking)
    assert run.marking.no_looser_than(target_marking)
    assert not RetaskingGap.objects.visible_to(world.users["uk_staff"]).exists()


def test_the_whatif_counts_are_marked_as_the_target_objects_they_read(world: World) -> None:
    request = _rejected(world)
    target_marking = _target_becomes_us_only(world)
    proposed = coverage_whatif.proposed_sensor(
        latitude_deg=40.0, longitude_deg=-105.0, altitude_km=1.6, sensor_type="phased_array_radar"
    )
    result = coverage_whatif.coverage_whatif(
        proposed, user=world.users["uk_staff"], now=world.now + dt.timedelta(hours=36)
    )
    assert result.requests == 1
    assert result.marking == Marking.combine(Marking.unclassified(), request.marking, target_marking)


def test_the_whatif_network_is_one_query_through_visible_to(world: World) -> None:
    readable = _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    _ssn(346, 54.36, -0.67, "CUI//REL TO USA, GBR")
    table = Sensor._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        sensors = coverage_whatif.network(world.users["fr_staff"])
    assert [s.pk for s in sensors] == [readable.pk]
    on_sensors = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]
    assert len(on_sensors) == 1, on_sensors
    assert "classification_level" in on_sensors[0]


def test_a_split_run_is_marked_as_its_inputs_when_its_callback_runs(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rejected(world, tracks_wanted=1)
    _rejected(world, targets=[world.hubble], tracks_wanted=1)
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    settings.RETASK_CHUNK_TARGETS = 1
    monkeypatch.setattr(retask_split, "chord", lambda header: lambda callback: None)
    retask.delay(world.now.isoformat())
    run = RetaskingRun.objects.get()
    assert run.status == "running" and not run.marking.no_looser_than(Marking.parse(US_ONLY))
    # Re-marked after the chunks were sent, before the callback: the callback reads it again.
    target_marking = _target_becomes_us_only(world)
    retask_finish.delay(None, run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded" and run.marking.no_looser_than(target_marking)
    assert all(
        t.marking.no_looser_than(target_marking) for t in SsnTask.objects.filter(space_object=world.iss)
    )
