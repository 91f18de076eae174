"""OMM as CSV with the Space-Track / CelesTrak GP header (field names in row 1)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import TextIO

from .errors import FormatError, RecordError
from .omm import ELEMENT_FIELDS, SATCAT_FIELDS, fields_from_record, record_from_fields
from .records import ElementSetRecord

__all__ = ["read_omm_csv", "write_omm_csv"]


def read_omm_csv(lines: Iterable[str]) -> Iterator[ElementSetRecord | RecordError]:
    """Read GP CSV, one item per data row; blank rows are skipped."""
    reader = csv.reader(lines)
    try:
        header = [name.strip().upper() for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise FormatError(f"line 1: not a CSV header: {exc}") from None
    if "EPOCH" not in header or "NORAD_CAT_ID" not in header:
        raise FormatError("CSV header must name at least EPOCH and NORAD_CAT_ID")
    record = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            record += 1
            yield RecordError(record, reader.line_num, None, f"not valid CSV: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        record += 1
        if len(row) != len(header):
            yield RecordError(
                record,
                reader.line_num,
                None,
                f"{len(row)} values where the header names {len(header)} fields",
            )
            continue
        yield record_from_fields(dict(zip(header, row, strict=True)), record, reader.line_num)


def write_omm_csv(records: Iterable[ElementSetRecord], out: TextIO) -> list[RecordError]:
    """Write GP CSV: the CelesTrak columns followed by the SATCAT-like ones."""
    columns = ELEMENT_FIELDS + SATCAT_FIELDS
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for rec in records:
        fields = fields_from_record(rec)
        writer.writerow([fields[key] or "" for key in columns])
    return []
