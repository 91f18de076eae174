"""B3 observation cards: the Space Surveillance Network's 80-column observation format.

The official layout is not public. Each column below is taken from published descriptions and
checked against published example cards (sources in docs/formats.md). Columns, 1-based and
inclusive:

==========  =================================================================================
1           classification (U, C, S or T)
2-6         satellite number (digits, or alpha-5 above 99999)
7-9         sensor number
10-11       year (20YY for YY <= 50, else 19YY); 12-14 day of year
15-23       time of day HHMMSSsss (seconds with an implied decimal, SS.SSS)
24-29       elevation or declination, EE.EEEE degrees, sign on the leading digit
31-37       azimuth AAA.AAAA degrees, or right ascension HHMMSSS (SS.S seconds of time)
39-45       range RR.RRRRR km; 46 a power of ten the range is multiplied by (blank: none)
48-54       range-rate RR.RRRRR km/s, sign on the leading digit (types 0, 3, 4)
47-73       types 8 and 9: the sensor's EFG position, three fields of nine digits in metres
            (XXXXXX.XXX km), sign on the leading digit
75          observation type; 76 for right ascension and declination, the equinox
77          track position (3 first, 4 within, 5 last of a track): not read
78-90       association status and the site's and SPADOC's satellite tags: not read
==========  =================================================================================

Observation types: 0 range-rate; 1 azimuth and elevation; 2 with range; 3 with range and
range-rate; 4 as 3 (its azimuth, elevation and range rates in columns 55-73 are not read);
5 right ascension and declination; 6 range; 8 and 9 space-based azimuth/elevation and right
ascension/declination (range optional) with the sensor's EFG position. Type 7 is not in the
published layout and is refused.

A negative value carries its sign on its leading digit: either a '-' in place of that digit
(a leading zero) or the digit overpunched, '}' (or ']') for 0 and 'J' to 'R' for 1 to 9. The
equinox of right ascension and declination (column 76): '0' or blank is the equator and
equinox of the observation's date (stored as frame TEME), '2' J2000; '1' (0 January of the
year) and '3' (B1950) are refused.

:func:`parse_card` / :func:`format_card` read and write every type, EFG position included.
:func:`read_b3` turns cards into observation records: space-based cards (types 8, 9) are
refused, since a stored observation's sensor sits at a fixed site; so are cards classified
above UNCLASSIFIED, whose marking a delivery cannot lower. The ``))`` transmission form is
refused. :func:`write_b3` writes records as cards of types 0-3, 5 and 6.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TextIO

from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations_common import ObservationRecord, build_record
from catalog.formats.tle import from_alpha5, to_alpha5

__all__ = [
    "B3_NAMES",
    "B3Card",
    "B3Error",
    "format_card",
    "looks_like_b3",
    "parse_card",
    "read_b3",
    "write_b3",
]

_WIDTH = 90  # 80 columns, or 90 with the association status and satellite tags (not read)
_NEGATIVE = {"}": 0, "]": 0, **{chr(ord("J") + d - 1): d for d in range(1, 10)}}
_NEGATIVE_OUT = {0: "}", **{d: chr(ord("J") + d - 1) for d in range(1, 10)}}
_CARD = re.compile(r"[UCST][0-9A-Z][0-9 ]{4}[0-9 ]{3}\d{5}[0-9 ]{9}")
_ANGLES = {1: "azel", 2: "azel", 3: "azel", 4: "azel", 8: "azel", 5: "radec", 9: "radec"}
_RANGE = {2, 3, 4, 6}  # range required; optional for 8 and 9
_RATE = {0, 3, 4}
_SPACE_BASED = {8, 9}
_EQUINOX_IN = {" ": "TEME", "0": "TEME", "2": "J2000"}
_EQUINOX_OUT = {"TEME": "0", "J2000": "2", "EME2000": "2"}
B3_NAMES = {
    "ob_time": "TIME",
    "sensor_ref": "SENSOR",
    "sat_no": "SATELLITE",
    "azimuth_deg": "AZIMUTH",
    "elevation_deg": "ELEVATION",
    "ra_deg": "RIGHT_ASCENSION",
    "declination_deg": "DECLINATION",
    "range_km": "RANGE",
    "range_rate_km_s": "RANGE_RATE",
    "frame": "EQUINOX",
}


class B3Error(ValueError):
    """A card that cannot be read or written; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class B3Card:
    """One B3 card in catalog units (right ascension in degrees)."""

    obs_type: int
    sat_no: int
    sensor: int
    time: datetime
    classification: str = "U"
    elevation_deg: float | None = None  # declination for types 5 and 9
    azimuth_deg: float | None = None  # right ascension for types 5 and 9
    range_km: float | None = None
    range_rate_km_s: float | None = None
    sensor_efg_km: tuple[float, float, float] | None = None
    equinox: str = " "


