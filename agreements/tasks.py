"""Celery tasks of the agreements app: safe to run twice, and their runs recorded."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from agreements.models.agreements import expire_lapsed
from portal import audit
from portal.task_runs import AlreadyDone, recorded_run

EXPIRE_TASK = "agreements.expire_agreements"


@shared_task(name=EXPIRE_TASK)
def expire_agreements(key: str | None = None) -> dict[str, Any]:
    """Hourly: agreements whose expiry date has passed become expired."""
    key = key or f"{EXPIRE_TASK}:{timezone.now():%Y-%m-%dT%H:%M}"
    try:
        with (
            audit.acting_as(audit.Actor(name="system")),
            recorded_run(EXPIRE_TASK, key) as (run, counts),
        ):
            counts.update(expire_lapsed())
        return {"run_id": str(run.run_id), "duplicate": False, **counts}
    except AlreadyDone as done:
        return {"run_id": str(done.run.run_id), "duplicate": True}
