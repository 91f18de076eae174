"""Who may deliver what: own SpOC's sensors, covered, in an agreed format, at an ingesting tier."""

from __future__ import annotations

from typing import Any

from catalog.models import Observation
from catalog.models.observations import BatchStatus
from catalog.observations.ingest import ingest_bytes
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
