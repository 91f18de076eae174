"""A delivery in a format the agreement does not include is refused for that on every record,
including the records that something else is wrong with."""

from __future__ import annotations

from typing import Any

from catalog.observations.services.ingest import ingest_bytes

from .helpers import payload, radar_record


def test_every_record_of_a_csv_the_agreement_does_not_allow_is_refused_for_its_format(
    world: Any, media: Any
) -> None:
    records = [radar_record(i, sensor=9301) for i in range(20)]
    records += [radar_record(50, sensor=9301, elevation_deg=120.0)]
    result = ingest_bytes(
        world.users["de_staff"], payload(records, "csv"), filename="de.csv", associate=False
    )
    assert result.accepted == []
    assert len(result.errors) == 21 and result.batch.rejected == 21
    for error in result.errors:
        assert "does not include the csv format" in error["message"], error
    last = result.errors[-1]
    assert last["record"] == 21 and "outside [-90, 90]" in last["message"]


def test_a_record_that_cannot_be_read_in_an_allowed_format_keeps_its_own_error(
    world: Any, media: Any
) -> None:
    records = [radar_record(i) for i in range(3)] + [radar_record(9, elevation_deg=120.0)]
    result = ingest_bytes(
        world.users["uk_staff"], payload(records, "csv"), filename="uk.csv", associate=False
    )
    assert len(result.accepted) == 3
    assert [e["message"] for e in result.errors] == ["120.0 is outside [-90, 90] degrees"]
