"""Observation ingest and association throughput on PostgreSQL, against raw COPY of the same rows.

Usage:
  python bench/generate_observations.py /tmp/obs.json --count 1000000
  python bench/generate_observations.py /tmp/obs.tdm --count 1000000 --format tdm-kvn
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_obsbench \
      python bench/bench_observations.py --json /tmp/obs.json --tdm /tmp/obs.tdm [--associate 100000]

The database is migrated and its observations emptied; sensors at the generator's sites and the
same generated catalog (30,000 objects by default) are loaded once.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

# ruff: noqa: E402
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from agreements.choices import MeasurementType, SensorType
from agreements.models import Sensor
from agreements.services.tiers import seed_default_tiers
from catalog.models import SpaceObject
from catalog.observations.models import Observation
from catalog.observations.services.association import Candidates, associate_observations
from catalog.observations.services.ingest import COLUMNS, ingest, receive
from catalog.observations.services.synthetic import SITES
from catalog.services.importer import import_records
from catalog.services.synthetic import synthetic_catalog
from portal.markings.models import marking_columns
from portal.models import SpOC, User
from portal.seed import seed_core

CATALOG_SEED = 20240315
TABLE = Observation._meta.db_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def prepare(objects: int) -> User:
    call_command("migrate", verbosity=0)
    seed_core()
    seed_default_tiers()
    us = SpOC.objects.get(code="us-spoc")
    for site in SITES:
        Sensor.objects.update_or_create(
            number=site.number,
            defaults=dict(
                spoc=us,
                name=site.name,
                latitude_deg=site.lat_deg,
                longitude_deg=site.lon_deg,
                altitude_km=site.alt_km,
                is_us_ssn=True,
                integration_level=None,
                sensor_type=SensorType.PHASED_ARRAY_RADAR if site.radar else SensorType.OPTICAL_TELESCOPE,
                measurement_types=[
                    MeasurementType.RANGE,
                    MeasurementType.AZIMUTH_ELEVATION,
                    MeasurementType.RANGE_RATE,
                ]
                if site.radar
                else [MeasurementType.RA_DEC],
                min_elevation_deg=site.min_elevation_deg,
                max_range_km=site.max_range_km if site.radar else None,
                limiting_magnitude=None if site.radar else 16.5,
                **marking_columns("UNCLASSIFIED"),
            ),
        )
    if SpaceObject.objects.count() < objects:
        started = time.perf_counter()
        elements = list(synthetic_catalog(objects + objects // 20, seed=CATALOG_SEED))[:objects]
        import_records(elements, marking="UNCLASSIFIED")
        print(f"catalog: {objects} objects loaded in {time.perf_counter() - started:.1f} s")
    return User.objects.get(username="us_operator")


def empty_observations() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {TABLE}, catalog_ingestbatch RESTART IDENTITY CASCADE")


def timed_ingest(user: User, path: str, label: str) -> tuple[float, int]:
    started = time.perf_counter()
    with open(path, "rb") as handle:
        batch = receive(user, handle, filename=Path(path).name, channel="command")
    result = ingest(batch, associate=False)
    elapsed = time.perf_counter() - started
    count = result.batch.accepted
    print(
        f"{label}: {count:,} accepted, {result.batch.rejected} rejected, {result.batch.duplicates} duplicates "
        f"in {elapsed:.1f} s = {count / elapsed:,.0f} obs/s (archive + parse + checks + store); "
        f"peak RSS so far {peak_rss_mb():.0f} MB"
    )
    return elapsed, count


def copy_baseline(chunk: int = 100_000) -> float:
    """Rows/s of a raw COPY of the stored rows into a table with the same indexes and constraints."""
    columns = ", ".join(COLUMNS)
    total = 0
    spent = 0.0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_obs_copy")
        cursor.execute(f"CREATE TABLE bench_obs_copy (LIKE {TABLE} INCLUDING ALL)")
        last = 0
        while True:
            cursor.execute(
                f"SELECT id, {columns} FROM {TABLE} WHERE id > %s ORDER BY id LIMIT %s", [last, chunk]
            )
            rows = cursor.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY bench_obs_copy ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row[1:])
            connection.commit() if not connection.get_autocommit() else None
            spent += time.perf_counter() - started
            total += len(rows)
        cursor.execute("DROP TABLE bench_obs_copy")
    rate = total / spent
    print(f"raw COPY of the same {total:,} rows (same indexes): {spent:.1f} s = {rate:,.0f} rows/s")
    return rate


def association(count: int, truth_path: str | None) -> None:
    started = time.perf_counter()
    candidates = Candidates.load()
    loaded = time.perf_counter() - started
    ids = list(Observation.objects.order_by("id").values_list("id", flat=True)[:count])
    queryset = (
        Observation.objects.filter(id__in=ids)
        if len(ids) < 200_000
        else Observation.objects.filter(id__lte=ids[-1])
    )
    started = time.perf_counter()
    counts = associate_observations(queryset, candidates=candidates)
    elapsed = time.perf_counter() - started
    print(
        f"association: {len(ids):,} obs against {len(candidates.satrecs):,} objects in {elapsed:.1f} s "
        f"= {len(ids) / elapsed:,.0f} obs/s (+ {loaded:.1f} s to build the candidate set); {counts}; "
        f"peak RSS so far {peak_rss_mb():.0f} MB"
    )
    if truth_path and Path(truth_path).exists():
        truth: dict[str, int | None] = {}
        with open(truth_path) as handle:
            for line in handle:
                client, _, number = line.strip().partition(",")
                truth[client] = int(number) if number else None
        made = right = associable = found = 0
        rows = Observation.objects.filter(id__in=ids).values_list("client_id", "space_object__catalog_number")
        for client, number in rows.iterator(20_000):
            expected = truth.get(client)
            if number is not None:
                made += 1
                right += number == expected
            if expected is not None:
                associable += 1
                found += number == expected
        print(
            f"  precision {right / max(made, 1):.4f}, recall {found / max(associable, 1):.4f} "
            f"({associable:,} associable, {len(ids) - associable:,} true UCTs)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", required=True)
    parser.add_argument("--tdm")
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--associate", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("set DATABASE_URL to a PostgreSQL database")
    settings.MEDIA_ROOT = Path("/tmp/obsbench/media")
    print(f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    user = prepare(args.objects)
    empty_observations()
    json_time, json_count = timed_ingest(user, args.json, "JSON bulk ingest")
    copy_rate = copy_baseline()
    print(f"  JSON ingest / COPY = {json_count / json_time / copy_rate:.2f}")
    association(args.associate, str(Path(args.json).with_suffix(".truth")))
    if args.tdm:
        empty_observations()
        tdm_time, tdm_count = timed_ingest(user, args.tdm, "TDM (KVN) file ingest")
        print(f"  TDM ingest / COPY = {tdm_count / tdm_time / copy_rate:.2f}")
    print(f"peak RSS {peak_rss_mb():.0f} MB; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
