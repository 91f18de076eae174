"""The periodic jobs on the embedded default: with no broker there is no `celery beat`, so a
small loop reads the same django-celery-beat rows and runs each due job in-process.

A job is claimed with a conditional UPDATE on its `last_run_at` before it runs, so two loops
(or a loop and a real beat writing the same rows) never run one due slot twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable

from celery import current_app
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger(__name__)


def _is_due(task: object, now: dt.datetime) -> bool:
    last = getattr(task, "last_run_at", None)
    if last is None:
        return True
    interval = getattr(task, "interval", None)
    if interval is not None:
        return bool(last + interval.schedule.run_every <= now)
    due, _next = task.schedule.is_due(last)  # type: ignore[attr-defined]
    return bool(due)


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Run every enabled periodic job that is due at `now`; the names of those run."""
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    ran = []
    for task in (
        PeriodicTask.objects.filter(enabled=True).select_related("interval", "crontab").order_by("name")
    ):
        if not _is_due(task, now):
            continue
        claimed = PeriodicTask.objects.filter(pk=task.pk, last_run_at=task.last_run_at).update(
            last_run_at=now, total_run_count=task.total_run_count + 1
        )
        if claimed != 1:
            continue  # another loop took this slot
        job = current_app.tasks.get(task.task)
        if job is None:
            log.error("periodic job %r names unknown task %r", task.name, task.task)
            continue
        result = job.apply(args=json.loads(task.args or "[]"), kwargs=json.loads(task.kwargs or "{}"))
        if result.failed():
            log.error("periodic job %r failed: %s", task.name, result.result)
        ran.append(task.name)
    return ran


def loop(every_s: float = 15.0, stop: Callable[[], bool] = lambda: False) -> None:
    """Check for due jobs every `every_s` seconds until `stop()` says so."""
    while not stop():
        close_old_connections()
        try:
            for name in run_due():
                log.info("ran periodic job %r", name)
        except Exception:  # a failing round must not end the loop; the next round retries
            log.exception("periodic jobs round failed")
        time.sleep(every_s)
