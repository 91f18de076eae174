"""The request list and the inbox as tables: sorting by whitelisted columns, search, numbered
pages with totals of what the reader may open, the unmet filter the home page links to."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.markings.marking import Marking
from portal.tables import BoundedMarkedPaginator
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest
from tasking.services import transitions

from .conftest import World
from .copies import copies


def references(html: str) -> list[str]:
    return re.findall(r">(TR-\d{6})</a>", html)


@pytest.fixture
def operator(world: World, client: Client) -> Client:
    client.force_login(world.users["us_operator"])
    return client


def test_an_unknown_sort_key_is_a_400_that_names_the_keys(operator: Client) -> None:
    response = operator.get(reverse("request-list"), {"sort": "password"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "'password'" in text and "deadline" in text and "created" in text


def test_the_inbox_refuses_an_unknown_sort_key_too(world: World, client: Client) -> None:
    client.force_login(world.users["uk_staff"])
    assert client.get(reverse("request-inbox"), {"hand_sort": "spoc__nation"}).status_code == 400


def test_sorting_by_title_both_ways(world: World, operator: Client) -> None:
    b = world.file(title="Bravo")
    a = world.file(title="Alpha")
    c = world.file(title="Charlie")
    up = references(operator.get(reverse("request-list"), {"sort": "title"}).content.decode())
    down = references(operator.get(reverse("request-list"), {"sort": "-title"}).content.decode())
    assert up == [a.reference, b.reference, c.reference]
    assert down == [c.reference, b.reference, a.reference]


def test_search_by_title_and_by_reference(world: World, operator: Client) -> None:
    reboost = world.file(title="After the reboost")
    other = world.file(title="Routine look")
    by_title = references(operator.get(reverse("request-list"), {"q": "REBOOST"}).content.decode())
    assert by_title == [reboost.reference]
    by_ref = references(operator.get(reverse("request-list"), {"q": other.reference}).content.decode())
    assert by_ref == [other.reference]


def test_the_list_shows_targets_and_windows(world: World, operator: Client) -> None:
    world.file()
    html = operator.get(reverse("request-list")).content.decode()
    assert "ISS (ZARYA)" in html
    start = (world.now + dt.timedelta(hours=6)).strftime("%Y-%m-%d %H:%MZ")
    assert start in html


def test_pages_are_numbered_and_the_total_counts_only_what_the_reader_may_open(
    world: World, client: Client
) -> None:
    uk_request = world.file()
    copies(uk_request, 59)
    au_request = world.file(
        spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"), title="For Australia"
    )
    copies(au_request, 5)
    client.force_login(world.users["uk_staff"])
    first = client.get(reverse("request-list")).content.decode()
    assert "60 in all" in first
    assert len(references(first)) == 50
    assert 'href="?page=2"' in first
    second = client.get(reverse("request-list"), {"page": "2"}).content.decode()
    assert len(references(second)) == 10
    client.force_login(world.users["us_operator"])
    assert "66 in all" in client.get(reverse("request-list")).content.decode()


def test_past_the_counting_limit_the_total_says_more_than(
    world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long history is counted only up to the limit, and only rows the reader may open count."""
    monkeypatch.setattr(BoundedMarkedPaginator, "limit", 55)
    uk_request = world.file()
    copies(uk_request, 59)
    au_request = world.file(
        spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"), title="For Australia"
    )
    copies(au_request, 5)
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("request-list")).content.decode()
    assert "more than 55 in all" in page
    assert 'href="?page=2"' in page
    client.force_login(world.users["au_staff"])
    assert "6 in all" in client.get(reverse("request-list")).content.decode()


