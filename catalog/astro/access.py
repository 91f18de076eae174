"""Access windows of many targets from many sensors over a horizon.

The targets are propagated with one ``SatrecArray`` call per chunk of targets over a coarse time
grid. Each state is turned Earth-fixed with UT1 - UTC and polar motion from `eop`, then tested
against every sensor's field of regard: minimum elevation, azimuth sector, maximum range, and for
optical sensors a dark site (Sun below ``max_sun_elevation_deg``) and a sunlit target.

Cost: a cheap cone test over all (state, sensor) pairs (three float32 scaled adds per sensor)
keeps only the states that may be above a sensor's horizon; the exact topocentric test runs on
those alone, and elevations are computed for the states in view only. The Earth-orientation
terms (GMST on UT1, polar motion, their cosines and sines) are computed once per time grid and
shared by every target chunk and by the refinement. Each rise
and set found between two grid points is refined by bisection on a cubic Hermite interpolation of
the two bracketing SGP4 states (positions and velocities), so refinement costs no further
propagation. Over a 60 s step the interpolation is good to about 1 m in LEO, i.e. a few
milliseconds of rise time; bisection stops at a bracket of 1 s and takes its middle, so rise and
set are within 0.5 s of the crossing of the interpolated orbit.

Limits: an access that begins and ends between two grid points is missed, so ``step_s`` must
stay below the shortest access of interest (60 s is right for scheduling tracks of a minute or
more). The Sun is the low-precision almanac series of `catalog.astro.visibility`
(about 0.01 deg, i.e. under 3 s of twilight timing); the Earth's shadow is a cylinder.

The frame chain here (`teme_to_itrf`) is kept small and local: IAU-82 GMST on UT1 then
polar motion, the pseudo-Earth-fixed convention of Vallado. It can be replaced by the
Earth-orientation-aware functions of `catalog.astro.frames` without changing this module's API.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sgp4.api import Satrec, SatrecArray

from catalog.astro.eop import EopTable, packaged_table
from catalog.astro.frames import EARTH_ROTATION_RAD_S, FloatArray, enu_rotation, geodetic_to_ecef, gmst82
from catalog.astro.propagation import TimeInput, as_datetime64_us, propagate_jd, utc_to_jd_fr
from catalog.astro.visibility import is_sunlit, sun_position_eci

_DEG = math.pi / 180.0
_US = np.timedelta64(1, "us")
# Smallest geocentric radius of a site (km): a little under the WGS84 polar radius, so the
# horizon cone of the prefilter is never narrower than the true one.
_MIN_SITE_RADIUS_KM = 6350.0
_CONE_MARGIN_RAD = 1.0 * _DEG


class AccessError(ValueError):
    """A horizon, a sensor or a target that cannot be used."""


@dataclass(frozen=True)
class FieldOfRegard:
    """Where a sensor is and what it can see.

    The azimuth sector runs clockwise from ``azimuth_min_deg`` to ``azimuth_max_deg`` (300 -> 60
    passes through north); both empty means a full circle. ``optical`` sensors also need a dark
    site and a sunlit target.
    """

    lat_deg: float
    lon_deg: float
    alt_km: float = 0.0
    min_elevation_deg: float = 0.0
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None
    max_range_km: float | None = None
    optical: bool = False
    max_sun_elevation_deg: float = -12.0


@dataclass(frozen=True)
class AccessWindows:
    """Access windows as parallel arrays, sorted by target, sensor, then start.

    ``target`` and ``sensor`` index the lists given to `access_windows`. A window clipped by the
    horizon has ``starts_at_horizon`` / ``ends_at_horizon`` set and the horizon edge as its time.
    ``max_elevation_deg`` is the highest grid sample inside the window.
    """

    target: NDArray[np.intp]
    sensor: NDArray[np.intp]
    start: NDArray[np.datetime64]
    end: NDArray[np.datetime64]
    max_elevation_deg: FloatArray
    starts_at_horizon: NDArray[np.bool_]
    ends_at_horizon: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.target)

    @classmethod
    def empty(cls) -> AccessWindows:
        return cls(
            np.zeros(0, np.intp),
            np.zeros(0, np.intp),
            np.zeros(0, "datetime64[us]"),
            np.zeros(0, "datetime64[us]"),
            np.zeros(0),
            np.zeros(0, bool),
            np.zeros(0, bool),
        )

    @classmethod
    def concatenate(cls, parts: Sequence[AccessWindows]) -> AccessWindows:
        """Join results of disjoint target chunks (indices already global), keeping the order."""
        if not parts:
            return cls.empty()
        joined = cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))
        order = np.lexsort((joined.start, joined.sensor, joined.target))
        return cls(*(getattr(joined, f)[order] for f in _FIELDS))

    def shifted(self, target_offset: int) -> AccessWindows:
        """The same windows with target indices moved by ``target_offset`` (for chunked runs)."""
        return AccessWindows(self.target + target_offset, *(getattr(self, f) for f in _FIELDS[1:]))

    def duration_s(self) -> FloatArray:
        return np.asarray((self.end - self.start) / _US, dtype=np.float64) / 1e6


_FIELDS = (
    "target",
    "sensor",
    "start",
    "end",
    "max_elevation_deg",
    "starts_at_horizon",
    "ends_at_horizon",
)


def teme_to_itrf(r_teme: FloatArray, utc: TimeInput, eop: EopTable | None = None) -> FloatArray:
    """TEME positions ``[n, 3]`` at UTC instants ``[n]`` to ITRF positions (km).

    GMST (IAU-82) at UT1 = UTC + (UT1 - UTC) from `eop`, then polar motion
    ``W = R1(y_p) R2(x_p)`` (active rotations). Ignoring UT1 - UTC moves LEO look angles by up to
    about 0.05 deg; ignoring polar motion by up to about 0.002 deg (see `catalog.astro.eop`).
    """
    table = eop or packaged_table()
    times = np.atleast_1d(as_datetime64_us(utc)).ravel()
    r = np.asarray(r_teme, dtype=np.float64)
    return np.stack(_rotate(_earth_angles(times, table), r[..., 0], r[..., 1], r[..., 2]), axis=-1)


_Angles = tuple[FloatArray, FloatArray, FloatArray]


def _earth_angles(times: NDArray[np.datetime64], table: EopTable) -> _Angles:
    """GMST on UT1, x_p and y_p (rad) at each UTC instant."""
    jd, fr = utc_to_jd_fr(times)
    theta = gmst82(jd, fr, table.ut1_minus_utc(times))
    xp, yp = table.polar_motion(times)
    return theta, xp, yp


# cos and sin of GMST, x_p and y_p.
_Trig = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def _trig(angles: _Angles) -> _Trig:
    theta, xp, yp = angles
    return np.cos(theta), np.sin(theta), np.cos(xp), np.sin(xp), np.cos(yp), np.sin(yp)


def _rotate(
    angles: _Angles, x: FloatArray, y: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Apply ``R1(y_p) R2(x_p) R3(GMST)`` component by component (angles broadcast on x, y, z)."""
    return _rotate_by(_trig(angles), x, y, z)


