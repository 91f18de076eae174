"""Celery tasks of the agreements app: safe to run twice, and their runs recorded."""

from __future__ import annotations

from typing import Any

from agreements.models.agreements import expire_lapsed
from portal import audit
from portal.models import TaskRun
from portal.task_runs import per_minute, recorded_task

EXPIRE_TASK = "agreements.expire_agreements"


@recorded_task(EXPIRE_TASK, key=per_minute(EXPIRE_TASK))
def expire_agreements(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Hourly: agreements whose expiry date has passed become expired."""
    with audit.acting_as(audit.Actor(name="system")):
        counts.update(expire_lapsed())
