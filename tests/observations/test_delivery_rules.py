"""Who may deliver what: own SpOC's sensors, covered, in an agreed format, at an ingesting tier."""

from __future__ import annotations

from typing import Any

import pytest

from catalog.observations.choices import BatchStatus
from catalog.observations.models import Observation
from catalog.observations.services.ingest import ingest_bytes
from tests.observations.helpers import payload, radar_record


def deliver(world: Any, username: str, sensor: int, fmt: str = "udl-json") -> Any:
    return ingest_bytes(
        world.users[username], payload([radar_record(1, sensor=sensor)], fmt), associate=False
    )


def test_a_level_4_sensor_cannot_deliver(world: Any, media: Any) -> None:
    result = deliver(world, "uk_staff", 9103)
    assert result.batch.status == BatchStatus.REJECTED
    assert "Level 4" in result.errors[0]["message"]
    assert result.errors[0]["field"] == "idSensor"
    assert Observation.objects.count() == 0


def test_an_uncovered_sensor_cannot_deliver(world: Any, media: Any) -> None:
    result = deliver(world, "jp_staff", 9601)
    assert result.batch.status == BatchStatus.REJECTED
    assert "no active agreement" in result.errors[0]["message"]


def test_another_spocs_sensor_cannot_be_delivered_for(world: Any, media: Any) -> None:
    result = deliver(world, "uk_staff", 9301)
    # The UK cannot see the German sensor at all: it is unknown, like a missing one.
    assert "unknown sensor" in result.errors[0]["message"]
    result = deliver(world, "de_staff", 9102)
    assert "unknown sensor" in result.errors[0]["message"] or "does not belong" in result.errors[0]["message"]
    assert Observation.objects.count() == 0


def test_a_sensor_visible_but_foreign_is_refused_with_a_reason(world: Any, media: Any) -> None:
    result = deliver(world, "us_operator", 9102)
    assert "does not belong to us-spoc" in result.errors[0]["message"]


def test_a_format_outside_the_agreement_is_refused(world: Any, media: Any) -> None:
    result = deliver(world, "de_staff", 9301, fmt="csv")
    assert "does not include the csv format" in result.errors[0]["message"]
    assert deliver(world, "de_staff", 9301, fmt="udl-json").batch.accepted == 1


def test_us_clients_deliver_for_us_ssn_sensors(world: Any, media: Any) -> None:
    result = deliver(world, "us_operator", 399)
    assert result.batch.accepted == 1
    obs = Observation.objects.get()
    assert obs.tier_at_ingest is None
    assert "conjunction_assessment" in obs.missions


def test_an_account_without_a_spoc_cannot_deliver(world: Any, media: Any) -> None:
    result = deliver(world, "agreement_admin", 399)
    assert "no SpOC" in result.errors[0]["message"]


def test_a_record_without_a_sensor_uses_the_one_named_with_the_request(world: Any, media: Any) -> None:
    data = payload([radar_record(1, sensor_ref=None)], "csv")
    refused = ingest_bytes(world.users["uk_staff"], data, associate=False)
    assert "no sensor named" in refused.errors[0]["message"]
    result = ingest_bytes(world.users["uk_staff"], data, sensor_number=9102, associate=False)
    assert result.batch.accepted == 1


# Published B3 cards of LAGEOS 1 (a radar's type 3 cards, 90 columns), their sensor number
# changed to the US SSN radar's.
B3_CARDS = (
    "U0882039922211221047583264636 2559542 80473802 0055762                    3 3  10882008820\n"
    "U0882039922212070800753208279 0343123 84782152 -284798                    3 3  10882008820\n"
)


@pytest.mark.parametrize("fmt", ["b3", None])
def test_us_ssn_b3_cards_are_ingested_as_agreed(world: Any, media: Any, fmt: str | None) -> None:
    """B3 is an agreed SSN format: the cards land with the values their columns give."""
    result = ingest_bytes(world.users["us_operator"], B3_CARDS.encode(), fmt=fmt, associate=False)
    assert result.batch.data_format == "b3" and result.batch.accepted == 2, result.errors
    first, second = Observation.objects.order_by("ob_time")
    assert first.sensor == world.sensors["us_radar"]
    assert (first.azimuth_deg, first.elevation_deg) == (pytest.approx(255.9542), pytest.approx(26.4636))
    assert first.range_km == pytest.approx(8047.38) and first.range_rate_km_s == pytest.approx(0.55762)
    assert second.range_km == pytest.approx(8478.215) and second.range_rate_km_s == pytest.approx(-2.84798)
