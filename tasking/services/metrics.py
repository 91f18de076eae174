"""Partner responsiveness by month: a derived product.

Inputs are only the requests the reader may open (marking rule and SpOC permission); the
result is marked with the combination of every input, so it never says more than they do.

- response time: first answer (accept, reject or propose) minus submission;
- acceptance rate: accepted as asked / (answered + expired);
- fulfilment rate: fulfilled / accepted requests that reached an outcome;
- delivery latency: median, per request, of observation receipt minus observation time.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from portal.markings.marking import Level, Marking
from portal.markings.nations import codes_of
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
    response_times_s: list[float] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.answered + self.expired
        return self.accepted / decided if decided else None

    @property
    def fulfilment_rate(self) -> float | None:
        return self.fulfilled / self.with_outcome if self.with_outcome else None

    @property
    def median_response_s(self) -> float | None:
        return statistics.median(self.response_times_s) if self.response_times_s else None

    @property
    def p90_response_s(self) -> float | None:
        times = sorted(self.response_times_s)
        return times[min(len(times) - 1, int(0.9 * len(times)))] if times else None

    @property
    def median_latency_s(self) -> float | None:
        return statistics.median(self.latencies_s) if self.latencies_s else None

    @property
    def response_histogram(self) -> list[tuple[str, int]]:
        counts = [0] * len(RESPONSE_BUCKETS)
        for seconds in self.response_times_s:
            for index, (_, upper) in enumerate(RESPONSE_BUCKETS):
                if seconds < upper:
                    counts[index] += 1
                    break
        return [(label, counts[i]) for i, (label, _) in enumerate(RESPONSE_BUCKETS)]

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


def partner_metrics(
    user: Any, *, months: int = 6, spoc_code: str | None = None, now: dt.datetime | None = None
) -> MetricsReport:
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
    rows: dict[tuple[int, dt.date], MonthFigures] = {}
    level, noforn, mask = Level.UNCLASSIFIED, False, None
    count = 0
    for values in inputs.values(
        "spoc_id",
        "spoc__code",
        "spoc__name",
        "submitted_at",
        "answered_at",
        "first_answer",
        "status",
        "delivery_latency_s",
        "classification_level",
        "noforn",
        "rel_mask",
    ).order_by():
        count += 1
        # The combined marking, built from the columns without a Marking per row.
        level = max(level, Level(values["classification_level"]))
        noforn = noforn or values["noforn"]
        mask = values["rel_mask"] if mask is None else mask & values["rel_mask"]
        key = (values["spoc_id"], month_of(values["submitted_at"]))
        row = rows.get(key)
        if row is None:
            row = rows[key] = MonthFigures(
                values["spoc_id"], values["spoc__code"], values["spoc__name"], key[1]
            )
        _add(row, values)
    if count == 0:
        marking = Marking.unclassified()
    elif noforn:
        marking = Marking(level, noforn=True)
    else:
        marking = Marking(level, rel_to=codes_of(mask or 0))
    ordered = sorted(rows.values(), key=lambda r: (r.spoc_code, r.month))
    return MetricsReport(ordered, marking, span, count)


def _add(row: MonthFigures, values: dict[str, Any]) -> None:
    row.requests += 1
    first = values["first_answer"]
    status = values["status"]
    if values["answered_at"] is not None:
        row.answered += 1
        row.response_times_s.append((values["answered_at"] - values["submitted_at"]).total_seconds())
    if first == S.ACCEPTED:
        row.accepted += 1
        if status in OUTCOMES:
            row.with_outcome += 1
            row.fulfilled += status == S.FULFILLED
    elif first == S.REJECTED:
        row.rejected += 1
    elif first == S.PROPOSED:
        row.proposed += 1
    if status == S.EXPIRED or (status == S.RETASKED and values["answered_at"] is None):
        row.expired += 1
    if values["delivery_latency_s"] is not None:
        row.latencies_s.append(values["delivery_latency_s"])
