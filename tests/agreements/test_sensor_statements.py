"""A sensor's statement of what its data already account for: set by an agreement admin, shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.choices import MeasurementType, SensorType
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def optical(make_sensor: Any) -> Any:
    return make_sensor(
        "uk-spoc",
        sensor_type=SensorType.OPTICAL_TELESCOPE,
        measurement_types=[MeasurementType.RA_DEC],
        max_range_km=None,
        limiting_magnitude=16.0,
    )


def test_defaults_are_refraction_corrected_and_not_star_referenced(make_sensor: Any) -> None:
    sensor = make_sensor("uk-spoc")
    assert sensor.refraction_corrected is True
    assert sensor.star_referenced is False


def test_the_sensor_page_states_what_the_data_contain(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = optical(make_sensor)
    client.force_login(coalition["uk_staff"])
    page = client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    assert "Corrected: geometric angles" in page
    assert "Apparent: predictions add diurnal aberration" in page
    assert "Change the data statement" not in page


def test_an_agreement_admin_sets_the_statement_and_it_is_audited(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = optical(make_sensor)
    client.force_login(coalition["agreement_admin"])
    answer = client.post(reverse("sensor-statement", args=[sensor.pk]), {"statement-star_referenced": "on"})
    assert answer.status_code == 302
    sensor.refresh_from_db()
    assert sensor.star_referenced is True and sensor.refraction_corrected is False
    assert AuditEvent.objects.filter(
        model="agreements.sensor", object_id=str(sensor.pk), action="update"
    ).exists()
    page = client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    assert "Star-referenced (astrometric)" in page
    assert "Not corrected: predictions add tropospheric refraction" in page


def test_partner_staff_may_not_change_the_statement(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["uk_staff"])
    answer = client.post(reverse("sensor-statement", args=[sensor.pk]), {})
    assert answer.status_code == 403
    sensor.refresh_from_db()
    assert sensor.refraction_corrected is True


def test_a_radar_has_no_star_referenced_choice(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["agreement_admin"])
    page = client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    assert "statement-refraction_corrected" in page and "statement-star_referenced" not in page
    client.post(reverse("sensor-statement", args=[sensor.pk]), {"statement-star_referenced": "on"})
    sensor.refresh_from_db()
    assert sensor.star_referenced is False
