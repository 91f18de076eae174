"""The API: US operators file; staff and machine clients of the addressed SpOC list and answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework.test import APIClient

from portal.api_tokens import issue
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest

from .conftest import World


def body(world: World, **overrides: Any) -> dict[str, Any]:
    start = world.now + dt.timedelta(hours=6)
    values: dict[str, Any] = {
        "title": "ISS tracking",
        "spoc": "uk-spoc",
        "targets": [25544],
        "windows": [{"start": start.isoformat(), "end": (start + dt.timedelta(hours=24)).isoformat()}],
        "priority": "cat2",
        "purpose": "human_spaceflight",
        "observation_type": "radar_metric",
        "observations_wanted": 6,
        "marking": "CUI//REL TO USA, GBR",
    }
    values.update(overrides)
    return values


def test_an_operator_files_through_the_api(world: World, api_client_for: Any) -> None:
    response = api_client_for(world.users["us_operator"]).post(
        "/api/tasking-requests/", body(world), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (
        data["status"] == "submitted"
        and data["kind"] == "request"
        and data["marking"] == "CUI//REL TO USA, GBR"
    )
    assert data["targets"][0]["elements"]["catalog_number"] == 25544
    assert data["passes"], "predicted passes over the partner's sensors travel with the request"
    assert "warnings" in data


def test_a_refused_filing_says_why(world: World, api_client_for: Any) -> None:
    api = api_client_for(world.users["us_operator"])
    refused = api.post(
        "/api/tasking-requests/", body(world, spoc="de-spoc", marking="CUI//REL TO USA, DEU"), format="json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "no_agreement"
    assert "No active agreement" in refused.json()["spoc"][0]
    bad = api.post("/api/tasking-requests/", body(world, targets=[424242]), format="json")
    assert bad.status_code == 400 and "targets" in bad.json()
    partner = api_client_for(world.users["uk_staff"]).post(
        "/api/tasking-requests/", body(world), format="json"
    )
    assert partner.status_code == 403


def test_a_machine_client_of_the_spoc_pulls_its_inbox_and_answers(world: World) -> None:
    request = world.file()
    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Token {issue(world.users['uk_staff'], name='machine')[1]}")
    inbox = machine.get("/api/tasking-requests/inbox/").json()
    assert [row["id"] for row in inbox] == [request.pk]
    assert inbox[0]["actions"] == ["accept", "reject", "propose"]
    refused = machine.post(
        f"/api/tasking-requests/{request.pk}/transition/", {"action": "reject"}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["reason_code"] == [
        "Choose the reason for rejecting."
    ]
    answered = machine.post(
        f"/api/tasking-requests/{request.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"
    again = machine.post(
        f"/api/tasking-requests/{request.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert again.status_code == 409


def test_others_cannot_answer_through_the_api(world: World, api_client_for: Any) -> None:
    request = world.file()
    other = api_client_for(world.users["au_staff"]).post(
        f"/api/tasking-requests/{request.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert other.status_code == 404
    operator = api_client_for(world.users["us_operator"]).post(
        f"/api/tasking-requests/{request.pk}/transition/", {"action": "accept"}, format="json"
    )
    assert operator.status_code == 403
    assert TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.SUBMITTED


def test_messages_through_the_api(world: World, api_client_for: Any) -> None:
    request = world.file()
    api = api_client_for(world.users["uk_staff"])
    looser = api.post(
        f"/api/tasking-requests/{request.pk}/messages/",
        {"body": "x", "marking": "UNCLASSIFIED"},
        format="json",
    )
    assert looser.status_code == 400
    made = api.post(
        f"/api/tasking-requests/{request.pk}/messages/",
        {"body": "Pass at 02:10", "marking": "CUI//REL TO USA, GBR"},
        format="json",
    )
    assert made.status_code == 201
    assert [m["body"] for m in api.get(f"/api/tasking-requests/{request.pk}/messages/").json()] == [
        "Pass at 02:10"
    ]


def test_every_answer_about_a_request_lists_the_actions_open_to_its_reader(
    world: World, api_client_for: Any
) -> None:
    request = world.file()
    for persona, actions in [("uk_staff", ["accept", "reject", "propose"]), ("us_operator", ["cancel"])]:
        api = api_client_for(world.users[persona])
        listed = api.get("/api/tasking-requests/").json()["results"]
        assert [(row["id"], row["actions"]) for row in listed] == [(request.pk, actions)], persona
        detail = api.get(f"/api/tasking-requests/{request.pk}/").json()
        assert detail["actions"] == actions, persona
    filed = api_client_for(world.users["us_operator"]).post(
        "/api/tasking-requests/", body(world), format="json"
    )
    assert filed.status_code == 201 and filed.json()["actions"] == ["cancel"]
