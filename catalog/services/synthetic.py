"""A deterministic synthetic catalog whose regimes and element distributions resemble the
public one: about three quarters LEO (Starlink-like shells, sun-synchronous, ISS-like and a
debris spread), GNSS in MEO, a geostationary belt, and GTO / Molniya in HEO.

Used by the demo seed and by the benchmark generator; no Django.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from catalog.formats.records import ElementSetRecord

EARTH_RADIUS_KM = 6378.135
MU_KM3_S2 = 398600.8
REFERENCE_EPOCH = dt.datetime(2024, 3, 15, tzinfo=dt.UTC)


def demo_day(now: dt.datetime | None = None) -> dt.datetime:
    """The demo's day: yesterday, 00:00 UTC. The seed dates its element sets and its day of
    observations from it, so the demo's sets are a day or two old whenever it is seeded (not
    years, which would predict no passes and decay the ISS into the atmosphere)."""
    today = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).date()
    return dt.datetime.combine(today - dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def redated(record: ElementSetRecord, day: dt.datetime) -> ElementSetRecord:
    """`record` with its epoch moved by the same offset from `day` as it has from REFERENCE_EPOCH."""
    return replace(record, epoch=day + (record.epoch - REFERENCE_EPOCH))


# (weight, name) of each population; weights follow the public catalog's broad shape.
POPULATIONS: tuple[tuple[float, str], ...] = (
    (0.30, "leo_constellation"),
    (0.17, "leo_sso"),
    (0.06, "leo_iss"),
    (0.22, "leo_debris"),
    (0.05, "meo_gnss"),
    (0.02, "meo_other"),
    (0.08, "geo"),
    (0.07, "heo_gto"),
    (0.03, "heo_molniya"),
)
COUNTRIES = ("US", "PRC", "CIS", "UK", "FR", "JPN", "IND", "ESA", "CA", "GER", "ITSO", "AUS")
SITES = ("AFETR", "AFWTR", "TYMSC", "PLMSC", "JSC", "XSC", "FRGUI", "SRILR", "TNSTA", "KODAK")
CONSTELLATION_SHELLS = ((550.0, 53.0), (540.0, 53.2), (570.0, 70.0), (560.0, 97.6), (1200.0, 87.9))
GNSS = (
    (20180.0, 55.0, "NAVSTAR"),
    (19130.0, 64.8, "COSMOS"),
    (23222.0, 56.0, "GALILEO"),
    (21528.0, 55.0, "BEIDOU"),
)


def mean_motion_of(a_km: float) -> float:
    """Mean motion (rev/day) of a Keplerian orbit of semi-major axis `a_km`."""
    return 86400.0 / (2.0 * math.pi * math.sqrt(a_km**3 / MU_KM3_S2))


def _designator(year: int, launch: int, piece: int) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    code = letters[piece % 24]
    if piece >= 24:
        code = letters[(piece // 24 - 1) % 24] + code
    return f"{year:04d}-{launch:03d}{code}"


def synthetic_catalog(
    count: int, *, seed: int = 20240315, first_number: int = 1, epoch: dt.datetime = REFERENCE_EPOCH
) -> Iterator[ElementSetRecord]:
    """`count` element sets, one per object, numbered from `first_number`, all valid for SGP4."""
    rng = np.random.default_rng(seed)
    weights = np.array([w for w, _ in POPULATIONS])
    kinds = rng.choice(len(POPULATIONS), size=count, p=weights / weights.sum())
    for index, kind in enumerate(kinds):
        number = first_number + index
        population = POPULATIONS[kind][1]
        yield _one(rng, population, number, epoch)


def _one(rng: np.random.Generator, population: str, number: int, epoch: dt.datetime) -> ElementSetRecord:
    object_type = "DEBRIS"
    bstar = 0.0
    rcs = "SMALL"
    if population == "leo_constellation":
        height, inclination = CONSTELLATION_SHELLS[int(rng.integers(len(CONSTELLATION_SHELLS)))]
        height += rng.normal(0.0, 3.0)
        inclination += rng.normal(0.0, 0.05)
        ecc = rng.uniform(0.0001, 0.0004)
        name = f"STARLINK-{number % 9000 + 1000}"
        object_type, rcs, bstar = "PAYLOAD", "LARGE", rng.uniform(1e-5, 6e-4)
    elif population == "leo_sso":
        height = rng.uniform(450.0, 900.0)
        inclination = 96.5 + (height - 450.0) / 450.0 * 2.5 + rng.normal(0.0, 0.1)
        ecc = rng.uniform(0.0001, 0.003)
        object_type = str(rng.choice(["PAYLOAD", "ROCKET BODY", "DEBRIS"], p=[0.5, 0.1, 0.4]))
        name = {"PAYLOAD": f"EO SAT {number}", "ROCKET BODY": f"CZ-2D R/B {number}"}.get(
            object_type, f"FENGYUN 1C DEB {number}"
        )
        bstar = rng.uniform(1e-5, 3e-4)
    elif population == "leo_iss":
        height = rng.uniform(300.0, 450.0)
        inclination = rng.normal(51.6, 0.3)
        ecc = rng.uniform(0.0002, 0.002)
        object_type = str(rng.choice(["PAYLOAD", "DEBRIS"], p=[0.4, 0.6]))
        name = f"CUBESAT {number}" if object_type == "PAYLOAD" else f"ISS DEB {number}"
        bstar = rng.uniform(1e-4, 2e-3)
    elif population == "leo_debris":
        perigee = rng.uniform(350.0, 1400.0)
        apogee = perigee + rng.exponential(150.0)
        height = (perigee + apogee) / 2.0
        ecc = (apogee - perigee) / (2.0 * EARTH_RADIUS_KM + perigee + apogee)
        inclination = float(rng.choice([65.0, 74.0, 82.9, 98.5, rng.uniform(0.0, 110.0)]))
        object_type = str(rng.choice(["DEBRIS", "ROCKET BODY", "UNKNOWN"], p=[0.85, 0.12, 0.03]))
        name = {"ROCKET BODY": f"SL-8 R/B {number}", "UNKNOWN": f"OBJECT {number}"}.get(
            object_type, f"COSMOS 2251 DEB {number}"
        )
        rcs = "MEDIUM" if object_type == "ROCKET BODY" else "SMALL"
        bstar = rng.uniform(1e-5, 5e-4)
    elif population == "meo_gnss":
        height, inclination, family = GNSS[int(rng.integers(len(GNSS)))]
        height += rng.normal(0.0, 20.0)
        inclination += rng.normal(0.0, 0.5)
        ecc = rng.uniform(0.0005, 0.015)
        object_type, rcs, name = "PAYLOAD", "MEDIUM", f"{family} {number}"
    elif population == "meo_other":
        height = rng.uniform(2500.0, 18000.0)
        inclination = rng.uniform(0.0, 110.0)
        ecc = rng.uniform(0.0, 0.1)
        object_type = str(rng.choice(["PAYLOAD", "ROCKET BODY", "DEBRIS"], p=[0.3, 0.3, 0.4]))
        name = f"MEO OBJECT {number}"
    elif population == "geo":
        height = 35786.0 + rng.normal(0.0, 60.0) + (rng.uniform(200.0, 400.0) if rng.random() < 0.2 else 0.0)
        inclination = abs(rng.normal(0.0, 0.1)) if rng.random() < 0.6 else rng.uniform(0.0, 15.0)
        ecc = rng.uniform(0.00005, 0.001)
        object_type = str(rng.choice(["PAYLOAD", "ROCKET BODY", "DEBRIS"], p=[0.7, 0.1, 0.2]))
        name = f"GEO COMSAT {number}" if object_type == "PAYLOAD" else f"GEO OBJECT {number}"
        rcs = "LARGE" if object_type == "PAYLOAD" else "MEDIUM"
    elif population == "heo_gto":
        perigee = rng.uniform(180.0, 650.0)
        apogee = rng.uniform(30000.0, 36500.0)
        height = (perigee + apogee) / 2.0
        ecc = (apogee - perigee) / (2.0 * EARTH_RADIUS_KM + perigee + apogee)
        inclination = float(rng.choice([6.0, 20.0, 27.0, 28.5])) + rng.normal(0.0, 0.5)
        object_type = str(rng.choice(["ROCKET BODY", "DEBRIS"], p=[0.6, 0.4]))
        name = f"ARIANE 5 R/B {number}" if object_type == "ROCKET BODY" else f"GTO DEB {number}"
        bstar = rng.uniform(1e-5, 2e-4)
        rcs = "LARGE" if object_type == "ROCKET BODY" else "SMALL"
    else:  # heo_molniya
        a = 26560.0 + rng.normal(0.0, 30.0)
        ecc = rng.uniform(0.68, 0.74)
        height = a - EARTH_RADIUS_KM
        inclination = rng.normal(63.4, 0.3)
        object_type = str(rng.choice(["PAYLOAD", "ROCKET BODY"], p=[0.7, 0.3]))
        name = f"MOLNIYA {number}" if object_type == "PAYLOAD" else f"SL-6 R/B {number}"
        rcs = "MEDIUM"
    a_km = EARTH_RADIUS_KM + float(height)
    launch_year = int(rng.integers(1965, 2024))
    epoch_at = epoch - dt.timedelta(seconds=float(rng.uniform(0.0, 5 * 86400.0)))
    return ElementSetRecord(
        norad_cat_id=number,
        object_name=name,
        object_id=_designator(launch_year, int(rng.integers(1, 200)), int(rng.integers(0, 60))),
        epoch=epoch_at.replace(microsecond=0),
        mean_motion=round(mean_motion_of(a_km), 8),
        eccentricity=round(float(ecc), 7),
        inclination=round(float(np.clip(inclination, 0.0, 179.9)), 4),
        ra_of_asc_node=round(float(rng.uniform(0.0, 360.0)), 4),
        arg_of_pericenter=round(float(rng.uniform(0.0, 360.0)), 4),
        mean_anomaly=round(float(rng.uniform(0.0, 360.0)), 4),
        bstar=float(f"{bstar:.4e}"),
        mean_motion_dot=round(float(bstar) * 0.05, 8),
        mean_motion_ddot=0.0,
        element_set_no=int(rng.integers(1, 999)),
        rev_at_epoch=int(rng.integers(1, 90000)),
        ephemeris_type=0,
        classification_type="U",
        object_type=object_type,
        country_code=str(rng.choice(COUNTRIES)),
        launch_date=dt.date(launch_year, int(rng.integers(1, 13)), int(rng.integers(1, 29))),
        site=str(rng.choice(SITES)),
        decay_date=None,
        rcs_size=rcs,
    )
