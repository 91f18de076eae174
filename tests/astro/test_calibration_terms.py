"""The calibration-grade frame chain against skyfield (IERS UT1 and polar motion, DE430)."""

from __future__ import annotations

import numpy as np
import pytest
from skyfield.earthlib import refract, refraction

from catalog.astro import aberration, frames, predict
from catalog.astro import refraction as tropo
from catalog.astro.frames import look_angles, teme_to_j2000
from catalog.astro.orientation import (
    EarthOrientation,
    earth_orientation,
    itrf_to_pef,
    look_angles_eop,
    pef_to_itrf,
    site_state_teme,
    teme_vector_to_radec,
)
from catalog.astro.propagation import propagate, satrec_array, satrec_from_elements, utc_to_jd_fr
from catalog.astro.residuals import angle_residual_deg, angular_separation_deg
from tests.astro.skyfield_reference import (
    FYLINGDALES,
    LEO_2015,
    de430_excerpt,
    radar_round_trip_km,
    shifted,
    skyfield_satellite,
    skyfield_site,
    skyfield_times,
)

ARCSEC = 1.0 / 3600.0
# Level-1 calibration limits of the frame error budget: range, az/el, RA/Dec, range rate.
LIMIT_RANGE_KM, LIMIT_AZEL_DEG, LIMIT_RADEC_DEG, LIMIT_RATE_KM_S = 0.030, 18 * ARCSEC, 1.8 * ARCSEC, 0.0005

# A 75-degree pass of the LEO over Fylingdales, 2015-03-02 15:33:40-15:45:10 UTC.
UTC = np.datetime64("2015-03-02T15:33:40", "us") + (np.arange(0, 690, 10) * 1e6).astype("timedelta64[us]")


@pytest.fixture(scope="module")
def states():
    r, v, err = propagate(satrec_array([satrec_from_elements(LEO_2015)]), UTC)
    assert np.all(err == 0)
    return r[0], v[0]


@pytest.fixture(scope="module")
def reference():
    t = skyfield_times(UTC)
    sat = skyfield_satellite(LEO_2015)
    topo = skyfield_site(FYLINGDALES)
    diff = (sat - topo).at(t)
    alt, az, dist = diff.altaz()
    *_, rate = diff.frame_latlon_and_rates(topo)
    return {"t": t, "sat": sat, "alt": alt.degrees, "az": az.degrees, "range": dist.km, "rate": rate.km_per_s}


def _errors(look, ref):
    cos_el = np.cos(np.radians(ref["alt"]))
    return (
        np.abs(angle_residual_deg(look.azimuth_deg, ref["az"]) * cos_el).max(),
        np.abs(look.elevation_deg - ref["alt"]).max(),
        np.abs(look.range_km - ref["range"]).max(),
        np.abs(look.range_rate_km_s - ref["rate"]).max(),
    )


def test_geometric_chain_with_earth_orientation_matches_skyfield(states, reference):
    az, el, rng, rate = _errors(
        look_angles_eop(states[0], states[1], FYLINGDALES, earth_orientation(UTC)), reference
    )
    assert az < 0.01 * ARCSEC and el < 0.01 * ARCSEC
    assert rng < 1e-6  # 1 mm
    assert rate < 5e-6  # 5 mm/s


def test_without_earth_orientation_the_frame_error_exceeds_the_level_1_limits(states, reference):
    """What the older chain of `frames` gives with UT1 - UTC = 0 and no polar motion."""
    jd, fr = utc_to_jd_fr(UTC)
    az, el, rng, rate = _errors(look_angles(states[0], states[1], jd, fr, FYLINGDALES), reference)
    assert max(az, el) > LIMIT_AZEL_DEG
    assert rng > LIMIT_RANGE_KM
    assert rate > LIMIT_RATE_KM_S