def looks_like_b3(line: str) -> bool:
    """Whether a line has the shape of a B3 card (for format detection)."""
    return len(line.rstrip()) >= 75 and _CARD.match(line) is not None


def _signed(text: str, decimals: int, field: str) -> float:
    """A fixed-point field whose leading digit may be overpunched for a negative sign."""
    if not text.strip():
        raise B3Error(field, "is blank")
    first, rest = text[0], text[1:]
    sign = 1.0
    if first in _NEGATIVE:
        sign, first = -1.0, str(_NEGATIVE[first])
    elif first == "-":
        sign, first = -1.0, "0"
    digits = (first + rest).replace(" ", "0")
    if not digits.isdigit():
        raise B3Error(field, f"{text!r} is not a number (digits, a negative sign '-' or overpunched)")
    return sign * int(digits) / 10**decimals


def _unsigned(text: str, decimals: int, field: str) -> float:
    if not text.replace(" ", "").isdigit():
        raise B3Error(field, f"{text!r} is not an unsigned number")
    return int(text.replace(" ", "0")) / 10**decimals


def _format_signed(value: float, width: int, decimals: int, field: str, dash: bool = False) -> str:
    """Fixed point, a negative sign overpunched on the leading digit (``dash``: a leading zero
    becomes '-', as published range-rates are written)."""
    scaled = round(abs(value) * 10**decimals)
    text = f"{scaled:0{width}d}"
    if len(text) > width:
        raise B3Error(field, f"{value!r} does not fit {width} columns")
    if value < 0 and scaled:
        text = ("-" if dash and text[0] == "0" else _NEGATIVE_OUT[int(text[0])]) + text[1:]
    return text


def _format_unsigned(value: float, width: int, decimals: int, field: str) -> str:
    if value < 0:
        raise B3Error(field, f"{value!r} cannot be negative")
    text = f"{round(value * 10**decimals):0{width}d}"
    if len(text) > width:
        raise B3Error(field, f"{value!r} does not fit {width} columns")
    return text


def parse_card(line: str) -> B3Card:
    """Read one card; raises :class:`B3Error` naming the field at fault."""
    card = line.rstrip("\r\n").ljust(_WIDTH)
    if card.startswith("))"):
        raise B3Error("CARD", "the B3 transmission form ('))') is not read; send the archive form")
    if len(line.rstrip("\r\n")) > _WIDTH:
        raise B3Error("CARD", f"a card has at most {_WIDTH} columns, found {len(line.rstrip())}")
    classification = card[0]
    if classification not in "UCST":
        raise B3Error("CLASSIFICATION", f"{classification!r} is not U, C, S or T")
    type_text = card[74]
    if not type_text.isdigit():
        raise B3Error("OBS_TYPE", f"column 75 {type_text!r} is not an observation type 0-9")
    obs_type = int(type_text)
    if obs_type == 7:
        raise B3Error("OBS_TYPE", "observation type 7 is not in the published layout")
    try:
        sat_no = from_alpha5(card[1:6])
    except ValueError:
        raise B3Error("SATELLITE", f"{card[1:6]!r} is not a satellite number") from None
    if not card[6:9].strip().isdigit():
        raise B3Error("SENSOR", f"{card[6:9]!r} is not a sensor number")
    try:
        year = int(card[9:11])
        year += 2000 if year <= 50 else 1900
        day, hour, minute = int(card[11:14]), int(card[14:16]), int(card[16:18])
        millis = int(card[18:23])
        if not (1 <= day <= 366 and hour < 24 and minute < 60 and millis < 60_000):
            raise ValueError("out of range")
        time = datetime(year, 1, 1, tzinfo=UTC) + timedelta(
            days=day - 1, hours=hour, minutes=minute, milliseconds=millis
        )
        if time.year != year:
            raise ValueError("day past the end of the year")
    except ValueError:
        raise B3Error("TIME", f"{card[9:23]!r} is not YYDDDHHMMSSsss") from None

    values: dict[str, object] = {}
    kind = _ANGLES.get(obs_type)
    if kind is not None:
        values["elevation_deg"] = _signed(card[23:29], 4, "DECLINATION" if kind == "radec" else "ELEVATION")
        if kind == "azel":
            values["azimuth_deg"] = _unsigned(card[30:37], 4, "AZIMUTH")
        else:
            ra = card[30:37]
            if not ra.isdigit() or int(ra[0:2]) >= 24 or int(ra[2:4]) >= 60 or int(ra[4:7]) >= 600:
                raise B3Error("RIGHT_ASCENSION", f"{ra!r} is not HHMMSSS")
            values["azimuth_deg"] = (int(ra[0:2]) + int(ra[2:4]) / 60 + int(ra[4:7]) / 36_000) * 15.0
            if card[75] not in _EQUINOX_IN:
                raise B3Error("EQUINOX", f"equinox {card[75]!r} is not read (0 of date or 2 J2000)")
    if obs_type in _RANGE or (obs_type in _SPACE_BASED and card[38:45].strip()):
        exponent = card[45]
        if exponent != " " and not exponent.isdigit():
            raise B3Error("RANGE", f"range exponent {exponent!r} is not a digit")
        power = int(exponent.strip() or 0) - 5  # RR.RRRRR times ten to the exponent
        digits = round(_unsigned(card[38:45], 0, "RANGE"))
        values["range_km"] = digits * 10**power if power >= 0 else digits / 10**-power
    if obs_type in _RATE:
        values["range_rate_km_s"] = _signed(card[47:54], 5, "RANGE_RATE")
    if obs_type in _SPACE_BASED:
        x, y, z = (_signed(card[a : a + 9], 3, "SENSOR_POSITION") for a in (46, 55, 64))
        values["sensor_efg_km"] = (x, y, z)
    return B3Card(
        obs_type=obs_type,
        sat_no=sat_no,
        sensor=int(card[6:9]),
        time=time,
        classification=classification,
        equinox=card[75] if kind == "radec" else " ",
        **values,  # type: ignore[arg-type]
    )


