"""Earth-orientation values against the IERS table as published (rows read by eye) and skyfield."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.astro.eop import ARCSEC, EopError, packaged_table, read_finals

# Two rows of finals2000A.all as the IERS publishes them (1973-01-02 and 1973-01-03).
ROWS = """\
73 1 2 41684.00 I  0.120733 0.009786  0.136966 0.015902  I 0.8084178 0.0002710  0.0000 0.1916  P    -0.766    0.199    -0.720    0.300   .143000   .137000   .8075000   -18.637    -3.667
73 1 3 41685.00 I  0.118980 0.011039  0.135656 0.013616  I 0.8056163 0.0002710  3.5563 0.1916  P    -0.751    0.199    -0.701    0.300   .141000   .134000   .8044000   -18.636    -3.571
"""


def t(text: str) -> np.ndarray:
    return np.array([text], dtype="datetime64[us]")


def test_rows_read_as_published() -> None:
    table = read_finals(ROWS, source="sample")
    assert table.ut1_minus_utc(t("1973-01-02T00:00:00"))[0] == pytest.approx(0.8084178, abs=1e-9)
    xp, yp = table.polar_motion(t("1973-01-03T00:00:00"))
    assert xp[0] == pytest.approx(0.118980 * ARCSEC)
    assert yp[0] == pytest.approx(0.135656 * ARCSEC)
    # Halfway: linear on UT1 - TAI (no leap second between these days).
    assert table.ut1_minus_utc(t("1973-01-02T12:00:00"))[0] == pytest.approx((0.8084178 + 0.8056163) / 2)


def test_outside_the_table_is_refused() -> None:
    table = read_finals(ROWS, source="sample")
    with pytest.raises(EopError, match="outside"):
        table.ut1_minus_utc(t("1973-01-05T00:00:00"))


def test_garbage_is_refused_with_the_line() -> None:
    with pytest.raises(EopError, match="line 1"):
        read_finals("not a finals file at all, but long enough to reach the columns we read here....\n")


def test_a_leap_second_is_not_smeared_over_the_day() -> None:
    """UT1 - UTC jumps by +1 s at 2016-12-31/2017-01-01 (published: -0.4077601 s on 12-31,
    +0.5912821 s on 01-01): just before midnight it is near the old value, just after the new."""
    table = packaged_table()
    before = table.ut1_minus_utc(t("2016-12-31T23:59:59"))[0]
    after = table.ut1_minus_utc(t("2017-01-01T00:00:01"))[0]
    assert before == pytest.approx(-0.4087, abs=0.001)
    assert after == pytest.approx(0.5913, abs=0.001)


def test_packaged_table_agrees_with_skyfield_on_measured_days() -> None:
    """skyfield's built-in table (IERS finals2000A, measured values) for past dates."""
    from skyfield.api import load

    ts = load.timescale(builtin=True)
    table = packaged_table()
    for year, month, day in [(2000, 1, 1), (2010, 6, 15), (2020, 3, 1)]:
        sky = ts.utc(year, month, day, 6)
        ours = table.ut1_minus_utc(t(f"{year:04d}-{month:02d}-{day:02d}T06:00:00"))[0]
        assert ours == pytest.approx(float(sky.dut1), abs=2e-4)


def test_the_packaged_table_is_fresh() -> None:
    table = packaged_table()
    assert table.last_measured_day is not None
    assert table.last_measured_day.year >= 2026
