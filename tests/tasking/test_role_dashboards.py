"""The home page puts first what each persona needs first."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from tasking.models import TaskingRequest

from .conftest import World


def test_partner_staff_see_the_requests_due_soonest(world: World, client: Client) -> None:
    later = world.file(title="Later one")
    sooner = world.file(title="Sooner one")
    TaskingRequest.objects.filter(pk=sooner.pk).update(response_deadline=world.now + dt.timedelta(minutes=30))
    TaskingRequest.objects.filter(pk=later.pk).update(response_deadline=world.now + dt.timedelta(hours=20))
    client.force_login(world.users["uk_staff"])
    html = client.get(reverse("home")).content.decode()
    assert html.index(f"Due: {sooner.reference} Sooner one") < html.index(f"Due: {later.reference} Later one")
    assert reverse("request-detail", args=[sooner.pk]) in html


def test_the_operator_sees_open_requests_with_a_link_that_lists_them(world: World, client: Client) -> None:
    world.file()
    client.force_login(world.users["us_operator"])
    html = client.get(reverse("home")).content.decode()
    assert "Open requests" in html and "?status=open" in html
    listing = client.get(reverse("request-list"), {"status": "open"}).content.decode()
    assert "1 in all" in listing


def test_the_security_officer_sees_pending_approvals_first(world: World, client: Client) -> None:
    client.force_login(world.users["security_officer"])
    html = client.get(reverse("home")).content.decode()
    assert "Waiting for your approval" in html
    assert html.index("<h2>Approvals</h2>") < html.index("<h2>Tasking</h2>")
    client.force_login(world.users["us_operator"])
    assert "Waiting for your approval" not in client.get(reverse("home")).content.decode()
