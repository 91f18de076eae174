"""A split retasking run through a real worker (PostgreSQL + Redis set-up only): the chunks and
their chord's callback run on the worker and book what the run in one process plans."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from portal.models import TaskRun
from tasking.models import RetaskingRun, SsnTask
from tasking.services import retasking
from tasking.tasks import retask
from tests.conftest import _database_url_of_test_db
from tests.faults.services import Worker, wait_until, workers
from tests.tasking.conftest import World
from tests.tasking.test_retasking_split import _demand

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_the_chunks_and_the_callback_of_a_split_run(world: World) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    _demand(world)
    planned = retasking.plan(world.now, retasking.unmet_requests(), retasking.ssn_sensors())
    expected = sorted((t.request, t.sensor, t.target, round(t.start_s)) for t in planned.tasks)
    from portal.celery import app

    app.control.purge()
    with workers() as started:
        worker = Worker(
            settings.CELERY_BROKER_URL, _database_url_of_test_db(), "split-retask", RETASK_CHUNK_TARGETS="2"
        )
        started.append(worker.start())
        retask.delay(world.now.isoformat())
        wait_until(
            lambda: RetaskingRun.objects.filter(status__in=["succeeded", "failed"]).exists(),
            120,
            "the split run did not finish",
        )
        log = worker.log()
    (run,) = RetaskingRun.objects.all()
    assert run.status == "succeeded", run.error
    assert run.inputs["chunks"] == 3
    assert log.count("tasking.retask_chunk[") >= 3 and "tasking.retask_finish[" in log
    assert TaskRun.objects.filter(name="tasking.retask_finish", status="succeeded").count() == 1
    booked: list[Any] = sorted(
        (t.request_id, t.sensor_id, t.space_object_id, round(t.start.timestamp()))
        for t in SsnTask.objects.all()
    )
    assert booked == expected and len(booked) >= 6
