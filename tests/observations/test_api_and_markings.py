"""The API: bulk delivery with a 207-style body, file upload, filtered lists under markings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalog.observations.models import IngestBatch, Observation
from portal.markings.marking import Marking
from tests.observations.helpers import optical_record, payload, radar_record


def post_json(api: Any, body: bytes, **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.post(f"/api/observations/?{query}", body, content_type="application/json")


def test_bulk_post_of_thousands_answers_which_were_accepted(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    objects = json.loads(payload([radar_record(i) for i in range(1, 3001)], "udl-json"))
    objects[9]["elevation"] = -20.0
    response = post_json(api, json.dumps(objects).encode())
    assert response.status_code == 207
    body = response.json()
    assert body["accepted"] == 2999
    assert body["rejected"] == 1
    assert body["errors"] == [
        {
            "record": 10,
            "line": body["errors"][0]["line"],
            "field": "elevation",
            "message": body["errors"][0]["message"],
        }
    ]
    assert 10 not in body["accepted_records"]
    assert Observation.objects.count() == 2999
    again = post_json(api, json.dumps(objects).encode())
    assert again.json()["duplicates"] == 2999
    assert Observation.objects.count() == 2999


def test_a_fully_accepted_delivery_is_201_and_a_refused_one_400(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    assert post_json(api, payload([radar_record(1)], "udl-json")).status_code == 201
    refused = post_json(api, payload([radar_record(2, sensor=9103)], "udl-json"))
    assert refused.status_code == 400
    assert "Level 4" in refused.json()["errors"][0]["message"]
    assert post_json(api, b"{not json").status_code == 400


def test_file_upload_of_tdm_and_csv(world: Any, media: Any, api_client_for: Any) -> None:
    api = api_client_for(world.users["uk_staff"])
    for name, fmt in [("obs.tdm", "tdm-kvn"), ("obs.xml", "tdm-xml"), ("obs.csv", "csv")]:
        data = payload([optical_record(i) for i in range(1, 4)], fmt)
        response = api.post(
            "/api/observations/upload/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
        )
        assert response.status_code in (201, 207), response.content
    assert Observation.objects.count() == 3
    assert IngestBatch.objects.filter(channel="upload").count() == 3


def test_machine_clients_authenticate_with_a_token_bound_to_their_spoc(world: Any, media: Any) -> None:
    from rest_framework.test import APIClient

    from portal.api_tokens import issue

    _, key = issue(world.users["uk_staff"], name="delivery client")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.post(
        "/api/observations/", payload([radar_record(1)], "udl-json"), content_type="application/json"
    )
    assert response.status_code == 201
    assert IngestBatch.objects.get().spoc_id == world.users["uk_staff"].spoc_id
    assert APIClient().post("/api/observations/", b"[]", content_type="application/json").status_code in (
        401,
        403,
    )


def test_the_marking_defaults_from_the_agreement_and_is_never_looser(
    world: Any, media: Any, api_client_for: Any
) -> None:
    api = api_client_for(world.users["uk_staff"])
    post_json(api, payload([radar_record(1)], "udl-json"))
    assert Observation.objects.get().marking == Marking.parse("CUI//REL TO USA, GBR")
    # Asking for a looser marking still gives the agreement's.
    post_json(api, payload([radar_record(2)], "udl-json"), marking="UNCLASSIFIED")
    assert Observation.objects.get(range_km=1502.0).marking == Marking.parse("CUI//REL TO USA, GBR")
    # A stricter one is kept.
    post_json(api, payload([radar_record(3)], "udl-json"), marking="SECRET//REL TO USA, GBR")
    assert Observation.objects.get(range_km=1503.0).marking == Marking.parse("SECRET//REL TO USA, GBR")
    # One the delivering account could not read is refused.
    refused = post_json(api, payload([radar_record(4)], "udl-json"), marking="SECRET//NOFORN")
    assert refused.status_code == 400


def test_the_mission_filter_runs_in_sql(world: Any, media: Any, api_client_for: Any) -> None:
    api = api_client_for(world.users["uk_staff"])
    post_json(api, payload([radar_record(1)], "udl-json"))  # Level 1: every mission
    post_json(api, payload([optical_record(1)], "udl-json"))  # Level 2: not conjunction assessment
    post_json(api, payload([radar_record(5, data_mode="EXERCISE")], "udl-json"))  # exercise: nothing
    reader = api_client_for(world.users["us_operator"])
    ca = reader.get("/api/observations/?mission=conjunction_assessment").json()["results"]
    assert [row["sensor"] for row in ca] == [9102]
    cm = reader.get("/api/observations/?mission=catalog_maintenance").json()["results"]
    assert sorted(row["sensor"] for row in cm) == [9101, 9102]
    assert len(reader.get("/api/observations/").json()["results"]) == 3
    assert reader.get("/api/observations/?mission=nonsense").status_code == 400
    assert Observation.objects.fit_for("rpo").count() == 1


VISIBLE = {  # persona -> sees the UK observations marked CUI//REL TO USA, GBR
    "us_operator": True,
    "uk_staff": True,
    "au_staff": False,
    "fr_staff": False,
    "agreement_admin": True,
    "security_officer": True,
    "visitor": False,  # US but only UNCLASSIFIED
}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_marking_matrix_on_the_api_and_the_explorer(
    world: Any, media: Any, api_client_for: Any, client: Any, username: str
) -> None:
    post_json(api_client_for(world.users["uk_staff"]), payload([radar_record(1)], "udl-json"))
    obs = Observation.objects.get()
    api = api_client_for(world.users[username])
    listed = api.get("/api/observations/").json()["results"]
    detail = api.get(f"/api/observations/{obs.pk}/")
    client.force_login(world.users[username])
    page = client.get("/observations/")
    assert page.status_code == 200
    page_detail = client.get(f"/observations/{obs.pk}/")
    if VISIBLE[username]:
        assert [row["id"] for row in listed] == [obs.pk]
        assert detail.status_code == 200
        assert "TRK-1" in page.content.decode()
        assert page_detail.status_code == 200
    else:
        assert listed == []
        assert detail.status_code == 404
        assert "TRK-1" not in page.content.decode()
        assert page_detail.status_code == 404


def test_batches_are_seen_by_their_spoc_and_us_staff_only(
    world: Any, media: Any, api_client_for: Any
) -> None:
    post_json(api_client_for(world.users["uk_staff"]), payload([radar_record(1)], "udl-json"))
    assert (
        len(api_client_for(world.users["uk_staff"]).get("/api/observation-batches/").json()["results"]) == 1
    )
    assert (
        len(api_client_for(world.users["us_operator"]).get("/api/observation-batches/").json()["results"])
        == 1
    )
    assert api_client_for(world.users["au_staff"]).get("/api/observation-batches/").json()["results"] == []


def test_list_filters(world: Any, media: Any, api_client_for: Any) -> None:
    api = api_client_for(world.users["uk_staff"])
    post_json(api, payload([radar_record(i) for i in range(1, 6)], "udl-json"))
    post_json(api, payload([optical_record(i) for i in range(1, 3)], "udl-json"))
    assert len(api.get("/api/observations/?sensor=9101").json()["results"]) == 2
    assert len(api.get("/api/observations/?since=2024-03-15T02:00:30Z").json()["results"]) == 3
    assert len(api.get("/api/observations/?until=2024-03-15T02:00:25Z").json()["results"]) == 4
    # No catalog here: everything is a UCT.
    assert len(api.get("/api/observations/?uct=true").json()["results"]) == 7
    assert api.get("/api/observations/?object=25544").json()["results"] == []


def test_the_management_command(world: Any, media: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "obs.tdm"
    path.write_bytes(payload([radar_record(i, sensor_ref=None) for i in range(1, 4)], "csv"))
    call_command("ingest_observations", str(path), "--sensor", "9102", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["accepted"] == 3
    call_command("ingest_observations", str(path), "--sensor", "9102")
    assert "duplicates 3" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        call_command("ingest_observations", str(path), "--sensor", "9103", "--json")
