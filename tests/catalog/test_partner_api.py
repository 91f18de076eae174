"""The catalog API: what each persona may pull, `since` cursors that leak nothing, text formats,
partner submissions and id mappings, and a fixed number of queries per page."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.formats.elements import ElementSetRecord, read_elements
from catalog.models import ElementSet, ElsetSource, MappingStatus, PartnerObjectMapping, SpaceObject
from catalog.seed import ANALYST, RESTRICTED
from portal.markings.marking import Level
from portal.models import AuditAction, AuditEvent, User
from tests.catalog.conftest import elset, load

pytestmark = pytest.mark.django_db

EVERYONE = {
    "us_operator",
    "uk_staff",
    "au_staff",
    "fr_staff",
    "agreement_admin",
    "security_officer",
    "visitor",
}
US_SECRET = {"us_operator", "agreement_admin", "security_officer"}
ANALYST_READERS = US_SECRET | {"uk_staff", "au_staff"}  # CUI//REL TO USA, FVEY
RESTRICTED_READERS = US_SECRET  # SECRET//NOFORN
UK_SET_READERS = US_SECRET | {"uk_staff"}  # CUI//REL TO USA, GBR
ANALYST_NUMBERS = {r.norad_cat_id for r in ANALYST}
RESTRICTED_NUMBER = RESTRICTED[0].norad_cat_id


def pull_all(api: Any, path: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    since = 0
    while True:
        body = api.get(path, {"since": since, "page_size": 1000, **params}).json()
        rows += body["results"]
        if not body["next"]:
            return rows
        since = body["cursor"]


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_each_persona_pulls_exactly_the_objects_and_sets_it_may_see(
    demo_catalog: dict[str, User], api_client_for: Any, username: str
) -> None:
    api = api_client_for(demo_catalog[username])
    numbers = {row["catalog_number"] for row in pull_all(api, "/api/catalog/objects/")}
    assert (numbers >= ANALYST_NUMBERS) == (username in ANALYST_READERS)
    assert not (ANALYST_NUMBERS & numbers) or username in ANALYST_READERS
    assert (RESTRICTED_NUMBER in numbers) == (username in RESTRICTED_READERS)
    assert {25544, 20580, 24876, 26824} <= numbers
    sets = pull_all(api, "/api/catalog/elsets/")
    set_numbers = {row["catalog_number"] for row in sets}
    assert (RESTRICTED_NUMBER in set_numbers) == (username in RESTRICTED_READERS)
    assert any(row["source"] == "partner" for row in sets) == (username in UK_SET_READERS)
    restricted = SpaceObject.objects.get(catalog_number=RESTRICTED_NUMBER)
    expected = 200 if username in RESTRICTED_READERS else 404
    assert api.get(f"/api/catalog/objects/{restricted.catalog_number}/").status_code == expected
    hidden_set = ElementSet.objects.get(space_object=restricted)
    assert api.get(f"/api/catalog/elsets/{hidden_set.pk}/").status_code == expected


def test_a_hidden_element_set_leaves_no_trace_in_results_cursors_or_links(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(1)])
    api = api_client_for(coalition["uk_staff"])
    before = api.get("/api/catalog/elsets/", {"since": 0}).json()
    load([elset(2)], marking="SECRET//NOFORN")
    load([elset(1, hours=1)], marking="SECRET//NOFORN")
    after = api.get("/api/catalog/elsets/", {"since": 0}).json()
    assert after == before
    assert after["next"] is None and len(after["results"]) == 1
    tail = api.get("/api/catalog/elsets/", {"since": before["cursor"]})
    assert tail.json() == {"cursor": before["cursor"], "next": None, "results": []}
    assert tail["X-Cursor"] == str(before["cursor"])
    tle = api.get("/api/catalog/elsets/", {"since": 0, "format": "tle"})
    assert tle["X-Cursor"] == str(before["cursor"]) and "Link" not in tle
    full_page = api.get("/api/catalog/elsets/", {"since": 0, "page_size": 1}).json()
    assert full_page["next"] is None


def test_since_returns_only_what_changed_after_the_cursor(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(1), elset(2)])
    api = api_client_for(coalition["fr_staff"])
    first = api.get("/api/catalog/elsets/", {"since": 0, "page_size": 1}).json()
    assert len(first["results"]) == 1 and first["next"]
    second = api.get("/api/catalog/elsets/", {"since": first["cursor"]}).json()
    assert [r["catalog_number"] for r in second["results"]] == [2]
    load([elset(3), elset(1, mean_motion=15.25)])
    newer = api.get("/api/catalog/elsets/", {"since": second["cursor"]}).json()
    assert sorted(r["catalog_number"] for r in newer["results"]) == [1, 3]
    assert api.get("/api/catalog/elsets/", {"since": newer["cursor"]}).json()["results"] == []
    assert api.get("/api/catalog/elsets/", {"since": "x"}).status_code == 400


def test_cursors_are_opaque_and_refused_when_tampered(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(n) for n in range(1, 4)])
    # A hidden change between two visible ones: the cursors must not show the gap.
    load([elset(4)], marking="TOP SECRET//NOFORN")
    load([elset(5)])
    api = api_client_for(coalition["fr_staff"])
    path = "/api/catalog/elsets/"
    seqs = dict(ElementSet.objects.values_list("space_object__catalog_number", "seq"))
    first = api.get(path, {"since": 0, "page_size": 3}).json()
    second = api.get(path, {"since": first["cursor"], "page_size": 1}).json()
    assert [r["catalog_number"] for r in second["results"]] == [5]
    for cursor in (first["cursor"], second["cursor"]):
        body = cursor.rsplit(":", 1)[0]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        for seq in seqs.values():
            assert seq.to_bytes(8, "big") not in raw and str(seq).encode() not in raw
    # Nothing but the position decides a cursor: the same position, the same cursor.
    again = api.get(path, {"since": 0, "page_size": 3}).json()["cursor"]
    assert again == first["cursor"]
    # Raw positions, edited or foreign cursors: a 400 naming the parameter.
    other_list = api.get("/api/catalog/objects/", {"since": 0}).json()["cursor"]
    body, signature = first["cursor"].rsplit(":", 1)
    edited = ("A" if body[0] != "A" else "B") + body[1:] + ":" + signature
    for bad in (str(seqs[3]), "-1", edited, other_list, first["cursor"] + "x", "x" * 5000):
        refused = api.get(path, {"since": bad})
        assert refused.status_code == 400, bad
        assert "since" in refused.json()


def test_filters_narrow_the_pull(demo_catalog: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(demo_catalog["us_operator"])
    geo = pull_all(api, "/api/catalog/elsets/", regime="GEO")
    assert geo and {r["regime"] for r in geo} == {"GEO"}
    iss = pull_all(api, "/api/catalog/elsets/", number=25544)
    assert {r["source"] for r in iss} == {"upstream", "partner"}
    assert {r["source"] for r in pull_all(api, "/api/catalog/elsets/", number=25544, source="partner")} == {
        "partner"
    }
    objects = pull_all(api, "/api/catalog/objects/", name="intelsat")
    assert [o["catalog_number"] for o in objects] == [26824]
    assert pull_all(api, "/api/catalog/objects/", designator="1990-037")[0]["catalog_number"] == 20580
    assert {o["object_type"] for o in pull_all(api, "/api/catalog/objects/", type="debris")} == {"debris"}
    late = pull_all(api, "/api/catalog/elsets/", epoch_after="2024-03-15T06:00:00Z")
    assert all(r["epoch"] >= "2024-03-15T06:00:00" for r in late)


@pytest.mark.parametrize("fmt", ["tle", "3le", "omm-json", "omm-xml", "omm-kvn", "omm-csv"])
def test_text_formats_come_back_readable(
    demo_catalog: dict[str, User], api_client_for: Any, fmt: str
) -> None:
    api = api_client_for(demo_catalog["fr_staff"])
    response = api.get("/api/catalog/elsets/", {"since": 0, "number": 25544, "format": fmt})
    assert response.status_code == 200
    records = [
        r for r in read_elements(io.StringIO(response.content.decode())) if isinstance(r, ElementSetRecord)
    ]
    assert [r.norad_cat_id for r in records] == [25544]
    assert (records[0].object_name is None) == (fmt == "tle")
    objects = api.get("/api/catalog/objects/", {"since": 0, "page_size": 1000, "format": fmt})
    numbers = {
        r.norad_cat_id
        for r in read_elements(io.StringIO(objects.content.decode()))
        if isinstance(r, ElementSetRecord)
    }
    assert 25544 in numbers and RESTRICTED_NUMBER not in numbers


def test_tle_skips_catalog_numbers_it_cannot_carry(
    demo_catalog: dict[str, User], api_client_for: Any
) -> None:
    api = api_client_for(demo_catalog["uk_staff"])
    response = api.get("/api/catalog/elsets/", {"since": 0, "page_size": 1000, "format": "tle"})
    assert int(response["X-Skipped-Records"]) == len(ANALYST)
    assert "ANALYST" not in response.content.decode()


def omm(number: int, epoch: str = "2024-03-16T00:00:00.000000") -> dict[str, Any]:
    return {
        "OBJECT_NAME": "X",
        "OBJECT_ID": "1998-067A",
        "EPOCH": epoch,
        "MEAN_MOTION": 15.5,
        "ECCENTRICITY": 0.0007,
        "INCLINATION": 51.64,
        "RA_OF_ASC_NODE": 240.0,
        "ARG_OF_PERICENTER": 130.0,
        "MEAN_ANOMALY": 20.0,
        "EPHEMERIS_TYPE": 0,
        "CLASSIFICATION_TYPE": "U",
        "NORAD_CAT_ID": number,
        "ELEMENT_SET_NO": 1,
        "REV_AT_EPOCH": 44200,
        "BSTAR": 0.0003,
        "MEAN_MOTION_DOT": 0.0001,
        "MEAN_MOTION_DDOT": 0.0,
    }


def test_a_partner_submits_its_own_element_sets(demo_catalog: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(demo_catalog["au_staff"])
    body = {"marking": "CUI//REL TO USA, AUS", "elements": [omm(25544), omm(RESTRICTED_NUMBER), omm(424242)]}
    response = api.post("/api/catalog/elsets/", body, format="json")
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["added"], result["rejected"]) == (1, 2)
    hidden, missing = (e["message"] for e in result["errors"])
    assert hidden.replace(str(RESTRICTED_NUMBER), "N") == missing.replace("424242", "N")
    mine = ElementSet.objects.get(source=ElsetSource.PARTNER, source_spoc__code="au-spoc")
    assert mine.space_object.catalog_number == 25544 and mine.source_key.startswith("spoc:")
    assert not SpaceObject.objects.filter(catalog_number=424242).exists()
    again = api.post(
        "/api/catalog/elsets/", {"marking": "CUI//REL TO USA, AUS", "elements": omm(25544)}, format="json"
    )
    assert again.status_code == 200 and again.json()["unchanged"] == 1
    text = api.post(
        "/api/catalog/elsets/",
        {
            "marking": "UNCLASSIFIED",
            "text": "1 25544U 98067A   24075.43510417  .00016717  00000-0  30270-3 0  9990\n"
            "2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.49815395441200\n",
        },
        format="json",
    )
    assert text.status_code == 201 and text.json()["added"] == 1


def test_a_submission_must_carry_a_marking_the_partner_may_read(
    demo_catalog: dict[str, User], api_client_for: Any
) -> None:
    api = api_client_for(demo_catalog["fr_staff"])
    for marking in ("SECRET//REL TO USA, FRA", "CUI//REL TO USA, GBR", "", "SECRET"):
        response = api.post(
            "/api/catalog/elsets/", {"marking": marking, "elements": [omm(25544)]}, format="json"
        )
        assert response.status_code == 400 and "marking" in response.json()
    missing = api.post("/api/catalog/elsets/", {"elements": [omm(25544)]}, format="json")
    assert missing.status_code == 400
    refused = api_client_for(demo_catalog["visitor"]).post(
        "/api/catalog/elsets/", {"marking": "UNCLASSIFIED", "elements": [omm(25544)]}, format="json"
    )
    assert refused.status_code == 403
    garbage = api.post("/api/catalog/elsets/", {"marking": "UNCLASSIFIED", "text": "hello"}, format="json")
    assert garbage.status_code == 400 and "text" in garbage.json()


def test_a_contradicting_mapping_is_held_as_a_conflict_for_review(
    demo_catalog: dict[str, User], api_client_for: Any
) -> None:
    uk = api_client_for(demo_catalog["uk_staff"])
    same = uk.post(
        "/api/catalog/mappings/",
        {"partner_object_id": "UK-HST", "catalog_number": 20580, "marking": "UNCLASSIFIED"},
        format="json",
    )
    assert same.status_code == 200 and same.json()["status"] == "active"
    clash = uk.post(
        "/api/catalog/mappings/",
        {"partner_object_id": "UK-HST", "catalog_number": 24876, "marking": "UNCLASSIFIED"},
        format="json",
    )
    assert clash.status_code == 201 and clash.json()["status"] == "conflict"
    active = PartnerObjectMapping.objects.get(
        spoc__code="uk-spoc", partner_object_id="UK-HST", status=MappingStatus.ACTIVE
    )
    assert active.space_object.catalog_number == 20580
    new = uk.post(
        "/api/catalog/mappings/",
        {"partner_object_id": "UK-GPS", "catalog_number": 24876, "marking": "UNCLASSIFIED"},
        format="json",
    )
    assert new.json()["status"] == "active"
    hidden = uk.post(
        "/api/catalog/mappings/",
        {"partner_object_id": "UK-X", "catalog_number": RESTRICTED_NUMBER, "marking": "UNCLASSIFIED"},
        format="json",
    )
    missing = uk.post(
        "/api/catalog/mappings/",
        {"partner_object_id": "UK-X", "catalog_number": 999999, "marking": "UNCLASSIFIED"},
        format="json",
    )
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["catalog_number"][0].replace(str(RESTRICTED_NUMBER), "N") == missing.json()[
        "catalog_number"
    ][0].replace("999999", "N")

    assert {m["spoc"] for m in uk.get("/api/catalog/mappings/").json()["results"]} == {"uk-spoc"}
    admin = api_client_for(demo_catalog["agreement_admin"])
    conflicts = admin.get("/api/catalog/mappings/conflicts/").json()["results"]
    assert {(c["spoc"], c["partner_object_id"]) for c in conflicts} == {
        ("uk-spoc", "UK-ISS"),
        ("uk-spoc", "UK-HST"),
    }
    clash_id = clash.json()["id"]
    assert (
        uk.post(
            f"/api/catalog/mappings/{clash_id}/resolve/", {"decision": "accept"}, format="json"
        ).status_code
        == 403
    )
    resolved = admin.post(f"/api/catalog/mappings/{clash_id}/resolve/", {"decision": "accept"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "active"
    active.refresh_from_db()
    assert active.status == MappingStatus.SUPERSEDED


def queries(api: Any, path: str, **params: Any) -> tuple[int, int]:
    """(catalog queries, audit inserts) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, params)
    assert response.status_code == 200
    audit = sum('INSERT INTO "portal_auditevent"' in q["sql"] for q in captured.captured_queries)
    return len(captured) - audit, audit


