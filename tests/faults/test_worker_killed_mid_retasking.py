"""A worker killed with SIGKILL half-way through a retasking run (its plan made, before the
first request is marked retasked): once its lease has passed the recovery sweep fails the run
and queues it again; the new worker retasks each request once, with no SSN slot booked twice
and no request given a second set of tracks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Sensor
from portal.models import TaskRun, TaskRunStatus
from portal.tasks import recover_runs
from tasking.choices import RequestStatus
from tasking.models import RetaskingRun, SsnTask, SsnTaskStatus
from tasking.services import retask_queue, transitions
from tasking.tasks import retask
from tests.conftest import _database_url_of_test_db
from tests.faults.services import PrivateRedis, Worker, broker, private_redis, wait_until, workers
from tests.tasking.conftest import World
from tests.tasking.conftest import world as world  # the tasking coalition, not the observation one
from tests.tasking.test_retasking import _ssn

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECEIVED = re.compile(r"Task [\w.]+\[[^\]]+\] received")
ENDED = re.compile(r"Task [\w.]+\[[^\]]+\] (succeeded|raised|retry)")
DONE = re.compile(r"Task tasking\.retask\[[^\]]+\] succeeded")


def settled(redis: PrivateRedis, worker: Worker) -> bool:
    """Nothing queued and every task the worker received has ended."""
    log = worker.log()
    return not redis.queued() and len(RECEIVED.findall(log)) == len(ENDED.findall(log))


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    with private_redis(6395) as server, broker(server.url):
        yield server


@pytest.fixture
def ssn(world: World) -> list[Sensor]:
    return [_ssn(399, 30.57, -86.21, "UNCLASSIFIED"), _ssn(346, 54.36, -0.67, "UNCLASSIFIED")]


def _rejected(world: World, tracks: int) -> Any:
    request = world.file(tracks_wanted=tracks)
    return transitions.apply(
        request, "reject", by=world.users["uk_staff"], reason_code="no_capacity", text="Fully booked."
    )


def test_a_worker_killed_mid_retasking_is_recovered_and_each_request_retasked_once(
    redis: PrivateRedis, world: World, ssn: list[Sensor], settings: Any, tmp_path: Path
) -> None:
    database_url = _database_url_of_test_db()
    lease = {"TASK_RUN_HEARTBEAT_S": "1", "TASK_RUN_LEASE_S": "4"}
    settings.TASK_RUN_LEASE_S = 4
    with retask_queue.deferred():  # the one run queued below is the only one
        requests = [_rejected(world, 2), _rejected(world, 1)]
    at = world.now.isoformat()
    paused = tmp_path / "paused"
    with workers() as started:
        slow = Worker(
            redis.url,
            database_url,
            "slow-retask",
            FAULT_RETASK_PAUSE_S="120",
            FAULT_RETASK_PAUSED=str(paused),
            **lease,
        )
        started.append(slow.start("tests.faults.slow_retask_worker"))
        retask.delay(at)
        wait_until(paused.exists, 45, "the slow worker did not reach its pause")
        slow.kill()
        (killed,) = RetaskingRun.objects.all()
        assert killed.status == "running"
        started.append(Worker(redis.url, database_url, "after-retask-kill", **lease).start())
        wait_until(
            lambda: (
                not TaskRun.objects.filter(
                    status=TaskRunStatus.RUNNING, heartbeat__gte=timezone.now() - dt.timedelta(seconds=4.5)
                ).exists()
            ),
            20,
            "the killed run's lease did not run out",
        )
        recover_runs.delay("recover-after-retask-kill")
        wait_until(
            lambda: RetaskingRun.objects.filter(status="succeeded").exists(),
            45,
            "the retasking was not done again",
        )
        # The broker's own redelivery of the killed message, and the next scheduled run: nothing
        # more is booked.
        retask.delay(at)
        retask.delay()
        # Three runs in all for this worker: the recovered one and these two.
        wait_until(
            lambda: len(DONE.findall(started[-1].log())) == 3 and settled(redis, started[-1]),
            30,
            "the later deliveries did not run",
        )
    for request, tracks in zip(requests, (2, 1), strict=True):
        request.refresh_from_db()
        assert request.status == RequestStatus.RETASKED
        assert request.ssn_tasks.filter(status=SsnTaskStatus.SCHEDULED).count() == tracks
    assert SsnTask.objects.count() == 3
    slots = list(SsnTask.objects.values_list("sensor_id", "start"))
    assert len(set(slots)) == len(slots)
    assert RetaskingRun.objects.filter(status="succeeded", outputs__tasks=3).count() == 1
    assert not RetaskingRun.objects.filter(status="running").exists()
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()
