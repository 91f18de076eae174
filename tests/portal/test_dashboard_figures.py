"""The overview's counts, for a world small enough that each persona's figures are written out
by hand (tests.portal.marked_world): each counts only what its reader may see, and carries the
marking of what it counts."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.dashboard import Figure, panels_for
from portal.markings.marking import Marking
from portal.models import User
from tests.portal.marked_world import marked_world
from tests.tasking.conftest import World, world

__all__ = ["marked_world", "world"]

# Persona -> (active agreements, sensors, objects) of the world's 3 active agreements (3 more
# are drafts), 8 sensors and 5 objects.
FIGURES = {
    "us_operator": (3, 7, 4),  # all but TOP SECRET
    "uk_staff": (1, 3, 2),  # released to GBR: the UK agreement and sensors, the unclassified
    "fr_staff": (1, 2, 3),  # released to FRA up to CONFIDENTIAL, and the unclassified
    "visitor": (0, 1, 2),  # unclassified only
    "security_officer": (3, 8, 5),  # everything
}


def figures(user: User) -> dict[str, Figure]:
    return {f"{panel.title}/{f.label}": f for panel in panels_for(user) for f in panel.figures}


@pytest.mark.parametrize("username", sorted(FIGURES))
def test_the_overview_counts_only_what_each_persona_may_see(
    marked_world: World, client: Client, username: str
) -> None:
    user = marked_world.users[username]
    agreements, sensors, objects = FIGURES[username]
    shown = figures(user)
    assert shown["Partnership/Active agreements"].value == agreements
    assert shown["Partnership/Sensors"].value == sensors
    assert shown["Catalog/Objects you may see"].value == objects
    client.force_login(user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("username", "banner"),
    [
        ("agreement_admin", "TOP SECRET//NOFORN"),  # the US NOFORN radar among them
        ("us_operator", "SECRET//NOFORN"),
        ("fr_staff", "CUI//REL TO USA, FRA"),
    ],
)
def test_a_count_carries_the_marking_of_what_it_counts(
    marked_world: World, client: Client, username: str, banner: str
) -> None:
    user = marked_world.users[username]
    sensors = figures(user)["Partnership/Sensors"]
    assert sensors.marking == Marking.parse(banner)
    client.force_login(user)
    header = client.get("/").content.decode().split("</header>")[0]
    assert ("NOFORN" in header) == ("NOFORN" in banner)
