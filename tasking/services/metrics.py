"""Partner responsiveness by month: a derived product, computed in the database.

Inputs are only the requests the reader may open (marking rule and SpOC permission); the
result is marked with the combination of every input, so it never says more than they do.

- response time: first answer (accept, reject or propose) minus submission;
- acceptance rate: accepted as asked / (answered + expired);
- fulfilment rate: fulfilled / accepted requests that reached an outcome;
- delivery latency: median, per request, of observation receipt minus observation time.

Counts are one `GROUP BY` SpOC and month with conditional counts (`COUNT(*) FILTER` on
PostgreSQL, `CASE` on SQLite, as Django writes them). Medians and 90th percentiles are the
continuous percentile (linear between the two nearest values, PostgreSQL's `percentile_cont`):
on PostgreSQL in a second grouped query over the requests that have a value; elsewhere from
the answered requests' two timestamps, fetched for that alone and interpolated in the same way,
so both give the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Func, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.markings.marking import Marking
from portal.markings.models import count_and_marking_of, marking_aggregates, marking_from_columns
from portal.models import SpOC
from tasking.choices import RequestKind, RequestStatus
from tasking.models import TaskingRequest

S = RequestStatus
RESPONSE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("< 15 min", 15 * 60),
    ("15-60 min", 3600),
    ("1-4 h", 4 * 3600),
    ("4-24 h", 24 * 3600),
    ("1-3 d", 72 * 3600),
    ("> 3 d", float("inf")),
)
OUTCOMES = frozenset({S.FULFILLED, S.PARTIAL, S.FAILED, S.RETASKED})


@dataclass
class MonthFigures:
    spoc_id: int
    spoc_code: str
    spoc_name: str
    month: dt.date
    requests: int = 0
    answered: int = 0
    accepted: int = 0
    rejected: int = 0
    proposed: int = 0
    expired: int = 0
    with_outcome: int = 0
    fulfilled: int = 0
    median_response_s: float | None = None
    p90_response_s: float | None = None
    max_response_s: float | None = None
    median_latency_s: float | None = None
    # Answered requests per response-time bucket (RESPONSE_BUCKETS).
    histogram: list[int] = field(default_factory=lambda: [0] * len(RESPONSE_BUCKETS))

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.answered + self.expired
        return self.accepted / decided if decided else None

    @property
    def fulfilment_rate(self) -> float | None:
        return self.fulfilled / self.with_outcome if self.with_outcome else None

    @property
    def response_histogram(self) -> list[tuple[str, int]]:
        return [(label, self.histogram[i]) for i, (label, _) in enumerate(RESPONSE_BUCKETS)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "spoc": self.spoc_code,
            "month": self.month.strftime("%Y-%m"),
            "requests": self.requests,
            "answered": self.answered,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "proposed": self.proposed,
            "expired": self.expired,
            "fulfilled": self.fulfilled,
            "with_outcome": self.with_outcome,
            "acceptance_rate": self.acceptance_rate,
            "fulfilment_rate": self.fulfilment_rate,
            "median_response_s": self.median_response_s,
            "p90_response_s": self.p90_response_s,
            "median_delivery_latency_s": self.median_latency_s,
            "response_time_histogram": dict(self.response_histogram),
        }


@dataclass
class MetricsReport:
    rows: list[MonthFigures]
    marking: Marking
    months: list[dt.date]
    inputs: int


def month_of(at: dt.datetime) -> dt.date:
    return at.astimezone(dt.UTC).date().replace(day=1)


def months_back(now: dt.datetime, count: int) -> list[dt.date]:
    first = month_of(now)
    months = [first]
    for _ in range(count - 1):
        previous = months[-1] - dt.timedelta(days=1)
        months.append(previous.replace(day=1))
    return sorted(months)


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an ordered set: `percentile_cont(f) WITHIN GROUP`."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float) -> None:
        # A constant of this module, never a caller's value: written into the SQL as a number.
        super().__init__(expression, fraction=float(fraction))


class EpochSeconds(Func):
    """The seconds of a PostgreSQL interval."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The continuous percentile, as `percentile_cont`: linear between the nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


ANSWERED = Q(answered_at__isnull=False)
FIRST = {S.ACCEPTED: "accepted", S.REJECTED: "rejected", S.PROPOSED: "proposed"}


def _counts() -> dict[str, Any]:
    counts: dict[str, Any] = {
        "requests": Count("pk"),
        "answered": Count("pk", filter=ANSWERED),
        **{name: Count("pk", filter=Q(first_answer=status)) for status, name in FIRST.items()},
        "with_outcome": Count("pk", filter=Q(first_answer=S.ACCEPTED, status__in=OUTCOMES)),
        "fulfilled": Count("pk", filter=Q(first_answer=S.ACCEPTED, status=S.FULFILLED)),
        "expired": Count("pk", filter=Q(status=S.EXPIRED) | Q(status=S.RETASKED, answered_at__isnull=True)),
    }
    lower: dt.timedelta | None = None
    for index, (_, upper) in enumerate(RESPONSE_BUCKETS):
        bucket = ANSWERED
        if lower is not None:
            bucket &= Q(answered_at__gte=F("submitted_at") + lower)
        if math.isfinite(upper):
            lower = dt.timedelta(seconds=upper)
            bucket &= Q(answered_at__lt=F("submitted_at") + lower)
        counts[f"bucket_{index}"] = Count("pk", filter=bucket)
    return counts


def _by_spoc_and_month(inputs: Any, aggregates: dict[str, Any]) -> Any:
    # Grouped by the SpOC's id alone (its code and name are read after): a narrower key.
    return (
        inputs.annotate(month=TruncMonth("submitted_at", tzinfo=dt.UTC))
        .values("spoc_id", "month")
        .annotate(**aggregates)
        .order_by()
    )


