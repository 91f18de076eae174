"""Earth-orientation parameters: UT1 - UTC and polar motion, from an IERS ``finals`` table.

Sizes of what this supplies to the frame chain: |UT1 - UTC| stays below 0.9 s, i.e. up to 13.5"
of Earth rotation (today's value gives 56" of topocentric angle, 43 m and 1.27 m/s in LEO when
ignored); polar motion is up to about 0.5" of pole offset (14" / 11 m / 0.42 m/s in LEO).

The packaged table is ``finals2000A.all`` from the ``astropy-iers-data`` package (IERS Bulletin
A, measured values then about a year of predictions), read from disk with no download. A newer
finals file can be read with `read_finals` (the portal imports them, see ``import_eop``).

UT1 - UTC jumps by a second at each leap second, so the interpolation runs on UT1 - TAI, which
is smooth, and adds TAI - UTC back at the instant asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import astropy_iers_data
import numpy as np

from catalog.astro.timescales import tai_minus_utc

ARCSEC = np.pi / (180.0 * 3600.0)
_MJD_EPOCH = np.datetime64("1858-11-17T00:00:00", "us")


class EopError(ValueError):
    """A finals table that cannot be read, or a time outside the table."""


@dataclass(frozen=True)
class EopTable:
    """Daily values at 0h UTC. `measured` is False for Bulletin A predictions."""

    mjd: np.ndarray  # float, UTC days
    ut1_minus_utc_s: np.ndarray
    xp_arcsec: np.ndarray
    yp_arcsec: np.ndarray
    measured: np.ndarray  # bool, per day (UT1 flag I)
    source: str

    @property
    def first_day(self) -> dt.date:
        return _date_of(self.mjd[0])

    @property
    def last_day(self) -> dt.date:
        return _date_of(self.mjd[-1])

    @property
    def last_measured_day(self) -> dt.date | None:
        """The last day of observed (not predicted) values: how fresh the table is."""
        days = self.mjd[self.measured]
        return _date_of(days[-1]) if days.size else None

    def clip(self, utc: np.ndarray) -> np.ndarray:
        """UTC instants moved into the table's span (an instant outside takes the nearest end)."""
        first = _MJD_EPOCH + np.timedelta64(round(float(self.mjd[0]) * 86400e6), "us")
        last = _MJD_EPOCH + np.timedelta64(round(float(self.mjd[-1]) * 86400e6), "us")
        return np.clip(np.asarray(utc, dtype="datetime64[us]"), first, last)

    def _mjd_of(self, utc: np.ndarray) -> np.ndarray:
        times = np.asarray(utc, dtype="datetime64[us]")
        mjd = (times - _MJD_EPOCH) / np.timedelta64(86400, "s")
        if np.any(mjd < self.mjd[0]) or np.any(mjd > self.mjd[-1]):
            raise EopError(
                f"time outside the Earth-orientation table {self.source} "
                f"({self.first_day.isoformat()} to {self.last_day.isoformat()})"
            )
        return np.asarray(mjd, dtype=float)

    def ut1_minus_utc(self, utc: np.ndarray) -> np.ndarray:
        """UT1 - UTC in seconds at each UTC instant, linearly interpolated on UT1 - TAI."""
        times = np.asarray(utc, dtype="datetime64[us]")
        mjd = self._mjd_of(times)
        ut1_tai = np.interp(mjd, self.mjd, self._ut1_minus_tai)
        return ut1_tai + tai_minus_utc(times)

    def polar_motion(self, utc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x_p, y_p) in radians at each UTC instant, linearly interpolated."""
        mjd = self._mjd_of(utc)
        return (
            np.interp(mjd, self.mjd, self.xp_arcsec) * ARCSEC,
            np.interp(mjd, self.mjd, self.yp_arcsec) * ARCSEC,
        )

    @property
    def _ut1_minus_tai(self) -> np.ndarray:
        days = _MJD_EPOCH + (self.mjd * 86400).astype("timedelta64[s]")
        return self.ut1_minus_utc_s - tai_minus_utc(days)


def _date_of(mjd: float) -> dt.date:
    return dt.date(1858, 11, 17) + dt.timedelta(days=int(mjd))


def read_finals(text: str, source: str = "finals") -> EopTable:
    """Read an IERS ``finals`` / ``finals2000A`` file (fixed columns, Bulletin A values).

    Rows without a UT1 - UTC value (the file's empty future rows) end the table."""
    mjd: list[float] = []
    dut1: list[float] = []
    xp: list[float] = []
    yp: list[float] = []
    measured: list[bool] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) < 68 or not line[58:68].strip():
            if mjd:
                break
            raise EopError(f"{source} line {number}: no UT1-UTC value in columns 59-68")
        try:
            mjd.append(float(line[7:15]))
            xp.append(float(line[18:27]))
            yp.append(float(line[37:46]))
            dut1.append(float(line[58:68]))
        except ValueError as exc:
            raise EopError(f"{source} line {number}: not a finals row ({exc})") from exc
        measured.append(line[57] == "I")
    if len(mjd) < 2:
        raise EopError(f"{source}: fewer than two days of Earth-orientation values")
    days = np.array(mjd)
    if np.any(np.diff(days) <= 0):
        raise EopError(f"{source}: days are not in increasing order")
    return EopTable(days, np.array(dut1), np.array(xp), np.array(yp), np.array(measured), source)


@cache
def packaged_table() -> EopTable:
    """The finals2000A.all table shipped by the installed astropy-iers-data."""
    path = Path(astropy_iers_data.IERS_A_FILE)
    version = getattr(astropy_iers_data, "__version__", "?")
    return read_finals(path.read_text(), source=f"astropy-iers-data {version} finals2000A.all")
