"""Associate observations with catalog objects: predict, gate on residuals, pick the best.

Scaling (tens of thousands of objects, hundreds of thousands of observations):

1. Observations are bucketed by time (``bucket_s``, default 60 s). The whole catalog is propagated
   once per bucket, at its centre; nothing is propagated per observation.
2. Per (site, bucket) a horizon and range pre-gate drops objects the site cannot see around
   that time (motion over half a bucket is allowed for).
3. Per (site, sub-bucket of ``sub_bucket_s``) the surviving objects are moved to the sub-bucket
   centre with a second-order Taylor step (gravity only, accurate to well under a kilometre
   over half a bucket) and their directions from the site compared with every observation's line
   of sight at once (a matrix product), with a gate widened by each object's own angular rate.
4. The few (observation, object) pairs left are predicted exactly with SGP4, grouped by object
   (one vectorized call per object, not per observation), and gated on angle, range and
   range-rate residuals, the gates allowing for the element set's prediction error. Each
   passing pair is scored by chi-square: every residual divided by the measurement's own sigma
   (the sensor's calibrated noise, else the reported uncertainty, else a default). The lowest
   score wins; none means UCT. How many candidates passed, and the runner-up with its
   score, are kept.

Element sets age: the prediction error is taken to grow with the set's age at the observation
time, faster in low orbit (drag) than above; gates and sigmas widen with it. A UCT whose nearest
checked candidate had a stale set (older than ``Gates.stale_days``) names that candidate.

A preferred object per observation (the target it was tasked on, or the one it names) is
always among the candidates and compared with the others: it is kept only when its score is
within ``Gates.tie_chi2`` of the best, so a neighbour that fits clearly better wins.

Everything is in TEME: the line of sight of an az/el observation is rotated from the site's
local axes, an RA/Dec line of sight from J2000 (or taken as TEME when so framed). The site is
placed with UT1 - UTC and polar motion from an Earth-orientation table (`eop`, the packaged IERS
table unless given; an instant past the table's end takes its last day): without them a LEO
residual carries up to about 56" / 43 m / 1.3 m/s of frame error. Predictions are geometric:
light time (23 m, 6.8" in LEO), aberration and refraction are not modelled, being far below what
an element set's prediction error allows for; calibration uses `catalog.astro.predict`, which
models them.

Besides the angle between the lines of sight (the gate), the chosen pair's signed residuals,
observed minus predicted, are given per measurement: azimuth and elevation, RA and Dec (in the
observation's frame), range and range rate (NaN where not measured).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from sgp4.api import Satrec, SatrecArray

from catalog.astro.eop import EopTable
from catalog.astro.frames import (
    EARTH_ROTATION_RAD_S,
    FloatArray,
    _rotate_z,
    geodetic_to_ecef,
    gmst82,
    teme_to_j2000,
    vector_to_radec,
)
from catalog.astro.orientation import EarthOrientation, earth_orientation, itrf_to_pef, pef_to_itrf
from catalog.astro.propagation import jd_fr_to_datetime64
from catalog.astro.residuals import angle_residual_deg

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

MU_KM3_S2 = 398600.8
SECONDS_PER_DAY = 86400.0
_DEG = math.pi / 180.0
UCT = -1


@dataclass(frozen=True)
class Gates:
    """Residual gates: a floor plus ``sigmas`` times the pair's sigma (measurement and prediction)."""

    angle_deg: float = 0.1
    range_km: float = 5.0
    range_rate_km_s: float = 0.05
    sigmas: float = 5.0
    # Coarse gate of the matrix pre-filter, added to each object's motion within a sub-bucket.
    coarse_angle_deg: float = 0.5
    # One-sigma values for a measurement that states none.
    default_angle_deg: float = 0.02
    default_range_km: float = 0.05
    default_range_rate_km_s: float = 0.002
    # Prediction error (km, one sigma) of a set ``d`` days old: base + per_day * d, plus
    # drag_per_day2 * d**2 below ``leo_rev_per_day`` (drag dominates the along-track error there).
    prediction_km: float = 0.2
    per_day_km_leo: float = 1.5
    drag_per_day2_km: float = 0.5
    per_day_km_high: float = 0.3
    leo_rev_per_day: float = 11.25
    # A set older than this is stale: the pre-filter looks ``stale_search`` times further
    # around it, so that a UCT found near it can name it.
    stale_days: float = 3.0
    stale_search: float = 4.0
    # The preferred object is kept when its chi-square is within this much of the best one's.
    tie_chi2: float = 4.0


