"""Aberration: the shift of an observed direction by the observer's velocity.

* Diurnal aberration, from the site's velocity due to the Earth's rotation (0.465 km/s at
  the equator): up to 0.32" (``v/c`` times the sine of the angle to the velocity). It applies
  to every optical direction measured against the geocentric frame of a satellite.
* Annual aberration, from the Earth's velocity around the Sun (about 29.8 km/s): up to 20.5"
  (20.8" at perihelion). A satellite moves with the Earth, so its light carries no annual
  aberration; catalog stars do. RA/Dec reduced against star positions (star-referenced) are
  therefore shifted by *minus* the annual aberration relative to the geometric direction:
  :func:`star_referenced`.

The relativistic formula is used (second-order terms are below 1 mas here).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from catalog.astro.frames import FloatArray
from catalog.astro.light_time import C_KM_S

AU_KM = 149_597_870.7
_DEG = np.pi / 180.0
_J2000 = 2451545.0


def aberrate(direction: ArrayLike, observer_velocity_km_s: ArrayLike) -> FloatArray:
    """Unit vector seen by an observer moving at ``observer_velocity_km_s`` (same axes)."""
    u = np.asarray(direction, dtype=np.float64)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    beta = np.asarray(observer_velocity_km_s, dtype=np.float64) / C_KM_S
    b2 = np.sum(beta**2, axis=-1, keepdims=True)
    inv_gamma = np.sqrt(1.0 - b2)
    ub = np.sum(u * beta, axis=-1, keepdims=True)
    out = (inv_gamma * u + (1.0 + ub / (1.0 + inv_gamma)) * beta) / (1.0 + ub)
    return out / np.linalg.norm(out, axis=-1, keepdims=True)


def remove_aberration(direction: ArrayLike, observer_velocity_km_s: ArrayLike) -> FloatArray:
    """Inverse of :func:`aberrate`: what a star catalog reduction does to an image position."""
    return aberrate(direction, -np.asarray(observer_velocity_km_s, dtype=np.float64))


def earth_velocity_km_s(jd: ArrayLike, fr: ArrayLike) -> FloatArray:
    """The Earth's heliocentric velocity (km/s) in equatorial axes of date.

    Derivative of the Astronomical Almanac's low-precision solar series; good to about 0.1 %
    (0.02" of annual aberration). The Sun's own motion about the barycentre (about 13 m/s,
    0.009") and the difference between axes of date and J2000 (below 1 mas of aberration) are
    neglected."""
    n = (np.asarray(jd, dtype=np.float64) - _J2000) + np.asarray(fr, dtype=np.float64)
    mean_lon = np.mod(280.460 + 0.9856474 * n, 360.0) * _DEG
    g = np.mod(357.528 + 0.9856003 * n, 360.0) * _DEG
    dg = 0.9856003 * _DEG / 86400.0
    lon = mean_lon + (1.915 * np.sin(g) + 0.020 * np.sin(2.0 * g)) * _DEG
    dlon = 0.9856474 * _DEG / 86400.0 + (1.915 * np.cos(g) + 0.040 * np.cos(2.0 * g)) * _DEG * dg
    dist = (1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2.0 * g)) * AU_KM
    ddist = (0.01671 * np.sin(g) + 0.00028 * np.sin(2.0 * g)) * dg * AU_KM
    eps = (23.439 - 4.0e-7 * n) * _DEG
    # The Earth is opposite the Sun: heliocentric Earth = -(geocentric Sun).
    vx = -(ddist * np.cos(lon) - dist * np.sin(lon) * dlon)
    vy_ecl = -(ddist * np.sin(lon) + dist * np.cos(lon) * dlon)
    return np.stack((vx, np.cos(eps) * vy_ecl, np.sin(eps) * vy_ecl), axis=-1)


def diurnal(direction: ArrayLike, site_velocity_km_s: ArrayLike) -> FloatArray:
    """Direction with diurnal aberration (up to 0.32"): the site's velocity about the axis."""
    return aberrate(direction, site_velocity_km_s)


def star_referenced(
    direction: ArrayLike, site_velocity_km_s: ArrayLike, earth_velocity: ArrayLike
) -> FloatArray:
    """Direction as reduced against catalog stars (astrometric): the satellite's apparent
    direction (diurnal aberration only) with the stars' full aberration (annual + diurnal)
    taken out. Net: about minus the annual aberration, up to 20.8"."""
    apparent = aberrate(direction, site_velocity_km_s)
    total = np.asarray(site_velocity_km_s, dtype=np.float64) + np.asarray(earth_velocity, dtype=np.float64)
    return remove_aberration(apparent, total)
