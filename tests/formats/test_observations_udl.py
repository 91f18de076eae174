"""UDL-style JSON observations."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import ObservationRecord, read_observations, write_observations

SAMPLES = Path(__file__).parent / "samples"


def read_all(data: str | bytes, fmt: str | None = "udl-json") -> list[ObservationRecord | RecordError]:
    return list(read_observations(data, fmt))


def test_radar_and_optical_sample_is_read_with_every_field() -> None:
    radar, radar2, optical = read_all((SAMPLES / "obs_radar_optical_udl.json").read_bytes())
    assert isinstance(radar, ObservationRecord)
    assert radar.index == 1 and radar.line == 2
    assert radar.client_id == "GBR-RAD-000001"
    assert radar.sensor_ref == "30001" and radar.sat_no == 25544
    assert radar.ob_time == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert (radar.azimuth_deg, radar.azimuth_unc_deg) == (123.4567, 0.02)
    assert (radar.elevation_deg, radar.elevation_unc_deg) == (34.5678, 0.02)
    assert (radar.range_km, radar.range_unc_km) == (1234.567, 0.015)
    assert (radar.range_rate_km_s, radar.range_rate_unc_km_s) == (-2.345, 0.001)
    assert (radar.rcs_m2, radar.snr_db) == (402.5, 18.2)
    assert radar.track_id == "TRK-0001" and radar.data_mode == "REAL"
    assert radar.frame is None  # senReferenceFrame is the frame of the sensor position
    assert isinstance(radar2, ObservationRecord)
    assert radar2.client_id == "GBR-RAD-000002"  # the "id" alias
    assert radar2.ob_time == datetime(2024, 3, 1, 10, 15, 10, 500000, tzinfo=UTC)
    assert isinstance(optical, ObservationRecord)
    assert (optical.ra_deg, optical.ra_unc_deg) == (280.123456, 0.0004)
    assert (optical.declination_deg, optical.declination_unc_deg) == (-5.654321, 0.0004)
    assert optical.frame == "J2000" and optical.magnitude == 11.2
    assert optical.object_ref == "2005-041A" and optical.data_mode == "TEST"
    assert optical.azimuth_deg is None and optical.range_km is None


def test_bad_records_are_reported_by_index_line_and_field_and_good_ones_kept() -> None:
    results = read_all((SAMPLES / "obs_bad_records_udl.json").read_text())
    assert [r.index if isinstance(r, ObservationRecord) else r.record for r in results] == [1, 2, 3, 4, 5, 6]
    good = [r for r in results if isinstance(r, ObservationRecord)]
    assert [r.client_id for r in good] == ["ok-1", "ok-6"]
    errors = {r.record: r for r in results if isinstance(r, RecordError)}
    assert (errors[2].field, errors[2].line) == ("obTime", 4)
    assert (errors[3].field, errors[3].line) == ("azimuth", 6)
    assert "360" in errors[3].message
    assert (errors[4].field, errors[4].line) == ("range", 8)
    assert (errors[5].field, errors[5].line) == ("elevation", 10)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"obTime": "yesterday"}, "obTime", "ISO 8601"),
        ({"obTime": "2024-02-30T00:00:00Z"}, "obTime", "not a valid time"),
        ({"azimuth": -0.5}, "azimuth", "outside"),
        ({"azimuth": 360.0}, "azimuth", "outside"),
        ({"elevation": -90.01}, "elevation", "outside"),
        ({"range": 0}, "range", "positive"),
        ({"range": True}, "range", "number"),
        ({"rangeUnc": -1.0}, "rangeUnc", "negative"),
        ({"satNo": "ISS"}, "satNo", "catalog number"),
        ({"satNo": 0}, "satNo", "out of range"),
        ({"dataMode": "LIVE"}, "dataMode", "REAL"),
        ({"elevation": None}, "elevation", "pairs"),
        ({"ra": 400.0, "declination": 10.0}, "ra", "outside"),
        ({"ra": 10.0, "declination": -91.0}, "declination", "outside"),
        ({"azimuth": None, "elevation": None, "range": None}, "obTime", "no measurement"),
    ],
)
def test_each_format_level_check_names_the_field(changes: dict[str, object], field: str, words: str) -> None:
    obj: dict[str, object] = {
        "obTime": "2024-03-01T10:15:00Z",
        "idSensor": "S",
        "satNo": 1,
        "azimuth": 10.0,
        "elevation": 20.0,
        "range": 1000.0,
    }
    obj.update(changes)
    obj = {k: v for k, v in obj.items() if v is not None}
    (result,) = read_all(json.dumps([obj]))
    assert isinstance(result, RecordError)
    assert result.field == field
    assert words in result.message


def test_unknown_keys_are_ignored_and_limits_are_inclusive_where_physical() -> None:
    obj = {
        "obTime": "2024-03-01T10:15:00.1234567Z",
        "azimuth": 0.0,
        "elevation": 90.0,
        "ra": 359.999,
        "declination": -90.0,
        "somethingElse": {"nested": [1, 2]},
    }
    (record,) = read_all(json.dumps([obj]))
    assert isinstance(record, ObservationRecord)
    assert record.ob_time.microsecond == 123456  # truncated to microseconds
    assert record.elevation_deg == 90.0 and record.declination_deg == -90.0


def test_time_offsets_are_converted_to_utc() -> None:
    (record,) = read_all('[{"obTime": "2024-03-01T12:15:00+02:00", "range": 5.0}]')
    assert isinstance(record, ObservationRecord)
    assert record.ob_time == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)


def test_a_single_object_is_read_as_one_record() -> None:
    (record,) = read_all('{"obTime": "2024-03-01T10:15:00Z", "range": 5.0}')
    assert isinstance(record, ObservationRecord)


def test_an_element_that_is_not_an_object_is_a_record_error() -> None:
    results = read_all('[{"obTime": "2024-03-01T10:15:00Z", "range": 5.0}, 42]')
    assert isinstance(results[1], RecordError) and results[1].record == 2


@pytest.mark.parametrize("text", ['[{"obTime": 1}', "[1 2]", '{"a": 1} x', "[", "nonsense", "[{]"])
def test_malformed_json_raises_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        read_all(text)


def test_the_json_reader_streams_elements_across_small_chunks() -> None:
    objs = [{"obTime": "2024-03-01T10:15:00Z", "range": 1000.0 + i, "idSensor": f"S{i}"} for i in range(50)]
    text = json.dumps(objs, indent=1)

    class Trickle(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            return super().read(7)

    results = list(read_observations(Trickle(text)))
    assert [r.range_km for r in results if isinstance(r, ObservationRecord)] == [
        1000.0 + i for i in range(50)
    ]


def test_written_json_uses_udl_names_and_only_present_values() -> None:
    record = ObservationRecord(
        index=1,
        ob_time=datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
        sensor_ref="30001",
        sat_no=25544,
        range_km=1234.5,
        range_unc_km=0.01,
    )
    out = io.StringIO()
    assert write_observations([record], "udl-json", out) == 1
    assert json.loads(out.getvalue()) == [
        {
            "idSensor": "30001",
            "satNo": 25544,
            "obTime": "2024-03-01T10:15:00.000000Z",
            "range": 1234.5,
            "rangeUnc": 0.01,
        }
    ]


def test_a_missing_reference_frame_means_j2000_never_the_sensor_position_frame() -> None:
    obj = {
        "idSensor": "30001",
        "satNo": 25544,
        "obTime": "2024-03-01T10:15:00Z",
        "ra": 280.1,
        "declination": -5.6,
        "senReferenceFrame": "TEME",
    }
    (record,) = read_all(json.dumps([obj]).encode())
    assert isinstance(record, ObservationRecord) and record.frame == "J2000"
    (given,) = read_all(json.dumps([{**obj, "referenceFrame": "TEME"}]).encode())
    assert isinstance(given, ObservationRecord) and given.frame == "TEME"


def test_a_csv_sensor_frame_column_is_not_the_angle_frame() -> None:
    text = "obTime,idSensor,ra,declination,senReferenceFrame\n2024-03-01T10:15:00Z,30001,280.1,-5.6,TEME\n"
    (record,) = read_all(text.encode(), "csv")
    assert isinstance(record, ObservationRecord) and record.frame == "J2000"
