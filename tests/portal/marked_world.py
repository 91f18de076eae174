"""A small coalition marked so that who sees what can be read off it by eye.

On top of the tasking world (tests.tasking.conftest: UK, AU and FR sensors and active
agreements, each releasable to its own nation, and two unclassified objects), each list gets
records hidden from the US SECRET operator (TOP SECRET), from the French staff (cleared
CONFIDENTIAL; other nations' releases, SECRET, NOFORN), or from neither. The expected figures
of the tests are written by hand from the tables below, never asked of the portal.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from agreements.choices import AgreementKind, SensorType
from agreements.models import Agreement
from catalog.models import SpaceObject
from catalog.observations.models import IngestBatch, Observation
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from tasking.models import TaskingRequest
from tests.tasking.conftest import World, make_object, make_sensor

_hash = itertools.count(1)

# Added sensors: name -> (SpOC, number, marking). The world has four more, each CUI released
# to its own nation: "Chilbolton-like radar" and "UK telescope" (GBR), "Exmouth-like radar"
# (AUS), "SATAM-like radar" (FRA).
SENSORS = {
    "Eglin-like radar": ("us-spoc", 9001, "UNCLASSIFIED"),
    "US NOFORN radar": ("us-spoc", 9002, "CUI//NOFORN"),
    "FR secret telescope": ("fr-spoc", 9203, "SECRET//REL TO USA, FRA"),
    "US top secret radar": ("us-spoc", 9003, "TOP SECRET//REL TO USA, FRA"),
}
# Added agreements, left as drafts: title -> (partner, marking). The world's three ("UK
# SpOC-level", "AU SpOC-level", "FR radar sensor-level") are active.
AGREEMENTS = {
    "FR secret annex": ("fr-spoc", "SECRET//REL TO USA, FRA"),
    "US review of partners": ("uk-spoc", "CONFIDENTIAL//NOFORN"),
    "Top secret annex": ("uk-spoc", "TOP SECRET//REL TO USA, FRA"),
}
# Added objects: name -> (catalog number, marking). The world has "ISS (ZARYA)" and "HST".
OBJECTS = {
    "USA 245": (40258, "CONFIDENTIAL//NOFORN"),
    "FR object": (39001, "CONFIDENTIAL//REL TO USA, FRA"),
    "TS object": (41001, "TOP SECRET//REL TO USA, FRA"),
}
# Observations, named by their content hash: hash -> (sensor key in the world, marking).
OBSERVATIONS = {
    "uk-1": ("uk_radar", "CUI//REL TO USA, GBR"),
    "uk-2": ("uk_radar", "CUI//REL TO USA, GBR"),
    "fr-cui": ("fr_radar", "CUI//REL TO USA, FRA"),
    "fr-secret": ("fr_radar", "SECRET//REL TO USA, FRA"),
    "fr-top-secret": ("fr_radar", "TOP SECRET//REL TO USA, FRA"),
}


def _deliver(world: World, name: str, sensor_key: str, marking: str) -> None:
    sensor = world.sensors[sensor_key]
    batch = IngestBatch.objects.create(
        delivered_by_name="test",
        spoc=sensor.spoc,
        payload=f"observations/{name}.json",
        payload_sha256="0" * 64,
        **marking_columns(marking),
    )
    Observation.objects.create(
        sensor=sensor,
        batch=batch,
        ob_time=world.now - dt.timedelta(minutes=next(_hash)),
        content_hash=name,
        space_object=world.iss,
        **marking_columns(marking),
    )


def _requests(world: World) -> None:
    """Five requests: filed by the US operator, then some re-marked where filing would refuse
    the marking (above the operator's clearance, or released beyond the agreement)."""
    world.file(title="UK track, released to France too")
    world.file(title="Top secret track")
    fr_radar = world.sensors["fr_radar"]
    world.file(title="FR direct", spoc=None, sensor=fr_radar, marking=Marking.parse("CUI//REL TO USA, FRA"))
    world.file(
        title="FR direct, secret",
        spoc=None,
        sensor=fr_radar,
        marking=Marking.parse("SECRET//REL TO USA, FRA"),
    )
    world.file(title="AU track", spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS"))
    # Readable by France by its marking, but addressed to the UK SpOC: French staff may not open it.
    TaskingRequest.objects.filter(title="UK track, released to France too").update(
        **marking_columns("CUI//REL TO USA, GBR, FRA")
    )
    TaskingRequest.objects.filter(title="Top secret track").update(
        **marking_columns("TOP SECRET//REL TO USA, FRA")
    )


@pytest.fixture
def marked_world(world: World) -> World:
    for name, (spoc, number, marking) in SENSORS.items():
        make_sensor(world.spocs[spoc], number, name, SensorType.TRACKING_RADAR, 30.0, -86.0, None, marking)
    for title, (partner, marking) in AGREEMENTS.items():
        Agreement.objects.create(
            title=title,
            kind=AgreementKind.SPOC_LEVEL,
            partner=world.spocs[partner],
            default_releasability=marking,
            **marking_columns(marking),
        )
    for name, (number, marking) in OBJECTS.items():
        make_object(number, name, marking)
    for name, (sensor_key, marking) in OBSERVATIONS.items():
        _deliver(world, name, sensor_key, marking)
    _requests(world)
    assert SpaceObject.objects.count() == 5
    return world
