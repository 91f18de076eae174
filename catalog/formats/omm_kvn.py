"""OMM in Keyword = Value Notation (CCSDS 502.0-B-3, section 4 and 7).

A file may hold several OMMs one after another; each starts with its
CCSDS_OMM_VERS line.  Units in square brackets after a value are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from .errors import FormatError, RecordError
from .omm import CCSDS_OMM_VERS, UNKNOWN, fields_from_record, format_epoch, record_from_fields
from .records import ElementSetRecord

__all__ = ["ORIGINATOR", "read_omm_kvn", "write_omm_kvn"]

ORIGINATOR = "COALITION SDA PORTAL"
_UNITS = re.compile(r"\s*\[[^\]]*\]$")
_VERSIONS = ("1.0", "2.0", "3.0")
_TEXT_KEYS = frozenset({"OBJECT_NAME", "OBJECT_ID", "ORIGINATOR", "MESSAGE_ID", "CLASSIFICATION"})


class _Pending:
    def __init__(self, record: int, line: int) -> None:
        self.record = record
        self.line = line
        self.fields: dict[str, str] = {}
        self.lines: dict[str, int] = {}
        self.error: RecordError | None = None

    def result(self) -> ElementSetRecord | RecordError:
        if self.error is not None:
            return self.error
        return record_from_fields(self.fields, self.record, self.line, self.lines)


def read_omm_kvn(lines: Iterable[str]) -> Iterator[ElementSetRecord | RecordError]:
    """Read one or more KVN OMMs, one item per OMM."""
    current: _Pending | None = None
    record = 0
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("COMMENT"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip().upper()
        value = value.strip()
        if key not in _TEXT_KEYS and not key.startswith("USER_DEFINED_"):
            value = _UNITS.sub("", value)
        if key == "CCSDS_OMM_VERS" and sep:
            if current is not None:
                yield current.result()
            record += 1
            current = _Pending(record, lineno)
            if value not in _VERSIONS:
                current.error = RecordError(
                    record, lineno, "CCSDS_OMM_VERS", f"unsupported version {value!r}"
                )
            continue
        if current is None:
            raise FormatError(f"line {lineno}: an OMM in KVN must start with CCSDS_OMM_VERS")
        if current.error is not None:
            continue
        if not sep or not key or " " in key:
            current.error = RecordError(record, lineno, None, f"not a 'KEYWORD = value' line: {line[:60]!r}")
        elif key in current.fields:
            current.error = RecordError(
                record, lineno, key, "keyword repeated within one OMM (missing CCSDS_OMM_VERS?)"
            )
        else:
            current.fields[key] = value
            current.lines[key] = lineno
    if current is not None:
        yield current.result()


def write_omm_kvn(records: Iterable[ElementSetRecord], out: TextIO) -> list[RecordError]:
    """Write one KVN OMM per record, separated by a blank line.

    OBJECT_NAME and OBJECT_ID are mandatory in an OMM: a record without them
    is written with UNKNOWN (and reads back so).
    """
    created = format_epoch(datetime.now(UTC))
    for index, rec in enumerate(records, 1):
        if index > 1:
            out.write("\n")
        fields = fields_from_record(rec)
        head = [
            ("CCSDS_OMM_VERS", CCSDS_OMM_VERS),
            ("CREATION_DATE", created),
            ("ORIGINATOR", ORIGINATOR),
            ("OBJECT_NAME", fields.pop("OBJECT_NAME") or UNKNOWN),
            ("OBJECT_ID", fields.pop("OBJECT_ID") or UNKNOWN),
            ("CENTER_NAME", "EARTH"),
            ("REF_FRAME", "TEME"),
            ("TIME_SYSTEM", "UTC"),
            ("MEAN_ELEMENT_THEORY", "SGP4"),
        ]
        body = list(fields.items())
        for key, text in head + body:
            if text is None:
                continue
            if key in ("OBJECT_TYPE", "RCS_SIZE", "COUNTRY_CODE", "LAUNCH_DATE", "SITE", "DECAY_DATE"):
                key = "USER_DEFINED_" + key
            out.write(f"{key:<20} = {text}\n")
    return []
