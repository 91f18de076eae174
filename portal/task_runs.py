"""Running background work so that it is recorded and never done twice."""

from __future__ import annotations

import contextlib
import socket
import traceback
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from portal.models import TaskRun, TaskRunStatus


class AlreadyDone(Exception):
    """Another delivery of the same run finished (or is running) first."""

    def __init__(self, run: TaskRun) -> None:
        super().__init__(f"run {run.idempotency_key} already {run.status}")
        self.run = run


def start_run(name: str, idempotency_key: str | None = None) -> TaskRun:
    """Create the run's record; a second delivery with the same key raises AlreadyDone.

    A run whose worker died while running is taken over: its key is free again once the row
    is marked failed, which is what `recover` below does for a run found still RUNNING.
    """
    try:
        with transaction.atomic():
            return TaskRun.objects.create(
                name=name, idempotency_key=idempotency_key, worker=socket.gethostname()
            )
    except IntegrityError:
        existing = TaskRun.objects.get(idempotency_key=idempotency_key)
        if existing.status == TaskRunStatus.FAILED:
            updated = TaskRun.objects.filter(pk=existing.pk, status=TaskRunStatus.FAILED).update(
                status=TaskRunStatus.RUNNING, error="", finished=None, started=timezone.now()
            )
            if updated == 1:
                existing.refresh_from_db()
                return existing
        raise AlreadyDone(existing) from None


def finish_run(run: TaskRun, counts: dict[str, Any] | None = None) -> None:
    TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.RUNNING).update(
        status=TaskRunStatus.SUCCEEDED, finished=timezone.now(), counts=counts or {}
    )


def fail_run(run: TaskRun, error: str, counts: dict[str, Any] | None = None) -> None:
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskRunStatus.FAILED, finished=timezone.now(), error=error[:10000], counts=counts or {}
    )


@contextlib.contextmanager
def recorded_run(name: str, idempotency_key: str | None = None) -> Iterator[tuple[TaskRun, dict[str, Any]]]:
    """`with recorded_run("sync", key) as (run, counts): ...` — counts are saved at the end."""
    run = start_run(name, idempotency_key)
    counts: dict[str, Any] = {}
    try:
        yield run, counts
    except Exception:
        fail_run(run, traceback.format_exc(limit=5), counts)
        raise
    finish_run(run, counts)
