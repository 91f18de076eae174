"""Field mapping shared by the OMM encodings (KVN, XML, JSON, CSV).

Field names are the CCSDS 502.0-B-3 OMM keywords, which are also the
Space-Track GP and CelesTrak GP names.  SATCAT-like fields of GP records
(OBJECT_TYPE, COUNTRY_CODE, LAUNCH_DATE, SITE, DECAY_DATE, RCS_SIZE) are read
under their own names or as user-defined parameters (USER_DEFINED_<NAME>).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from .elements_check import check_ranges, satrec_from_record, sgp4_problem
from .errors import RecordError
from .records import ElementSetRecord

__all__ = [
    "CCSDS_OMM_VERS",
    "ELEMENT_FIELDS",
    "SATCAT_FIELDS",
    "UNKNOWN",
    "fields_from_record",
    "format_epoch",
    "format_float",
    "parse_epoch",
    "record_from_fields",
]

CCSDS_OMM_VERS = "3.0"
#: Written for a mandatory OMM text field (OBJECT_NAME, OBJECT_ID) that is unknown.
UNKNOWN = "UNKNOWN"

#: Element-set fields, in the order they are written (CelesTrak GP order).
ELEMENT_FIELDS = (
    "OBJECT_NAME",
    "OBJECT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE",
    "NORAD_CAT_ID",
    "ELEMENT_SET_NO",
    "REV_AT_EPOCH",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
#: SATCAT-like fields of Space-Track GP records.
SATCAT_FIELDS = ("OBJECT_TYPE", "RCS_SIZE", "COUNTRY_CODE", "LAUNCH_DATE", "SITE", "DECAY_DATE")

_EXPECTED_METADATA = {
    "CENTER_NAME": ("EARTH",),
    "REF_FRAME": ("TEME",),
    "TIME_SYSTEM": ("UTC",),
    "MEAN_ELEMENT_THEORY": ("SGP4", "SGP/SGP4"),
}
_EPOCH = re.compile(r"(\d{4})-(?:(\d{2})-(\d{2})|(\d{3}))T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]00:?00)?")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class _FieldError(Exception):
    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_epoch(text: str) -> datetime:
    """CCSDS/ISO epoch (calendar or day-of-year form) to an aware UTC datetime.

    Fractions finer than a microsecond are rounded to the microsecond.
    """
    m = _EPOCH.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not a UTC epoch {text.strip()!r}")
    year, month, day, doy, hour, minute, second, frac, _zone = m.groups()
    if doy is not None:
        if not 1 <= int(doy) <= 366:
            raise ValueError(f"day of year out of range {text.strip()!r}")
        start = datetime(int(year), 1, 1, tzinfo=UTC) + timedelta(days=int(doy) - 1)
    else:
        start = datetime(int(year), int(month), int(day), tzinfo=UTC)
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        raise ValueError(f"time of day out of range {text.strip()!r}")
    micros = _microseconds(frac[1:]) if frac else 0
    return start + timedelta(hours=int(hour), minutes=int(minute), seconds=int(second), microseconds=micros)


def _microseconds(digits: str) -> int:
    """The decimal fraction of a second `0.<digits>` in microseconds, rounded half to even."""
    if len(digits) <= 6:
        return int(digits.ljust(6, "0"))
    scale = 10 ** (len(digits) - 6)
    whole, rest = divmod(int(digits), scale)
    if 2 * rest > scale or (2 * rest == scale and whole % 2):
        whole += 1
    return whole


def format_epoch(epoch: datetime) -> str:
    """Epoch as written by the GP feeds: YYYY-MM-DDThh:mm:ss.ffffff (UTC)."""
    return epoch.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def format_float(value: float) -> str:
    """Shortest text that reads back as the same float."""
    return repr(float(value))


def _text(fields: Mapping[str, object], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        value = fields.get("USER_DEFINED_" + name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _FieldError(name, f"not a text value {value!r}")
    text = str(value).strip()
    return text or None


def _required(fields: Mapping[str, object], name: str) -> object:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _FieldError(name, "missing")
    return value


def _float(fields: Mapping[str, object], name: str) -> float:
    value = _required(fields, name)
    if isinstance(value, bool):
        raise _FieldError(name, f"not a number {value!r}")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond a float's range
            number = math.inf
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _FieldError(name, f"not a number {value.strip()!r}") from None
    else:
        raise _FieldError(name, f"not a number {value!r}")
    if not math.isfinite(number):
        raise _FieldError(name, f"not a finite number {value!r}")
    return number


def _int(fields: Mapping[str, object], name: str, default: int | None = None) -> int:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is None:
            raise _FieldError(name, "missing")
        return default
    if isinstance(value, bool):
        raise _FieldError(name, f"not an integer {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        if len(value.strip()) > 30:  # far beyond any field's range, and Python's digit limit
            raise _FieldError(name, f"integer too large ({len(value.strip())} digits)")
        return int(value.strip())
    shown = value.strip() if isinstance(value, str) else value
    raise _FieldError(name, f"not an integer {shown!r}")


def _date(fields: Mapping[str, object], name: str) -> date | None:
    text = _text(fields, name)
    if text is None:
        return None
    m = _DATE.fullmatch(text)
    try:
        if not m:
            raise ValueError
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise _FieldError(name, f"not a date (YYYY-MM-DD) {text!r}") from None


def _build(fields: Mapping[str, object], record: int) -> ElementSetRecord:
    for name, allowed in _EXPECTED_METADATA.items():
        text = _text(fields, name)
        if text is not None and text.upper() not in allowed:
            raise _FieldError(name, f"must be {' or '.join(allowed)}, not {text!r}")
    epoch_value = _required(fields, "EPOCH")
    if not isinstance(epoch_value, str):
        raise _FieldError("EPOCH", f"not an epoch {epoch_value!r}")
    try:
        epoch = parse_epoch(epoch_value)
    except ValueError as exc:
        raise _FieldError("EPOCH", str(exc)) from None
    classification = _text(fields, "CLASSIFICATION_TYPE") or "U"
    return ElementSetRecord(
        norad_cat_id=_int(fields, "NORAD_CAT_ID"),
        object_name=_text(fields, "OBJECT_NAME"),
        object_id=_text(fields, "OBJECT_ID"),
        epoch=epoch,
        mean_motion=_float(fields, "MEAN_MOTION"),
        eccentricity=_float(fields, "ECCENTRICITY"),
        inclination=_float(fields, "INCLINATION"),
        ra_of_asc_node=_float(fields, "RA_OF_ASC_NODE"),
        arg_of_pericenter=_float(fields, "ARG_OF_PERICENTER"),
        mean_anomaly=_float(fields, "MEAN_ANOMALY"),
        bstar=_float(fields, "BSTAR"),
        mean_motion_dot=_float(fields, "MEAN_MOTION_DOT"),
        mean_motion_ddot=_float(fields, "MEAN_MOTION_DDOT"),
        element_set_no=_int(fields, "ELEMENT_SET_NO", 999),
        rev_at_epoch=_int(fields, "REV_AT_EPOCH", 0),
        ephemeris_type=_int(fields, "EPHEMERIS_TYPE", 0),
        classification_type=classification.upper(),
        object_type=_text(fields, "OBJECT_TYPE"),
        country_code=_text(fields, "COUNTRY_CODE"),
        launch_date=_date(fields, "LAUNCH_DATE"),
        site=_text(fields, "SITE"),
        decay_date=_date(fields, "DECAY_DATE"),
        rcs_size=_text(fields, "RCS_SIZE"),
        record=record,
    )


def record_from_fields(
    fields: Mapping[str, object],
    record: int,
    line: int | None = None,
    field_lines: Mapping[str, int] | None = None,
) -> ElementSetRecord | RecordError:
    """Build and validate one element set from OMM/GP fields (upper-case names).

    Values may be strings (KVN, XML, CSV, Space-Track JSON) or JSON numbers
    (CelesTrak).  ``line`` is where the record starts; ``field_lines`` gives
    the line of individual fields when known.
    """

    def where(field: str | None) -> int | None:
        if field_lines and field and field in field_lines:
            return field_lines[field]
        return line

    try:
        rec = _build(fields, record)
    except _FieldError as exc:
        return RecordError(record, where(exc.field), exc.field, exc.message)
    problem = check_ranges(rec)
    if problem:
        return RecordError(record, where(problem[0]), problem[0], problem[1])
    try:
        sat = satrec_from_record(rec)
    except (ValueError, RuntimeError) as exc:
        return RecordError(record, line, None, f"SGP4 cannot be initialised: {exc}")
    failure = sgp4_problem(sat)
    if failure:
        return RecordError(record, where(failure[0]), failure[0], failure[1])
    return rec


def fields_from_record(rec: ElementSetRecord, satcat: bool = True) -> dict[str, str | None]:
    """OMM/GP fields of ``rec`` as text, in writing order; None for absent values."""
    out: dict[str, str | None] = {
        "OBJECT_NAME": rec.object_name,
        "OBJECT_ID": rec.object_id,
        "EPOCH": format_epoch(rec.epoch),
        "MEAN_MOTION": format_float(rec.mean_motion),
        "ECCENTRICITY": format_float(rec.eccentricity),
        "INCLINATION": format_float(rec.inclination),
        "RA_OF_ASC_NODE": format_float(rec.ra_of_asc_node),
        "ARG_OF_PERICENTER": format_float(rec.arg_of_pericenter),
        "MEAN_ANOMALY": format_float(rec.mean_anomaly),
        "EPHEMERIS_TYPE": str(rec.ephemeris_type),
        "CLASSIFICATION_TYPE": rec.classification_type,
        "NORAD_CAT_ID": str(rec.norad_cat_id),
        "ELEMENT_SET_NO": str(rec.element_set_no),
        "REV_AT_EPOCH": str(rec.rev_at_epoch),
        "BSTAR": format_float(rec.bstar),
        "MEAN_MOTION_DOT": format_float(rec.mean_motion_dot),
        "MEAN_MOTION_DDOT": format_float(rec.mean_motion_ddot),
    }
    if satcat:
        out.update(
            {
                "OBJECT_TYPE": rec.object_type,
                "RCS_SIZE": rec.rcs_size,
                "COUNTRY_CODE": rec.country_code,
                "LAUNCH_DATE": rec.launch_date.isoformat() if rec.launch_date else None,
                "SITE": rec.site,
                "DECAY_DATE": rec.decay_date.isoformat() if rec.decay_date else None,
            }
        )
    return out
