"""Sensors belong to their SpOC: partner staff register and change only their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agreements.models import Sensor
from portal.models import SpOC, User


def test_partner_staff_cannot_update_another_spocs_sensor(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor]
) -> None:
    french = make_sensor(spoc="fr-spoc", marking="CUI//REL TO USA, FRA, GBR")
    answer = api_client_for(coalition["uk_staff"]).patch(
        f"/api/sensors/{french.pk}/", {"name": "taken over"}, format="json"
    )
    assert answer.status_code in {403, 404}
    french.refresh_from_db()
    assert french.name != "taken over"


def test_partner_staff_cannot_move_their_sensor_to_another_spoc(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor]
) -> None:
    british = make_sensor(spoc="uk-spoc")
    fr = SpOC.objects.get(code="fr-spoc")
    api_client_for(coalition["uk_staff"]).patch(f"/api/sensors/{british.pk}/", {"spoc": fr.pk}, format="json")
    british.refresh_from_db()
    assert british.spoc.code == "uk-spoc"


def test_a_sensor_registered_by_partner_staff_belongs_to_their_spoc(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Callable[..., Sensor]
) -> None:
    template = make_sensor(spoc="uk-spoc")
    fr = SpOC.objects.get(code="fr-spoc")
    body = {
        "number": 7777,
        "name": "New radar",
        "spoc": fr.pk,
        "sensor_type": template.sensor_type,
        "latitude_deg": 51.0,
        "longitude_deg": -1.0,
        "altitude_km": 0.1,
        "measurement_types": template.measurement_types,
        "max_range_km": 3000.0,
        "marking": "CUI//REL TO USA, GBR",
    }
    answer = api_client_for(coalition["uk_staff"]).post("/api/sensors/", body, format="json")
    assert answer.status_code in {201, 403}, answer.content
    if answer.status_code == 201:
        assert Sensor.objects.get(number=7777).spoc.code == "uk-spoc"
