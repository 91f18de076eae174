"""Time scales against published values (IERS Bulletin C, the GPS and TT definitions) and skyfield."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from catalog.astro.timescales import TimeScaleError, from_utc, tai_minus_utc, to_utc


def t(text: str) -> np.ndarray:
    return np.array([text], dtype="datetime64[us]")


def test_tai_minus_utc_follows_bulletin_c() -> None:
    # Published steps: 10 s at 1972-01-01, 35 s from 2012-07-01, 36 s from 2015-07-01, 37 s from 2017.
    assert tai_minus_utc(t("1972-01-01T00:00:00"))[0] == 10.0
    assert tai_minus_utc(t("2012-06-30T23:59:59"))[0] == 34.0
    assert tai_minus_utc(t("2012-07-01T00:00:00"))[0] == 35.0
    assert tai_minus_utc(t("2016-12-31T23:59:59"))[0] == 36.0
    assert tai_minus_utc(t("2026-12-01T00:00:00"))[0] == 37.0


def test_gps_tt_and_tai_labels_of_one_instant() -> None:
    utc = t("2026-12-01T12:00:00")
    assert from_utc(utc, "TAI")[0] == np.datetime64("2026-12-01T12:00:37", "us")
    assert from_utc(utc, "GPS")[0] == np.datetime64("2026-12-01T12:00:18", "us")
    assert from_utc(utc, "TT")[0] == np.datetime64("2026-12-01T12:01:09.184", "us")


@pytest.mark.parametrize("scale", ["TAI", "TT", "GPS", "UTC"])
def test_round_trip_across_a_leap_second(scale: str) -> None:
    utc = np.array(
        ["2016-12-31T23:59:30", "2016-12-31T23:59:59.5", "2017-01-01T00:00:00", "2017-01-01T00:00:40"],
        dtype="datetime64[us]",
    )
    assert np.array_equal(to_utc(from_utc(utc, scale), scale), utc)


def test_agrees_with_skyfield() -> None:
    from skyfield.api import load

    ts = load.timescale(builtin=True)
    for text in ["1999-01-01T00:00:00", "2012-07-01T00:00:00", "2020-02-29T06:00:00", "2026-12-01T18:30:00"]:
        utc = t(text)
        label = utc[0].astype("datetime64[s]").astype(int)
        jd_of_label = 2440587.5 + label / 86400.0
        sky = ts.from_datetime(utc[0].astype("datetime64[s]").item().replace(tzinfo=dt.UTC))
        ours_tt_minus_utc = (from_utc(utc, "TT")[0] - utc[0]) / np.timedelta64(1, "s")
        assert ours_tt_minus_utc == pytest.approx((sky.tt - jd_of_label) * 86400.0, abs=1e-4), text


def test_times_before_1972_are_refused() -> None:
    with pytest.raises(TimeScaleError):
        tai_minus_utc(t("1960-01-01T00:00:00"))


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(TimeScaleError):
        from_utc(t("2020-01-01T00:00:00"), "TCB")
