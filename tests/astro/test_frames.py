"""Frames and Earth rotation (TEME, ITRF, ground sites, look angles) against skyfield."""

from __future__ import annotations

import numpy as np
import pytest
from skyfield.sgp4lib import TEME, TEME_to_ITRF, theta_GMST1982

from catalog.astro.frames import (
    EARTH_ROTATION_RAD_S,
    GroundSite,
    geodetic_to_ecef,
    gmst82,
    look_angles,
    look_angles_ecef,
    teme_to_ecef,
    topocentric_radec,
    vector_to_radec,
)
from catalog.astro.propagation import propagate, satrec_array, satrec_from_elements, utc_to_jd_fr
from catalog.astro.residuals import angle_residual_deg, angular_separation_deg
from tests.astro.sample_orbits import (
    ALL_REGIMES,
    SITE,
    skyfield_satellite,
    skyfield_site,
    timescale,
)

OFFSETS_S = np.arange(0.0, 86_400.0, 397.0)
START = np.datetime64("2024-03-15T06:00:00", "us")
TIMES = START + (OFFSETS_S * 1e6).astype("timedelta64[us]")
SITES = [SITE, GroundSite(-33.9, 18.4, 0.05), GroundSite(64.3, -149.2, 0.3)]


def _skyfield_times():
    return timescale().utc(2024, 3, 15, 6, 0, OFFSETS_S)


def _ours(regime: str, site: GroundSite, dut1: np.ndarray | float):
    sat = satrec_from_elements(ALL_REGIMES[regime])
    r, v, err = propagate(satrec_array([sat]), TIMES)
    assert np.all(err == 0)
    jd, fr = utc_to_jd_fr(TIMES)
    return sat, r[0], v[0], jd, fr, look_angles(r[0], v[0], jd, fr, site, dut1)


def _skyfield_reference(sat, site: GroundSite):
    t = _skyfield_times()
    diff = (skyfield_satellite(sat, timescale()) - skyfield_site(site)).at(t)
    alt, az, dist = diff.altaz()
    *_, range_rate = diff.frame_latlon_and_rates(skyfield_site(site))
    return t, diff, alt.degrees, az.degrees, dist.km, range_rate.km_per_s


def test_geodetic_to_ecef_matches_skyfield_wgs84():
    lat = np.array([0.0, 35.0, -33.9, 64.3, 89.9, -90.0])
    lon = np.array([0.0, -106.6, 18.4, -149.2, 10.0, 0.0])
    alt = np.array([0.0, 1.6, 0.05, 0.3, 2.0, -0.1])
    ours = geodetic_to_ecef(lat, lon, alt)
    for i in range(len(lat)):
        ref = skyfield_site(GroundSite(lat[i], lon[i], alt[i])).itrs_xyz.km
        np.testing.assert_allclose(ours[i], ref, atol=1e-6)


def test_gmst_matches_skyfield_iau82():
    jd, fr = utc_to_jd_fr(TIMES)
    ref = np.array([theta_GMST1982(j, f)[0] for j, f in zip(jd, fr, strict=True)])
    np.testing.assert_allclose(gmst82(jd, fr), ref, atol=1e-12)


def test_teme_to_ecef_matches_skyfield_including_earth_rotation_in_velocity():
    _sat, r, v, jd, fr, _ = _ours("LEO", SITE, 0.0)
    r_ecef, v_ecef = teme_to_ecef(r, v, jd, fr)
    for k in range(0, len(jd), 17):
        ref_r, ref_v = TEME_to_ITRF(jd[k], r[k], v[k] * 86_400.0, 0.0, 0.0, fr[k])
        np.testing.assert_allclose(r_ecef[k], ref_r, atol=1e-7)
        # skyfield rounds the rotation rate to 7.2921150e-5 rad/s.
        np.testing.assert_allclose(v_ecef[k], ref_v / 86_400.0, atol=1e-6)


@pytest.mark.parametrize("regime", sorted(ALL_REGIMES))
@pytest.mark.parametrize("site", SITES, ids=["new_mexico", "cape_town", "alaska"])
def test_topocentric_azimuth_elevation_range_and_rate_match_skyfield(regime, site):
    sat, *_ = _ours(regime, site, 0.0)
    t, _, alt, az, dist, rate = _skyfield_reference(sat, site)
    *_, ours = _ours(regime, site, t.dut1)
    # Both use TEME with IAU-82 GMST, UT1 and no polar motion, so only rounding remains.
    np.testing.assert_allclose(ours.elevation_deg, alt, atol=1e-6)
    cos_el = np.cos(np.radians(alt))
    np.testing.assert_allclose(angle_residual_deg(ours.azimuth_deg, az) * cos_el, 0.0, atol=1e-6)
    np.testing.assert_allclose(ours.range_km, dist, atol=1e-5)
    np.testing.assert_allclose(ours.range_rate_km_s, rate, atol=1e-6)


