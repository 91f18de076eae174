"""Periodic sweeps that find work again: batches never associated, ingests cut short.

Losing the broker (or a worker, or the database for a moment) delays this work; it is never
lost, because what is pending is read from the database, not from the queue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from catalog.observations.choices import AssociationStatus, BatchStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.task_names import ASSOCIATE_TASK, RETRY_TASK
from portal.models import TaskRun, TaskRunStatus
from portal.task_runs import enqueue_named

SWEEP_LIMIT = 500


def unassociated_batches(older_than: dt.timedelta, now: dt.datetime | None = None) -> list[int]:
    """Stored batches still holding pending observations whose association is neither done nor
    under way (its task never reached a worker, or failed)."""
    now = now or timezone.now()
    pending = Observation.objects.filter(batch=OuterRef("pk"), association=AssociationStatus.PENDING)
    ids = list(
        IngestBatch.objects.filter(
            status__in=[BatchStatus.ACCEPTED, BatchStatus.PARTIAL], finished__lte=now - older_than
        )
        .filter(Exists(pending))
        .order_by("finished")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    keys = {f"{ASSOCIATE_TASK}:{pk}": pk for pk in ids}
    settled = TaskRun.objects.filter(
        idempotency_key__in=keys, status__in=[TaskRunStatus.SUCCEEDED, TaskRunStatus.RUNNING]
    ).values_list("idempotency_key", flat=True)
    busy = {keys[key] for key in settled if key is not None}
    return [pk for pk in ids if pk not in busy]


def settle_orphans(older_than: dt.timedelta, now: dt.datetime | None = None) -> list[int]:
    """Batches still `received` whose ingest is gone (its process or its database connection
    died): failed with the reason, and retryable. A live ingest holds its batch row locked, so
    it is skipped (on SQLite, which has no row locks, only the age tells)."""
    from catalog.observations.services.ingest import INTERRUPTED

    now = now or timezone.now()
    with transaction.atomic():
        orphans = list(
            IngestBatch.objects.select_for_update(skip_locked=True)
            .filter(status=BatchStatus.RECEIVED, received__lte=now - older_than)
            .order_by("received")
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        IngestBatch.objects.filter(pk__in=orphans, status=BatchStatus.RECEIVED).update(
            status=BatchStatus.FAILED,
            retryable=True,
            finished=now,
            message=f"{INTERRUPTED} (the ingest's process or database connection was lost)",
        )
    return orphans


def retryable_batches() -> list[IngestBatch]:
    return list(
        IngestBatch.objects.filter(
            status=BatchStatus.FAILED, retryable=True, attempts__lt=settings.MAX_INGEST_ATTEMPTS
        ).order_by("received")[:SWEEP_LIMIT]
    )


def sweep(older_than: dt.timedelta) -> dict[str, Any]:
    """Settle orphaned ingests and queue what is pending: retries of interrupted ingests and
    associations never done. Returns what it found."""
    orphans = settle_orphans(older_than)
    retries = retryable_batches()
    for batch in retries:
        enqueue_named(RETRY_TASK, batch.pk, batch.attempts)
    associations = unassociated_batches(older_than)
    for pk in associations:
        enqueue_named(ASSOCIATE_TASK, pk)
    return {"orphans": len(orphans), "retries": len(retries), "associations": len(associations)}
