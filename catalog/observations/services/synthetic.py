"""Realistic generated observations: tracks from well-known sensor sites on catalog objects.

Each track is a run of observations of one object from one site while it is in view, with
Gaussian noise of the sensor's size. A share of tracks is taken on objects that are not in the
catalog handed to the association (true UCTs). Plain numpy + sgp4; used by tests and `bench/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sgp4.api import Satrec, SatrecArray

from catalog.astro.frames import GroundSite, look_angles, topocentric_radec
from catalog.astro.propagation import MeanElements, satrec_from_elements, utc_to_jd_fr
from catalog.formats.observations_common import ObservationRecord
from catalog.formats.records import ElementSetRecord


@dataclass(frozen=True)
class Site:
    name: str
    number: int
    lat_deg: float
    lon_deg: float
    alt_km: float
    radar: bool
    max_range_km: float
    min_elevation_deg: float


# Approximate public locations of well-known space-surveillance sensors.
SITES: tuple[Site, ...] = (
    Site("Eglin phased array", 399, 30.572, -86.215, 0.06, True, 13000.0, 3.0),
    Site("Cavalier phased array", 359, 48.725, -97.900, 0.35, True, 3300.0, 2.0),
    Site("Clear phased array", 349, 64.291, -149.189, 0.18, True, 5500.0, 3.0),
    Site("Pituffik phased array", 344, 76.570, -68.299, 0.42, True, 5500.0, 3.0),
    Site("Fylingdales phased array", 345, 54.362, -0.670, 0.34, True, 5500.0, 3.0),
    Site("Beale phased array", 346, 39.136, -121.351, 0.09, True, 5500.0, 3.0),
    Site("Cape Cod phased array", 347, 41.752, -70.539, 0.08, True, 5500.0, 3.0),
    Site("Kwajalein tracking radar", 334, 9.395, 167.479, 0.01, True, 40000.0, 5.0),
    Site("Socorro GEODSS", 241, 33.817, -106.659, 1.51, False, 50000.0, 15.0),
    Site("Maui GEODSS", 242, 20.708, -156.257, 3.06, False, 50000.0, 15.0),
    Site("Diego Garcia GEODSS", 243, -7.412, 72.452, 0.00, False, 50000.0, 15.0),
    Site("Exmouth C-band radar", 386, -21.816, 114.165, 0.01, True, 6000.0, 5.0),
)

RADAR_SIGMA = {"azimuth": 0.02, "elevation": 0.02, "range": 0.03, "range_rate": 0.001}
OPTICAL_SIGMA_DEG = 1.0 / 3600.0


def mean_elements(record: ElementSetRecord) -> MeanElements:
    return MeanElements(
        catalog_number=record.norad_cat_id,
        epoch=record.epoch,
        mean_motion_rev_per_day=record.mean_motion,
        eccentricity=record.eccentricity,
        inclination_deg=record.inclination,
        raan_deg=record.ra_of_asc_node,
        arg_perigee_deg=record.arg_of_pericenter,
        mean_anomaly_deg=record.mean_anomaly,
        bstar=record.bstar,
        ndot=record.mean_motion_dot,
        nddot=record.mean_motion_ddot,
    )


@dataclass
class GeneratedObservations:
    records: list[ObservationRecord]
    truth: list[int | None]  # catalog number, None for an object not in the catalog
    sites: list[Site]  # per record


def generate_tracks(
    catalog: Sequence[Satrec],
    numbers: Sequence[int],
    n_observations: int,
    *,
    start: dt.datetime,
    duration_s: float = 6 * 3600.0,
    hidden: Sequence[Satrec] = (),
    hidden_share: float = 0.05,
    per_track: int = 10,
    spacing_s: float = 10.0,
    sites: Sequence[Site] = SITES,
    seed: int = 7,
    name_objects: bool = False,
    tracks_per_draw: int = 8,
) -> GeneratedObservations:
    """About `n_observations` observations in tracks of `per_track`, from `sites`.

    Each draw propagates the catalog once at a random time and picks up to `tracks_per_draw`
    objects in view of each site; a track is kept only if every point of it is in view.
    """
    rng = np.random.default_rng(seed)
    all_sats = list(catalog) + list(hidden)
    all_numbers: list[int | None] = [*numbers, *([None] * len(hidden))]
    sat_array = SatrecArray(all_sats)
    is_hidden = np.r_[np.zeros(len(catalog), dtype=bool), np.ones(len(hidden), dtype=bool)]
    ground = [GroundSite(s.lat_deg, s.lon_deg, s.alt_km) for s in sites]
    records: list[ObservationRecord] = []
    truth: list[int | None] = []
    per_site: list[Site] = []
    track_no = 0
    while len(records) < n_observations:
        t0 = start + dt.timedelta(seconds=float(rng.uniform(0.0, duration_s)))
        jd, fr = utc_to_jd_fr([t0])
        _err, r, v = sat_array.sgp4(jd, fr)
        for site, place in zip(sites, ground, strict=True):
            look = look_angles(r[:, 0], v[:, 0], jd, fr, place)
            seen = (look.elevation_deg > site.min_elevation_deg + 2.0) & (look.range_km < site.max_range_km)
            if not site.radar:
                seen &= look.range_km > 1500.0
            pool = np.flatnonzero(seen)
            if pool.size == 0:
                continue
            want_hidden = rng.random(tracks_per_draw) < hidden_share
            for hide in want_hidden:
                choices = pool[is_hidden[pool] == hide]
                if choices.size == 0:
                    continue
                k = int(rng.choice(choices))
                added = _track(all_sats[k], site, place, t0, per_track, spacing_s, rng, f"T{track_no:07d}")
                if not added:
                    continue
                track_no += 1
                for record in added:
                    number = all_numbers[k]
                    if name_objects and number is not None:
                        record = _with(record, sat_no=number)
                    records.append(_with(record, index=len(records) + 1))
                    truth.append(number)
                    per_site.append(site)
                if len(records) >= n_observations:
                    break
            if len(records) >= n_observations:
                break
    return GeneratedObservations(records[:n_observations], truth[:n_observations], per_site[:n_observations])


def _with(record: ObservationRecord, **changes: object) -> ObservationRecord:
    values = {name: getattr(record, name) for name in record.__dataclass_fields__}
    values.update(changes)
    return ObservationRecord(**values)


def _track(
    sat: Satrec,
    site: Site,
    place: GroundSite,
    t0: dt.datetime,
    count: int,
    spacing_s: float,
    rng: np.random.Generator,
    track_id: str,
) -> list[ObservationRecord]:
    times = [t0 + dt.timedelta(seconds=spacing_s * i + float(rng.uniform(0, 0.5))) for i in range(count)]
    times = [t.replace(microsecond=(t.microsecond // 1000) * 1000) for t in times]
    jd, fr = utc_to_jd_fr(times)
    err, r, v = sat.sgp4_array(jd, fr)
    if np.any(err != 0):
        return []
    look = look_angles(r, v, jd, fr, place)
    if np.any(look.elevation_deg < site.min_elevation_deg) or np.any(look.range_km > site.max_range_km):
        return []
    out: list[ObservationRecord] = []
    sensor = str(site.number)
    if site.radar:
        s = RADAR_SIGMA
        az = np.mod(look.azimuth_deg + rng.normal(0, s["azimuth"], count), 360.0)
        el = np.clip(look.elevation_deg + rng.normal(0, s["elevation"], count), -90, 90)
        rg = look.range_km + rng.normal(0, s["range"], count)
        rr = look.range_rate_km_s + rng.normal(0, s["range_rate"], count)
        for i, when in enumerate(times):
            out.append(
                ObservationRecord(
                    index=0,
                    sensor_ref=sensor,
                    ob_time=when,
                    azimuth_deg=round(float(az[i]), 5),
                    azimuth_unc_deg=s["azimuth"],
                    elevation_deg=round(float(el[i]), 5),
                    elevation_unc_deg=s["elevation"],
                    range_km=round(float(rg[i]), 4),
                    range_unc_km=s["range"],
                    range_rate_km_s=round(float(rr[i]), 5),
                    range_rate_unc_km_s=s["range_rate"],
                    track_id=track_id,
                    data_mode="SIMULATED",
                )
            )
    else:
        ra, dec = topocentric_radec(r, jd, fr, place, frame="j2000")
        ra = np.mod(ra + rng.normal(0, OPTICAL_SIGMA_DEG, count), 360.0)
        dec = np.clip(dec + rng.normal(0, OPTICAL_SIGMA_DEG, count), -90, 90)
        for i, when in enumerate(times):
            out.append(
                ObservationRecord(
                    index=0,
                    sensor_ref=sensor,
                    ob_time=when,
                    ra_deg=round(float(ra[i]), 6),
                    ra_unc_deg=OPTICAL_SIGMA_DEG,
                    declination_deg=round(float(dec[i]), 6),
                    declination_unc_deg=OPTICAL_SIGMA_DEG,
                    frame="J2000",
                    magnitude=round(float(rng.uniform(9, 15)), 2),
                    track_id=track_id,
                    data_mode="SIMULATED",
                )
            )
    return out


def catalog_satrecs(records: Sequence[ElementSetRecord]) -> tuple[list[Satrec], list[int]]:
    return [satrec_from_elements(mean_elements(r)) for r in records], [r.norad_cat_id for r in records]
