"""skyfield set up as the independent reference for the calibration-grade frame chain.

Its timescale is built from the same IERS finals file the portal packages (read by skyfield's
own parser), with polar motion installed, so UT1 and the pole agree with ours by construction
of the data, not of the code. The short DE430 excerpt shipped with skyfield's tests gives the
Earth's barycentric motion for 2015-02-26..03-06 (aberration and barycentric light time)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import astropy_iers_data
import numpy as np
import skyfield
from skyfield.api import EarthSatellite, load_file, wgs84
from skyfield.data import iers
from skyfield.timelib import Timescale

from catalog.astro.frames import GroundSite
from catalog.astro.propagation import MeanElements, satrec_from_elements

C_KM_S = 299_792.458
DE430_EXCERPT = Path(skyfield.__file__).parent / "tests" / "data" / "de430-2015-03-02.bsp"

# A LEO calibration-like orbit (ISS-like) and the Fylingdales radar site, 2015-03-02.
EPOCH_2015 = np.datetime64("2015-03-02T00:00:00", "us")
LEO_2015 = MeanElements(
    catalog_number=39000,
    epoch=dt.datetime(2015, 3, 2, tzinfo=dt.UTC),
    mean_motion_rev_per_day=15.2,
    eccentricity=0.001,
    inclination_deg=74.0,
    raan_deg=10.0,
    arg_perigee_deg=90.0,
    mean_anomaly_deg=0.0,
    bstar=1.0e-5,
)
FYLINGDALES = GroundSite(54.3617, -0.6700, 0.34)


@cache
def iers_timescale() -> Timescale:
    with open(astropy_iers_data.IERS_A_FILE, "rb") as handle:
        data = iers.parse_x_y_dut1_from_finals_all(handle)
    daily_tt, daily_delta_t, leap_dates, leap_offsets = iers.build_timescale_arrays(
        data["utc_mjd"], data["dut1"]
    )
    ts = Timescale((daily_tt, daily_delta_t), leap_dates, leap_offsets)
    iers.install_polar_motion_table(ts, data)
    return ts


@cache
def de430_excerpt():
    return load_file(str(DE430_EXCERPT))


def skyfield_times(utc: np.ndarray):
    """skyfield times of UTC instants (calendar fields each, so leap seconds are counted)."""
    times = np.asarray(utc, dtype="datetime64[us]")
    days = times.astype("datetime64[D]")
    seconds = (times - days) / np.timedelta64(1, "s")
    ymd = [d.astype(object) for d in days]
    return iers_timescale().utc(
        np.array([d.year for d in ymd]),
        np.array([d.month for d in ymd]),
        np.array([d.day for d in ymd]),
        0,
        0,
        seconds,
    )


def skyfield_site(site: GroundSite):
    return wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.alt_km * 1000.0)


def skyfield_satellite(elements: MeanElements) -> EarthSatellite:
    return EarthSatellite.from_satrec(satrec_from_elements(elements), iers_timescale())


def shifted(t, seconds):
    """skyfield times ``seconds`` later (arrays), on the TT scale."""
    return iers_timescale().tt_jd(t.whole, t.tt_fraction + np.asarray(seconds) / 86400.0)


def radar_round_trip_km(sat: EarthSatellite, site: GroundSite, t) -> np.ndarray:
    """Round-trip range / 2 of an echo received at ``t``, solved with skyfield's GCRS states."""
    topo = skyfield_site(site)
    rx = topo.at(t).position.km
    tau_d = np.zeros(len(t.tt))
    for _ in range(6):
        bounce = sat.at(shifted(t, -tau_d)).position.km
        tau_d = np.linalg.norm(bounce - rx, axis=0) / C_KM_S
    bounce = sat.at(shifted(t, -tau_d)).position.km
    tau_u = tau_d.copy()
    for _ in range(6):
        tx = topo.at(shifted(t, -tau_d - tau_u)).position.km
        tau_u = np.linalg.norm(bounce - tx, axis=0) / C_KM_S
    return 0.5 * C_KM_S * (tau_d + tau_u)
