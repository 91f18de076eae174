"""Reference-frame conversions: TEME -> Earth-fixed -> topocentric.

Conventions and their error budget
----------------------------------
* Earth-fixed (``ecef``) here is the pseudo-Earth-fixed frame of Vallado:
  TEME rotated by the IAU-82 GMST. Polar motion is ignored here. Polar motion is
  below about 0.5 arcsec, so a WGS84 site lands at most about 15-20 m from its
  true ITRF place (14" / 11 m / 0.42 m/s in LEO). Calibration-grade predictions
  use :mod:`catalog.astro.orientation`, which applies UT1 - UTC and polar motion
  from an IERS table, and :mod:`catalog.astro.predict` for light time,
  aberration and refraction.
* GMST needs UT1. Every function that rotates the Earth takes ``dut1_s``
  (UT1 - UTC, seconds, scalar or broadcastable array), defaulting to 0. UT1-UTC
  stays within 0.9 s, that is 13.5 arcsec of Earth rotation, or up to 0.42 km
  of site displacement. At 500 km range that is up to about 0.05 deg in
  azimuth, so pass ``dut1_s`` from IERS Bulletin A when accuracy matters.
* Times are UTC Julian dates split as ``(jd, fr)`` (see ``propagation.utc_to_jd_fr``).
  Precession and nutation are evaluated at UTC rather than TT. The 69 s gap
  moves them by less than 0.001 arcsec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
EARTH_ROTATION_RAD_S = 7.292115146706979e-5
SECONDS_PER_DAY = 86400.0
_DEG = math.pi / 180.0
_ARCSEC = _DEG / 3600.0
_J2000 = 2451545.0


@dataclass(frozen=True)
class GroundSite:
    """A sensor site on the WGS84 ellipsoid."""

    lat_deg: float
    lon_deg: float
    alt_km: float = 0.0
    ecef_km: FloatArray = field(init=False, repr=False, compare=False)
    enu_matrix: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ecef_km", geodetic_to_ecef(self.lat_deg, self.lon_deg, self.alt_km))
        object.__setattr__(self, "enu_matrix", enu_rotation(self.lat_deg, self.lon_deg))


@dataclass(frozen=True)
class LookAngles:
    """Topocentric observables, each shaped like the input positions minus the last axis."""

    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    range_km: FloatArray
    range_rate_km_s: FloatArray


def _to_0_360(angle_deg: FloatArray) -> FloatArray:
    """Angles from arctan2 (-180..180] into [0, 360); -1e-20 must not become 360."""
    shifted = np.where(angle_deg < 0.0, angle_deg + 360.0, angle_deg)
    return np.where(shifted >= 360.0, 0.0, shifted)


def geodetic_to_ecef(lat_deg: ArrayLike, lon_deg: ArrayLike, alt_km: ArrayLike) -> FloatArray:
    """WGS84 geodetic latitude/longitude (deg) and height (km) to ECEF (km), shape ``[..., 3]``."""
    lat = np.asarray(lat_deg, dtype=np.float64) * _DEG
    lon = np.asarray(lon_deg, dtype=np.float64) * _DEG
    alt = np.asarray(alt_km, dtype=np.float64)
    sin_lat = np.sin(lat)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * sin_lat**2)
    x = (n + alt) * np.cos(lat) * np.cos(lon)
    y = (n + alt) * np.cos(lat) * np.sin(lon)
    z = (n * (1.0 - WGS84_E2) + alt) * sin_lat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def enu_rotation(lat_deg: float, lon_deg: float) -> FloatArray:
    """Rows are the local east, north and up unit vectors in ECEF."""
    lat = lat_deg * _DEG
    lon = lon_deg * _DEG
    sl, cl = math.sin(lat), math.cos(lat)
    so, co = math.sin(lon), math.cos(lon)
    return np.array(
        [
            [-so, co, 0.0],
            [-sl * co, -sl * so, cl],
            [cl * co, cl * so, sl],
        ]
    )


def gmst82(jd: ArrayLike, fr: ArrayLike, dut1_s: ArrayLike = 0.0) -> FloatArray:
    """Greenwich mean sidereal time (IAU-82, rad in [0, 2pi)) at UTC ``jd + fr``."""
    t_ut1 = (
        (np.asarray(jd, dtype=np.float64) - _J2000)
        + np.asarray(fr, dtype=np.float64)
        + np.asarray(dut1_s, dtype=np.float64) / SECONDS_PER_DAY
    ) / 36525.0
    seconds = (
        67310.54841 + (876600.0 * 3600.0 + 8640184.812866) * t_ut1 + 0.093104 * t_ut1**2 - 6.2e-6 * t_ut1**3
    )
    return np.mod(seconds * (_DEG / 240.0), 2.0 * math.pi)


def _rotate_z(vec: FloatArray, angle: FloatArray) -> FloatArray:
    """Passive rotation about z: coordinates of ``vec`` in axes turned by ``angle``."""
    c = np.cos(angle)
    s = np.sin(angle)
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack(np.broadcast_arrays(c * x + s * y, -s * x + c * y, z), axis=-1)


def _rotate_x(vec: FloatArray, angle: FloatArray) -> FloatArray:
    c = np.cos(angle)
    s = np.sin(angle)
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack(np.broadcast_arrays(x, c * y + s * z, -s * y + c * z), axis=-1)


def _rotate_y(vec: FloatArray, angle: FloatArray) -> FloatArray:
    c = np.cos(angle)
    s = np.sin(angle)
    x, y, z = vec[..., 0], vec[..., 1], vec[..., 2]
    return np.stack(np.broadcast_arrays(c * x - s * z, y, s * x + c * z), axis=-1)


def teme_to_ecef(
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    jd: ArrayLike,
    fr: ArrayLike,
    dut1_s: ArrayLike = 0.0,
) -> tuple[FloatArray, FloatArray]:
    """TEME state (km, km/s) to Earth-fixed state, velocity relative to the rotating Earth.

    ``jd``/``fr`` broadcast against the positions without their last axis, so
    ``[n_sat, n_t, 3]`` positions take ``[n_t]`` times.
    """
    theta = gmst82(jd, fr, dut1_s)
    r = _rotate_z(np.asarray(r_teme, dtype=np.float64), theta)
    v = _rotate_z(np.asarray(v_teme, dtype=np.float64), theta)
    w = EARTH_ROTATION_RAD_S
    v_rel = np.stack((v[..., 0] + w * r[..., 1], v[..., 1] - w * r[..., 0], v[..., 2]), axis=-1)
    return r, v_rel


def ecef_to_teme(
    r_ecef: ArrayLike,
    jd: ArrayLike,
    fr: ArrayLike,
    dut1_s: ArrayLike = 0.0,
) -> FloatArray:
    """Earth-fixed position (km) to TEME position (km)."""
    theta = gmst82(jd, fr, dut1_s)
    return _rotate_z(np.asarray(r_ecef, dtype=np.float64), -theta)


def ecef_to_enu(r_ecef: ArrayLike, site: GroundSite) -> FloatArray:
    """Vector from ``site`` to ``r_ecef`` in local east/north/up axes (km)."""
    rel = np.asarray(r_ecef, dtype=np.float64) - site.ecef_km
    return rel @ site.enu_matrix.T


def look_angles_ecef(r_ecef: ArrayLike, v_ecef: ArrayLike, site: GroundSite) -> LookAngles:
    """Azimuth (deg, from north through east), elevation (deg), range (km), range rate (km/s).

    ``v_ecef`` must be the velocity relative to the rotating Earth (as returned
    by :func:`teme_to_ecef`); the site is at rest in that frame.
    """
    enu = ecef_to_enu(r_ecef, site)
    v_enu = np.asarray(v_ecef, dtype=np.float64) @ site.enu_matrix.T
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horizontal = np.hypot(e, n)
    rng = np.sqrt(horizontal**2 + u**2)
    az = _to_0_360(np.degrees(np.arctan2(e, n)))
    el = np.degrees(np.arctan2(u, horizontal))
    rate = np.einsum("...i,...i->...", enu, v_enu) / rng
    return LookAngles(az, el, rng, rate)


def look_angles(
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    jd: ArrayLike,
    fr: ArrayLike,
    site: GroundSite,
    dut1_s: ArrayLike = 0.0,
) -> LookAngles:
    """TEME states straight to topocentric observables at ``site``; see :func:`look_angles_ecef`.

    Same result as ``look_angles_ecef(*teme_to_ecef(...), site)``, but the
    Earth rotation and the local axes are folded into one matrix per time,
    which avoids building the intermediate ``[..., 3]`` arrays.
    """
    theta = gmst82(jd, fr, dut1_s)
    c = np.cos(theta)
    s = np.sin(theta)
    m = site.enu_matrix
    site_enu = m @ site.ecef_km
    r = np.asarray(r_teme, dtype=np.float64)
    v = np.asarray(v_teme, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    w = EARTH_ROTATION_RAD_S
    vx = v[..., 0] + w * y
    vy = v[..., 1] - w * x
    vz = v[..., 2]
    enu = []
    enu_rate = []
    for i in range(3):
        a = m[i, 0] * c - m[i, 1] * s
        b = m[i, 0] * s + m[i, 1] * c
        enu.append(a * x + b * y + m[i, 2] * z - site_enu[i])
        enu_rate.append(a * vx + b * vy + m[i, 2] * vz)
    e, n, u = enu
    horizontal = np.hypot(e, n)
    rng = np.hypot(horizontal, u)
    az = _to_0_360(np.degrees(np.arctan2(e, n)))
    el = np.degrees(np.arctan2(u, horizontal))
    rate = (e * enu_rate[0] + n * enu_rate[1] + u * enu_rate[2]) / rng
    return LookAngles(az, el, rng, rate)


def site_teme(site: GroundSite, jd: ArrayLike, fr: ArrayLike, dut1_s: ArrayLike = 0.0) -> FloatArray:
    """Site position in TEME (km) at each time, shape ``[..., 3]``."""
    theta = gmst82(jd, fr, dut1_s)
    return _rotate_z(np.broadcast_to(site.ecef_km, (*np.shape(theta), 3)), -theta)


def _nutation_80_leading(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mean obliquity, nutation in longitude and in obliquity (rad).

    Only the six largest IAU-1980 terms are used. The neglected terms add up
    to about 0.15 arcsec at most.
    """
    mean_eps = (84381.448 - 46.8150 * t - 0.00059 * t**2 + 0.001813 * t**3) * _ARCSEC
    node = (125.04452222 - 1934.136260833 * t) * _DEG
    f = (93.27191028 + 483202.017538056 * t) * _DEG
    d = (297.85036306 + 445267.111480278 * t) * _DEG
    l_sun = (357.52772333 + 35999.050340 * t) * _DEG
    l_moon = (134.96298139 + 477198.867398056 * t) * _DEG
    a1 = node
    a2 = 2.0 * f - 2.0 * d + 2.0 * node
    a3 = 2.0 * f + 2.0 * node
    a4 = 2.0 * node
    dpsi = (
        (-171996.0 - 174.2 * t) * np.sin(a1)
        + (-13187.0 - 1.6 * t) * np.sin(a2)
        + (-2274.0 - 0.2 * t) * np.sin(a3)
        + (2062.0 + 0.2 * t) * np.sin(a4)
        + (1426.0 - 3.4 * t) * np.sin(l_sun)
        + (712.0 + 0.1 * t) * np.sin(l_moon)
    ) * (1e-4 * _ARCSEC)
    deps = (
        (92025.0 + 8.9 * t) * np.cos(a1)
        + (5736.0 - 3.1 * t) * np.cos(a2)
        + (977.0 - 0.5 * t) * np.cos(a3)
        + (-895.0 + 0.5 * t) * np.cos(a4)
        + (54.0 - 0.1 * t) * np.cos(l_sun)
        - 7.0 * np.cos(l_moon)
    ) * (1e-4 * _ARCSEC)
    return mean_eps, dpsi, deps