@dataclass
class ObservationArrays:
    """Observations to associate, one row each; NaN where a value is absent.

    ``radec_teme`` is True where RA/Dec are in TEME of date rather than J2000 / ICRF.
    ``preferred`` is a row index into the candidate list, or -1.
    """

    jd: FloatArray
    fr: FloatArray
    site_lat_deg: FloatArray
    site_lon_deg: FloatArray
    site_alt_km: FloatArray
    azimuth_deg: FloatArray
    elevation_deg: FloatArray
    range_km: FloatArray
    range_rate_km_s: FloatArray
    ra_deg: FloatArray
    declination_deg: FloatArray
    angle_unc_deg: FloatArray
    range_unc_km: FloatArray
    range_rate_unc_km_s: FloatArray
    radec_teme: BoolArray
    preferred: IntArray
    site_max_range_km: FloatArray = field(default_factory=lambda: np.empty(0))

    @classmethod
    def empty_like(cls, n: int) -> ObservationArrays:
        nan = np.full(n, np.nan)
        return cls(
            jd=np.zeros(n),
            fr=np.zeros(n),
            site_lat_deg=nan.copy(),
            site_lon_deg=nan.copy(),
            site_alt_km=np.zeros(n),
            azimuth_deg=nan.copy(),
            elevation_deg=nan.copy(),
            range_km=nan.copy(),
            range_rate_km_s=nan.copy(),
            ra_deg=nan.copy(),
            declination_deg=nan.copy(),
            angle_unc_deg=nan.copy(),
            range_unc_km=nan.copy(),
            range_rate_unc_km_s=nan.copy(),
            radec_teme=np.zeros(n, dtype=bool),
            preferred=np.full(n, -1, dtype=np.int64),
            site_max_range_km=nan.copy(),
        )

    def __len__(self) -> int:
        return int(self.jd.shape[0])


@dataclass(frozen=True)
class Association:
    """Per observation: the chosen candidate row (or ``UCT``), its residuals and how sure it is."""

    candidate: IntArray
    angle_residual_deg: FloatArray
    range_residual_km: FloatArray
    range_rate_residual_km_s: FloatArray
    ambiguity: IntArray  # how many candidates passed the gate
    pairs_checked: int
    buckets: int
    score: FloatArray = field(default_factory=lambda: np.empty(0))  # chi-square of the choice
    runner_up: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # or UCT
    runner_up_score: FloatArray = field(default_factory=lambda: np.empty(0))
    near_stale: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.int64))  # UCTs: or UCT
    # Signed residuals of the choice, observed minus predicted (deg; NaN where not measured).
    azimuth_residual_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    elevation_residual_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    ra_residual_deg: FloatArray = field(default_factory=lambda: np.empty(0))
    dec_residual_deg: FloatArray = field(default_factory=lambda: np.empty(0))


@dataclass(frozen=True)
class _Sets:
    """Per candidate: element-set epoch (JD) and mean motion (rev/day), for the prediction error."""

    epoch_jd: FloatArray
    rev_per_day: FloatArray

    @classmethod
    def of(cls, satrecs: Sequence[Satrec]) -> _Sets:
        epoch = np.array([s.jdsatepoch + s.jdsatepochF for s in satrecs], dtype=np.float64)
        rev = np.array([s.no_kozai for s in satrecs], dtype=np.float64) * (1440.0 / (2.0 * math.pi))
        return cls(epoch, rev)

    def age_days(self, cand: IntArray, jd: FloatArray) -> FloatArray:
        return np.abs(jd - self.epoch_jd[cand])

    def prediction_km(self, cand: IntArray, jd: FloatArray, gates: Gates) -> FloatArray:
        """One-sigma position error of each candidate's set at the given times."""
        days = self.age_days(cand, jd)
        leo = self.rev_per_day[cand] >= gates.leo_rev_per_day
        growth = np.where(
            leo, gates.per_day_km_leo * days + gates.drag_per_day2_km * days**2, gates.per_day_km_high * days
        )
        return gates.prediction_km + growth


