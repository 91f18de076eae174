"""Main pages and API lists at the issue's scale, for every persona: median and p95 ms, queries.

Usage:
  createdb -h 127.0.0.1 -U postgres portal_pagebench
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_pagebench \
      python bench/bench_pages.py [--scale 1.0] [--requests-per-page 10] [--seconds-per-page 8]

The database is migrated and, if it holds no demo, loaded with `seed_demo`; then the scale is
added beside the demo, never over it: 100,000 tasking requests, 30,000 objects (catalog numbers
from 200,001), 877,000 observations, 50 sensors (numbers 8001-8050) and 300 users, each times
`--scale`. Objects go through the catalog importer; the other rows are written by one
`INSERT ... SELECT FROM generate_series` per table, so PostgreSQL makes them without a model
instance or a round trip per row; then one UPDATE gives each associated bench observation an
angle residual against its object's newest element set, as association does. A database that
already holds that scale is reused (and given the residuals if it has none); another scale is
replaced (`flush`, then `seed_demo` again).

Each persona signs in with Django's test client (DEBUG off) and asks every page and API list
once to warm, counting its queries, then up to `--requests-per-page` more times within
`--seconds-per-page`. The figures are printed against the issue's targets (150 ms median,
400 ms p95) and against the cheapest answer in the same run (the API's `me/`).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["DEBUG"] = "0"  # the figures are the production configuration's
os.environ.setdefault("SECRET_KEY", "page-benchmark-only-key-not-for-production")

import django

django.setup()
# ruff: noqa: E402
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, models
from django.test import Client

import portal.wsgi  # noqa: F401 - a server process's start-up, its gc.freeze() included
from agreements.choices import MeasurementType, SensorType
from agreements.models import Sensor
from catalog.models import ElementSet, SpaceObject
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.services.importer import import_records
from catalog.services.synthetic import synthetic_catalog
from portal.markings.models import marking_columns
from portal.models import SpOC, User
from portal.testing import sign_in
from tasking.choices import RequestStatus
from tasking.models import RequestTarget, RequestWindow, TaskingRequest, TaskingRequestGroupObjectPermission
from tasking.services.rows import INBOX_STATUSES
from tasking.services.staff import staff_group

FULL = {"requests": 100_000, "objects": 30_000, "observations": 877_000}
SENSORS, USERS, DAYS = 50, 300, 30
FIRST_SENSOR, FIRST_OBJECT = (
    8001,
    200_001,
)  # the demo uses sensors below 9999 except these, objects below 100,000
REQUEST_TITLE = "Bench page request"
CATALOG_SEED = 20240315
PERSONAS = [
    "us_operator",
    "uk_staff",
    "au_staff",
    "fr_staff",
    "agreement_admin",
    "security_officer",
    "visitor",
]
TARGET_MEDIAN_MS, TARGET_P95_MS = 150.0, 400.0
BASELINE = "API me"
PAGES = {
    BASELINE: "/api/me/",
    "home": "/",
    "catalog": "/catalog/",
    "observations": "/observations/",
    "observation batches": "/observations/batches/",
    "tasking list": "/tasking/",
    "tasking inbox": "/tasking/inbox/",
    "tasking metrics": "/tasking/metrics/",
    "notifications": "/tasking/notifications/",
    "operations": "/tasking/operations/",
    "agreements": "/agreements/",
    "sensors": "/agreements/sensors/",
    "evaluations": "/agreements/evaluations/",
    "notices": "/notices/",
    "audit": "/audit/",
    "security users": "/security/users/",
    "API catalog objects": "/api/catalog/objects/",
    "API element sets": "/api/catalog/elsets/",
    "API observations": "/api/observations/",
    "API observation batches": "/api/observation-batches/",
    "API tasking requests": "/api/tasking-requests/",
    "API sensors": "/api/sensors/",
    "API agreements": "/api/agreements/",
    "API notices": "/api/notices/",
    "API audit": "/api/audit/",
}
# Partner SpOCs asked, one slot per tenth of the requests, and the nation each releases to.
REQUEST_SPOCS = ["uk-spoc"] * 4 + ["au-spoc"] * 3 + ["ca-spoc"] + ["fr-spoc"] * 2
SENSOR_SPOCS = ["us-spoc"] * 20 + ["uk-spoc"] * 10 + ["au-spoc"] * 10 + ["ca-spoc"] * 5 + ["fr-spoc"] * 5
NATION = {"us-spoc": "USA", "uk-spoc": "GBR", "au-spoc": "AUS", "ca-spoc": "CAN", "fr-spoc": "FRA"}
CLOSED = [RequestStatus.FULFILLED, RequestStatus.REJECTED, RequestStatus.EXPIRED, RequestStatus.PARTIAL]
CLOSED += [RequestStatus.FAILED, RequestStatus.CANCELLED]


def cui_for(spoc_code: str) -> str:
    return "UNCLASSIFIED" if spoc_code == "us-spoc" else f"CUI//REL TO USA, {NATION[spoc_code]}"


def insert_generated(
    model: type[models.Model], source: str, given: dict[str, Any], source_params: list[Any]
) -> int:
    """One `INSERT ... SELECT ... FROM source`: `given` maps columns to an SQL expression, or to
    an expression and its parameters; every other column gets the field's own default."""
    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in given:
            expression, params = (
                given[field.column] if isinstance(given[field.column], tuple) else (given[field.column], [])
            )
            values.append(expression)
            args.extend(params)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        else:
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*args, *source_params])
        return int(cursor.rowcount)


