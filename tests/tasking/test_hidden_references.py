"""A visible request shows nothing of the hidden records it points at: its target, the element
set copied for it, a pass's object, its agreement and its operation (API, inbox, page)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.choices import AgreementKind
from portal.errors import DomainError
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.references import readable, readable_children
from tasking.models import CoalitionOperation, PredictedPass, RequestTarget, SupportPlanEntry, TaskingRequest
from tasking.services.filing import file_request
from tests.factories import AgreementFactory, ElementSetFactory

from .conftest import World, make_object

TS_NOFORN = "TOP SECRET//NOFORN"
SECRET_AUS = "SECRET//REL TO USA, AUS"
CONF_GBR = "CONFIDENTIAL//REL TO USA, GBR"


def hidden_operation(world: World, marking: str = TS_NOFORN) -> CoalitionOperation:
    return CoalitionOperation.objects.create(
        code="kestrel-black",
        name="Operation Kestrel Black",
        starts=world.now,
        ends=world.now + dt.timedelta(days=2),
        **marking_columns(marking),
    )


@pytest.fixture
def planted(world: World) -> dict[str, Any]:
    """A CUI//REL TO USA, GBR request to the UK pointing at records uk_staff may not read."""
    request = world.file()
    hidden_object = make_object(48001, "KESTREL-7 PAYLOAD", SECRET_AUS)
    target = RequestTarget.objects.create(
        request=request,
        space_object=hidden_object,
        elements={"mean_motion": 13.123456, "inclination": 97.654321},
        elements_epoch=world.now,
    )
    # The ISS itself is visible, but the element set copied for it is TOP SECRET.
    secret_elements = ElementSetFactory.create(
        space_object=world.iss,
        epoch=world.now - dt.timedelta(hours=1),
        mean_motion=15.987654,
        eccentricity=0.0004,
        inclination=51.611111,
        ra_of_asc_node=1.0,
        arg_of_pericenter=1.0,
        mean_anomaly=1.0,
        bstar=0.0,
        mean_motion_dot=0.0,
        mean_motion_ddot=0.0,
        source="upstream",
        source_key="upstream",
        regime="LEO",
        content_hash="ts-copy",
        seq=99_000_001,
        marking=TS_NOFORN,
    )
    RequestTarget.objects.filter(request=request, space_object=world.iss).update(
        element_set=secret_elements, elements={"mean_motion": 15.987654, "inclination": 51.611111}
    )
    PredictedPass.objects.create(
        request=request,
        target=target,
        sensor=world.sensors["uk_radar"],
        rise=world.now + dt.timedelta(hours=7),
        culmination=world.now + dt.timedelta(hours=7, minutes=5),
        set=world.now + dt.timedelta(hours=7, minutes=10),
        max_elevation_deg=44.0,
        rise_azimuth_deg=10.0,
        set_azimuth_deg=170.0,
    )
    agreement = AgreementFactory.create(
        title="Black channel arrangement",
        kind=AgreementKind.SPOC_LEVEL,
        partner=world.spocs["uk-spoc"],
        effective_from=dt.date(2020, 1, 1),
        data_formats=[],
        default_releasability=TS_NOFORN,
        marking=TS_NOFORN,
    )
    operation = hidden_operation(world)
    TaskingRequest.objects.filter(pk=request.pk).update(agreement=agreement, operation=operation)
    return {"request": request, "object": hidden_object, "agreement": agreement, "operation": operation}


def secrets_of(planted: dict[str, Any]) -> list[str]:
    return [
        "48001",
        "KESTREL-7",
        "13.123456",
        "15.987654",
        "51.611111",
        "Black channel",
        "Kestrel Black",
        "kestrel-black",
    ]


def assert_absent(text: str, planted: dict[str, Any]) -> None:
    for secret in secrets_of(planted):
        assert secret not in text, secret


def test_the_api_shows_no_hidden_target_elements_pass_agreement_or_operation(
    planted: dict[str, Any], api_client_for: Any, world: World
) -> None:
    api = api_client_for(world.users["uk_staff"])
    request = planted["request"]
    detail = api.get(f"/api/tasking-requests/{request.pk}/").json()
    assert detail["agreement"] is None
    assert detail["operation"] is None
    # The ISS target carries a copy of a TOP SECRET element set: a child with a hidden link is
    # absent as a whole; the hidden object's target too.
    assert detail["targets"] == []
    assert detail["passes"] == []
    assert_absent(json.dumps(detail), planted)
    listing = api.get("/api/tasking-requests/").json()
    assert_absent(json.dumps(listing), planted)
    assert planted["agreement"].pk not in [row["agreement"] for row in listing["results"]]


