"""Two-line (TLE) and three-line (3LE) element sets.

Column layout (1-based, inclusive) as published for NORAD two-line elements::

    line 1: 1 NNNNNC YYLLLPPP YYDDD.DDDDDDDD +.NNNNNNNN +NNNNN-N +NNNNN-N E SSSSK
    line 2: 2 NNNNN III.IIII RRR.RRRR EEEEEEE AAA.AAAA MMM.MMMM NN.NNNNNNNNRRRRRK

Catalog numbers 100000..339999 use the alpha-5 scheme (a letter other than
I and O for the ten-thousands: 'A0000' = 100000, 'Z9999' = 339999).  The
last column of each line is the sum of its digits, counting '-' as 1,
modulo 10.  An optional name line ('0 ' prefix tolerated) precedes line 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from sgp4.api import Satrec

from .elements_check import check_ranges, sgp4_problem
from .errors import RecordError
from .records import ElementSetRecord

__all__ = [
    "MAX_TLE_CATALOG_NUMBER",
    "NAME_COLUMNS",
    "TLEWriteError",
    "checksum",
    "format_tle",
    "from_alpha5",
    "parse_tle",
    "read_tle",
    "to_alpha5",
]

MAX_TLE_CATALOG_NUMBER = 339_999
NAME_COLUMNS = 24  # the name line of a 3LE
_ALPHA5_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # I and O are not used
_LINE1 = re.compile(r"1 [ 0-9A-Z]{4}[0-9]")
_LINE2 = re.compile(r"2 [ 0-9A-Z]{4}[0-9]")
_INTLDES = re.compile(r"(\d\d)(\d{3})([A-Z]{1,3})")
_OBJECT_ID = re.compile(r"(\d{4})-(\d{3})([A-Z]{1,3})")
_EXP_FIELD = re.compile(r"([ +-]?)(\d{1,5}) ?([+-]?)(\d)")
_DAY_FIELD = re.compile(r"\d{3}\.\d{1,8}|\d{3}")
_US_PER_DAY = 86_400_000_000
_US_PER_TLE_DAY_UNIT = 864  # 1e-8 day


class TLEWriteError(ValueError):
    """A record cannot be expressed as a TLE; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class _LineError(Exception):
    def __init__(self, which: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.which = which  # 1 or 2
        self.field = field
        self.message = message


def checksum(line: str) -> int:
    """Modulo-10 checksum of the first 68 columns of a TLE line."""
    total = 0
    for ch in line[:68]:
        if ch.isdigit():
            total += int(ch)
        elif ch == "-":
            total += 1
    return total % 10


def to_alpha5(number: int) -> str:
    """Five-character catalog number, alpha-5 above 99999."""
    if not 0 <= number <= MAX_TLE_CATALOG_NUMBER:
        raise ValueError(f"catalog number {number} does not fit a TLE (max {MAX_TLE_CATALOG_NUMBER})")
    if number < 100_000:
        return f"{number:05d}"
    high, low = divmod(number, 10_000)
    return f"{_ALPHA5_LETTERS[high - 10]}{low:04d}"


def from_alpha5(text: str) -> int:
    """Catalog number from the five TLE columns (digits, or alpha-5)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if len(text) == 5 and text[0] in _ALPHA5_LETTERS and text[1:].isdigit():
        return (_ALPHA5_LETTERS.index(text[0]) + 10) * 10_000 + int(text[1:])
    raise ValueError(f"not a catalog number {text!r}")


def _epoch_from_tle(field: str) -> datetime:
    yy, day = field[:2], field[2:].strip()
    if not yy.isdigit() or not _DAY_FIELD.fullmatch(day):
        raise ValueError(f"not a TLE epoch {field!r}")
    year = int(yy)
    year += 1900 if year >= 57 else 2000
    day_value = Fraction(day)
    if not 1 <= day_value < 368:
        raise ValueError(f"day of year out of range {field!r}")
    micros = round((day_value - 1) * _US_PER_DAY)
    return datetime(year, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


def _epoch_to_tle(epoch: datetime) -> str:
    epoch = epoch.astimezone(UTC)
    if not 1957 <= epoch.year <= 2056:
        raise TLEWriteError("EPOCH", f"year {epoch.year} outside the TLE range 1957..2056")
    delta = epoch - datetime(epoch.year, 1, 1, tzinfo=UTC)
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    units, rest = divmod(micros, _US_PER_TLE_DAY_UNIT)
    if 2 * rest >= _US_PER_TLE_DAY_UNIT:
        units += 1
    day, frac = divmod(units, 100_000_000)
    return f"{epoch.year % 100:02d}{day + 1:03d}.{frac:08d}"


def _parse_exp(field: str) -> float:
    """Parse an implied-decimal field like '-11606-4' (= -0.11606e-4)."""
    m = _EXP_FIELD.fullmatch(field.strip())
    if not m:
        raise ValueError(f"not a number {field.strip()!r}")
    sign, mantissa, esign, exp = m.groups()
    value = float(f"0.{mantissa}e{esign or '+'}{exp}")
    return -value if sign == "-" else value


def _format_exp(value: float, field: str) -> str:
    """Implied-decimal field of 8 columns: sign, 5 digits, exponent sign and digit."""
    if value == 0 or abs(value) < 0.5e-14:
        return " 00000-0"
    digits, exp_text = f"{abs(value):.4e}".split("e")
    exponent = int(exp_text) + 1
    mantissa = digits.replace(".", "")
    if exponent < -9:
        return " 00000-0"
    if exponent > 9:
        raise TLEWriteError(field, f"{value!r} is too large for a TLE")
    sign = "-" if value < 0 else " "
    return f"{sign}{mantissa}{'-' if exponent < 0 else '+'}{abs(exponent)}"


def _format_ndot(value: float) -> str:
    text = f"{abs(value):.8f}"
    if not text.startswith("0."):
        raise TLEWriteError("MEAN_MOTION_DOT", f"{value!r} is too large for a TLE")
    return ("-" if value < 0 and text != "0.00000000" else " ") + text[1:]


def _angle(value: float, field: str) -> str:
    text = f"{value:8.4f}"
    if len(text) != 8:
        raise TLEWriteError(field, f"{value!r} does not fit a TLE")
    return text


def format_tle(rec: ElementSetRecord) -> tuple[str, str]:
    """The two TLE lines of ``rec``; raises TLEWriteError if it does not fit."""
    try:
        satnum = to_alpha5(rec.norad_cat_id)
    except ValueError as exc:
        raise TLEWriteError("NORAD_CAT_ID", str(exc)) from None
    intl = ""
    if rec.object_id:
        m = _OBJECT_ID.fullmatch(rec.object_id.strip())
        if m:
            intl = m.group(1)[2:] + m.group(2) + m.group(3)
    if rec.classification_type not in ("U", "C", "S"):
        raise TLEWriteError("CLASSIFICATION_TYPE", f"not U, C or S: {rec.classification_type!r}")
    if not 0 <= rec.ephemeris_type <= 9:
        raise TLEWriteError("EPHEMERIS_TYPE", f"does not fit one column: {rec.ephemeris_type}")
    if not 0 <= rec.element_set_no <= 9999:
        raise TLEWriteError("ELEMENT_SET_NO", f"does not fit four columns: {rec.element_set_no}")
    if rec.rev_at_epoch < 0:
        raise TLEWriteError("REV_AT_EPOCH", f"negative: {rec.rev_at_epoch}")
    line1 = (
        f"1 {satnum}{rec.classification_type} {intl:8} {_epoch_to_tle(rec.epoch)} "
        f"{_format_ndot(rec.mean_motion_dot)} {_format_exp(rec.mean_motion_ddot, 'MEAN_MOTION_DDOT')} "
        f"{_format_exp(rec.bstar, 'BSTAR')} {rec.ephemeris_type} {rec.element_set_no:4d}"
    )
    ecc = round(rec.eccentricity * 1e7)
    if not 0 <= ecc <= 9_999_999:
        raise TLEWriteError("ECCENTRICITY", f"{rec.eccentricity!r} does not fit a TLE")
    if not 0 < rec.mean_motion < 100:
        raise TLEWriteError("MEAN_MOTION", f"{rec.mean_motion!r} does not fit a TLE")
    line2 = (
        f"2 {satnum} {_angle(rec.inclination, 'INCLINATION')} "
        f"{_angle(rec.ra_of_asc_node, 'RA_OF_ASC_NODE')} {ecc:07d} "
        f"{_angle(rec.arg_of_pericenter, 'ARG_OF_PERICENTER')} "
        f"{_angle(rec.mean_anomaly, 'MEAN_ANOMALY')} {rec.mean_motion:11.8f}"
        f"{rec.rev_at_epoch % 100_000:5d}"
    )
    return line1 + str(checksum(line1)), line2 + str(checksum(line2))


def _field(which: int, name: str | None, text: str, parse: type[int] | type[float]) -> float:
    try:
        value = parse(text.strip())
    except ValueError:
        raise _LineError(which, name, f"not a number {text.strip()!r}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _LineError(which, name, f"not a finite number {text.strip()!r}")
    return value


def _parse_lines(name: str | None, line1: str, line2: str, record: int) -> ElementSetRecord:
    for which, line in ((1, line1), (2, line2)):
        if len(line) != 69:
            raise _LineError(which, None, f"line {which} has {len(line)} columns, expected 69")
        if line[0] != str(which):
            raise _LineError(which, None, f"line number is {line[0]!r}, expected {which}")
        if not line[68].isdigit():
            raise _LineError(which, "CHECKSUM", f"not a digit {line[68]!r}")
        if int(line[68]) != checksum(line):
            raise _LineError(which, "CHECKSUM", f"checksum is {line[68]}, computed {checksum(line)}")
    try:
        satnum = from_alpha5(line1[2:7])
    except ValueError as exc:
        raise _LineError(1, "NORAD_CAT_ID", str(exc)) from None
    try:
        satnum2 = from_alpha5(line2[2:7])
    except ValueError as exc:
        raise _LineError(2, "NORAD_CAT_ID", str(exc)) from None
    if satnum != satnum2:
        raise _LineError(2, "NORAD_CAT_ID", f"line 2 catalog number {satnum2} differs from line 1 ({satnum})")
    classification = line1[7]
    if classification == " ":
        classification = "U"
    intl_text = line1[9:17].strip()
    object_id: str | None = None
    if intl_text:
        m = _INTLDES.fullmatch(intl_text)
        if m:
            year = int(m.group(1))
            year += 1900 if year >= 57 else 2000
            object_id = f"{year}-{m.group(2)}{m.group(3)}"
        else:
            object_id = intl_text
    try:
        epoch = _epoch_from_tle(line1[18:32])
    except ValueError as exc:
        raise _LineError(1, "EPOCH", str(exc)) from None
    ndot = _field(1, "MEAN_MOTION_DOT", line1[33:43], float)
    try:
        nddot = _parse_exp(line1[44:52])
    except ValueError as exc:
        raise _LineError(1, "MEAN_MOTION_DDOT", str(exc)) from None
    try:
        bstar = _parse_exp(line1[53:61])
    except ValueError as exc:
        raise _LineError(1, "BSTAR", str(exc)) from None
    ephtype_text = line1[62].strip() or "0"
    ephtype = int(_field(1, "EPHEMERIS_TYPE", ephtype_text, int))
    elset_text = line1[64:68].strip() or "0"
    elset = int(_field(1, "ELEMENT_SET_NO", elset_text, int))
    ecc_text = line2[26:33]
    if not ecc_text.strip().isdigit():
        raise _LineError(2, "ECCENTRICITY", f"not a number {ecc_text.strip()!r}")
    rev_text = line2[63:68].strip() or "0"
    return ElementSetRecord(
        norad_cat_id=satnum,
        object_name=name,
        object_id=object_id,
        epoch=epoch,
        mean_motion=_field(2, "MEAN_MOTION", line2[52:63], float),
        eccentricity=float("0." + ecc_text.strip().rjust(7, "0")),
        inclination=_field(2, "INCLINATION", line2[8:16], float),
        ra_of_asc_node=_field(2, "RA_OF_ASC_NODE", line2[17:25], float),
        arg_of_pericenter=_field(2, "ARG_OF_PERICENTER", line2[34:42], float),
        mean_anomaly=_field(2, "MEAN_ANOMALY", line2[43:51], float),
        bstar=bstar,
        mean_motion_dot=ndot,
        mean_motion_ddot=nddot,
        element_set_no=elset,
        rev_at_epoch=int(_field(2, "REV_AT_EPOCH", rev_text, int)),
        ephemeris_type=ephtype,
        classification_type=classification,
        record=record,
    )


def parse_tle(
    name: str | None,
    line1: str,
    line2: str,
    record: int = 1,
    first_line: int | None = None,
    name_line: int | None = None,
) -> ElementSetRecord | RecordError:
    """Parse and validate one element set given as its (optional) name and two lines.

    ``first_line`` is the file line number of line 1 and ``name_line`` that of the name, used
    in error reports.
    """
    line1, line2 = line1.rstrip("\r\n "), line2.rstrip("\r\n ")

    def at(which: int) -> int | None:
        return None if first_line is None else first_line + which - 1

    try:
        rec = _parse_lines(name, line1, line2, record)
    except _LineError as exc:
        return RecordError(record, at(exc.which), exc.field, exc.message)
    problem = check_ranges(rec)
    if problem:
        field, message = problem
        if field == "OBJECT_NAME":
            return RecordError(record, name_line, field, message)
        which = 1 if field in ("NORAD_CAT_ID", "EPOCH", "CLASSIFICATION_TYPE") else 2
        return RecordError(record, at(which), field, message)
    try:
        sat = Satrec.twoline2rv(line1, line2)
    except (ValueError, RuntimeError) as exc:
        return RecordError(record, at(1), None, f"SGP4 cannot read the lines: {exc}")
    failure = sgp4_problem(sat)
    if failure:
        return RecordError(record, at(2), failure[0], failure[1])
    return rec


def _clean_name(line: str) -> str | None:
    name = line.strip()
    if name.startswith("0 "):
        name = name[2:].strip()
    return name or None


def read_tle(lines: Iterable[str]) -> Iterator[ElementSetRecord | RecordError]:
    """Read TLE or 3LE text, one item per element set.

    Blank lines and ``#`` comment lines are skipped anywhere (a comment never becomes a name).
    Before the first element set, text lines not directly followed by line 1 are a preamble
    and skipped, as is a line directly before line 1 that is too long to be a name.
    """
    record = 0
    name: str | None = None
    name_line = 0
    pending1: str | None = None
    pending1_line = 0
    lineno = 0
    seen_set = False
    for raw in lines:
        lineno += 1
        line = raw.rstrip("\r\n")
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if pending1 is not None:
            if _LINE2.match(line):
                record += 1
                yield parse_tle(name, pending1, line, record, pending1_line, name_line if name else None)
                name, pending1, seen_set = None, None, True
                continue
            record += 1
            yield RecordError(record, pending1_line, None, "line 1 is not followed by a line 2")
            name, pending1 = None, None
        if _LINE1.match(line):
            pending1, pending1_line = line, lineno
            if not seen_set and name is not None and len(name) > NAME_COLUMNS:
                name = None  # the end of a preamble, not a name
            continue
        if _LINE2.match(line):
            record += 1
            yield RecordError(record, lineno, None, "line 2 without a line 1 before it")
            name = None
            continue
        if name is not None and seen_set:
            record += 1
            yield RecordError(record, name_line, None, "name line not followed by TLE lines")
        name, name_line = _clean_name(line), lineno
    if pending1 is not None:
        record += 1
        yield RecordError(record, pending1_line, None, "line 1 is not followed by a line 2")
    elif name is not None:
        record += 1
        yield RecordError(record, name_line, None, "name line not followed by TLE lines")
