"""The explorer at scale: its total stops counting past a limit ("more than N", still only rows
the reader may see) and each sensor's sparkline reads only that sensor's newest residuals."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.models import ElementSet
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import Observation
from catalog.observations.services.residuals import latest_residuals
from portal.markings.models import marking_columns
from portal.tables import BoundedMarkedPaginator
from tests.observations.test_signed_residuals import delivered

pytestmark = pytest.mark.django_db


def newest_by_hand(readable_sets: set[int], sensor_ids: set[int], points: int) -> set[tuple[int, int]]:
    """(sensor, observation) of each sensor's `points` newest residuals on a readable set."""
    rows = Observation.objects.filter(
        association=AssociationStatus.ASSOCIATED,
        residual_angle_deg__isnull=False,
        residual_element_set__in=readable_sets,
        sensor__in=sensor_ids,
    ).values_list("sensor_id", "ob_time", "id")
    by_sensor: dict[int, list[tuple[Any, int]]] = {}
    for sensor_id, ob_time, pk in rows:
        by_sensor.setdefault(sensor_id, []).append((ob_time, pk))
    return {(s, pk) for s, found in by_sensor.items() for _, pk in sorted(found, reverse=True)[:points]}


@pytest.mark.parametrize("lateral", [True, False], ids=["lateral per sensor", "window"])
def test_the_sparklines_take_each_sensors_newest_readable_residuals(
    world: Any, media: Any, lateral: bool
) -> None:
    if lateral and connection.vendor != "postgresql":
        pytest.skip("the lateral join is PostgreSQL's")
    associated = delivered(world, "us_radar", "us_operator")
    newest = max(associated, key=lambda o: (o.ob_time, o.pk))
    assert newest.residual_element_set_id is not None
    # The newest residual's element set becomes unreadable to the US operator (SECRET).
    ElementSet.objects.filter(pk=newest.residual_element_set_id).update(
        **marking_columns("TOP SECRET//NOFORN")
    )
    sensors = {o.sensor_id for o in associated}
    readable = set(ElementSet.objects.exclude(pk=newest.residual_element_set_id).values_list("pk", flat=True))
    found = latest_residuals(world.users["us_operator"], sorted(sensors), 7, lateral=lateral)
    assert {(sensor_id, pk) for sensor_id, _, pk, _ in found} == newest_by_hand(readable, sensors, 7)
    assert newest.pk not in {pk for _, _, pk, _ in found}
    assert len(found) == 7 * len(sensors)


def test_the_total_stops_at_the_limit_and_says_more_than(
    world: Any, media: Any, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    associated = delivered(world, "us_radar", "us_operator")
    client.force_login(world.users["us_operator"])
    visible = Observation.objects.visible_to(world.users["us_operator"]).count()
    assert visible >= len(associated) > 20
    monkeypatch.setattr(BoundedMarkedPaginator, "limit", visible)
    page = client.get(reverse("observation-list")).content.decode()
    assert f"{visible} observations you may read" in page and "More than" not in page
    monkeypatch.setattr(BoundedMarkedPaginator, "limit", 20)
    page = client.get(reverse("observation-list")).content.decode()
    assert "More than 20 observations you may read" in page
    assert "more than 20 in all" in page
    paginator = client.get(reverse("observation-list")).context["paginator"]
    assert (paginator.count, paginator.num_pages) == (20, 1)  # the pages stop at the limit too


def test_the_total_counts_only_what_the_reader_may_see(world: Any, media: Any, client: Client) -> None:
    delivered(world, "us_radar", "us_operator")
    hidden = Observation.objects.order_by("id")[:5].values_list("id", flat=True)
    Observation.objects.filter(pk__in=list(hidden)).update(**marking_columns("TOP SECRET//NOFORN"))
    client.force_login(world.users["us_operator"])
    visible = Observation.objects.visible_to(world.users["us_operator"]).count()
    page = client.get(reverse("observation-list")).content.decode()
    assert f"{visible} observations you may read" in page
    assert f"{visible + 5} observations" not in page
