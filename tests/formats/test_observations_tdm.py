"""CCSDS TDM observations (KVN and XML)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import ccsds_ndm
import pytest

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import ObservationRecord, read_observations, write_observations

SAMPLES = Path(__file__).parent / "samples"

HEADER = "CCSDS_TDM_VERS = 2.0\nCREATION_DATE = 2024-03-01T12:00:00\nORIGINATOR = TEST\n"


def kvn(meta: str, data: str) -> str:
    return f"{HEADER}META_START\n{meta}META_STOP\nDATA_START\n{data}DATA_STOP\n"


AZEL_META = (
    "TIME_SYSTEM = UTC\nPARTICIPANT_1 = S1\nPARTICIPANT_2 = 25544\nMODE = SEQUENTIAL\n"
    "PATH = 1,2,1\nANGLE_TYPE = AZEL\nRANGE_UNITS = km\n"
)


def read_all(data: str | bytes, fmt: str | None = None) -> list[ObservationRecord | RecordError]:
    return list(read_observations(data, fmt))


def records(results: list[ObservationRecord | RecordError]) -> list[ObservationRecord]:
    assert all(isinstance(r, ObservationRecord) for r in results), results
    return [r for r in results if isinstance(r, ObservationRecord)]


def test_radar_kvn_merges_lines_at_one_timetag_into_one_observation_per_segment() -> None:
    first, second, third = records(read_all((SAMPLES / "obs_radar_azel.tdm").read_text(), "tdm-kvn"))
    assert (first.index, first.line) == (1, 22)
    assert first.sensor_ref == "30001" and first.sat_no == 25544 and first.track_id == "TRK-0001"
    assert first.ob_time == datetime(2024, 3, 1, 10, 15, tzinfo=UTC)
    assert (first.azimuth_deg, first.elevation_deg) == (123.4567, 34.5678)
    assert (first.range_km, first.range_rate_km_s) == (1234.567, -2.345)
    assert first.frame is None and first.ra_deg is None
    assert second.ob_time == datetime(2024, 3, 1, 10, 15, 10, 500000, tzinfo=UTC)
    assert (third.sat_no, third.track_id, third.range_rate_km_s) == (43013, "TRK-0002", None)


def test_optical_radec_kvn_gives_ra_dec_in_j2000_with_magnitude() -> None:
    first, second = records(read_all((SAMPLES / "obs_optical_radec.tdm").read_text(), "tdm-kvn"))
    assert (first.ra_deg, first.declination_deg, first.magnitude) == (280.123456, -5.654321, 11.2)
    assert first.frame == "J2000" and first.sensor_ref == "OPT-7" and first.sat_no == 28884
    assert first.azimuth_deg is None and first.range_km is None
    assert second.ob_time == datetime(2024, 3, 2, 4, 30, 20, tzinfo=UTC)


def test_xml_with_azel_and_radec_segments_is_read() -> None:
    radar1, radar2, optical = records(read_all((SAMPLES / "obs_radar_azel_tdm.xml").read_bytes(), "tdm-xml"))
    kvn_records = records(read_all((SAMPLES / "obs_radar_azel.tdm").read_text(), "tdm-kvn"))
    for from_xml, from_kvn in zip((radar1, radar2), kvn_records, strict=False):
        assert from_xml.measurement_fields() == from_kvn.measurement_fields()
        assert from_xml.ob_time == from_kvn.ob_time
    assert radar1.line == 26
    assert (optical.ra_deg, optical.declination_deg, optical.frame) == (280.123456, -5.654321, "J2000")


def test_bad_lines_and_refused_segments_are_reported_and_the_rest_is_kept() -> None:
    results = read_all((SAMPLES / "obs_bad_segments.tdm").read_text())
    summary = [
        (r.index, "ok") if isinstance(r, ObservationRecord) else (r.record, r.field, r.line) for r in results
    ]
    assert summary == [
        (1, "ok"),
        (2, "ANGLE_1", 20),
        (3, "RANGE", 22),
        (4, "ok"),
        (5, "TIME_SYSTEM", 29),
        (6, "RANGE_UNITS", 49),
        (7, "ok"),
    ]
    time_error = results[4]
    assert isinstance(time_error, RecordError)
    assert "TDB" in time_error.message and "UTC" in time_error.message
    units_error = results[5]
    assert isinstance(units_error, RecordError) and "RU" in units_error.message


@pytest.mark.parametrize(
    ("meta", "field", "words"),
    [
        (AZEL_META.replace("TIME_SYSTEM = UTC", "TIME_SYSTEM = TDB"), "TIME_SYSTEM", "TDB"),
        (AZEL_META.replace("TIME_SYSTEM = UTC\n", ""), "TIME_SYSTEM", "missing"),
        (AZEL_META.replace("RANGE_UNITS = km", "RANGE_UNITS = RU"), "RANGE_UNITS", "RU"),
        (AZEL_META.replace("MODE = SEQUENTIAL", "MODE = SINGLE_DIFF"), "MODE", "SEQUENTIAL"),
        (AZEL_META.replace("PATH = 1,2,1", "PATH = 1,3"), "PATH", "1,3"),
        (AZEL_META.replace("ANGLE_TYPE = AZEL", "ANGLE_TYPE = XEYN"), "ANGLE_TYPE", "XEYN"),
        (AZEL_META.replace("ANGLE_TYPE = AZEL", "ANGLE_TYPE = RADEC"), "REFERENCE_FRAME", "EME2000"),
    ],
)
def test_refused_metadata_is_reported_for_every_observation_of_the_segment(
    meta: str, field: str, words: str
) -> None:
    data = "ANGLE_1 = 2024-03-01T10:15:00 10.0\nANGLE_2 = 2024-03-01T10:15:00 20.0\n"
    data += "ANGLE_1 = 2024-03-01T10:15:01 11.0\nANGLE_2 = 2024-03-01T10:15:01 21.0\n"
    results = read_all(kvn(meta, data))
    assert [(r.record, r.field) for r in results if isinstance(r, RecordError)] == [(1, field), (2, field)]
    assert all(isinstance(r, RecordError) and words in r.message for r in results)


def test_data_line_problems_name_the_keyword_and_line() -> None:
    data = (
        "ANGLE_1 = 2024-03-01T10:15:00 10.0\n"  # line 14
        "ANGLE_2 = 2024-03-01T10:15:00 95.0\n"  # elevation out of range
        "ANGLE_1 = 2024-03-01T10:15:01 10.0 extra\n"
        "RANGE = 2024-13-01T10:15:02 1000\n"
        "FOO = 2024-03-01T10:15:03 1\n"
        "ANGLE_1 = 2024-03-01T10:15:04 10.0\n"
        "ANGLE_1 = 2024-03-01T10:15:04 10.5\n"
        "RANGE = 2024-03-01T10:15:05 -3\n"
        "ANGLE_1 = 2024-03-01T10:15:06 -20.0\n"
        "ANGLE_2 = 2024-03-01T10:15:06 5.0\n"
        "TEMPERATURE = 2024-03-01T10:15:07 290.0\n"
    )
    results = read_all(kvn(AZEL_META, data))
    errors = [(r.record, r.field, r.line) for r in results if isinstance(r, RecordError)]
    assert errors == [
        (1, "ANGLE_2", 15),
        (2, "ANGLE_1", 16),
        (3, "EPOCH", 17),
        (4, "FOO", 18),
        (5, "ANGLE_1", 20),
        (6, "RANGE", 21),
    ]
    (last,) = [r for r in results if isinstance(r, ObservationRecord)]
    assert last.index == 7 and last.azimuth_deg == 340.0  # ANGLE_1 in [-180, 0) is brought into [0, 360)


def test_day_of_year_timetags_blank_lines_and_comments_are_accepted() -> None:
    text = kvn(
        AZEL_META + "COMMENT metadata comment\n",
        "\nCOMMENT data comment\nRANGE = 2024-061T10:15:00.25 1000.0\n\n",
    ).replace("META_STOP\n", "META_STOP\n\n")
    (record,) = records(read_all(text))
    assert record.ob_time == datetime(2024, 3, 1, 10, 15, 0, 250000, tzinfo=UTC)


def test_icrf_and_unknown_participants() -> None:
    meta = (
        "TIME_SYSTEM = UTC\nPARTICIPANT_1 = UNKNOWN\nPARTICIPANT_2 = 1998-067A\nMODE = SEQUENTIAL\n"
        "PATH = 2,1\nANGLE_TYPE = RADEC\nREFERENCE_FRAME = ICRF\n"
    )
    (record,) = records(
        read_all(kvn(meta, "ANGLE_1 = 2024-03-01T10:15:00 1.0\nANGLE_2 = 2024-03-01T10:15:00 2.0\n"))
    )
    assert record.frame == "ICRF" and record.sensor_ref is None
    assert record.sat_no is None and record.object_ref == "1998-067A"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "META_START\n",
        HEADER + "META_START\nTIME_SYSTEM = UTC\n",
        HEADER + "META_START\n" + AZEL_META + "META_STOP\nDATA_START\nRANGE = 2024-03-01T10:15:00 1\n",
        HEADER + "DATA_START\n",
        HEADER,
        "CCSDS_TDM_VERS = 9.9\n",
    ],
)
def test_broken_kvn_structure_raises_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        read_all(text, "tdm-kvn")


@pytest.mark.parametrize(
    "text",
    [
        "<tdm><body><segment>",
        "<omm/>",
        '<!DOCTYPE tdm [<!ENTITY x "y">]><tdm>&x;</tdm>',
        "<tdm><header/><body/></tdm>",
    ],
)
def test_broken_or_foreign_xml_raises_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        read_all(text, "tdm-xml")


def test_xml_observation_without_epoch_is_a_record_error() -> None:
    text = (
        "<tdm><header/><body><segment><metadata>"
        "<TIME_SYSTEM>UTC</TIME_SYSTEM><PARTICIPANT_1>S</PARTICIPANT_1><PARTICIPANT_2>5</PARTICIPANT_2>"
        "<MODE>SEQUENTIAL</MODE><PATH>1,2,1</PATH></metadata><data>\n"
        "<observation><RANGE>1000</RANGE></observation>\n"
        "<observation><EPOCH>2024-03-01T10:15:00</EPOCH><RANGE>1000</RANGE></observation>\n"
        "</data></segment></body></tdm>"
    )
    bad, good = read_all(text, "tdm-xml")
    assert isinstance(bad, RecordError) and (bad.record, bad.line) == (1, 2)
    assert isinstance(good, ObservationRecord) and good.range_km == 1000.0


def test_written_kvn_is_accepted_by_ccsds_ndm_and_by_our_reader() -> None:
    originals = records(read_all((SAMPLES / "obs_radar_azel_tdm.xml").read_text()))
    for fmt, form in (("tdm-kvn", "kvn"), ("tdm-xml", "xml")):
        out = io.StringIO()
        write_observations(originals, fmt, out)
        message = ccsds_ndm.Tdm.from_str(out.getvalue(), form)
        assert [s.metadata.angle_type for s in message.segments] == ["AZEL", "RADEC"]
        back = records(read_all(out.getvalue()))
        assert [r.measurement_fields() for r in back] == [r.measurement_fields() for r in originals]


def test_a_record_with_both_angle_pairs_becomes_two_segments() -> None:
    record = ObservationRecord(
        index=1,
        ob_time=datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
        sensor_ref="S1",
        sat_no=5,
        azimuth_deg=10.0,
        elevation_deg=20.0,
        range_km=1000.0,
        ra_deg=30.0,
        declination_deg=40.0,
    )
    out = io.StringIO()
    write_observations([record], "tdm-kvn", out)
    azel, radec = records(read_all(out.getvalue()))
    assert (azel.azimuth_deg, azel.range_km, azel.ra_deg) == (10.0, 1000.0, None)
    assert (radec.ra_deg, radec.declination_deg, radec.frame) == (30.0, 40.0, "J2000")


def test_writing_a_frame_tdm_cannot_carry_raises_a_format_error() -> None:
    record = ObservationRecord(
        index=3, ob_time=datetime(2024, 3, 1, tzinfo=UTC), ra_deg=1.0, declination_deg=2.0, frame="TEME"
    )
    with pytest.raises(FormatError, match="record 3"):
        write_observations([record], "tdm-xml", io.StringIO())
