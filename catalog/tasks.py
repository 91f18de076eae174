"""Catalog sync tasks. Beat runs `catalog.sync_due_sources` every minute; each source's own
interval, stored with it, decides when it is due."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from catalog.calibration import tasks as calibration_tasks  # noqa: F401  (registers its task with workers)
from catalog.models import SyncSource
from catalog.services import sync
from portal.models import TaskRun
from portal.task_runs import about, enqueue, recorded_task


def _slot_key(source_id: int, slot: str | None = None) -> str | None:
    return f"catalog.sync_source:{source_id}:{slot}" if slot else None


@recorded_task("catalog.sync_source", key=_slot_key)
def sync_source(
    run: TaskRun, counts: dict[str, Any], source_id: int, slot: str | None = None
) -> dict[str, Any]:
    """Pull one source. Deliveries of the same slot share one recorded run and do the work once."""
    source = SyncSource.objects.filter(pk=source_id).first()
    if source is None:
        counts["missing"] = 1
        return {"source": source_id, "missing": True}
    try:
        outcome = sync.sync_source(source, task_run=run)
    except sync.SourceBusy:
        counts["busy"] = 1
        return {"source": source_id, "busy": True}
    about(run, outcome.run)  # who may see this run: whoever may read the import it made
    counts.update(
        {
            "files": len(outcome.files),
            "added": outcome.run.added,
            "updated": outcome.run.updated,
            "unchanged": outcome.run.unchanged,
            "rejected": outcome.run.rejected,
        }
    )
    return {"source": source_id, "sync_run": str(outcome.run.run_id)}


@shared_task(name="catalog.sync_due_sources")
def sync_due_sources() -> dict[str, Any]:
    """Queue a pull of every enabled source that is due, each slot claimed once (claiming the
    slot is the conditional UPDATE that makes a second scheduler's run a no-op)."""
    queued = []
    for source in sync.due_sources():
        slot = sync.claim_slot(source)
        if slot is None:
            continue
        enqueue(sync_source, source.pk, slot)
        queued.append(source.name)
    return {"queued": queued}
