"""Format detection, and write -> read round trips for every observation format."""

from __future__ import annotations

import io
import string
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import (
    FORMATS,
    ObservationRecord,
    detect_format,
    read_observations,
    write_observations,
)

SAMPLES = Path(__file__).parent / "samples"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("obs_radar_optical_udl.json", "udl-json"),
        ("obs_bad_records_udl.json", "udl-json"),
        ("obs_radar_optical.csv", "csv"),
        ("obs_bad_records.csv", "csv"),
        ("obs_radar_azel.tdm", "tdm-kvn"),
        ("obs_optical_radec.tdm", "tdm-kvn"),
        ("obs_bad_segments.tdm", "tdm-kvn"),
        ("obs_radar_azel_tdm.xml", "tdm-xml"),
    ],
)
def test_detect_format_recognises_each_sample_from_its_content(name: str, expected: str) -> None:
    head = (SAMPLES / name).read_text()[:512]
    assert detect_format(head) == expected
    assert detect_format(head, "upload.bin") == expected


def test_detect_format_uses_the_file_name_only_when_the_content_does_not_tell() -> None:
    assert detect_format("x,y\n1,2\n", "obs.csv") == "csv"
    assert detect_format("\ufeff  COMMENT hello\nCCSDS_TDM_VERS = 2.0\n") == "tdm-kvn"
    with pytest.raises(FormatError):
        detect_format("hello world")
    with pytest.raises(FormatError, match="TDM"):
        detect_format("<html></html>")


def test_str_bytes_and_streams_read_the_same() -> None:
    raw = (SAMPLES / "obs_radar_optical_udl.json").read_bytes()
    expected = list(read_observations(raw))
    assert list(read_observations(raw.decode())) == expected
    assert list(read_observations(io.BytesIO(b"\xef\xbb\xbf" + raw))) == expected
    assert list(read_observations(io.StringIO(raw.decode()))) == expected


def test_bytes_that_are_not_utf8_raise_a_format_error() -> None:
    with pytest.raises(FormatError, match="UTF-8"):
        list(read_observations(b"obTime,range\n\xff\xfe\n", "csv"))


def test_an_unknown_format_name_raises_a_format_error() -> None:
    with pytest.raises(FormatError):
        read_observations("[]", "b4")
    with pytest.raises(FormatError):
        write_observations([], "b4", io.StringIO())


# ----------------------------------------------------------------- round trips


def strip_position(record: ObservationRecord) -> ObservationRecord:
    return replace(record, index=0, line=None)


def udl_view(record: ObservationRecord) -> ObservationRecord:
    """What UDL-named formats read back: RA/Dec without a frame are J2000."""
    if record.ra_deg is not None and record.frame is None:
        return replace(record, frame="J2000")
    return record


def tdm_view(record: ObservationRecord) -> ObservationRecord:
    """What a TDM can carry of a record."""
    frame = None
    if record.ra_deg is not None:
        frame = "J2000" if record.frame in (None, "EME2000") else record.frame
    return replace(
        strip_position(record),
        client_id=None,
        range_unc_km=None,
        azimuth_unc_deg=None,
        elevation_unc_deg=None,
        range_rate_unc_km_s=None,
        ra_unc_deg=None,
        declination_unc_deg=None,
        snr_db=None,
        data_mode=None,
        frame=frame,
        object_ref=None if record.sat_no is not None else record.object_ref,
    )


def round_trip(records: list[ObservationRecord], fmt: str) -> list[ObservationRecord | RecordError]:
    out = io.StringIO()
    assert write_observations(records, fmt, out) == len(records)
    return list(read_observations(out.getvalue()))


def sample_records() -> list[ObservationRecord]:
    results = list(read_observations((SAMPLES / "obs_radar_optical_udl.json").read_bytes()))
    return [r for r in results if isinstance(r, ObservationRecord)]


@pytest.mark.parametrize("fmt", ["udl-json", "csv"])
def test_json_and_csv_round_trips_keep_every_field(fmt: str) -> None:
    originals = sample_records()
    back = round_trip(originals, fmt)
    assert [strip_position(r) for r in back if isinstance(r, ObservationRecord)] == [
        strip_position(r) for r in originals
    ]
    assert [r.index for r in back if isinstance(r, ObservationRecord)] == [1, 2, 3]


