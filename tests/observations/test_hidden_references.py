"""An observation its reader may read names no sensor, batch or object they may not read."""

from __future__ import annotations

import re
from typing import Any

from agreements.models import Sensor
from catalog.observations.models import Observation
from portal.markings.models import marking_columns
from portal.testing import json_leaves
from tests.observations.helpers import payload, radar_record


def test_an_observation_of_a_sensor_since_marked_above_its_reader_names_no_sensor(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    delivered = api.post(
        "/api/observations/", payload([radar_record(1)], "udl-json"), content_type="application/json"
    )
    assert delivered.status_code == 201
    Sensor.objects.filter(pk=world.sensors["uk_radar"].pk).update(**marking_columns("TOP SECRET//NOFORN"))
    observation = Observation.objects.get()
    for body in (
        api.get("/api/observations/").json()["results"][0],
        api.get(f"/api/observations/{observation.pk}/").json(),
    ):
        assert body["sensor"] is None
        assert 9102 not in json_leaves(body) and "9102" not in json_leaves(body)
    html = api.get(f"/api/observations/{observation.pk}/?format=api").content.decode()
    assert not re.search(r"\b9102\b", html) and "UK tracking radar" not in html