def teme_to_j2000(r_teme: ArrayLike, jd: ArrayLike, fr: ArrayLike) -> FloatArray:
    """Rotate TEME vectors to the J2000 mean equator and equinox.

    This uses IAU-76 precession and the leading IAU-80 nutation terms. It
    agrees with the full IAU-76/80 chain to about 0.2 arcsec, and with the
    GCRS to about 0.2 arcsec more (the 23 mas frame bias is ignored).
    """
    t = ((np.asarray(jd, dtype=np.float64) - _J2000) + np.asarray(fr, dtype=np.float64)) / 36525.0
    mean_eps, dpsi, deps = _nutation_80_leading(t)
    r = np.asarray(r_teme, dtype=np.float64)
    r_tod = _rotate_z(r, -dpsi * np.cos(mean_eps))  # TEME -> true of date (equation of the equinoxes)
    r_mod = _rotate_x(_rotate_z(_rotate_x(r_tod, mean_eps + deps), dpsi), -mean_eps)
    zeta = (2306.2181 * t + 0.30188 * t**2 + 0.017998 * t**3) * _ARCSEC
    theta = (2004.3109 * t - 0.42665 * t**2 - 0.041833 * t**3) * _ARCSEC
    z = (2306.2181 * t + 1.09468 * t**2 + 0.018203 * t**3) * _ARCSEC
    return _rotate_z(_rotate_y(_rotate_z(r_mod, z), -theta), zeta)


