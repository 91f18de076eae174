"""Access windows against skyfield (an independent SGP4 + frame chain), at real sensor sites."""

from __future__ import annotations

import datetime as dt

import astropy_iers_data
import numpy as np
import pytest
from sgp4.api import SatrecArray
from skyfield.api import load, wgs84
from skyfield.data import iers
from skyfield.sgp4lib import TEME_to_ITRF

from catalog.astro.access import (
    AccessError,
    FieldOfRegard,
    access_windows,
    teme_to_itrf,
)
from catalog.astro.eop import packaged_table
from catalog.astro.propagation import MeanElements, propagate, satrec_from_elements, utc_to_jd_fr
from tests.astro.sample_orbits import skyfield_satellite

START = dt.datetime(2025, 6, 1, 0, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=12)
START64 = np.datetime64("2025-06-01T00:00:00", "us")

# Real sites (rounded): Eglin, Clear, Fylingdales, Ascension, Socorro, Diego Garcia.
SITES = {
    "eglin": (30.57, -86.21, 0.03),
    "clear": (64.29, -149.19, 0.17),
    "fylingdales": (54.36, -0.67, 0.26),
    "ascension": (-7.91, -14.40, 0.05),
    "socorro": (33.82, -106.66, 1.51),
    "diego_garcia": (-7.41, 72.45, 0.01),
}


def _timescale():
    ts = load.timescale(builtin=True)
    with open(astropy_iers_data.IERS_A_FILE, "rb") as f:
        iers.install_polar_motion_table(ts, iers.parse_x_y_dut1_from_finals_all(f))
    return ts


def _targets(seed: int, count: int) -> list[MeanElements]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        out.append(
            MeanElements(
                catalog_number=80000 + k,
                epoch=START,
                mean_motion_rev_per_day=float(rng.uniform(11.0, 15.6)),
                eccentricity=float(rng.uniform(0.0001, 0.02)),
                inclination_deg=float(rng.uniform(30.0, 100.0)),
                raan_deg=float(rng.uniform(0, 360)),
                arg_perigee_deg=float(rng.uniform(0, 360)),
                mean_anomaly_deg=float(rng.uniform(0, 360)),
                bstar=1e-5,
            )
        )
    return out


def _seconds(t) -> np.ndarray:
    return np.asarray((np.asarray(t) - START64) / np.timedelta64(1, "us"), dtype=float) / 1e6


def test_earth_fixed_positions_match_skyfield_teme_to_itrf_with_ut1_and_polar_motion():
    sat = satrec_from_elements(_targets(1, 1)[0])
    times = START64 + (np.arange(0, 12 * 3600, 977) * 1_000_000).astype("timedelta64[us]")
    r, v, _ = propagate(SatrecArray([sat]), times)
    ours = teme_to_itrf(r[0], times)
    table = packaged_table()
    dut1 = table.ut1_minus_utc(times)
    xp, yp = table.polar_motion(times)
    jd, fr = utc_to_jd_fr(times)
    for k in range(len(times)):
        ref, _ = TEME_to_ITRF(jd[k], r[0, k], v[0, k], xp[k], yp[k], fr[k] + dut1[k] / 86400.0)
        assert np.linalg.norm(ours[k] - ref) < 1e-3  # km


def test_polar_motion_moves_earth_fixed_positions_by_metres():
    sat = satrec_from_elements(_targets(2, 1)[0])
    times = START64 + np.array([0], dtype="timedelta64[us]")
    r, v, _ = propagate(SatrecArray([sat]), times)
    table = packaged_table()
    jd, fr = utc_to_jd_fr(times)
    no_pm, _ = TEME_to_ITRF(jd[0], r[0, 0], v[0, 0], 0.0, 0.0, fr[0] + table.ut1_minus_utc(times)[0] / 86400)
    shift = np.linalg.norm(teme_to_itrf(r[0], times)[0] - no_pm)
    assert 0.001 < shift < 0.05  # km: polar motion is a few to tens of metres at LEO radius


def _skyfield_events(sat, site, min_el, ts):
    lat, lon, alt = site
    t, kinds = skyfield_satellite(sat, ts).find_events(
        wgs84.latlon(lat, lon, elevation_m=alt * 1000),
        ts.from_datetime(START),
        ts.from_datetime(END),
        altitude_degrees=min_el,
    )
    sec = np.array([(ti.utc_datetime() - START).total_seconds() for ti in t])
    return sec[kinds == 0], sec[kinds == 2]