@dataclass(frozen=True)
class _Geometry:
    site_teme: FloatArray  # [m, 3] km
    site_vel_teme: FloatArray  # [m, 3] km/s (Earth rotation)
    los: FloatArray  # [m, 3] unit vectors, NaN where no angles
    site_id: IntArray
    eo: EarthOrientation  # per observation
    theta: FloatArray  # [m] GMST on UT1 (rad)


def _geometry(obs: ObservationArrays, eop: EopTable | None = None) -> _Geometry:
    m = len(obs)
    eo = earth_orientation(jd_fr_to_datetime64(obs.jd, obs.fr), eop, nearest=True)
    theta = gmst82(obs.jd, obs.fr, eo.dut1_s)
    c, s = np.cos(theta), np.sin(theta)
    ecef = geodetic_to_ecef(obs.site_lat_deg, obs.site_lon_deg, obs.site_alt_km)

    def to_teme(vec: FloatArray, rows: slice | BoolArray = slice(None)) -> FloatArray:
        """ITRF vectors of the given rows to TEME: polar motion, then the Earth's rotation."""
        pef = itrf_to_pef(vec, eo.xp_rad[rows], eo.yp_rad[rows])
        ca, sa = c[rows], s[rows]
        px, py = pef[:, 0], pef[:, 1]
        return np.stack((ca * px - sa * py, sa * px + ca * py, pef[:, 2]), axis=-1)

    site = to_teme(ecef)
    site_vel = np.stack(
        (-EARTH_ROTATION_RAD_S * site[:, 1], EARTH_ROTATION_RAD_S * site[:, 0], np.zeros(m)), axis=-1
    )
    los = np.full((m, 3), np.nan)

    azel = np.isfinite(obs.azimuth_deg) & np.isfinite(obs.elevation_deg)
    if azel.any():
        lat = obs.site_lat_deg[azel] * _DEG
        lon = obs.site_lon_deg[azel] * _DEG
        az = obs.azimuth_deg[azel] * _DEG
        el = obs.elevation_deg[azel] * _DEG
        east = np.cos(el) * np.sin(az)
        north = np.cos(el) * np.cos(az)
        up = np.sin(el)
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        x = -so * east - sl * co * north + cl * co * up
        y = co * east - sl * so * north + cl * so * up
        z = cl * north + sl * up
        los[azel] = to_teme(np.stack((x, y, z), axis=-1), azel)

    radec = ~azel & np.isfinite(obs.ra_deg) & np.isfinite(obs.declination_deg)
    if radec.any():
        ra = obs.ra_deg[radec] * _DEG
        dec = obs.declination_deg[radec] * _DEG
        vec = np.stack((np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)), axis=-1)
        j2000 = ~obs.radec_teme[radec]
        if j2000.any():
            # Rows of teme_to_j2000(I) are the images of the TEME axes, i.e. the J2000->TEME matrix.
            jd = obs.jd[radec][j2000][:, None]
            fr = obs.fr[radec][j2000][:, None]
            basis = np.broadcast_to(np.eye(3), (int(j2000.sum()), 3, 3))
            to_teme_matrix = teme_to_j2000(basis, jd, fr)
            vec[j2000] = np.einsum("nij,nj->ni", to_teme_matrix, vec[j2000])
        los[radec] = vec

    keys = np.stack((obs.site_lat_deg, obs.site_lon_deg, obs.site_alt_km), axis=-1)
    _, site_id = np.unique(keys, axis=0, return_inverse=True)
    return _Geometry(site, site_vel, los, site_id.reshape(-1).astype(np.int64), eo, theta)


def _seconds(obs: ObservationArrays) -> FloatArray:
    """Seconds since the first observation's day start, precise enough for bucketing."""
    base = float(np.min(obs.jd)) if len(obs) else 0.0
    return ((obs.jd - base) + obs.fr) * SECONDS_PER_DAY


