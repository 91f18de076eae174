from __future__ import annotations

from typing import Any

from celery import shared_task

from portal.access import apply_all_due_changes
from portal.task_runs import AlreadyDone, recorded_run


@shared_task(name="portal.heartbeat")
def heartbeat(key: str | None = None) -> dict[str, Any]:
    """Proves a worker is alive and can write to the database; shown on the runs page."""
    try:
        with recorded_run("heartbeat", key) as (run, counts):
            counts["ok"] = 1
        return {"run_id": str(run.run_id), "duplicate": False}
    except AlreadyDone as done:
        return {"run_id": str(done.run.run_id), "duplicate": True}


@shared_task(name="portal.apply_access_changes")
def apply_access_changes() -> dict[str, Any]:
    """Applies approved access changes that have come into force, for users not signed in."""
    return {"applied": apply_all_due_changes()}
