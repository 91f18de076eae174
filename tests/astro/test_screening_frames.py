"""Association and pass prediction on the Earth-orientation-aware chain, against skyfield.

On 2005-12-31 UT1 - UTC was -0.661 s (one of the largest values of the table): a chain that
runs with UT1 - UTC = 0 and no polar motion is off by tens of arcseconds in LEO there. skyfield's
timescale is built from the same IERS finals file the portal packages, with polar motion
installed (see `skyfield_reference`), so the two agree by the data, not by the code.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from catalog.astro.association import UCT, ObservationArrays, associate
from catalog.astro.propagation import MeanElements, satrec_from_elements, utc_to_jd_fr
from catalog.astro.visibility import VisibilityLimits, find_passes
from tests.astro.skyfield_reference import (
    FYLINGDALES,
    skyfield_satellite,
    skyfield_site,
    skyfield_times,
)

ARCSEC = 1.0 / 3600.0
START = np.datetime64("2005-12-31T00:00:00", "us")
LEO = MeanElements(
    catalog_number=39001,
    epoch=dt.datetime(2005, 12, 31, tzinfo=dt.UTC),
    mean_motion_rev_per_day=15.2,
    eccentricity=0.001,
    inclination_deg=74.0,
    raan_deg=10.0,
    arg_perigee_deg=90.0,
    mean_anomaly_deg=0.0,
    bstar=1.0e-5,
)


def test_the_date_has_a_large_ut1_minus_utc():
    assert float(skyfield_times(np.array([START])).dut1[0]) == pytest.approx(-0.661, abs=0.002)


@pytest.fixture(scope="module")
def pass_samples():
    """Every 10 s of the day's passes above 15 degrees, as skyfield sees them."""
    utc = START + (np.arange(0, 86400, 10) * 1e6).astype("timedelta64[us]")
    sat, topo = skyfield_satellite(LEO), skyfield_site(FYLINGDALES)
    diff = (sat - topo).at(skyfield_times(utc))
    alt, az, dist, _, _, rate = diff.frame_latlon_and_rates(topo)
    ra, dec, _ = diff.radec()
    up = alt.degrees > 15.0
    assert up.sum() > 60
    return {
        "utc": utc[up],
        "el": alt.degrees[up],
        "az": az.degrees[up],
        "range": dist.km[up],
        "rate": rate.km_per_s[up],
        "ra": ra._degrees[up],
        "dec": dec.degrees[up],
    }


def _observations(samples, *, radar: bool) -> ObservationArrays:
    n = len(samples["utc"])
    obs = ObservationArrays.empty_like(n)
    obs.jd, obs.fr = utc_to_jd_fr(samples["utc"])
    obs.site_lat_deg = np.full(n, FYLINGDALES.lat_deg)
    obs.site_lon_deg = np.full(n, FYLINGDALES.lon_deg)
    obs.site_alt_km = np.full(n, FYLINGDALES.alt_km)
    if radar:
        obs.azimuth_deg, obs.elevation_deg = samples["az"], samples["el"]
        obs.range_km, obs.range_rate_km_s = samples["range"], samples["rate"]
    else:
        obs.ra_deg, obs.declination_deg = samples["ra"], samples["dec"]
    return obs


def test_radar_residuals_of_the_true_object_agree_with_skyfield(pass_samples):
    """Observations computed by skyfield from the very element set: every residual is the
    frame error of the association's chain (with UT1 - UTC = 0 and no polar motion: 57" of angle,
    164 m of range, 0.97 m/s of range rate)."""
    result = associate([satrec_from_elements(LEO)], _observations(pass_samples, radar=True))
    assert (result.candidate == 0).all()
    cos_el = np.cos(np.radians(pass_samples["el"]))
    assert np.abs(result.azimuth_residual_deg * cos_el).max() < 1.0 * ARCSEC
    assert np.abs(result.elevation_residual_deg).max() < 1.0 * ARCSEC
    assert np.abs(result.angle_residual_deg).max() < 1.0 * ARCSEC
    assert np.abs(result.range_residual_km).max() < 0.002
    assert np.abs(result.range_rate_residual_km_s).max() < 5e-5
    assert np.isnan(result.ra_residual_deg).all() and np.isnan(result.dec_residual_deg).all()


def test_optical_residuals_of_the_true_object_agree_with_skyfield(pass_samples):
    """J2000 RA/Dec (skyfield: GCRS); the chain's J2000 is good to about 0.3" of GCRS."""
    result = associate([satrec_from_elements(LEO)], _observations(pass_samples, radar=False))
    assert (result.candidate != UCT).all()
    cos_dec = np.cos(np.radians(pass_samples["dec"]))
    assert np.abs(result.ra_residual_deg * cos_dec).max() < 1.0 * ARCSEC
    assert np.abs(result.dec_residual_deg).max() < 1.0 * ARCSEC
    assert np.isnan(result.azimuth_residual_deg).all()


def test_signed_residuals_carry_a_planted_offset(pass_samples):
    """Observed minus predicted: an elevation read 0.01 deg high and a range 0.1 km long show up
    with their signs."""
    obs = _observations(pass_samples, radar=True)
    obs.elevation_deg = obs.elevation_deg + 0.01
    obs.range_km = obs.range_km + 0.1
    result = associate([satrec_from_elements(LEO)], obs)
    np.testing.assert_allclose(result.elevation_residual_deg, 0.01, atol=1.0 * ARCSEC)
    np.testing.assert_allclose(result.range_residual_km, 0.1, atol=0.002)
    assert np.abs(result.azimuth_residual_deg * np.cos(np.radians(pass_samples["el"]))).max() < 1.0 * ARCSEC


def _skyfield_peaks(rise_set):
    """Highest elevation of each pass by skyfield, on a 0.05 s grid around its culmination."""
    sat, topo = skyfield_satellite(LEO), skyfield_site(FYLINGDALES)
    peaks = []
    for window in rise_set:
        around = window.culmination + (np.arange(-100, 101) * 50_000).astype("timedelta64[us]")
        alt = (sat - topo).at(skyfield_times(around)).altaz()[0].degrees
        peaks.append(alt.max())
    return np.array(peaks)


def test_pass_culminations_agree_with_skyfield():
    """Maximum elevation of each pass of the day (with UT1 - UTC = 0 and no polar motion: off by
    up to 45")."""
    passes = find_passes(
        [satrec_from_elements(LEO)],
        FYLINGDALES,
        START,
        START + np.timedelta64(1, "D"),
        VisibilityLimits(min_elevation_deg=5.0),
        tolerance_s=0.01,
    )
    assert len(passes) >= 4
    ours = np.array([p.max_elevation_deg for p in passes])
    assert np.abs(ours - _skyfield_peaks(passes)).max() < 2.0 * ARCSEC


def test_the_table_given_is_the_one_used(pass_samples):
    """A table whose UT1 - UTC is 0.5 s off moves the residuals by tens of arcseconds (the
    portal passes its active table, imported or packaged, the same way)."""
    from dataclasses import replace

    from catalog.astro.eop import packaged_table

    off = replace(packaged_table(), ut1_minus_utc_s=packaged_table().ut1_minus_utc_s + 0.5, source="shifted")
    result = associate([satrec_from_elements(LEO)], _observations(pass_samples, radar=True), eop=off)
    assert np.abs(result.angle_residual_deg).max() > 10.0 * ARCSEC
