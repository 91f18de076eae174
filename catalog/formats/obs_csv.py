"""CSV observations: a header row with UDL field names, one observation per row.

Column names are matched case-insensitively against the UDL-style JSON keys
(``obTime``, ``idSensor``, ``satNo``, ``azimuth``, ``azimuthUnc``...); unknown
columns are ignored and an empty cell means "not given". Rows are read one at a
time from the line iterator, so memory does not grow with the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations_common import ObservationRecord, build_record, format_time
from catalog.formats.udl import KEYS, UDL_NAMES, with_default_frame

__all__ = ["CSV_COLUMNS", "read_obs_csv", "write_obs_csv"]

CSV_COLUMNS: tuple[str, ...] = tuple(UDL_NAMES.values())
_BY_LOWER: dict[str, tuple[str, int]] = {
    key.lower(): (attr, rank) for attr, keys in KEYS.items() for rank, key in enumerate(keys)
}


def read_obs_csv(lines: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read observation rows; ``lines`` yields the text line by line."""
    reader = csv.reader(iter(lines))
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError("the CSV payload is empty (a header row is required)") from None
    except csv.Error as exc:
        raise FormatError(f"unreadable CSV header: {exc}") from None
    # For each attribute, the columns that may carry it, best alias first.
    columns: dict[str, list[tuple[int, int, str]]] = {}
    for position, title in enumerate(header):
        found = _BY_LOWER.get(title.strip().lower())
        if found is not None:
            attr, rank = found
            columns.setdefault(attr, []).append((rank, position, title.strip()))
    if "ob_time" not in columns:
        raise FormatError(f"the CSV header has no obTime column (header: {','.join(header)})")
    for candidates in columns.values():
        candidates.sort()
    width = len(header)
    index = 0
    last_line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"unreadable CSV near line {reader.line_num}: {exc}") from None
        line = last_line + 1
        last_line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        index += 1
        if len(row) != width:
            yield RecordError(index, line, None, f"the row has {len(row)} cells but the header has {width}")
            continue
        raw: dict[str, object] = {}
        names: dict[str, str] = {}
        for attr, candidates in columns.items():
            names[attr] = candidates[0][2]
            for _rank, position, title in candidates:
                if row[position].strip():
                    raw[attr] = row[position]
                    names[attr] = title
                    break
        yield build_record(index, line, with_default_frame(raw), names)


def write_obs_csv(records: Iterable[ObservationRecord], out: TextIO) -> int:
    """Write a header row and one row per record; return the count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in records:
        row: list[str] = []
        for attr in UDL_NAMES:
            value = getattr(record, attr)
            if value is None:
                row.append("")
            elif attr == "ob_time":
                row.append(format_time(value))
            else:
                row.append(repr(value) if isinstance(value, float) else str(value))
        writer.writerow(row)
        count += 1
    return count
