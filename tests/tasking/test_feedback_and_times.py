"""After an in-place action the row says what happened; times read in UTC with their Z, ages
in words, and the unread count shows on the home and notifications pages."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from portal.templatetags.times import age, span, utc
from tasking.services import transitions

from .conftest import World


def test_an_answer_from_the_inbox_is_confirmed_in_place(world: World, client: Client) -> None:
    request = world.file()
    client.force_login(world.users["uk_staff"])
    response = client.post(
        reverse("request-act", args=[request.pk, "accept"]), {"from": "inbox"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'role="status">{request.reference} is now accepted.<' in response.content.decode()


def test_times_are_utc_with_z_and_ages_in_words() -> None:
    at = dt.datetime(2026, 12, 1, 9, 5, 7, tzinfo=dt.UTC)
    assert utc(at) == "2026-12-01 09:05Z"
    assert utc(at, "seconds") == "2026-12-01 09:05:07Z"
    assert utc(None) == "—"
    now = at + dt.timedelta(days=2, hours=3)
    assert age(at, now) == "2 days 3 h ago"
    assert age(now, at) == "in 2 days 3 h"
    assert span(dt.timedelta(minutes=45)) == "45 min"
    assert span(dt.timedelta(days=1)) == "1 day"


def test_the_request_list_shows_deadlines_in_utc_with_z(world: World, client: Client) -> None:
    request = world.file()
    client.force_login(world.users["us_operator"])
    html = client.get(reverse("request-list")).content.decode()
    assert request.response_deadline is not None
    assert request.response_deadline.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%MZ") in html


def test_the_unread_count_shows_on_the_home_page_marked(world: World, client: Client) -> None:
    request = world.file()
    transitions.apply(request, "accept", by=world.users["uk_staff"])
    client.force_login(world.users["us_operator"])
    html = client.get(reverse("home")).content.decode()
    assert 'title="1 unread"' in html
    client.post(
        reverse("notification-read", args=[request.notifications.get(user=world.users["us_operator"]).pk])
    )
    assert 'unread"' not in client.get(reverse("home")).content.decode().split("</nav>")[0]
