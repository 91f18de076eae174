"""Interpolated truth ephemerides (CCSDS OEM states), as a calibration reference.

A segment is a table of states (UTC epochs, position km, velocity km/s) in one frame. It is
interpolated with the method and degree its file states:

* ``LAGRANGE`` of degree N: the polynomial through the N + 1 states nearest the instant, for
  positions and velocities separately;
* ``HERMITE`` of degree N: the polynomial matching positions and velocities at (N + 1) / 2
  states nearest the instant (degree 2m - 1 from m states); the velocity is its derivative.

An instant outside the segment's span (its useable span when the file gives one) is refused:
never extrapolated. States are converted to TEME (the frame the chain starts from) with
:func:`to_teme`: EME2000 / GCRF / ICRF through :func:`catalog.astro.frames.teme_to_j2000`
(good to 0.09" against IAU 2000A, i.e. 3 m at 7,000 km; the 23 mas frame bias between EME2000
and GCRF is not applied), ITRF through Earth orientation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from catalog.astro.frames import (
    EARTH_ROTATION_RAD_S,
    FloatArray,
    _nutation_80_leading,
    _rotate_x,
    _rotate_y,
    _rotate_z,
    gmst82,
)
from catalog.astro.orientation import EarthOrientation, itrf_to_pef

INERTIAL_FRAMES = frozenset({"EME2000", "GCRF", "ICRF"})
FRAMES = INERTIAL_FRAMES | {"TEME", "ITRF"}
METHODS = frozenset({"LAGRANGE", "HERMITE"})
_J2000 = 2451545.0
_ARCSEC = np.pi / (180.0 * 3600.0)


class EphemerisError(ValueError):
    """An ephemeris that cannot be used as stated, or an instant it does not cover."""


@dataclass(frozen=True)
class Segment:
    """States of one OEM segment, epochs in UTC (``datetime64[us]``), strictly increasing."""

    epochs: NDArray[np.datetime64]
    positions_km: FloatArray
    velocities_km_s: FloatArray
    frame: str
    method: str = "LAGRANGE"
    degree: int = 7
    useable_start: np.datetime64 | None = None
    useable_stop: np.datetime64 | None = None

    def __post_init__(self) -> None:
        if self.frame not in FRAMES:
            raise EphemerisError(f"REF_FRAME {self.frame}: expected one of {', '.join(sorted(FRAMES))}")
        if self.method not in METHODS:
            raise EphemerisError(f"INTERPOLATION {self.method}: expected LAGRANGE or HERMITE")
        n = len(self.epochs)
        if n < 2 or np.any(np.diff(self.epochs.astype(np.int64)) <= 0):
            raise EphemerisError("states: at least two, with strictly increasing epochs")
        if self.degree < 1 or self.points > n:
            raise EphemerisError(
                f"INTERPOLATION_DEGREE {self.degree}: needs {self.points} states, the segment has {n}"
            )
        if self.method == "HERMITE" and self.degree % 2 == 0:
            raise EphemerisError(f"INTERPOLATION_DEGREE {self.degree}: Hermite degrees are odd (2m - 1)")

    @property
    def points(self) -> int:
        return self.degree + 1 if self.method == "LAGRANGE" else (self.degree + 1) // 2

    @property
    def start(self) -> np.datetime64:
        return self.useable_start if self.useable_start is not None else self.epochs[0]

    @property
    def stop(self) -> np.datetime64:
        return self.useable_stop if self.useable_stop is not None else self.epochs[-1]

    def covers(self, utc: NDArray[np.datetime64]) -> NDArray[np.bool_]:
        times = np.asarray(utc, dtype="datetime64[us]")
        return (times >= self.start) & (times <= self.stop)

    def interpolate(self, utc: NDArray[np.datetime64]) -> tuple[FloatArray, FloatArray]:
        """Position (km) and velocity (km/s) in the segment's frame at each UTC instant."""
        times = np.asarray(utc, dtype="datetime64[us]")
        if not np.all(self.covers(times)):
            outside = times[~self.covers(times)][0]
            raise EphemerisError(
                f"{outside} is outside the ephemeris span {self.start} to {self.stop}: not extrapolated"
            )
        base = self.epochs[0]
        nodes = (self.epochs - base) / np.timedelta64(1, "s")
        t = (times - base) / np.timedelta64(1, "s")
        m = self.points
        right = np.searchsorted(nodes, t, side="right")
        first = np.clip(right - (m + 1) // 2, 0, len(nodes) - m)
        window = first[:, None] + np.arange(m)[None, :]
        tk = nodes[window]  # [q, m]
        pk = self.positions_km[window]  # [q, m, 3]
        vk = self.velocities_km_s[window]
        if self.method == "LAGRANGE":
            basis = _lagrange_basis(t, tk)
            return np.einsum("qj,qjc->qc", basis, pk), np.einsum("qj,qjc->qc", basis, vk)
        return _hermite(t, tk, pk, vk)


def _lagrange_basis(t: FloatArray, tk: FloatArray) -> FloatArray:
    """L_j(t) for each query row, [q, m]."""
    m = tk.shape[1]
    basis = np.ones_like(tk)
    for j in range(m):
        for k in range(m):
            if k != j:
                basis[:, j] *= (t - tk[:, k]) / (tk[:, j] - tk[:, k])
    return basis


def _lagrange_basis_derivative(t: FloatArray, tk: FloatArray) -> FloatArray:
    """dL_j/dt at t, [q, m], by the product rule (exact at the nodes too)."""
    m = tk.shape[1]
    out = np.zeros_like(tk)
    for j in range(m):
        for skip in range(m):
            if skip == j:
                continue
            term = np.full(t.shape, 1.0 / 1.0) / (tk[:, j] - tk[:, skip])
            for k in range(m):
                if k not in (j, skip):
                    term = term * (t - tk[:, k]) / (tk[:, j] - tk[:, k])
            out[:, j] += term
    return out


def _hermite(t: FloatArray, tk: FloatArray, pk: FloatArray, vk: FloatArray) -> tuple[FloatArray, FloatArray]:
    m = tk.shape[1]
    basis = _lagrange_basis(t, tk)
    dbasis = _lagrange_basis_derivative(t, tk)
    # L_j'(t_j) = sum over k != j of 1 / (t_j - t_k)
    slope = np.zeros_like(tk)
    for j in range(m):
        for k in range(m):
            if k != j:
                slope[:, j] += 1.0 / (tk[:, j] - tk[:, k])
    dt = t[:, None] - tk
    h = (1.0 - 2.0 * dt * slope) * basis**2
    g = dt * basis**2
    dh = -2.0 * slope * basis**2 + (1.0 - 2.0 * dt * slope) * 2.0 * basis * dbasis
    dg = basis**2 + dt * 2.0 * basis * dbasis
    position = np.einsum("qj,qjc->qc", h, pk) + np.einsum("qj,qjc->qc", g, vk)
    velocity = np.einsum("qj,qjc->qc", dh, pk) + np.einsum("qj,qjc->qc", dg, vk)
    return position, velocity


def j2000_to_teme(vec: FloatArray, jd: FloatArray, fr: FloatArray) -> FloatArray:
    """Inverse of :func:`catalog.astro.frames.teme_to_j2000` (same series, same accuracy)."""
    t = ((np.asarray(jd, dtype=np.float64) - _J2000) + np.asarray(fr, dtype=np.float64)) / 36525.0
    mean_eps, dpsi, deps = _nutation_80_leading(t)
    zeta = (2306.2181 * t + 0.30188 * t**2 + 0.017998 * t**3) * _ARCSEC
    theta = (2004.3109 * t - 0.42665 * t**2 - 0.041833 * t**3) * _ARCSEC
    z = (2306.2181 * t + 1.09468 * t**2 + 0.018203 * t**3) * _ARCSEC
    r_mod = _rotate_z(_rotate_y(_rotate_z(np.asarray(vec, dtype=np.float64), -zeta), theta), -z)
    r_tod = _rotate_x(_rotate_z(_rotate_x(r_mod, mean_eps), -dpsi), -(mean_eps + deps))
    return _rotate_z(r_tod, dpsi * np.cos(mean_eps))


def to_teme(frame: str, r: FloatArray, v: FloatArray, eo: EarthOrientation) -> tuple[FloatArray, FloatArray]:
    """States in ``frame`` at the instants of ``eo`` to TEME (velocity inertial in TEME)."""
    jd, fr = eo.jd_fr
    if frame == "TEME":
        return r, v
    if frame in INERTIAL_FRAMES:
        return j2000_to_teme(r, jd, fr), j2000_to_teme(v, jd, fr)
    if frame == "ITRF":
        theta = gmst82(jd, fr, eo.dut1_s)
        r_pef = itrf_to_pef(r, eo.xp_rad, eo.yp_rad)
        v_pef = itrf_to_pef(v, eo.xp_rad, eo.yp_rad)
        w = EARTH_ROTATION_RAD_S
        v_inertial_pef = np.stack(
            (v_pef[..., 0] - w * r_pef[..., 1], v_pef[..., 1] + w * r_pef[..., 0], v_pef[..., 2]), axis=-1
        )
        return _rotate_z(r_pef, -theta), _rotate_z(v_inertial_pef, -theta)
    raise EphemerisError(f"REF_FRAME {frame}: expected one of {', '.join(sorted(FRAMES))}")


@dataclass(frozen=True)
class Ephemeris:
    """One object's truth: segments in file order (none overlapping is required)."""

    object_name: str
    object_id: str
    segments: tuple[Segment, ...]

    @property
    def start(self) -> np.datetime64:
        return min(s.start for s in self.segments)

    @property
    def stop(self) -> np.datetime64:
        return max(s.stop for s in self.segments)

    @property
    def state_count(self) -> int:
        return sum(len(s.epochs) for s in self.segments)

    def teme_states(self, utc: NDArray[np.datetime64], eo: EarthOrientation) -> tuple[FloatArray, FloatArray]:
        """TEME position and velocity at each instant (``eo`` at the same instants)."""
        times = np.asarray(utc, dtype="datetime64[us]")
        r = np.full((times.size, 3), np.nan)
        v = np.full((times.size, 3), np.nan)
        left = np.ones(times.size, dtype=bool)
        for segment in self.segments:
            take = left & segment.covers(times)
            if not take.any():
                continue
            seg_r, seg_v = segment.interpolate(times[take])
            sub = EarthOrientation(eo.utc[take], eo.dut1_s[take], eo.xp_rad[take], eo.yp_rad[take], eo.source)
            r[take], v[take] = to_teme(segment.frame, seg_r, seg_v, sub)
            left &= ~take
        if left.any():
            first = times[left][0]
            raise EphemerisError(
                f"{first} is outside the ephemeris span {self.start} to {self.stop}: not extrapolated"
            )
        return r, v
