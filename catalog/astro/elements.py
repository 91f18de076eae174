"""Quantities derived from SGP4 mean elements, vectorized over arrays.

The constants are WGS72, the ones SGP4 element sets are fitted with. Element
sets carry the Kozai mean motion. :func:`semi_major_axis_km` applies Kepler's
third law to it directly, as catalogue listings usually do.
:func:`brouwer_semi_major_axis_km` first recovers the Brouwer mean motion the
way SGP4 initialisation does, which needs eccentricity and inclination. The
two differ by up to about 7 km in low equatorial orbits and about 1 km at GEO.
"""

from __future__ import annotations

import enum
import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

WGS72_MU_KM3_S2 = 398600.8
WGS72_RADIUS_KM = 6378.135
WGS72_J2 = 0.001082616
_XKE = 60.0 / math.sqrt(WGS72_RADIUS_KM**3 / WGS72_MU_KM3_S2)  # sqrt(mu) in er^1.5/min
_REV_PER_DAY_TO_RAD_PER_MIN = 2.0 * math.pi / 1440.0

#: Classification thresholds.
LEO_MAX_PERIOD_MIN = 128.0  # a circular orbit at about 2000 km altitude
GEO_MIN_PERIOD_MIN = 1300.0
GEO_MAX_PERIOD_MIN = 1800.0
HEO_MIN_ECCENTRICITY = 0.25


class OrbitRegime(enum.StrEnum):
    """Orbit regime as assigned by :func:`classify_regime`."""

    LEO = "LEO"
    MEO = "MEO"
    GEO = "GEO"
    HEO = "HEO"
    UNKNOWN = "UNKNOWN"


def _mean_motion(mean_motion_rev_per_day: ArrayLike) -> FloatArray:
    n = np.asarray(mean_motion_rev_per_day, dtype=np.float64)
    return np.where(n > 0.0, n, np.nan)


def period_min(mean_motion_rev_per_day: ArrayLike) -> FloatArray:
    """Orbital period (minutes) from mean motion (rev/day)."""
    return 1440.0 / _mean_motion(mean_motion_rev_per_day)


def semi_major_axis_km(mean_motion_rev_per_day: ArrayLike) -> FloatArray:
    """Keplerian semi-major axis (km) of the given mean motion, WGS72 mu."""
    n_rad_s = _mean_motion(mean_motion_rev_per_day) * (2.0 * math.pi / 86400.0)
    return np.cbrt(WGS72_MU_KM3_S2 / n_rad_s**2)


def brouwer_semi_major_axis_km(
    mean_motion_rev_per_day: ArrayLike, eccentricity: ArrayLike, inclination_deg: ArrayLike
) -> FloatArray:
    """Semi-major axis (km) from the Brouwer mean motion that SGP4 recovers.

    This converts the Kozai mean motion with the first-order J2 relation used
    at SGP4 initialisation.
    """
    n_kozai = _mean_motion(mean_motion_rev_per_day) * _REV_PER_DAY_TO_RAD_PER_MIN
    ecc = np.asarray(eccentricity, dtype=np.float64)
    cos_i = np.cos(np.radians(np.asarray(inclination_deg, dtype=np.float64)))
    one_minus_e2 = 1.0 - ecc**2
    ak = (_XKE / n_kozai) ** (2.0 / 3.0)
    d1 = 0.75 * WGS72_J2 * (3.0 * cos_i**2 - 1.0) / (np.sqrt(one_minus_e2) * one_minus_e2)
    delta = d1 / ak**2
    adel = ak * (1.0 - delta**2 - delta * (1.0 / 3.0 + 134.0 * delta**2 / 81.0))
    delta = d1 / adel**2
    n_brouwer = n_kozai / (1.0 + delta)
    return (_XKE / n_brouwer) ** (2.0 / 3.0) * WGS72_RADIUS_KM


def perigee_altitude_km(mean_motion_rev_per_day: ArrayLike, eccentricity: ArrayLike) -> FloatArray:
    """Perigee height (km) above the WGS72 equatorial radius (6378.135 km)."""
    a = semi_major_axis_km(mean_motion_rev_per_day)
    return a * (1.0 - np.asarray(eccentricity, dtype=np.float64)) - WGS72_RADIUS_KM


def apogee_altitude_km(mean_motion_rev_per_day: ArrayLike, eccentricity: ArrayLike) -> FloatArray:
    """Apogee height (km) above the WGS72 equatorial radius (6378.135 km)."""
    a = semi_major_axis_km(mean_motion_rev_per_day)
    return a * (1.0 + np.asarray(eccentricity, dtype=np.float64)) - WGS72_RADIUS_KM


def classify_regime(mean_motion_rev_per_day: ArrayLike, eccentricity: ArrayLike) -> NDArray[np.str_]:
    """Orbit regime per element set, as strings equal to :class:`OrbitRegime` values.

    * HEO: eccentricity >= 0.25 (highly elliptical: Molniya, GTO, ...), or a
      near-circular orbit with a period above 1800 min (beyond the
      geosynchronous belt).
    * LEO: period < 128 min (apogee below about 2000 km when near-circular).
    * GEO: period 1300-1800 min, which covers geosynchronous orbits of any
      inclination, drifting near-GEO objects and the graveyard orbits.
    * MEO: near-circular orbits in between (GNSS and similar).
    * UNKNOWN: mean motion not positive, or eccentricity outside [0, 1).
    """
    p = period_min(mean_motion_rev_per_day)
    ecc = np.asarray(eccentricity, dtype=np.float64)
    p, ecc = np.broadcast_arrays(p, ecc)
    valid = np.isfinite(p) & (ecc >= 0.0) & (ecc < 1.0)
    elliptical = ecc >= HEO_MIN_ECCENTRICITY
    regime = np.select(
        [
            ~valid,
            elliptical,
            p < LEO_MAX_PERIOD_MIN,
            p < GEO_MIN_PERIOD_MIN,
            p <= GEO_MAX_PERIOD_MIN,
        ],
        [
            OrbitRegime.UNKNOWN.value,
            OrbitRegime.HEO.value,
            OrbitRegime.LEO.value,
            OrbitRegime.MEO.value,
            OrbitRegime.GEO.value,
        ],
        default=OrbitRegime.HEO.value,
    )
    return np.asarray(regime, dtype=np.str_)
