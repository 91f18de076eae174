"""Who may write what through the API, and bad input answered with a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus
from agreements.models import Agreement, Sensor, TierDefinition
from portal.api_tokens import issue
from portal.models import User
from tests.agreements.conftest import finished_calibration_run

pytestmark = pytest.mark.django_db

NEW_SENSOR = {
    "number": 7001,
    "name": "New partner radar",
    "sensor_type": "tracking_radar",
    "latitude_deg": 51.5,
    "longitude_deg": -1.0,
    "altitude_km": 0.1,
    "measurement_types": ["range", "azimuth_elevation"],
    "min_elevation_deg": 5,
    "max_range_km": 2500,
    "tracks_per_hour": 12,
    "marking": "CUI//REL TO USA, GBR",
}


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user, name='test client')[1]}")
    return client


def test_a_partner_machine_client_registers_a_sensor_of_its_own_spoc(coalition: dict[str, User]) -> None:
    made = token_client(coalition["uk_staff"]).post("/api/sensors/", NEW_SENSOR, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["spoc_code"] == "uk-spoc"
    sensor = Sensor.objects.get(number=7001)
    assert sensor.spoc.code == "uk-spoc" and not sensor.is_us_ssn and sensor.integration_level is None


def test_a_partner_cannot_register_a_sensor_for_another_spoc(
    coalition: dict[str, User], spocs: dict[str, Any]
) -> None:
    refused = token_client(coalition["uk_staff"]).post(
        "/api/sensors/", {**NEW_SENSOR, "spoc": spocs["fr-spoc"].pk}, format="json"
    )
    assert refused.status_code == 403
    assert "spoc" in refused.json()
    assert not Sensor.objects.filter(number=7001).exists()


def test_a_partner_updates_its_own_sensor_gets_404_for_hidden_and_403_for_visible_others(
    coalition: dict[str, User], make_sensor: Any
) -> None:
    own = make_sensor("uk-spoc")
    hidden = make_sensor("fr-spoc", marking="CUI//REL TO USA, FRA")
    visible_other = make_sensor("au-spoc", marking="CUI//REL TO USA, FVEY")
    api = token_client(coalition["uk_staff"])
    assert api.patch(f"/api/sensors/{own.pk}/", {"status": "degraded"}, format="json").status_code == 200
    assert Sensor.objects.get(pk=own.pk).status == "degraded"
    assert api.patch(f"/api/sensors/{hidden.pk}/", {"status": "offline"}, format="json").status_code == 404
    assert (
        api.patch(f"/api/sensors/{visible_other.pk}/", {"status": "offline"}, format="json").status_code
        == 403
    )
    assert Sensor.objects.get(pk=visible_other.pk).status == "operational"
    moved = api.patch(f"/api/sensors/{own.pk}/", {"spoc": visible_other.spoc_id}, format="json")
    assert moved.status_code == 403


def test_partners_cannot_set_their_own_integration_level_or_delete_sensors(
    coalition: dict[str, User], make_sensor: Any
) -> None:
    own = make_sensor("uk-spoc")
    api = token_client(coalition["uk_staff"])
    api.patch(f"/api/sensors/{own.pk}/", {"integration_level": 1}, format="json")
    assert Sensor.objects.get(pk=own.pk).integration_level is None
    assert api.delete(f"/api/sensors/{own.pk}/").status_code == 403


def test_us_operators_read_sensors_but_do_not_write_them(
    coalition: dict[str, User], make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    api = token_client(coalition["us_operator"])
    assert api.get(f"/api/sensors/{sensor.pk}/").status_code == 200
    assert api.post("/api/sensors/", NEW_SENSOR, format="json").status_code == 403
    assert api.patch(f"/api/sensors/{sensor.pk}/", {"status": "offline"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude_deg": 95}, "latitude_deg"),
        ({"longitude_deg": "east"}, "longitude_deg"),
        ({"measurement_types": ["range", "sonar"]}, "measurement_types"),
        ({"measurement_types": []}, "measurement_types"),
        ({"max_range_km": None}, "max_range_km"),
        ({"azimuth_min_deg": 20}, "azimuth_max_deg"),
        ({"marking": "SECRET"}, "marking"),
        ({"marking": "SECRET//REL TO USA, FRA"}, "marking"),
        ({"is_us_ssn": True}, "is_us_ssn"),
        ({"number": 0}, "number"),
    ],
)
def test_bad_sensor_input_is_a_400_naming_the_field(
    coalition: dict[str, User], api_client_for: Any, change: dict, field: str
) -> None:
    answer = api_client_for(coalition["uk_staff"]).post(
        "/api/sensors/", {**NEW_SENSOR, **change}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_duplicate_sensor_number_is_a_400(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Any
) -> None:
    make_sensor("uk-spoc", number=7001)
    answer = api_client_for(coalition["uk_staff"]).post("/api/sensors/", NEW_SENSOR, format="json")
    assert answer.status_code == 400 and "number" in answer.json()


def agreement_body(spocs: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "New SpOC-level agreement",
        "kind": "spoc_level",
        "partner": spocs["uk-spoc"].pk,
        "effective_from": "2025-01-01",
        "expires_on": "2030-01-01",
        "data_formats": ["udl-json"],
        "classification_ceiling": 2,
        "default_releasability": "CUI//REL TO USA, GBR",
        "quick_turn_response": "02:00:00",
        "routine_response": "2 00:00:00",
        "delivery_timeliness": "01:00:00",
        "marking": "CUI//REL TO USA, GBR",
    }
    return {**body, **overrides}


def test_us_operators_and_partners_cannot_write_agreements_and_admins_can(
    coalition: dict[str, User], api_client_for: Any, spocs: dict[str, Any], make_agreement: Any
) -> None:
    existing = make_agreement("uk-spoc")
    for username in ("us_operator", "uk_staff"):
        api = api_client_for(coalition[username])
        assert api.post("/api/agreements/", agreement_body(spocs), format="json").status_code == 403
        assert api.patch(f"/api/agreements/{existing.pk}/", {"conops": "x"}, format="json").status_code == 403
        assert (
            api.post(
                f"/api/agreements/{existing.pk}/transition/", {"to": "suspended", "reason": "x"}
            ).status_code
            == 403
        )
    admin = api_client_for(coalition["agreement_admin"])
    made = admin.post("/api/agreements/", agreement_body(spocs), format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "draft"
    assert made.json()["language"] == "en" and made.json()["staffing"].startswith("24/7")
    agreement_id = made.json()["id"]
    moved = admin.post(f"/api/agreements/{agreement_id}/transition/", {"to": "in_negotiation"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_negotiation"
    refused = admin.post(f"/api/agreements/{agreement_id}/transition/", {"to": "expired"})
    assert refused.status_code == 409 and "to" in refused.json()
    history = admin.get(f"/api/agreements/{agreement_id}/history/").json()
    assert [row["kind"] for row in history] == ["transition", "created"]
    assert (
        api_client_for(coalition["us_operator"]).get(f"/api/agreements/{agreement_id}/history/").status_code
        == 403
    )


def test_an_admin_edit_through_the_api_is_kept_in_the_history(
    coalition: dict[str, User], api_client_for: Any, make_agreement: Any
) -> None:
    agreement = make_agreement("uk-spoc")
    admin = api_client_for(coalition["agreement_admin"])
    assert (
        admin.patch(
            f"/api/agreements/{agreement.pk}/", {"routine_response": "1 00:00:00"}, format="json"
        ).status_code
        == 200
    )
    row = agreement.history.filter(kind="changed").get()
    assert row.actor_name == "agreement_admin"
    assert row.changes == {"routine_response": ["2 00:00:00", "1 00:00:00"]}
    assert (
        admin.patch(f"/api/agreements/{agreement.pk}/", {"status": "terminated"}, format="json").status_code
        == 200
    )
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE  # read-only field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"default_releasability": "SECRET//REL TO USA, GBR"}, "default_releasability"),  # above the ceiling
        (
            {"default_releasability": "CUI//REL TO USA, FRA"},
            "default_releasability",
        ),  # not releasable to partner
        ({"default_releasability": "CUI//REL TO NOWHERE"}, "default_releasability"),
        ({"data_formats": ["pdf"]}, "data_formats"),
        ({"expires_on": "2024-01-01"}, "expires_on"),
        ({"quick_turn_response": "3 00:00:00"}, "quick_turn_response"),
        ({"marking": "TOP SECRET//NOFORN"}, None),  # the admin may read it: accepted
    ],
)
def test_bad_agreement_input_is_a_400_naming_the_field(
    coalition: dict[str, User], api_client_for: Any, spocs: dict[str, Any], overrides: dict, field: str | None
) -> None:
    answer = api_client_for(coalition["agreement_admin"]).post(
        "/api/agreements/", agreement_body(spocs, **overrides), format="json"
    )
    if field is None:
        assert answer.status_code == 201
    else:
        assert answer.status_code == 400
        assert field in answer.json()


def test_sensor_lists_are_checked_against_the_kind_and_partner(
    coalition: dict[str, User], api_client_for: Any, spocs: dict[str, Any], make_sensor: Any
) -> None:
    uk, fr = make_sensor("uk-spoc"), make_sensor("fr-spoc")
    admin = api_client_for(coalition["agreement_admin"])
    foreign = admin.post(
        "/api/agreements/", agreement_body(spocs, kind="sensor_level", sensors=[uk.pk, fr.pk]), format="json"
    )
    assert foreign.status_code == 400 and "sensors" in foreign.json()
    listed_on_spoc_level = admin.post(
        "/api/agreements/", agreement_body(spocs, sensors=[uk.pk]), format="json"
    )
    assert listed_on_spoc_level.status_code == 400 and "sensors" in listed_on_spoc_level.json()
    good = admin.post(
        "/api/agreements/", agreement_body(spocs, kind="sensor_level", sensors=[uk.pk]), format="json"
    )
    assert good.status_code == 201 and good.json()["sensors"] == [uk.pk]
    changed_partner = admin.patch(
        f"/api/agreements/{good.json()['id']}/", {"partner": spocs["fr-spoc"].pk}, format="json"
    )
    assert changed_partner.status_code == 400 and "sensors" in changed_partner.json()


def test_the_coverage_endpoint_answers_agreement_tasking_formats_and_deadline(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Any, make_agreement: Any
) -> None:
    sensor = make_sensor("uk-spoc")
    agreement = make_agreement("uk-spoc", data_formats=["udl-json", "tdm-kvn"])
    api = api_client_for(coalition["us_operator"])
    body = api.get(
        f"/api/sensors/{sensor.pk}/coverage/", {"at": "2025-06-01T12:00:00Z", "priority": "flash"}
    ).json()
    assert body["agreement"] == agreement.pk and body["agreement_kind"] == "spoc_level"
    assert body["direct_tasking"] is False and body["formats"] == ["udl-json", "tdm-kvn"]
    assert body["response_deadline"] == "2025-06-01T14:00:00Z"
    routine = api.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": "2025-06-01T12:00:00Z"}).json()
    assert routine["response_deadline"] == "2025-06-03T12:00:00Z"
    later = api.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": "2031-01-01T00:00:00Z"}).json()
    assert later["covered"] is False and later["agreement"] is None
    bad = api.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": "yesterday", "priority": "whenever"})
    assert bad.status_code == 400 and {"at", "priority"} <= set(bad.json())


def test_the_sensor_list_api_does_not_query_per_row(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Any, django_assert_max_num_queries: Any
) -> None:
    for spoc in ("uk-spoc", "au-spoc", "fr-spoc", "us-spoc"):
        for _ in range(10):
            make_sensor(spoc, marking="CONFIDENTIAL//REL TO USA, FVEY" if spoc != "fr-spoc" else None)
    api = api_client_for(coalition["us_operator"])
    with django_assert_max_num_queries(3):  # the page, and one insert recording classified reads
        rows = api.get("/api/sensors/").json()["results"]
    assert len(rows) == 40
    with django_assert_max_num_queries(3):
        api.get("/api/sensors/", {"nation": "GBR", "status": "operational", "is_us_ssn": "false"})


def test_the_agreement_list_api_does_not_query_per_row(
    coalition: dict[str, User],
    api_client_for: Any,
    make_agreement: Any,
    make_sensor: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(8):
        make_agreement("au-spoc", "sensor_level", sensors=[make_sensor("au-spoc")], status="draft")
    with django_assert_max_num_queries(5):
        rows = api_client_for(coalition["us_operator"]).get("/api/agreements/").json()["results"]
    assert len(rows) == 8


def test_filters_narrow_the_sensor_list(
    coalition: dict[str, User], api_client_for: Any, make_sensor: Any
) -> None:
    make_sensor(
        "uk-spoc",
        sensor_type="optical_telescope",
        measurement_types=["ra_dec"],
        limiting_magnitude=16,
        max_range_km=None,
    )
    make_sensor("uk-spoc")
    make_sensor("us-spoc")
    api = api_client_for(coalition["us_operator"])
    assert len(api.get("/api/sensors/", {"sensor_type": "optical_telescope"}).json()["results"]) == 1
    assert len(api.get("/api/sensors/", {"is_us_ssn": "true"}).json()["results"]) == 1
    assert len(api.get("/api/sensors/", {"nation": "GBR"}).json()["results"]) == 2


def test_tier_definitions_are_read_by_all_and_edited_by_admins(
    tiers: None, coalition: dict[str, User], api_client_for: Any
) -> None:
    listed = api_client_for(coalition["uk_staff"]).get("/api/tiers/").json()
    assert [tier["level"] for tier in listed] == [1, 2, 3, 4]
    assert (
        api_client_for(coalition["uk_staff"]).patch("/api/tiers/2/", {"name": "x"}, format="json").status_code
        == 403
    )
    admin = api_client_for(coalition["agreement_admin"])
    assert (
        admin.patch("/api/tiers/2/", {"max_delivery_latency": "00:30:00"}, format="json").status_code == 200
    )
    assert str(TierDefinition.objects.get(level=2).max_delivery_latency) == "0:30:00"
    bad = admin.patch("/api/tiers/4/", {"admits_observation_ingest": True}, format="json")
    assert bad.status_code == 400 and "admits_observation_ingest" in bad.json()
    bad_criteria = admin.patch(
        "/api/tiers/1/", {"calibration_criteria": {"range": {"max_bias": -1, "max_noise": 1}}}, format="json"
    )
    assert bad_criteria.status_code == 400 and "calibration_criteria" in bad_criteria.json()


def test_evaluations_are_started_and_decided_by_admins_through_the_api(
    tiers: None, coalition: dict[str, User], api_client_for: Any, make_sensor: Any
) -> None:
    sensor = make_sensor("uk-spoc", integration_level=3)
    assert (
        api_client_for(coalition["uk_staff"])
        .post("/api/tier-evaluations/", {"sensor": sensor.pk, "candidate_level": 2})
        .status_code
        == 403
    )
    admin = api_client_for(coalition["agreement_admin"])
    started = admin.post(
        "/api/tier-evaluations/", {"sensor": sensor.pk, "candidate_level": 2, "started_on": "2025-05-01"}
    )
    assert started.status_code == 201 and started.json()["expected_end"] == "2025-05-22"
    evaluation_id = started.json()["id"]
    again = admin.post("/api/tier-evaluations/", {"sensor": sensor.pk, "candidate_level": 2})
    assert again.status_code == 409
    progress = admin.get(f"/api/tier-evaluations/{evaluation_id}/progress/").json()
    assert progress and all(row["result"] is None for row in progress)
    assert admin.post(f"/api/tier-evaluations/{evaluation_id}/promote/", {}).status_code == 400
    # A promotion to a level with calibration criteria cites the runs behind it.
    uncited = admin.post(f"/api/tier-evaluations/{evaluation_id}/promote/", {"reason": "Within limits"})
    assert uncited.status_code == 400 and "calibration runs" in str(uncited.json())
    run = finished_calibration_run(sensor, [2])
    promoted = admin.post(
        f"/api/tier-evaluations/{evaluation_id}/promote/",
        {"reason": "Within limits", "calibration_runs": [run]},
        format="json",
    )
    assert promoted.status_code == 200 and promoted.json()["status"] == "promoted"
    assert Sensor.objects.get(pk=sensor.pk).integration_level == 2