@pytest.mark.parametrize("regime", sorted(ALL_REGIMES))
def test_ignoring_ut1_minus_utc_costs_no_more_than_the_earth_rotation_it_skips(regime):
    sat, *_ = _ours(regime, SITE, 0.0)
    t, _, alt, az, dist, rate = _skyfield_reference(sat, SITE)
    *_, ours = _ours(regime, SITE, 0.0)
    # Skipping UT1-UTC turns the Earth by |dut1| * omega: the local axes turn by that
    # angle and the site moves by it times its distance from the axis.
    turn_rad = np.abs(t.dut1) * EARTH_ROTATION_RAD_S
    site_shift_km = turn_rad * np.hypot(*SITE.ecef_km[:2])
    angle_bound_deg = np.degrees(turn_rad + site_shift_km / dist) * 1.05 + 1e-6
    cos_el = np.cos(np.radians(alt))
    assert np.all(np.abs(ours.elevation_deg - alt) <= angle_bound_deg)
    assert np.all(np.abs(angle_residual_deg(ours.azimuth_deg, az)) * cos_el <= angle_bound_deg)
    assert np.all(np.abs(ours.range_km - dist) <= site_shift_km * 1.05 + 1e-5)
    assert np.all(np.abs(ours.range_rate_km_s - rate) <= 1e-3)


@pytest.mark.parametrize("regime", sorted(ALL_REGIMES))
def test_topocentric_radec_in_teme_matches_skyfield_teme_frame(regime):
    sat, *_ = _ours(regime, SITE, 0.0)
    t, diff, *_ = _skyfield_reference(sat, SITE)
    _, r, _, jd, fr, _ = _ours(regime, SITE, t.dut1)
    ra, dec = topocentric_radec(r, jd, fr, SITE, t.dut1)
    ref_ra, ref_dec = vector_to_radec(diff.frame_xyz(TEME).km.T)
    sep = angular_separation_deg(ra, dec, ref_ra, ref_dec)
    assert np.max(sep) * 3600.0 < 0.01


@pytest.mark.parametrize("regime", sorted(ALL_REGIMES))
def test_topocentric_radec_in_j2000_matches_skyfield_icrs_within_half_an_arcsecond(regime):
    sat, *_ = _ours(regime, SITE, 0.0)
    t, diff, *_ = _skyfield_reference(sat, SITE)
    _, r, _, jd, fr, _ = _ours(regime, SITE, t.dut1)
    ra, dec = topocentric_radec(r, jd, fr, SITE, t.dut1, frame="j2000")
    ref_ra, ref_dec, _ = diff.radec()
    sep = angular_separation_deg(ra, dec, ref_ra._degrees, ref_dec.degrees)
    # Truncated IAU-80 nutation plus IAU-76 vs IAU-2006/2000A and the frame bias.
    assert np.max(sep) * 3600.0 < 0.5


def test_teme_and_j2000_radec_differ_by_precession_since_2000():
    _, r, _, jd, fr, _ = _ours("GEO", SITE, 0.0)
    ra_t, dec_t = topocentric_radec(r, jd, fr, SITE)
    ra_j, dec_j = topocentric_radec(r, jd, fr, SITE, frame="j2000")
    sep = angular_separation_deg(ra_t, dec_t, ra_j, dec_j)
    # 24.2 years of general precession (50.3 arcsec/yr about the ecliptic pole) is
    # 0.338 deg; directions away from the ecliptic move by less.
    assert np.all((sep > 0.25) & (sep < 0.345))


def test_look_angles_broadcast_over_satellites_and_times():
    sats = satrec_array([satrec_from_elements(e) for e in ALL_REGIMES.values()])
    r, v, _ = propagate(sats, TIMES)
    jd, fr = utc_to_jd_fr(TIMES)
    angles = look_angles(r, v, jd, fr, SITE)
    ra, dec = topocentric_radec(r, jd, fr, SITE, frame="j2000")
    for arr in (angles.azimuth_deg, angles.elevation_deg, angles.range_km, angles.range_rate_km_s, ra, dec):
        assert arr.shape == (4, len(TIMES))
    single = look_angles(r[2, 5], v[2, 5], jd[5], fr[5], SITE)
    assert single.elevation_deg == pytest.approx(angles.elevation_deg[2, 5], abs=1e-12)


def test_unknown_radec_frame_is_refused():
    _, r, _, jd, fr, _ = _ours("LEO", SITE, 0.0)
    with pytest.raises(ValueError, match="frame"):
        topocentric_radec(r, jd, fr, SITE, frame="icrs")  # type: ignore[arg-type]


def test_fused_teme_look_angles_equal_the_two_step_conversion():
    sats = satrec_array([satrec_from_elements(e) for e in ALL_REGIMES.values()])
    r, v, _ = propagate(sats, TIMES)
    jd, fr = utc_to_jd_fr(TIMES)
    fused = look_angles(r, v, jd, fr, SITE, 0.2)
    two_step = look_angles_ecef(*teme_to_ecef(r, v, jd, fr, 0.2), SITE)
    np.testing.assert_allclose(angle_residual_deg(fused.azimuth_deg, two_step.azimuth_deg), 0.0, atol=1e-9)
    np.testing.assert_allclose(fused.elevation_deg, two_step.elevation_deg, atol=1e-9)
    np.testing.assert_allclose(fused.range_km, two_step.range_km, rtol=1e-12)
    np.testing.assert_allclose(fused.range_rate_km_s, two_step.range_rate_km_s, atol=1e-10)
    assert np.all((fused.azimuth_deg >= 0.0) & (fused.azimuth_deg < 360.0))


def test_azimuth_due_north_and_ra_of_a_tiny_negative_angle_stay_below_360():
    north = SITE.ecef_km + 1000.0 * SITE.enu_matrix[1] - 1e-18 * SITE.enu_matrix[0]
    angles = look_angles_ecef(north, np.zeros(3), SITE)
    assert 0.0 <= float(angles.azimuth_deg) < 360.0
    ra, _ = vector_to_radec(np.array([1.0, -1e-300, 0.0]))
    assert 0.0 <= float(ra) < 360.0
