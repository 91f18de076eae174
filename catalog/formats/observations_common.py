"""The observation record shared by every observation format, and its field checks.

Each format reader turns one record of its payload into a mapping from
:class:`ObservationRecord` attribute names to raw values (strings from CSV and
TDM, JSON values from UDL-style JSON) and hands it to :func:`build_record`,
which applies the format-level checks (syntax, numbers, time tags, physically
possible angles and ranges) and returns either a record or a
:class:`~catalog.formats.errors.RecordError` naming the field in the format's
own vocabulary.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta, timezone

from catalog.formats.errors import RecordError

__all__ = [
    "DATA_MODES",
    "FLOAT_FIELDS",
    "STRING_FIELDS",
    "ObservationRecord",
    "build_record",
    "format_time",
    "parse_time",
]


@dataclass(frozen=True, kw_only=True)
class ObservationRecord:
    """One sensor observation of one object at one time, in catalog units.

    Angles are degrees, ranges km, range-rates km/s, RCS m^2, SNR dB; every
    ``*_unc_*`` field is the one-sigma uncertainty of the value it follows.
    ``object_ref`` keeps how the file named the object when that is not a plain
    catalog number (a TDM PARTICIPANT_2 designator, UDL ``origObjectId``).
    """

    index: int
    line: int | None = None
    client_id: str | None = None
    sensor_ref: str | None = None
    sat_no: int | None = None
    ob_time: datetime
    range_km: float | None = None
    range_unc_km: float | None = None
    azimuth_deg: float | None = None
    azimuth_unc_deg: float | None = None
    elevation_deg: float | None = None
    elevation_unc_deg: float | None = None
    range_rate_km_s: float | None = None
    range_rate_unc_km_s: float | None = None
    ra_deg: float | None = None
    ra_unc_deg: float | None = None
    declination_deg: float | None = None
    declination_unc_deg: float | None = None
    frame: str | None = None
    magnitude: float | None = None
    rcs_m2: float | None = None
    snr_db: float | None = None
    track_id: str | None = None
    data_mode: str | None = None
    object_ref: str | None = None

    def measurement_fields(self) -> dict[str, float]:
        """The float fields that carry a value."""
        return {name: value for name in FLOAT_FIELDS if (value := getattr(self, name)) is not None}


FLOAT_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in fields(ObservationRecord)
    if f.name
    not in {
        "index",
        "line",
        "ob_time",
        "client_id",
        "sensor_ref",
        "sat_no",
        "frame",
        "track_id",
        "data_mode",
        "object_ref",
    }
)
STRING_FIELDS: tuple[str, ...] = (
    "client_id",
    "sensor_ref",
    "frame",
    "track_id",
    "data_mode",
    "object_ref",
)
DATA_MODES = frozenset({"REAL", "TEST", "EXERCISE", "SIMULATED"})

# No object the portal tracks is farther from a sensor than this (beyond cislunar space): a
# longer range is a unit mistake (light time taken as km, km taken as m), not an observation.
MAX_RANGE_KM = 2_000_000.0

# Closed-open or closed intervals a value must lie in to be physically possible.
_LIMITS: dict[str, tuple[float, float, bool]] = {
    # name: (low, high, high_is_inclusive)
    "azimuth_deg": (0.0, 360.0, False),
    "ra_deg": (0.0, 360.0, False),
    "elevation_deg": (-90.0, 90.0, True),
    "declination_deg": (-90.0, 90.0, True),
}


def _bounds(attr: str) -> tuple[str, float, float, bool, bool]:
    """(attr, low, high, low_is_inclusive, high_is_inclusive): what `_check_limits` lets through."""
    if attr.endswith(("_unc_deg", "_unc_km", "_unc_km_s")):
        return attr, 0.0, math.inf, True, False
    if attr == "range_km":
        return attr, 0.0, MAX_RANGE_KM, False, True
    if attr in _LIMITS:
        low, high, inclusive = _LIMITS[attr]
        return attr, low, high, True, inclusive
    return attr, -math.inf, math.inf, False, False


_PAIRS = (("azimuth_deg", "elevation_deg"), ("ra_deg", "declination_deg"))
_MEASUREMENTS = ("range_km", "azimuth_deg", "range_rate_km_s", "ra_deg")
_FLOAT_BOUNDS = tuple(_bounds(attr) for attr in FLOAT_FIELDS)

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"\+?\d+")
_TIME = re.compile(
    r"(?P<year>\d{4})-(?:(?P<month>\d{2})-(?P<day>\d{2})|(?P<doy>\d{3}))"
    r"[T ](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<frac>\d+))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)


class FieldProblem(ValueError):
    """A value that fails a format-level check (internal to the readers)."""


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 / CCSDS time tag into an aware UTC datetime.

    Accepts ``YYYY-MM-DDThh:mm:ss[.f]`` and the CCSDS day-of-year form
    ``YYYY-DDDThh:mm:ss[.f]``, with an optional ``Z`` or numeric offset; a time
    without zone is taken as UTC. Fractions finer than a microsecond are
    truncated. Leap seconds (``:60``) cannot be represented and are refused.
    """
    m = _TIME.fullmatch(text.strip())
    if m is None:
        raise FieldProblem(f"{text!r} is not an ISO 8601 time (YYYY-MM-DDThh:mm:ss[.ffffff]Z)")
    year, hour, minute, second = map(int, m.group("year", "hour", "minute", "second"))
    if second == 60:
        raise FieldProblem(f"{text!r} is a leap second, which cannot be stored")
    micro = int((m["frac"] or "")[:6].ljust(6, "0"))
    try:
        if m["doy"] is not None:
            doy = int(m["doy"])
            if not 1 <= doy <= (366 if _is_leap(year) else 365):
                raise ValueError(f"day of year {doy} out of range")
            day0 = datetime(year, 1, 1, hour, minute, second, micro)
            naive = day0 + timedelta(days=doy - 1)
        else:
            naive = datetime(year, int(m["month"]), int(m["day"]), hour, minute, second, micro)
    except ValueError as exc:
        raise FieldProblem(f"{text!r} is not a valid time: {exc}") from None
    zone = m["zone"]
    if zone in (None, "Z"):
        return naive.replace(tzinfo=UTC)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if offset >= timedelta(hours=24):
        raise FieldProblem(f"{text!r} has an impossible UTC offset")
    return naive.replace(tzinfo=timezone(sign * offset)).astimezone(UTC)