def test_the_pages_show_no_hidden_target_elements_pass_agreement_or_operation(
    planted: dict[str, Any], client: Client, world: World
) -> None:
    client.force_login(world.users["uk_staff"])
    request = planted["request"]
    for url in (
        reverse("request-detail", args=[request.pk]),
        reverse("request-inbox"),
        reverse("request-list"),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert_absent(page.content.decode(), planted)


def test_readers_who_may_read_them_still_see_them(
    planted: dict[str, Any], api_client_for: Any, world: World
) -> None:
    detail = (
        api_client_for(world.users["security_officer"])
        .get(f"/api/tasking-requests/{planted['request'].pk}/")
        .json()
    )
    assert detail["agreement"] == planted["agreement"].pk
    assert detail["operation"] == planted["operation"].pk
    assert {t["catalog_number"] for t in detail["targets"]} == {25544, 48001}
    assert 48001 in [p["catalog_number"] for p in detail["passes"]]


def test_filing_under_an_operation_the_requests_readers_may_not_read_is_refused(world: World) -> None:
    # The filer (SECRET, US) may read it; the UK readers of a CUI//REL TO USA, GBR request may not.
    operation = hidden_operation(world, marking="SECRET//NOFORN")
    assert operation.allows(world.users["us_operator"])
    with pytest.raises(DomainError) as refused:
        file_request(world.filing(operation=operation), world.users["us_operator"])
    assert refused.value.field == "operation"
    assert "Kestrel" not in refused.value.message


def test_an_operations_plan_names_no_hidden_sensor_object_or_request(
    world: World, api_client_for: Any, client: Client
) -> None:
    client.force_login(world.users["uk_staff"])
    operation = CoalitionOperation.objects.create(
        code="open-op",
        name="Open support",
        starts=world.now,
        ends=world.now + dt.timedelta(days=1),
        **marking_columns("CUI//REL TO USA, GBR"),
    )
    hidden_object = make_object(48002, "KESTREL-8", CONF_GBR.replace("GBR", "AUS"))
    hidden_request = world.file(marking=Marking.parse(SECRET_AUS), spoc=world.spocs["au-spoc"])
    SupportPlanEntry.objects.create(
        operation=operation,
        label="Hidden pass",
        spoc=world.spocs["au-spoc"],
        sensor=world.sensors["au_radar"],
        space_object=hidden_object,
        request=hidden_request,
        start=timezone.now(),
        end=timezone.now() + dt.timedelta(hours=1),
    )
    SupportPlanEntry.objects.create(
        operation=operation,
        label="Open pass",
        spoc=world.spocs["uk-spoc"],
        sensor=world.sensors["uk_radar"],
        space_object=world.iss,
        start=timezone.now(),
        end=timezone.now() + dt.timedelta(hours=1),
    )
    body = api_client_for(world.users["uk_staff"]).get(f"/api/tasking-operations/{operation.code}/").json()
    hidden_line = next(e for e in body["plan"] if e["label"] == "Hidden pass")
    assert (hidden_line["sensor"], hidden_line["space_object"], hidden_line["request"]) == (None, None, None)
    page = client.get(reverse("operation-detail", args=["open-op"])).content.decode()
    for text in (json.dumps(body), page):
        assert "KESTREL-8" not in text and "Exmouth" not in text
        assert hidden_request.reference not in text


def test_a_pass_is_read_within_its_own_request(world: World) -> None:
    """A pass's target is a sibling (a child of a request too): it is read only as a target of
    the pass's own request, so a pass pointing at another request's target is absent."""
    mine, other = world.file(title="Mine"), world.file(title="Other")
    own_target = RequestTarget.objects.get(request=mine, space_object=world.iss)
    foreign_target = RequestTarget.objects.get(request=other, space_object=world.iss)
    times = {"rise": world.now, "culmination": world.now, "set": world.now + dt.timedelta(minutes=9)}
    angles = {"max_elevation_deg": 30.0, "rise_azimuth_deg": 0.0, "set_azimuth_deg": 90.0}
    sensor = world.sensors["uk_radar"]
    own = PredictedPass.objects.create(request=mine, target=own_target, sensor=sensor, **times, **angles)
    crossed = PredictedPass.objects.create(
        request=mine, target=foreign_target, sensor=sensor, **times, **angles
    )
    for user in (world.users["us_operator"], world.users["uk_staff"]):
        assert set(readable(PredictedPass, user).filter(pk__in=[own.pk, crossed.pk])) == {own}
        assert set(readable_children(PredictedPass, user).filter(pk__in=[own.pk, crossed.pk])) == {own}
        # Given the targets already read, a pass names one of them, of its own request.
        for read, expected in (([own_target.pk, foreign_target.pk], {own}), ([foreign_target.pk], set())):
            passes = readable_children(PredictedPass, user, siblings_read={RequestTarget: read})
            assert set(passes.filter(pk__in=[own.pk, crossed.pk])) == expected
    with pytest.raises(ValueError, match="not read through a parent"):
        readable_children(TaskingRequest, world.users["us_operator"])
    # Siblings given for a link the model does not have are refused, not ignored.
    with pytest.raises(ValueError, match="RequestTarget links to no sibling PredictedPass"):
        readable_children(RequestTarget, world.users["us_operator"], siblings_read={PredictedPass: []})
