"""Pass windows of many satellites over one ground site, and optical visibility.

Passes are found on a coarse time grid propagated for all satellites at once.
Each rise or set found between two grid points is then refined by bisection,
and the culmination by golden-section search. Both refinements run on all
passes together, with one SGP4 call per satellite per step. A pass that
starts and ends between two grid points is missed, so ``step_s`` should stay
well below the shortest pass of interest (30 s is safe for LEO above 10 deg).

Look angles are Earth-orientation aware: UT1 - UTC and polar motion from an IERS table (the
packaged one unless ``eop`` is given; instants past its end take its last day's values).
Ignoring them would move LEO look angles by up to about 0.05 deg (see `catalog.astro.eop`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sgp4.api import Satrec, SatrecArray

from catalog.astro.eop import EopTable, packaged_table
from catalog.astro.frames import (
    FloatArray,
    GroundSite,
    LookAngles,
    teme_to_ecef,
)
from catalog.astro.orientation import EarthOrientation, earth_orientation, look_angles_folded
from catalog.astro.propagation import (
    TimeInput,
    as_datetime64_us,
    propagate_jd,
    utc_to_jd_fr,
)

AU_KM = 149597870.7
EARTH_RADIUS_KM = 6378.137
SUN_RADIUS_KM = 696000.0
_DEG = math.pi / 180.0
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0

ShadowModel = Literal["cylindrical", "conical"]


@dataclass(frozen=True)
class VisibilityLimits:
    """What counts as "in view" for a sensor.

    The azimuth sector runs clockwise from ``azimuth_min_deg`` to
    ``azimuth_max_deg`` and may wrap through north (e.g. 300 -> 60). With
    ``optical=True`` the site must also be dark (Sun below
    ``max_sun_elevation_deg``) and the satellite must be sunlit.
    """

    min_elevation_deg: float = 0.0
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None
    max_range_km: float | None = None
    optical: bool = False
    max_sun_elevation_deg: float = -12.0
    shadow_model: ShadowModel = "cylindrical"


@dataclass(frozen=True)
class PassWindow:
    """One interval during which a satellite is in view.

    ``starts_before_window`` / ``ends_after_window`` mark passes clipped by the
    search window; their ``rise`` / ``set`` are the window edges.
    """

    satellite_index: int
    rise: np.datetime64
    culmination: np.datetime64
    set: np.datetime64
    max_elevation_deg: float
    rise_azimuth_deg: float
    set_azimuth_deg: float
    starts_before_window: bool
    ends_after_window: bool

    @property
    def duration_s(self) -> float:
        return float((self.set - self.rise) / np.timedelta64(1, "us")) / 1e6


def sun_position_eci(jd: ArrayLike, fr: ArrayLike) -> FloatArray:
    """Geocentric Sun position (km) in the mean equator and equinox of date.

    Uses the low-precision series of the Astronomical Almanac, good to about
    0.01 deg for 1950-2050. The frame differs from TEME by nutation only
    (under 0.006 deg), so the result is used as a TEME vector.
    """
    n = (np.asarray(jd, dtype=np.float64) - 2451545.0) + np.asarray(fr, dtype=np.float64)
    mean_lon = np.mod(280.460 + 0.9856474 * n, 360.0) * _DEG
    g = np.mod(357.528 + 0.9856003 * n, 360.0) * _DEG
    ecl_lon = mean_lon + (1.915 * np.sin(g) + 0.020 * np.sin(2.0 * g)) * _DEG
    eps = (23.439 - 4.0e-7 * n) * _DEG
    dist = (1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2.0 * g)) * AU_KM
    x = dist * np.cos(ecl_lon)
    y = dist * np.cos(eps) * np.sin(ecl_lon)
    z = dist * np.sin(eps) * np.sin(ecl_lon)
    return np.stack((x, y, z), axis=-1)


def sun_elevation_deg(site: GroundSite, jd: ArrayLike, fr: ArrayLike, dut1_s: ArrayLike = 0.0) -> FloatArray:
    """Elevation of the Sun's centre (deg) at ``site``, without refraction."""
    sun = sun_position_eci(jd, fr)
    r_ecef, _ = teme_to_ecef(sun, np.zeros_like(sun), jd, fr, dut1_s)
    enu = (r_ecef - site.ecef_km) @ site.enu_matrix.T
    return np.degrees(np.arctan2(enu[..., 2], np.hypot(enu[..., 0], enu[..., 1])))