def test_polar_motion_round_trips_and_moves_the_pole_to_xp_minus_yp():
    xp, yp = 0.3 * ARCSEC * np.pi / 180, 0.4 * ARCSEC * np.pi / 180
    pole = pef_to_itrf(np.array([0.0, 0.0, 1.0]), xp, yp)
    np.testing.assert_allclose(pole[:2], [xp, -yp], rtol=1e-9)
    vec = np.array([1234.0, -5678.0, 3456.0])
    np.testing.assert_allclose(itrf_to_pef(pef_to_itrf(vec, xp, yp), xp, yp), vec, atol=1e-10)


def test_an_instant_outside_the_table_is_refused():
    from catalog.astro.eop import EopError

    with pytest.raises(EopError, match="outside"):
        earth_orientation(np.array(["1960-01-01T00:00:00"], dtype="datetime64[us]"))


def test_radar_round_trip_range_and_rate_match_skyfield(states, reference):
    eo = earth_orientation(UTC)
    predicted = predict.radar(states[0], states[1], FYLINGDALES, eo)
    sat, t = reference["sat"], reference["t"]
    ref_range = radar_round_trip_km(sat, FYLINGDALES, t)
    assert np.abs(predicted.range_km - ref_range).max() < 1e-6
    # The term itself: rho_dot * rho / c is tens of metres here.
    assert np.abs(reference["range"] - ref_range).max() > 0.02
    h = 0.005
    ref_rate = (
        radar_round_trip_km(sat, FYLINGDALES, shifted(t, h))
        - radar_round_trip_km(sat, FYLINGDALES, shifted(t, -h))
    ) / (2 * h)
    # SGP4's velocity is not exactly the derivative of its position (about 9 mm/s here).
    assert np.abs(predicted.range_rate_km_s - ref_rate).max() < 2e-5
    assert np.abs(reference["rate"] - ref_rate).max() > 1e-4


def _skyfield_optical(reference):
    earth = de430_excerpt()["earth"]
    seen = (earth + skyfield_site(FYLINGDALES)).at(reference["t"]).observe(earth + reference["sat"])
    ra_astrometric, dec_astrometric, _ = seen.radec()
    ra_apparent, dec_apparent, _ = seen.apparent().radec()
    return (ra_astrometric._degrees, dec_astrometric.degrees), (ra_apparent._degrees, dec_apparent.degrees)


def test_optical_apparent_and_star_referenced_radec_match_skyfield(states, reference):
    """skyfield's apparent place (barycentric light time and full aberration) is our light
    time + diurnal aberration; its astrometric place (what a star-catalog reduction yields) is
    our star-referenced direction. The two differ by the annual aberration."""
    eo = earth_orientation(UTC)
    astrometric, apparent = _skyfield_optical(reference)
    ours_apparent = predict.optical(states[0], states[1], FYLINGDALES, eo)
    ours_star = predict.optical(
        states[0], states[1], FYLINGDALES, eo, predict.Statement(star_referenced=True)
    )
    assert (
        angular_separation_deg(ours_apparent.ra_deg, ours_apparent.dec_deg, *apparent).max() < 0.15 * ARCSEC
    )
    assert angular_separation_deg(ours_star.ra_deg, ours_star.dec_deg, *astrometric).max() < 0.15 * ARCSEC
    annual = angular_separation_deg(*apparent, *astrometric)
    assert annual.max() > 15 * ARCSEC
    site_r, _ = site_state_teme(FYLINGDALES, eo)
    geometric = teme_vector_to_radec(states[0] - site_r, eo)
    # Light time and diurnal aberration together exceed the RA/Dec limit on this pass.
    assert (
        angular_separation_deg(*geometric, ours_apparent.ra_deg, ours_apparent.dec_deg).max()
        > LIMIT_RADEC_DEG
    )


def test_earth_velocity_matches_de430():
    jd, fr = utc_to_jd_fr(UTC[:3])
    ours = teme_to_j2000(aberration.earth_velocity_km_s(jd, fr), jd, fr)
    ref = de430_excerpt()["earth"].at(skyfield_times(UTC[:3])).velocity.km_per_s.T
    assert np.abs(ours - ref).max() < 0.05  # 0.15 % of 29.8 km/s


