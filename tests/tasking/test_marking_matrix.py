"""Every persona sees exactly the requests its marking and SpOC allow: list, inbox, detail and API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from tasking.models import TaskingRequest

from .conftest import World

US_SIDE = {"us_operator", "agreement_admin", "security_officer"}
EXPECTED = {
    "Unclassified to UK": US_SIDE | {"uk_staff"},
    "CUI to UK": US_SIDE | {"uk_staff"},
    "Secret to UK": US_SIDE | {"uk_staff"},
    "CUI to Australia": US_SIDE | {"au_staff"},
    "Confidential direct to France": US_SIDE | {"fr_staff"},
}
ANSWERERS = {"uk_staff", "au_staff", "fr_staff"}
PERSONAS = sorted(US_SIDE | ANSWERERS | {"visitor"})


@pytest.fixture
def requests(world: World) -> dict[str, TaskingRequest]:
    # A request carries its agreement's terms, so it is marked no looser than the agreement:
    # an unclassified UK agreement lets an unclassified request go to the UK.
    Agreement.objects.filter(pk=world.agreements["uk"].pk).update(**marking_columns("UNCLASSIFIED"))
    au = Marking.parse("CUI//REL TO USA, AUS")
    return {
        "Unclassified to UK": world.file(title="Unclassified to UK", marking=Marking.unclassified()),
        "CUI to UK": world.file(title="CUI to UK"),
        "Secret to UK": world.file(title="Secret to UK", marking=Marking.parse("SECRET//REL TO USA, GBR")),
        "CUI to Australia": world.file(title="CUI to Australia", spoc=world.spocs["au-spoc"], marking=au),
        "Confidential direct to France": world.file(
            title="Confidential direct to France",
            spoc=None,
            sensor=world.sensors["fr_radar"],
            marking=Marking.parse("CONFIDENTIAL//REL TO USA, FRA"),
        ),
    }


def seen(username: str) -> set[str]:
    return {title for title, readers in EXPECTED.items() if username in readers}


@pytest.mark.parametrize("username", PERSONAS)
def test_list_and_detail(
    world: World, requests: dict[str, TaskingRequest], client: Client, username: str
) -> None:
    client.force_login(world.users[username])
    listing = client.get(reverse("request-list")).content.decode()
    for title, request in requests.items():
        detail = client.get(reverse("request-detail", args=[request.pk]))
        if title in seen(username):
            assert request.reference in listing and detail.status_code == 200
        else:
            assert request.reference not in listing and detail.status_code == 404


@pytest.mark.parametrize("username", PERSONAS)
def test_inbox(world: World, requests: dict[str, TaskingRequest], client: Client, username: str) -> None:
    client.force_login(world.users[username])
    response = client.get(reverse("request-inbox"))
    if username not in ANSWERERS:
        assert response.status_code == 404
        return
    page = response.content.decode()
    assert {t for t, r in requests.items() if r.reference in page} == seen(username)


@pytest.mark.parametrize("username", PERSONAS)
def test_api(world: World, requests: dict[str, TaskingRequest], api_client_for: Any, username: str) -> None:
    api = api_client_for(world.users[username])
    listed = {row["title"] for row in api.get("/api/tasking-requests/").json()["results"]}
    assert listed == seen(username)
    inbox = {row["title"] for row in api.get("/api/tasking-requests/inbox/").json()}
    assert inbox == (seen(username) if username in ANSWERERS else set())
    for title, request in requests.items():
        expected = 200 if title in seen(username) else 404
        assert api.get(f"/api/tasking-requests/{request.pk}/").status_code == expected


def test_the_page_banner_carries_the_highest_marking_shown(
    world: World, requests: dict[str, TaskingRequest], client: Client
) -> None:
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("request-list")).content.decode()
    assert 'aria-label="Page classification">SECRET//REL TO USA, GBR<' in page
    detail = client.get(reverse("request-detail", args=[requests["CUI to UK"].pk])).content.decode()
    assert 'aria-label="Page classification">CUI//REL TO USA, GBR<' in detail