def vector_to_radec(vec: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Right ascension in [0, 360) and declination (deg) of a direction ``[..., 3]``."""
    v = np.asarray(vec, dtype=np.float64)
    ra = _to_0_360(np.degrees(np.arctan2(v[..., 1], v[..., 0])))
    dec = np.degrees(np.arctan2(v[..., 2], np.hypot(v[..., 0], v[..., 1])))
    return ra, dec


def topocentric_radec(
    r_teme: ArrayLike,
    jd: ArrayLike,
    fr: ArrayLike,
    site: GroundSite,
    dut1_s: ArrayLike = 0.0,
    frame: Literal["teme", "j2000"] = "teme",
) -> tuple[FloatArray, FloatArray]:
    """Topocentric right ascension and declination (deg) of TEME positions seen from ``site``.

    With ``frame="teme"`` the angles are in the TEME frame of date. That frame
    differs from the true equator and equinox of date only by the equation of
    the equinoxes, the nutation in longitude times cos(obliquity): up to about
    16 arcsec in right ascension over the 18.6-year nutation cycle. It differs from
    J2000 by precession, about 0.014 deg per year since 2000 (about 0.35 deg
    in 2025). ``frame="j2000"`` applies :func:`teme_to_j2000`. Light time and
    aberration are not applied; these are geometric directions.
    """
    rel = np.asarray(r_teme, dtype=np.float64) - site_teme(site, jd, fr, dut1_s)
    if frame == "j2000":
        rel = teme_to_j2000(rel, jd, fr)
    elif frame != "teme":
        raise ValueError(f"unknown frame {frame!r}; expected 'teme' or 'j2000'")
    return vector_to_radec(rel)