def test_a_page_costs_the_same_queries_for_10_or_100_rows(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(n) for n in range(1, 101)])
    load([elset(n, hours=1) for n in range(1, 101)], marking="CONFIDENTIAL//REL TO USA, FVEY")
    api = api_client_for(coalition["uk_staff"])
    path = "/api/catalog/elsets/"
    assert queries(api, path, since=0, page_size=10) == queries(api, path, since=0, page_size=100) == (1, 0)
    assert queries(api, path, since=0, page_size=100, format="omm-xml") == (1, 0)
    # Reads of CONFIDENTIAL sets are audited in bulk: one insert (SQLite splits it at 999 parameters).
    after_first_hundred = api.get(path, {"since": 0, "page_size": 100}).json()["cursor"]
    small, audit_small = queries(api, path, since=after_first_hundred, page_size=10)
    large, audit_large = queries(api, path, since=after_first_hundred, page_size=100)
    assert small == large == 1 and audit_small == 1
    assert audit_large == (1 if connection.vendor == "postgresql" else 2)
    assert queries(api, "/api/catalog/objects/", since=0, page_size=10) == queries(
        api, "/api/catalog/objects/", since=0, page_size=100
    )


def test_a_pulled_page_shows_each_set_exactly_as_its_detail_view_does(
    demo_catalog: dict[str, User], api_client_for: Any
) -> None:
    api = api_client_for(demo_catalog["uk_staff"])
    rows = pull_all(api, "/api/catalog/elsets/")
    partner = [row for row in rows if row["source"] == "partner"]
    upstream = [row for row in rows if row["source"] == "upstream"][:3]
    assert partner and partner[0]["source_spoc"] == "uk-spoc" and upstream
    # The import run of an upstream set is not one of the partner's runs: it reads as null,
    # as on the run list, which shows a partner only its own SpOC's submissions.
    assert all(row["sync_run"] is None for row in upstream)
    for row in [*partner, *upstream]:
        assert api.get(f"/api/catalog/elsets/{row['id']}/").json() == row
    assert all(row["epoch"].endswith("Z") and isinstance(row["marking"], str) for row in rows)


def test_each_classified_set_on_a_pulled_page_is_audited_as_read(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    load([elset(1), elset(2)])
    load([elset(1, hours=1)], marking="CONFIDENTIAL//REL TO USA, GBR")
    api = api_client_for(coalition["uk_staff"])
    before = AuditEvent.objects.filter(action=AuditAction.READ).count()
    assert len(api.get("/api/catalog/elsets/", {"since": 0}).json()["results"]) == 3
    events = AuditEvent.objects.filter(action=AuditAction.READ).order_by("pk")[before:]
    classified = ElementSet.objects.get(classification_level=Level.CONFIDENTIAL)
    assert [(e.model, e.object_id, e.marking, e.actor_name) for e in events] == [
        ("catalog.elementset", str(classified.pk), "CONFIDENTIAL//REL TO USA, GBR", "uk_staff")
    ]
    assert events[0].object_repr == str(classified)
