"""A delivery is marked like what it carries, and is seen only within that marking."""

from __future__ import annotations

import json
from typing import Any

from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.ingest import arrival_marking
from portal.markings.marking import Marking
from tests.observations.helpers import payload, radar_record


def test_a_batch_takes_the_combined_marking_of_its_observations(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    body = payload([radar_record(i) for i in range(1, 4)], "udl-json")
    assert api.post("/api/observations/", body, content_type="application/json").status_code == 201
    batch = IngestBatch.objects.get()
    assert batch.marking == Marking.combine(*(o.marking for o in Observation.objects.filter(batch=batch)))


def test_a_batch_is_hidden_from_readers_its_marking_refuses(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    body = payload([radar_record(1)], "udl-json")
    assert api.post("/api/observations/", body, content_type="application/json").status_code == 201
    batch = IngestBatch.objects.get()
    batch.marking = Marking.parse("TOP SECRET//REL TO USA, GBR")
    batch.save()
    operator = api_client_for(world.users["us_operator"])  # SECRET: may not read TOP SECRET
    assert operator.get(f"/api/observation-batches/{batch.pk}/").status_code == 404
    assert json.loads(operator.get("/api/observation-batches/").content)["results"] == []


def test_before_its_payload_is_read_a_batch_is_as_strict_as_its_deliverer_allows(world: Any) -> None:
    uk = world.users["uk_staff"]
    assert arrival_marking(uk) == Marking.parse("SECRET//REL TO USA, GBR")
    assert arrival_marking(None) == Marking.parse("TOP SECRET//NOFORN")
