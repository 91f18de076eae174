"""The home page's panels on the demo coalition, per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from agreements.models import Sensor
from catalog.models import SpaceObject
from portal.dashboard import panels_for
from portal.models import User
from tests.portal.demo_data import demo

__all__ = ["demo"]


@pytest.fixture(autouse=True)
def each_test_in_a_savepoint(demo: dict[str, User], db: None) -> None:
    """The module's seeded demo, with each test's changes rolled back."""


def figures(user: User) -> dict[str, int | str]:
    return {
        f"{panel.title}/{figure.label}": figure.value
        for panel in panels_for(user)
        for figure in panel.figures
    }


def test_the_overview_answers_each_persona_with_its_own_counts(demo: dict[str, User], client: Client) -> None:
    # The exact figures of each persona are in test_dashboard_figures, on a world small enough
    # to write them out; over the whole demo, what holds whatever the demo holds.
    shown = {}
    for username in ["us_operator", "uk_staff", "fr_staff", "visitor", "security_officer"]:
        user = demo[username]
        shown[username] = figures(user)
        client.force_login(user)
        assert client.get("/").status_code == 200
    sensors = {username: each["Partnership/Sensors"] for username, each in shown.items()}
    objects = {username: each["Catalog/Objects you may see"] for username, each in shown.items()}
    # The TOP SECRET US officer may see every record; the partners see fewer sensors.
    assert sensors["security_officer"] == Sensor.objects.count()
    assert objects["security_officer"] == SpaceObject.objects.count()
    assert sensors["uk_staff"] < Sensor.objects.count() and sensors["fr_staff"] < Sensor.objects.count()
    assert len(set(sensors.values())) > 2  # the personas really do see different networks


def test_partners_see_their_inbox_and_us_operators_their_requests(demo: dict[str, User]) -> None:
    assert "Your inbox/Requests awaiting your answer" in figures(demo["uk_staff"])
    assert "Tasking/Awaiting a partner's answer" in figures(demo["us_operator"])
    assert not any(key.startswith(("Tasking/", "Your inbox/")) for key in figures(demo["visitor"]))


def test_a_count_carries_the_marking_of_what_it_counts(demo: dict[str, User], client: Client) -> None:
    admin = demo["agreement_admin"]
    sensors = next(f for p in panels_for(admin) for f in p.figures if f.label == "Sensors")
    assert sensors.marking is not None and sensors.marking.noforn  # some US sensors are NOFORN
    client.force_login(admin)
    assert "NOFORN" in client.get("/").content.decode().split("</header>")[0]
