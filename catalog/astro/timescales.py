"""Time scales: UTC, TAI, TT and GPS, converted through the IERS leap-second table.

The table is IERS Bulletin C's ``Leap_Second.dat`` as shipped by the ``astropy-iers-data``
package (read from disk, never downloaded). Offsets: TAI - UTC = the table's value (37 s since
2017), TT - TAI = 32.184 s, TAI - GPS = 19 s. UT1 needs Earth-orientation data and is not here.

Times are numpy ``datetime64[us]`` arrays (or anything ``np.asarray`` turns into one), as in
the rest of ``catalog.astro``. Before 1972 (no integer leap seconds) the scales are refused.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import astropy_iers_data
import numpy as np

TT_MINUS_TAI_S = 32.184
TAI_MINUS_GPS_S = 19.0
SCALES = ("UTC", "TAI", "TT", "GPS")
_MJD_EPOCH = np.datetime64("1858-11-17T00:00:00", "us")


class TimeScaleError(ValueError):
    """A time scale this module cannot convert, or a time outside the leap-second table."""


@cache
def leap_second_table() -> tuple[np.ndarray, np.ndarray, str]:
    """(UTC instants where each TAI-UTC value starts, the values in seconds, the table's
    'File expires on' line) from the packaged Bulletin C table."""
    path = Path(astropy_iers_data.IERS_LEAP_SECOND_FILE)
    starts, offsets, expires = [], [], ""
    for line in path.read_text().splitlines():
        text = line.strip()
        if text.startswith("#"):
            if "expires" in text.lower():
                expires = text.lstrip("# ").strip()
            continue
        if not text:
            continue
        mjd, _day, _month, _year, offset = text.split()
        starts.append(_MJD_EPOCH + np.timedelta64(int(float(mjd) * 86400), "s"))
        offsets.append(float(offset))
    return np.array(starts, dtype="datetime64[us]"), np.array(offsets), expires


def tai_minus_utc(utc: np.ndarray) -> np.ndarray:
    """TAI - UTC in seconds at each UTC instant (37.0 since 2017-01-01)."""
    times = np.asarray(utc, dtype="datetime64[us]")
    starts, offsets, _ = leap_second_table()
    index = np.searchsorted(starts, times, side="right") - 1
    if np.any(index < 0):
        raise TimeScaleError("times before 1972-01-01 have no leap-second offset")
    return offsets[index]


def _offset_from_utc(scale: str, utc: np.ndarray) -> np.ndarray:
    """scale - UTC, in seconds, at the given UTC instants."""
    if scale == "UTC":
        return np.zeros(np.shape(utc))
    tai = tai_minus_utc(utc)
    if scale == "TAI":
        return tai
    if scale == "TT":
        return tai + TT_MINUS_TAI_S
    if scale == "GPS":
        return tai - TAI_MINUS_GPS_S
    raise TimeScaleError(f"unknown time scale {scale!r}: one of {', '.join(SCALES)}")


def _shift(times: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    return times + np.round(np.asarray(seconds) * 1e6).astype("timedelta64[us]")


def from_utc(utc: np.ndarray, scale: str) -> np.ndarray:
    """The same instants labelled in `scale`."""
    times = np.asarray(utc, dtype="datetime64[us]")
    return _shift(times, _offset_from_utc(scale.upper(), times))


def to_utc(times: np.ndarray, scale: str) -> np.ndarray:
    """Instants labelled in `scale` (UTC, TAI, TT or GPS), labelled in UTC.

    The offset is looked up at the UTC instant, found by one correction step from the first
    guess; exact except inside an inserted leap second itself, which UTC labels cannot name."""
    scale = scale.upper()
    labelled = np.asarray(times, dtype="datetime64[us]")
    if scale == "UTC":
        return labelled
    guess = _shift(labelled, -_offset_from_utc(scale, labelled))
    return _shift(labelled, -_offset_from_utc(scale, guess))
