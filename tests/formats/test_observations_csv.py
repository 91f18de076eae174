"""CSV observations."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO, cast

import pytest

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import ObservationRecord, read_observations, write_observations

SAMPLES = Path(__file__).parent / "samples"


def read_all(text: str) -> list[ObservationRecord | RecordError]:
    return list(read_observations(text, "csv"))


def test_radar_and_optical_rows_are_read() -> None:
    radar, radar2, optical = read_all((SAMPLES / "obs_radar_optical.csv").read_text())
    assert isinstance(radar, ObservationRecord) and isinstance(radar2, ObservationRecord)
    assert isinstance(optical, ObservationRecord)
    assert (radar.index, radar.line, radar.client_id) == (1, 2, "GBR-RAD-000001")
    assert (radar.azimuth_deg, radar.elevation_deg, radar.range_km) == (123.4567, 34.5678, 1234.567)
    assert (radar.range_rate_km_s, radar.range_rate_unc_km_s) == (-2.345, 0.001)
    assert (radar.rcs_m2, radar.snr_db, radar.data_mode) == (402.5, 18.2, "REAL")
    assert radar2.azimuth_unc_deg is None
    assert (optical.ra_deg, optical.declination_deg, optical.frame) == (280.123456, -5.654321, "J2000")
    assert optical.ob_time == datetime(2024, 3, 2, 4, 30, tzinfo=UTC)
    assert optical.magnitude == 11.2 and optical.range_km is None


def test_bad_rows_are_reported_by_index_line_and_field_and_good_ones_kept() -> None:
    results = read_all((SAMPLES / "obs_bad_records.csv").read_text())
    good = [r.client_id for r in results if isinstance(r, ObservationRecord)]
    errors = [(r.record, r.line, r.field) for r in results if isinstance(r, RecordError)]
    assert good == ["ok-1", "ok-6"]
    assert errors == [(2, 3, "obTime"), (3, 4, "azimuth"), (4, 5, "range"), (5, 6, "elevation")]


def test_header_names_are_case_insensitive_and_unknown_columns_ignored() -> None:
    text = "OBTIME,Range,IDSENSOR,notes\n2024-03-01 10:15:00,1000.5,S1,hello\n"
    (record,) = read_all(text)
    assert isinstance(record, ObservationRecord)
    assert (record.range_km, record.sensor_ref) == (1000.5, "S1")


def test_a_row_with_the_wrong_number_of_cells_is_a_record_error() -> None:
    text = "obTime,range\n2024-03-01T10:15:00Z,1000\n2024-03-01T10:15:01Z,1000,7\n2024-03-01T10:15:02Z,1001\n"
    results = read_all(text)
    assert [type(r).__name__ for r in results] == ["ObservationRecord", "RecordError", "ObservationRecord"]
    assert isinstance(results[1], RecordError) and results[1].line == 3


def test_blank_lines_are_skipped_and_line_numbers_stay_true() -> None:
    text = "obTime,range\n\n2024-03-01T10:15:00Z,1000\n\n2024-03-01T10:15:01Z,-3\n"
    ok, bad = read_all(text)
    assert isinstance(ok, ObservationRecord) and (ok.index, ok.line) == (1, 3)
    assert isinstance(bad, RecordError) and (bad.record, bad.line, bad.field) == (2, 5, "range")


def test_a_header_without_obtime_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="obTime"):
        read_all("time,range\n2024-03-01T10:15:00Z,1000\n")


def test_text_with_commas_and_quotes_survives_a_round_trip() -> None:
    record = ObservationRecord(
        index=1,
        ob_time=datetime(2024, 3, 1, 10, 15, tzinfo=UTC),
        client_id='row "1", part A',
        sensor_ref="Søndre Strømfjord",
        range_km=1000.0,
    )
    out = io.StringIO()
    write_observations([record], "csv", out)
    (back,) = read_all(out.getvalue())
    assert replace(back, line=None) == record


def _generated_csv(rows: int) -> Iterator[str]:
    yield "obTime,idSensor,satNo,azimuth,elevation,range\n"
    for i in range(rows):
        yield f"2024-03-01T10:{i // 60 % 60:02d}:{i % 60:02d}Z,S1,{i % 90000 + 1},{i % 360},45.0,{1000 + i}\n"


class LineStream(io.TextIOBase):
    """A read-only text stream producing generated lines on demand."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._buffer = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        want = 1 << 30 if size is None or size < 0 else size
        while len(self._buffer) < want:
            line = next(self._lines, None)
            if line is None:
                break
            self._buffer += line
        piece, self._buffer = self._buffer[:want], self._buffer[want:]
        return piece


def test_two_hundred_thousand_rows_stream_without_holding_them_all() -> None:
    rows = 200_000
    consumed = 0

    def counting() -> Iterator[str]:
        nonlocal consumed
        for line in _generated_csv(rows):
            consumed += 1
            yield line

    count = 0
    most_ahead = 0
    for result in read_observations(cast(TextIO, LineStream(counting())), "csv"):
        assert isinstance(result, ObservationRecord)
        count += 1
        most_ahead = max(most_ahead, consumed - count)
    assert count == rows
    # The reader never ran more than one read-chunk of lines ahead of its consumer.
    assert most_ahead < 5_000