@pytest.mark.parametrize("fmt", ["tdm-kvn", "tdm-xml"])
def test_tdm_round_trips_keep_what_tdm_carries(fmt: str) -> None:
    originals = sample_records()
    back = round_trip(originals, fmt)
    assert [r for r in back if isinstance(r, RecordError)] == []
    assert [strip_position(r) for r in back if isinstance(r, ObservationRecord)] == [
        tdm_view(r) for r in originals
    ]


IDENT = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=10).filter(
    lambda s: s.upper() != "UNKNOWN"
)
FINITE = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
UNC = st.none() | st.floats(min_value=0.0, max_value=1e3)


@st.composite
def observation(draw: st.DrawFn, *, for_tdm: bool = False) -> ObservationRecord:
    kind = draw(st.sampled_from(["radar", "optical", "range"]))
    values: dict[str, object] = {
        "index": 1,
        "ob_time": draw(
            st.datetimes(
                min_value=datetime(1957, 10, 4), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
            )
        ),
        "client_id": draw(st.none() | IDENT),
        "sensor_ref": draw(st.none() | IDENT),
        "sat_no": draw(st.none() | st.integers(1, 999_999_999)),
        "object_ref": draw(st.none() | IDENT.filter(lambda s: not s.isdigit())),
        "track_id": draw(st.none() | IDENT),
        "data_mode": draw(st.none() | st.sampled_from(["REAL", "TEST", "EXERCISE", "SIMULATED"])),
        "magnitude": draw(st.none() | FINITE),
        "rcs_m2": draw(st.none() | st.floats(min_value=0.0, max_value=1e6)),
        "snr_db": draw(st.none() | FINITE),
    }
    if kind in ("radar", "range"):
        values["range_km"] = draw(st.floats(min_value=1e-3, max_value=5e5))
        values["range_unc_km"] = draw(UNC)
        values["range_rate_km_s"] = draw(st.none() | st.floats(min_value=-20.0, max_value=20.0))
        values["range_rate_unc_km_s"] = draw(UNC)
    if kind == "radar":
        values["azimuth_deg"] = draw(st.floats(min_value=0.0, max_value=360.0, exclude_max=True))
        values["elevation_deg"] = draw(st.floats(min_value=-90.0, max_value=90.0))
        values["azimuth_unc_deg"] = draw(UNC)
        values["elevation_unc_deg"] = draw(UNC)
    if kind == "optical":
        values["ra_deg"] = draw(st.floats(min_value=0.0, max_value=360.0, exclude_max=True))
        values["declination_deg"] = draw(st.floats(min_value=-90.0, max_value=90.0))
        values["ra_unc_deg"] = draw(UNC)
        values["declination_unc_deg"] = draw(UNC)
        frames = ["J2000", "ICRF"] if for_tdm else ["J2000", "ICRF", "GCRF", "TEME"]
        values["frame"] = draw(st.none() | st.sampled_from(frames))
    elif not for_tdm:
        values["frame"] = draw(st.none() | st.sampled_from(["J2000", "EFG/TDR"]))
    return ObservationRecord(**values)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(observation(), min_size=1, max_size=8), fmt=st.sampled_from(["udl-json", "csv"]))
def test_any_valid_records_survive_a_json_or_csv_round_trip(
    records: list[ObservationRecord], fmt: str
) -> None:
    back = round_trip(records, fmt)
    assert [strip_position(r) if isinstance(r, ObservationRecord) else r for r in back] == [
        udl_view(strip_position(r)) for r in records
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    records=st.lists(observation(for_tdm=True), min_size=1, max_size=8),
    fmt=st.sampled_from(["tdm-kvn", "tdm-xml"]),
)
def test_any_valid_records_survive_a_tdm_round_trip(records: list[ObservationRecord], fmt: str) -> None:
    back = round_trip(records, fmt)
    assert [strip_position(r) if isinstance(r, ObservationRecord) else r for r in back] == [
        tdm_view(r) for r in records
    ]


def test_every_format_is_covered() -> None:
    # B3 cards have their round trips in test_observations_b3.py.
    assert set(FORMATS) == {"udl-json", "csv", "tdm-kvn", "tdm-xml", "b3"}
