"""Partner metrics on PostgreSQL: the grouped query (percentile_cont in SQL), the portable path
(counts in SQL, percentiles from two timestamps per answered request) and a row-by-row pass in
Python (every request fetched and counted, as the page did before), against a raw SQL GROUP BY
that only counts, run in the same process.

Usage:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python bench/bench_metrics.py [--requests 20000]

The database is migrated and its tasking requests emptied, then --requests requests to two
partner SpOCs over the last six months are made with bulk_create. Each timing is the best of
--repeat runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

# ruff: noqa: E402
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portal.markings.models import marking_columns
from portal.models import SpOC, User
from portal.seed import seed_core
from tasking.choices import RequestKind, RequestStatus
from tasking.models import Notification, RequestEvent, TaskingRequest
from tasking.services import metrics

S = RequestStatus
TABLE = TaskingRequest._meta.db_table


def best_of(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def prepare(count: int) -> None:
    call_command("migrate", verbosity=0)
    seed_core()
    with connection.cursor() as cursor:
        for model in (Notification, RequestEvent):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"DELETE FROM {TABLE}")
    operator = User.objects.get(username="us_operator")
    spocs = [SpOC.objects.get(code="uk-spoc"), SpOC.objects.get(code="au-spoc")]
    markings = {"uk-spoc": "CUI//REL TO USA, GBR", "au-spoc": "CUI//REL TO USA, AUS"}
    rng = random.Random(20261201)
    now = timezone.now()
    rows = []
    for i in range(count):
        spoc = spocs[i % 2]
        submitted = now - dt.timedelta(hours=rng.uniform(1, 24 * 170))
        first = str(rng.choice([S.ACCEPTED, S.ACCEPTED, S.REJECTED, S.PROPOSED, ""]))
        answered = submitted + dt.timedelta(seconds=rng.expovariate(1 / 7200)) if first else None
        if first == S.ACCEPTED:
            status = str(rng.choice([S.FULFILLED, S.PARTIAL, S.FAILED, S.ACCEPTED]))
        else:
            status = str(first or rng.choice([S.EXPIRED, S.SUBMITTED]))
        rows.append(
            TaskingRequest(
                kind=RequestKind.REQUEST,
                title=f"Metrics bench {i}",
                spoc=spoc,
                requested_by=operator,
                status=status,
                first_answer=first,
                purpose="catalog_maintenance",
                priority="routine",
                submitted_at=submitted,
                answered_at=answered,
                response_deadline=submitted + dt.timedelta(hours=48),
                delivery_latency_s=rng.uniform(30, 3600) if status == S.FULFILLED else None,
                **marking_columns(markings[spoc.code]),
            )
        )
    TaskingRequest.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def row_by_row(user: Any) -> int:
    """The former way: every request's columns fetched, counted and sorted in Python."""
    start = dt.datetime.combine(metrics.months_back(timezone.now(), 6)[0], dt.time(), tzinfo=dt.UTC)
    groups: dict[tuple[int, dt.date], list[float]] = {}
    for values in (
        TaskingRequest.objects.accessible_to(user)
        .filter(kind=RequestKind.REQUEST, submitted_at__gte=start)
        .exclude(status=S.DRAFT)
        .values("spoc_id", "spoc__code", "submitted_at", "answered_at", "first_answer", "status")
        .order_by()
    ):
        times = groups.setdefault((values["spoc_id"], metrics.month_of(values["submitted_at"])), [])
        if values["answered_at"] is not None:
            times.append((values["answered_at"] - values["submitted_at"]).total_seconds())
    for times in groups.values():
        statistics.median(times) if times else None
    return len(groups)


def raw_counts() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT spoc_id, date_trunc('month', submitted_at AT TIME ZONE 'UTC'), COUNT(*), "
            f"COUNT(*) FILTER (WHERE answered_at IS NOT NULL) FROM {TABLE} "
            "WHERE kind = 'request' AND status <> 'draft' GROUP BY 1, 2"
        )
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_metrics needs PostgreSQL: set DATABASE_URL")
    prepare(args.requests)
    operator = User.objects.get(username="us_operator")
    in_sql = metrics.partner_metrics(operator, in_sql=True)
    portable = metrics.partner_metrics(operator, in_sql=False)
    # Both paths give the same figures (floats to rounding) before either is timed.
    for a, b in zip((r.as_dict() for r in in_sql.rows), (r.as_dict() for r in portable.rows), strict=True):
        for key, value in b.items():
            same = abs(a[key] - value) < 1e-6 if isinstance(value, float) else a[key] == value
            assert same, (key, a[key], value)
    raw = best_of(args.repeat, raw_counts)
    figures = {
        "grouped query, percentile_cont": best_of(args.repeat, lambda: metrics.partner_metrics(operator)),
        "portable path": best_of(args.repeat, lambda: metrics.partner_metrics(operator, in_sql=False)),
        "row by row in Python (before)": best_of(args.repeat, lambda: row_by_row(operator)),
    }
    print(f"{args.requests} requests, {len(in_sql.rows)} SpOC-months, {in_sql.inputs} inputs")
    print(f"  raw SQL GROUP BY (counts only): {raw * 1000:8.1f} ms")
    for name, seconds in figures.items():
        print(f"  {name:32s} {seconds * 1000:8.1f} ms  x{seconds / raw:.1f} the raw baseline")


if __name__ == "__main__":
    main()