def _exact_residuals(
    satrecs: Sequence[Satrec],
    obs: ObservationArrays,
    geo: _Geometry,
    obs_idx: IntArray,
    cand_idx: IntArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """SGP4 residuals of each (observation, candidate) pair, the predicted range and the
    site -> satellite vector (TEME), one propagation call per candidate."""
    n = obs_idx.shape[0]
    r = np.full((n, 3), np.nan)
    v = np.full((n, 3), np.nan)
    if n:
        order = np.argsort(cand_idx, kind="stable")
        sorted_cand = cand_idx[order]
        starts = np.flatnonzero(np.r_[True, sorted_cand[1:] != sorted_cand[:-1]])
        ends = np.r_[starts[1:], n]
        for start, end in zip(starts, ends, strict=True):
            rows = order[start:end]
            o = obs_idx[rows]
            err, rr, vv = satrecs[int(sorted_cand[start])].sgp4_array(obs.jd[o], obs.fr[o])
            good = err == 0
            r[rows[good]] = rr[good]
            v[rows[good]] = vv[good]
    rho = r - geo.site_teme[obs_idx]
    rng = np.linalg.norm(rho, axis=-1)
    unit = rho / rng[:, None]
    los = geo.los[obs_idx]
    cosang = np.clip(np.einsum("ij,ij->i", unit, los), -1.0, 1.0)
    angle = np.degrees(np.arccos(cosang))
    # A small-angle-safe separation: arccos loses precision near 0, use the chord instead.
    chord = np.linalg.norm(unit - los, axis=-1)
    angle = np.where(angle < 1.0, np.degrees(2.0 * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))), angle)
    rate = np.einsum("ij,ij->i", unit, v - geo.site_vel_teme[obs_idx])
    return angle, obs.range_km[obs_idx] - rng, obs.range_rate_km_s[obs_idx] - rate, rng, rho


