"""Partner metrics come from one grouped query: counts per SpOC and month, and continuous
percentiles (PostgreSQL's `percentile_cont` in the query; a portable path elsewhere that gives
the same figures). The query count does not grow with the requests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasking.choices import RequestStatus
from tasking.models import TaskingRequest
from tasking.services import metrics

from .conftest import World

MINUTE = 60.0


def answered(world: World, minutes: list[float], latencies: list[float | None]) -> None:
    """Requests to the UK answered (accepted) after `minutes`, delivered with `latencies` (s)."""
    month_start = world.now.replace(day=1, hour=2, minute=0, second=0, microsecond=0)
    for index, (after, latency) in enumerate(zip(minutes, latencies, strict=True)):
        request = world.file(title=f"answered {index}")
        TaskingRequest.objects.filter(pk=request.pk).update(
            submitted_at=month_start,
            answered_at=month_start + dt.timedelta(minutes=after),
            first_answer=RequestStatus.ACCEPTED,
            status=RequestStatus.FULFILLED if index % 2 == 0 else RequestStatus.FAILED,
            delivery_latency_s=latency,
        )


def uk_row(world: World, in_sql: bool | None = None) -> metrics.MonthFigures:
    report = metrics.partner_metrics(world.users["us_operator"], in_sql=in_sql)
    (row,) = [r for r in report.rows if r.spoc_code == "uk-spoc"]
    return row


def test_the_portable_path_gives_the_continuous_percentiles(world: World) -> None:
    answered(world, [10, 20, 30, 40], [60.0, 120.0, 600.0, None])
    row = uk_row(world, in_sql=False)
    assert (row.requests, row.answered, row.accepted, row.with_outcome, row.fulfilled) == (4, 4, 4, 4, 2)
    assert row.median_response_s == pytest.approx(25 * MINUTE)
    # 0.9 * (4 - 1) = 2.7: seven tenths of the way from 30 to 40 minutes.
    assert row.p90_response_s == pytest.approx(37 * MINUTE)
    assert row.max_response_s == pytest.approx(40 * MINUTE)
    assert row.median_latency_s == pytest.approx(120.0)
    assert row.response_histogram == [
        ("< 15 min", 1),
        ("15-60 min", 3),
        ("1-4 h", 0),
        ("4-24 h", 0),
        ("1-3 d", 0),
        ("> 3 d", 0),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_sql_and_portable_paths_give_equal_figures(world: World) -> None:
    answered(world, [3, 14, 15, 61, 240, 1441, 5000], [5.0, 7.5, None, 100.0, 2.0, None, 9.0])
    world.file(title="still waiting")
    in_sql = uk_row(world, in_sql=True).as_dict()
    portable = uk_row(world, in_sql=False).as_dict()
    assert in_sql.keys() == portable.keys()
    for key, value in portable.items():
        assert in_sql[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_the_query_count_does_not_grow_with_the_requests(world: World) -> None:
    answered(world, [10], [60.0])
    with CaptureQueriesContext(connection) as few:
        metrics.partner_metrics(world.users["us_operator"])
    answered(world, [1, 2, 3, 100, 200, 3000, 9000], [1.0] * 7)
    with CaptureQueriesContext(connection) as many:
        metrics.partner_metrics(world.users["us_operator"])
    assert len(many) == len(few) <= 4


@pytest.mark.parametrize(
    "in_sql",
    [
        pytest.param(
            True,
            marks=pytest.mark.skipif(
                connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's"
            ),
            id="in-sql",
        ),
        pytest.param(False, id="portable"),
    ],
)
def test_what_changes_between_the_counts_and_the_percentiles_marks_the_report_or_is_left_out(
    world: World, monkeypatch: pytest.MonkeyPatch, in_sql: bool
) -> None:
    """The counts and the percentiles are two reads, seeing the data at two moments. A request
    raised to CONFIDENTIAL in between marks the report; one answered in a month the counts did
    not have is left out, not a 500."""
    answered(world, [10, 20], [60.0, 120.0])
    raised = TaskingRequest.objects.filter(title="answered 0").get()
    later = world.file(title="a month the counts did not see")
    counted = metrics.count_and_marking_of
    calls: list[int] = []

    def after_the_counts(values: dict[str, object], name: str) -> object:
        if not calls:  # the counts have been read: change what the percentiles will read
            TaskingRequest.objects.filter(pk=raised.pk).update(classification_level=2)
            TaskingRequest.objects.filter(pk=later.pk).update(
                submitted_at=world.now.replace(day=1) - dt.timedelta(days=40),
                answered_at=world.now.replace(day=1) - dt.timedelta(days=39),
                first_answer=RequestStatus.ACCEPTED,
            )
        calls.append(1)
        return counted(values, name)

    monkeypatch.setattr(metrics, "count_and_marking_of", after_the_counts)
    report = metrics.partner_metrics(world.users["us_operator"], in_sql=in_sql)
    assert calls
    assert int(report.marking.level) >= 2
    assert report.inputs == 3