def counts(scale: float) -> dict[str, int]:
    return {name: max(1, round(count * scale)) for name, count in FULL.items()}


def bench_requests() -> models.QuerySet[TaskingRequest]:
    return TaskingRequest.objects.filter(title__startswith=REQUEST_TITLE)


def prepare(scale: float) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    wanted = counts(scale)
    have = bench_requests().count()
    if have and have != wanted["requests"]:
        print(f"replacing the scale in the database ({have:,} requests, {wanted['requests']:,} wanted)")
        call_command("flush", interactive=False, verbosity=0)
    if not User.objects.filter(username="us_operator").exists():
        call_command("seed_demo", verbosity=0)
    if bench_requests().count() == wanted["requests"]:
        if not bench_residuals().exists():  # a database built before residuals were generated
            add_residuals()
        return {"generated_s": None, **wanted}
    started = time.perf_counter()
    steps = {}
    for name, step in (
        ("objects", lambda: make_objects(wanted["objects"])),
        ("sensors and users", make_sensors_and_users),
        ("observations", lambda: make_observations(wanted["observations"])),
        ("residuals", add_residuals),
        ("requests", lambda: make_requests(wanted["requests"])),
    ):
        began = time.perf_counter()
        step()
        steps[name] = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"generated_s": time.perf_counter() - started, "steps": steps, **wanted}


def make_objects(count: int) -> None:
    records = synthetic_catalog(count, seed=CATALOG_SEED, first_number=FIRST_OBJECT)
    import_records(records, marking="UNCLASSIFIED")


def make_sensors_and_users() -> None:
    spocs = {s.code: s for s in SpOC.objects.all()}
    for i, code in enumerate(SENSOR_SPOCS):
        radar = i % 3 != 2
        Sensor.objects.update_or_create(
            number=FIRST_SENSOR + i,
            defaults=dict(
                spoc=spocs[code],
                name=f"Bench page sensor {i + 1}",
                sensor_type=SensorType.TRACKING_RADAR if radar else SensorType.OPTICAL_TELESCOPE,
                latitude_deg=-60.0 + 2.4 * i,
                longitude_deg=-180.0 + 7.2 * i,
                altitude_km=0.2,
                measurement_types=[MeasurementType.RANGE, MeasurementType.AZIMUTH_ELEVATION]
                if radar
                else [MeasurementType.RA_DEC],
                min_elevation_deg=5.0,
                max_range_km=6000.0 if radar else None,
                is_us_ssn=code == "us-spoc",
                integration_level=None if code == "us-spoc" else 2,
                **marking_columns(cui_for(code)),
            ),
        )
    partner_codes = [c for c in NATION if c != "us-spoc"]
    User.objects.bulk_create(
        [
            User(
                username=f"bench_user_{i:03d}",
                password="!",  # unusable: nobody signs in as these
                email=f"bench_user_{i:03d}@portal.example",
                nationality=NATION[partner_codes[i % 4]] if i % 2 else "USA",
                spoc=spocs[partner_codes[i % 4]] if i % 2 else None,
                role="partner_staff" if i % 2 else "us_operator",
            )
            for i in range(USERS)
        ],
        ignore_conflicts=True,
    )


