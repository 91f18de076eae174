"""Calibration over many observations against the bare cost of their truth predictions, and
the run's peak memory at more than one size.

Usage:
    python bench/bench_calibration.py [--observations 100000 1000000] [--chunk 50000]

A radar (Fylingdales) and one calibration satellite whose truth is a TEME ephemeris of 30 s
states over a day (Lagrange degree 8). Observations are the truth's own predictions plus
biases, a time bias and noise, generated first into a temporary file. Then, per size, a fresh
process reads that file in chunks, as the portal's run reads the database, and times:

* bare: truth states interpolated and light-time predictions (what any run must compute);
* run: the same, plus the time-bias partials and signed residual rows fed to the streaming
  fit, then the fit's iterations with outlier rejection.

It reports both times, their ratio, and its peak resident memory (ru_maxrss) after each stage;
the peak after the run should not grow with the number of observations.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.astro import predict
from catalog.astro.calibrate import residual_rows
from catalog.astro.calibration_fit import FitResult, StreamingFit
from catalog.astro.ephemeris import Ephemeris, Segment
from catalog.astro.frames import GroundSite
from catalog.astro.orientation import earth_orientation
from catalog.astro.propagation import MeanElements, propagate, satrec_array, satrec_from_elements

SITE = GroundSite(54.3617, -0.67, 0.34)
DAY = np.datetime64("2026-06-01T00:00:00", "us")
NAMES = ("range", "azimuth", "elevation", "range_rate")
WIDTH = 1 + len(NAMES)  # label (us since DAY) and the four values, float64 each


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def truth() -> Ephemeris:
    import datetime as dt

    elements = MeanElements(39000, dt.datetime(2026, 6, 1, tzinfo=dt.UTC), 15.2, 0.001, 74.0, 10.0, 90.0, 0.0)
    nodes = DAY + (np.arange(0.0, 86_400.0 + 1e-9, 30.0) * 1e6).astype("timedelta64[us]")
    r, v, _ = propagate(satrec_array([satrec_from_elements(elements)]), nodes)
    return Ephemeris("CALSAT", "39000", (Segment(nodes, r[0], v[0], "TEME", "LAGRANGE", 8),))


def generate(path: Path, count: int, chunk: int) -> None:
    """Observations: truth predictions at t + 5 ms, plus biases and noise, chunk by chunk."""
    ephemeris = truth()
    rng = np.random.default_rng(1)
    offsets = np.sort(rng.uniform(60.0, 86_340.0, count))
    with path.open("wb") as out:
        for start in range(0, count, chunk):
            micros = np.round(offsets[start : start + chunk] * 1e6)
            t = DAY + micros.astype("timedelta64[us]") + np.timedelta64(5000, "us")
            eo = earth_orientation(t)
            r, v = ephemeris.teme_states(t, eo)
            p = predict.radar(r, v, SITE, eo)
            n = t.size
            columns = [micros]
            for value, bias, sigma in (
                (p.range_km, 0.05, 0.015),
                (p.azimuth_deg, 0.01, 0.005),
                (p.elevation_deg, -0.008, 0.005),
                (p.range_rate_km_s, 0.0003, 0.0002),
            ):
                columns.append(value + bias + rng.normal(0.0, sigma, n))
            out.write(np.stack(columns, axis=1).astype(np.float64).tobytes())


def chunks(path: Path, chunk: int):
    with path.open("rb") as source:
        while block := source.read(chunk * WIDTH * 8):
            data = np.frombuffer(block, dtype=np.float64).reshape(-1, WIDTH)
            labels = DAY + data[:, 0].astype(np.int64).astype("timedelta64[us]")
            yield labels, {name: data[:, 1 + i] for i, name in enumerate(NAMES)}


def run(path: Path, chunk: int, ephemeris: Ephemeris) -> tuple[FitResult, float]:
    begin = time.perf_counter()
    stream = StreamingFit()
    for labels, values in chunks(path, chunk):
        eo = earth_orientation(labels)
        r, v = ephemeris.teme_states(labels, eo)
        rows, _ = residual_rows("radar", values, r, v, SITE, eo, key=labels.astype(np.int64))
        stream.add(rows)
    rows_s = time.perf_counter() - begin
    return stream.result(), rows_s


def measure(path: Path, chunk: int) -> dict[str, float]:
    """Bare predictions, then the run, over the file's observations (one process)."""
    ephemeris = truth()
    figures = {"start_mb": peak_mb()}
    begin = time.perf_counter()
    count = 0
    for labels, _values in chunks(path, chunk):
        eo = earth_orientation(labels)
        r, v = ephemeris.teme_states(labels, eo)
        predict.radar(r, v, SITE, eo)
        count += labels.size
    figures["bare_s"] = time.perf_counter() - begin
    figures["bare_mb"] = peak_mb()
    begin = time.perf_counter()
    result, rows_s = run(path, chunk, ephemeris)
    figures["rows_s"] = rows_s
    figures["run_s"] = time.perf_counter() - begin
    figures["run_mb"] = peak_mb()
    # Once more, untimed, under tracemalloc: the peak of what the run itself holds (numpy
    # arrays included), apart from the interpreter and the allocator's own retention.
    tracemalloc.start()
    run(path, chunk, ephemeris)
    figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    figures["observations"] = count
    figures["iterations"] = result.iterations
    figures["biases"] = {name: t.bias for name, t in result.types.items()}  # type: ignore[assignment]
    figures["time_bias_s"] = result.time_bias_s  # type: ignore[assignment]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.chunk)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as folder:
        for count in args.observations:
            path = Path(folder) / f"observations-{count}.bin"
            generate(path, count, args.chunk)
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(path), "--chunk", str(args.chunk)],
                check=True,
                capture_output=True,
                text=True,
            )
            f = json.loads(child.stdout)
            path.unlink()
            print(
                f"{f['observations']:,} radar observations (4 values each), chunks of {args.chunk:,}\n"
                f"  bare truth predictions: {f['bare_s']:.2f} s ({f['observations'] / f['bare_s']:,.0f} obs/s)\n"
                f"  calibration run: {f['run_s']:.2f} s (rows {f['rows_s']:.2f} s, fit "
                f"{f['run_s'] - f['rows_s']:.2f} s, {f['iterations']} iterations); "
                f"ratio to bare {f['run_s'] / f['bare_s']:.2f}x\n"
                f"  peak RSS: {f['start_mb']:.0f} MB at start, {f['bare_mb']:.0f} MB after bare, "
                f"{f['run_mb']:.0f} MB after the run; traced peak of the run {f['traced_peak_mb']:.1f} MB\n"
                f"  recovered biases {f['biases']}, time bias {f['time_bias_s']} s"
            )


if __name__ == "__main__":
    main()
