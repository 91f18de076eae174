"""Work that is found again: a batch whose association never reached a worker is queued by the
periodic sweep, and a broker that refuses the message never turns a stored delivery into a 500."""

from __future__ import annotations

from typing import Any

import pytest
from kombu.exceptions import OperationalError as BrokerDown

from catalog.observations import tasks
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import Observation
from catalog.observations.services.ingest import ingest_bytes
from portal.models import TaskRun, TaskRunStatus
from tests.observations.helpers import payload, radar_record


@pytest.mark.django_db
def test_the_sweep_queues_the_association_of_a_batch_nobody_queued(world: Any, media: Any) -> None:
    result = ingest_bytes(
        world.users["uk_staff"], payload([radar_record(1), radar_record(2)], "udl-json"), associate=False
    )
    assert Observation.objects.filter(association=AssociationStatus.PENDING).count() == 2
    swept = tasks.requeue_pending("sweep-1", older_than_s=0)
    assert swept["associations"] == 1
    assert not Observation.objects.filter(association=AssociationStatus.PENDING).exists()
    run = TaskRun.objects.get(idempotency_key=f"catalog.associate_batch:{result.batch.pk}")
    assert run.status == TaskRunStatus.SUCCEEDED
    assert tasks.requeue_pending("sweep-2", older_than_s=0)["associations"] == 0  # done once


@pytest.mark.django_db
def test_a_batch_just_stored_is_left_to_the_task_it_queued(world: Any, media: Any) -> None:
    ingest_bytes(world.users["uk_staff"], payload([radar_record(1)], "udl-json"), associate=False)
    assert tasks.requeue_pending("sweep-1", older_than_s=3600)["associations"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_delivery_while_the_broker_is_down_answers_2xx_and_is_associated_later(
    world: Any, media: Any, api_client_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    conf = tasks.associate_batch.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    monkeypatch.setattr(tasks.associate_batch, "delay", refuse)
    api = api_client_for(world.users["uk_staff"])
    try:
        response = api.post(
            "/api/observations/", payload([radar_record(1)], "udl-json"), content_type="application/json"
        )
    finally:
        conf.task_always_eager = eager
    assert response.status_code == 201, response.content
    assert response.json()["association"] == "pending"
    assert Observation.objects.get().association == AssociationStatus.PENDING
    monkeypatch.undo()
    assert tasks.requeue_pending("sweep-1", older_than_s=0)["associations"] == 1
    assert Observation.objects.get().association != AssociationStatus.PENDING