def test_the_inbox_pages_each_section_and_counts_what_the_reader_may_open(
    world: World, client: Client
) -> None:
    waiting = world.file(title="Waiting")
    copies(waiting, 29, status=RequestStatus.SUBMITTED)
    accepted = world.file(title="Accepted one")
    transitions.apply(accepted, "accept", by=world.users["uk_staff"])
    world.file(spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"))
    client.force_login(world.users["uk_staff"])
    html = client.get(reverse("request-inbox")).content.decode()
    assert "Waiting for your answer (30)" in html and "In hand (1)" in html
    assert html.count('class="inbox-row') == 26  # 25 waiting on the first page, 1 in hand
    page2 = client.get(reverse("request-inbox"), {"page": "2"}).content.decode()
    assert page2.count('class="inbox-row status-submitted') == 5
    assert accepted.reference in page2  # the other section keeps its own page


def test_the_unmet_filter_lists_requests_that_ended_without_what_was_asked(
    world: World, operator: Client
) -> None:
    rejected = world.file(title="Rejected one")
    transitions.apply(rejected, "reject", by=world.users["uk_staff"], reason_code="weather")
    expired = world.file(title="Expired one")
    TaskingRequest.objects.filter(pk=expired.pk).update(status=RequestStatus.EXPIRED)
    accepted = world.file(title="Accepted one")
    transitions.apply(accepted, "accept", by=world.users["uk_staff"])
    old = world.file(title="Rejected long ago")
    transitions.apply(old, "reject", by=world.users["uk_staff"], reason_code="weather")
    TaskingRequest.objects.filter(pk=old.pk).update(updated=world.now - dt.timedelta(days=30))
    shown = references(
        operator.get(reverse("request-list"), {"status": "unmet", "days": "7"}).content.decode()
    )
    assert sorted(shown) == sorted([rejected.reference, expired.reference])
    everything = references(operator.get(reverse("request-list"), {"status": "unmet"}).content.decode())
    assert old.reference in everything and accepted.reference not in everything
    assert operator.get(reverse("request-list"), {"days": "soon"}).status_code == 400


def test_the_page_and_the_api_filter_requests_alike(
    world: World, operator: Client, api_client_for: Any
) -> None:
    rejected = world.file(title="Rejected one")
    transitions.apply(rejected, "reject", by=world.users["uk_staff"], reason_code="weather")
    accepted = world.file(title="Accepted one")
    transitions.apply(accepted, "accept", by=world.users["uk_staff"])
    world.file(title="Waiting one")
    to_australia = world.file(spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"))
    api = api_client_for(world.users["us_operator"])
    for params, expected in [
        ({"status": "unmet"}, [rejected]),
        ({"status": "accepted"}, [accepted]),
        ({"spoc": "au-spoc"}, [to_australia]),
        ({"spoc": "no-such-spoc"}, []),
    ]:
        page = references(operator.get(reverse("request-list"), params).content.decode())
        listed = [row["reference"] for row in api.get("/api/tasking-requests/", params).json()["results"]]
        wanted = sorted(r.reference for r in expected)
        assert sorted(page) == wanted and sorted(listed) == wanted, params


@pytest.mark.parametrize("param", ["status", "days"])
def test_a_filter_value_that_means_nothing_is_a_400_naming_it(
    world: World, operator: Client, api_client_for: Any, param: str
) -> None:
    page = operator.get(reverse("request-list"), {param: "soon"})
    assert page.status_code == 400 and param in page.content.decode()
    answer = api_client_for(world.users["us_operator"]).get("/api/tasking-requests/", {param: "soon"})
    assert answer.status_code == 400 and param in answer.json()


def test_the_home_page_links_unmet_to_the_unmet_filter(world: World, operator: Client) -> None:
    html = operator.get(reverse("home")).content.decode()
    assert 'href="/tasking/?status=unmet&amp;days=7"' in html or "?status=unmet&amp;days=7" in html


def test_an_empty_list_says_what_to_do_next(world: World, operator: Client, client: Client) -> None:
    html = operator.get(reverse("request-list")).content.decode()
    assert "File the first one" in html
    filtered = operator.get(reverse("request-list"), {"q": "nothing like this"}).content.decode()
    assert "Clear the filters" in filtered
