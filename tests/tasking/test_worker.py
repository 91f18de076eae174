"""The expiry job through Redis and a real worker process (PostgreSQL + Redis set-up only)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from portal.models import TaskRun, TaskRunStatus
from tasking.tasks import expire_overdue

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_expiry_once_for_a_duplicate_delivery(celery_worker_process: Any) -> None:
    key = f"expire-{uuid.uuid4()}"
    expire_overdue.delay(key)
    expire_overdue.delay(key)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if TaskRun.objects.filter(idempotency_key=key, status=TaskRunStatus.SUCCEEDED).exists():
            break
        time.sleep(0.2)
    time.sleep(1)
    runs = TaskRun.objects.filter(idempotency_key=key)
    assert runs.count() == 1 and runs.get().status == TaskRunStatus.SUCCEEDED
