"""The home page counts the day's observations from what the deliveries store (accepted, left
uncorrelated by association), never by reading the observations; a delivery the reader may
not read counts for nothing."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.observations.dashboard import observations_panel
from catalog.observations.models import IngestBatch, Observation
from tests.observations.helpers import payload, radar_record


def deliver(world: Any, api_client_for: Any, records: int, first: int = 1) -> IngestBatch:
    api = api_client_for(world.users["uk_staff"])
    body = payload([radar_record(i) for i in range(first, first + records)], "udl-json")
    assert api.post("/api/observations/", body, content_type="application/json").status_code == 201
    return IngestBatch.objects.order_by("-pk").first()  # type: ignore[return-value]


def figures(user: Any) -> dict[str, Any]:
    return {f.label: f for f in observations_panel(user).figures}


def test_association_stores_how_many_it_left_uncorrelated(
    world: Any, media: Any, api_client_for: Any
) -> None:
    batch = deliver(world, api_client_for, 4)
    batch.refresh_from_db()
    assert Observation.objects.filter(batch=batch, association="pending").count() == 0
    assert batch.uct == Observation.objects.filter(batch=batch, association="uct").count()


def test_the_home_counts_come_from_the_batches_not_the_observations(
    world: Any, media: Any, api_client_for: Any
) -> None:
    first = deliver(world, api_client_for, 3)
    second = deliver(world, api_client_for, 2, first=10)
    operator = world.users["us_operator"]
    with CaptureQueriesContext(connection) as queries:
        shown = figures(operator)
    assert not [q["sql"] for q in queries if "catalog_observation" in q["sql"]]
    first.refresh_from_db()
    second.refresh_from_db()
    assert shown["Received"].value == first.accepted + second.accepted == 5
    uncorrelated = Observation.objects.filter(batch__in=[first, second], association="uct").count()
    assert shown["Uncorrelated (UCT)"].value == uncorrelated
    assert (
        shown["Received"].marking
        == IngestBatch.objects.filter(pk__in=[first.pk, second.pk]).combined_marking()
    )


def test_a_delivery_the_reader_may_not_read_counts_for_nothing(
    world: Any, media: Any, api_client_for: Any
) -> None:
    deliver(world, api_client_for, 3)
    shown = figures(world.users["fr_staff"])  # not their SpOC's delivery, nor released to them
    assert shown["Received"].value == 0
    assert shown["Received"].marking is None
