"""OMM as JSON: a GP array as Space-Track (all values strings) or CelesTrak
(numbers as numbers) return it, or a single object.

The array is decoded one object at a time from the incoming text, so memory
use does not grow with the number of objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from .errors import FormatError, RecordError
from .omm import fields_from_record, record_from_fields
from .records import ElementSetRecord

__all__ = ["read_omm_json", "write_omm_json"]

_WS = " \t\r\n"
_MAX_OBJECT_CHARS = 1 << 20
_INT_FIELDS = frozenset({"EPHEMERIS_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH"})
_FLOAT_FIELDS = frozenset(
    {
        "MEAN_MOTION",
        "ECCENTRICITY",
        "INCLINATION",
        "RA_OF_ASC_NODE",
        "ARG_OF_PERICENTER",
        "MEAN_ANOMALY",
        "BSTAR",
        "MEAN_MOTION_DOT",
        "MEAN_MOTION_DDOT",
    }
)


class _Syntax(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _parse_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= 20 else float(digits)


class _Scanner:
    """Incremental reader of the values of a top-level JSON array."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self.chunks = iter(chunks)
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False
        # An integer too long for 64 bits is read as a float (infinite when out of range) and
        # refused by its record's checks, never by Python's limit on an integer's digits.
        self.decoder = json.JSONDecoder(parse_int=_parse_int)

    def fill(self) -> bool:
        if self.eof:
            return False
        if self.pos > _MAX_OBJECT_CHARS:
            self.buf, self.pos = self.buf[self.pos :], 0
        for chunk in self.chunks:
            if chunk:
                self.buf += chunk
                return True
        self.eof = True
        return False

    def peek(self) -> str:
        """Next non-blank character ('' at end of input)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.fill():
                return ""

    def value(self) -> object:
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > _MAX_OBJECT_CHARS or not self.fill():
                    raise _Syntax(self.line + self.buf.count("\n", self.pos, exc.pos), exc.msg) from None
                continue
            self.line += self.buf.count("\n", self.pos, end)
            self.pos = end
            return obj

    def values(self) -> Iterator[tuple[int, object]]:
        first = self.peek()
        if first == "{":
            start = self.line
            yield start, self.value()
        elif first == "[":
            self.pos += 1
            if self.peek() == "]":
                self.pos += 1
            else:
                while True:
                    self.peek()
                    start = self.line
                    yield start, self.value()
                    sep = self.peek()
                    self.pos += 1
                    if sep == "]":
                        break
                    if sep != ",":
                        raise _Syntax(self.line, "expected ',' or ']' after an array element")
        elif first:
            raise FormatError(f"line {self.line}: JSON element sets must be an array or an object")
        else:
            return
        if self.peek():
            raise _Syntax(self.line, "unexpected text after the JSON value")


def read_omm_json(chunks: Iterable[str]) -> Iterator[ElementSetRecord | RecordError]:
    """Read a JSON array of GP/OMM objects (or one object), one item per object."""
    record = 0
    try:
        for line, obj in _Scanner(chunks).values():
            record += 1
            if not isinstance(obj, dict):
                yield RecordError(record, line, None, f"not a JSON object: {str(obj)[:40]!r}")
                continue
            fields = {str(key).strip().upper(): value for key, value in obj.items()}
            yield record_from_fields(fields, record, line)
    except _Syntax as exc:
        if record == 0:
            raise FormatError(f"line {exc.line}: not valid JSON: {exc.message}") from None
        yield RecordError(record + 1, exc.line, None, f"not valid JSON: {exc.message}")


def _json_value(key: str, text: str) -> object:
    if key in _INT_FIELDS:
        return int(text)
    if key in _FLOAT_FIELDS:
        return float(text)
    return text


def write_omm_json(records: Iterable[ElementSetRecord], out: TextIO) -> list[RecordError]:
    """Write a JSON array of GP objects with numbers as JSON numbers (CelesTrak style)."""
    out.write("[")
    first = True
    for rec in records:
        obj = {
            key: _json_value(key, text) for key, text in fields_from_record(rec).items() if text is not None
        }
        out.write("\n  " if first else ",\n  ")
        out.write(json.dumps(obj, ensure_ascii=False))
        first = False
    out.write("\n]\n")
    return []
