"""The metrics page and the metrics API read `months` and `spoc` alike: the same figures for the
same parameters, and a bad count of months refused on both in the same words."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.markings.marking import Marking
from tasking.models import TaskingRequest

from .conftest import World

API = "/api/tasking-requests/metrics/"
MONTHS_MESSAGE = "A whole number of months from 1 to 24."


@pytest.mark.parametrize("months", ["0", "25", "6.5", "-3", " 6", "six", "1e1"])
def test_a_bad_count_of_months_is_refused_on_both_in_the_same_words(
    months: str, world: World, client: Client, api_client_for: Any
) -> None:
    reader = world.users["us_operator"]
    client.force_login(reader)
    page = client.get(reverse("tasking-metrics"), {"months": months})
    assert page.status_code == 400
    assert page.content.decode() == f"months: {MONTHS_MESSAGE}"
    api = api_client_for(reader).get(API, {"months": months})
    assert api.status_code == 400
    assert api.json() == {"months": [MONTHS_MESSAGE]}


def _requests_by_spoc(world: World) -> None:
    world.file(title="to the UK")
    world.file(
        title="to Australia", spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS")
    )
    assert set(TaskingRequest.objects.values_list("spoc__code", flat=True)) == {"uk-spoc", "au-spoc"}


@pytest.mark.parametrize(
    ("params", "months", "spocs"),
    [
        ({}, 6, {"uk-spoc", "au-spoc"}),
        ({"months": "", "spoc": ""}, 6, {"uk-spoc", "au-spoc"}),
        ({"months": "1"}, 1, {"uk-spoc", "au-spoc"}),
        ({"months": "24", "spoc": "uk-spoc"}, 24, {"uk-spoc"}),
        ({"months": "3", "spoc": "no-such-spoc"}, 3, set()),
    ],
)
def test_the_page_and_the_api_read_months_and_spoc_alike(
    params: dict[str, str],
    months: int,
    spocs: set[str],
    world: World,
    client: Client,
    api_client_for: Any,
) -> None:
    _requests_by_spoc(world)
    reader = world.users["us_operator"]
    client.force_login(reader)
    page = client.get(reverse("tasking-metrics"), params)
    assert page.status_code == 200
    report = page.context["report"]
    api = api_client_for(reader).get(API, params)
    assert api.status_code == 200
    data = api.json()
    assert page.context["months"] == months and len(data["months"]) == months
    assert [m.strftime("%Y-%m") for m in report.months] == data["months"]
    assert {row.spoc_code for row in report.rows} == {row["spoc"] for row in data["results"]} == spocs
    assert report.inputs == data["inputs"]
