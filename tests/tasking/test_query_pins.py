"""The main tasking pages and the home page run a number of queries bounded whatever the number
of requests, targets, passes and notifications: an N+1 query fails here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.markings.models import marking_columns
from tasking.choices import NotificationKind
from tasking.models import CoalitionOperation, Notification, TaskingRequest
from tasking.services import transitions
from tasking.views import INBOX_PAGE_SIZE

from .conftest import World
from .copies import copies

PAGES = ["home", "request-list", "request-inbox", "notification-list", "tasking-metrics"]
LIMIT = {"home": 24, "request-list": 16, "request-inbox": 20, "notification-list": 12, "tasking-metrics": 9}


@pytest.fixture
def many(world: World) -> World:
    """80 waiting requests and 60 in hand to the UK, each with two targets and their passes,
    in one of two operations, and a notification about each for both sides."""
    waiting = world.file(title="Waiting", targets=[world.iss, world.hubble])
    in_hand = world.file(title="In hand", targets=[world.iss, world.hubble])
    transitions.apply(in_hand, "accept", by=world.users["uk_staff"])
    made = copies(waiting, 79) + copies(in_hand, 59)
    # Every request names its operation, so a list that loads each one's operation fails here.
    operations = [
        CoalitionOperation.objects.create(
            code=f"op-{n}",
            name=f"Operation {n}",
            starts=world.now,
            ends=world.now + dt.timedelta(days=2),
            **marking_columns("UNCLASSIFIED"),
        )
        for n in (1, 2)
    ]
    for n, operation in enumerate(operations):
        TaskingRequest.objects.filter(id__in=[r.pk for r in made[n::2]]).update(operation=operation)
    Notification.objects.bulk_create(
        Notification(
            user=world.users[name],
            kind=NotificationKind.ANSWER,
            request=r,
            title=r.title,
            classification_level=r.classification_level,
            noforn=r.noforn,
            rel_mask=r.rel_mask,
        )
        for r in made
        for name in ("us_operator", "uk_staff")
    )
    return world


@pytest.mark.parametrize("persona", ["us_operator", "uk_staff"])
@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_few_queries_with_many_rows(
    many: World, client: Client, persona: str, page: str, django_assert_max_num_queries: Any
) -> None:
    if page == "request-inbox" and persona != "uk_staff":
        pytest.skip("the inbox is partner staff's")
    assert TaskingRequest.objects.count() == 140
    client.force_login(many.users[persona])
    client.get(reverse(page))
    with django_assert_max_num_queries(LIMIT[page]):
        response = client.get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["us_operator", "uk_staff"])
def test_the_api_list_runs_few_queries_with_many_rows(
    many: World, client: Client, persona: str, django_assert_max_num_queries: Any
) -> None:
    client.force_login(many.users[persona])
    url = reverse("api:taskingrequest-list")
    client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 100  # a full page
    assert all(len(row["targets"]) == 2 for row in rows)  # children learnt for the page are still shown


@pytest.mark.parametrize("persona", ["us_operator", "uk_staff"])
def test_the_metrics_read_the_requests_once(many: World, client: Client, persona: str) -> None:
    """One grouped query over the requests gives the counts, their total and their marking; a
    second gives the percentiles (grouped on PostgreSQL, elsewhere the values they are taken
    from). Neither is asked per SpOC or month."""
    client.force_login(many.users[persona])
    client.get(reverse("tasking-metrics"))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tasking-metrics"))
    assert response.status_code == 200
    reading_requests = [
        q["sql"] for q in queries.captured_queries if 'FROM "tasking_taskingrequest"' in q["sql"]
    ]
    assert len(reading_requests) == 2, reading_requests


def _reads_of(queries: CaptureQueriesContext, table: str) -> list[str]:
    """The captured queries whose main table (the first FROM) is `table`."""
    found = []
    for query in queries.captured_queries:
        main = re.match(r'SELECT .*? FROM "(\w+)"', query["sql"], re.S)
        if main and main.group(1) == table:
            found.append(query["sql"])
    return found


CHILD_TABLES = ["tasking_requestwindow", "tasking_requesttarget", "tasking_predictedpass"]


@pytest.mark.parametrize("url", ["request-inbox", "api:taskingrequest-list", "api:taskingrequest-inbox"])
def test_a_page_loads_each_kind_of_child_once_and_does_not_ask_about_it_again(
    many: World, client: Client, url: str
) -> None:
    """The inbox's two lists share one load of windows, targets and passes; what was loaded
    under the reader's rules is not asked about again when the rows are shown."""
    client.force_login(many.users["uk_staff"])
    client.get(reverse(url))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url))
    assert response.status_code == 200
    for table in CHILD_TABLES:
        assert len(_reads_of(queries, table)) == 1, (table, _reads_of(queries, table))


def test_each_inbox_row_answers_its_own_request_and_the_forms_are_rendered_once_per_kind(
    many: World, client: Client
) -> None:
    client.force_login(many.users["uk_staff"])
    response = client.get(reverse("request-inbox"))
    html = response.content.decode()
    rows = re.findall(r'<tr id="req-(\d+)" class="inbox-row status-(\w+)">(.*?)</tr>', html, re.S)
    assert len(rows) == 2 * INBOX_PAGE_SIZE  # a full page of each list
    expected = {
        "submitted": ["accept", "reject", "propose"],
        "accepted": ["schedule", "collect", "deliver", "fail"],
    }
    for pk, status, body in rows:
        posted = re.findall(r'<form method="post"[^>]* action="([^"]+)"', body)
        assert posted == [f"/tasking/requests/{pk}/do/{a}/" for a in expected[status]], (pk, status)
        # htmx posts to the same address as the plain form
        assert re.findall(r'hx-post="([^"]+)"', body) == posted
    # The forms are rendered once for the waiting rows and once for those in hand.
    assert [t.name for t in response.templates].count("tasking/_answer_forms.html") == 2


def test_the_api_list_reads_the_requests_once(many: World, client: Client) -> None:
    """The read audit learns a child's parent from the rows shown: the requests are not
    loaded again to find out whether they are classified."""
    client.force_login(many.users["us_operator"])
    url = reverse("api:taskingrequest-list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_reads_of(queries, "tasking_taskingrequest")) == 1, _reads_of(
        queries, "tasking_taskingrequest"
    )
