"""Catalog import and partner pull against raw bulk inserts / selects of the same rows.

Usage:
    python bench/bench_catalog.py [--objects 30000] [--format omm-json]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python bench/bench_catalog.py

Without DATABASE_URL a fresh SQLite file under var/ is used. The PostgreSQL database is created
if missing and its catalog tables truncated first (with the rows elsewhere that refer to them:
use a database of its own). Steps, each timed, then repeated under
tracemalloc for its peak Python memory:

1. raw baseline: PostgreSQL COPY into temporary tables + INSERT ... ON CONFLICT DO NOTHING
   into copies of the catalog tables (SQLite: executemany INSERT OR IGNORE), from rows already
   parsed; also "parse + baseline", since the import has to read the file too;
2. full import of the file through catalog.services.importer (parse, validate, dedup, insert,
   derived columns, current-element-set pointers, audit);
3. the same file again (nothing changes);
4. a partner's incremental pull of every element set through the API, pages of 1,000 with the
   `since` cursor, against raw SELECT pages of the same rows dumped to JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_catalog.sqlite3'}")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "0")
# As in production: DEBUG off, so Django does not keep a log of every query.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


def prepare_database() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


prepare_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from catalog.formats.elements import ElementSetRecord, read_elements, write_elements  # noqa: E402
from catalog.models import ElementSet, SpaceObject, SyncRun  # noqa: E402
from catalog.services.importer import import_file  # noqa: E402
from catalog.services.synthetic import synthetic_catalog  # noqa: E402
from portal.models import User  # noqa: E402

ELSET_COLUMNS = (
    "epoch, mean_motion, eccentricity, inclination, ra_of_asc_node, arg_of_pericenter, mean_anomaly, "
    "bstar, mean_motion_dot, mean_motion_ddot, element_set_no, rev_at_epoch, ephemeris_type, "
    "classification_type, classification_level, noforn, rel_mask, source, source_key, source_file, regime, "
    "content_hash, seq, created, updated"
)
OBJECT_COLUMNS = "catalog_number, name, intl_designator, object_type, owner_country, launch_site, rcs_size, "
OBJECT_COLUMNS += "classification_level, noforn, rel_mask, seq, created, updated"


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = step()
    return time.perf_counter() - start, value


def traced_peak_mb(step: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def clear_catalog() -> None:
    if connection.vendor == "postgresql":
        # Emptied like the baseline's tables are created: no dead rows from earlier runs for the
        # unique indexes to step over. CASCADE empties rows elsewhere that refer to the catalog.
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE catalog_spaceobject, catalog_elementset, catalog_syncrun, catalog_catalogcounter "
                "CASCADE"
            )
        return
    SpaceObject.objects.update(current_elset=None)
    ElementSet.objects.all().delete()
    SpaceObject.objects.all().delete()
    SyncRun.objects.all().delete()


# -- the raw baseline -----------------------------------------------------------------------------


def baseline_rows(records: list[ElementSetRecord]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    from django.utils import timezone

    now = timezone.now()
    objects = []
    elsets = []
    for seq, rec in enumerate(records, 1):
        objects.append(
            (
                rec.norad_cat_id,
                rec.object_name or "",
                rec.object_id or "",
                "unknown",
                rec.country_code or "",
                rec.site or "",
                rec.rcs_size or "",
                0,
                False,
                1,
                seq,
                now,
                now,
            )
        )
        elsets.append(
            (
                rec.norad_cat_id,
                rec.epoch,
                rec.mean_motion,
                rec.eccentricity,
                rec.inclination,
                rec.ra_of_asc_node,
                rec.arg_of_pericenter,
                rec.mean_anomaly,
                rec.bstar,
                rec.mean_motion_dot,
                rec.mean_motion_ddot,
                rec.element_set_no,
                rec.rev_at_epoch,
                rec.ephemeris_type,
                rec.classification_type,
                0,
                False,
                1,
                "upstream",
                "upstream",
                "catalog.json",
                "LEO",
                "0" * 32,
                seq,
                now,
                now,
            )
        )
    return objects, elsets


def create_baseline_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_elementset")
        cursor.execute("DROP TABLE IF EXISTS bench_spaceobject")
        if connection.vendor == "postgresql":
            # INCLUDING ALL copies the identity id column, indexes and constraints.
            cursor.execute("CREATE TABLE bench_spaceobject (LIKE catalog_spaceobject INCLUDING ALL)")
            cursor.execute("CREATE TABLE bench_elementset (LIKE catalog_elementset INCLUDING ALL)")
        else:
            for table in ("spaceobject", "elementset"):
                sql = cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [f"catalog_{table}"]
                ).fetchone()[0]
                cursor.execute(
                    sql.replace(f'"catalog_{table}"', f'"bench_{table}"', 1).replace(
                        'REFERENCES "catalog_spaceobject"', 'REFERENCES "bench_spaceobject"'
                    )
                )
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [f"catalog_{table}"],
                )
                for (index_sql,) in cursor.fetchall():
                    cursor.execute(
                        index_sql.replace(f'"catalog_{table}"', f'"bench_{table}"').replace(
                            'INDEX "', 'INDEX "bench_'
                        )
                    )


def raw_baseline(objects: list[tuple[Any, ...]], elsets: list[tuple[Any, ...]]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE tmp_object ON COMMIT DROP AS SELECT "
                + OBJECT_COLUMNS
                + " FROM bench_spaceobject WITH NO DATA"
            )
            cursor.execute(
                "CREATE TEMP TABLE tmp_elset ON COMMIT DROP AS SELECT 0::int AS catalog_number, "
                + ELSET_COLUMNS
                + " FROM bench_elementset WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY tmp_object ({OBJECT_COLUMNS}) FROM STDIN") as copy:
                for row in objects:
                    copy.write_row(row)
            with cursor.cursor.copy(f"COPY tmp_elset (catalog_number, {ELSET_COLUMNS}) FROM STDIN") as copy:
                for row in elsets:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO bench_spaceobject ({OBJECT_COLUMNS}) SELECT {OBJECT_COLUMNS} FROM tmp_object "
                "ON CONFLICT (catalog_number) DO NOTHING"
            )
            cursor.execute(
                f"INSERT INTO bench_elementset (space_object_id, {ELSET_COLUMNS}) "
                f"SELECT o.id, {', '.join('t.' + c.strip() for c in ELSET_COLUMNS.split(','))} "
                "FROM tmp_elset t JOIN bench_spaceobject o ON o.catalog_number = t.catalog_number "
                "ON CONFLICT (space_object_id, epoch, source_key) DO NOTHING"
            )
        else:
            marks = ", ".join(["%s"] * len(objects[0]))
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                f"INSERT OR IGNORE INTO bench_spaceobject ({OBJECT_COLUMNS}) VALUES ({marks})",
                [(*row[:-2], adapt(row[-2]), adapt(row[-1])) for row in objects],
            )
            ids = dict(cursor.execute("SELECT catalog_number, id FROM bench_spaceobject").fetchall())
            marks = ", ".join(["%s"] * len(elsets[0]))
            cursor.executemany(
                f"INSERT OR IGNORE INTO bench_elementset (space_object_id, {ELSET_COLUMNS}) VALUES ({marks})",
                [(ids[row[0]], adapt(row[1]), *row[2:-2], adapt(row[-2]), adapt(row[-1])) for row in elsets],
            )


def truncate_baseline() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE bench_elementset, bench_spaceobject")
        else:
            cursor.execute("DELETE FROM bench_elementset")
            cursor.execute("DELETE FROM bench_spaceobject")


# -- the partner pull -----------------------------------------------------------------------------


def api_pull(client: APIClient, page_size: int) -> dict[str, Any]:
    since = 0
    rows = 0
    pages: list[float] = []
    queries: list[int] = []
    while True:
        connection.queries_log.clear()
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/catalog/elsets/", {"since": since, "page_size": page_size})
        body = response.json()
        pages.append(time.perf_counter() - start)
        queries.append(len(captured))
        rows += len(body["results"])
        if not body["next"]:
            break
        since = body["cursor"]
    return {"rows": rows, "pages": pages, "queries": queries}


def raw_pull(page_size: int) -> int:
    since = 0
    rows = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT e.*, o.catalog_number, o.name, o.intl_designator FROM catalog_elementset e "
                "JOIN catalog_spaceobject o ON o.id = e.space_object_id "
                "WHERE e.seq > %s ORDER BY e.seq LIMIT %s",
                [since, page_size],
            )
            page = cursor.fetchall()
            if not page:
                return rows
            json.dumps(page, default=str)
            rows += len(page)
            since = page[-1][[c[0] for c in cursor.description].index("seq")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=30_000)
    parser.add_argument("--format", default="omm-json")
    parser.add_argument("--page-size", type=int, default=1000)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    clear_catalog()
    workdir = Path(tempfile.mkdtemp(prefix="bench-catalog-"))
    path = workdir / f"catalog.{args.format.split('-')[-1]}"
    with path.open("w", encoding="utf-8") as stream:
        write_elements(synthetic_catalog(args.objects), args.format, stream)
    size_mb = path.stat().st_size / 1e6

    parse_s, records = timed(
        lambda: [r for r in read_elements(path.open(encoding="utf-8")) if hasattr(r, "epoch")]
    )
    objects, elsets = baseline_rows(records)
    del records
    create_baseline_tables()
    baseline_s, _ = timed(partial(raw_baseline, objects, elsets))
    truncate_baseline()
    baseline_mb = traced_peak_mb(partial(raw_baseline, objects, elsets))
    del objects, elsets

    import_s, result = timed(lambda: import_file(path, marking="UNCLASSIFIED"))
    rss_after_import = rss_mb()
    assert result.added == args.objects, result.counts()
    reimport_s, again = timed(lambda: import_file(path, marking="UNCLASSIFIED"))
    assert again.added == 0 and again.unchanged == args.objects, again.counts()
    reimport_mb = traced_peak_mb(lambda: import_file(path, marking="UNCLASSIFIED"))
    clear_catalog()
    import_mb = traced_peak_mb(lambda: import_file(path, marking="UNCLASSIFIED"))

    partner, _ = User.objects.get_or_create(
        username="bench-partner", defaults={"nationality": "GBR", "clearance": 3}
    )
    client = APIClient()
    client.force_authenticate(partner)
    api_pull(client, args.page_size)  # warm-up
    pull_s, pull = timed(lambda: api_pull(client, args.page_size))
    assert pull["rows"] == args.objects, pull["rows"]
    raw_pull_s, _ = timed(lambda: raw_pull(args.page_size))
    pull_mb = traced_peak_mb(lambda: api_pull(client, args.page_size))

    vendor = connection.vendor
    print(f"database: {vendor}; file: {args.format}, {args.objects} objects, {size_mb:.1f} MB")
    print(f"parse only (read_elements, validated): {parse_s:.2f} s")
    print(
        f"raw baseline insert ({'COPY + INSERT ON CONFLICT' if vendor == 'postgresql' else 'executemany INSERT OR IGNORE'}): "
        f"{baseline_s:.2f} s, peak {baseline_mb:.0f} MB"
    )
    print(
        f"full import:      {import_s:.2f} s = {import_s / baseline_s:.1f}x baseline, "
        f"{import_s / (baseline_s + parse_s):.1f}x (parse + baseline); peak {import_mb:.0f} MB traced, "
        f"process RSS {rss_after_import:.0f} MB"
    )
    print(
        f"no-change import: {reimport_s:.2f} s = {reimport_s / import_s:.2f}x the first import; peak {reimport_mb:.0f} MB"
    )
    per_page = statistics.median(pull["pages"]) * 1000
    slow = sum(page > 0.2 for page in pull["pages"])
    print(
        f"partner pull:     {pull_s:.2f} s for {pull['rows']} rows in {len(pull['pages'])} pages of {args.page_size}: "
        f"median {per_page:.0f} ms/page, max {max(pull['pages']) * 1000:.0f} ms, {slow} over 200 ms, "
        f"queries/page {sorted(set(pull['queries']))}; "
        f"raw SELECT + json {raw_pull_s:.2f} s = {pull_s / raw_pull_s:.1f}x; peak {pull_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
