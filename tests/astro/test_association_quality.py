"""Association quality against observations made independently with skyfield from known objects.

A launch cluster (members spaced along one orbit), a tasked target with a neighbour 2.4 km away,
and element sets a day or more old. The observed values come from skyfield (its own frames,
UT1 and polar motion) with Gaussian noise of the stated sigma; the association never sees
which object made them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np
import pytest
from sgp4.api import Satrec
from skyfield.api import EarthSatellite, load, wgs84

from catalog.astro.association import UCT, ObservationArrays, associate
from catalog.astro.propagation import MeanElements, satrec_from_elements, utc_to_jd_fr

EPOCH = dt.datetime(2024, 3, 15, 0, 0, tzinfo=dt.UTC)
# An ISS-like low orbit.
BASE = MeanElements(1, EPOCH, 15.49815395, 0.0006703, 51.6416, 247.4627, 130.5360, 325.0288, 3.027e-4, 0, 0)
SITE = (54.362, -0.670, 0.34)  # a northern phased-array radar site
SEMI_MAJOR_KM = (398600.4418 / (BASE.mean_motion_rev_per_day * 2 * math.pi / 86400) ** 2) ** (1 / 3)
SIGMA = {"angle": 0.02, "range": 0.03, "rate": 0.001}
TS = load.timescale()


def along_track(elements: MeanElements, km: float, number: int) -> MeanElements:
    """The same orbit, ``km`` further along it."""
    return replace(
        elements,
        catalog_number=number,
        mean_anomaly_deg=elements.mean_anomaly_deg + math.degrees(km / SEMI_MAJOR_KM),
    )


def visible_times(sat: Satrec, start: dt.datetime, hours: float, step_s: float = 5.0) -> list[dt.datetime]:
    times = [start + dt.timedelta(seconds=step_s * i) for i in range(int(hours * 3600 / step_s))]
    t = TS.from_datetimes(times)
    topocentric = (
        EarthSatellite.from_satrec(sat, TS) - wgs84.latlon(*SITE[:2], elevation_m=SITE[2] * 1000)
    ).at(t)
    elevation = topocentric.altaz()[0].degrees
    return [time for time, el in zip(times, elevation, strict=True) if el > 10.0]


def observe(
    truth: list[Satrec], members: list[int], times: list[dt.datetime], seed: int
) -> ObservationArrays:
    """Radar observations (az, el, range, range-rate) of ``truth[members[i]]`` at ``times[i]``, by skyfield."""
    rng = np.random.default_rng(seed)
    site = wgs84.latlon(*SITE[:2], elevation_m=SITE[2] * 1000)
    n = len(times)
    az, el, rho, rate = (np.empty(n) for _ in range(4))
    for member in set(members):
        rows = [i for i, m in enumerate(members) if m == member]
        t = TS.from_datetimes([times[i] for i in rows])
        topocentric = (EarthSatellite.from_satrec(truth[member], TS) - site).at(t)
        alt, azimuth, distance, _, _, range_rate = topocentric.frame_latlon_and_rates(site)
        az[rows], el[rows], rho[rows] = azimuth.degrees, alt.degrees, distance.km
        rate[rows] = range_rate.km_per_s
    obs = ObservationArrays.empty_like(n)
    obs.jd, obs.fr = utc_to_jd_fr(times)
    obs.site_lat_deg, obs.site_lon_deg, obs.site_alt_km = (np.full(n, v) for v in SITE)
    obs.site_max_range_km = np.full(n, 5500.0)
    obs.azimuth_deg = (az + rng.normal(0, SIGMA["angle"], n) / np.cos(np.radians(el))) % 360
    obs.elevation_deg = el + rng.normal(0, SIGMA["angle"], n)
    obs.range_km = rho + rng.normal(0, SIGMA["range"], n)
    obs.range_rate_km_s = rate + rng.normal(0, SIGMA["rate"], n)
    obs.angle_unc_deg = np.full(n, SIGMA["angle"])
    obs.range_unc_km = np.full(n, SIGMA["range"])
    obs.range_rate_unc_km_s = np.full(n, SIGMA["rate"])
    return obs


@pytest.mark.parametrize("spacing_km", [0.6, 1.2])
def test_launch_cluster_members_are_told_apart(spacing_km: float) -> None:
    cluster = [satrec_from_elements(along_track(BASE, k * spacing_km, 100 + k)) for k in range(5)]
    times = visible_times(cluster[2], EPOCH, 24.0)[:400]
    assert len(times) >= 250
    members = [i % 5 for i in range(len(times))]
    result = associate(cluster, observe(cluster, members, times, seed=7))
    truth = np.array(members)
    tagged = result.candidate != UCT
    wrong = tagged & (result.candidate != truth)
    print(f"\ncluster at {spacing_km} km: {wrong.mean():.2%} wrong member, {tagged.mean():.2%} associated")
    assert wrong.mean() < 0.01
    assert tagged.mean() > 0.98
    # Every member passed the gate: the ambiguity is kept, and the runner-up is a neighbour.
    assert (result.ambiguity[tagged] >= 2).all()
    assert (np.abs(result.runner_up[tagged] - result.candidate[tagged]) == 1).mean() > 0.9


def test_a_neighbour_is_not_tagged_as_the_tasked_target() -> None:
    target = satrec_from_elements(along_track(BASE, 0.0, 200))
    neighbour = satrec_from_elements(along_track(BASE, 2.4, 201))
    times = visible_times(neighbour, EPOCH, 12.0)[:25]
    assert len(times) == 25
    obs = observe([target, neighbour], [1] * 25, times, seed=11)
    obs.preferred = np.zeros(25, dtype=np.int64)  # tasked on the target
    result = associate([target, neighbour], obs)
    assert (result.candidate == 1).all(), result.candidate
    assert (result.runner_up == 0).all()


def test_a_tasked_target_that_fits_is_kept_over_a_close_neighbour() -> None:
    target = satrec_from_elements(along_track(BASE, 0.0, 200))
    neighbour = satrec_from_elements(along_track(BASE, 2.4, 201))
    times = visible_times(target, EPOCH, 12.0)[:25]
    obs = observe([target, neighbour], [0] * 25, times, seed=12)
    obs.preferred = np.zeros(25, dtype=np.int64)
    assert (associate([target, neighbour], obs).candidate == 0).all()


def _drifted(elements: MeanElements, km_per_day: float, number: int) -> MeanElements:
    """The orbit whose position after one day is ``km_per_day`` further along than ``elements``'."""
    extra_rev = km_per_day / (2 * math.pi * SEMI_MAJOR_KM)
    return replace(
        elements, catalog_number=number, mean_motion_rev_per_day=elements.mean_motion_rev_per_day + extra_rev
    )


