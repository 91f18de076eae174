"""The main lists total, show and mark exactly the rows their reader may see, in a world small
enough that the expected rows are written out by hand (tests.portal.marked_world): for the US
SECRET operator and for the French staff (cleared CONFIDENTIAL)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Sensor
from catalog.models import SpaceObject
from catalog.observations.models import Observation
from portal.markings.marking import Marking
from tasking.models import TaskingRequest
from tests.portal.marked_world import marked_world
from tests.tasking.conftest import World, world

__all__ = ["marked_world", "world"]

# Each list: its model, and what names a row.
LISTS: dict[str, tuple[type[Model], Callable[[Any], str]]] = {
    "sensor-list": (Sensor, lambda s: s.name),
    "agreement-list": (Agreement, lambda a: a.title),
    "spaceobject-list": (SpaceObject, lambda o: o.name),
    "observation-list": (Observation, lambda o: o.content_hash),
    "request-list": (TaskingRequest, lambda r: r.title),
}
# Every row of the world, by list.
EVERY_ROW = {
    "sensor-list": {
        "Chilbolton-like radar",
        "UK telescope",
        "Exmouth-like radar",
        "SATAM-like radar",
        "Eglin-like radar",
        "US NOFORN radar",
        "FR secret telescope",
        "US top secret radar",
    },
    "agreement-list": {
        "UK SpOC-level",
        "AU SpOC-level",
        "FR radar sensor-level",
        "FR secret annex",
        "US review of partners",
        "Top secret annex",
    },
    "spaceobject-list": {"ISS (ZARYA)", "HST", "USA 245", "FR object", "TS object"},
    "observation-list": {"uk-1", "uk-2", "fr-cui", "fr-secret", "fr-top-secret"},
    "request-list": {
        "UK track, released to France too",
        "Top secret track",
        "FR direct",
        "FR direct, secret",
        "AU track",
    },
}
# What each reader's list shows, and the marking of its total.
SHOWN: dict[tuple[str, str], tuple[set[str], str]] = {
    # The US operator: everything but TOP SECRET.
    ("sensor-list", "us_operator"): (
        {
            "Chilbolton-like radar",
            "UK telescope",
            "Exmouth-like radar",
            "SATAM-like radar",
            "Eglin-like radar",
            "US NOFORN radar",
            "FR secret telescope",
        },
        "SECRET//NOFORN",
    ),
    ("agreement-list", "us_operator"): (
        {
            "UK SpOC-level",
            "AU SpOC-level",
            "FR radar sensor-level",
            "FR secret annex",
            "US review of partners",
        },
        "SECRET//NOFORN",
    ),
    ("spaceobject-list", "us_operator"): (
        {"ISS (ZARYA)", "HST", "USA 245", "FR object"},
        "CONFIDENTIAL//NOFORN",
    ),
    # Released to GBR and to FRA: together to the US only.
    ("observation-list", "us_operator"): ({"uk-1", "uk-2", "fr-cui", "fr-secret"}, "SECRET//NOFORN"),
    ("request-list", "us_operator"): (
        {"UK track, released to France too", "FR direct", "FR direct, secret", "AU track"},
        "SECRET//NOFORN",
    ),
    # The French staff: unclassified or released to France, no higher than CONFIDENTIAL.
    ("sensor-list", "fr_staff"): ({"SATAM-like radar", "Eglin-like radar"}, "CUI//REL TO USA, FRA"),
    ("agreement-list", "fr_staff"): ({"FR radar sensor-level"}, "CUI//REL TO USA, FRA"),
    ("spaceobject-list", "fr_staff"): ({"ISS (ZARYA)", "HST", "FR object"}, "CONFIDENTIAL//REL TO USA, FRA"),
    ("observation-list", "fr_staff"): ({"fr-cui"}, "CUI//REL TO USA, FRA"),
    # Only the requests addressed to the French SpOC, not the UK one released to France.
    ("request-list", "fr_staff"): ({"FR direct"}, "CUI//REL TO USA, FRA"),
}


def test_the_world_holds_the_rows_written_out_here(marked_world: World) -> None:
    for name, (model, name_of) in LISTS.items():
        assert {name_of(row) for row in model._default_manager.all()} == EVERY_ROW[name], name


@pytest.mark.parametrize(("name", "persona"), sorted(SHOWN), ids=[f"{n}:{p}" for n, p in sorted(SHOWN)])
def test_a_main_list_shows_totals_and_marks_exactly_its_readers_rows(
    marked_world: World, client: Client, name: str, persona: str
) -> None:
    expected, banner = SHOWN[(name, persona)]
    _, name_of = LISTS[name]
    client.force_login(marked_world.users[persona])
    answer = client.get(reverse(name))
    assert answer.status_code == 200
    paginator = answer.context["paginator"]
    assert paginator.count == len(expected)
    assert {name_of(row) for row in answer.context["object_list"]} == expected
    html = answer.content.decode()
    assert f"{len(expected)} in all" in html
    assert paginator.marking == Marking.parse(banner)
    if name != "observation-list":  # an observation's name here is not shown on the page
        for hidden in EVERY_ROW[name] - expected:
            assert hidden not in html, hidden
