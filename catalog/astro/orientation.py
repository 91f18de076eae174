"""The Earth-orientation-aware frame chain: TEME -> PEF (GMST with UT1) -> ITRF (polar motion).

This is the entry point for calibration-grade predictions. The older functions of
:mod:`catalog.astro.frames` take ``dut1_s`` and ignore polar motion; here both come from an
Earth-orientation table (:mod:`catalog.astro.eop`) for the instants asked for.

Sizes of the two terms in LEO, when ignored: UT1 - UTC (|dUT1| < 0.9 s) up to 56" of
topocentric angle, 43 m of range and 1.27 m/s of range rate with today's value; polar motion
(x_p, y_p up to about 0.5") up to 14", 11 m and 0.42 m/s.

Polar motion follows the IERS convention: the pole of the pseudo-Earth-fixed frame (PEF) lies
at (x_p, -y_p) in ITRF, and ``r_ITRF = R2(-x_p) R1(-y_p) r_PEF`` (TIO locator s' < 0.1 mas,
ignored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from catalog.astro.eop import EopTable, packaged_table
from catalog.astro.frames import (
    EARTH_ROTATION_RAD_S,
    FloatArray,
    GroundSite,
    LookAngles,
    _rotate_x,
    _rotate_y,
    _rotate_z,
    _to_0_360,
    gmst82,
    teme_to_j2000,
    vector_to_radec,
)
from catalog.astro.propagation import utc_to_jd_fr


@dataclass(frozen=True)
class EarthOrientation:
    """UT1 - UTC (s) and polar motion (rad) at a set of UTC instants, with their source."""

    utc: NDArray[np.datetime64]
    dut1_s: FloatArray
    xp_rad: FloatArray
    yp_rad: FloatArray
    source: str

    @property
    def jd_fr(self) -> tuple[FloatArray, FloatArray]:
        return utc_to_jd_fr(self.utc)


def earth_orientation(
    utc: ArrayLike, table: EopTable | None = None, *, nearest: bool = False
) -> EarthOrientation:
    """Earth orientation at each UTC instant from ``table`` (default: the packaged IERS table).

    Raises :class:`catalog.astro.eop.EopError` for an instant outside the table, unless
    ``nearest``: then such an instant takes the values of the table's first or last day (UT1 - UTC
    drifts by under 3 ms a day, i.e. under 0.05" of rotation; for screening work such as
    association gates and pass prediction, not for calibration)."""
    times = np.asarray(utc, dtype="datetime64[us]")
    eop = table if table is not None else packaged_table()
    looked_up = eop.clip(times) if nearest else times
    xp, yp = eop.polar_motion(looked_up)
    return EarthOrientation(times, eop.ut1_minus_utc(looked_up), xp, yp, eop.source)


def pef_to_itrf(r_pef: ArrayLike, xp_rad: ArrayLike, yp_rad: ArrayLike) -> FloatArray:
    """Pseudo-Earth-fixed vectors to ITRF (polar motion; shifts a LEO site view by up to 14")."""
    r = np.asarray(r_pef, dtype=np.float64)
    return _rotate_y(_rotate_x(r, -np.asarray(yp_rad)), -np.asarray(xp_rad))


def itrf_to_pef(r_itrf: ArrayLike, xp_rad: ArrayLike, yp_rad: ArrayLike) -> FloatArray:
    """Inverse of :func:`pef_to_itrf`."""
    r = np.asarray(r_itrf, dtype=np.float64)
    return _rotate_x(_rotate_y(r, np.asarray(xp_rad)), np.asarray(yp_rad))


def teme_to_itrf(r_teme: ArrayLike, v_teme: ArrayLike, eo: EarthOrientation) -> tuple[FloatArray, FloatArray]:
    """TEME state to ITRF state, velocity relative to the rotating Earth (km, km/s)."""
    jd, fr = eo.jd_fr
    theta = gmst82(jd, fr, eo.dut1_s)
    r = _rotate_z(np.asarray(r_teme, dtype=np.float64), theta)
    v = _rotate_z(np.asarray(v_teme, dtype=np.float64), theta)
    w = EARTH_ROTATION_RAD_S
    v_rel = np.stack((v[..., 0] + w * r[..., 1], v[..., 1] - w * r[..., 0], v[..., 2]), axis=-1)
    return pef_to_itrf(r, eo.xp_rad, eo.yp_rad), pef_to_itrf(v_rel, eo.xp_rad, eo.yp_rad)


def itrf_to_teme(r_itrf: ArrayLike, eo: EarthOrientation) -> FloatArray:
    """ITRF positions (km) to TEME positions (km)."""
    jd, fr = eo.jd_fr
    theta = gmst82(jd, fr, eo.dut1_s)
    return _rotate_z(itrf_to_pef(r_itrf, eo.xp_rad, eo.yp_rad), -theta)


def site_state_teme(site: GroundSite, eo: EarthOrientation) -> tuple[FloatArray, FloatArray]:
    """Site position (km) and inertial velocity (km/s, the Earth's rotation) in TEME."""
    shape = (*np.shape(eo.dut1_s), 3)
    r = itrf_to_teme(np.broadcast_to(site.ecef_km, shape), eo)
    w = EARTH_ROTATION_RAD_S
    v = np.stack((-w * r[..., 1], w * r[..., 0], np.zeros(r.shape[:-1])), axis=-1)
    return r, v


def teme_vector_to_enu(rel_teme: ArrayLike, site: GroundSite, eo: EarthOrientation) -> FloatArray:
    """A vector given in TEME axes (e.g. site -> satellite) in the site's east/north/up axes."""
    jd, fr = eo.jd_fr
    theta = gmst82(jd, fr, eo.dut1_s)
    itrf = pef_to_itrf(_rotate_z(np.asarray(rel_teme, dtype=np.float64), theta), eo.xp_rad, eo.yp_rad)
    return itrf @ site.enu_matrix.T


def enu_to_look_angles(enu: ArrayLike, enu_rate: ArrayLike | None = None) -> LookAngles:
    """Azimuth, elevation (deg), range (km) and range rate (km/s, NaN without ``enu_rate``)."""
    vec = np.asarray(enu, dtype=np.float64)
    e, n, u = vec[..., 0], vec[..., 1], vec[..., 2]
    horizontal = np.hypot(e, n)
    rng = np.hypot(horizontal, u)
    az = _to_0_360(np.degrees(np.arctan2(e, n)))
    el = np.degrees(np.arctan2(u, horizontal))
    if enu_rate is None:
        rate = np.full(rng.shape, np.nan)
    else:
        rate = np.einsum("...i,...i->...", vec, np.asarray(enu_rate, dtype=np.float64)) / rng
    return LookAngles(az, el, rng, rate)


def look_angles_eop(
    r_teme: ArrayLike, v_teme: ArrayLike, site: GroundSite, eo: EarthOrientation
) -> LookAngles:
    """Geometric topocentric observables (no light time) with UT1 and polar motion applied."""
    r_itrf, v_itrf = teme_to_itrf(r_teme, v_teme, eo)
    enu = (r_itrf - site.ecef_km) @ site.enu_matrix.T
    return enu_to_look_angles(enu, v_itrf @ site.enu_matrix.T)


def teme_vector_to_radec(
    rel_teme: ArrayLike, eo: EarthOrientation, frame: str = "j2000"
) -> tuple[FloatArray, FloatArray]:
    """RA/Dec (deg) of a TEME direction, in the TEME frame of date or J2000 (see frames)."""
    rel = np.asarray(rel_teme, dtype=np.float64)
    if frame == "j2000":
        jd, fr = eo.jd_fr
        rel = teme_to_j2000(rel, jd, fr)
    elif frame != "teme":
        raise ValueError(f"unknown frame {frame!r}; expected 'teme' or 'j2000'")
    return vector_to_radec(rel)


def look_angles_folded(
    r_teme: ArrayLike, v_teme: ArrayLike, site: GroundSite, eo: EarthOrientation
) -> LookAngles:
    """Same as :func:`look_angles_eop`, with the Earth rotation, polar motion and the site's local
    axes folded into one matrix per instant (no intermediate ``[..., 3]`` arrays): for large grids
    of states, e.g. ``[n_sat, n_t, 3]`` positions against ``[n_t]`` instants."""
    jd, fr = eo.jd_fr
    theta = gmst82(jd, fr, eo.dut1_s)
    c, s = np.cos(theta), np.sin(theta)
    # Rows of the site's ENU axes expressed in PEF, per instant: M W with W = PEF -> ITRF.
    basis = np.broadcast_to(site.enu_matrix, (*np.shape(theta), 3, 3))
    m = np.moveaxis(itrf_to_pef(basis, eo.xp_rad[..., None], eo.yp_rad[..., None]), -2, 0)
    site_enu = site.enu_matrix @ site.ecef_km
    r = np.asarray(r_teme, dtype=np.float64)
    v = np.asarray(v_teme, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    w = EARTH_ROTATION_RAD_S
    vx, vy, vz = v[..., 0] + w * y, v[..., 1] - w * x, v[..., 2]
    enu = []
    enu_rate = []
    for i in range(3):
        a = m[i][..., 0] * c - m[i][..., 1] * s
        b = m[i][..., 0] * s + m[i][..., 1] * c
        enu.append(a * x + b * y + m[i][..., 2] * z - site_enu[i])
        enu_rate.append(a * vx + b * vy + m[i][..., 2] * vz)
    e, n, u = enu
    horizontal = np.hypot(e, n)
    rng = np.hypot(horizontal, u)
    az = _to_0_360(np.degrees(np.arctan2(e, n)))
    el = np.degrees(np.arctan2(u, horizontal))
    rate = (e * enu_rate[0] + n * enu_rate[1] + u * enu_rate[2]) / rng
    return LookAngles(az, el, rng, rate)