def test_recall_with_element_sets_a_day_old() -> None:
    # The catalog's sets have epoch one day before the observations; the objects have drifted
    # 4 km along track since (typical for a day-old low-orbit set).
    bases = [along_track(BASE, 0.0, 300 + k) for k in range(3)]
    bases = [replace(b, raan_deg=b.raan_deg + 20.0 * k) for k, b in enumerate(bases)]
    catalog = [satrec_from_elements(b) for b in bases]
    truth = [satrec_from_elements(_drifted(b, 4.0, b.catalog_number)) for b in bases]
    start = EPOCH + dt.timedelta(days=1)
    times: list[dt.datetime] = []
    members: list[int] = []
    for k, sat in enumerate(truth):
        seen = visible_times(sat, start, 12.0)[:60]
        times += seen
        members += [k] * len(seen)
    assert len(times) >= 120
    result = associate(catalog, observe(truth, members, times, seed=5))
    recall = float((result.candidate == np.array(members)).mean())
    print(f"\nrecall with day-old sets: {recall:.2%}")
    assert recall >= 0.97


def test_a_uct_near_a_stale_set_names_it() -> None:
    old = EPOCH - dt.timedelta(days=5)
    stale = satrec_from_elements(replace(along_track(BASE, 0.0, 400), epoch=old))
    elsewhere = satrec_from_elements(replace(along_track(BASE, 0.0, 401), raan_deg=BASE.raan_deg + 90))
    # The object is 300 km ahead of where its five-day-old set puts it.
    actual = satrec_from_elements(replace(along_track(BASE, 300.0, 400), epoch=old))
    times = visible_times(actual, EPOCH, 12.0)[:20]
    result = associate([stale, elsewhere], observe([actual], [0] * len(times), times, seed=3))
    assert (result.candidate == UCT).all()
    assert (result.near_stale == 0).all()


def test_a_cluster_closer_than_the_noise_allows_is_tagged_as_well_as_the_noise_allows() -> None:
    """At 0.24 km the members are not separated by the noise: even the true orbits (skyfield,
    noise-free), scoring each observation by its own sigmas, pick the wrong member for some.
    The association must do no worse than that floor (it was 56 % wrong when residuals were
    divided by the gate width)."""
    cluster = [satrec_from_elements(along_track(BASE, k * 0.24, 100 + k)) for k in range(5)]
    times = visible_times(cluster[2], EPOCH, 24.0)[:400]
    members = np.array([i % 5 for i in range(len(times))])
    obs = observe(cluster, list(members), times, seed=7)
    site = wgs84.latlon(*SITE[:2], elevation_m=SITE[2] * 1000)
    t = TS.from_datetimes(times)
    chi2 = []
    for sat in cluster:
        alt, azimuth, distance, _, _, range_rate = (
            (EarthSatellite.from_satrec(sat, TS) - site).at(t).frame_latlon_and_rates(site)
        )
        daz = ((obs.azimuth_deg - azimuth.degrees + 180) % 360 - 180) * np.cos(alt.radians)
        chi2.append(
            (daz / SIGMA["angle"]) ** 2
            + ((obs.elevation_deg - alt.degrees) / SIGMA["angle"]) ** 2
            + ((obs.range_km - distance.km) / SIGMA["range"]) ** 2
            + ((obs.range_rate_km_s - range_rate.km_per_s) / SIGMA["rate"]) ** 2
        )
    floor = float((np.argmin(np.array(chi2), axis=0) != members).mean())
    result = associate(cluster, obs)
    wrong = float(((result.candidate != UCT) & (result.candidate != members)).mean())
    print(f"\ncluster at 0.24 km: {wrong:.2%} wrong member, noise floor {floor:.2%}")
    assert floor > 0.01  # the noise does not separate them: the 1 % target does not apply
    assert wrong <= floor + 0.01
