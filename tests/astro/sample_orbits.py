"""Element sets and sites shared by the astro tests."""

from __future__ import annotations

import datetime as dt

from skyfield.api import EarthSatellite, Timescale, load, wgs84
from skyfield.toposlib import GeographicPosition

from catalog.astro.frames import GroundSite
from catalog.astro.propagation import MeanElements

EPOCH = dt.datetime(2024, 3, 15, 6, 0, 0, tzinfo=dt.UTC)

LEO = MeanElements(
    catalog_number=25544,
    epoch=EPOCH,
    mean_motion_rev_per_day=15.5,
    eccentricity=0.0005,
    inclination_deg=51.64,
    raan_deg=120.0,
    arg_perigee_deg=80.0,
    mean_anomaly_deg=200.0,
    bstar=3.0e-4,
    ndot=1.5e-5,
)
GPS = MeanElements(
    catalog_number=40105,
    epoch=EPOCH,
    mean_motion_rev_per_day=2.00565,
    eccentricity=0.008,
    inclination_deg=55.2,
    raan_deg=40.0,
    arg_perigee_deg=30.0,
    mean_anomaly_deg=100.0,
)
GEO = MeanElements(
    catalog_number=41866,
    epoch=EPOCH,
    mean_motion_rev_per_day=1.00272,
    eccentricity=0.0002,
    inclination_deg=0.05,
    raan_deg=90.0,
    arg_perigee_deg=0.0,
    mean_anomaly_deg=0.0,
)
MOLNIYA = MeanElements(
    catalog_number=21118,
    epoch=EPOCH,
    mean_motion_rev_per_day=2.0056,
    eccentricity=0.72,
    inclination_deg=63.4,
    raan_deg=300.0,
    arg_perigee_deg=270.0,
    mean_anomaly_deg=10.0,
    bstar=1.0e-4,
)
EQUATORIAL_LEO = MeanElements(
    catalog_number=90001,
    epoch=EPOCH,
    mean_motion_rev_per_day=15.2,
    eccentricity=0.001,
    inclination_deg=0.0,
    raan_deg=0.0,
    arg_perigee_deg=0.0,
    mean_anomaly_deg=0.0,
)

ALL_REGIMES = {"LEO": LEO, "GPS": GPS, "GEO": GEO, "MOLNIYA": MOLNIYA}

SITE = GroundSite(lat_deg=35.0, lon_deg=-106.6, alt_km=1.6)


def timescale() -> Timescale:
    return load.timescale(builtin=True)


def skyfield_site(site: GroundSite) -> GeographicPosition:
    return wgs84.latlon(site.lat_deg, site.lon_deg, elevation_m=site.alt_km * 1000.0)


def skyfield_satellite(satrec: object, ts: Timescale) -> EarthSatellite:
    return EarthSatellite.from_satrec(satrec, ts)
