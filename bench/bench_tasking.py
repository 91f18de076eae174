"""Tasking at scale on PostgreSQL: a SpOC's inbox over 10,000 requests, and the expiry sweep over
10,000 overdue requests, each against a raw SQL baseline run in the same process.

Usage:
  createdb -h 127.0.0.1 -U postgres portal_taskbench
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_taskbench \
      python bench/bench_tasking.py [--requests 10000] [--open 250] [--overdue 10000]

The database is migrated and its tasking requests emptied; requests, windows, targets, predicted
passes and the SpOC staff's object permissions are made with bulk_create. Each timing is the best
of --repeat runs (the sweep runs once: it changes what it sweeps).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
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
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.choices import SensorType
from agreements.models import Sensor
from catalog.models import SpaceObject
from portal import audit
from portal.markings.models import marking_columns
from portal.models import SpOC, User
from portal.models.audit import AuditEvent
from portal.seed import seed_core
from tasking.choices import RequestStatus
from tasking.models import (
    Notification,
    PredictedPass,
    RequestEvent,
    RequestTarget,
    RequestWindow,
    TaskingRequest,
    TaskingRequestGroupObjectPermission,
)
from tasking.services import notify, retask_queue, sweeps
from tasking.services.rows import INBOX_STATUSES, load_children, with_page_data
from tasking.services.staff import staff_group, sync_staff_membership
from tasking.views import INBOX_PAGE_SIZE

S = RequestStatus
CLOSED = [S.FULFILLED, S.REJECTED, S.EXPIRED, S.PARTIAL, S.FAILED, S.CANCELLED]
TABLE = TaskingRequest._meta.db_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def best_of(repeat: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def sensor(spoc: SpOC, number: int, name: str, marking: str) -> Sensor:
    found, _ = Sensor.objects.update_or_create(
        number=number,
        defaults=dict(
            spoc=spoc,
            name=name,
            sensor_type=SensorType.TRACKING_RADAR,
            latitude_deg=51.1,
            longitude_deg=-1.4,
            altitude_km=0.1,
            measurement_types=["range", "azimuth_elevation"],
            min_elevation_deg=5.0,
            max_range_km=4000.0,
            integration_level=2,
            **marking_columns(marking),
        ),
    )
    return found


def make_requests(
    spoc: SpOC,
    operator: User,
    count: int,
    statuses: list[str],
    deadline: Callable[[int], dt.datetime],
    marking: str,
    objects: list[SpaceObject],
    sensors: list[Sensor],
    passes: bool,
    rng: random.Random,
) -> list[int]:
    now = timezone.now()
    columns = marking_columns(marking)
    requests = TaskingRequest.objects.bulk_create(
        [
            TaskingRequest(
                title=f"Bench request {i}",
                spoc=spoc,
                requested_by=operator,
                status=statuses[i % len(statuses)],
                purpose="catalog_maintenance",
                priority=rng.choice(["routine", "priority", "immediate"]),
                submitted_at=now - dt.timedelta(hours=rng.uniform(1, 24 * 30)),
                response_deadline=deadline(i),
                **columns,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    ids = [r.pk for r in requests]
    windows = []
    targets = []
    for request in requests:
        start = (request.response_deadline or now) + dt.timedelta(hours=2)
        windows.append(RequestWindow(request=request, start=start, end=start + dt.timedelta(hours=12)))
        targets.append(RequestTarget(request=request, space_object=rng.choice(objects)))
    RequestWindow.objects.bulk_create(windows, batch_size=5000)
    RequestTarget.objects.bulk_create(targets, batch_size=5000)
    if passes:
        rows = []
        for window, target in zip(windows, targets, strict=True):
            for k in range(4):
                rise = window.start + dt.timedelta(minutes=95 * k + 10)
                rows.append(
                    PredictedPass(
                        request_id=target.request_id,
                        target=target,
                        sensor=sensors[k % len(sensors)],
                        rise=rise,
                        culmination=rise + dt.timedelta(minutes=4),
                        set=rise + dt.timedelta(minutes=8),
                        max_elevation_deg=rng.uniform(10, 85),
                        rise_azimuth_deg=rng.uniform(0, 360),
                        set_azimuth_deg=rng.uniform(0, 360),
                    )
                )
        PredictedPass.objects.bulk_create(rows, batch_size=5000)
    group = staff_group(spoc)
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="tasking", codename__in=["view_taskingrequest", "answer_taskingrequest"]
        )
    )
    TaskingRequestGroupObjectPermission.objects.bulk_create(
        [
            TaskingRequestGroupObjectPermission(group=group, permission=p, content_object_id=pk)
            for pk in ids
            for p in permissions
        ],
        batch_size=5000,
    )
    return ids


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    seed_core()
    with connection.cursor() as cursor:
        for model in (
            Notification,
            RequestEvent,
            PredictedPass,
            RequestTarget,
            RequestWindow,
            TaskingRequestGroupObjectPermission,
        ):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"DELETE FROM {TABLE}")
    for user in User.objects.filter(spoc__isnull=False):
        sync_staff_membership(user)
    spocs = {s.code: s for s in SpOC.objects.all()}
    operator = User.objects.get(username="us_operator")
    rng = random.Random(20240601)
    objects = [
        SpaceObject.objects.update_or_create(
            catalog_number=90000 + i,
            defaults=dict(name=f"BENCH OBJECT {i}", seq=9_000_000 + i, **marking_columns("UNCLASSIFIED")),
        )[0]
        for i in range(50)
    ]
    uk_sensors = [
        sensor(spocs["uk-spoc"], 9902, "Bench radar A", "CUI//REL TO USA, GBR"),
        sensor(spocs["uk-spoc"], 9903, "Bench radar B", "CUI//REL TO USA, GBR"),
    ]
    now = timezone.now()
    started = time.perf_counter()
    # The inbox SpOC: mostly history, `--open` requests waiting or in hand.
    opened = make_requests(
        spocs["uk-spoc"],
        operator,
        args.open,
        [str(s) for s in INBOX_STATUSES],
        lambda i: now + dt.timedelta(minutes=30 + 7 * i),
        "CUI//REL TO USA, GBR",
        objects,
        uk_sensors,
        True,
        rng,
    )
    make_requests(
        spocs["uk-spoc"],
        operator,
        args.requests - args.open,
        [str(s) for s in CLOSED],
        lambda i: now - dt.timedelta(days=1, minutes=i),
        "CUI//REL TO USA, GBR",
        objects,
        uk_sensors,
        False,
        rng,
    )
    # The sweep's work: overdue, unanswered requests to another SpOC.
    overdue = make_requests(
        spocs["au-spoc"],
        operator,
        args.overdue,
        [S.SUBMITTED],
        lambda i: now - dt.timedelta(minutes=1 + i % 600),
        "CUI//REL TO USA, AUS",
        objects,
        [],
        False,
        rng,
    )
    generated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"opened": opened, "overdue": overdue, "generated_s": generated}


def bench_inbox(repeat: int, expected: int) -> dict[str, float]:
    staff = User.objects.get(username="uk_staff")
    client = Client()
    client.force_login(staff)
    url = reverse("request-inbox")
    sql = f"SELECT * FROM {TABLE} WHERE spoc_id = %s AND status = ANY(%s) ORDER BY response_deadline, id"
    statuses = [str(s) for s in INBOX_STATUSES]

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [staff.spoc_id, statuses])
            rows = cursor.fetchall()
        assert len(rows) == expected, len(rows)

    def query() -> None:
        rows = list(
            with_page_data(
                TaskingRequest.objects.answerable_by(staff).filter(status__in=INBOX_STATUSES)
            ).order_by("response_deadline", "pk")
        )
        load_children(rows, staff)
        assert len(rows) == expected

    # The page shows the first page of each of its two lists.
    waiting = TaskingRequest.objects.answerable_by(staff).filter(status=S.SUBMITTED).count()
    shown = min(waiting, INBOX_PAGE_SIZE) + min(expected - waiting, INBOX_PAGE_SIZE)

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200 and response.content.count(b'<tr id="req-') == shown

    page()  # warm: templates compiled, connection open
    return {
        "raw_s": best_of(repeat, raw),
        "query_s": best_of(repeat, query),
        "page_s": best_of(repeat, page),
    }


# The sweep's writes as one raw statement: the same rows, and only those (checked after), so the
# ratio prices what the ORM sweep adds to the writing itself.
RAW_SWEEP = f"""
WITH claimed AS (
    UPDATE {TABLE} SET status = %(expired)s, updated = %(now)s, closed_at = %(now)s
    WHERE status = %(submitted)s AND response_deadline IS NOT NULL AND response_deadline < %(now)s
    RETURNING id, spoc_id, requested_by_id, title, classification_level, noforn, rel_mask
), history AS (
    INSERT INTO tasking_requestevent
        (at, actor_name, side, action, from_status, to_status, reason_code, text, request_id)
    SELECT %(now)s, %(actor)s, 'system', 'expire', %(submitted)s, %(expired)s, '', '', id FROM claimed
    RETURNING id, request_id
), people AS (
    SELECT c.id AS request_id, c.requested_by_id AS user_id FROM claimed c
    UNION
    SELECT c.id, staff.user_id FROM claimed c
    JOIN unnest(%(staff_spoc)s::bigint[], %(staff_user)s::bigint[]) AS staff(spoc_id, user_id)
      ON staff.spoc_id = c.spoc_id
), told AS (
    INSERT INTO tasking_notification
        (classification_level, noforn, rel_mask, kind, title, body, created, user_id, request_id)
    SELECT c.classification_level, c.noforn, c.rel_mask, 'expired',
           'TR-' || lpad(c.id::text, 6, '0') || ' expired without an answer', '', %(now)s, p.user_id, c.id
    FROM people p JOIN claimed c ON c.id = p.request_id
    RETURNING id, title
), audited AS (
    INSERT INTO portal_auditevent
        (at, actor_name, action, model, object_id, object_repr, marking, classification_level, path, detail)
    SELECT %(now)s, %(actor)s, 'update', 'tasking.taskingrequest', id::text,
           left('TR-' || lpad(id::text, 6, '0') || ' ' || title, 200), %(marking)s, classification_level, '',
           %(detail)s::jsonb
    FROM claimed
    UNION ALL
    SELECT %(now)s, %(actor)s, 'create', 'tasking.requestevent', id::text,
           request_id || ': submitted -> expired', '', NULL, '', '{{}}'::jsonb
    FROM history
    UNION ALL
    SELECT %(now)s, %(actor)s, 'create', 'tasking.notification', id::text, title, %(marking)s, 1, '',
           '{{}}'::jsonb
    FROM told
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed), (SELECT count(*) FROM history), (SELECT count(*) FROM told),
       (SELECT count(*) FROM audited)
