"""A split retasking run through a real worker (PostgreSQL + Redis set-up only): the chunks and
their chord's callback run on the session's worker and book what the run in one process plans."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import TaskRun
from tasking.models import RetaskingRun, SsnTask
from tasking.services import retask_queue, retask_split, retasking
from tests.faults.services import wait_until
from tests.tasking.conftest import World
from tests.tasking.test_retasking_split import _demand

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_the_chunks_and_the_callback_of_a_split_run(
    world: World, settings: Any, celery_worker_process: Any
) -> None:
    with retask_queue.deferred():  # the one run started below is the only one
        _demand(world)
    planned = retasking.plan(world.now, retasking.unmet_requests(), retasking.ssn_sensors())
    expected = sorted((t.request, t.sensor, t.target, round(t.start_s)) for t in planned.tasks)
    # The split is decided where the run starts (here); the chunks and the callback go to the
    # worker through Redis.
    settings.RETASK_CHUNK_TARGETS = 2
    run = retasking.run_retasking(world.now, split=retask_split.dispatch)
    assert run.status == "running" and run.inputs["chunks"] == 3 and not SsnTask.objects.exists()
    wait_until(
        lambda: RetaskingRun.objects.filter(pk=run.pk, status__in=["succeeded", "failed"]).exists(),
        120,
        "the split run did not finish",
    )
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert TaskRun.objects.filter(name="tasking.retask_finish", status="succeeded").count() == 1
    booked = sorted(
        (t.request_id, t.sensor_id, t.space_object_id, round(t.start.timestamp()))
        for t in SsnTask.objects.all()
    )
    assert booked == expected and len(booked) >= 6
