"""Association of a delivered batch as a background task, queued once the batch is committed.

With a broker the task goes to a worker after the ingest transaction commits; without one (tasks
eager) it runs in the delivering process at once. Each batch is associated once: the run is
recorded under a key of its own, and only observations still pending are written.
"""

from __future__ import annotations

from typing import Any

from catalog.models.observations import IngestBatch
from catalog.observations.association import associate_pending
from portal.models import TaskRun
from portal.task_runs import enqueue, recorded_task

ASSOCIATE_TASK = "catalog.associate_batch"


@recorded_task(ASSOCIATE_TASK, key=lambda batch_id: f"{ASSOCIATE_TASK}:{batch_id}")
def associate_batch(run: TaskRun, counts: dict[str, Any], batch_id: int) -> dict[str, Any]:
    """Associate the pending observations of one batch; a second delivery does nothing."""
    if not IngestBatch.objects.filter(pk=batch_id).exists():
        return {"batch": batch_id, "missing": True}
    counts.update(associate_pending(batch_id))
    return {"batch": batch_id}


def queue_association(batch_id: int) -> None:
    enqueue(associate_batch, batch_id)
