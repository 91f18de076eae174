"""Routing, coverage, deadlines and delivery refusals use only the agreements the actor may read,
and a request is filed only under an agreement every reader of the request may read."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from agreements.choices import AgreementKind, AgreementStatus, DataFormat
from agreements.models import Agreement, Sensor
from catalog.observations.services.validation import DeliveryContext, DeliveryRefused
from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from tasking.services.filing import file_request
from tests.factories import AgreementFactory

from .conftest import World, make_sensor

TS_NOFORN = "TOP SECRET//NOFORN"
HIDDEN_TITLE = "Black channel arrangement"


def hidden_agreement(world: World, kind: str, *sensors: Sensor, spoc: str = "uk-spoc") -> Agreement:
    """An active TOP SECRET//NOFORN agreement, newer than the visible ones, with terms of its own."""
    return AgreementFactory.create(
        title=HIDDEN_TITLE,
        kind=kind,
        partner=world.spocs[spoc],
        effective_from=dt.date(2024, 1, 1),
        data_formats=[DataFormat.CSV],
        classification_ceiling=4,
        default_releasability=TS_NOFORN,
        quick_turn_response=dt.timedelta(minutes=17),
        routine_response=dt.timedelta(hours=7),
        delivery_timeliness=dt.timedelta(minutes=30),
        marking=TS_NOFORN,
        sensors=sensors,
        status=AgreementStatus.ACTIVE,
    )


def test_a_request_is_routed_by_the_agreements_the_filer_may_read(world: World) -> None:
    hidden = hidden_agreement(world, AgreementKind.SPOC_LEVEL)
    assert not hidden.allows(world.users["us_operator"])  # SECRET
    request = world.file()
    visible = world.agreements["uk"]
    assert request.agreement_id == visible.pk
    assert request.data_formats == list(visible.data_formats)
    assert request.response_deadline is not None and request.submitted_at is not None
    assert request.response_deadline - request.submitted_at == visible.routine_response


def test_a_refusal_quotes_no_agreement_the_filer_may_not_read(world: World, api_client_for: Any) -> None:
    # A hidden sensor-level agreement would let the UK radar be tasked directly; the filer does
    # not know it: the radar is covered, for them, by the SpOC-level agreement only.
    hidden_agreement(world, AgreementKind.SENSOR_LEVEL, world.sensors["uk_radar"])
    with pytest.raises(DomainError) as refused:
        file_request(world.filing(spoc=None, sensor=world.sensors["uk_radar"]), world.users["us_operator"])
    assert HIDDEN_TITLE not in refused.value.message
    assert "UK SpOC-level" in refused.value.message
    # Where only a hidden agreement exists, the answer is the one for no agreement at all.
    Agreement.objects.filter(pk=world.agreements["au"].pk).delete()
    hidden_agreement(world, AgreementKind.SPOC_LEVEL, spoc="au-spoc")
    api = api_client_for(world.users["us_operator"])
    start = world.now + dt.timedelta(hours=6)
    body = {
        "title": "ISS tracking",
        "spoc": "au-spoc",
        "targets": [25544],
        "windows": [{"start": start.isoformat(), "end": (start + dt.timedelta(hours=24)).isoformat()}],
        "priority": "routine",
        "purpose": "human_spaceflight",
        "marking": "SECRET//REL TO USA, AUS",
    }
    answer = api.post("/api/tasking-requests/", body, format="json")
    assert answer.status_code == 409, answer.json()
    assert "No active agreement" in json.dumps(answer.json())
    assert HIDDEN_TITLE not in json.dumps(answer.json())


def test_a_request_is_not_filed_under_an_agreement_its_readers_may_not_read(world: World) -> None:
    # The filer (SECRET) may read the SECRET agreement; CUI readers of the request may not.
    uk = world.agreements["uk"]
    Agreement.objects.filter(pk=uk.pk).update(**marking_columns("SECRET//REL TO USA, GBR"))
    with pytest.raises(DomainError) as refused:
        world.file(marking=Marking.parse("CUI//REL TO USA, GBR"))
    assert refused.value.field == "marking"
    assert "SECRET//REL TO USA, GBR" in refused.value.message
    request = world.file(marking=Marking.parse("SECRET//REL TO USA, GBR"))
    assert request.agreement_id == uk.pk
    # Releasable wider than the agreement: the readers outside it may not read its terms.
    with pytest.raises(DomainError):
        world.file(marking=Marking.parse("SECRET//REL TO USA, FVEY"))


