"""Observation filters: a hidden object's number finds nothing, as a missing one; a bad value
is a 400 naming the parameter, on the page and in the API."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from catalog.observations.models import Observation
from tests.factories import SpaceObjectFactory
from tests.observations.helpers import payload, radar_record


def test_a_hidden_catalog_number_finds_nothing_like_a_missing_one(
    world: Any, media: Any, api_client_for: Any, client: Client
) -> None:
    api = api_client_for(world.users["uk_staff"])
    api.post("/api/observations/", payload([radar_record(1)], "udl-json"), content_type="application/json")
    hidden = SpaceObjectFactory.create(
        catalog_number=48003, name="KESTREL-9", seq=1, marking="TOP SECRET//NOFORN"
    )
    Observation.objects.update(space_object=hidden, association="associated")
    assert api.get("/api/observations/", {"object": 48003}).json()["results"] == []
    assert (
        api.get("/api/observations/", {"object": 48003}).json()
        == api.get("/api/observations/", {"object": 48004}).json()
    )
    client.force_login(world.users["uk_staff"])
    hidden_page = client.get("/observations/", {"object": 48003}).content.decode()
    missing_page = client.get("/observations/", {"object": 48004}).content.decode()

    def comparable(page: str, number: str) -> str:
        return re.sub(r"csrf[^>]*", "", page, flags=re.IGNORECASE).replace(number, "N")

    assert comparable(hidden_page, "48003") == comparable(missing_page, "48004")


def test_a_bad_filter_value_is_a_400_naming_the_parameter(
    world: Any, client: Client, api_client_for: Any
) -> None:
    client.force_login(world.users["uk_staff"])
    page = client.get("/observations/", {"since": "2024-13-45T00:00"})
    assert page.status_code == 400
    assert "since" in page.content.decode()
    api = api_client_for(world.users["uk_staff"])
    answer = api.get("/api/observations/", {"since": "2024-13-45T00:00"})
    assert answer.status_code == 400 and "since" in answer.json()
