"""A record's page links the security officer to that record's audit trail, from its date."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.urls import reverse

from .conftest import World


def test_the_security_officer_follows_a_request_to_its_trail(world: World, client: Client) -> None:
    request = world.file()
    world.file(title="Another")
    client.force_login(world.users["security_officer"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    found = re.search(r'class="audit-link" href="([^"]+)"', page)
    assert found is not None
    url = html.unescape(found.group(1))
    assert "model=tasking.taskingrequest" in url and f"object_id={request.pk}" in url
    assert f"since={request.created.date().isoformat()}" in url
    trail = client.get(url).content.decode()
    assert request.reference in trail and "TR-000002" not in trail


def test_others_get_no_link(world: World, client: Client) -> None:
    request = world.file()
    client.force_login(world.users["us_operator"])
    assert "audit-link" not in client.get(reverse("request-detail", args=[request.pk])).content.decode()


def test_a_bad_date_on_the_trail_is_a_clear_400(world: World, client: Client) -> None:
    client.force_login(world.users["security_officer"])
    response = client.get(reverse("audit-log"), {"since": "01/04/2026"})
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()
