"""Every ingest ends stored, partial or failed with the reason, also when its process or its
database goes away; an interrupted batch is read again from its archive and stored once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from catalog.observations import tasks
from catalog.observations.choices import BatchStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services import ingest as ingest_module
from catalog.observations.services.ingest import ingest, ingest_bytes, receive
from tests.observations.helpers import payload, radar_record

pytestmark = pytest.mark.django_db


def records(n: int) -> bytes:
    return payload([radar_record(i) for i in range(1, n + 1)], "udl-json")


def test_a_batch_whose_process_died_is_failed_by_the_sweep_then_stored_once(world: Any, media: Any) -> None:
    batch = receive(world.users["uk_staff"], records(3), filename="api.json")  # the process dies here
    swept = tasks.requeue_pending("sweep-1", older_than_s=0)
    assert swept["orphans"] == 1 and swept["retries"] == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ACCEPTED and batch.accepted == 3 and batch.attempts == 1
    assert Observation.objects.filter(batch=batch).count() == 3
    again = tasks.requeue_pending("sweep-2", older_than_s=0)
    assert (again["orphans"], again["retries"]) == (0, 0)


def test_a_database_failure_mid_ingest_fails_the_batch_with_the_reason_and_a_retry_stores_it_once(
    world: Any, media: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_generic, real_postgresql = ingest_module._insert_generic, ingest_module._insert_postgresql

    def lost(*args: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    # Both insert paths: SQLite's, and PostgreSQL's COPY (run in the storing thread).
    monkeypatch.setattr(ingest_module, "_insert_generic", lost)
    monkeypatch.setattr(ingest_module, "_insert_postgresql", lost)
    batch = receive(world.users["uk_staff"], records(4), filename="api.json")
    with pytest.raises(OperationalError):
        ingest(batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.retryable
    assert "interrupted" in batch.message and "server closed the connection" in batch.message
    assert not Observation.objects.exists()
    monkeypatch.setattr(ingest_module, "_insert_generic", real_generic)
    monkeypatch.setattr(ingest_module, "_insert_postgresql", real_postgresql)
    assert tasks.requeue_pending("sweep-1", older_than_s=0)["retries"] == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ACCEPTED and batch.accepted == 4 and batch.attempts == 2
    assert tasks.retry_ingest(batch.pk, 1)["duplicate"] is True  # the same retry delivered twice
    assert tasks.retry_ingest(batch.pk, 2)["skipped"] is True  # a retry of a stored batch does nothing
    assert Observation.objects.count() == 4


def test_an_unreadable_batch_ends_failed_and_is_not_retried(world: Any, media: Any) -> None:
    result = ingest_bytes(world.users["uk_staff"], b"[{]", filename="api.json", fmt="udl-json")
    assert result.batch.status == BatchStatus.FAILED and result.batch.message and not result.batch.retryable
    assert tasks.requeue_pending("sweep-1", older_than_s=0)["retries"] == 0


def test_a_batch_retried_too_often_is_left_failed(world: Any, media: Any, settings: Any) -> None:
    batch = receive(world.users["uk_staff"], records(1), filename="api.json")
    IngestBatch.objects.filter(pk=batch.pk).update(attempts=settings.MAX_INGEST_ATTEMPTS)
    swept = tasks.requeue_pending("sweep-1", older_than_s=0)
    assert (swept["orphans"], swept["retries"]) == (1, 0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "interrupted" in batch.message
