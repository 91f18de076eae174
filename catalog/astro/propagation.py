"""SGP4 propagation of many element sets over many times at once.

Element sets become one ``SatrecArray``; ``propagate`` evaluates every object at
every time in a single call into the C++ core and returns TEME states.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import WGS72, Satrec, SatrecArray

FloatArray = NDArray[np.float64]

MICROSECONDS_PER_DAY = 86_400_000_000
JD_UNIX_EPOCH = 2440587.5
JD_SGP4_EPOCH_ORIGIN = 2433281.5  # 1949-12-31 00:00 UT, origin of sgp4init's epoch
_UNIX_EPOCH_US = np.datetime64("1970-01-01T00:00:00", "us")
_SGP4_ORIGIN_US = np.datetime64("1949-12-31T00:00:00", "us")

# Conversion factors from TLE-style units to the radian/minute units of sgp4init.
_REV_PER_DAY_TO_RAD_PER_MIN = 2.0 * math.pi / 1440.0
_DEG_TO_RAD = math.pi / 180.0

TimeInput = dt.datetime | np.datetime64 | Sequence[dt.datetime] | NDArray[np.datetime64] | ArrayLike


@dataclass(frozen=True)
class MeanElements:
    """SGP4 mean elements in the units a TLE or OMM uses.

    ``ndot`` and ``nddot`` follow the TLE convention: they are the first
    derivative of mean motion divided by 2 (rev/day^2) and the second divided
    by 6 (rev/day^3). SGP4 itself does not use them; they are carried along so
    that exported element sets keep them.
    """

    catalog_number: int
    epoch: dt.datetime | np.datetime64
    mean_motion_rev_per_day: float
    eccentricity: float
    inclination_deg: float
    raan_deg: float
    arg_perigee_deg: float
    mean_anomaly_deg: float
    bstar: float = 0.0
    ndot: float = 0.0
    nddot: float = 0.0


def as_datetime64_us(times: TimeInput) -> NDArray[np.datetime64]:
    """Return ``times`` as a ``datetime64[us]`` array (UTC).

    Accepts one or many ``datetime`` objects (naive ones are taken as UTC,
    aware ones are converted to UTC) or numpy ``datetime64`` values.
    """
    if isinstance(times, dt.datetime):
        return np.asarray(_datetime_to_datetime64(times))
    if isinstance(times, np.ndarray) and np.issubdtype(times.dtype, np.datetime64):
        return times.astype("datetime64[us]")
    if isinstance(times, np.datetime64):
        return np.asarray(times.astype("datetime64[us]"))
    items = list(times) if isinstance(times, Iterable) else [times]
    return np.array(
        [_datetime_to_datetime64(t) if isinstance(t, dt.datetime) else np.datetime64(t, "us") for t in items],
        dtype="datetime64[us]",
    )


def _datetime_to_datetime64(value: dt.datetime) -> np.datetime64:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return np.datetime64(value, "us")


def utc_to_jd_fr(times: TimeInput) -> tuple[FloatArray, FloatArray]:
    """Split UTC times into a whole-ish Julian date and a day fraction.

    The split keeps microsecond resolution: ``jd`` is always a midnight
    (``x.5``) and ``fr`` is in ``[0, 1)``.
    """
    us = (as_datetime64_us(times) - _UNIX_EPOCH_US).astype(np.int64)
    days, rem = np.divmod(us, MICROSECONDS_PER_DAY)
    jd = JD_UNIX_EPOCH + days.astype(np.float64)
    fr = rem.astype(np.float64) / MICROSECONDS_PER_DAY
    return jd, fr


def jd_fr_to_datetime64(jd: ArrayLike, fr: ArrayLike) -> NDArray[np.datetime64]:
    """Inverse of :func:`utc_to_jd_fr`, rounded to the microsecond."""
    jd_a = np.asarray(jd, dtype=np.float64)
    fr_a = np.asarray(fr, dtype=np.float64)
    whole = np.floor(jd_a - JD_UNIX_EPOCH)
    frac = (jd_a - JD_UNIX_EPOCH - whole) + fr_a
    us = whole.astype(np.int64) * MICROSECONDS_PER_DAY + np.rint(frac * MICROSECONDS_PER_DAY).astype(np.int64)
    return _UNIX_EPOCH_US + us.astype("timedelta64[us]")


def satrec_from_elements(elements: MeanElements) -> Satrec:
    """Initialise one ``Satrec`` (WGS72, improved mode) from mean elements."""
    epoch_us = int((as_datetime64_us(elements.epoch) - _SGP4_ORIGIN_US).astype(np.int64))
    epoch_days = epoch_us / MICROSECONDS_PER_DAY
    satrec = Satrec()
    satrec.sgp4init(
        WGS72,
        "i",
        int(elements.catalog_number),
        epoch_days,
        float(elements.bstar),
        float(elements.ndot) * _REV_PER_DAY_TO_RAD_PER_MIN / 1440.0,
        float(elements.nddot) * _REV_PER_DAY_TO_RAD_PER_MIN / (1440.0 * 1440.0),
        float(elements.eccentricity),
        float(elements.arg_perigee_deg) * _DEG_TO_RAD,
        float(elements.inclination_deg) * _DEG_TO_RAD,
        float(elements.mean_anomaly_deg) * _DEG_TO_RAD,
        float(elements.mean_motion_rev_per_day) * _REV_PER_DAY_TO_RAD_PER_MIN,
        float(elements.raan_deg) * _DEG_TO_RAD,
    )
    return satrec


def satrec_from_tle(line1: str, line2: str) -> Satrec:
    """Parse one TLE line pair (WGS72). Raises ``ValueError`` on a bad pair."""
    satrec = Satrec.twoline2rv(line1.rstrip(), line2.rstrip()[:69], WGS72)
    if satrec.error != 0:
        raise ValueError(f"TLE for {satrec.satnum_str!r} fails SGP4 initialisation (error {satrec.error})")
    return satrec


def satrec_array(satrecs: Sequence[Satrec]) -> SatrecArray:
    """Wrap ``Satrec`` objects for vectorized propagation."""
    return SatrecArray(list(satrecs))


def satrec_array_from_elements(elements: Iterable[MeanElements]) -> SatrecArray:
    """``SatrecArray`` from mean elements, one row per element set, in order."""
    return SatrecArray([satrec_from_elements(e) for e in elements])


def satrec_array_from_tles(pairs: Iterable[tuple[str, str]]) -> SatrecArray:
    """``SatrecArray`` from TLE ``(line1, line2)`` pairs, one row per pair, in order."""
    return SatrecArray([satrec_from_tle(l1, l2) for l1, l2 in pairs])


def propagate_jd(
    sat_array: SatrecArray, jd: ArrayLike, fr: ArrayLike
) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
    """Propagate every object to every ``jd + fr`` (UTC Julian dates).

    Returns TEME position (km) and velocity (km/s) shaped ``[n_sat, n_t, 3]``
    and SGP4 error codes ``[n_sat, n_t]`` (0 means valid; states with a
    non-zero code are NaN).
    """
    jd_a = np.ascontiguousarray(np.atleast_1d(np.asarray(jd, dtype=np.float64)))
    fr_a = np.ascontiguousarray(np.atleast_1d(np.asarray(fr, dtype=np.float64)))
    jd_a, fr_a = np.broadcast_arrays(jd_a, fr_a)
    error, r, v = sat_array.sgp4(np.ascontiguousarray(jd_a), np.ascontiguousarray(fr_a))
    return r, v, error


def propagate(
    sat_array: SatrecArray, times_utc: TimeInput
) -> tuple[FloatArray, FloatArray, NDArray[np.uint8]]:
    """Propagate every object to every UTC time; see :func:`propagate_jd`."""
    jd, fr = utc_to_jd_fr(times_utc)
    return propagate_jd(sat_array, jd.ravel(), fr.ravel())
