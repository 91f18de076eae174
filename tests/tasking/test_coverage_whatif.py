"""What a proposed sensor would have covered: the last period's unmet demand re-run with it."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from agreements.choices import SensorType
from portal.markings.marking import Marking
from tasking.models import RetaskingRun, SsnTask
from tasking.services import coverage_whatif, transitions
from tests.tasking.conftest import World
from tests.tasking.test_retasking import _ssn

RADAR = SensorType.PHASED_ARRAY_RADAR


def _rejected(world: World, **overrides: Any) -> Any:
    request = world.file(**overrides)
    return transitions.apply(
        request, "reject", by=world.users["uk_staff"], reason_code="no_capacity", text="Fully booked."
    )


def _after_the_window(world: World) -> dt.datetime:
    # The default window runs from now + 6 h to now + 30 h; the period re-run is the 72 h before.
    return world.now + dt.timedelta(hours=36)


def test_a_mid_latitude_radar_closes_the_gaps_of_a_network_that_has_no_sensor(world: World) -> None:
    _rejected(world, tracks_wanted=2)
    # The ISS (51.6 deg inclination, ~420 km) passes over 40 N several times a day.
    proposed = coverage_whatif.proposed_sensor(
        latitude_deg=40.0, longitude_deg=-105.0, altitude_km=1.6, sensor_type=RADAR
    )
    result = coverage_whatif.coverage_whatif(proposed, now=_after_the_window(world))
    assert result.sensors == 0 and result.requests == 1
    assert result.total.tracks_missing == 2
    assert result.total.tracks_missing_with == 0 and result.total.tracks_closed == 2
    assert result.tracks_by_proposed == 2
    assert result.by_regime["LEO"].tracks_closed == 2
    assert result.by_priority["5: ROUTINE / cat 5"].requests == 1
    # Nothing is booked and no run is recorded.
    assert not SsnTask.objects.exists() and not RetaskingRun.objects.exists()


def test_a_site_that_never_sees_the_target_closes_nothing(world: World) -> None:
    _rejected(world)
    # From 89.9 S the ISS never rises: its ground track stays within 51.6 deg of the equator and
    # at 420 km a site sees only about 20 deg of arc around it.
    proposed = coverage_whatif.proposed_sensor(
        latitude_deg=-89.9, longitude_deg=0.0, altitude_km=2.8, sensor_type=RADAR
    )
    result = coverage_whatif.coverage_whatif(proposed, now=_after_the_window(world))
    assert result.total.tracks_missing == 1 and result.total.tracks_closed == 0
    assert result.tracks_by_proposed == 0


def test_the_existing_network_counts_before_the_proposed_sensor(world: World) -> None:
    _rejected(world, tracks_wanted=1)
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    proposed = coverage_whatif.proposed_sensor(
        latitude_deg=-89.9, longitude_deg=0.0, altitude_km=2.8, sensor_type=RADAR
    )
    result = coverage_whatif.coverage_whatif(proposed, now=_after_the_window(world))
    # Eglin covers the one track on its own: no gap to close.
    assert result.sensors == 1 and result.total.tracks_missing == 0 and result.total.tracks_closed == 0


def test_a_reader_reruns_only_what_it_may_read_and_the_answer_is_marked_as_its_inputs(
    world: World,
) -> None:
    request = _rejected(world)  # CUI//REL TO USA, GBR
    proposed = coverage_whatif.proposed_sensor(
        latitude_deg=40.0, longitude_deg=-105.0, altitude_km=1.6, sensor_type=RADAR
    )
    now = _after_the_window(world)
    for_uk = coverage_whatif.coverage_whatif(proposed, user=world.users["uk_staff"], now=now)
    for_fr = coverage_whatif.coverage_whatif(proposed, user=world.users["fr_staff"], now=now)
    assert for_uk.requests == 1 and for_uk.marking == Marking.combine(Marking.unclassified(), request.marking)
    assert for_fr.requests == 0 and for_fr.total.tracks_missing == 0
    assert for_fr.marking == Marking.unclassified()


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("latitude_deg", 91.0, "latitude"),
        ("longitude_deg", -200.0, "longitude"),
        ("altitude_km", 400.0, "altitude"),
        ("sensor_type", "laser", "type"),
        ("min_elevation_deg", 95.0, "minimum elevation"),
        ("tracks_per_hour", 0, "tracks per hour"),
    ],
)
def test_a_proposed_sensor_out_of_range_is_refused_naming_the_field(
    field: str, value: Any, named: str
) -> None:
    values: dict[str, Any] = dict(latitude_deg=40.0, longitude_deg=-105.0, altitude_km=1.6, sensor_type=RADAR)
    values[field] = value
    with pytest.raises(coverage_whatif.WhatIfError, match=f"^{named}:"):
        coverage_whatif.proposed_sensor(**values)


def test_the_command_prints_one_json_object(world: World) -> None:
    _rejected(world, tracks_wanted=2)
    out = io.StringIO()
    call_command(
        "coverage_whatif", "--lat", "40", "--lon", "-105", "--alt", "1.6", "--type", RADAR,
        "--at", _after_the_window(world).isoformat(), "--json", stdout=out,
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    assert report["tracks_missing"] == 2 and report["tracks_closed"] == 2
    assert report["by_regime"]["LEO"]["tracks_closed"] == 2
    assert report["marking"] == "CUI//REL TO USA, GBR"


def test_the_command_refuses_a_site_off_the_earth() -> None:
    with pytest.raises(CommandError, match="latitude"):
        call_command("coverage_whatif", "--lat", "100", "--lon", "0", "--alt", "0", "--type", RADAR)
