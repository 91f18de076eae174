"""The observation explorer, the catalog and a sensor's page run a number of queries that does
not grow with the rows shown: more observations, more sensors on the page, more objects."""

from __future__ import annotations

import itertools
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import SpaceObject
from catalog.observations.services.ingest import ingest_bytes
from portal.markings.models import marking_columns

from .helpers import optical_record, payload, radar_record

_seq = itertools.count(5_000_000)


def queries(client: Client, url: str, **params: Any) -> int:
    client.get(url, params)  # warm the session and any per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


def deliver(world: Any, user: str, records: list[Any]) -> None:
    result = ingest_bytes(world.users[user], payload(records, "udl-json"), associate=False)
    assert len(result.accepted) == len(records), result.errors[:3]


def test_the_explorer_does_not_run_a_query_per_sensor(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["us_operator"])
    deliver(world, "uk_staff", [radar_record(i) for i in range(30)])
    one_sensor = queries(client, reverse("observation-list"))
    deliver(world, "uk_staff", [optical_record(i) for i in range(30)])
    deliver(world, "de_staff", [radar_record(i, sensor=9301) for i in range(30)])
    three_sensors = queries(client, reverse("observation-list"))
    assert three_sensors == one_sensor
    assert three_sensors <= 12


def test_the_explorer_by_batch_shows_that_batch_only(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    first = ingest_bytes(
        world.users["uk_staff"], payload([radar_record(i) for i in range(3)], "udl-json"), associate=False
    )
    ingest_bytes(
        world.users["uk_staff"],
        payload([radar_record(i, track_id="TRK-2") for i in range(100, 105)], "udl-json"),
        associate=False,
    )
    html = client.get(reverse("observation-list"), {"batch": first.batch.pk}).content.decode()
    assert "3 in all" in html


def test_the_catalog_list_runs_a_fixed_number_of_queries(world: Any, client: Client) -> None:
    client.force_login(world.users["us_operator"])
    for number in range(40001, 40004):
        SpaceObject.objects.create(
            catalog_number=number, name=f"OBJ {number}", seq=next(_seq), **marking_columns("U")
        )
    few = queries(client, reverse("spaceobject-list"))
    SpaceObject.objects.bulk_create(
        SpaceObject(catalog_number=n, name=f"OBJ {n}", seq=next(_seq), **marking_columns("U"))
        for n in range(41000, 41120)
    )
    many = queries(client, reverse("spaceobject-list"))
    assert many == few and many <= 10


def test_a_sensor_page_runs_a_fixed_number_of_queries(world: Any, media: Any, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    url = reverse("sensor-detail", args=[world.sensors["uk_radar"].pk])
    deliver(world, "uk_staff", [radar_record(i) for i in range(5)])
    few = queries(client, url)
    deliver(world, "uk_staff", [radar_record(i, track_id="T9") for i in range(200, 400)])
    many = queries(client, url)
    assert many == few and many <= 25