def test_diurnal_aberration_is_v_over_c_at_right_angles():
    v = np.array([0.465, 0.0, 0.0])
    seen = aberration.diurnal(np.array([0.0, 1.0, 0.0]), v)
    shift = np.degrees(np.arctan2(seen[0], seen[1])) * 3600
    assert shift == pytest.approx(0.465 / 299_792.458 * 206_264.806, rel=1e-6)


@pytest.mark.parametrize("elevation", [0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 85.0])
@pytest.mark.parametrize(("pressure", "temperature"), [(1010.0, 10.0), (850.0, -5.0)])
def test_optical_refraction_matches_skyfield(elevation, pressure, temperature):
    ours = tropo.optical_bending_deg(elevation, pressure, temperature)
    ref = refract(elevation, temperature, pressure) - elevation
    assert ours == pytest.approx(ref, rel=2e-3, abs=3e-5)
    apparent = elevation + ours
    back = tropo.optical_apparent_to_true_deg(apparent, pressure, temperature)
    # skyfield scales by 0.28 P / T, Bennett's own (P / 1010)(283 / T) is 0.07 % larger.
    assert apparent - back == pytest.approx(refraction(apparent, temperature, pressure), rel=2e-3, abs=3e-5)


def test_refraction_is_0_41_degrees_at_1_degree_apparent():
    assert 1.0 - tropo.optical_apparent_to_true_deg(1.0) == pytest.approx(0.41, abs=0.01)


def test_radio_bending_exceeds_optical_in_humid_air():
    dry = tropo.radio_bending_deg(5.0, relative_humidity=0.0)
    wet = tropo.radio_bending_deg(5.0, relative_humidity=0.8)
    assert dry == pytest.approx(tropo.optical_bending_deg(5.0), rel=1e-9)
    assert 1.1 < wet / dry < 1.4


def test_range_delay_is_the_published_saastamoinen_size():
    """IERS Conventions (2010) 9.2: about 2.3 m hydrostatic zenith delay at sea level."""
    assert tropo.zenith_delay_m(relative_humidity=0.0) == pytest.approx(2.31, abs=0.01)
    assert tropo.range_delay_km(90.0, relative_humidity=0.0) * 1000 == pytest.approx(2.31, abs=0.01)
    # Mapping at 5 degrees: about 10 (published Niell / Chao values 10.1-10.2).
    assert 9.8 < float(tropo.chao_mapping(5.0)) < 10.5


def test_radar_statement_adds_refraction_only_when_not_corrected(states):
    eo = earth_orientation(UTC)
    corrected = predict.radar(states[0], states[1], FYLINGDALES, eo)
    raw = predict.radar(states[0], states[1], FYLINGDALES, eo, predict.Statement(refraction_corrected=False))
    np.testing.assert_allclose(
        raw.elevation_deg - corrected.elevation_deg, tropo.radio_bending_deg(corrected.elevation_deg)
    )
    assert np.all(raw.range_km > corrected.range_km)


def test_equation_of_the_equinoxes_reaches_about_16_arcseconds():
    """The TEME frame of date differs from the true equinox by dpsi cos(eps): over a nutation
    cycle that reaches about 16", not the 1.2" an older docstring claimed."""
    from skyfield.nutationlib import iau2000a_radians

    ts = __import__("tests.astro.skyfield_reference", fromlist=["x"]).iers_timescale()
    t = ts.tt_jd(2451545.0 + np.arange(0.0, 6800.0, 5.0))
    dpsi, _ = iau2000a_radians(t)
    equinoxes = np.abs(np.degrees(dpsi) * 3600 * np.cos(np.radians(23.44)))
    assert 15.0 < equinoxes.max() < 17.5
    assert "1.2 arcsec" not in (frames.topocentric_radec.__doc__ or "")


def test_earth_orientation_carries_its_source():
    eo = earth_orientation(UTC[:2])
    assert isinstance(eo, EarthOrientation)
    assert "finals" in eo.source
