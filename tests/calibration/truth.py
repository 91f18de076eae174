"""Truth states from skyfield (its own SGP4 call and frames) for the calibration tests."""

from __future__ import annotations

import numpy as np
from skyfield.framelib import itrs
from skyfield.sgp4lib import TEME

from tests.astro.skyfield_reference import LEO_2015, skyfield_satellite, skyfield_times

START = np.datetime64("2015-03-02T15:00:00", "us")


def grid(step_s: float = 60.0, hours: float = 2.0, start: np.datetime64 = START) -> np.ndarray:
    return start + (np.arange(0.0, hours * 3600.0 + 1e-9, step_s) * 1e6).astype("timedelta64[us]")


def states(frame: str, utc: np.ndarray) -> np.ndarray:
    """[n, 6] states (km, km/s) of the LEO in `frame` as skyfield computes them."""
    sat = skyfield_satellite(LEO_2015)
    at = sat.at(skyfield_times(utc))
    if frame in {"EME2000", "GCRF", "ICRF"}:
        return np.hstack([at.position.km.T, at.velocity.km_per_s.T])
    chosen = TEME if frame == "TEME" else itrs
    r, v = at.frame_xyz_and_velocity(chosen)
    return np.hstack([r.km.T, v.km_per_s.T])
