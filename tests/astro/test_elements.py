"""Mean elements: semi-major axis, apogee and perigee, orbit regimes."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.astro.elements import (
    OrbitRegime,
    apogee_altitude_km,
    brouwer_semi_major_axis_km,
    classify_regime,
    perigee_altitude_km,
    period_min,
    semi_major_axis_km,
)
from catalog.astro.propagation import satrec_from_elements
from tests.astro.sample_orbits import ALL_REGIMES, EQUATORIAL_LEO


@pytest.mark.parametrize("name", sorted(ALL_REGIMES))
def test_brouwer_semi_major_axis_equals_the_one_sgp4_recovers(name):
    e = ALL_REGIMES[name]
    sat = satrec_from_elements(e)
    ours = brouwer_semi_major_axis_km(e.mean_motion_rev_per_day, e.eccentricity, e.inclination_deg)
    assert ours == pytest.approx(sat.a * sat.radiusearthkm, rel=1e-12)


def test_kepler_and_brouwer_semi_major_axes_stay_close():
    e = EQUATORIAL_LEO
    kepler = semi_major_axis_km(e.mean_motion_rev_per_day)
    brouwer = brouwer_semi_major_axis_km(e.mean_motion_rev_per_day, e.eccentricity, e.inclination_deg)
    assert 0.0 < brouwer - kepler < 8.0


def test_geostationary_mean_motion_gives_the_geostationary_radius_and_a_sidereal_day():
    assert semi_major_axis_km(1.00273791) == pytest.approx(42164.2, abs=1.0)
    assert period_min(1.00273791) == pytest.approx(1436.07, abs=0.01)


def test_apogee_and_perigee_altitudes_of_a_molniya():
    n, ecc = ALL_REGIMES["MOLNIYA"].mean_motion_rev_per_day, ALL_REGIMES["MOLNIYA"].eccentricity
    a = semi_major_axis_km(n)
    assert apogee_altitude_km(n, ecc) + perigee_altitude_km(n, ecc) == pytest.approx(2 * a - 2 * 6378.135)
    # a = (398600.8 / (2.0056 * 2 pi / 86400)^2)^(1/3) = 26560.67 km
    assert perigee_altitude_km(n, ecc) == pytest.approx(26560.67 * 0.28 - 6378.135, abs=0.01)
    assert apogee_altitude_km(n, ecc) == pytest.approx(26560.67 * 1.72 - 6378.135, abs=0.02)


def test_sample_orbits_fall_in_their_regimes():
    names = sorted(ALL_REGIMES)
    n = [ALL_REGIMES[k].mean_motion_rev_per_day for k in names]
    ecc = [ALL_REGIMES[k].eccentricity for k in names]
    expected = {"GEO": "GEO", "GPS": "MEO", "LEO": "LEO", "MOLNIYA": "HEO"}
    assert list(classify_regime(n, ecc)) == [expected[k] for k in names]


@pytest.mark.parametrize(
    ("period", "ecc", "regime"),
    [
        (92.0, 0.0, OrbitRegime.LEO),
        (127.9, 0.1, OrbitRegime.LEO),
        (128.0, 0.1, OrbitRegime.MEO),
        (720.0, 0.01, OrbitRegime.MEO),
        (1299.0, 0.0, OrbitRegime.MEO),
        (1300.0, 0.0, OrbitRegime.GEO),
        (1800.0, 0.2, OrbitRegime.GEO),
        (1801.0, 0.0, OrbitRegime.HEO),
        (100.0, 0.25, OrbitRegime.HEO),
        (640.0, 0.73, OrbitRegime.HEO),
        (100.0, 1.0, OrbitRegime.UNKNOWN),
        (100.0, -0.1, OrbitRegime.UNKNOWN),
    ],
)
def test_regime_thresholds(period, ecc, regime):
    assert classify_regime(1440.0 / period, ecc)[()] == regime


def test_zero_mean_motion_is_unknown_not_an_error():
    assert classify_regime(0.0, 0.0)[()] == OrbitRegime.UNKNOWN
    assert np.isnan(semi_major_axis_km(0.0))


def test_derived_quantities_are_vectorized():
    n = np.full((3, 4), 15.0)
    ecc = np.linspace(0.0, 0.1, 4)
    assert perigee_altitude_km(n, ecc).shape == (3, 4)
    assert classify_regime(n, ecc).shape == (3, 4)