def _signed_angles(
    obs: ObservationArrays, geo: _Geometry, obs_idx: IntArray, rel_teme: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Observed minus predicted azimuth, elevation, RA and Dec (deg) of pairs, the prediction
    being the direction ``rel_teme`` seen from the site (NaN where a value is not measured)."""
    o = obs_idx
    itrf = pef_to_itrf(_rotate_z(rel_teme, geo.theta[o]), geo.eo.xp_rad[o], geo.eo.yp_rad[o])
    x, y, z = itrf[:, 0], itrf[:, 1], itrf[:, 2]
    lat, lon = obs.site_lat_deg[o] * _DEG, obs.site_lon_deg[o] * _DEG
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = -so * x + co * y
    north = -sl * co * x - sl * so * y + cl * z
    up = cl * co * x + cl * so * y + sl * z
    azimuth = np.degrees(np.arctan2(east, north))
    elevation = np.degrees(np.arctan2(up, np.hypot(east, north)))
    direction = rel_teme.copy()
    j2000 = ~obs.radec_teme[o]
    if j2000.any():
        direction[j2000] = teme_to_j2000(rel_teme[j2000], obs.jd[o][j2000], obs.fr[o][j2000])
    ra, dec = vector_to_radec(direction)
    return (
        angle_residual_deg(obs.azimuth_deg[o], azimuth),
        obs.elevation_deg[o] - elevation,
        angle_residual_deg(obs.ra_deg[o], ra),
        obs.declination_deg[o] - dec,
    )


def _gate(
    obs: ObservationArrays,
    obs_idx: IntArray,
    residuals: tuple[FloatArray, FloatArray, FloatArray],
    prediction_km: FloatArray,
    range_km: FloatArray,
    gates: Gates,
) -> tuple[BoolArray, FloatArray]:
    """Which pairs pass, and their chi-square (each residual over its own sigma).

    The gate allows for the element set's prediction error; the score does not: members of a
    cluster share their sets' errors, and only the measurement's own sigma tells them apart.
    """
    angle, d_range, d_rate = residuals

    def own(unc: FloatArray, default: float) -> FloatArray:
        values = unc[obs_idx]
        return np.where(np.isfinite(values) & (values > 0), values, default)

    # The position error seen as an angle from the site, and (roughly) as a range-rate error.
    pred_angle = np.degrees(prediction_km / np.maximum(range_km, 1.0))
    pred_rate = prediction_km * 1.2e-3
    s_angle = own(obs.angle_unc_deg, gates.default_angle_deg)
    s_range = own(obs.range_unc_km, gates.default_range_km)
    s_rate = own(obs.range_rate_unc_km_s, gates.default_range_rate_km_s)

    def limit(floor: float, sigma: FloatArray, prediction: FloatArray) -> FloatArray:
        return floor + prediction + gates.sigmas * np.sqrt(sigma**2 + prediction**2)

    has_angle = np.isfinite(angle)
    ok = np.where(has_angle, angle <= limit(gates.angle_deg, s_angle, pred_angle), True)
    has_range = np.isfinite(obs.range_km[obs_idx])
    ok &= np.where(has_range, np.abs(d_range) <= limit(gates.range_km, s_range, prediction_km), True)
    has_rate = np.isfinite(obs.range_rate_km_s[obs_idx])
    ok &= np.where(has_rate, np.abs(d_rate) <= limit(gates.range_rate_km_s, s_rate, pred_rate), True)
    ok &= has_angle | has_range
    score = (
        np.where(has_angle, (angle / s_angle) ** 2, 0.0)
        + np.where(has_range, (d_range / s_range) ** 2, 0.0)
        + np.where(has_rate, (d_rate / s_rate) ** 2, 0.0)
    )
    return ok & np.isfinite(score), score


def _coarse_pairs(
    sat_array: SatrecArray,
    obs: ObservationArrays,
    geo: _Geometry,
    todo: IntArray,
    gates: Gates,
    bucket_s: float,
    sub_bucket_s: float,
    sets: _Sets,
) -> tuple[IntArray, IntArray, int]:
    """Candidate (observation, object) pairs for the observations in ``todo``."""
    seconds = _seconds(obs)
    base_jd = float(np.min(obs.jd))
    bucket = np.floor(seconds[todo] / bucket_s).astype(np.int64)
    pair_obs: list[IntArray] = []
    pair_cand: list[IntArray] = []
    order = np.argsort(bucket, kind="stable")
    todo_sorted = todo[order]
    bucket_sorted = bucket[order]
    starts = np.flatnonzero(np.r_[True, bucket_sorted[1:] != bucket_sorted[:-1]])
    ends = np.r_[starts[1:], len(todo_sorted)]
    half = bucket_s / 2.0
    for start, end in zip(starts, ends, strict=True):
        members = todo_sorted[start:end]
        centre_s = (float(bucket_sorted[start]) + 0.5) * bucket_s
        jd_c = np.array([base_jd + math.floor(centre_s / SECONDS_PER_DAY)])
        fr_c = np.array([(centre_s % SECONDS_PER_DAY) / SECONDS_PER_DAY])
        err, r0, v0 = sat_array.sgp4(jd_c, fr_c)
        r0 = r0[:, 0, :]
        v0 = v0[:, 0, :]
        valid = (err[:, 0] == 0) & np.isfinite(r0[:, 0])
        cand_all = np.flatnonzero(valid)
        at_c = jd_c[0] + fr_c[0]
        widen = np.where(
            sets.age_days(cand_all, np.full(cand_all.size, at_c)) > gates.stale_days, gates.stale_search, 1.0
        )
        spread_all = (
            (gates.sigmas + 1.0) * widen * sets.prediction_km(cand_all, np.full(cand_all.size, at_c), gates)
        )
        r0 = r0[cand_all]
        v0 = v0[cand_all]
        rnorm = np.linalg.norm(r0, axis=-1)
        acc = -MU_KM3_S2 * r0 / (rnorm**3)[:, None]
        speed = np.linalg.norm(v0, axis=-1)
        theta_c = gmst82(jd_c, fr_c)[0]
        for site in np.unique(geo.site_id[members]):
            at_site = members[geo.site_id[members] == site]
            o0 = int(at_site[0])
            # Site at the bucket centre (rotate its position at o0's time by the time difference).
            dtheta = theta_c - gmst82(obs.jd[o0], obs.fr[o0])
            cs, sn = math.cos(dtheta), math.sin(dtheta)
            s0 = geo.site_teme[o0]
            site_c = np.array([cs * s0[0] - sn * s0[1], sn * s0[0] + cs * s0[1], s0[2]])
            up = site_c / np.linalg.norm(site_c)
            rho = r0 - site_c
            dist = np.linalg.norm(rho, axis=-1)
            sin_el = (rho @ up) / dist
            reach = speed * half + 50.0
            # Below the horizon by more than the object can climb in half a bucket: not visible.
            keep = sin_el * dist > -reach
            max_range = obs.site_max_range_km[o0] if obs.site_max_range_km.size else np.nan
            if np.isfinite(max_range):
                keep &= dist < max_range * 1.05 + reach
            cands = np.flatnonzero(keep)
            if cands.size == 0:
                continue
            rk, vk, ak, spk = r0[cands], v0[cands], acc[cands], speed[cands]
            spread = spread_all[cands]
            t_off = seconds[at_site] - centre_s
            sub = np.floor((t_off + half) / sub_bucket_s).astype(np.int64)
            for sub_id in np.unique(sub):
                group = at_site[sub == sub_id]
                dt = -half + (float(sub_id) + 0.5) * sub_bucket_s
                pos = rk + vk * dt + 0.5 * ak * dt * dt
                dtheta_s = EARTH_ROTATION_RAD_S * dt
                cs, sn = math.cos(dtheta_s), math.sin(dtheta_s)
                site_s = np.array(
                    [cs * site_c[0] - sn * site_c[1], sn * site_c[0] + cs * site_c[1], site_c[2]]
                )
                rel = pos - site_s
                rng = np.linalg.norm(rel, axis=-1)
                unit = rel / rng[:, None]
                ang_rate = spk / rng  # rad/s, an upper bound of the apparent motion
                slack_s = sub_bucket_s / 2.0 + 0.5
                limit_deg = np.degrees(ang_rate * slack_s + spread / rng) + gates.coarse_angle_deg
                cos_limit = np.cos(np.radians(np.minimum(limit_deg, 179.0)))
                los = geo.los[group]
                has_los = np.isfinite(los[:, 0])
                hits = np.zeros((group.size, cands.size), dtype=bool)
                if has_los.any():
                    cosines = los[has_los] @ unit.T
                    hits[has_los] = cosines >= cos_limit[None, :]
                obs_rng = obs.range_km[group]
                has_rng = np.isfinite(obs_rng)
                if has_rng.any():
                    r_slack = spk * slack_s + gates.range_km * 4.0 + spread
                    near = np.abs(obs_rng[has_rng, None] - rng[None, :]) <= r_slack[None, :]
                    hits[has_rng] = np.where(has_los[has_rng, None], hits[has_rng] & near, near)
                gi, ci = np.nonzero(hits)
                if gi.size:
                    pair_obs.append(group[gi])
                    pair_cand.append(cand_all[cands[ci]])
    if not pair_obs:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, len(starts)
    return np.concatenate(pair_obs), np.concatenate(pair_cand), len(starts)


def associate(
    satrecs: Sequence[Satrec],
    obs: ObservationArrays,
    gates: Gates | None = None,
    *,
    sat_array: SatrecArray | None = None,
    bucket_s: float = 60.0,
    sub_bucket_s: float = 4.0,
    eop: EopTable | None = None,
) -> Association:
    """Associate every observation with at most one of ``satrecs`` (rows of the candidate list).

    Pass ``sat_array`` (a ``SatrecArray`` over the same ``satrecs``) to reuse one across calls,
    and ``eop`` for the Earth-orientation table (default: the packaged one).
    """
    gates = gates or Gates()
    m = len(obs)
    best = np.full(m, UCT, dtype=np.int64)
    best_angle = np.full(m, np.nan)
    best_range = np.full(m, np.nan)
    best_rate = np.full(m, np.nan)
    ambiguity = np.zeros(m, dtype=np.int64)
    score = np.full(m, np.nan)
    runner_up = np.full(m, UCT, dtype=np.int64)
    runner_up_score = np.full(m, np.nan)
    near_stale = np.full(m, UCT, dtype=np.int64)
    signed = [np.full(m, np.nan) for _ in range(4)]

    def result(checked: int, buckets: int) -> Association:
        return Association(
            best, best_angle, best_range, best_rate, ambiguity, checked, buckets,
            score, runner_up, runner_up_score, near_stale, *signed,
        )  # fmt: skip

    if m == 0 or not satrecs:
        return result(0, 0)
    geo = _geometry(obs, eop)
    usable = np.flatnonzero(np.isfinite(geo.los[:, 0]) | np.isfinite(obs.range_km))
    if usable.size == 0:
        return result(0, 0)
    sets = _Sets.of(satrecs)
    if sat_array is None:
        sat_array = SatrecArray(list(satrecs))
    pair_obs, pair_cand, buckets = _coarse_pairs(
        sat_array, obs, geo, usable, gates, bucket_s, sub_bucket_s, sets
    )
    # The preferred object is always a candidate, whatever the coarse pre-filter thought of it.
    pref = usable[(obs.preferred[usable] >= 0) & (obs.preferred[usable] < len(satrecs))]
    if pref.size:
        pair_obs = np.concatenate((pair_obs, pref))
        pair_cand = np.concatenate((pair_cand, obs.preferred[pref]))
        keys = np.unique(np.stack((pair_obs, pair_cand), axis=1), axis=0)
        pair_obs, pair_cand = keys[:, 0].copy(), keys[:, 1].copy()
    if pair_obs.size == 0:
        return result(0, buckets)
    angle, d_range, d_rate, predicted_range, rel = _exact_residuals(satrecs, obs, geo, pair_obs, pair_cand)
    jd = obs.jd[pair_obs] + obs.fr[pair_obs]
    prediction = sets.prediction_km(pair_cand, jd, gates)
    seen_range = np.where(np.isfinite(obs.range_km[pair_obs]), obs.range_km[pair_obs], predicted_range)
    ok, chi2 = _gate(obs, pair_obs, (angle, d_range, d_rate), prediction, seen_range, gates)

    passed = np.flatnonzero(ok)
    if passed.size:
        np.add.at(ambiguity, pair_obs[passed], 1)
        # Per observation, passing pairs by chi-square: the first is the best, the second the runner-up.
        order = passed[np.lexsort((chi2[passed], pair_obs[passed]))]
        owners = pair_obs[order]
        first = np.r_[True, owners[1:] != owners[:-1]]
        second = np.r_[False, ~first[1:]] & np.r_[False, first[:-1]]
        chosen = np.full(m, -1, dtype=np.int64)
        chosen[owners[first]] = order[first]
        other = np.full(m, -1, dtype=np.int64)
        other[owners[second]] = order[second]
        # The preferred object stays when it fits about as well as the best.
        is_pref = obs.preferred[pair_obs[passed]] == pair_cand[passed]
        pref_pair = np.full(m, -1, dtype=np.int64)
        pref_pair[pair_obs[passed][is_pref]] = passed[is_pref]
        has = np.flatnonzero((pref_pair >= 0) & (chosen >= 0))
        keep = has[chi2[pref_pair[has]] <= chi2[chosen[has]] + gates.tie_chi2]
        keep = keep[pref_pair[keep] != chosen[keep]]
        other[keep], chosen[keep] = chosen[keep], pref_pair[keep]
        won = np.flatnonzero(chosen >= 0)
        pick = chosen[won]
        best[won] = pair_cand[pick]
        best_angle[won], best_range[won], best_rate[won] = angle[pick], d_range[pick], d_rate[pick]
        score[won] = chi2[pick]
        for target, values in zip(signed, _signed_angles(obs, geo, pair_obs[pick], rel[pick]), strict=True):
            target[won] = values
        with_other = won[other[won] >= 0]
        runner_up[with_other] = pair_cand[other[with_other]]
        runner_up_score[with_other] = chi2[other[with_other]]

    # A UCT next to a stale set: the lowest-scored candidate checked for it, if that set is stale.
    failed = np.flatnonzero(~ok & np.isfinite(chi2) & (best[pair_obs] == UCT))
    if failed.size:
        order = failed[np.lexsort((chi2[failed], pair_obs[failed]))]
        owners = pair_obs[order]
        nearest = order[np.r_[True, owners[1:] != owners[:-1]]]
        stale = sets.age_days(pair_cand[nearest], jd[nearest]) > gates.stale_days
        near_stale[pair_obs[nearest[stale]]] = pair_cand[nearest[stale]]
    return result(int(pair_obs.size), buckets)


def precision_recall(predicted: IntArray, truth: IntArray) -> tuple[float, float]:
    """Precision and recall of an association against the truth (``UCT`` where none is right).

    Precision: of the observations associated, the share associated with the right object.
    Recall: of the observations that have a right object, the share associated with it.
    """
    made = predicted != UCT
    right = made & (predicted == truth)
    associable = truth != UCT
    precision = float(right.sum() / made.sum()) if made.any() else 1.0
    recall = float(right.sum() / associable.sum()) if associable.any() else 1.0
    return precision, recall
