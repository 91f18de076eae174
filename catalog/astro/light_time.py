"""Light time: where the satellite was when the light (or radar echo) left it.

Conventions: a measurement is labelled with its reception time ``t`` at the site. Positions
are in TEME, treated as inertial over the few milliseconds involved (its rotation is below
1e-11 rad over 0.1 s).

Sizes when ignored: the satellite moves ``v * rho / c`` during the light time, 23 m for a LEO
at 1,000 km (6.8" of optical angle) and about 100 m for GEO. A one-way range computed without
it is off by ``rho_dot * rho / c``, 20-140 m for LEO radar passes. Radar range here is the
round trip (transmit -> bounce -> receive) halved.

The satellite state is moved back from ``t`` with a second-order Taylor step using two-body
gravity; over a GEO light time (0.13 s) that step is good to a few millimetres.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from catalog.astro.frames import EARTH_ROTATION_RAD_S, FloatArray

C_KM_S = 299_792.458
MU_KM3_S2 = 398_600.4418
ITERATIONS = 3


def _backdate(r: FloatArray, v: FloatArray, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """State ``dt_s`` seconds earlier (second order, two-body acceleration)."""
    dist = np.linalg.norm(r, axis=-1, keepdims=True)
    acc = -MU_KM3_S2 * r / dist**3
    d = dt_s[..., None]
    return r - v * d + 0.5 * acc * d**2, v - acc * d


def _site_backdate(site_r: FloatArray, dt_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Site position and velocity ``dt_s`` seconds earlier (rotation about TEME z)."""
    angle = -EARTH_ROTATION_RAD_S * dt_s
    c, s = np.cos(angle), np.sin(angle)
    x, y, z = site_r[..., 0], site_r[..., 1], site_r[..., 2]
    r = np.stack((c * x - s * y, s * x + c * y, z), axis=-1)
    w = EARTH_ROTATION_RAD_S
    v = np.stack((-w * r[..., 1], w * r[..., 0], np.zeros_like(z)), axis=-1)
    return r, v


@dataclass(frozen=True)
class OneWay:
    """The satellite state at emission, the site -> satellite vector, and the light time (s)."""

    r_emit: FloatArray
    v_emit: FloatArray
    rel: FloatArray
    tau_s: FloatArray


def one_way(
    r_teme: ArrayLike, v_teme: ArrayLike, site_r_teme: ArrayLike, iterations: int = ITERATIONS
) -> OneWay:
    """Iterated down-leg light time for a reception at the site at the states' time.

    ``r_teme``/``v_teme`` are the satellite state and ``site_r_teme`` the site position at the
    reception time. Three iterations converge to below a micrometre for any Earth orbit."""
    r = np.asarray(r_teme, dtype=np.float64)
    v = np.asarray(v_teme, dtype=np.float64)
    site = np.asarray(site_r_teme, dtype=np.float64)
    tau = np.linalg.norm(r - site, axis=-1) / C_KM_S
    for _ in range(iterations):
        r_emit, v_emit = _backdate(r, v, tau)
        tau = np.linalg.norm(r_emit - site, axis=-1) / C_KM_S
    r_emit, v_emit = _backdate(r, v, tau)
    return OneWay(r_emit, v_emit, r_emit - site, tau)


@dataclass(frozen=True)
class RoundTrip:
    """Radar round trip: range (km) = c * (total time) / 2, its rate, and the bounce geometry."""

    range_km: FloatArray
    range_rate_km_s: FloatArray
    rel_down: FloatArray
    r_bounce: FloatArray
    v_bounce: FloatArray


def round_trip(
    r_teme: ArrayLike, v_teme: ArrayLike, site_r_teme: ArrayLike, iterations: int = ITERATIONS
) -> RoundTrip:
    """Iterated two-leg light time for a radar echo received at the states' time.

    The down leg is :func:`one_way`; the up leg runs from the site at transmission time (the
    site has moved with the Earth meanwhile) to the bounce point. Range rate is half the sum of
    the two legs' rates, each differentiated through its light time."""
    site = np.asarray(site_r_teme, dtype=np.float64)
    down = one_way(r_teme, v_teme, site, iterations)
    up_tau = down.tau_s
    for _ in range(iterations):
        site_tx, _v = _site_backdate(site, down.tau_s + up_tau)
        up_tau = np.linalg.norm(down.r_emit - site_tx, axis=-1) / C_KM_S
    site_tx, site_tx_v = _site_backdate(site, down.tau_s + up_tau)
    _site_rx_r, site_rx_v = _site_backdate(site, np.zeros_like(up_tau))
    up = down.r_emit - site_tx
    u_down = down.rel / np.linalg.norm(down.rel, axis=-1, keepdims=True)
    u_up = up / np.linalg.norm(up, axis=-1, keepdims=True)
    dot = lambda a, b: np.einsum("...i,...i->...", a, b)  # noqa: E731
    # d(c tau_down)/dt and d(c tau_up)/dt, exact for the straight legs (the v/c factors are
    # rho_dot**2 / c, about 0.16 m/s in LEO, so they are kept).
    rate_down = dot(u_down, down.v_emit - site_rx_v) / (1.0 + dot(u_down, down.v_emit) / C_KM_S)
    bounce_clock = 1.0 - rate_down / C_KM_S
    rate_up = bounce_clock * dot(u_up, down.v_emit - site_tx_v) / (1.0 - dot(u_up, site_tx_v) / C_KM_S)
    return RoundTrip(
        range_km=0.5 * C_KM_S * (down.tau_s + up_tau),
        range_rate_km_s=0.5 * (rate_down + rate_up),
        rel_down=down.rel,
        r_bounce=down.r_emit,
        v_bounce=down.v_emit,
    )