def test_submitting_a_draft_routes_again_for_its_readers(world: World) -> None:
    draft = file_request(world.filing(), world.users["us_operator"], submit=False).request
    Agreement.objects.filter(pk=world.agreements["uk"].pk).update(
        **marking_columns("SECRET//REL TO USA, GBR")
    )
    from tasking.services.filing import submit_draft

    with pytest.raises(DomainError) as refused:
        submit_draft(draft, world.users["us_operator"])
    assert refused.value.field == "marking"


def test_delivery_refusals_quote_no_hidden_agreements_formats(world: World) -> None:
    sensor = world.sensors["uk_radar"]
    hidden_agreement(world, AgreementKind.SENSOR_LEVEL, sensor)
    staff = world.users["uk_staff"]
    now = timezone.now()
    with pytest.raises(DeliveryRefused) as refused:
        DeliveryContext.for_sensor(sensor, staff, DataFormat.CSV, now, None)
    assert "csv" not in str(refused.value).split("agreed:")[1]
    assert "udl-json" in str(refused.value)
    # The format of the agreement the partner may read is not refused as a format.
    try:
        DeliveryContext.for_sensor(sensor, staff, DataFormat.UDL_JSON, now, None)
    except DeliveryRefused as other:
        assert "format" not in str(other)
    # A sensor covered by nothing the partner may read is covered by nothing.
    jp = make_sensor(
        world.spocs["uk-spoc"], 9109, "Hidden-covered", "tracking_radar", 1, 1, 2, "CUI//REL TO USA, GBR"
    )
    Agreement.objects.filter(pk=world.agreements["uk"].pk).delete()
    hidden_agreement(world, AgreementKind.SENSOR_LEVEL, jp)
    with pytest.raises(DeliveryRefused, match="covered by no active agreement"):
        DeliveryContext.for_sensor(jp, staff, DataFormat.CSV, now, None)


def test_the_coverage_api_gives_no_hidden_agreements_terms_or_deadline(
    world: World, api_client_for: Any
) -> None:
    sensor = world.sensors["uk_radar"]
    hidden = hidden_agreement(world, AgreementKind.SENSOR_LEVEL, sensor)
    at = "2025-06-01T00:00:00Z"
    staff = api_client_for(world.users["uk_staff"])
    body = staff.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": at, "priority": "routine"}).json()
    visible = world.agreements["uk"]
    assert body["agreement"] == visible.pk
    assert body["direct_tasking"] is False
    assert body["formats"] == list(visible.data_formats)
    assert body["response_deadline"].startswith("2025-06-03T00:00:00")  # routine 48 h, not 7 h
    # Reader who may read the hidden agreement: it governs, with its own terms.
    officer = api_client_for(world.users["security_officer"])
    theirs = officer.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": at, "priority": "routine"}).json()
    assert theirs["agreement"] == hidden.pk and theirs["formats"] == ["csv"]
    # Only the hidden one: exactly the answer for a sensor covered by nothing.
    Agreement.objects.filter(pk=visible.pk).delete()
    uncovered = make_sensor(
        world.spocs["uk-spoc"], 9110, "Uncovered", "tracking_radar", 1, 1, 2, "CUI//REL TO USA, GBR"
    )
    hidden_only = staff.get(f"/api/sensors/{sensor.pk}/coverage/", {"at": at}).json()
    nothing = staff.get(f"/api/sensors/{uncovered.pk}/coverage/", {"at": at}).json()
    assert {**hidden_only, "sensor": None} == {**nothing, "sensor": None}
    assert HIDDEN_TITLE not in json.dumps(hidden_only)


def test_the_sensor_pages_show_no_hidden_agreements_terms(world: World, client: Any) -> None:
    sensor = world.sensors["uk_radar"]
    hidden_agreement(world, AgreementKind.SENSOR_LEVEL, sensor)
    client.force_login(world.users["uk_staff"])
    for url in (f"/sensors/{sensor.pk}/", "/sensors/"):
        page = client.get(url).content.decode()
        assert HIDDEN_TITLE not in page
        assert "quick-turn 0:17:00" not in page and "routine 7:00:00" not in page