def site_in_darkness(
    site: GroundSite,
    jd: ArrayLike,
    fr: ArrayLike,
    max_sun_elevation_deg: float = -12.0,
    dut1_s: ArrayLike = 0.0,
) -> NDArray[np.bool_]:
    """True where the Sun is below ``max_sun_elevation_deg`` (-12: nautical twilight)."""
    return sun_elevation_deg(site, jd, fr, dut1_s) < max_sun_elevation_deg


def is_sunlit(r_eci: ArrayLike, sun_eci: ArrayLike, model: ShadowModel = "cylindrical") -> NDArray[np.bool_]:
    """True where a satellite at ``r_eci`` (km) is outside the Earth's shadow.

    ``cylindrical``: shadow is the cylinder of Earth radius behind the Earth.
    ``conical``: shadow is the umbra cone; penumbra counts as sunlit.
    ``sun_eci`` broadcasts against ``r_eci`` (e.g. ``[n_t, 3]`` against ``[n_sat, n_t, 3]``).
    """
    r = np.asarray(r_eci, dtype=np.float64)
    sun = np.asarray(sun_eci, dtype=np.float64)
    if model == "cylindrical":
        sun_hat = sun / np.linalg.norm(sun, axis=-1, keepdims=True)
        along = np.einsum("...i,...i->...", r, sun_hat)
        perp = np.linalg.norm(r - along[..., None] * sun_hat, axis=-1)
        return ~((along < 0.0) & (perp < EARTH_RADIUS_KM))
    if model == "conical":
        to_sun = sun - r
        r_norm = np.linalg.norm(r, axis=-1)
        sun_dist = np.linalg.norm(to_sun, axis=-1)
        earth_radius_ang = np.arcsin(np.clip(EARTH_RADIUS_KM / r_norm, -1.0, 1.0))
        sun_radius_ang = np.arcsin(SUN_RADIUS_KM / sun_dist)
        cos_sep = np.einsum("...i,...i->...", -r, to_sun) / (r_norm * sun_dist)
        sep = np.arccos(np.clip(cos_sep, -1.0, 1.0))
        return ~(sep < earth_radius_ang - sun_radius_ang)
    raise ValueError(f"unknown shadow model {model!r}")


def _in_view(
    angles: LookAngles,
    r_teme: FloatArray,
    sun: FloatArray | None,
    dark: NDArray[np.bool_] | None,
    limits: VisibilityLimits,
) -> NDArray[np.bool_]:
    ok = angles.elevation_deg >= limits.min_elevation_deg
    if limits.azimuth_min_deg is not None and limits.azimuth_max_deg is not None:
        lo = limits.azimuth_min_deg % 360.0
        hi = limits.azimuth_max_deg % 360.0
        az = angles.azimuth_deg
        ok &= ((az >= lo) & (az <= hi)) if lo <= hi else ((az >= lo) | (az <= hi))
    if limits.max_range_km is not None:
        ok &= angles.range_km <= limits.max_range_km
    if limits.optical and sun is not None and dark is not None:
        ok &= dark & is_sunlit(r_teme, sun, limits.shadow_model)
    return np.asarray(ok, dtype=np.bool_)


class _PointEvaluator:
    """Look angles and the in-view test for arbitrary (satellite, time) pairs."""

    def __init__(
        self,
        satrecs: Sequence[Satrec],
        site: GroundSite,
        limits: VisibilityLimits,
        origin_us: int,
        eop: EopTable,
    ) -> None:
        self.satrecs = satrecs
        self.site = site
        self.limits = limits
        self.origin_us = origin_us
        self.eop = eop

    def jd_fr(self, t_us: NDArray[np.int64]) -> tuple[FloatArray, FloatArray]:
        return utc_to_jd_fr(self.utc(t_us))

    def utc(self, t_us: NDArray[np.int64]) -> NDArray[np.datetime64]:
        return np.datetime64(self.origin_us, "us") + t_us.astype("timedelta64[us]")

    def orientation(self, t_us: NDArray[np.int64]) -> EarthOrientation:
        return earth_orientation(self.utc(t_us), self.eop, nearest=True)

    def __call__(
        self, sat_idx: NDArray[np.intp], t_us: NDArray[np.int64]
    ) -> tuple[LookAngles, NDArray[np.bool_]]:
        jd, fr = self.jd_fr(t_us)
        r = np.full((len(sat_idx), 3), np.nan)
        v = np.full((len(sat_idx), 3), np.nan)
        order = np.argsort(sat_idx, kind="stable")
        sats_sorted = sat_idx[order]
        starts = np.flatnonzero(np.r_[True, sats_sorted[1:] != sats_sorted[:-1]])
        ends = np.r_[starts[1:], len(order)]
        for a, b in zip(starts, ends, strict=True):
            rows = order[a:b]
            err, rr, vv = self.satrecs[int(sats_sorted[a])].sgp4_array(jd[rows], fr[rows])
            good = err == 0
            r[rows[good]] = rr[good]
            v[rows[good]] = vv[good]
        eo = self.orientation(t_us)
        angles = look_angles_folded(r, v, self.site, eo)
        sun, dark = _sun_and_darkness(self.site, self.limits, jd, fr, eo.dut1_s)
        return angles, _in_view(angles, r, sun, dark, self.limits)


