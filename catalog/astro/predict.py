"""Predicted observables of a truth state, with the terms a sensor's data contain.

Each term is its own function (:mod:`orientation`, :mod:`light_time`, :mod:`aberration`,
:mod:`refraction`); this module applies them in order for a radar or an optical sensor. The
truth states are TEME states at the measurement's label time (reception at the site).

A sensor's *statement* says what its delivered data already account for:
``refraction_corrected`` (default True: geometric angles and range, so no refraction is added
to the prediction) and, for optical sensors, ``star_referenced`` (default False: RA/Dec of the
apparent direction, with diurnal aberration; True: reduced against catalog stars, so minus the
annual aberration). Light time is always modelled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from catalog.astro import aberration, light_time, refraction
from catalog.astro.frames import FloatArray, GroundSite, _rotate_z, gmst82, teme_to_j2000, vector_to_radec
from catalog.astro.orientation import (
    EarthOrientation,
    enu_to_look_angles,
    itrf_to_pef,
    site_state_teme,
    teme_to_itrf,
    teme_vector_to_enu,
)


@dataclass(frozen=True)
class Statement:
    """What a sensor's delivered data already contain."""

    refraction_corrected: bool = True
    star_referenced: bool = False


DEFAULT_STATEMENT = Statement()


@dataclass(frozen=True)
class Predicted:
    """Predicted observables (NaN where the sensor kind does not measure them)."""

    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    range_km: FloatArray
    range_rate_km_s: FloatArray
    ra_deg: FloatArray
    dec_deg: FloatArray


def _bend(enu: FloatArray, bending_deg: FloatArray) -> FloatArray:
    """Raise an ENU direction by ``bending_deg`` keeping its azimuth and length."""
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    horizontal = np.hypot(e, n)
    length = np.hypot(horizontal, u)
    el = np.arctan2(u, horizontal) + np.radians(bending_deg)
    scale = length * np.cos(el) / np.where(horizontal > 0, horizontal, 1.0)
    return np.stack((e * scale, n * scale, length * np.sin(el)), axis=-1)


def _enu_to_teme(enu: FloatArray, site: GroundSite, eo: EarthOrientation) -> FloatArray:
    jd, fr = eo.jd_fr
    theta = gmst82(jd, fr, eo.dut1_s)
    itrf = enu @ site.enu_matrix
    return _rotate_z(itrf_to_pef(itrf, eo.xp_rad, eo.yp_rad), -theta)


def radar(
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    site: GroundSite,
    eo: EarthOrientation,
    statement: Statement = DEFAULT_STATEMENT,
) -> Predicted:
    """Range (round trip / 2), range rate, azimuth and elevation of the echo received at the
    states' time; refraction (radio bending and range delay) added unless already corrected."""
    site_r, _site_v = site_state_teme(site, eo)
    trip = light_time.round_trip(r_teme, v_teme, site_r)
    enu = teme_vector_to_enu(trip.rel_down, site, eo)
    look = enu_to_look_angles(enu)
    el = look.elevation_deg
    rng = trip.range_km
    if not statement.refraction_corrected:
        rng = rng + refraction.range_delay_km(el, lat_deg=site.lat_deg, height_km=site.alt_km)
        el = el + refraction.radio_bending_deg(el)
    nan = np.full(rng.shape, np.nan)
    return Predicted(look.azimuth_deg, el, rng, trip.range_rate_km_s, nan, nan)


def optical(
    r_teme: ArrayLike,
    v_teme: ArrayLike,
    site: GroundSite,
    eo: EarthOrientation,
    statement: Statement = DEFAULT_STATEMENT,
) -> Predicted:
    """RA/Dec (J2000 axes) and az/el of the light received at the states' time: light time,
    then diurnal aberration, or star-referenced reduction; optical refraction added to the
    apparent direction unless already corrected (star-referenced RA/Dec carry none: the stars
    are refracted alike)."""
    site_r, site_v = site_state_teme(site, eo)
    leg = light_time.one_way(r_teme, v_teme, site_r)
    apparent = aberration.diurnal(leg.rel, site_v)
    enu = teme_vector_to_enu(apparent, site, eo)
    if not statement.refraction_corrected:
        look = enu_to_look_angles(enu)
        enu = _bend(enu, refraction.optical_bending_deg(look.elevation_deg))
    look = enu_to_look_angles(enu)
    jd, fr = eo.jd_fr
    if statement.star_referenced:
        earth_v = aberration.earth_velocity_km_s(jd, fr)
        direction = teme_to_j2000(aberration.star_referenced(leg.rel, site_v, earth_v), jd, fr)
    else:
        direction = teme_to_j2000(_enu_to_teme(enu, site, eo), jd, fr)
    ra, dec = vector_to_radec(direction)
    nan = np.full(ra.shape, np.nan)
    return Predicted(look.azimuth_deg, look.elevation_deg, nan, nan, ra, dec)


def rates(
    r_teme: ArrayLike, v_teme: ArrayLike, site: GroundSite, eo: EarthOrientation
) -> dict[str, FloatArray]:
    """d(predicted)/dt per observable (deg/s, km/s, km/s^2): the partials of a time bias.

    Analytic rates of the geometric observables (no light time: a partial needs well under
    1 % accuracy, and light time changes a rate by about v/c). The range-rate rate uses
    two-body gravity and the rotating frame's Coriolis and centrifugal terms."""
    r = np.asarray(r_teme, dtype=np.float64)
    v = np.asarray(v_teme, dtype=np.float64)
    r_itrf, v_itrf = teme_to_itrf(r, v, eo)
    m = site.enu_matrix
    enu = (r_itrf - site.ecef_km) @ m.T
    venu = v_itrf @ m.T
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    ve, vn, vu = venu[..., 0], venu[..., 1], venu[..., 2]
    h2 = e * e + n * n
    h = np.sqrt(h2)
    rho2 = h2 + u * u
    rho = np.sqrt(rho2)
    range_rate = (e * ve + n * vn + u * vu) / rho
    w = np.array([0.0, 0.0, light_time.EARTH_ROTATION_RAD_S])
    dist = np.linalg.norm(r_itrf, axis=-1, keepdims=True)
    a_rot = (
        -light_time.MU_KM3_S2 * r_itrf / dist**3
        - 2.0 * np.cross(w, v_itrf)
        - np.cross(w, np.cross(w, r_itrf))
    )
    a_enu = a_rot @ m.T
    speed2 = np.sum(venu * venu, axis=-1)
    range_accel = (speed2 - range_rate**2) / rho + np.einsum("...i,...i->...", enu, a_enu) / rho
    site_r, site_v = site_state_teme(site, eo)
    rel = r - site_r
    vrel = v - site_v
    x, y, z = rel[..., 0], rel[..., 1], rel[..., 2]
    vx, vy, vz = vrel[..., 0], vrel[..., 1], vrel[..., 2]
    q2 = x * x + y * y
    q = np.sqrt(q2)
    deg = 180.0 / np.pi
    return {
        "range": range_rate,
        "range_rate": range_accel,
        "azimuth": (n * ve - e * vn) / h2 * deg,
        "elevation": (vu * h2 - u * (e * ve + n * vn)) / (rho2 * h) * deg,
        "ra": (x * vy - y * vx) / q2 * deg,
        "dec": (vz * q2 - z * (x * vx + y * vy)) / ((q2 + z * z) * q) * deg,
    }
