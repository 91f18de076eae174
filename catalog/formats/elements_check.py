"""Physical checks on element sets and the SGP4 initialisation test."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sgp4.api import SGP4_ERRORS, WGS72, Satrec

from .records import ElementSetRecord

__all__ = [
    "MAX_NORAD_CAT_ID",
    "MIN_MEAN_MOTION",
    "SGP4_EPOCH0",
    "check_ranges",
    "satrec_from_record",
    "sgp4_days_since_1949",
    "sgp4_problem",
]

#: Largest catalog number accepted (nine digits, as in GP records).
MAX_NORAD_CAT_ID = 999_999_999
#: Largest catalog number the sgp4 library (and alpha-5 TLEs) can carry.
MAX_SGP4_SATNUM = 339_999
#: Origin of the epoch argument of ``Satrec.sgp4init``: 1949 December 31 00:00 UT.
SGP4_EPOCH0 = datetime(1949, 12, 31, tzinfo=UTC)

#: Mean motion (rev/day) of an orbit whose semi-major axis is about the radius
#: of the Earth's sphere of influence (~925,000 km); slower is not an Earth orbit.
MIN_MEAN_MOTION = 0.01

_DEG = math.pi / 180.0
_MIN_PER_DAY = 1440.0


def sgp4_days_since_1949(epoch: datetime) -> float:
    """Days since 1949 Dec 31 00:00 UT, the epoch unit of ``sgp4init``."""
    delta = epoch - SGP4_EPOCH0
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400.0


_TEXT_FIELDS = (
    ("OBJECT_NAME", "object_name"),
    ("OBJECT_ID", "object_id"),
    ("OBJECT_TYPE", "object_type"),
    ("COUNTRY_CODE", "country_code"),
    ("SITE", "site"),
    ("RCS_SIZE", "rcs_size"),
)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored (a NUL, a lone UTF-16 surrogate), else None."""
    if "\x00" in text:
        return f"the text contains a NUL character (at position {text.index(chr(0)) + 1})"
    if not text.isascii():
        for char in text:
            if "\ud800" <= char <= "\udfff":
                return f"the text contains a lone surrogate (U+{ord(char):04X}), which is not a character"
    return None


def check_ranges(rec: ElementSetRecord) -> tuple[str, str] | None:
    """Return ``(field, reason)`` for the first unphysical value or unstorable text, else None."""
    for name, attr in _TEXT_FIELDS:
        text = getattr(rec, attr)
        if text and (problem := text_problem(text)):
            return name, problem
    if not 0 < rec.norad_cat_id <= MAX_NORAD_CAT_ID:
        return "NORAD_CAT_ID", f"out of range 1..{MAX_NORAD_CAT_ID}: {rec.norad_cat_id}"
    if rec.epoch.tzinfo is None or rec.epoch.utcoffset() != timedelta(0):
        return "EPOCH", "must be a UTC time"
    floats = (
        ("MEAN_MOTION", rec.mean_motion),
        ("ECCENTRICITY", rec.eccentricity),
        ("INCLINATION", rec.inclination),
        ("RA_OF_ASC_NODE", rec.ra_of_asc_node),
        ("ARG_OF_PERICENTER", rec.arg_of_pericenter),
        ("MEAN_ANOMALY", rec.mean_anomaly),
        ("BSTAR", rec.bstar),
        ("MEAN_MOTION_DOT", rec.mean_motion_dot),
        ("MEAN_MOTION_DDOT", rec.mean_motion_ddot),
    )
    for name, value in floats:
        if not math.isfinite(value):
            return name, f"not a finite number: {value!r}"
    if not rec.mean_motion > 0:
        return "MEAN_MOTION", f"must be positive: {rec.mean_motion!r}"
    if rec.mean_motion < MIN_MEAN_MOTION:
        return "MEAN_MOTION", (
            f"{rec.mean_motion!r} rev/day is below {MIN_MEAN_MOTION}: "
            "the orbit would reach beyond the Earth's sphere of influence"
        )
    if not 0 <= rec.eccentricity < 1:
        return "ECCENTRICITY", f"out of range [0, 1): {rec.eccentricity!r}"
    if not 0 <= rec.inclination <= 180:
        return "INCLINATION", f"out of range [0, 180] deg: {rec.inclination!r}"
    for name, value in floats[3:6]:
        if not 0 <= value <= 360:
            return name, f"out of range [0, 360] deg: {value!r}"
    if rec.classification_type not in ("U", "C", "S"):
        return "CLASSIFICATION_TYPE", f"not U, C or S: {rec.classification_type!r}"
    if not 0 <= rec.ephemeris_type <= 9:
        return "EPHEMERIS_TYPE", f"out of range 0..9: {rec.ephemeris_type}"
    if not 0 <= rec.element_set_no <= 9999:
        return "ELEMENT_SET_NO", f"out of range 0..9999: {rec.element_set_no}"
    if rec.rev_at_epoch < 0:
        return "REV_AT_EPOCH", f"negative: {rec.rev_at_epoch}"
    return None


def satrec_from_record(rec: ElementSetRecord) -> Satrec:
    """Initialise an SGP4 propagator (WGS72, improved mode) from a record.

    The sgp4 library refuses catalog numbers above 339999; such objects are
    initialised with satellite number 0, which does not affect propagation.
    """
    sat = Satrec()
    satnum = rec.norad_cat_id if rec.norad_cat_id <= MAX_SGP4_SATNUM else 0
    sat.sgp4init(
        WGS72,
        "i",
        satnum,
        sgp4_days_since_1949(rec.epoch),
        rec.bstar,
        rec.mean_motion_dot * 2.0 * math.pi / _MIN_PER_DAY**2,
        rec.mean_motion_ddot * 2.0 * math.pi / _MIN_PER_DAY**3,
        rec.eccentricity,
        rec.arg_of_pericenter * _DEG,
        rec.inclination * _DEG,
        rec.mean_anomaly * _DEG,
        rec.mean_motion * 2.0 * math.pi / _MIN_PER_DAY,
        rec.ra_of_asc_node * _DEG,
    )
    return sat


def sgp4_problem(sat: Satrec) -> tuple[str | None, str] | None:
    """Why SGP4 cannot use ``sat`` (initialised already), as ``(field, reason)``.

    None when it propagates at epoch.  The field is MEAN_MOTION for a decayed
    orbit (error 6) or a negative mean motion (error 2), else None.
    """
    code = int(sat.error)
    if code == 0:
        code, r, v = sat.sgp4_tsince(0.0)
        if code == 0 and not all(math.isfinite(x) for x in (*r, *v)):
            return None, "SGP4 gives a non-finite state at epoch"
    if code:
        reason = SGP4_ERRORS.get(code, "unknown error")
        field = "MEAN_MOTION" if code in (2, 6) else None
        return field, f"SGP4 fails at epoch with error {code}: {reason}"
    return None