def format_time(value: datetime, *, zulu: bool = True) -> str:
    """Format an aware datetime as UTC ISO 8601 with microseconds."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text + "Z" if zulu else text


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _to_float(raw: object) -> float:
    if isinstance(raw, bool):
        raise FieldProblem(f"expected a number, got {raw!r}")
    if not isinstance(raw, int | float) and not (isinstance(raw, str) and _NUMBER.fullmatch(raw.strip())):
        raise FieldProblem(f"expected a number, got {raw!r}")
    try:
        value = float(raw)
    except OverflowError:  # an integer beyond a float's range
        value = math.inf
    if math.isinf(value):
        raise FieldProblem("the number is too large for a floating-point value (about 1.8e308 at most)")
    if not math.isfinite(value):
        raise FieldProblem(f"{raw!r} is not a finite number")
    return value


def _to_sat_no(raw: object) -> int:
    if isinstance(raw, bool):
        raise FieldProblem(f"expected a catalog number, got {raw!r}")
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw.strip()):
        if len(raw.strip()) > 12:  # out of range whatever the digits (and past Python's digit limit)
            raise FieldProblem(f"catalog number of {len(raw.strip())} digits is out of range 1..999999999")
        value = int(raw)
    else:
        raise FieldProblem(f"expected a catalog number (a positive integer), got {raw!r}")
    if not 0 < value <= 999_999_999:
        raise FieldProblem(f"catalog number {value} is out of range 1..999999999")
    return value


def _to_string(raw: object) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise FieldProblem(f"expected text, got {raw!r}")
    return check_text(str(raw).strip())


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str) -> str:
    """`text`, unless it holds what no stored text may: a NUL, or a lone UTF-16 surrogate
    (from a JSON escape such as \\ud800), which is not a character and cannot be encoded."""
    if "\x00" in text:
        raise FieldProblem(f"the text contains a NUL character (at position {text.index(chr(0)) + 1})")
    if not text.isascii() and (found := _SURROGATE.search(text)):
        code = ord(found[0])
        raise FieldProblem(f"the text contains a lone surrogate (U+{code:04X}), which is not a character")
    return text


def build_record(
    index: int,
    line: int | None,
    raw: Mapping[str, object],
    names: Mapping[str, str],
) -> ObservationRecord | RecordError:
    """Check the raw values of one record and build it.

    ``raw`` maps :class:`ObservationRecord` attribute names to values as read
    (absent or blank means "not given"); ``names`` maps attribute names to the
    field names of the source format, used in error reports.
    """

    def name(attr: str) -> str:
        return names.get(attr, attr)

    values: dict[str, object] = {}
    current = "ob_time"
    try:
        ob_time = raw.get("ob_time")
        if _is_blank(ob_time):
            raise FieldProblem("the observation time is missing")
        if isinstance(ob_time, datetime):
            if ob_time.tzinfo is None:
                raise FieldProblem("the observation time has no time zone")
            values["ob_time"] = ob_time.astimezone(UTC)
        elif isinstance(ob_time, str):
            values["ob_time"] = parse_time(ob_time)
        else:
            raise FieldProblem(f"expected a time string, got {ob_time!r}")
        current = "sat_no"
        if not _is_blank(raw.get("sat_no")):
            values["sat_no"] = _to_sat_no(raw["sat_no"])
        for attr in STRING_FIELDS:
            if (value := raw.get(attr)) is None:
                continue
            current = attr
            if type(value) is str:
                if text := value.strip():
                    values[attr] = check_text(text)
            elif not _is_blank(value):
                values[attr] = _to_string(value)
        current = "data_mode"
        if (mode := values.get("data_mode")) is not None:
            mode = str(mode).upper()
            if mode not in DATA_MODES:
                raise FieldProblem(f"{mode!r} is not one of {', '.join(sorted(DATA_MODES))}")
            values["data_mode"] = mode
        current = "frame"
        if (frame := values.get("frame")) is not None:
            values["frame"] = str(frame).upper()
        for attr, low, high, low_in, high_in in _FLOAT_BOUNDS:
            if (value := raw.get(attr)) is None:
                continue
            current = attr
            # JSON numbers arrive as floats: only their bounds need a look.
            if type(value) is float:
                number = value
            elif type(value) is str and _NUMBER.fullmatch(value):
                number = float(value)
            else:
                number = None
            # A finite number inside its bounds needs no further look.
            if number is not None and (
                low < number < high or (low_in and number == low) or (high_in and number == high)
            ):
                values[attr] = number
                continue
            if _is_blank(value):
                continue
            number = _to_float(value)
            _check_limits(attr, number)
            values[attr] = number
        for first, second in _PAIRS:
            if (first in values) != (second in values):
                current = second if first in values else first
                given = name(first if first in values else second)
                raise FieldProblem(f"missing, but {given} is given (angles come in pairs)")
        current = "ob_time"
        if not any(attr in values for attr in _MEASUREMENTS):
            raise FieldProblem(
                "the record has no measurement (range, range-rate, azimuth/elevation "
                "or right ascension/declination)"
            )
    except FieldProblem as problem:
        return RecordError(record=index, line=line, field=name(current), message=str(problem))
    return ObservationRecord(index=index, line=line, **values)  # type: ignore[arg-type]


def _check_limits(attr: str, value: float) -> None:
    if attr.endswith("_unc_deg") or attr.endswith("_unc_km") or attr.endswith("_unc_km_s"):
        if value < 0:
            raise FieldProblem(f"an uncertainty cannot be negative ({value})")
        return
    if attr == "range_km" and value <= 0:
        raise FieldProblem(f"range must be positive, got {value} km")
    if attr == "range_km" and value > MAX_RANGE_KM:
        raise FieldProblem(
            f"range {value:.6g} km is beyond {MAX_RANGE_KM:.6g} km, "
            "farther than any tracked object (are its units right?)"
        )
    if attr in _LIMITS:
        low, high, inclusive = _LIMITS[attr]
        ok = low <= value <= high if inclusive else low <= value < high
        if not ok:
            bracket = "]" if inclusive else ")"
            raise FieldProblem(f"{value} is outside [{low:g}, {high:g}{bracket} degrees")
