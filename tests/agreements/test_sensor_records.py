"""Outages and hand-entered biases recorded from a sensor's page, by those the API lets write them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.choices import MeasurementType
from agreements.models import SensorBias, SensorOutage
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def outage(**overrides: Any) -> dict[str, Any]:
    data = {
        "outage-start": "2025-06-01T08:00",
        "outage-end": "2025-06-01T20:00",
        "outage-reason": "Planned transmitter maintenance",
    }
    data.update(overrides)
    return data


def bias(**overrides: Any) -> dict[str, Any]:
    data = {
        "bias-measurement_type": MeasurementType.RANGE,
        "bias-bias": "0.012",
        "bias-noise_sigma": "0.03",
        "bias-effective_date": "2025-05-20",
        "bias-source": "Calibration campaign May 2025",
        "bias-marking": "CUI//REL TO USA, GBR",
    }
    data.update(overrides)
    return data


def test_partner_staff_record_an_outage_of_their_own_sensor_and_it_is_audited(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["uk_staff"])
    page = client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    assert "Record an outage" in page and "Enter a bias by hand" not in page
    answer = client.post(reverse("sensor-outage-create", args=[sensor.pk]), outage())
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/sensors/{sensor.pk}/#outages")
    recorded = SensorOutage.objects.get(sensor=sensor)
    assert recorded.start == dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
    assert recorded.entered_by == coalition["uk_staff"]
    event = AuditEvent.objects.get(model="agreements.sensoroutage", object_id=str(recorded.pk))
    assert event.action == "create" and event.actor_name == "uk_staff"
    page = client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    assert "Planned transmitter maintenance" in page and "Outage recorded." in page


def test_an_open_ended_outage_is_accepted(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["agreement_admin"])
    client.post(reverse("sensor-outage-create", args=[sensor.pk]), outage(**{"outage-end": ""}))
    assert SensorOutage.objects.get(sensor=sensor).end is None


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("end", outage(**{"outage-end": "2025-06-01T07:00"}), "An outage ends after it starts."),
        ("start", outage(**{"outage-start": "yesterday"}), "Enter a valid date/time."),
        ("reason", outage(**{"outage-reason": ""}), "This field is required."),
    ],
)
def test_a_bad_outage_comes_back_on_the_page_naming_the_field(
    coalition: dict[str, User],
    client: Client,
    make_sensor: Any,
    field: str,
    data: dict[str, Any],
    message: str,
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["uk_staff"])
    answer = client.post(reverse("sensor-outage-create", args=[sensor.pk]), data)
    assert answer.status_code == 400
    assert answer.context["outage_form"].errors[field] == [message]
    label = answer.context["outage_form"][field].label
    assert f"<b>{label}:</b> {message}" in answer.content.decode()
    assert not SensorOutage.objects.exists()


def test_an_admin_enters_a_bias_marked_at_least_as_its_sensor(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc", marking="CUI//REL TO USA, GBR")
    client.force_login(coalition["agreement_admin"])
    answer = client.post(
        reverse("sensor-bias-create", args=[sensor.pk]), bias(**{"bias-marking": "SECRET//REL TO USA, FVEY"})
    )
    assert answer.status_code == 302
    entry = SensorBias.objects.get(sensor=sensor)
    assert (entry.bias, entry.noise_sigma, entry.effective_date) == (0.012, 0.03, dt.date(2025, 5, 20))
    assert entry.entered_by == coalition["agreement_admin"]
    assert entry.marking.banner == "SECRET//REL TO USA, GBR"
    assert AuditEvent.objects.filter(model="agreements.sensorbias", object_id=str(entry.pk)).exists()
    assert sensor.current_biases() == {"range": entry}


def test_partner_staff_cannot_enter_biases_even_for_their_own_sensor(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    client.force_login(coalition["uk_staff"])
    assert client.post(reverse("sensor-bias-create", args=[sensor.pk]), bias()).status_code == 403
    assert (
        "Enter a bias by hand" not in client.get(reverse("sensor-detail", args=[sensor.pk])).content.decode()
    )
    assert not SensorBias.objects.filter(sensor=sensor).exists()


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("measurement_type", {"bias-measurement_type": MeasurementType.RA_DEC}, "Select a valid choice"),
        ("noise_sigma", {"bias-noise_sigma": "-0.1"}, "greater than or equal to 0"),
        ("bias", {"bias-bias": "a lot"}, "Enter a number."),
        ("effective_date", {"bias-effective_date": ""}, "This field is required."),
        ("source", {"bias-source": ""}, "This field is required."),
        ("marking", {"bias-marking": "SECRET//REL TO USA, GBR"}, "above what you may read"),
        ("marking", {"bias-marking": "SECRET//REL TO MARS"}, "MARS"),
    ],
)
def test_a_bad_bias_comes_back_on_the_page_naming_the_field(
    coalition: dict[str, User],
    client: Client,
    make_sensor: Any,
    field: str,
    overrides: dict[str, Any],
    message: str,
) -> None:
    sensor = make_sensor("uk-spoc")
    user = coalition["agreement_admin"]
    client.force_login(user)
    if field == "marking" and "MARS" not in overrides["bias-marking"]:
        User.objects.filter(pk=user.pk).update(clearance=1)  # cleared CUI only
    answer = client.post(reverse("sensor-bias-create", args=[sensor.pk]), bias(**overrides))
    assert answer.status_code == 400
    form = answer.context["bias_form"]
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]
    assert f"<b>{form[field].label}:</b>" in answer.content.decode()
    assert not SensorBias.objects.exists()


def test_other_spocs_staff_and_readers_are_refused_and_hidden_sensors_are_404(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    uk_sensor = make_sensor("uk-spoc", marking="CUI//REL TO USA, GBR, AUS")
    au_only = make_sensor("au-spoc", marking="CUI//REL TO USA, AUS")
    for username in ("au_staff", "us_operator"):
        client.force_login(coalition[username])
        page = client.get(reverse("sensor-detail", args=[uk_sensor.pk])).content.decode()
        assert "Record an outage" not in page and "Enter a bias by hand" not in page
        for name, data in (("sensor-outage-create", outage()), ("sensor-bias-create", bias())):
            assert client.post(reverse(name, args=[uk_sensor.pk]), data).status_code == 403
    client.force_login(coalition["uk_staff"])
    for name, data in (("sensor-outage-create", outage()), ("sensor-bias-create", bias())):
        assert client.post(reverse(name, args=[au_only.pk]), data).status_code == 404
        assert client.post(reverse(name, args=[999999]), data).status_code == 404
        assert client.get(reverse(name, args=[uk_sensor.pk])).status_code == 405
    assert not SensorOutage.objects.exists() and not SensorBias.objects.exists()


def test_the_api_answers_the_same_way(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Any
) -> None:
    uk_sensor = make_sensor("uk-spoc", marking="CUI//REL TO USA, GBR, AUS")
    au_only = make_sensor("au-spoc", marking="CUI//REL TO USA, AUS")
    body = {
        "sensor": uk_sensor.pk,
        "measurement_type": "range",
        "bias": 0.01,
        "noise_sigma": 0.02,
        "effective_date": "2025-05-20",
        "source": "Campaign",
        "marking": "CUI//REL TO USA, GBR, AUS",
    }
    outage_body = {"start": "2025-06-01T08:00:00Z", "reason": "Failure"}
    au = api_client_for(coalition["au_staff"])
    assert au.post("/api/sensor-biases/", body, format="json").status_code == 403
    assert au.post(f"/api/sensors/{uk_sensor.pk}/outages/", outage_body, format="json").status_code == 403
    operator = api_client_for(coalition["us_operator"])
    assert operator.post("/api/sensor-biases/", body, format="json").status_code == 403
    uk = api_client_for(coalition["uk_staff"])
    assert uk.post(f"/api/sensors/{au_only.pk}/outages/", outage_body, format="json").status_code == 404
    assert uk.post("/api/sensor-biases/", body, format="json").status_code == 403
    assert uk.post(f"/api/sensors/{uk_sensor.pk}/outages/", outage_body, format="json").status_code == 201
    admin = api_client_for(coalition["agreement_admin"])
    assert admin.post("/api/sensor-biases/", body, format="json").status_code == 201
    entry = SensorBias.objects.get()
    assert uk.patch(f"/api/sensor-biases/{entry.pk}/", {"bias": 9}, format="json").status_code == 403
