"""A retasking run split into target chunks (a Celery chord) books what one task books.

In process (no broker) the chord runs before the task returns; the worker test in
`test_retasking_split_worker.py` runs the same through a real worker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from agreements.choices import SensorType
from catalog.astro.access import FieldOfRegard
from catalog.models import ElementSet
from portal.models import TaskRun
from tasking.models import RetaskingGap, RetaskingRun, SsnTask
from tasking.services import retask_split
from tasking.services.elements import copy_of
from tasking.tasks import retask, retask_chunk, retask_finish, retask_split_failed
from tests.tasking.conftest import World, make_object
from tests.tasking.test_retasking import _rejected, _ssn

# Inclinations and phases spread so that the sensors see different targets at different times.
ORBITS: list[dict[str, float]] = [
    dict(inclination=51.6, mean_anomaly=10.0),
    dict(inclination=97.5, mean_motion=14.8, mean_anomaly=120.0),
    dict(inclination=63.4, mean_motion=13.2, ra_of_asc_node=30.0),
    dict(inclination=28.5, mean_motion=15.1, mean_anomaly=250.0),
    dict(inclination=82.0, mean_motion=14.2, ra_of_asc_node=300.0),
    dict(inclination=98.7, mean_motion=14.3, ra_of_asc_node=200.0, mean_anomaly=40.0),
]


class Rollback(Exception):
    pass


def _demand(world: World) -> None:
    """Six targets, two requests each, on three sensors with too little capacity for all.

    The 114 tracks asked for meet 96-99 usable slots whatever the time of day the run starts
    (tried every two hours), so some demand is always left for lack of capacity."""
    objects = [
        make_object(40000 + i, f"TARGET {i}", "UNCLASSIFIED", **orbit) for i, orbit in enumerate(ORBITS)
    ]
    for i, obj in enumerate(objects):
        for tracks, priority in ((14, "routine"), (5, "immediate" if i % 2 else "priority")):
            _rejected(world, targets=[obj], tracks_wanted=tracks, priority=priority)
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED", tph=20)
    _ssn(349, 64.29, -149.19, "UNCLASSIFIED", tph=20)
    _ssn(
        500, 33.8, -106.7, "UNCLASSIFIED", tph=30, sensor_type=SensorType.OPTICAL_TELESCOPE,
        min_elevation_deg=15.0, max_range_km=None,
    )  # fmt: skip


def _booked() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    tasks = sorted(
        SsnTask.objects.values_list("request_id", "sensor__number", "space_object_id", "start", "end")
    )
    gaps = sorted(RetaskingGap.objects.values_list("request_id", "tracks_missing", "reason"))
    return tasks, gaps


def _one_task_run(world: World, settings: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    settings.RETASK_CHUNK_TARGETS = 1000
    booked: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] = ([], [])
    with pytest.raises(Rollback), transaction.atomic():
        retask.delay(world.now.isoformat())
        (run,) = RetaskingRun.objects.all()
        assert "chunks" not in run.inputs and run.status == "succeeded"
        booked = _booked()
        raise Rollback
    assert not SsnTask.objects.exists()
    return booked


def test_a_run_split_into_chunks_books_the_tasks_and_gaps_of_a_run_in_one_task(
    world: World, settings: Any
) -> None:
    _demand(world)
    tasks, gaps = _one_task_run(world, settings)
    assert len(tasks) >= 6 and any(reason == "capacity_exhausted" for _r, _n, reason in gaps)
    settings.RETASK_CHUNK_TARGETS = 4  # six targets: chunks of 4 and 2
    retask.delay(world.now.isoformat())
    (run,) = RetaskingRun.objects.all()
    assert run.inputs["chunks"] == 2 and run.status == "succeeded" and run.progress == 100
    assert _booked() == (tasks, gaps)
    assert TaskRun.objects.filter(name="tasking.retask_finish", status="succeeded").count() == 1


def test_a_split_run_whose_callback_is_delivered_alone_books_the_same_once(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demand(world)
    tasks, gaps = _one_task_run(world, settings)
    settings.RETASK_CHUNK_TARGETS = 2
    sent: list[Any] = []

    # The chord is sent and lost with its worker: the run stays running, nothing is booked.
    def lost_chord(header: list[Any]) -> Any:
        sent.append(header)
        return lambda callback: None

    monkeypatch.setattr(retask_split, "chord", lost_chord)
    retask.delay(world.now.isoformat())
    (run,) = RetaskingRun.objects.all()
    assert len(sent[0]) == 3 and run.status == "running" and not SsnTask.objects.exists()
    # The recovery sweep's delivery of the callback, without the chunks' results.
    answer = retask_finish.delay(None, run.pk).get()
    assert answer["duplicate"] is False
    run.refresh_from_db()
    assert run.status == "succeeded" and _booked() == (tasks, gaps)
    # A second delivery (the chord's own, late) books nothing more.
    again = retask_finish.delay(None, run.pk).get()
    assert again["duplicate"] is True and _booked() == (tasks, gaps)


def test_a_chunk_size_below_one_is_refused_naming_the_setting(world: World, settings: Any) -> None:
    _demand(world)
    settings.RETASK_CHUNK_TARGETS = 0
    with pytest.raises(ValueError, match="RETASK_CHUNK_TARGETS"):
        retask.delay(world.now.isoformat())
    assert RetaskingRun.objects.get().status == "failed"


def test_a_chunk_task_reads_and_writes_no_table(world: World, django_assert_num_queries: Any) -> None:
    elements = copy_of(ElementSet.objects.get(space_object=world.iss))
    eglin = dataclasses.asdict(FieldOfRegard(30.57, -86.21, 0.1, min_elevation_deg=3.0))
    start, end = world.now, world.now + dt.timedelta(hours=24)
    with django_assert_num_queries(0):
        answer = retask_chunk.delay(
            [[world.iss.pk, elements]], [eglin], start.isoformat(), end.isoformat()
        ).get()
    columns = answer["windows"]
    assert answer["objects"] == [world.iss.pk] and columns["target"]
    for obj, sensor, rise_us, set_us in zip(
        columns["target"], columns["sensor"], columns["start"], columns["end"], strict=True
    ):
        assert obj == world.iss.pk and sensor == 0
        assert start.timestamp() * 1e6 <= rise_us < set_us <= end.timestamp() * 1e6


def test_a_chunk_that_fails_for_good_fails_the_run_and_the_snapshot_is_taken_over(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _demand(world)
    tasks, gaps = _one_task_run(world, settings)
    settings.RETASK_CHUNK_TARGETS = 2
    monkeypatch.setattr(retask_split, "chord", lambda header: lambda callback: None)
    retask.delay(world.now.isoformat())
    (run,) = RetaskingRun.objects.all()
    # What the chord's error callback receives from the result backend when a chunk raised.
    retask_split_failed(None, RuntimeError("SGP4 blew up"), None, run_pk=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "SGP4 blew up" in run.error
    monkeypatch.undo()
    settings.RETASK_CHUNK_TARGETS = 2
    retask.delay(world.now.isoformat())  # the next delivery of the same snapshot
    run.refresh_from_db()
    assert RetaskingRun.objects.count() == 1 and run.status == "succeeded"
    assert _booked() == (tasks, gaps)
