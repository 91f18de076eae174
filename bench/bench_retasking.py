"""Retasking benchmark: access windows against bare SGP4 on the same grid, and the scheduler
against the LP optimum. Prints figures; asserts nothing.

    .venv/bin/python bench/bench_retasking.py [--targets 10000] [--sensors 20] [--hours 24]
        [--requests 8000] [--lp-requests 2000]

Visibility on Celery workers, one against two (needs Redis and PostgreSQL; starts and stops its
own `celery -A portal worker` processes on them):

    DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://.../N \
        .venv/bin/python bench/bench_retasking.py --workers 1,2 --targets 2000 [--chunk 250]

The LP bound (scipy HiGHS, the relaxation of the exact MILP) is computed on the first
``--lp-requests`` requests of the same instance so that it stays within minutes here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from sgp4.api import SatrecArray

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from catalog.astro.access import FieldOfRegard, access_windows
from catalog.astro.eop import packaged_table
from catalog.astro.propagation import MeanElements, propagate_jd, satrec_from_elements, utc_to_jd_fr
from tasking.scheduler import objective, schedule
from tests.tasking.scheduling_reference import generate, optimum

START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def targets(n: int, seed: int = 1) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        regime = rng.random()
        if regime < 0.75:
            mm, ecc = rng.uniform(11.5, 15.8), rng.uniform(0.0, 0.02)
        elif regime < 0.85:
            mm, ecc = rng.uniform(1.8, 2.2), rng.uniform(0.0, 0.02)
        elif regime < 0.95:
            mm, ecc = rng.uniform(0.99, 1.01), rng.uniform(0.0, 0.001)
        else:
            mm, ecc = rng.uniform(2.0, 2.1), rng.uniform(0.6, 0.74)
        out.append(
            satrec_from_elements(
                MeanElements(k + 1, START, mm, ecc, rng.uniform(0, 110), rng.uniform(0, 360), rng.uniform(0, 360),
                             rng.uniform(0, 360), 1e-5)
            )
        )  # fmt: skip
    return out


def sensors(n: int, seed: int = 2) -> list[FieldOfRegard]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        sector = rng.random() < 0.5
        az0 = float(rng.uniform(0, 360))
        out.append(
            FieldOfRegard(
                float(rng.uniform(-40, 75)), float(rng.uniform(-180, 180)), 0.1, float(rng.choice([1.0, 3.0, 5.0])),
                az0 if sector else None, (az0 + 240) % 360 if sector else None,
                float(rng.choice([5000.0, 6000.0, 40000.0])), optical=k % 5 == 4,
            )
        )  # fmt: skip
    return out


def element_copies(n: int, seed: int = 1) -> list[list]:
    """The targets of `targets` as the element copies a request keeps (what a chunk task reads)."""
    out = []
    for sat in targets(n, seed):
        out.append([
            sat.satnum, {
                "catalog_number": sat.satnum, "epoch": START.isoformat(),
                "mean_motion": sat.no_kozai * 1440 / (2 * np.pi), "eccentricity": sat.ecco,
                "inclination": np.degrees(sat.inclo), "ra_of_asc_node": np.degrees(sat.nodeo),
                "arg_of_pericenter": np.degrees(sat.argpo), "mean_anomaly": np.degrees(sat.mo),
                "bstar": sat.bstar, "mean_motion_dot": 0.0, "mean_motion_ddot": 0.0,
            },
        ])  # fmt: skip
    return out


def start_worker(concurrency: int, name: str) -> subprocess.Popen:
    log = open(Path("var") / f"bench-worker-{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", f"--concurrency={concurrency}",
         "--loglevel=warning", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"],
        env={**os.environ, "DATABASE_CONN_MAX_AGE": "0"}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def compare_workers(args: argparse.Namespace) -> None:
    """The chunk tasks of a split run on one worker process against two, and in this process."""
    import dataclasses

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from celery import group

    from portal.celery import app
    from tasking.services.retask_split import chunk_windows

    if not os.environ.get("CELERY_BROKER_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("--workers needs CELERY_BROKER_URL (Redis) and DATABASE_URL (PostgreSQL)")
    pairs = element_copies(args.targets)
    fields = [dataclasses.asdict(f) for f in sensors(args.sensors)]
    start, end = START.isoformat(), (START + dt.timedelta(hours=args.hours)).isoformat()
    chunks = [pairs[i : i + args.chunk] for i in range(0, len(pairs), args.chunk)]
    print(f"visibility on workers: {len(pairs)} targets in {len(chunks)} chunks of {args.chunk},"
          f" {len(fields)} sensors, {args.hours:g} h")  # fmt: skip
    Path("var").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    windows = sum(len(chunk_windows(c, fields, start, end)["windows"]["target"]) for c in chunks)
    here = time.perf_counter() - t0
    print(
        f"  in this process (baseline): {here:.2f} s, {windows:,} windows; load {Path('/proc/loadavg').read_text().split()[:3]}"
    )
    app.control.purge()
    for concurrency in [int(c) for c in args.workers.split(",")]:
        name = f"bench-retask-{concurrency}-{os.getpid()}"
        worker = start_worker(concurrency, name)
        try:
            deadline = time.monotonic() + 120
            while not app.control.ping(destination=[f"{name}@{os.uname().nodename}"], timeout=1.0):
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit(f"worker {name} did not start; see var/bench-worker-{name}.log")
            before = Path("/proc/loadavg").read_text().split()[:3]
            t0 = time.perf_counter()
            results = (
                group(app.tasks["tasking.retask_chunk"].s(c, fields, start, end) for c in chunks)
                .apply_async()
                .get(timeout=3600)
            )
            took = time.perf_counter() - t0
            count = sum(len(r["windows"]["target"]) for r in results)
            after = Path("/proc/loadavg").read_text().split()[:3]
            print(f"  worker --concurrency={concurrency}: {took:.2f} s, {count:,} windows,"
                  f" {here / took:.2f}x this process; load before {before}, after {after}")  # fmt: skip
        finally:
            worker.terminate()
            worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--sensors", type=int, default=20)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--requests", type=int, default=8_000)
    parser.add_argument("--lp-requests", type=int, default=2_000)
    parser.add_argument(
        "--workers", help="compare visibility on Celery workers of these concurrencies, e.g. 1,2"
    )
    parser.add_argument("--chunk", type=int, default=250, help="targets per chunk task (with --workers)")
    args = parser.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"cpu count {os.cpu_count()}")
    if args.workers:
        compare_workers(args)
        return
    packaged_table()  # read the finals table once, outside the timings
    sats, fields = targets(args.targets), sensors(args.sensors)
    end = START + dt.timedelta(hours=args.hours)
    step = np.timedelta64(60, "s")
    grid = np.arange(
        np.datetime64(START.replace(tzinfo=None), "us"), np.datetime64(end.replace(tzinfo=None), "us"), step
    )
    jd, fr = utc_to_jd_fr(np.append(grid, np.datetime64(end.replace(tzinfo=None), "us")))
    chunk = max(1, 300_000 // len(jd))
    # Wall time and this process's CPU time: on a shared machine the CPU ratio is the steadier.
    t0, c0 = time.perf_counter(), time.process_time()
    for first in range(0, len(sats), chunk):
        propagate_jd(SatrecArray(sats[first : first + chunk]), jd, fr)
    bare, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    windows = access_windows(sats, fields, START, end, step_s=60.0)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    states = len(sats) * len(jd)
    print(f"visibility: {len(sats)} targets x {len(fields)} sensors x {args.hours:g} h, {len(jd)} grid times")
    print(
        f"  bare SatrecArray propagation of the grid: {bare:.2f} s, CPU {bare_cpu:.2f} s"
        f" ({states / bare_cpu:,.0f} states per CPU second)"
    )
    print(
        f"  access windows (propagation, frames, masks, refinement): {ours:.2f} s, CPU {ours_cpu:.2f} s,"
        f" {len(windows):,} windows"
    )
    print(f"  ratio access / bare propagation: wall {ours / bare:.2f}, CPU {ours_cpu / bare_cpu:.2f}")

    demands, plans, accesses = generate(11, args.requests, 20, max(50, args.requests // 3))
    t0, c0 = time.perf_counter(), time.process_time()
    result = schedule(demands, plans, accesses)
    took, took_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"scheduling: {len(demands)} requests, {sum(d.tracks for d in demands)} tracks wanted, 20 sensors")
    print(
        f"  heuristic: {took:.2f} s (CPU {took_cpu:.2f} s), {len(result.tasks)} tasks, {len(result.gaps)} gaps"
    )
    small = demands[: args.lp_requests]
    part = schedule(small, plans, accesses)
    t0 = time.perf_counter()
    bound = optimum(small, plans, accesses, relax=True, time_limit=600)
    lp_time = time.perf_counter() - t0
    print(f"  LP bound on the first {len(small)} requests: {bound:.0f} ({lp_time:.1f} s);"
          f" heuristic {objective(part, small):.0f}; ratio {objective(part, small) / bound:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
