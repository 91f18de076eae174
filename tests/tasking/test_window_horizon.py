"""Windows and proposals far in the future are refused with a message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from portal.errors import DomainError
from tasking.services import transitions
from tasking.services.filing import file_request

from .conftest import World


def test_a_window_in_year_9999_is_refused_on_the_page(world: World, client: Client) -> None:
    client.force_login(world.users["us_operator"])
    answer = client.post(
        reverse("request-create"),
        {
            "title": "Far away",
            "spoc": world.spocs["uk-spoc"].pk,
            "targets": "25544",
            "window_start": "9999-12-30T00:00",
            "window_end": "9999-12-31T00:00",
            "priority": "routine",
            "purpose": "catalog_maintenance",
            "observation_type": "any_metric",
            "observations_wanted": "4",
            "tracks_wanted": "1",
            "minimum_tier": "4",
            "marking": "CUI//REL TO USA, GBR",
        },
    )
    assert answer.status_code in (200, 400)
    assert "at most a year ahead" in answer.content.decode()


def test_a_window_beyond_a_year_is_refused_in_the_service(world: World) -> None:
    start = world.now + dt.timedelta(days=400)
    with pytest.raises(DomainError, match="at most a year ahead"):
        file_request(
            world.filing(windows=[(start, start + dt.timedelta(hours=6))]), world.users["us_operator"]
        )


def test_a_proposal_beyond_a_year_is_refused(world: World) -> None:
    request = world.file()
    far = world.now + dt.timedelta(days=3000)
    with pytest.raises(DomainError, match="at most a year ahead"):
        transitions.apply(
            request,
            "propose",
            by=world.users["uk_staff"],
            text="later",
            window=(far, far + dt.timedelta(hours=4)),
        )