def _sun_and_darkness(
    site: GroundSite,
    limits: VisibilityLimits,
    jd: FloatArray,
    fr: FloatArray,
    dut1_s: ArrayLike,
) -> tuple[FloatArray | None, NDArray[np.bool_] | None]:
    if not limits.optical:
        return None, None
    sun = sun_position_eci(jd, fr)
    return sun, site_in_darkness(site, jd, fr, limits.max_sun_elevation_deg, dut1_s)


def _bisect_crossings(
    evaluate: _PointEvaluator,
    sat_idx: NDArray[np.intp],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    rising: NDArray[np.bool_],
    tolerance_us: int,
) -> NDArray[np.int64]:
    """Narrow brackets whose visibility flips between ``lo`` and ``hi``; return the midpoints."""
    lo = lo.copy()
    hi = hi.copy()
    while len(lo) and np.any(hi - lo > tolerance_us):
        mid = (lo + hi) // 2
        _, visible = evaluate(sat_idx, mid)
        move_hi = visible == rising
        hi = np.where(move_hi, mid, hi)
        lo = np.where(move_hi, lo, mid)
    return (lo + hi) // 2


def _golden_max_elevation(
    evaluate: _PointEvaluator,
    sat_idx: NDArray[np.intp],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    tolerance_us: int,
) -> tuple[NDArray[np.int64], FloatArray]:
    a = lo.astype(np.float64)
    b = hi.astype(np.float64)
    while len(a) and np.any(b - a > tolerance_us):
        c = b - _GOLDEN * (b - a)
        d = a + _GOLDEN * (b - a)
        both = np.concatenate((c, d)).astype(np.int64)
        angles, _ = evaluate(np.concatenate((sat_idx, sat_idx)), both)
        el_c, el_d = np.split(np.nan_to_num(angles.elevation_deg, nan=-90.0), 2)
        left = el_c > el_d
        b = np.where(left, d, b)
        a = np.where(left, a, c)
    best = ((a + b) / 2.0).astype(np.int64)
    angles, _ = evaluate(sat_idx, best)
    return best, angles.elevation_deg


def _run_peaks(
    elevation: FloatArray, run_sat: NDArray[np.intp], run_start: NDArray[np.intp]
) -> NDArray[np.intp]:
    """Grid index of the highest point of each run of in-view samples.

    ``elevation`` is ``-inf`` outside the runs, so a segment from one run's
    start to the next run's start has the same maximum as the run itself.
    """
    if len(run_sat) == 0:
        return np.zeros(0, dtype=np.intp)
    n_t = elevation.shape[1]
    flat = elevation.ravel()
    starts = run_sat * n_t + run_start
    best = np.maximum.reduceat(flat, starts)
    inside = np.flatnonzero(np.isfinite(flat))
    segment = np.searchsorted(starts, inside, side="right") - 1
    hits = flat[inside] == best[segment]
    _, first_hit = np.unique(segment[hits], return_index=True)
    return (inside[hits][first_hit] - starts + run_start).astype(np.intp)


