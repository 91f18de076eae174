"""Generated calibration scenarios: observations computed by skyfield (light time, aberration)
with injected biases, time bias, noise and gross outliers; truth as an OEM of skyfield states."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from catalog.astro.ephemeris import Ephemeris
from catalog.formats.oem import read_oem
from tests.astro.skyfield_reference import (
    LEO_2015,
    de430_excerpt,
    radar_round_trip_km,
    shifted,
    skyfield_satellite,
    skyfield_site,
    skyfield_times,
)
from tests.calibration import oem_writer
from tests.calibration.truth import states

DAY = np.datetime64("2015-03-02T00:00:00", "us")


def truth_oem(hours: float = 24.0, step_s: float = 30.0, frame: str = "TEME") -> Ephemeris:
    nodes = DAY + (np.arange(0.0, hours * 3600.0 + 1e-9, step_s) * 1e6).astype("timedelta64[us]")
    return read_oem(oem_writer.kvn("CALSAT", "39000", frame, "UTC", nodes, states(frame, nodes))).ephemeris


def pass_times(site, min_el: float = 8.0, step_s: float = 10.0, hours: float = 24.0) -> np.ndarray:
    """Label times (every `step_s`) when the LEO is above `min_el` at `site`, per skyfield."""
    grid = DAY + (np.arange(120.0, hours * 3600.0 - 120.0, step_s) * 1e6).astype("timedelta64[us]")
    alt, _az, _d = (skyfield_satellite(LEO_2015) - skyfield_site(site)).at(skyfield_times(grid)).altaz()
    return grid[alt.degrees > min_el]


@dataclass
class Injected:
    biases: dict[str, float]
    noise: dict[str, float]  # on the sky for azimuth and RA
    time_bias_s: float = 0.0
    outliers: int = 0
    seed: int = 1


def radar_observations(
    site, labels: np.ndarray, injected: Injected
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Measured = true(t + tau) + bias + noise (+ a few gross errors); returns the indices of
    the gross outliers too."""
    rng = np.random.default_rng(injected.seed)
    sat = skyfield_satellite(LEO_2015)
    t = shifted(skyfield_times(labels), injected.time_bias_s)
    earth = de430_excerpt()["earth"]
    alt, az, _ = (earth + skyfield_site(site)).at(t).observe(earth + sat).apparent().altaz()
    h = 0.005
    true = {
        "range": radar_round_trip_km(sat, site, t),
        "azimuth": az.degrees,
        "elevation": alt.degrees,
        "range_rate": (
            radar_round_trip_km(sat, site, shifted(t, h)) - radar_round_trip_km(sat, site, shifted(t, -h))
        )
        / (2 * h),
    }
    cos_el = np.cos(np.radians(alt.degrees))
    observed = {}
    for name, value in true.items():
        noise = rng.normal(0.0, injected.noise[name], value.size)
        if name == "azimuth":
            noise = noise / cos_el
        observed[name] = value + injected.biases.get(name, 0.0) + noise
    gross = (
        rng.choice(labels.size, injected.outliers, replace=False) if injected.outliers else np.array([], int)
    )
    observed["range"][gross] += 2.0 * np.sign(rng.normal(size=gross.size))
    return observed, gross


def optical_observations(
    site,
    labels: np.ndarray,
    injected: Injected,
    star_referenced: bool,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(injected.seed)
    sat = skyfield_satellite(LEO_2015)
    t = shifted(skyfield_times(labels), injected.time_bias_s)
    earth = de430_excerpt()["earth"]
    seen = (earth + skyfield_site(site)).at(t).observe(earth + sat)
    place = seen if star_referenced else seen.apparent()
    ra, dec, _ = place.radec()
    cos_dec = np.cos(np.radians(dec.degrees))
    observed = {
        "ra": ra._degrees
        + injected.biases.get("ra", 0.0)
        + rng.normal(0, injected.noise["ra"], labels.size) / cos_dec,
        "dec": dec.degrees
        + injected.biases.get("dec", 0.0)
        + rng.normal(0, injected.noise["dec"], labels.size),
    }
    gross = (
        rng.choice(labels.size, injected.outliers, replace=False) if injected.outliers else np.array([], int)
    )
    observed["dec"][gross] += 0.05
    return observed, gross
