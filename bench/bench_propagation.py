"""Propagation throughput: raw SatrecArray.sgp4 against propagate + look angles.

Usage: python bench/bench_propagation.py [--objects 30000] [--times 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.astro.elements import classify_regime
from catalog.astro.frames import GroundSite, look_angles
from catalog.astro.propagation import (
    MeanElements,
    propagate,
    satrec_array_from_elements,
    utc_to_jd_fr,
)

EPOCH = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)


def random_catalog(n: int, rng: np.random.Generator) -> list[MeanElements]:
    """Plausible element sets: mostly LEO, some MEO, GEO and highly elliptical."""
    kind = rng.choice(4, size=n, p=[0.75, 0.08, 0.10, 0.07])
    out: list[MeanElements] = []
    for i, k in enumerate(kind):
        if k == 0:  # LEO: shells near 53 and 97 deg plus a spread
            mm = rng.uniform(12.0, 16.0)
            ecc = rng.uniform(0.0, 0.02)
            inc = rng.choice([53.0, 97.6, rng.uniform(0.0, 100.0)])
            bstar = 10 ** rng.uniform(-5.5, -3.0)
        elif k == 1:  # MEO navigation constellations
            mm = rng.uniform(1.7, 2.3)
            ecc = rng.uniform(0.0, 0.02)
            inc = rng.uniform(50.0, 66.0)
            bstar = 0.0
        elif k == 2:  # geosynchronous belt, including drifting and inclined objects
            mm = rng.normal(1.0027, 0.005)
            ecc = rng.uniform(0.0, 0.003)
            inc = rng.uniform(0.0, 15.0)
            bstar = 0.0
        else:  # Molniya and transfer orbits
            mm = rng.uniform(2.0, 3.5)
            a_km = (398600.8 / (mm * 2.0 * np.pi / 86400.0) ** 2) ** (1.0 / 3.0)
            ecc = min(rng.uniform(0.6, 0.73), 1.0 - (6378.135 + rng.uniform(200.0, 600.0)) / a_km)
            inc = rng.choice([63.4, rng.uniform(5.0, 30.0)])
            bstar = 10 ** rng.uniform(-5.0, -3.5)
        out.append(
            MeanElements(
                catalog_number=10000 + i,
                epoch=EPOCH + dt.timedelta(days=float(rng.uniform(-3.0, 0.0))),
                mean_motion_rev_per_day=float(mm),
                eccentricity=float(ecc),
                inclination_deg=float(inc),
                raan_deg=float(rng.uniform(0.0, 360.0)),
                arg_perigee_deg=float(rng.uniform(0.0, 360.0)),
                mean_anomaly_deg=float(rng.uniform(0.0, 360.0)),
                bstar=float(bstar),
            )
        )
    return out


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--times", type=int, default=60)
    parser.add_argument("--step-s", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    elements = random_catalog(args.objects, rng)
    t0 = time.perf_counter()
    sats = satrec_array_from_elements(elements)
    build_s = time.perf_counter() - t0

    offsets_us = (np.arange(args.times) * args.step_s * 1e6).astype("timedelta64[us]")
    times = np.datetime64("2025-06-01T00:00:00", "us") + offsets_us
    jd, fr = utc_to_jd_fr(times)
    site = GroundSite(35.0, -106.6, 1.6)
    states = args.objects * args.times

    def raw() -> object:
        return sats.sgp4(jd, fr)

    def ours() -> object:
        r, v, _ = propagate(sats, times)
        return look_angles(r, v, jd, fr, site)

    raw_s = best_of(args.repeat, raw)
    ours_s = best_of(args.repeat, ours)
    err, _, _ = sats.sgp4(jd, fr)
    regimes, counts = np.unique(
        classify_regime([e.mean_motion_rev_per_day for e in elements], [e.eccentricity for e in elements]),
        return_counts=True,
    )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    print(f"objects={args.objects} times={args.times} states={states:,} repeat={args.repeat}")
    print("regimes: " + ", ".join(f"{r}={c}" for r, c in zip(regimes, counts, strict=True)))
    print(f"build SatrecArray from elements: {build_s:.3f} s")
    print(f"SGP4 error states: {int(np.count_nonzero(err))}")
    print(f"raw SatrecArray.sgp4:               {raw_s:.4f} s  {states / raw_s:,.0f} states/s")
    print(f"propagate + TEME->az/el/range/rate: {ours_s:.4f} s  {states / ours_s:,.0f} states/s")
    print(f"ratio ours/raw (throughput): {raw_s / ours_s:.3f}")
    print(f"peak RSS: {peak_rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
