"""Extracts of published TDM examples (the CCSDS 503.0 blue book's, as kept in Orekit's test
resources: keywords and values only) read to the values their keywords give, worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.formats.errors import RecordError
from catalog.formats.observations import ObservationRecord, read_observations
from catalog.formats.observations_common import MAX_RANGE_KM, build_record

SAMPLES = Path(__file__).parent / "samples"
C_KM_S = 299_792.458


def read(name: str) -> list[ObservationRecord | RecordError]:
    return list(read_observations((SAMPLES / name).read_text()))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_radar_example_range_has_its_correction_added() -> None:
    """CORRECTION_RANGE = -1.48 km, CORRECTIONS_APPLIED = NO: 2808.2696 - 1.48 = 2806.7896 km."""
    (record,) = read("tdm_radar_range_correction.txt")
    assert isinstance(record, ObservationRecord)
    assert record.range_km == pytest.approx(2806.7896, abs=1e-9)
    assert (record.azimuth_deg, record.elevation_deg, record.rcs_m2) == (171.44102317, 35.44311034, 2.93)
    assert record.ob_time == at("2031-05-11T10:26:33.968600")


def test_the_gsoc_example_in_kvn_reads_its_range_in_seconds_of_light_time() -> None:
    """Segment 1's XSYE angles are refused naming ANGLE_TYPE. Segment 2 says RANGE_UNITS = s
    (PATH 1,2,1): 40016.5248953670 s of two-way light time is 40016.5248953670 x 299792.458 / 2
    = 5 998 326 179.5 km, beyond any tracked object, so the range is refused naming RANGE and
    its line, not stored. Its integrated Doppler, timed at the END of a 1 s interval, is stored
    at the middle, half a second earlier."""
    refused, ranged, doppler = read("tdm_gsoc_two_stations.txt")
    assert isinstance(refused, RecordError) and refused.field == "ANGLE_TYPE" and "XSYE" in refused.message
    assert isinstance(ranged, RecordError) and (ranged.field, ranged.line) == ("RANGE", 42)
    assert "5.99833e+09 km" in ranged.message
    assert isinstance(doppler, ObservationRecord) and doppler.sensor_ref == "WHM1"
    assert doppler.ob_time == at("2007-08-29T06:00:01.500")
    assert doppler.range_rate_km_s == -0.885640091 and doppler.range_km is None


def test_the_gsoc_range_in_seconds_is_converted_where_it_is_plausible() -> None:
    """The same segment with a light time a GEO range gives: 0.2669 s x 299792.458 / 2 km."""
    text = (SAMPLES / "tdm_gsoc_two_stations.txt").read_text().replace("4.00165248953670E+04", "0.2669")
    ranged = read_observations(text)
    records = [r for r in ranged if isinstance(r, ObservationRecord) and r.range_km is not None]
    assert [r.range_km for r in records] == [pytest.approx(40007.30352, abs=1e-5)]
    assert (records[0].azimuth_deg, records[0].elevation_deg) == (99.5320425, 1.26724167)


def test_the_gsoc_example_in_xml_reads_its_range_in_the_default_km() -> None:
    """The XML form carries no RANGE_UNITS, so its ranges are km; observations split one value
    per element are merged by epoch."""
    refused, first, doppler, second = read("tdm_gsoc_two_stations.xml")
    assert isinstance(refused, RecordError) and refused.field == "ANGLE_TYPE"
    assert isinstance(first, ObservationRecord) and isinstance(second, ObservationRecord)
    assert (first.range_km, first.azimuth_deg, first.elevation_deg) == (
        40016.524895367,
        99.5320425,
        1.26724167,
    )
    assert (second.ob_time, second.range_km) == (at("2007-08-29T07:00:02"), 35723.879359189)
    assert isinstance(doppler, ObservationRecord) and doppler.ob_time == at("2007-08-29T06:00:01.500")


def test_the_jaxa_relay_example_is_refused_naming_its_path() -> None:
    """PATH = 1,2,3,2,1 (a relay through a third participant) is not a station-object range."""
    records = read("tdm_jaxa_relay.txt")
    assert records and all(isinstance(r, RecordError) and r.field == "PATH" for r in records)
    assert "1,2,3,2,1" in records[0].message  # type: ignore[union-attr]


def test_the_jpl_example_in_range_units_is_refused_naming_them() -> None:
    """RANGE_UNITS = RU with RANGE_MODE = COHERENT: converting needs the ranging code's
    frequency, which the message does not carry."""
    (record,) = read("tdm_jpl_range_units.txt")
    assert isinstance(record, RecordError) and record.field == "RANGE_UNITS" and "RU" in record.message


@pytest.mark.parametrize("value", [2_000_000.5, "2000000.5", " 2.0000005E6 ", 5.998e9])
def test_a_range_beyond_any_tracked_object_is_refused_in_every_format(value: object) -> None:
    raw = {"ob_time": at("2024-03-01T10:15:00"), "sensor_ref": "1", "range_km": value}
    result = build_record(1, 3, raw, {"range_km": "range"})
    assert isinstance(result, RecordError) and (result.field, result.line) == ("range", 3)
    edge = build_record(1, 3, {**raw, "range_km": MAX_RANGE_KM}, {"range_km": "range"})
    assert isinstance(edge, ObservationRecord) and edge.range_km == 2_000_000.0