def make_observations(count: int) -> None:
    sensors = list(
        Sensor.objects.filter(number__gte=FIRST_SENSOR, number__lt=FIRST_SENSOR + SENSORS).order_by("number")
    )
    n = len(sensors)
    operator = User.objects.get(username="us_operator")
    levels = [s.classification_level for s in sensors]
    masks = [s.rel_mask for s in sensors]
    # One batch per sensor per day, sensor-major (g = sensor * DAYS + day), so an observation
    # finds its batch by arithmetic.
    insert_generated(
        IngestBatch,
        "generate_series(0, %s) AS g",
        {
            "delivered_by_id": ("%s", [operator.pk]),
            "delivered_by_name": ("%s", [operator.username]),
            "spoc_id": ("(%s::bigint[])[1 + g / %s]", [[s.spoc_id for s in sensors], DAYS]),
            "sensor_number": ("(%s::int[])[1 + g / %s]", [[s.number for s in sensors], DAYS]),
            "received": ("now() - (g %% %s) * interval '1 day'", [DAYS]),
            "finished": ("now() - (g %% %s) * interval '1 day'", [DAYS]),
            "payload_sha256": "md5('bench-page-batch-' || g)",
            "status": "'done'",
            "data_format": "'udl-json'",
            "classification_level": ("(%s::int[])[1 + g / %s]", [levels, DAYS]),
            "rel_mask": ("(%s::bigint[])[1 + g / %s]", [masks, DAYS]),
            "noforn": "false",
        },
        [n * DAYS - 1],
    )
    batches = list(
        IngestBatch.objects.filter(sensor_number__gte=FIRST_SENSOR, sensor_number__lt=FIRST_SENSOR + SENSORS)
        .order_by("id")
        .values_list("id", flat=True)
    )
    objects = bench_object_ids()
    sensor_of, day_of = f"g %% {n}", f"(g / {n}) %% {DAYS}"
    insert_generated(
        Observation,
        "generate_series(1, %s) AS g",
        {
            "sensor_id": (f"(%s::bigint[])[1 + {sensor_of}]", [[s.pk for s in sensors]]),
            "batch_id": (f"(%s::bigint[])[1 + ({sensor_of}) * {DAYS} + {day_of}]", [batches]),
            "ob_time": f"now() - ({day_of}) * interval '1 day' - (g * 7 %% 86400) * interval '1 second'",
            "client_id": "'bench-page-' || g",
            "content_hash": "md5('bench-page-observation-' || g)",
            "range_km": "500.0 + g %% 3000",
            "azimuth_deg": "(g * 37 %% 360)::float",
            "elevation_deg": "(5 + g * 13 %% 80)::float",
            "space_object_id": (
                "CASE WHEN g %% 20 = 0 THEN NULL ELSE (%s::bigint[])[1 + g %% %s] END",
                [objects, len(objects)],
            ),
            "association": f"CASE WHEN g %% 20 = 0 THEN '{AssociationStatus.UCT}' "
            f"ELSE '{AssociationStatus.ASSOCIATED}' END",
            "classification_level": (f"(%s::int[])[1 + {sensor_of}]", [levels]),
            "rel_mask": (f"(%s::bigint[])[1 + {sensor_of}]", [masks]),
            "noforn": "false",
        },
        [count],
    )


def bench_residuals() -> models.QuerySet[Observation]:
    bench_sensors = range(FIRST_SENSOR, FIRST_SENSOR + SENSORS)
    return Observation.objects.filter(sensor__number__in=bench_sensors, residual_angle_deg__isnull=False)