def format_card(card: B3Card) -> str:
    """The 80 columns of a card; raises :class:`B3Error` for a value that does not fit."""
    if card.obs_type not in range(10) or card.obs_type == 7:
        raise B3Error("OBS_TYPE", f"observation type {card.obs_type} cannot be written")
    try:
        satellite = to_alpha5(card.sat_no)
    except ValueError as exc:
        raise B3Error("SATELLITE", str(exc)) from None
    if not 0 <= card.sensor <= 999:
        raise B3Error("SENSOR", f"sensor number {card.sensor} does not fit three columns")
    exact = card.time.astimezone(UTC)
    time = exact.replace(microsecond=0) + timedelta(milliseconds=round(exact.microsecond / 1000))
    if not 1951 <= time.year <= 2050:
        raise B3Error("TIME", f"year {time.year} is outside the two-digit range 1951-2050")
    day = time.timetuple().tm_yday
    millis = time.second * 1000 + time.microsecond // 1000
    cols = [" "] * 80
    head = f"{card.classification}{satellite}{card.sensor:03d}{time.year % 100:02d}{day:03d}"
    head += f"{time.hour:02d}{time.minute:02d}{millis:05d}"
    cols[0:23] = head
    kind = _ANGLES.get(card.obs_type)
    if kind is not None:
        if card.elevation_deg is None or card.azimuth_deg is None:
            raise B3Error("ELEVATION", f"observation type {card.obs_type} needs both angles")
        cols[23:29] = _format_signed(card.elevation_deg, 6, 4, "ELEVATION")
        if kind == "azel":
            cols[30:37] = _format_unsigned(card.azimuth_deg, 7, 4, "AZIMUTH")
        else:
            tenths = round(card.azimuth_deg / 15.0 * 36_000) % (24 * 36_000)
            hours, rest = divmod(tenths, 36_000)
            minutes, seconds = divmod(rest, 600)
            cols[30:37] = f"{hours:02d}{minutes:02d}{seconds:03d}"
            cols[75] = card.equinox
    if card.range_km is not None:
        exponent = 0
        while card.range_km / 10**exponent >= 99.999995 and exponent < 9:
            exponent += 1
        cols[38:45] = _format_unsigned(card.range_km / 10**exponent, 7, 5, "RANGE")
        cols[45] = str(exponent) if exponent else " "
    elif card.obs_type in _RANGE:
        raise B3Error("RANGE", f"observation type {card.obs_type} needs a range")
    if card.obs_type in _RATE:
        if card.range_rate_km_s is None:
            raise B3Error("RANGE_RATE", f"observation type {card.obs_type} needs a range-rate")
        cols[47:54] = _format_signed(card.range_rate_km_s, 7, 5, "RANGE_RATE", dash=True)
    if card.obs_type in _SPACE_BASED:
        if card.sensor_efg_km is None:
            raise B3Error("SENSOR_POSITION", f"observation type {card.obs_type} needs the sensor position")
        for start, value in zip((46, 55, 64), card.sensor_efg_km, strict=True):
            cols[start : start + 9] = _format_signed(value, 9, 3, "SENSOR_POSITION")
    cols[74] = str(card.obs_type)
    return "".join(cols).rstrip()


