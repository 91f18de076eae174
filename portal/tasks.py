"""Celery tasks of the core."""

from __future__ import annotations

from typing import Any

from portal import task_runs
from portal.access import apply_all_due_changes
from portal.models import TaskRun
from portal.task_runs import per_minute, recorded_task


@recorded_task("portal.heartbeat", key=lambda key=None: key)
def heartbeat(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Proves a worker is alive and can write to the database; shown on the runs page."""
    counts["ok"] = 1


@recorded_task("portal.recover_runs", key=per_minute("portal.recover_runs"))
def recover_runs(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Every minute: runs whose worker went silent past the lease are failed and queued again."""
    counts.update(task_runs.recover())


@recorded_task("portal.apply_access_changes", key=per_minute("portal.apply_access_changes"))
def apply_access_changes(run: TaskRun, counts: dict[str, Any], key: str | None = None) -> None:
    """Every minute: approved access changes that have come into force, for users not signed in."""
    counts["applied"] = apply_all_due_changes()