def _rotate_by(
    trig: _Trig, x: FloatArray, y: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """`_rotate` with the angles' cosines and sines given (a grid computes them once)."""
    c, s, cx, sx, cy, sy = trig
    x1 = c * x + s * y
    y1 = c * y - s * x
    x2 = cx * x1 + sx * z
    z2 = cx * z - sx * x1
    return x2, cy * y1 - sy * z2, sy * y1 + cy * z2


class _Sensors:
    """The sensors' fields of regard as arrays, one entry per sensor."""

    def __init__(self, sensors: Sequence[FieldOfRegard]) -> None:
        for index, sensor in enumerate(sensors):
            if not -90.0 <= sensor.lat_deg <= 90.0 or not -180.0 <= sensor.lon_deg <= 360.0:
                raise AccessError(f"sensor {index}: latitude/longitude out of range")
            if (sensor.azimuth_min_deg is None) != (sensor.azimuth_max_deg is None):
                raise AccessError(f"sensor {index}: give both azimuth limits or neither")
            if not -90.0 < sensor.min_elevation_deg < 90.0:
                raise AccessError(f"sensor {index}: minimum elevation out of range")
        self.fields = list(sensors)
        self.count = len(sensors)
        self.ecef = np.array([geodetic_to_ecef(s.lat_deg, s.lon_deg, s.alt_km) for s in sensors]).reshape(
            -1, 3
        )
        # Rows east, north, up; and the site's own components along each.
        self.enu = np.array([enu_rotation(s.lat_deg, s.lon_deg) for s in sensors]).reshape(-1, 3, 3)
        self.enu_site = np.einsum("sij,sj->si", self.enu, self.ecef)
        self.hat = (self.ecef / np.linalg.norm(self.ecef, axis=1, keepdims=True)).astype(np.float32)
        self.optical = np.array([s.optical for s in sensors], dtype=bool)
        self.sin_min_el = np.sin(np.array([s.min_elevation_deg for s in sensors]) * _DEG)
        self.max_range = np.array([s.max_range_km or np.inf for s in sensors], dtype=np.float64)
        self.has_az = np.array([s.azimuth_min_deg is not None for s in sensors], dtype=bool)
        self.az_lo = np.array([(s.azimuth_min_deg or 0.0) % 360.0 for s in sensors])
        self.az_hi = np.array([(s.azimuth_max_deg or 0.0) % 360.0 for s in sensors])
        self.sin_max_sun = np.sin(np.array([s.max_sun_elevation_deg for s in sensors]) * _DEG)

    def enu_of(
        self, s: int, x: FloatArray, y: FloatArray, z: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        m, c = self.enu[s], self.enu_site[s]
        return (
            m[0, 0] * x + m[0, 1] * y + m[0, 2] * z - c[0],
            m[1, 0] * x + m[1, 1] * y + m[1, 2] * z - c[1],
            m[2, 0] * x + m[2, 1] * y + m[2, 2] * z - c[2],
        )

    def geometric(
        self, s: int, x: FloatArray, y: FloatArray, z: FloatArray
    ) -> tuple[NDArray[np.intp], FloatArray]:
        """Field-of-regard test (no lighting) of ITRF points from sensor ``s``: the indices of the
        points in view and their elevations (deg), computed for those alone."""
        f = self.fields[s]
        e, n, u = self.enu_of(s, x, y, z)
        horizontal_sq = e * e + n * n
        rng = np.sqrt(horizontal_sq + u * u)
        ok = u >= self.sin_min_el[s] * rng
        if f.max_range_km:
            ok &= rng <= f.max_range_km
        if f.azimuth_min_deg is not None and f.azimuth_max_deg is not None:
            sector = np.flatnonzero(ok)
            az = np.degrees(np.arctan2(e[sector], n[sector])) % 360.0
            lo, hi = f.azimuth_min_deg % 360.0, f.azimuth_max_deg % 360.0
            ok[sector] = ((az >= lo) & (az <= hi)) if lo <= hi else ((az >= lo) | (az <= hi))
        seen = np.flatnonzero(ok)
        return seen, np.degrees(np.arctan2(u[seen], np.sqrt(horizontal_sq[seen])))

    def enu_many(
        self, idx: NDArray[np.intp], x: FloatArray, y: FloatArray, z: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        m, c = self.enu[idx], self.enu_site[idx]
        return (
            m[:, 0, 0] * x + m[:, 0, 1] * y + m[:, 0, 2] * z - c[:, 0],
            m[:, 1, 0] * x + m[:, 1, 1] * y + m[:, 1, 2] * z - c[:, 1],
            m[:, 2, 0] * x + m[:, 2, 1] * y + m[:, 2, 2] * z - c[:, 2],
        )

    def sector_ok(self, idx: NDArray[np.intp], e: FloatArray, n: FloatArray) -> NDArray[np.bool_]:
        ok = np.ones(len(idx), dtype=bool)
        limited = np.flatnonzero(self.has_az[idx])
        if len(limited):
            az = np.degrees(np.arctan2(e[limited], n[limited])) % 360.0
            lo, hi = self.az_lo[idx[limited]], self.az_hi[idx[limited]]
            ok[limited] = np.where(lo <= hi, (az >= lo) & (az <= hi), (az >= lo) | (az <= hi))
        return ok

    def dark(self, s: int, sun_itrf: tuple[FloatArray, FloatArray, FloatArray]) -> NDArray[np.bool_]:
        """Sun centre below the sensor's darkness limit, without refraction."""
        e, n, u = self.enu_of(s, *sun_itrf)
        sin_el = u / np.sqrt(e * e + n * n + u * u)
        return np.asarray(sin_el < math.sin(self.fields[s].max_sun_elevation_deg * _DEG))


def access_windows(
    satrecs: Sequence[Satrec],
    sensors: Sequence[FieldOfRegard],
    start: TimeInput,
    end: TimeInput,
    step_s: float = 60.0,
    eop: EopTable | None = None,
    max_states_per_chunk: int = 300_000,
) -> AccessWindows:
    """Access windows of every target from every sensor between ``start`` and ``end`` (UTC).

    Targets whose SGP4 fails at a grid point are out of view there. Raises `AccessError` for an
    empty or reversed horizon or a bad sensor, and `catalog.astro.eop.EopError` for a horizon
    outside the Earth-orientation table.
    """
    table = eop or packaged_table()
    fields = _Sensors(sensors)
    start_us = int(as_datetime64_us(start).astype(np.int64).ravel()[0])
    end_us = int(as_datetime64_us(end).astype(np.int64).ravel()[0])
    if end_us <= start_us:
        raise AccessError("the horizon ends before it starts")
    if step_s <= 0:
        raise AccessError("the grid step must be positive")
    if not satrecs or not sensors:
        return AccessWindows.empty()
    step_us = max(1, round(step_s * 1e6))
    offsets = np.arange(0, end_us - start_us, step_us, dtype=np.int64)
    offsets = np.append(offsets, end_us - start_us)
    grid = _Grid(offsets, np.datetime64(start_us, "us"), table, lighting=bool(fields.optical.any()))
    chunk = max(1, max_states_per_chunk // len(offsets))
    parts = []
    for first in range(0, len(satrecs), chunk):
        block = SatrecArray(list(satrecs[first : first + chunk]))
        r, v, err = propagate_jd(block, grid.jd, grid.fr)
        parts.append(_chunk_windows(fields, grid, r, v, err).shifted(first))
    # Each part is in (target, sensor, start) order over its own, later, targets: joined as they
    # come, the whole is in order without a sort.
    return AccessWindows(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))


class _Grid:
    """The coarse time grid and what depends on time alone."""

    def __init__(self, offsets: NDArray[np.int64], origin: np.datetime64, table: EopTable, lighting: bool):
        self.offsets = offsets
        self.origin = origin
        self.table = table
        self.times = origin + offsets.astype("timedelta64[us]")
        self.jd, self.fr = utc_to_jd_fr(self.times)
        self.angles = _earth_angles(self.times, table)
        self.trig = _trig(self.angles)
        self.sun: FloatArray | None = None
        self.sun_itrf: tuple[FloatArray, FloatArray, FloatArray] | None = None
        if lighting:
            self.sun = sun_position_eci(self.jd, self.fr)
            self.sun_itrf = _rotate_by(self.trig, self.sun[:, 0], self.sun[:, 1], self.sun[:, 2])

    def sun_sin_elevation(self, fields: _Sensors) -> FloatArray | None:
        """Sine of the Sun's elevation ``[n_sensor, n_t]`` at each sensor and grid time."""
        if self.sun_itrf is None:
            return None
        rows = []
        for s in range(fields.count):
            e, n, u = fields.enu_of(s, *self.sun_itrf)
            rows.append(u / np.sqrt(e * e + n * n + u * u))
        return np.array(rows)


def _chunk_windows(
    fields: _Sensors,
    grid: _Grid,
    r: FloatArray,
    v: FloatArray,
    err: NDArray[np.uint8],
) -> AccessWindows:
    _, n_t, _ = r.shape
    if err.any():
        r = np.where((err == 0)[..., None], r, np.nan)
    x, y, z = (a.ravel() for a in _rotate_by(grid.trig, r[..., 0], r[..., 1], r[..., 2]))
    r_flat = r.reshape(-1, 3)
    n_states = len(x)
    radius = np.sqrt(x * x + y * y + z * z)
    # Unit vectors as separate float32 components: three scaled adds beat a [n, 3] @ [3] product
    # (and a [k, 3] @ [3, n] one for k sensors at once).
    ux, uy, uz = ((c / radius).astype(np.float32) for c in (x, y, z))
    reach_cos: dict[float, NDArray[np.float32]] = {}
    candidates: dict[int, NDArray[np.intp]] = {}
    for s, f in enumerate(fields.fields):
        # Cone prefilter: the central angle between target and site must lie inside the
        # horizon circle of the sensor's minimum elevation, widened by a margin.
        if f.min_elevation_deg not in reach_cos:
            eps = f.min_elevation_deg * _DEG
            with np.errstate(invalid="ignore"):
                ratio = np.clip(_MIN_SITE_RADIUS_KM * math.cos(eps) / radius, -1.0, 1.0)
                shrink = eps - _CONE_MARGIN_RAD
                if shrink >= 0:
                    # cos(arccos(ratio) - shrink), expanded: no arccos and cos per state. With
                    # shrink >= 0 the angle never exceeds pi, so it needs no clamp there.
                    cos_reach = ratio * math.cos(shrink) + np.sqrt(1.0 - ratio * ratio) * math.sin(shrink)
                else:
                    cos_reach = np.cos(np.minimum(np.arccos(ratio) - shrink, math.pi))
            reach_cos[f.min_elevation_deg] = cos_reach.astype(np.float32)
        with np.errstate(invalid="ignore"):
            hx, hy, hz = fields.hat[s]
            candidates[s] = np.flatnonzero(ux * hx + uy * hy + uz * hz >= reach_cos[f.min_elevation_deg])
    keys, elevations = [], []
    for s, f in enumerate(fields.fields):
        rows = candidates[s]
        seen, el = fields.geometric(s, x[rows], y[rows], z[rows])
        rows = rows[seen]
        if f.optical and grid.sun is not None and grid.sun_itrf is not None:
            t_idx = rows % n_t
            dark_t = fields.dark(s, grid.sun_itrf)
            lit = dark_t[t_idx] & is_sunlit(r_flat[rows], grid.sun[t_idx])
            rows, el = rows[lit], el[lit]
        # Sensor-major keys: each sensor's rows are already in (target, time) order, so the
        # concatenation is sorted without a sort.
        keys.append(rows + s * n_states)
        elevations.append(el)
    key = np.concatenate(keys)
    if len(key) == 0:
        return AccessWindows.empty()
    el = np.concatenate(elevations)
    # Runs of consecutive visible grid points per (sensor, target).
    new_run = np.r_[True, np.diff(key) != 1] | (key % n_t == 0)
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], len(key)] - 1
    peak = np.maximum.reduceat(el, starts)
    pair = key[starts] // n_t
    n_sat = n_states // n_t
    w_sat = (pair % n_sat).astype(np.intp)
    w_sens = (pair // n_sat).astype(np.intp)
    w_first = (key[starts] % n_t).astype(np.intp)
    w_last = (key[ends] % n_t).astype(np.intp)

    rise = grid.offsets[w_first].copy()
    set_ = grid.offsets[w_last].copy()
    at_start = w_first == 0
    at_end = w_last == n_t - 1
    states = _States(r, v, (x, y, z), grid)
    m = ~at_start
    rise[m] = _refine(fields, states, w_sat[m], w_sens[m], w_first[m] - 1, rising=True)
    m = ~at_end
    set_[m] = _refine(fields, states, w_sat[m], w_sens[m], w_last[m], rising=False)
    # Found sensor by sensor; wanted target by target. A stable sort on (target, sensor) keeps
    # each pair's windows in time order.
    order = np.argsort(w_sat * fields.count + w_sens, kind="stable")
    return AccessWindows(
        w_sat[order],
        w_sens[order],
        grid.origin + rise[order].astype("timedelta64[us]"),
        grid.origin + set_[order].astype("timedelta64[us]"),
        peak[order],
        at_start[order],
        at_end[order],
    )


@dataclass
class _States:
    """One chunk's grid states: TEME position and velocity, ITRF position, and the grid."""

    r: FloatArray
    v: FloatArray
    itrf: tuple[FloatArray, FloatArray, FloatArray]
    grid: _Grid
    sun_sin_el: FloatArray | None = None

    def local(
        self, fields: _Sensors, sat: NDArray[np.intp], sens: NDArray[np.intp], t: NDArray[np.intp]
    ) -> tuple[FloatArray, FloatArray]:
        """Position (km) and velocity relative to the rotating Earth (km/s) in each sensor's ENU."""
        n_t = self.r.shape[1]
        flat = sat * n_t + t
        x, y, z = (c[flat] for c in self.itrf)
        trig: _Trig = tuple(c[t] for c in self.grid.trig)  # type: ignore[assignment]
        vt = self.v[sat, t]
        vx, vy, vz = _rotate_by(trig, vt[:, 0], vt[:, 1], vt[:, 2])
        # The Earth-fixed velocity drops the Earth's rotation (polar motion's share is negligible).
        vx, vy = vx + EARTH_ROTATION_RAD_S * y, vy - EARTH_ROTATION_RAD_S * x
        pos = np.stack(fields.enu_many(sens, x, y, z), axis=-1)
        m = fields.enu[sens]
        vel = np.einsum("kij,kj->ki", m, np.stack((vx, vy, vz), axis=-1))
        return pos, vel


def _refine(
    fields: _Sensors,
    states: _States,
    sat: NDArray[np.intp],
    sens: NDArray[np.intp],
    left: NDArray[np.intp],
    rising: bool,
    tolerance_us: int = 1_000_000,
) -> NDArray[np.int64]:
    """Bisect the crossing between grid points ``left`` and ``left + 1`` of each (target, sensor).

    The topocentric vector is an affine image of the Earth-fixed position, so the Hermite cubic
    of the two bracketing states is built directly in each sensor's east-north-up axes. Optical
    sensors also interpolate the Sun (linearly: 0.04 deg a minute) and the target's TEME position
    for the shadow test.
    """
    if len(sat) == 0:
        return np.zeros(0, np.int64)
    grid = states.grid
    lo = grid.offsets[left]
    hi = grid.offsets[left + 1]
    span_s = (hi - lo).astype(np.float64) / 1e6
    p0, w0 = states.local(fields, sat, sens, left)
    p1, w1 = states.local(fields, sat, sens, left + 1)
    sin_min, max_range = fields.sin_min_el[sens], fields.max_range[sens]
    optical = np.flatnonzero(fields.optical[sens])
    if len(optical) and states.sun_sin_el is None:
        states.sun_sin_el = grid.sun_sin_elevation(fields)
    # The velocities scaled by the bracket once, not at every halving.
    hw0, hw1 = span_s[:, None] * w0, span_s[:, None] * w1
    limited = np.flatnonzero(fields.has_az[sens])
    a, b = lo.copy(), hi.copy()
    while np.any(b - a > tolerance_us):
        mid = (a + b) // 2
        frac = (mid - lo) / 1e6 / span_s
        e, n, u = _hermite_scaled(p0, hw0, p1, hw1, frac).T
        rng = np.sqrt(e * e + n * n + u * u)
        seen = (u >= sin_min * rng) & (rng <= max_range)
        if len(limited):
            seen[limited] &= fields.sector_ok(sens[limited], e[limited], n[limited])
        if len(optical) and grid.sun is not None and states.sun_sin_el is not None:
            k, f = left[optical], frac[optical][:, None]
            s_idx = sens[optical]
            sun_el = states.sun_sin_el[s_idx, k] * (1 - f[:, 0]) + states.sun_sin_el[s_idx, k + 1] * f[:, 0]
            sun = grid.sun[k] * (1 - f) + grid.sun[k + 1] * f
            o_sat = sat[optical]
            r_teme = _hermite(
                states.r[o_sat, k], states.v[o_sat, k], states.r[o_sat, k + 1], states.v[o_sat, k + 1],
                span_s[optical], frac[optical],
            )  # fmt: skip
            seen[optical] &= (sun_el < fields.sin_max_sun[s_idx]) & is_sunlit(r_teme, sun)
        # Rising: in view at the mid point means the crossing is before it.
        to_left = seen if rising else ~seen
        b = np.where(to_left, mid, b)
        a = np.where(to_left, a, mid)
    return (a + b) // 2


def _hermite(
    r0: FloatArray, v0: FloatArray, r1: FloatArray, v1: FloatArray, h_s: FloatArray, frac: FloatArray
) -> FloatArray:
    """Cubic Hermite position at fraction ``frac`` of brackets of ``h_s`` seconds."""
    h = h_s[:, None]
    return _hermite_scaled(r0, h * v0, r1, h * v1, frac)


def _hermite_scaled(
    r0: FloatArray, hv0: FloatArray, r1: FloatArray, hv1: FloatArray, frac: FloatArray
) -> FloatArray:
    """`_hermite` with the velocities already multiplied by their bracket's length."""
    s = frac[:, None]
    s2 = s * s
    s3 = s2 * s
    return (2 * s3 - 3 * s2 + 1) * r0 + (s3 - 2 * s2 + s) * hv0 + (3 - 2 * s) * s2 * r1 + (s3 - s2) * hv1