@pytest.mark.parametrize("min_el", [3.0, 10.0])
def test_rise_and_set_agree_with_skyfield_find_events_within_one_second(min_el):
    ts = _timescale()
    elements = _targets(7, 10)
    sats = [satrec_from_elements(e) for e in elements]
    names = list(SITES)
    sensors = [FieldOfRegard(*SITES[n], min_elevation_deg=min_el) for n in names]
    windows = access_windows(sats, sensors, START, END, step_s=60.0)
    compared = 0
    for ti, sat in enumerate(sats):
        for si, name in enumerate(names):
            rises, sets = _skyfield_events(sat, SITES[name], min_el, ts)
            pick = (windows.target == ti) & (windows.sensor == si)
            ours_start = _seconds(windows.start[pick])
            ours_end = _seconds(windows.end[pick])
            # Passes shorter than two grid steps may fall between grid points; all others match.
            full = [
                (r, s) for r, s in zip(rises, sets, strict=False) if s - r > 120.0 and r > 0 and s < 43200
            ]
            for r, s in full:
                k = np.argmin(np.abs(ours_start - r))
                assert abs(ours_start[k] - r) <= 1.0, (ti, name, r, ours_start[k])
                assert abs(ours_end[k] - s) <= 1.0, (ti, name, s, ours_end[k])
                compared += 1
            assert len(ours_start) <= len(rises) + 1
    assert compared > 40


def test_azimuth_sector_and_range_limits_cut_windows_where_skyfield_says_so():
    ts = _timescale()
    sats = [satrec_from_elements(e) for e in _targets(11, 8)]
    lat, lon, alt = SITES["eglin"]
    sensor = FieldOfRegard(lat, lon, alt, 1.0, 120.0, 240.0, 2500.0)
    windows = access_windows(sats, [sensor], START, END)
    site = wgs84.latlon(lat, lon, elevation_m=alt * 1000)
    assert len(windows) > 5

    def inside(ti, seconds):
        t = ts.from_datetime(START + dt.timedelta(seconds=float(seconds)))
        el, az, rng = (skyfield_satellite(sats[ti], ts) - site).at(t).altaz()
        a = az.degrees
        return el.degrees >= 1.0 and 120.0 <= a <= 240.0 and rng.km <= 2500.0

    for k in range(len(windows)):
        ti = int(windows.target[k])
        start, end = _seconds(windows.start[k]), _seconds(windows.end[k])
        assert inside(ti, start + 1.0) and inside(ti, end - 1.0)
        if not windows.starts_at_horizon[k]:
            assert not inside(ti, start - 1.0)
        if not windows.ends_at_horizon[k]:
            assert not inside(ti, end + 1.0)


def test_optical_sensor_needs_dark_site_and_sunlit_target():
    sats = [satrec_from_elements(e) for e in _targets(5, 30)]
    lat, lon, alt = SITES["socorro"]
    radar = access_windows(sats, [FieldOfRegard(lat, lon, alt, 10.0)], START, START + dt.timedelta(days=1))
    optical = access_windows(
        sats, [FieldOfRegard(lat, lon, alt, 10.0, optical=True)], START, START + dt.timedelta(days=1)
    )
    assert 0 < len(optical) < len(radar)
    # Socorro in June: astronomical dusk/dawn at about 03:45 / 10:40 UTC (nautical -12: 03:15-11:10).
    hours = _seconds(optical.start) / 3600.0 % 24
    assert np.all((hours > 2.9) & (hours < 11.5))


def test_a_reversed_horizon_is_refused():
    with pytest.raises(AccessError, match="ends before"):
        access_windows([], [FieldOfRegard(0, 0)], END, START)


def test_sensor_with_one_azimuth_limit_is_refused_naming_it():
    sat = satrec_from_elements(_targets(1, 1)[0])
    with pytest.raises(AccessError, match="sensor 1"):
        access_windows([sat], [FieldOfRegard(0, 0), FieldOfRegard(0, 0, azimuth_min_deg=10.0)], START, END)
