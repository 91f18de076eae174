"""Pass prediction and visibility from a ground site, against skyfield."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from skyfield.api import wgs84

from catalog.astro.frames import GroundSite, look_angles
from catalog.astro.propagation import propagate, satrec_array, satrec_from_elements, utc_to_jd_fr
from catalog.astro.visibility import (
    PassWindow,
    VisibilityLimits,
    find_passes,
    is_sunlit,
    site_in_darkness,
    sun_elevation_deg,
    sun_position_eci,
)
from tests.astro.sample_orbits import (
    EQUATORIAL_LEO,
    GEO,
    GPS,
    LEO,
    MOLNIYA,
    SITE,
    skyfield_satellite,
    skyfield_site,
    timescale,
)

START = dt.datetime(2024, 3, 15, 6, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(days=1)


def _seconds(t: np.datetime64) -> float:
    return float((t - np.datetime64("2024-03-15T06:00:00", "us")) / np.timedelta64(1, "us")) / 1e6


def _skyfield_events(sat, site: GroundSite, min_el: float) -> tuple[list[float], list[float], list[float]]:
    ts = timescale()
    t, kinds = skyfield_satellite(sat, ts).find_events(
        skyfield_site(site), ts.from_datetime(START), ts.from_datetime(END), altitude_degrees=min_el
    )
    seconds = (t.tt - ts.from_datetime(START).tt) * 86_400.0
    return [list(seconds[kinds == k]) for k in (0, 1, 2)]  # type: ignore[return-value]


@pytest.mark.parametrize("min_el", [0.0, 10.0])
def test_leo_pass_times_match_skyfield_find_events_within_two_seconds(min_el):
    sat = satrec_from_elements(LEO)
    passes = find_passes([sat], SITE, START, END, VisibilityLimits(min_elevation_deg=min_el))
    rises, culminations, sets = _skyfield_events(sat, SITE, min_el)
    assert len(passes) == len(rises) == len(sets) >= 3
    for p, rise, culm, set_ in zip(passes, rises, culminations, sets, strict=True):
        assert _seconds(p.rise) == pytest.approx(rise, abs=2.0)
        assert _seconds(p.set) == pytest.approx(set_, abs=2.0)
        # Elevation is flat at culmination, so its time is the least sharp of the three.
        assert _seconds(p.culmination) == pytest.approx(culm, abs=5.0)
        assert not p.starts_before_window and not p.ends_after_window


def test_culmination_elevation_matches_skyfield():
    sat = satrec_from_elements(LEO)
    passes = find_passes([sat], SITE, START, END, VisibilityLimits(min_elevation_deg=10.0))
    ts = timescale()
    site = skyfield_site(SITE)
    skysat = skyfield_satellite(sat, ts)
    for p in passes:
        alt, *_ = (
            (skysat - site)
            .at(ts.from_datetime(p.culmination.astype(dt.datetime).replace(tzinfo=dt.UTC)))
            .altaz()
        )
        assert p.max_elevation_deg == pytest.approx(alt.degrees, abs=0.01)
        assert p.max_elevation_deg >= 10.0


def _site_under(elements) -> GroundSite:
    ts = timescale()
    sat = skyfield_satellite(satrec_from_elements(elements), ts)
    sub = wgs84.subpoint_of(sat.at(ts.from_datetime(START)))
    return GroundSite(30.0, float(sub.longitude.degrees), 0.0)


def test_geo_always_up_gives_one_window_covering_the_whole_span():
    site = _site_under(GEO)
    passes = find_passes([satrec_from_elements(GEO)], site, START, END, VisibilityLimits(10.0))
    assert len(passes) == 1
    (p,) = passes
    assert p.starts_before_window and p.ends_after_window
    assert p.duration_s == pytest.approx(86_400.0)
    assert 40.0 < p.max_elevation_deg < 60.0


def test_equatorial_leo_never_rises_over_a_polar_site():
    polar = GroundSite(85.0, 20.0, 0.0)
    assert find_passes([satrec_from_elements(EQUATORIAL_LEO)], polar, START, END) == []


def test_passes_of_several_satellites_come_sorted_and_indexed():
    sats = [satrec_from_elements(e) for e in (LEO, EQUATORIAL_LEO, GPS, MOLNIYA)]
    passes = find_passes(sats, SITE, START, END, VisibilityLimits(5.0))
    keys = [(p.satellite_index, p.rise) for p in passes]
    assert keys == sorted(keys)
    assert {p.satellite_index for p in passes} >= {0, 2, 3}
    assert 1 not in {p.satellite_index for p in passes}
    for p in passes:
        assert p.rise <= p.culmination <= p.set
        assert isinstance(p, PassWindow)


def test_many_satellites_give_the_same_passes_as_one_at_a_time():
    sats = [satrec_from_elements(e) for e in (LEO, GPS, MOLNIYA)]
    together = find_passes(sats, SITE, START, END, max_states_per_chunk=5000)
    alone = [p for i, s in enumerate(sats) for p in find_passes([s], SITE, START, END)]
    assert [(p.rise, p.set) for p in together] == [(p.rise, p.set) for p in alone]


def test_rise_and_set_bracket_the_elevation_limit():
    sat = satrec_from_elements(LEO)
    passes = find_passes([sat], SITE, START, END, VisibilityLimits(10.0), tolerance_s=0.5)
    for p in passes:
        times = np.array(
            [
                p.rise - np.timedelta64(1, "s"),
                p.rise + np.timedelta64(1, "s"),
                p.set - np.timedelta64(1, "s"),
                p.set + np.timedelta64(1, "s"),
            ]
        )
        r, v, _ = propagate(satrec_array([sat]), times)
        jd, fr = utc_to_jd_fr(times)
        el = look_angles(r[0], v[0], jd, fr, SITE).elevation_deg
        assert el[0] < 10.0 < el[1]
        assert el[2] > 10.0 > el[3]


def test_azimuth_sector_and_range_limits_cut_passes_down():
    sats = [satrec_from_elements(LEO)]
    full = find_passes(sats, SITE, START, END)
    north = VisibilityLimits(azimuth_min_deg=300.0, azimuth_max_deg=60.0, max_range_km=1500.0)
    limited = find_passes(sats, SITE, START, END, north)
    assert len(limited) > 0
    assert sum(p.duration_s for p in limited) < sum(p.duration_s for p in full)
    for p in limited:
        assert any(f.rise <= p.rise and p.set <= f.set for f in full)
        times = np.arange(p.rise, p.set, np.timedelta64(5, "s"))[1:]
        r, v, _ = propagate(satrec_array(sats), times)
        jd, fr = utc_to_jd_fr(times)
        la = look_angles(r[0], v[0], jd, fr, SITE)
        assert np.all((la.azimuth_deg >= 299.99) | (la.azimuth_deg <= 60.01))
        assert np.all(la.range_km <= 1500.01)


def test_optical_passes_need_a_dark_site_and_a_sunlit_satellite():
    sats = [satrec_from_elements(LEO)]
    end = START + dt.timedelta(days=3)
    optical = find_passes(sats, SITE, START, end, VisibilityLimits(10.0, optical=True))
    radar = find_passes(sats, SITE, START, end, VisibilityLimits(10.0))
    assert 0 < len(optical) < len(radar)
    for p in optical:
        times = np.arange(p.rise, p.set, np.timedelta64(2, "s"))[1:]
        r, _, _ = propagate(satrec_array(sats), times)
        jd, fr = utc_to_jd_fr(times)
        assert np.all(site_in_darkness(SITE, jd, fr))
        assert np.all(is_sunlit(r[0], sun_position_eci(jd, fr)))


def test_empty_or_reversed_window_gives_no_passes():
    sats = [satrec_from_elements(LEO)]
    assert find_passes(sats, SITE, END, START) == []
    assert find_passes([], SITE, START, END) == []


@pytest.mark.parametrize(
    ("when", "ra_deg", "dec_deg", "dist_au"),
    [
        # Published instants: March equinox, June solstice, September equinox, perihelion.
        (dt.datetime(2024, 3, 20, 3, 6), 0.0, 0.0, None),
        (dt.datetime(2024, 6, 20, 20, 51), 90.0, 23.4393, None),
        (dt.datetime(2024, 9, 22, 12, 44), 180.0, 0.0, None),
        (dt.datetime(2024, 1, 3, 0, 39), None, None, 0.983307),
    ],
)
def test_sun_position_matches_published_equinoxes_solstice_and_perihelion(when, ra_deg, dec_deg, dist_au):
    jd, fr = utc_to_jd_fr(when)
    sun = sun_position_eci(jd, fr)
    dist = np.linalg.norm(sun)
    ra = np.degrees(np.arctan2(sun[1], sun[0])) % 360.0
    dec = np.degrees(np.arcsin(sun[2] / dist))
    if ra_deg is not None:
        assert (ra - ra_deg + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.02)
        assert dec == pytest.approx(dec_deg, abs=0.01)
    if dist_au is not None:
        assert dist / 149597870.7 == pytest.approx(dist_au, abs=2e-4)


def test_sun_elevation_is_high_at_local_noon_and_low_at_midnight():
    site = GroundSite(0.0, 0.0, 0.0)
    noon = utc_to_jd_fr(dt.datetime(2024, 3, 20, 12, 7))
    midnight = utc_to_jd_fr(dt.datetime(2024, 3, 20, 0, 7))
    assert sun_elevation_deg(site, *noon) > 89.0
    assert sun_elevation_deg(site, *midnight) < -89.0
    assert not site_in_darkness(site, *noon)
    assert site_in_darkness(site, *midnight)


def test_earth_shadow_models():
    sun = np.array([149_597_870.7, 0.0, 0.0])
    behind_low = np.array([-7000.0, 0.0, 0.0])
    sunward = np.array([7000.0, 0.0, 0.0])
    beside = np.array([0.0, 7000.0, 0.0])
    behind_geo_edge = np.array([-42164.0, 6300.0, 0.0])
    points = np.stack([behind_low, sunward, beside, behind_geo_edge])
    np.testing.assert_array_equal(is_sunlit(points, sun, "cylindrical"), [False, True, True, False])
    # The umbra narrows to about 6190 km radius at GEO distance, so the last point is in penumbra.
    np.testing.assert_array_equal(is_sunlit(points, sun, "conical"), [False, True, True, True])
    with pytest.raises(ValueError):
        is_sunlit(points, sun, "flat")  # type: ignore[arg-type]
