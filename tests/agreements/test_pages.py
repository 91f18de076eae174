"""The browser side: the agreement editor, status changes, evaluation decisions, and the seed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from agreements.choices import AgreementKind, AgreementStatus, EvaluationStatus
from agreements.models import Agreement, Sensor, TierEvaluation
from agreements.seed import seed
from portal.models import User
from tests.agreements.conftest import finished_calibration_run

pytestmark = pytest.mark.django_db


def editor_post(spocs: dict[str, Any], sensors: list[Sensor], **overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Browser-made agreement",
        "kind": AgreementKind.SENSOR_LEVEL,
        "partner": spocs["au-spoc"].pk,
        "sensors": [sensor.pk for sensor in sensors],
        "effective_from": "2025-01-01",
        "expires_on": "2030-01-01",
        "data_formats": ["b3", "udl-json"],
        "classification_ceiling": 3,
        "default_releasability": "SECRET//REL TO USA, AUS",
        "quick_turn_response": "01:00:00",
        "routine_response": "1 00:00:00",
        "delivery_timeliness": "00:15:00",
        "staffing": "",
        "language": "",
        "communication_mode": "",
        "conops": "Radar tasked directly.",
        "marking": "SECRET//REL TO USA, AUS",
        "data_plan-TOTAL_FORMS": "1",
        "data_plan-INITIAL_FORMS": "0",
        "data_plan-MIN_NUM_FORMS": "0",
        "data_plan-MAX_NUM_FORMS": "1000",
        "data_plan-0-sensor": sensors[0].pk if sensors else "",
        "data_plan-0-taskability": "continuous",
        "data_plan-0-deliveries_per_week": "140",
        "data_plan-0-timeliness": "",
        "data_plan-0-notes": "",
    }
    data.update(overrides)
    return data


def test_an_admin_drafts_an_agreement_with_its_data_plan_in_the_browser(
    coalition: dict[str, User], client: Client, spocs: dict[str, Any], make_sensor: Any
) -> None:
    radar = make_sensor("au-spoc")
    client.force_login(coalition["agreement_admin"])
    assert client.get(reverse("agreement-create")).status_code == 200
    answer = client.post(reverse("agreement-create"), editor_post(spocs, [radar]))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    agreement = Agreement.objects.get(title="Browser-made agreement")
    assert agreement.status == AgreementStatus.DRAFT
    assert list(agreement.sensors.all()) == [radar]
    assert agreement.data_plan.get().deliveries_per_week == 140
    assert agreement.marking.banner == "SECRET//REL TO USA, AUS"
    assert agreement.language == "en"  # from the SpOC
    page = client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    assert "History" in page and "Data plan" in page


def test_the_editor_shows_form_errors_for_bad_input(
    coalition: dict[str, User], client: Client, spocs: dict[str, Any], make_sensor: Any
) -> None:
    foreign = make_sensor("uk-spoc")
    client.force_login(coalition["agreement_admin"])
    answer = client.post(
        reverse("agreement-create"),
        editor_post(spocs, [foreign], default_releasability="TOP SECRET//REL TO USA, AUS", latitude="x"),
    )
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert "sensors" in errors and "default_releasability" in errors
    assert not Agreement.objects.exists()


def test_the_editor_is_hidden_from_everyone_but_agreement_admins(
    coalition: dict[str, User], client: Client, make_agreement: Any
) -> None:
    agreement = make_agreement("uk-spoc")
    for username in ("us_operator", "uk_staff", "security_officer"):
        client.force_login(coalition[username])
        assert client.get(reverse("agreement-create")).status_code == 404
        assert client.get(reverse("agreement-edit", args=[agreement.pk])).status_code == 404
        assert (
            client.post(
                reverse("agreement-transition", args=[agreement.pk]), {"to": "terminated"}
            ).status_code
            == 404
        )
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE


def test_history_is_shown_to_admins_only(
    coalition: dict[str, User], client: Client, make_agreement: Any
) -> None:
    agreement = make_agreement("uk-spoc")
    client.force_login(coalition["uk_staff"])
    assert (
        "<h2>History</h2>"
        not in client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()
    )
    client.force_login(coalition["agreement_admin"])
    assert "<h2>History</h2>" in client.get(reverse("agreement-detail", args=[agreement.pk])).content.decode()


def test_an_admin_changes_status_from_the_agreement_page_and_a_refusal_is_a_message(
    coalition: dict[str, User], client: Client, make_agreement: Any
) -> None:
    agreement = make_agreement("uk-spoc")
    client.force_login(coalition["agreement_admin"])
    url = reverse("agreement-transition", args=[agreement.pk])
    client.post(url, {"to": "suspended", "reason": "Review"})
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUSPENDED
    page = client.post(url, {"to": "draft", "reason": ""}, follow=True).content.decode()
    assert "cannot go from Suspended to Draft" in page


def test_an_admin_starts_and_promotes_an_evaluation_from_the_board(
    tiers: None, coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc", integration_level=3)
    client.force_login(coalition["agreement_admin"])
    client.post(reverse("evaluation-start"), {"sensor": sensor.pk, "candidate_level": 2})
    evaluation = TierEvaluation.objects.get(sensor=sensor)
    board = client.get(reverse("evaluation-board")).content.decode()
    assert sensor.name in board
    detail = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert "no result yet" in detail
    run = finished_calibration_run(sensor, [2])
    client.post(
        reverse("evaluation-decide", args=[evaluation.pk]),
        {"decision": "promote", "reason": "Good", "calibration_runs": [str(run)]},
    )
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PROMOTED
    assert Sensor.objects.get(pk=sensor.pk).integration_level == 2


def test_the_sensor_list_filters_and_maps_the_sites(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    make_sensor("uk-spoc", name="UK radar", latitude_deg=0.0, longitude_deg=0.0)
    make_sensor("us-spoc", name="US radar")
    client.force_login(coalition["us_operator"])
    page = client.get(reverse("sensor-list"), {"is_us_ssn": "false"}).content.decode()
    assert "UK radar" in page and "US radar" not in page
    assert 'cx="360.0" cy="180.0"' in page  # lat 0, lon 0 is the middle of the map


def test_the_seed_builds_a_network_worth_looking_at_and_can_run_again(
    coalition: dict[str, User], client: Client
) -> None:
    first = seed()
    assert first["sensors"] >= 30
    again = seed()
    assert again == first
    assert Sensor.objects.filter(is_us_ssn=True).count() == 20
    partners = {"GBR", "AUS", "CAN", "FRA", "DEU", "JPN"}
    assert set(Agreement.objects.values_list("partner__nation", flat=True)) == partners
    assert set(Agreement.objects.values_list("kind", flat=True)) == set(AgreementKind.values)
    statuses = list(Agreement.objects.values_list("status", flat=True))
    assert (
        statuses.count(AgreementStatus.IN_NEGOTIATION) == 1 and statuses.count(AgreementStatus.EXPIRED) == 1
    )
    assert TierEvaluation.objects.filter(status=EvaluationStatus.IN_EVALUATION).count() == 3
    uk_view = set(Sensor.objects.visible_to(coalition["uk_staff"]).values_list("spoc__nation", flat=True))
    assert uk_view == {"USA", "GBR"}
    assert Sensor.objects.visible_to(coalition["fr_staff"]).filter(spoc__nation="FRA").count() == 2
    for username in ("us_operator", "uk_staff", "fr_staff", "agreement_admin", "visitor"):
        client.force_login(coalition[username])
        for name in ("sensor-list", "agreement-list", "evaluation-board", "tier-list"):
            assert client.get(reverse(name)).status_code == 200
        for sensor in Sensor.objects.visible_to(coalition[username])[:5]:
            assert client.get(reverse("sensor-detail", args=[sensor.pk])).status_code == 200
        for agreement in Agreement.objects.visible_to(coalition[username]):
            assert client.get(reverse("agreement-detail", args=[agreement.pk])).status_code == 200


def test_sensors_added_in_the_editor_get_their_data_plan_rows_in_the_same_submit(
    coalition: dict[str, User], client: Client, spocs: dict[str, Any], make_sensor: Any, make_agreement: Any
) -> None:
    first, second, unlisted = make_sensor("au-spoc"), make_sensor("au-spoc"), make_sensor("au-spoc")
    agreement = make_agreement(
        "au-spoc",
        AgreementKind.SENSOR_LEVEL,
        sensors=[first],
        status=AgreementStatus.DRAFT,
        marking="SECRET//REL TO USA, AUS",
        default_releasability="SECRET//REL TO USA, AUS",
    )
    client.force_login(coalition["agreement_admin"])
    url = reverse("agreement-edit", args=[agreement.pk])
    rows = {
        "data_plan-TOTAL_FORMS": "2",
        "data_plan-1-sensor": second.pk,
        "data_plan-1-taskability": "on_request",
        "data_plan-1-deliveries_per_week": "7",
        "data_plan-1-timeliness": "",
        "data_plan-1-notes": "",
    }

    refused = client.post(url, editor_post(spocs, [first], **rows))
    assert refused.status_code == 400
    assert "plans only the sensors it lists" in str(refused.context["plan"].forms[1].errors["sensor"])
    assert not agreement.data_plan.exists()

    answer = client.post(url, editor_post(spocs, [first, second], **rows))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert set(agreement.sensors.all()) == {first, second}
    plan = {entry.sensor: entry.deliveries_per_week for entry in agreement.data_plan.all()}
    assert plan == {first: 140, second: 7}

    # A new agreement is held to the same rule: only the sensors the submit lists.
    stray = client.post(
        reverse("agreement-create"),
        editor_post(spocs, [first], title="New with a stray row", **{"data_plan-0-sensor": unlisted.pk}),
    )
    assert stray.status_code == 400
    assert not Agreement.objects.filter(title="New with a stray row").exists()


def test_the_map_draws_the_land_and_keeps_sensors_at_one_site_apart(
    coalition: dict[str, User], client: Client, make_sensor: Any
) -> None:
    from agreements.services import base_map
    from agreements.services import map as sensor_map

    twins = [make_sensor("us-spoc", name=f"Twin {n}", latitude_deg=9.4, longitude_deg=167.48) for n in (1, 2)]
    alone = make_sensor("us-spoc", name="Alone", latitude_deg=-30.0, longitude_deg=-60.0)
    points = {point.sensor.pk: point for point in sensor_map.map_points([*twins, alone])}
    site = sensor_map.project(9.4, 167.48)
    first, second = points[twins[0].pk], points[twins[1].pk]
    assert (first.site_x, first.site_y) == (second.site_x, second.site_y) == site
    assert ((first.x - second.x) ** 2 + (first.y - second.y) ** 2) ** 0.5 > 2 * sensor_map.DOT_RADIUS
    assert (points[alone.pk].x, points[alone.pk].y) == sensor_map.project(-30.0, -60.0)
    assert points[alone.pk].site_x is None

    # The land is world-atlas's Natural Earth outline: every ring of its MultiPolygons is drawn,
    # closed, and the decoded positions span exactly the bounding box the file publishes.
    topology = json.loads(Path(str(finders.find(base_map.LAND_FILE))).read_text())
    published = [r for g in topology["objects"]["land"]["geometries"] for p in g["arcs"] for r in p]
    rings = base_map.land_rings()
    assert len(rings) == len(published) > 100
    assert all(ring[0] == pytest.approx(ring[-1]) and len(ring) >= 4 for ring in rings)
    lons = [lon for ring in rings for lon, _ in ring]
    lats = [lat for ring in rings for _, lat in ring]
    assert [min(lons), min(lats), max(lons), max(lats)] == pytest.approx(topology["bbox"], abs=1e-6)
    client.force_login(coalition["us_operator"])
    page = client.get(reverse("sensor-list")).content.decode()
    (land,) = re.findall(r'<g class="land"><path d="([^"]+)"/></g>', page)
    assert land.count("M") == len(published)
    assert "30°N" in page and "150°W" in page and page.count('<circle class="site"') == 2
