"""Partner metrics (a derived product, marked from its inputs) and coalition operation pages."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from portal.errors import NotAllowed
from portal.markings.marking import Marking
from tasking.choices import Actor
from tasking.models import SupportPlanEntry, TaskingRequest
from tasking.services import metrics, operations, transitions

from .conftest import World


def history(world: World) -> dict[str, TaskingRequest]:
    accepted = world.file(title="accepted")
    TaskingRequest.objects.filter(pk=accepted.pk).update(submitted_at=world.now - dt.timedelta(minutes=40))
    accepted.refresh_from_db()
    transitions.apply(accepted, "accept", by=world.users["uk_staff"], now=world.now)
    rejected = world.file(title="rejected", marking=Marking.parse("SECRET//REL TO USA, GBR"))
    transitions.apply(rejected, "reject", by=world.users["uk_staff"], reason_code="weather")
    expired = world.file(title="expired")
    transitions.apply(expired, "expire", side=Actor.SYSTEM)
    au = world.file(title="au", spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"))
    return {"accepted": accepted, "rejected": rejected, "expired": expired, "au": au}


def test_metrics_per_partner_by_month(world: World) -> None:
    history(world)
    report = metrics.partner_metrics(world.users["us_operator"])
    uk = next(r for r in report.rows if r.spoc_code == "uk-spoc")
    assert (uk.requests, uk.answered, uk.accepted, uk.rejected, uk.expired) == (3, 2, 1, 1, 1)
    assert uk.acceptance_rate == 1 / 3
    assert uk.max_response_s is not None and 39 * 60 < uk.max_response_s < 41 * 60
    assert report.marking == Marking.combine(
        Marking.parse("CUI//REL TO USA, GBR"),
        Marking.parse("SECRET//REL TO USA, GBR"),
        Marking.parse("CUI//REL TO USA, AUS"),
    )
    assert report.marking.banner == "SECRET//NOFORN"


def test_a_partner_sees_only_its_own_figures_marked_for_it(world: World, api_client_for: Any) -> None:
    history(world)
    data = api_client_for(world.users["uk_staff"]).get("/api/tasking-requests/metrics/").json()
    assert {row["spoc"] for row in data["results"]} == {"uk-spoc"}
    assert data["marking"] == "SECRET//REL TO USA, GBR"
    fr = api_client_for(world.users["fr_staff"]).get("/api/tasking-requests/metrics/").json()
    assert fr == {"marking": "UNCLASSIFIED", "inputs": 0, "months": fr["months"], "results": []}
    assert api_client_for(world.users["visitor"]).get("/api/tasking-requests/metrics/").json()["inputs"] == 0


def test_the_metrics_page_draws_charts_and_carries_the_banner(world: World, client: Client) -> None:
    history(world)
    client.force_login(world.users["us_operator"])
    page = client.get(reverse("tasking-metrics")).content.decode()
    assert "UK Space Operations Centre" in page
    # The charts draw what the tables show: the same months and rates, per SpOC.
    block = re.search(r'<script id="metrics-data" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    data = json.loads(block[1])
    (uk,) = [panel for panel in data if panel["name"] == "UK Space Operations Centre"]
    rows = [
        r
        for r in metrics.partner_metrics(world.users["us_operator"], months=6).rows
        if r.spoc_code == "uk-spoc"
    ]
    assert uk["months"] == [r.month.strftime("%Y-%m") for r in rows]
    assert uk["acceptance"] == [
        None if r.acceptance_rate is None else round(100 * r.acceptance_rate, 1) for r in rows
    ]
    assert sum(count for _, count in uk["histogram"]) == sum(r.answered for r in rows)
    assert f'id="{uk["id"]}"' in page
    assert 'aria-label="Page classification">SECRET//NOFORN<' in page


def test_an_operation_groups_requests_and_a_support_plan_with_live_status(
    world: World, client: Client
) -> None:
    operator = world.users["us_operator"]
    op = operations.create_operation(
        operator,
        code="crewed-launch",
        name="Crewed launch support",
        starts=world.now,
        ends=world.now + dt.timedelta(days=2),
        marking=Marking.parse("CUI//REL TO USA, FVEY"),
        participants=[world.spocs["uk-spoc"], world.spocs["au-spoc"]],
    )
    uk = world.file(title="Ascent pass UK", operation=op)
    au = world.file(
        title="Insertion pass AU",
        operation=op,
        spoc=world.spocs["au-spoc"],
        marking=Marking.parse("CUI//REL TO USA, AUS"),
    )
    for label, spoc, request in (("Ascent, pass 1", "uk-spoc", uk), ("Orbit insertion", "au-spoc", au)):
        operations.add_plan_entry(
            op,
            operator,
            label=label,
            spoc=world.spocs[spoc],
            start=world.now,
            end=world.now + dt.timedelta(minutes=10),
            request=request,
        )
    transitions.apply(uk, "accept", by=world.users["uk_staff"])
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("operation-detail", args=["crewed-launch"])).content.decode()
    assert "Ascent, pass 1" in page and "Orbit insertion" in page
    assert uk.reference in page and "Accepted" in page
    assert au.reference not in page, "a plan line shows a request only to those who may open it"
    live = client.get(
        reverse("operation-detail", args=["crewed-launch"]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert live.lstrip().startswith("<section") and 'hx-trigger="every 30s"' in live
    client.force_login(world.users["fr_staff"])
    assert client.get(reverse("operation-detail", args=["crewed-launch"])).status_code == 404
    assert SupportPlanEntry.objects.count() == 2


def test_only_operators_plan_operations(world: World, api_client_for: Any) -> None:
    import pytest

    with pytest.raises(NotAllowed):
        operations.create_operation(
            world.users["uk_staff"],
            code="x",
            name="x",
            starts=world.now,
            ends=world.now + dt.timedelta(hours=1),
            marking=Marking.unclassified(),
        )
    payload = {
        "code": "reentry-watch",
        "name": "Reentry watch",
        "starts": world.now.isoformat(),
        "ends": (world.now + dt.timedelta(days=1)).isoformat(),
        "participants": ["uk-spoc"],
        "marking": "CUI//REL TO USA, GBR",
    }
    assert (
        api_client_for(world.users["uk_staff"])
        .post("/api/tasking-operations/", payload, format="json")
        .status_code
        == 403
    )
    made = api_client_for(world.users["us_operator"]).post("/api/tasking-operations/", payload, format="json")
    assert made.status_code == 201, made.json()
    assert api_client_for(world.users["uk_staff"]).get("/api/tasking-operations/reentry-watch/").json()[
        "participants"
    ] == ["uk-spoc"]
    assert (
        api_client_for(world.users["au_staff"]).get("/api/tasking-operations/reentry-watch/").status_code
        == 404
    )
