"""Observed-minus-predicted residuals: angles wrapped, lines of sight compared."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.astro.residuals import (
    angle_residual_deg,
    angular_separation_deg,
    residual_stats,
    residual_stats_by_type,
    residuals,
    wrap_angle_deg,
)

angles = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
lons = st.floats(min_value=0.0, max_value=360.0, allow_nan=False)
lats = st.floats(min_value=-90.0, max_value=90.0, allow_nan=False)


@given(angles)
def test_wrapped_angle_lies_in_minus_180_to_180(a):
    w = float(wrap_angle_deg(a))
    assert -180.0 <= w < 180.0
    assert math.isclose(math.remainder(w - a, 360.0), 0.0, abs_tol=1e-9)


@given(lons, lons)
def test_azimuth_residual_is_the_short_way_round(obs, pred):
    res = float(angle_residual_deg(obs, pred))
    assert -180.0 <= res < 180.0
    assert math.isclose(math.remainder(pred + res - obs, 360.0), 0.0, abs_tol=1e-9)


def test_azimuth_residual_across_north():
    assert angle_residual_deg(1.0, 359.0) == pytest.approx(2.0)
    assert angle_residual_deg(359.0, 1.0) == pytest.approx(-2.0)
    assert angle_residual_deg(180.0, 0.0) == pytest.approx(-180.0)


@given(lons, lats, lons, lats)
def test_angular_separation_is_symmetric_and_bounded(lon1, lat1, lon2, lat2):
    a = float(angular_separation_deg(lon1, lat1, lon2, lat2))
    b = float(angular_separation_deg(lon2, lat2, lon1, lat1))
    assert a == pytest.approx(b, abs=1e-9)
    assert 0.0 <= a <= 180.0
    assert float(angular_separation_deg(lon1, lat1, lon1, lat1)) == pytest.approx(0.0, abs=1e-9)


def test_angular_separation_resolves_milliarcseconds():
    tiny = 1e-3 / 3600.0
    assert angular_separation_deg(10.0, 20.0, 10.0, 20.0 + tiny) == pytest.approx(tiny, rel=1e-6)
    assert angular_separation_deg(0.0, 0.0, 180.0, 0.0) == pytest.approx(180.0)
    assert angular_separation_deg(0.0, 89.0, 180.0, 89.0) == pytest.approx(2.0)


def test_residuals_wrap_azimuth_and_ra_only():
    obs = {"azimuth_deg": [359.5, 0.5], "elevation_deg": [10.0, 20.0], "ra_deg": [0.25], "range_km": [1000.0]}
    pred = {
        "azimuth_deg": [0.5, 359.5],
        "elevation_deg": [9.0, 21.0],
        "ra_deg": [359.75],
        "range_km": [999.5],
    }
    res = residuals(obs, pred)
    np.testing.assert_allclose(res["azimuth_deg"], [-1.0, 1.0])
    np.testing.assert_allclose(res["elevation_deg"], [1.0, -1.0])
    np.testing.assert_allclose(res["ra_deg"], [0.5])
    np.testing.assert_allclose(res["range_km"], [0.5])
    assert "dec_deg" not in res


def test_misspelt_measurement_type_is_an_error():
    with pytest.raises(KeyError, match="azimuth"):
        residuals({"azimuth": [1.0]}, {"azimuth": [1.0]})


def test_bias_noise_and_rms():
    stats = residual_stats([1.0, 2.0, 3.0, np.nan])
    assert stats.count == 3
    assert stats.bias == pytest.approx(2.0)
    assert stats.noise == pytest.approx(1.0)
    assert stats.rms == pytest.approx(math.sqrt(14.0 / 3.0))


def test_stats_of_one_or_no_residual():
    one = residual_stats([0.5])
    assert (one.count, one.bias, one.rms) == (1, 0.5, 0.5)
    assert math.isnan(one.noise)
    none = residual_stats([])
    assert none.count == 0 and math.isnan(none.bias)


@given(st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=2, max_size=50))
def test_rms_squared_is_bias_squared_plus_population_variance(values):
    s = residual_stats(values)
    n = s.count
    assert s.rms**2 == pytest.approx(s.bias**2 + s.noise**2 * (n - 1) / n, rel=1e-9, abs=1e-9)


def test_stats_per_measurement_type():
    stats = residual_stats_by_type({"azimuth_deg": [0.1, -0.1], "range_km": [1.0, 1.0]})
    assert stats["azimuth_deg"].bias == pytest.approx(0.0)
    assert stats["range_km"].noise == pytest.approx(0.0)