"""


def written() -> tuple[int, int, int]:
    """Rows in the three tables the sweep writes to."""
    return (
        RequestEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


def bench_expiry(overdue: list[int], with_email: bool) -> dict[str, float]:
    """The raw statement, undone, then the sweep over the same requests; both write the same
    number of requests, events, notices and audit records."""
    now = timezone.now()
    staff = list(
        User.partner_staff_of(
            set(TaskingRequest.objects.filter(pk__in=overdue).values_list("spoc_id", flat=True))
        ).values_list("spoc_id", "pk")
    )
    marking = str(TaskingRequest.objects.get(pk=overdue[0]).marking)
    before = written()
    with connection.cursor() as cursor, transaction.atomic():
        started = time.perf_counter()
        cursor.execute(
            RAW_SWEEP,
            {
                "now": now,
                "expired": S.EXPIRED,
                "submitted": S.SUBMITTED,
                "actor": audit.current_actor().name,
                "staff_spoc": [spoc for spoc, _ in staff],
                "staff_user": [user for _, user in staff],
                "marking": marking,
                "detail": json.dumps(
                    {"action": "expire", "status": [S.SUBMITTED, S.EXPIRED], "side": "system"}
                ),
            },
        )
        raw_counts = cursor.fetchone()
        raw_s = time.perf_counter() - started
    raw_rows = tuple(after - was for after, was in zip(written(), before, strict=True))
    assert raw_counts[0] == len(overdue) and raw_counts[1:3] == raw_rows[:2], (raw_counts, raw_rows)
    # Undone but for the audit trail, which is append-only: the sweep must find the same work.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET status = %s, closed_at = NULL WHERE id = ANY(%s)", [S.SUBMITTED, overdue]
        )
    RequestEvent.objects.filter(request_id__in=overdue).delete()
    Notification.objects.filter(request_id__in=overdue).delete()
    before = written()
    rss_before = peak_rss_mb()
    # Without a broker, Celery runs each e-mail task inline; in production a worker sends them.
    # The retasking run the sweep queues is a task of its own, not the sweep's work.
    quiet = contextlib.nullcontext() if with_email else notify.without_email()
    started = time.perf_counter()
    with quiet, retask_queue.deferred():
        result = sweeps.expire_overdue(now)
    sweep_s = time.perf_counter() - started
    sweep_rows = tuple(after - was for after, was in zip(written(), before, strict=True))
    assert result["expired"] == len(overdue), result
    assert sweep_rows == raw_rows, (sweep_rows, raw_rows)
    return {
        "raw_s": raw_s,
        "sweep_s": sweep_s,
        "rss_before": rss_before,
        "rows": sum(raw_rows) + len(overdue),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests of the inbox SpOC")
    parser.add_argument("--open", type=int, default=250, help="of those, waiting or in hand")
    parser.add_argument("--overdue", type=int, default=10_000, help="overdue requests for the sweep")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--with-email", action="store_true", help="also send each notice's e-mail inline (no broker)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the usage above).")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    made = prepare(args)
    print(
        f"generated {args.requests:,} inbox-SpOC requests ({args.open:,} open) and {args.overdue:,} "
        f"overdue in {made['generated_s']:.1f} s; peak RSS {peak_rss_mb():.0f} MB"
    )
    inbox = bench_inbox(args.repeat, len(made["opened"]))
    print(
        f"inbox, {args.open:,} rows of {args.requests:,}: raw SELECT {inbox['raw_s'] * 1000:.1f} ms | "
        f"ORM query with permissions and prefetches {inbox['query_s'] * 1000:.1f} ms "
        f"(x{inbox['query_s'] / inbox['raw_s']:.1f}) | "
        f"whole page (its first {INBOX_PAGE_SIZE} of each list) {inbox['page_s'] * 1000:.1f} ms (x{inbox['page_s'] / inbox['raw_s']:.1f}); "
        f"peak RSS {peak_rss_mb():.0f} MB"
    )
    expiry = bench_expiry(made["overdue"], args.with_email)
    print(
        f"expiry of {len(made['overdue']):,} overdue ({expiry['rows']:,} rows written): "
        f"raw statement {expiry['raw_s'] * 1000:.1f} ms | "
        f"sweep {expiry['sweep_s']:.2f} s (x{expiry['sweep_s'] / expiry['raw_s']:.2f}, "
        f"{len(made['overdue']) / expiry['sweep_s']:,.0f} requests/s"
        f"{', e-mails sent inline' if args.with_email else ', e-mails not queued'}); "
        f"peak RSS {expiry['rss_before']:.0f} -> {peak_rss_mb():.0f} MB"
    )


if __name__ == "__main__":
    main()
