"""Calibration over a million observations against the bare cost of their truth predictions.

Usage:
    python bench/bench_calibration.py [--observations 1000000] [--chunk 50000]

A radar (Fylingdales) and one calibration satellite whose truth is a TEME ephemeris of 30 s
states over a day (Lagrange degree 8). Observations are the truth's own predictions plus
biases, a time bias and noise. In chunks, as the portal's run reads them:

* bare: truth states interpolated and light-time predictions (what any run must compute);
* run: the same, plus the time-bias partials, signed residual rows, then the weighted fit
  with outlier rejection over all rows.

Prints both times, their ratio, and the peak resident memory per stage.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.astro import predict
from catalog.astro.calibrate import residual_rows
from catalog.astro.calibration_fit import Rows, fit
from catalog.astro.ephemeris import Ephemeris, Segment
from catalog.astro.frames import GroundSite
from catalog.astro.orientation import earth_orientation
from catalog.astro.propagation import MeanElements, propagate, satrec_array, satrec_from_elements

SITE = GroundSite(54.3617, -0.67, 0.34)
DAY = np.datetime64("2026-06-01T00:00:00", "us")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def truth() -> Ephemeris:
    import datetime as dt

    elements = MeanElements(39000, dt.datetime(2026, 6, 1, tzinfo=dt.UTC), 15.2, 0.001, 74.0, 10.0, 90.0, 0.0)
    nodes = DAY + (np.arange(0.0, 86_400.0 + 1e-9, 30.0) * 1e6).astype("timedelta64[us]")
    r, v, _ = propagate(satrec_array([satrec_from_elements(elements)]), nodes)
    return Ephemeris("CALSAT", "39000", (Segment(nodes, r[0], v[0], "TEME", "LAGRANGE", 8),))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    args = parser.parse_args()
    ephemeris = truth()
    rng = np.random.default_rng(1)
    offsets = np.sort(rng.uniform(60.0, 86_340.0, args.observations))
    labels = DAY + (offsets * 1e6).astype("timedelta64[us]")
    # Observations: truth predictions at t + 5 ms, plus biases and noise (generated up front).
    pieces: dict[str, list[np.ndarray]] = {}
    for start in range(0, labels.size, args.chunk):
        t = labels[start : start + args.chunk] + np.timedelta64(5000, "us")
        eo = earth_orientation(t)
        r, v = ephemeris.teme_states(t, eo)
        p = predict.radar(r, v, SITE, eo)
        n = t.size
        for name, value, bias, sigma in (
            ("range", p.range_km, 0.05, 0.015),
            ("azimuth", p.azimuth_deg, 0.01, 0.005),
            ("elevation", p.elevation_deg, -0.008, 0.005),
            ("range_rate", p.range_rate_km_s, 0.0003, 0.0002),
        ):
            pieces.setdefault(name, []).append(value + bias + rng.normal(0.0, sigma, n))
    observed = {k: np.concatenate(v) for k, v in pieces.items()}
    print(
        f"{labels.size:,} radar observations (4 values each), chunks of {args.chunk:,}; peak {peak_mb():.0f} MB"
    )

    begin = time.perf_counter()
    for start in range(0, labels.size, args.chunk):
        t = labels[start : start + args.chunk]
        eo = earth_orientation(t)
        r, v = ephemeris.teme_states(t, eo)
        predict.radar(r, v, SITE, eo)
    bare = time.perf_counter() - begin
    print(f"bare truth predictions: {bare:.2f} s ({labels.size / bare:,.0f} obs/s); peak {peak_mb():.0f} MB")

    begin = time.perf_counter()
    parts: list[Rows] = []
    for start in range(0, labels.size, args.chunk):
        t = labels[start : start + args.chunk]
        eo = earth_orientation(t)
        r, v = ephemeris.teme_states(t, eo)
        chunk = {k: x[start : start + args.chunk] for k, x in observed.items()}
        rows, _ = residual_rows("radar", chunk, r, v, SITE, eo)
        parts.append(rows)
    rows_done = time.perf_counter() - begin
    result = fit(Rows.concatenate(parts))
    total = time.perf_counter() - begin
    print(
        f"calibration run: {total:.2f} s (rows {rows_done:.2f} s, fit {total - rows_done:.2f} s, "
        f"{result.iterations} iterations); ratio to bare {total / bare:.2f}x; peak {peak_mb():.0f} MB"
    )
    biases = {name: t.bias for name, t in result.types.items()}
    print(f"recovered biases {biases}, time bias {result.time_bias_s} s")


if __name__ == "__main__":
    main()
