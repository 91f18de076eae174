"""SGP4 propagation against Vallado's verification vectors shipped with the sgp4 wheel."""

from __future__ import annotations

import datetime as dt
import importlib.resources

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sgp4.api import Satrec
from sgp4.exporter import export_tle

from catalog.astro.propagation import (
    as_datetime64_us,
    jd_fr_to_datetime64,
    propagate,
    propagate_jd,
    satrec_array,
    satrec_array_from_elements,
    satrec_array_from_tles,
    satrec_from_elements,
    satrec_from_tle,
    utc_to_jd_fr,
)
from tests.astro.sample_orbits import ALL_REGIMES, EPOCH

TIMES = np.datetime64("2024-03-15T06:00:00", "us") + np.array(
    [-7200, 0, 1, 3599, 86_400 + 0.5, 3 * 86_400], dtype=np.float64
).__mul__(1e6).astype("timedelta64[us]")


def test_j2000_noon_is_julian_date_2451545():
    jd, fr = utc_to_jd_fr(dt.datetime(2000, 1, 1, 12, 0, 0))
    assert jd.shape == fr.shape == ()
    assert float(jd) == 2451544.5
    assert float(fr) == 0.5


def test_aware_and_naive_datetimes_mean_the_same_utc_instant():
    naive = dt.datetime(2024, 3, 15, 6, 0, 0)
    aware = dt.datetime(2024, 3, 15, 8, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert as_datetime64_us(naive) == as_datetime64_us(aware)
    assert as_datetime64_us([naive, aware]).shape == (2,)


@given(st.integers(min_value=-(10**15), max_value=4 * 10**15))
def test_julian_date_split_round_trips_to_the_microsecond(us: int):
    t = np.datetime64(us, "us")
    jd, fr = utc_to_jd_fr(np.array([t]))
    assert 0.0 <= fr[0] < 1.0
    assert jd_fr_to_datetime64(jd, fr)[0] == t


def test_propagation_equals_single_satrec_results_exactly():
    satrecs = [satrec_from_elements(e) for e in ALL_REGIMES.values()]
    r, v, err = propagate(satrec_array(satrecs), TIMES)
    assert r.shape == (4, len(TIMES), 3)
    assert v.shape == (4, len(TIMES), 3)
    assert err.shape == (4, len(TIMES))
    jd, fr = utc_to_jd_fr(TIMES)
    for i, sat in enumerate(satrecs):
        for k in range(len(TIMES)):
            e1, r1, v1 = sat.sgp4(jd[k], fr[k])
            assert err[i, k] == e1 == 0
            np.testing.assert_array_equal(r[i, k], r1)
            np.testing.assert_array_equal(v[i, k], v1)


def test_elements_and_their_exported_tle_propagate_alike():
    elements = list(ALL_REGIMES.values())
    from_elements = satrec_array_from_elements(elements)
    pairs = [export_tle(satrec_from_elements(e)) for e in elements]
    from_tles = satrec_array_from_tles(pairs)
    r1, v1, _ = propagate(from_elements, TIMES)
    r2, v2, _ = propagate(from_tles, TIMES)
    # TLE fields round the angles to 1e-4 deg, which is metres at these radii.
    np.testing.assert_allclose(r1, r2, atol=0.05)
    np.testing.assert_allclose(v1, v2, atol=5e-5)


def test_elements_epoch_keeps_sub_millisecond_precision():
    element = ALL_REGIMES["LEO"]
    shifted = dict(element.__dict__, epoch=EPOCH + dt.timedelta(microseconds=1234))
    sat = satrec_from_elements(type(element)(**shifted))
    jd, fr = utc_to_jd_fr(EPOCH)
    epoch_days = (sat.jdsatepoch - float(jd)) + (sat.jdsatepochF - float(fr))
    # sgp4init takes the epoch as float days since 1949, good to about 1 us.
    assert epoch_days * 86_400e6 == pytest.approx(1234.0, abs=1.0)


def test_ndot_uses_tle_convention():
    sat = satrec_from_elements(ALL_REGIMES["LEO"])
    line1, _ = export_tle(sat)
    assert line1[33:43] == " .00001500"


def test_bad_tle_is_rejected_with_value_error():
    line1, line2 = export_tle(satrec_from_elements(ALL_REGIMES["LEO"]))
    broken = line2[:26] + "1.000000" + line2[33:]  # eccentricity field 1.0: no ellipse
    with pytest.raises(ValueError):
        satrec_from_tle(line1, broken)


def _vallado_cases() -> list[tuple[str, str]]:
    text = (importlib.resources.files("sgp4") / "SGP4-VER.TLE").read_text()
    lines = [ln for ln in text.splitlines() if ln.startswith(("1 ", "2 "))]
    return list(zip(lines[0::2], lines[1::2], strict=True))


def _vallado_expected() -> dict[int, list[list[float]]]:
    text = (importlib.resources.files("sgp4") / "tcppver.out").read_text()
    out: dict[int, list[list[float]]] = {}
    current: list[list[float]] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1] == "xx":
            current = out.setdefault(int(fields[0]), [])
        elif len(fields) >= 7:
            current.append([float(x) for x in fields[:7]])
    return out


def test_vallado_verification_tles_reproduce_the_reference_ephemeris():
    expected = _vallado_expected()
    checked = 0
    for line1, line2 in _vallado_cases():
        reference = Satrec.twoline2rv(line1, line2[:69])
        if reference.error != 0:
            with pytest.raises(ValueError):
                satrec_from_tle(line1, line2)
            continue
        sat = satrec_from_tle(line1, line2)
        rows = np.array(expected.get(sat.satnum, []))
        if rows.size == 0:
            continue
        # tcppver.out repeats 20413 with other settings; the first block is the TLE's own.
        rows = rows[: np.searchsorted(np.diff(rows[:, 0]) < 0, True) + 1]
        tsince_days = rows[:, 0] / 1440.0
        jd = np.full(len(rows), sat.jdsatepoch)
        r, v, err = propagate_jd(satrec_array([sat]), jd, sat.jdsatepochF + tsince_days)
        ok = err[0] == 0
        np.testing.assert_allclose(r[0][ok], rows[ok, 1:4], atol=1e-3, rtol=1e-9)
        np.testing.assert_allclose(v[0][ok], rows[ok, 4:7], atol=1e-6, rtol=1e-9)
        checked += int(ok.sum())
    assert checked > 400


def test_failed_states_come_back_as_nan_with_error_code():
    decaying = satrec_from_elements(type(ALL_REGIMES["LEO"])(**dict(ALL_REGIMES["LEO"].__dict__, bstar=0.5)))
    times = np.datetime64("2024-03-15T06:00") + np.arange(0, 200, 10).astype("timedelta64[D]")
    r, _, err = propagate(satrec_array([decaying]), times)
    assert err[0, 0] == 0
    assert np.any(err[0] != 0)
    assert np.all(np.isnan(r[0][err[0] != 0]))
