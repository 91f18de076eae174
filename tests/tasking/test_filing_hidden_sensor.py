"""Filing against a sensor the operator may not see answers exactly as for a missing one."""

from __future__ import annotations

from typing import Any

from portal.models import SpOC, User
from tests.factories import SensorFactory


def test_a_hidden_sensor_is_refused_like_a_missing_one(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    hidden = SensorFactory.create(
        spoc=SpOC.objects.get(code="uk-spoc"),
        name="Hidden",
        number=9911,
        sensor_type="optical_telescope",
        latitude_deg=51.0,
        longitude_deg=-1.0,
        measurement_types=["ra_dec"],
        min_elevation_deg=10,
        max_range_km=None,
        tracks_per_hour=10,
        marking="TOP SECRET//NOFORN",
    )
    api = api_client_for(coalition["us_operator"])  # SECRET: may not see a TOP SECRET sensor
    body = {
        "title": "t",
        "targets": [25544],
        "windows": [{"start": "2030-01-01T00:00:00Z", "end": "2030-01-01T06:00:00Z"}],
        "priority": "routine",
        "purpose": "catalog_maintenance",
        "marking": "SECRET//NOFORN",
    }
    to_hidden = api.post("/api/tasking-requests/", {**body, "sensor": hidden.number}, format="json")
    to_missing = api.post("/api/tasking-requests/", {**body, "sensor": 9999}, format="json")
    assert to_hidden.status_code == to_missing.status_code == 400
    assert to_hidden.json()["sensor"] == [
        m.replace("9999", str(hidden.number)) for m in to_missing.json()["sensor"]
    ]