def _sql_percentiles(inputs: Any, rows: dict[tuple[int, dt.date], MonthFigures]) -> list[Marking]:
    """The percentiles by `percentile_cont`, in a query of their own over the rows that have
    a value. In the counting query they would stop PostgreSQL from counting in parallel (an
    ordered-set aggregate has no partial form) and make it sort every input by group first:
    at 100,000 requests the two queries take 90 ms together where the one took 120.

    The second query sees the data as it is when it runs: its inputs' markings are returned
    for the report's marking, and a group the counts did not have is left out."""
    response = EpochSeconds(
        ExpressionWrapper(F("answered_at") - F("submitted_at"), output_field=DurationField())
    )
    measured = inputs.filter(ANSWERED | Q(delivery_latency_s__isnull=False))
    grouped = _by_spoc_and_month(
        measured,
        {
            "median_response_s": PercentileCont(response, 0.5),
            "p90_response_s": PercentileCont(response, 0.9),
            "max_response_s": Max(response),
            "median_latency_s": PercentileCont("delivery_latency_s", 0.5),
            **marking_aggregates("measured"),
        },
    )
    markings = []
    for values in grouped:
        row = rows.get((values["spoc_id"], _date(values["month"])))
        if row is None:
            continue
        for name in _PERCENTILES:
            setattr(row, name, values[name])
        _, marking = count_and_marking_of(values, "measured")
        if marking is not None:
            markings.append(marking)
    return markings


def _portable_percentiles(inputs: Any, rows: dict[tuple[int, dt.date], MonthFigures]) -> list[Marking]:
    """The same percentiles from the two timestamps of each answered request (and the stored
    latency), for databases without `percentile_cont`. Like `_sql_percentiles`, it returns the
    markings of what it read and leaves out a group the counts did not have."""
    responses: dict[tuple[int, dt.date], list[float]] = {}
    latencies: dict[tuple[int, dt.date], list[float]] = {}
    markings: set[tuple[int, bool, int]] = set()
    fetched = (
        inputs.filter(ANSWERED | Q(delivery_latency_s__isnull=False))
        .annotate(month=TruncMonth("submitted_at", tzinfo=dt.UTC))
        .values_list(
            "spoc_id",
            "month",
            "submitted_at",
            "answered_at",
            "delivery_latency_s",
            "classification_level",
            "noforn",
            "rel_mask",
        )
        .order_by()
    )
    for spoc_id, month, submitted, answered, latency, *marking in fetched:
        key = (spoc_id, _date(month))
        if key not in rows:
            continue
        markings.add((marking[0], marking[1], marking[2]))
        if answered is not None:
            responses.setdefault(key, []).append((answered - submitted).total_seconds())
        if latency is not None:
            latencies.setdefault(key, []).append(latency)
    for key, row in rows.items():
        times = responses.get(key, [])
        row.median_response_s = percentile(times, 0.5)
        row.p90_response_s = percentile(times, 0.9)
        row.max_response_s = max(times) if times else None
        row.median_latency_s = percentile(latencies.get(key, []), 0.5)
    return [marking_from_columns(*columns) for columns in markings]


def _date(month: dt.datetime | dt.date) -> dt.date:
    return month.astimezone(dt.UTC).date() if isinstance(month, dt.datetime) else month


def partner_metrics(
    user: Any,
    *,
    months: int = 6,
    spoc_code: str | None = None,
    now: dt.datetime | None = None,
    in_sql: bool | None = None,
) -> MetricsReport:
    """`in_sql`: percentiles in the query (PostgreSQL, the default there) or portably."""
    now = now or timezone.now()
    months = max(1, min(months, 24))
    span = months_back(now, months)
    start = dt.datetime.combine(span[0], dt.time(), tzinfo=dt.UTC)
    inputs = (
        TaskingRequest.objects.accessible_to(user)
        .filter(kind=RequestKind.REQUEST, submitted_at__gte=start)
        .exclude(status=S.DRAFT)
    )
    if spoc_code:
        inputs = inputs.filter(spoc__code=spoc_code)
    in_sql = connection.vendor == "postgresql" if in_sql is None else in_sql
    # The inputs' count and marking come per group from the same scan, and are combined here:
    # a second pass over every input only to mark the report cost as much as the figures.
    groups = list(_by_spoc_and_month(inputs, {**_counts(), **marking_aggregates("inputs")}))
    counted = [count_and_marking_of(values, "inputs") for values in groups]
    count = sum(n for n, _ in counted)
    if not count:
        return MetricsReport([], Marking.unclassified(), span, 0)
    spocs = SpOC.objects.filter(pk__in={values["spoc_id"] for values in groups})
    names = {pk: (code, name) for pk, code, name in spocs.values_list("pk", "code", "name")}
    rows: dict[tuple[int, dt.date], MonthFigures] = {}
    for values in groups:
        key = (values["spoc_id"], _date(values["month"]))
        rows[key] = MonthFigures(
            values["spoc_id"],
            *names[values["spoc_id"]],
            key[1],
            histogram=[values[f"bucket_{i}"] for i in range(len(RESPONSE_BUCKETS))],
            **{name: values[name] for name in _COUNTS},
        )
    markings = [marking for _, marking in counted if marking is not None]
    markings += (_sql_percentiles if in_sql else _portable_percentiles)(inputs, rows)
    ordered = sorted(rows.values(), key=lambda r: (r.spoc_code, r.month))
    return MetricsReport(ordered, Marking.combine(*markings), span, count)


_PERCENTILES = ("median_response_s", "p90_response_s", "max_response_s", "median_latency_s")
_COUNTS = (
    "requests",
    "answered",
    "accepted",
    "rejected",
    "proposed",
    "expired",
    "with_outcome",
    "fulfilled",
)
