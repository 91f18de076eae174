"""Queuing a retasking run when requests become unmet, apart from the run itself: the workflow
queues it by the task's name, so neither imports the other."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from celery import current_app
from django.db import transaction

RETASK_TASK = "tasking.retask"

_deferred = contextvars.ContextVar("retasking_deferred", default=False)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block requests becoming unmet queue nothing (bulk loads run retasking once)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)


def queue_retasking() -> None:
    """Queue a retasking run once the current transaction commits."""
    if not _deferred.get():
        transaction.on_commit(lambda: current_app.tasks[RETASK_TASK].delay())