def find_passes(
    satrecs: Sequence[Satrec],
    site: GroundSite,
    start: TimeInput,
    end: TimeInput,
    limits: VisibilityLimits | None = None,
    step_s: float = 30.0,
    tolerance_s: float = 0.5,
    eop: EopTable | None = None,
    max_states_per_chunk: int = 2_000_000,
) -> list[PassWindow]:
    """Pass windows of every satellite over ``site`` between ``start`` and ``end`` (UTC).

    Returns passes sorted by satellite index, then rise time. Rise and set are
    accurate to about ``tolerance_s``. A satellite in view for the whole span
    gives one window flagged at both ends; one never in view gives none.
    """
    limits = limits or VisibilityLimits()
    start_us = int(as_datetime64_us(start).astype(np.int64).ravel()[0])
    end_us = int(as_datetime64_us(end).astype(np.int64).ravel()[0])
    if end_us <= start_us or not satrecs:
        return []
    step_us = max(1, round(step_s * 1e6))
    grid = np.arange(0, end_us - start_us, step_us, dtype=np.int64)
    grid = np.append(grid, end_us - start_us)
    evaluate = _PointEvaluator(satrecs, site, limits, start_us, eop if eop is not None else packaged_table())
    jd, fr = evaluate.jd_fr(grid)
    eo = evaluate.orientation(grid)
    sun, dark = _sun_and_darkness(site, limits, jd, fr, eo.dut1_s)

    n_t = len(grid)
    chunk = max(1, max_states_per_chunk // n_t)
    run_sat: list[NDArray[np.intp]] = []
    run_first: list[NDArray[np.intp]] = []
    run_last: list[NDArray[np.intp]] = []
    run_peak: list[NDArray[np.intp]] = []
    for first in range(0, len(satrecs), chunk):
        block = SatrecArray(list(satrecs[first : first + chunk]))
        r, v, err = propagate_jd(block, jd, fr)
        angles = look_angles_folded(r, v, site, eo)
        visible = _in_view(angles, r, sun, dark, limits) & (err == 0)
        padded = np.pad(visible, ((0, 0), (1, 1))).astype(np.int8)
        edges = np.diff(padded, axis=1)
        s_sat, s_idx = np.nonzero(edges == 1)
        _, e_idx = np.nonzero(edges == -1)
        # nonzero scans row by row, so starts and ends of the same run pair up in order.
        peaks = _run_peaks(np.where(visible, angles.elevation_deg, -np.inf), s_sat, s_idx)
        run_sat.append(s_sat + first)
        run_first.append(s_idx)
        run_last.append(e_idx - 1)
        run_peak.append(peaks)
    sat_idx = np.concatenate(run_sat).astype(np.intp)
    if len(sat_idx) == 0:
        return []
    first_i = np.concatenate(run_first)
    last_i = np.concatenate(run_last)
    peak_i = np.concatenate(run_peak)
    tol_us = max(1, int(tolerance_s * 1e6))

    clipped_start = first_i == 0
    clipped_end = last_i == n_t - 1
    rise = grid[first_i].copy()
    rs = ~clipped_start
    rise[rs] = _bisect_crossings(
        evaluate,
        sat_idx[rs],
        grid[first_i[rs] - 1],
        grid[first_i[rs]],
        np.ones(rs.sum(), bool),
        tol_us,
    )
    set_ = grid[last_i].copy()
    se = ~clipped_end
    set_[se] = _bisect_crossings(
        evaluate,
        sat_idx[se],
        grid[last_i[se]],
        grid[last_i[se] + 1],
        np.zeros(se.sum(), bool),
        tol_us,
    )
    lo = np.maximum(grid[np.maximum(peak_i - 1, 0)], rise)
    hi = np.minimum(grid[np.minimum(peak_i + 1, n_t - 1)], set_)
    culm, max_el = _golden_max_elevation(evaluate, sat_idx, lo, hi, tol_us)
    at_rise, _ = evaluate(sat_idx, rise)
    at_set, _ = evaluate(sat_idx, set_)

    origin = np.datetime64(start_us, "us")
    order = np.lexsort((rise, sat_idx))
    return [
        PassWindow(
            satellite_index=int(sat_idx[k]),
            rise=origin + np.timedelta64(int(rise[k]), "us"),
            culmination=origin + np.timedelta64(int(culm[k]), "us"),
            set=origin + np.timedelta64(int(set_[k]), "us"),
            max_elevation_deg=float(max_el[k]),
            rise_azimuth_deg=float(at_rise.azimuth_deg[k]),
            set_azimuth_deg=float(at_set.azimuth_deg[k]),
            starts_before_window=bool(clipped_start[k]),
            ends_after_window=bool(clipped_end[k]),
        )
        for k in order
    ]
