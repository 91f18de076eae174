"""Recorded runs that lose their worker: taken over by the redelivery after the lease, or failed
and re-queued by the sweep; sync sources held by a lost run are released the same way."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from catalog import tasks as catalog_tasks
from catalog.models import SyncRun, SyncRunStatus, SyncSource
from catalog.services.importer import start_sync_run
from portal import task_runs
from portal.models import TaskRun, TaskRunStatus
from portal.tasks import heartbeat, recover_runs
from tests.catalog.conftest import SAMPLES

pytestmark = pytest.mark.django_db


def silent_for(run: TaskRun, seconds: float) -> None:
    """The run's worker last proved it was alive `seconds` ago."""
    TaskRun.objects.filter(pk=run.pk).update(heartbeat=timezone.now() - dt.timedelta(seconds=seconds))


def test_a_running_run_whose_worker_still_beats_is_not_taken_over() -> None:
    run = task_runs.start_run("portal.heartbeat", "live")
    with pytest.raises(task_runs.AlreadyDone):
        task_runs.start_run("portal.heartbeat", "live")
    assert TaskRun.objects.get(pk=run.pk).attempts == 1


def test_a_running_run_silent_past_its_lease_is_taken_over_by_the_redelivery(settings: Any) -> None:
    run = task_runs.start_run("portal.heartbeat", "lost")
    silent_for(run, settings.TASK_RUN_LEASE_S + 1)
    again = task_runs.start_run("portal.heartbeat", "lost")
    assert again.pk == run.pk and again.status == TaskRunStatus.RUNNING and again.attempts == 2
    assert "lease" in again.error
    with pytest.raises(task_runs.AlreadyDone):  # the new holder beats: a third delivery waits
        task_runs.start_run("portal.heartbeat", "lost")


def test_a_redelivered_task_finishes_a_run_its_killed_worker_left_running(settings: Any) -> None:
    run = task_runs.start_run("portal.heartbeat", "killed-mid-run", args=["killed-mid-run"])
    silent_for(run, settings.TASK_RUN_LEASE_S + 1)
    result = heartbeat("killed-mid-run")
    assert result["duplicate"] is False
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and run.counts == {"ok": 1}


def test_beating_extends_the_lease(settings: Any) -> None:
    run = task_runs.start_run("portal.heartbeat", "beating")
    silent_for(run, settings.TASK_RUN_LEASE_S + 1)
    task_runs.beat(run)
    with pytest.raises(task_runs.AlreadyDone):
        task_runs.start_run("portal.heartbeat", "beating")


def test_the_sweep_fails_stale_runs_and_queues_their_work_again(settings: Any) -> None:
    stale = task_runs.start_run("portal.heartbeat", "stale-one", args=["stale-one"])
    live = task_runs.start_run("portal.heartbeat", "live-one", args=["live-one"])
    silent_for(stale, settings.TASK_RUN_LEASE_S + 1)
    outcome = recover_runs()
    assert outcome["recovered"] == 1
    stale.refresh_from_db()
    live.refresh_from_db()
    # Tasks run in process here: the re-queued delivery has already done the work.
    assert stale.status == TaskRunStatus.SUCCEEDED and stale.attempts == 2
    assert live.status == TaskRunStatus.RUNNING


def test_recover_marks_a_lost_run_failed_with_the_reason(settings: Any) -> None:
    stale = task_runs.start_run("not.a.registered.task", "unknown-work")
    silent_for(stale, settings.TASK_RUN_LEASE_S + 1)
    assert task_runs.recover() == {"recovered": 1, "requeued": 0}
    stale.refresh_from_db()
    assert stale.status == TaskRunStatus.FAILED and "lease" in stale.error and stale.finished


def test_a_sync_run_lost_with_its_worker_releases_its_source(settings: Any, tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "elements_3le.tle", tmp_path / "gp-1.tle")
    source = SyncSource.objects.create(
        name="drop", kind="directory", location=str(tmp_path), interval=dt.timedelta(minutes=30)
    )
    run = task_runs.start_run(
        "catalog.sync_source", f"catalog.sync_source:{source.pk}:s1", args=[source.pk, "s1"]
    )
    SyncSource.objects.filter(pk=source.pk).update(running_since=timezone.now())
    lost_sync = start_sync_run(marking=source.marking, source=source, task_run=run)
    silent_for(run, settings.TASK_RUN_LEASE_S + 1)
    outcome = catalog_tasks.sync_source(source.pk, "s1")  # the broker's redelivery
    assert outcome["duplicate"] is False and outcome["added"] == 3
    lost_sync.refresh_from_db()
    assert lost_sync.status == SyncRunStatus.FAILED and "lease" in lost_sync.errors[0]["message"]
    source.refresh_from_db()
    assert source.running_since is None
    assert SyncRun.objects.filter(source=source, status=SyncRunStatus.SUCCEEDED).count() == 1


def test_every_recorded_task_retries_with_backoff_and_jitter() -> None:
    from portal.celery import app

    app.loader.import_default_modules()  # what a worker does at start: every app's tasks
    recorded = [task for name, task in app.tasks.items() if getattr(task, "recorded", False)]
    assert {t.name for t in recorded} >= {
        "portal.heartbeat",
        "catalog.sync_source",
        "catalog.associate_batch",
        "tasking.expire_overdue",
        "tasking.settle_fulfilment",
        "agreements.expire_agreements",
    }
    for task in recorded:
        assert task.autoretry_for and task.retry_backoff and task.retry_jitter, task.name


def test_the_lease_visibility_timeout_and_time_limits_fit_together(settings: Any) -> None:
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.TASK_RUN_HEARTBEAT_S * 3 <= settings.TASK_RUN_LEASE_S
    assert settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT < visibility
    assert "recover lost task runs" in settings.PERIODIC_TASKS
