"""Each persona sees exactly the sensors, agreements and evaluations its marking allows, on pages
and in the API; anything else answers 404 like a missing record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import Sensor, TierEvaluation
from agreements.services.coverage import coverage_for
from portal.models import User
from tests.agreements.conftest import SEES_AGREEMENTS, SEES_SENSORS

pytestmark = pytest.mark.django_db
PERSONAS = sorted(SEES_SENSORS)


@pytest.mark.parametrize("username", PERSONAS)
def test_visible_to_gives_each_persona_its_sensors(
    network: dict[str, Any], coalition: dict[str, User], username: str
) -> None:
    names = set(Sensor.objects.visible_to(coalition[username]).values_list("name", flat=True))
    assert names == SEES_SENSORS[username]


@pytest.mark.parametrize("username", PERSONAS)
def test_sensor_pages_show_each_persona_its_sensors_and_404_the_rest(
    network: dict[str, Any], coalition: dict[str, User], client: Client, username: str
) -> None:
    client.force_login(coalition[username])
    listing = client.get(reverse("sensor-list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    for name, sensor in network["sensors"].items():
        detail = client.get(reverse("sensor-detail", args=[sensor.pk]))
        if name in SEES_SENSORS[username]:
            assert f">{name}</a>" in page
            assert detail.status_code == 200
        else:
            assert name not in page
            assert detail.status_code == 404
    assert client.get(reverse("sensor-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("username", PERSONAS)
def test_the_sensor_api_shows_each_persona_its_sensors_and_404_the_rest(
    network: dict[str, Any], coalition: dict[str, User], api_client_for: Any, username: str
) -> None:
    api = api_client_for(coalition[username])
    listed = {row["name"] for row in api.get("/api/sensors/").json()["results"]}
    assert listed == SEES_SENSORS[username]
    for name, sensor in network["sensors"].items():
        expected = 200 if name in SEES_SENSORS[username] else 404
        assert api.get(f"/api/sensors/{sensor.pk}/").status_code == expected
        assert api.get(f"/api/sensors/{sensor.pk}/coverage/").status_code == expected


@pytest.mark.parametrize("username", PERSONAS)
def test_agreement_pages_and_api_show_each_persona_its_agreements_and_404_the_rest(
    network: dict[str, Any], coalition: dict[str, User], client: Client, api_client_for: Any, username: str
) -> None:
    client.force_login(coalition[username])
    page = client.get(reverse("agreement-list")).content.decode()
    api = api_client_for(coalition[username])
    listed = {row["title"] for row in api.get("/api/agreements/").json()["results"]}
    assert listed == SEES_AGREEMENTS[username]
    for title, agreement in network["agreements"].items():
        visible = title in SEES_AGREEMENTS[username]
        assert (title in page) == visible
        assert client.get(reverse("agreement-detail", args=[agreement.pk])).status_code == (
            200 if visible else 404
        )
        assert api.get(f"/api/agreements/{agreement.pk}/").status_code == (200 if visible else 404)


@pytest.mark.parametrize("username", PERSONAS)
def test_evaluations_carry_their_sensors_marking(
    network: dict[str, Any], coalition: dict[str, User], client: Client, api_client_for: Any, username: str
) -> None:
    admin = coalition["agreement_admin"]
    sensors = network["sensors"]
    evaluations = {
        name: TierEvaluation.start(sensors[name], 2, admin) for name in ("Starbrook", "Exmouth", "GRAVES")
    }
    client.force_login(coalition[username])
    board = client.get(reverse("evaluation-board")).content.decode()
    api = api_client_for(coalition[username])
    listed = {row["id"] for row in api.get("/api/tier-evaluations/").json()["results"]}
    for name, evaluation in evaluations.items():
        visible = name in SEES_SENSORS[username]
        assert (name in board) == visible
        assert (evaluation.pk in listed) == visible
        assert client.get(reverse("evaluation-detail", args=[evaluation.pk])).status_code == (
            200 if visible else 404
        )


def test_a_covering_agreement_the_reader_may_not_see_is_not_named(
    network: dict[str, Any],
    coalition: dict[str, User],
    make_agreement: Any,
    api_client_for: Any,
    client: Client,
) -> None:
    starbrook = network["sensors"]["Starbrook"]
    hidden = make_agreement(
        "uk-spoc", "sensor_level", sensors=[starbrook], marking="SECRET//NOFORN", title="US eyes only terms"
    )
    body = api_client_for(coalition["uk_staff"]).get(f"/api/sensors/{starbrook.pk}/coverage/").json()
    # For its reader the hidden agreement is not there at all: the sensor is covered by what
    # they may read (here nothing), never "covered by something" unnamed.
    assert body["agreement"] != hidden.pk and hidden.title not in str(body)
    seen = coverage_for(starbrook, timezone.now(), reader=coalition["uk_staff"])
    assert body["agreement"] == (seen.agreement.pk if seen and seen.agreement else None)
    assert body["covered"] is (seen is not None)
    client.force_login(coalition["uk_staff"])
    page = client.get(reverse("sensor-detail", args=[starbrook.pk])).content.decode()
    assert hidden.title not in page and "may not read" not in page
    admin_body = api_client_for(coalition["us_operator"]).get(f"/api/sensors/{starbrook.pk}/coverage/").json()
    assert admin_body["agreement"] == hidden.pk


def test_pages_carry_the_banner_of_the_highest_marking_shown(
    network: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["au_staff"])
    page = client.get(reverse("sensor-list")).content.decode()
    assert "SECRET//REL TO USA, AUS" in page
    client.force_login(coalition["agreement_admin"])
    assert "TOP SECRET//NOFORN" in client.get(reverse("sensor-list")).content.decode()


def test_the_admin_changelist_is_filtered_by_marking(
    network: dict[str, Any], coalition: dict[str, User], client: Client
) -> None:
    boss = coalition["uk_staff"]
    boss.is_staff = boss.is_superuser = True
    boss.save()
    client.force_login(boss)
    page = client.get("/admin/agreements/sensor/").content.decode()
    assert "Starbrook" in page and "Haystack" not in page and "GRAVES" not in page
    assert client.get(
        f"/admin/agreements/sensor/{network['sensors']['Haystack'].pk}/change/"
    ).status_code in {302, 404}
