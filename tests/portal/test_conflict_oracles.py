"""A key a hidden record holds is refused exactly as one a visible record holds: nothing of the
holder in the answer, and the holder named to the security officer in the audit trail."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from django.utils import timezone

from agreements.models import Sensor
from catalog.models import MappingStatus, PartnerObjectMapping, SpaceObject
from portal.markings.models import marking_columns
from portal.models import AuditAction, AuditEvent, SpOC, User
from tasking.models import CoalitionOperation

_seq = itertools.count(7_000_000)
TS_NOFORN = "TOP SECRET//NOFORN"

SENSOR = {
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


def sensor(number: int, name: str, marking: str) -> Sensor:
    return Sensor.objects.create(
        spoc=SpOC.objects.get(code="uk-spoc"),
        number=number,
        name=name,
        sensor_type="tracking_radar",
        latitude_deg=50.0,
        longitude_deg=0.0,
        altitude_km=0.1,
        measurement_types=["range"],
        max_range_km=3000.0,
        **marking_columns(marking),
    )


def conflicts_about(obj: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=AuditAction.CONFLICT, model=obj._meta.label_lower, object_id=str(obj.pk)
        )
    )


def same_answer(a: Any, b: Any) -> None:
    assert a.status_code == b.status_code
    assert a.json() == b.json()


def test_a_sensor_number_a_hidden_sensor_holds_is_refused_as_any_taken_one(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    hidden = sensor(7101, "Black Kestrel array", TS_NOFORN)
    visible = sensor(7102, "Open radar", "CUI//REL TO USA, GBR")
    api = api_client_for(coalition["uk_staff"])
    on_hidden = api.post("/api/sensors/", {**SENSOR, "number": 7101}, format="json")
    on_visible = api.post("/api/sensors/", {**SENSOR, "number": 7102}, format="json")
    assert on_hidden.status_code == 400 and "number" in on_hidden.json()
    same_answer(on_hidden, on_visible)
    text = json.dumps(on_hidden.json())
    assert "Kestrel" not in text and str(hidden.pk) not in text.replace("7101", "")
    # The security officer learns who holds it, and who asked.
    [event] = conflicts_about(hidden)
    assert event.actor_name == "uk_staff" and event.detail == {"field": "number", "value": "7101"}
    assert len(conflicts_about(visible)) == 1
    assert api.post("/api/sensors/", {**SENSOR, "number": 7103}, format="json").status_code == 201


def test_an_operation_code_a_hidden_operation_holds_is_refused_as_any_taken_one(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    now = timezone.now()
    hidden = CoalitionOperation.objects.create(
        code="kestrel-black",
        name="Kestrel Black",
        starts=now,
        ends=now + dt.timedelta(days=1),
        **marking_columns(TS_NOFORN),
    )
    CoalitionOperation.objects.create(
        code="open-watch",
        name="Open watch",
        starts=now,
        ends=now + dt.timedelta(days=1),
        **marking_columns("CUI//REL TO USA, GBR"),
    )
    api = api_client_for(coalition["us_operator"])  # SECRET: may not read the hidden one
    payload = {
        "name": "Reentry watch",
        "starts": now.isoformat(),
        "ends": (now + dt.timedelta(days=1)).isoformat(),
        "participants": ["uk-spoc"],
        "marking": "CUI//REL TO USA, GBR",
    }
    on_hidden = api.post("/api/tasking-operations/", {**payload, "code": "kestrel-black"}, format="json")
    on_visible = api.post("/api/tasking-operations/", {**payload, "code": "open-watch"}, format="json")
    assert on_hidden.status_code == 400 and "code" in on_hidden.json()
    same_answer(on_hidden, on_visible)
    assert "Kestrel" not in json.dumps(on_hidden.json())
    assert len(conflicts_about(hidden)) == 1


def test_a_mapping_that_contradicts_a_hidden_one_does_not_reveal_it(
    coalition: dict[str, User], api_client_for: Any
) -> None:
    uk = SpOC.objects.get(code="uk-spoc")
    objects = {
        n: SpaceObject.objects.create(
            catalog_number=n, name=f"OBJ {n}", seq=next(_seq), **marking_columns("UNCLASSIFIED")
        )
        for n in (61001, 61002, 61003, 61004)
    }
    hidden = PartnerObjectMapping.objects.create(
        spoc=uk,
        partner_object_id="UK-HIDDEN",
        space_object=objects[61001],
        **marking_columns("SECRET//NOFORN"),
    )
    visible = PartnerObjectMapping.objects.create(
        spoc=uk, partner_object_id="UK-OPEN", space_object=objects[61002], **marking_columns("UNCLASSIFIED")
    )
    api = api_client_for(coalition["uk_staff"])
    answers = [
        api.post(
            "/api/catalog/mappings/",
            {"partner_object_id": pid, "catalog_number": number, "marking": "UNCLASSIFIED"},
            format="json",
        )
        for pid, number in (("UK-HIDDEN", 61003), ("UK-OPEN", 61004))
    ]
    on_hidden, on_visible = (a.json() for a in answers)
    assert answers[0].status_code == answers[1].status_code == 201
    for body in (on_hidden, on_visible):
        assert body["status"] == MappingStatus.CONFLICT and body["conflicts_with"] is None
    assert on_hidden["partner_object_id"] == "UK-HIDDEN"  # its own submission, nothing else
    # The agreement admin who resolves it is told which mapping it contradicts.
    admin = api_client_for(coalition["agreement_admin"])
    listed = admin.get("/api/catalog/mappings/conflicts/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["conflicts_with"] for row in rows} == {hidden.pk, visible.pk}


@pytest.fixture(autouse=True)
def _no_stray_conflicts(db: Any) -> None:
    assert not AuditEvent.objects.filter(action=AuditAction.CONFLICT).exists()
