"""Association of a delivered batch as a background task, queued once the batch is committed.

With a broker the task goes to a worker after the ingest transaction commits; without one (tasks
eager) it runs in the delivering process at once. Each batch is associated once: the run is
recorded under a key of its own, and only observations still pending are written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from catalog.observations.models import IngestBatch
from catalog.observations.services import sweeps
from catalog.observations.services.association import associate_pending
from catalog.observations.services.ingest import ingest
from catalog.observations.task_names import ASSOCIATE_TASK, RETRY_TASK, SWEEP_TASK
from portal.models import TaskRun
from portal.task_runs import Subject, per_minute, recorded_task


def _batch(batch_id: int, *args: Any) -> Subject:
    return (IngestBatch._meta.label_lower, batch_id)


@recorded_task(ASSOCIATE_TASK, key=lambda batch_id: f"{ASSOCIATE_TASK}:{batch_id}", subject=_batch)
def associate_batch(run: TaskRun, counts: dict[str, Any], batch_id: int) -> dict[str, Any]:
    """Associate the pending observations of one batch; a second delivery does nothing."""
    if not IngestBatch.objects.filter(pk=batch_id).exists():
        return {"batch": batch_id, "missing": True}
    counts.update(associate_pending(batch_id))
    return {"batch": batch_id}


@recorded_task(RETRY_TASK, key=lambda batch_id, attempt: f"{RETRY_TASK}:{batch_id}:{attempt}", subject=_batch)
def retry_ingest(run: TaskRun, counts: dict[str, Any], batch_id: int, attempt: int) -> dict[str, Any]:
    """Read an interrupted batch again from its archived payload; stored once whatever the tries."""
    batch = IngestBatch.objects.filter(pk=batch_id).first()
    if batch is None or not batch.reopen():
        return {"batch": batch_id, "skipped": True}
    result = ingest(batch)
    counts.update({"accepted": batch.accepted, "duplicates": batch.duplicates, "rejected": batch.rejected})
    return {"batch": batch_id, "status": result.batch.status}


@recorded_task(SWEEP_TASK, key=per_minute(SWEEP_TASK))
def requeue_pending(
    run: TaskRun, counts: dict[str, Any], key: str | None = None, *, older_than_s: int | None = None
) -> None:
    """Every few minutes: settle orphaned ingests, retry interrupted ones, queue associations
    that never reached a worker. Work stored in the database is found again here."""
    wait = settings.PENDING_WORK_GRACE_S if older_than_s is None else older_than_s
    counts.update(sweeps.sweep(dt.timedelta(seconds=wait)))