# --------------------------------------------------------------------- records


def _record(card: B3Card, index: int, line: int) -> ObservationRecord | RecordError:
    if card.obs_type in _SPACE_BASED:
        return RecordError(
            index,
            line,
            "OBS_TYPE",
            f"observation type {card.obs_type} is space-based: its sensor position is read, but a "
            "stored observation's sensor is at a fixed site",
        )
    if card.classification != "U":
        return RecordError(
            index,
            line,
            "CLASSIFICATION",
            f"the card is classified {card.classification}; only unclassified cards are read, "
            "since a delivery's marking cannot lower a card's",
        )
    raw: dict[str, object] = {
        "ob_time": card.time,
        "sat_no": card.sat_no,
        "sensor_ref": str(card.sensor),
        "range_km": card.range_km,
        "range_rate_km_s": card.range_rate_km_s,
    }
    if _ANGLES.get(card.obs_type) == "azel":
        raw["azimuth_deg"], raw["elevation_deg"] = card.azimuth_deg, card.elevation_deg
    elif _ANGLES.get(card.obs_type) == "radec":
        raw["ra_deg"], raw["declination_deg"] = card.azimuth_deg, card.elevation_deg
        raw["frame"] = _EQUINOX_IN[card.equinox]
    return build_record(index, line, {k: v for k, v in raw.items() if v is not None}, B3_NAMES)


def read_b3(lines: Iterable[str]) -> Iterator[ObservationRecord | RecordError]:
    """Read B3 cards, one record (or record error) per card; blank and '#' lines are skipped."""
    index = 0
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        index += 1
        try:
            card = parse_card(line)
        except B3Error as exc:
            if index == 1 and exc.field == "CARD" and line.startswith("))"):
                raise FormatError(f"line {number}: {exc}") from None
            yield RecordError(index, number, exc.field, str(exc))
            continue
        yield _record(card, index, number)


def card_of(record: ObservationRecord) -> B3Card:
    """The B3 card of a record; raises :class:`B3Error` for a record B3 cannot carry."""
    if record.sat_no is None:
        raise B3Error("SATELLITE", "B3 needs a satellite number")
    sensor = (record.sensor_ref or "").strip()
    if not sensor.isdigit():
        raise B3Error("SENSOR", f"B3 needs a numeric sensor, found {record.sensor_ref!r}")
    has_azel = record.azimuth_deg is not None and record.elevation_deg is not None
    has_radec = record.ra_deg is not None and record.declination_deg is not None
    rng, rate = record.range_km, record.range_rate_km_s
    if has_azel and has_radec:
        raise B3Error("AZIMUTH", "a card carries azimuth/elevation or right ascension/declination, not both")
    equinox = " "
    if has_radec:
        if rng is not None or rate is not None:
            raise B3Error("RANGE", "a type 5 card carries no range or range-rate")
        equinox_code = _EQUINOX_OUT.get((record.frame or "J2000").upper())
        if equinox_code is None:
            raise B3Error("EQUINOX", f"frame {record.frame} cannot be written (J2000 or TEME)")
        obs_type, equinox = 5, equinox_code
        first, second = record.declination_deg, record.ra_deg
    elif has_azel:
        if rate is not None and rng is None:
            raise B3Error("RANGE", "a range-rate with angles needs a range (type 3)")
        obs_type = 3 if rate is not None else 2 if rng is not None else 1
        first, second = record.elevation_deg, record.azimuth_deg
    else:
        obs_type = 6 if rng is not None and rate is None else 0 if rate is not None and rng is None else -1
        if obs_type < 0:
            raise B3Error("RANGE", "range with range-rate but no angles has no B3 type")
        first = second = None
    return B3Card(
        obs_type=obs_type,
        sat_no=record.sat_no,
        sensor=int(sensor),
        time=record.ob_time,
        elevation_deg=first,
        azimuth_deg=second,
        range_km=rng if obs_type in (2, 3, 6) else None,
        range_rate_km_s=rate if obs_type in (0, 3) else None,
        equinox=equinox,
    )


def write_b3(records: Iterable[ObservationRecord], out: TextIO) -> int:
    """Write records as B3 cards, one a line; return the count.

    Raises :class:`FormatError` naming the record and field B3 cannot carry (no satellite
    number, a sensor number above 999, a frame other than J2000 or TEME, values beyond the
    columns). Uncertainties, magnitudes, RCS and ids are not carried.
    """
    count = 0
    for record in records:
        try:
            line = format_card(card_of(record))
        except B3Error as exc:
            raise FormatError(f"record {record.index}: field {exc.field}: {exc}") from None
        out.write(line + "\n")
        count += 1
    return count
