"""A worker killed with SIGKILL half-way through a calibration run (its residuals fitted, the
result not yet stored): once its lease has passed the recovery sweep queues the run again and
the new worker takes the calibration over and finishes it once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from catalog.calibration import runs
from catalog.calibration.tasks import run_calibration
from catalog.models import CalibrationRun, CalibrationStatus
from portal.models import TaskRun, TaskRunStatus
from portal.tasks import recover_runs
from tests.calibration.conftest import calibration_setup as calibration_setup  # the fixture
from tests.conftest import _database_url_of_test_db
from tests.faults.services import PrivateRedis, Worker, broker, private_redis, wait_until, workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DONE = re.compile(r"Task catalog\.calibration\.run\[[^\]]+\] succeeded")


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    with private_redis(6397) as server, broker(server.url):
        yield server


def test_a_worker_killed_mid_calibration_is_recovered_and_the_run_done_once(
    redis: PrivateRedis, calibration_setup: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    database_url = _database_url_of_test_db()
    lease = {"TASK_RUN_HEARTBEAT_S": "1", "TASK_RUN_LEASE_S": "4"}
    settings.TASK_RUN_LEASE_S = 4
    run = runs.request_run(
        calibration_setup["sensor"],
        dt.datetime(2015, 3, 2, tzinfo=dt.UTC),
        dt.datetime(2015, 3, 3, tzinfo=dt.UTC),
    )
    paused = tmp_path / "paused"
    with workers() as started:
        slow = Worker(
            redis.url,
            database_url,
            "slow-calibration",
            FAULT_CALIBRATION_PAUSE_S="120",
            FAULT_CALIBRATION_PAUSED=str(paused),
            **lease,
        )
        started.append(slow.start("tests.faults.slow_calibration_worker"))
        run_calibration.delay(run.pk)
        wait_until(paused.exists, 90, "the slow worker did not reach its pause")
        slow.kill()
        run.refresh_from_db()
        assert run.status == CalibrationStatus.RUNNING
        started.append(Worker(redis.url, database_url, "after-calibration-kill", **lease).start())
        wait_until(
            lambda: (
                not TaskRun.objects.filter(
                    status=TaskRunStatus.RUNNING, heartbeat__gte=timezone.now() - dt.timedelta(seconds=4.5)
                ).exists()
            ),
            20,
            "the killed run's lease did not run out",
        )
        recover_runs.delay("recover-after-calibration-kill")
        wait_until(
            lambda: CalibrationRun.objects.filter(pk=run.pk, status=CalibrationStatus.DONE).exists(),
            90,
            "the calibration was not done again",
        )
        run_calibration.delay(run.pk)  # the broker's own redelivery of the killed message
        wait_until(lambda: len(DONE.findall(started[-1].log())) == 2, 30, "the redelivery did not run")
    run.refresh_from_db()
    assert run.status == CalibrationStatus.DONE and run.observation_count > 500
    assert CalibrationRun.objects.count() == 1
    (task_run,) = TaskRun.objects.filter(name="catalog.calibration.run", status=TaskRunStatus.SUCCEEDED)
    assert task_run.attempts == 2
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()