def add_residuals() -> None:
    """An angle residual against the object's newest element set on every associated bench
    observation, as association leaves them (the explorer's sparklines read them)."""
    table = connection.ops.quote_name(Observation._meta.db_table)
    sets = connection.ops.quote_name(ElementSet._meta.db_table)
    sensors = connection.ops.quote_name(Sensor._meta.db_table)
    with connection.cursor() as cursor:
        # Statistics of the freshly written tables first: planned on the demo's sizes, the
        # join below is a nested loop over every element set for every observation (minutes).
        for name in (table, sets, sensors):
            cursor.execute(f"ANALYZE {name}")
        cursor.execute(
            f"UPDATE {table} o SET residual_angle_deg = ((o.id * 7919) %% 2001 - 1000) / 1e6, "
            "residual_element_set_id = e.id "
            f"FROM (SELECT DISTINCT ON (space_object_id) id, space_object_id FROM {sets} "
            "ORDER BY space_object_id, epoch DESC) e, "
            f"{sensors} s WHERE e.space_object_id = o.space_object_id AND s.id = o.sensor_id "
            "AND s.number BETWEEN %s AND %s AND o.association = %s",
            [FIRST_SENSOR, FIRST_SENSOR + SENSORS - 1, str(AssociationStatus.ASSOCIATED)],
        )
        cursor.execute(f"ANALYZE {table}")


def bench_object_ids() -> list[int]:
    found = SpaceObject.objects.filter(catalog_number__gte=FIRST_OBJECT).order_by("id")
    return list(found.values_list("id", flat=True))


def make_requests(count: int) -> None:
    spocs = {s.code: s for s in SpOC.objects.all()}
    asked = [spocs[code] for code in REQUEST_SPOCS]
    cui = [marking_columns(cui_for(code)) for code in REQUEST_SPOCS]
    secret = [marking_columns(f"SECRET//REL TO USA, {NATION[code]}") for code in REQUEST_SPOCS]
    slot = "1 + g %% 10"
    is_secret = "g %% 7 = 0"  # a seventh SECRET, which fr_staff (CONFIDENTIAL) must never see
    is_open = "g %% 50 = 0"  # 2 % waiting or in hand, the rest history
    submitted = "now() - (g %% 43200) * interval '1 minute'"  # over 30 days
    insert_generated(
        TaskingRequest,
        "generate_series(1, %s) AS g",
        {
            "title": f"'{REQUEST_TITLE} ' || g",
            "spoc_id": (f"(%s::bigint[])[{slot}]", [[s.pk for s in asked]]),
            "requested_by_id": ("%s", [User.objects.get(username="us_operator").pk]),
            "priority": "(ARRAY['routine', 'priority', 'immediate'])[1 + g %% 3]",
            "purpose": "'catalog_maintenance'",
            "status": (
                f"CASE WHEN {is_open} THEN (%s::text[])[1 + (g / 50) %% %s] ELSE (%s::text[])[1 + g %% %s] END",
                [
                    [str(s) for s in INBOX_STATUSES],
                    len(INBOX_STATUSES),
                    [str(s) for s in CLOSED],
                    len(CLOSED),
                ],
            ),
            "submitted_at": submitted,
            "response_deadline": f"CASE WHEN {is_open} THEN now() + (30 + g %% 600) * interval '1 minute' "
            f"ELSE {submitted} + interval '1 day' END",
            "closed_at": f"CASE WHEN {is_open} THEN NULL ELSE {submitted} + interval '2 hours' END",
            "created": submitted,
            "classification_level": (
                f"CASE WHEN {is_secret} THEN (%s::int[])[{slot}] ELSE (%s::int[])[{slot}] END",
                [[m["classification_level"] for m in secret], [m["classification_level"] for m in cui]],
            ),
            "rel_mask": (
                f"CASE WHEN {is_secret} THEN (%s::bigint[])[{slot}] ELSE (%s::bigint[])[{slot}] END",
                [[m["rel_mask"] for m in secret], [m["rel_mask"] for m in cui]],
            ),
            "noforn": "false",
        },
        [count],
    )
    source = f"{TaskingRequest._meta.db_table} r WHERE r.title LIKE %s"
    mine = f"{REQUEST_TITLE} %"
    insert_generated(
        RequestWindow,
        source,
        {
            "request_id": "r.id",
            "start": "coalesce(r.response_deadline, now()) + interval '2 hours'",
            "end": "coalesce(r.response_deadline, now()) + interval '14 hours'",
        },
        [mine],
    )
    objects = bench_object_ids()
    insert_generated(
        RequestTarget,
        source,
        {
            "request_id": "r.id",
            "space_object_id": ("(%s::bigint[])[1 + r.id %% %s]", [objects, len(objects)]),
        },
        [mine],
    )
    # Each request's permissions go to the staff group of the SpOC asked, as the workflow grants them.
    groups = {s.pk: staff_group(s).pk for s in set(asked)}
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="tasking", codename__in=["view_taskingrequest", "answer_taskingrequest"]
        ).values_list("id", flat=True)
    )
    insert_generated(
        TaskingRequestGroupObjectPermission,
        f"{TaskingRequest._meta.db_table} r "
        "JOIN unnest(%s::bigint[], %s::bigint[]) AS sg(spoc_id, group_id) ON sg.spoc_id = r.spoc_id "
        "CROSS JOIN unnest(%s::bigint[]) AS p(id) WHERE r.title LIKE %s",
        {"group_id": "sg.group_id", "permission_id": "p.id", "content_object_id": "r.id"},
        [list(groups), list(groups.values()), permissions, mine],
    )


