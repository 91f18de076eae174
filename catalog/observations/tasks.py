"""Association of a delivered batch as a background task, queued once the batch is committed.

With a broker the task goes to a worker after the ingest transaction commits; without one (tasks
eager) it runs in the delivering process at once. Each batch is associated once: the run is
recorded under a key of its own, and only observations still pending are written.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from celery import shared_task
from django.db import transaction

from catalog.models.observations import IngestBatch
from catalog.observations.association import associate_pending
from portal.task_runs import AlreadyDone, recorded_run

ASSOCIATE_TASK = "catalog.associate_batch"


@shared_task(name=ASSOCIATE_TASK)
def associate_batch(batch_id: int) -> dict[str, Any]:
    """Associate the pending observations of one batch; a second delivery does nothing."""
    if not IngestBatch.objects.filter(pk=batch_id).exists():
        return {"batch": batch_id, "missing": True}
    try:
        with recorded_run(ASSOCIATE_TASK, f"{ASSOCIATE_TASK}:{batch_id}") as (run, counts):
            counts.update(associate_pending(batch_id))
        return {"batch": batch_id, "run_id": str(run.run_id), "duplicate": False, **counts}
    except AlreadyDone as done:
        return {"batch": batch_id, "run_id": str(done.run.run_id), "duplicate": True}


def queue_association(batch_id: int) -> None:
    if associate_batch.app.conf.task_always_eager:
        associate_batch(batch_id)
    else:
        transaction.on_commit(partial(associate_batch.delay, batch_id))
