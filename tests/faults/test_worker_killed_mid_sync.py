"""A worker killed with SIGKILL half-way through a catalog sync (one file's element sets
stored, not yet recorded as synced, the next file not read): once its lease has passed the
recovery sweep releases the source and queues the sync again; the new worker finishes it once."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from catalog.models import ElementSet, SyncRun, SyncRunStatus, SyncSource
from catalog.tasks import sync_source
from portal.models import TaskRun, TaskRunStatus
from portal.tasks import recover_runs
from tests.catalog.conftest import SAMPLES
from tests.conftest import _database_url_of_test_db
from tests.faults.services import PrivateRedis, Worker, broker, private_redis, wait_until, workers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOT = "20240315T120000"


@pytest.fixture
def redis() -> Iterator[PrivateRedis]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    with private_redis(6393) as server, broker(server.url):
        yield server


@pytest.fixture
def source(tmp_path: Path) -> SyncSource:
    # Two files of three element sets each, no satellite in both: six sets in all.
    drop = tmp_path / "drop"
    drop.mkdir()
    shutil.copy(SAMPLES / "elements_3le.tle", drop / "gp-1.tle")
    shutil.copy(SAMPLES / "elements_plain.tle", drop / "gp-2.tle")
    return SyncSource.objects.create(
        name="killed drop", kind="directory", location=str(drop), interval=dt.timedelta(hours=1)
    )


def sync_runs(source: SyncSource) -> list[tuple[str, int]]:
    return list(SyncRun.objects.filter(source=source).order_by("started").values_list("status", "added"))


def test_a_worker_killed_mid_sync_is_recovered_and_the_source_synced_once(
    redis: PrivateRedis, source: SyncSource, settings: Any
) -> None:
    database_url = _database_url_of_test_db()
    lease = {"TASK_RUN_HEARTBEAT_S": "1", "TASK_RUN_LEASE_S": "4"}
    settings.TASK_RUN_LEASE_S = 4
    key = f"catalog.sync_source:{source.pk}:{SLOT}"
    with workers() as started:
        slow = Worker(redis.url, database_url, "slow-sync", FAULT_SYNC_PAUSE_S="120", **lease)
        started.append(slow.start("tests.faults.slow_sync_worker"))
        sync_source.delay(source.pk, SLOT)
        # The first file's sets are stored, the worker paused and beating: kill it there.
        wait_until(lambda: ElementSet.objects.count() == 3, 45, "the slow worker did not reach its pause")
        run = TaskRun.objects.get(idempotency_key=key)
        assert run.status == TaskRunStatus.RUNNING
        assert sync_runs(source) == [(SyncRunStatus.RUNNING, 0)]
        slow.kill()
        source.refresh_from_db()
        assert source.running_since is not None  # still held by the dead worker
        started.append(Worker(redis.url, database_url, "after-sync-kill", **lease).start())
        wait_until(
            lambda: TaskRun.objects.filter(
                pk=run.pk,
                status=TaskRunStatus.RUNNING,
                heartbeat__lt=timezone.now() - dt.timedelta(seconds=4.5),
            ).exists(),
            20,
            "the killed run's lease did not run out",
        )
        recover_runs.delay("recover-after-sync-kill")
        wait_until(
            lambda: TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.SUCCEEDED).exists(),
            45,
            "the recovered sync did not end",
        )
        # The broker's own redelivery of the killed message, arriving late, does nothing.
        sync_source.delay(source.pk, SLOT)
        wait_until(lambda: "'duplicate': True" in started[-1].log(), 20, "the late delivery was not answered")
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and run.attempts == 2 and run.error == ""
    assert TaskRun.objects.get(idempotency_key="recover-after-sync-kill").counts == {
        "recovered": 1,
        "requeued": 1,
    }
    # The killed run failed with its reason; the second read both files, adding only the three
    # sets of the file the killed one never reached.
    lost, done = SyncRun.objects.filter(source=source).order_by("started")
    assert lost.status == SyncRunStatus.FAILED and "lost" in str(lost.errors)
    assert (done.status, done.files, done.added) == (SyncRunStatus.SUCCEEDED, 2, 3)
    assert SyncRun.objects.filter(source=source, status=SyncRunStatus.SUCCEEDED).count() == 1
    assert ElementSet.objects.count() == 6
    assert ElementSet.objects.values("space_object", "epoch").distinct().count() == 6
    source.refresh_from_db()
    assert source.running_since is None
    assert sorted(source.files.values_list("name", flat=True)) == ["gp-1.tle", "gp-2.tle"]
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()
