"""A task queued through Redis, run by a real worker process, its result visible in the database."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from portal.models import TaskRun, TaskRunStatus
from portal.tasks import heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def test_a_worker_runs_a_queued_task_and_records_it(celery_worker_process: Any) -> None:
    key = f"heartbeat-{uuid.uuid4()}"
    heartbeat.delay(key)
    wait_for(lambda: TaskRun.objects.filter(idempotency_key=key, status=TaskRunStatus.SUCCEEDED).exists())
    run = TaskRun.objects.get(idempotency_key=key)
    assert run.counts == {"ok": 1}
    assert run.worker


def test_a_duplicate_delivery_does_the_work_once(celery_worker_process: Any) -> None:
    key = f"heartbeat-{uuid.uuid4()}"
    heartbeat.delay(key)
    heartbeat.delay(key)
    wait_for(lambda: TaskRun.objects.filter(idempotency_key=key, status=TaskRunStatus.SUCCEEDED).exists())
    time.sleep(1)
    assert TaskRun.objects.filter(idempotency_key=key).count() == 1
