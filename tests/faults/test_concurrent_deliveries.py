"""Concurrent deliveries on PostgreSQL: the same payload five times at once, and four corrected
re-deliveries (same client ids, new values) at once — every one answered 2xx, each record
stored once, no deadlock."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from catalog.observations.models import Observation
from tests.observations.helpers import payload, radar_record

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

N_RECORDS = 400


def deliver_at_once(user: Any, bodies: list[bytes]) -> list[int]:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's")
    codes: list[int] = []
    start = threading.Barrier(len(bodies))

    def post(body: bytes) -> None:
        client = APIClient()
        client.force_authenticate(user)
        start.wait()
        try:
            response = client.post("/api/observations/", body, content_type="application/json")
            codes.append(response.status_code)
        except Exception:  # the test client re-raises what the server would answer 500 to
            codes.append(500)
            raise
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes


def with_client_ids(body: bytes, offset: float) -> bytes:
    objects = json.loads(body)
    for i, item in enumerate(objects):
        item["clientId"] = f"GBR-{i:05d}"
        item["range"] = float(item["range"]) + offset
    return json.dumps(objects).encode()


def test_the_same_payload_delivered_five_times_at_once_is_stored_once(world: Any, media: Any) -> None:
    body = payload([radar_record(i) for i in range(1, N_RECORDS + 1)], "udl-json")
    codes = deliver_at_once(world.users["uk_staff"], [body] * 5)
    assert sorted(codes) == [201] * 5
    assert Observation.objects.count() == N_RECORDS


def test_four_corrected_redeliveries_at_once_all_answer_2xx_and_store_each_client_id_once(
    world: Any, media: Any
) -> None:
    base = payload([radar_record(i) for i in range(1, N_RECORDS + 1)], "udl-json")
    bodies = [with_client_ids(base, offset / 1000) for offset in range(4)]
    codes = deliver_at_once(world.users["uk_staff"], bodies)
    assert len(codes) == 4 and all(200 <= code < 300 for code in codes), codes
    assert Observation.objects.count() == N_RECORDS
    assert Observation.objects.values("client_id").distinct().count() == N_RECORDS