@dataclass
class Timing:
    status: int
    queries: int
    kilobytes: float
    times_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[18]


def time_page(client: Client, url: str, repeat: int, budget_s: float) -> Timing:
    executed: list[str] = []

    def counted(execute: Any, sql: str, *rest: Any) -> Any:
        executed.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(counted):
        response = client.get(url, secure=True)  # the warm-up, counted
    times: list[float] = []
    until = time.perf_counter() + budget_s
    while len(times) < repeat and (not times or time.perf_counter() < until):
        started = time.perf_counter()
        client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    return Timing(response.status_code, len(executed), len(response.content) / 1024, times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's data size")
    parser.add_argument("--requests-per-page", type=int, default=10)
    parser.add_argument("--seconds-per-page", type=float, default=8.0, help="stop asking a slow page sooner")
    parser.add_argument("--personas", nargs="*", default=PERSONAS, choices=PERSONAS)
    parser.add_argument(
        "--pages",
        nargs="*",
        default=list(PAGES),
        choices=list(PAGES),
        metavar="PAGE",
        help="page names, as in the table: " + ", ".join(PAGES),
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the usage above).")
    assert not settings.DEBUG
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a persona's 403s and 404s are expected
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    made = prepare(args.scale)
    sizes = (
        f"{TaskingRequest.objects.count():,} requests, {SpaceObject.objects.count():,} objects, "
        f"{Observation.objects.count():,} observations, {Sensor.objects.count():,} sensors, "
        f"{User.objects.count():,} users"
    )
    built = "reused" if made["generated_s"] is None else f"generated in {made['generated_s']:.0f} s"
    print(f"scale {args.scale:g}: {sizes} ({built})")
    for name, seconds in made.get("steps", {}).items():
        print(f"  {name}: {seconds:.1f} s")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {os.cpu_count()} cores")

    pages = [BASELINE, *(p for p in args.pages if p != BASELINE)]
    print("| persona | page | status | queries | KB | median ms | p95 ms | n | median / baseline | target |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    misses = []
    for username in args.personas:
        client = sign_in(Client(), User.objects.get(username=username))  # second factor too
        base = None
        for page in pages:
            timing = time_page(client, PAGES[page], args.requests_per_page, args.seconds_per_page)
            base = base or timing.median
            met = timing.median <= TARGET_MEDIAN_MS and timing.p95 <= TARGET_P95_MS
            if timing.status == 200 and not met:
                misses.append((username, page, timing))
            print(
                f"| {username} | {page} | {timing.status} | {timing.queries} | {timing.kilobytes:.0f} "
                f"| {timing.median:.0f} | {timing.p95:.0f} | {len(timing.times_ms)} "
                f"| {timing.median / base:.1f} | {'met' if met else '**missed**'} |"
            )
    print(
        f"\ntargets {TARGET_MEDIAN_MS:.0f} ms median, {TARGET_P95_MS:.0f} ms p95: "
        f"{len(misses)} persona-page pairs with 200 answers miss them"
    )
    for username, page, timing in sorted(misses, key=lambda m: -m[2].median):
        print(f"  {page} for {username}: {timing.median:.0f} / {timing.p95:.0f} ms, {timing.queries} queries")


if __name__ == "__main__":
    main()
