"""Counting delivered observations against a request, and moving it to partial or fulfilled.

An observation counts when one of the request's SpOC's sensors (the named sensor for a direct
tasking) measured one of the targets inside a window, and it is not linked to another request.

The workflow (fulfilled, partial, failed) goes by every counting observation. The figures stored
on the request and shown wherever the request is shown (pages, API, metrics) count only the
observations marked no more restrictively than the request itself, i.e. those for which
`Marking.combine(request.marking, obs.marking) == request.marking`. Anyone who may open the
request may therefore see every observation behind its figures, so they never reveal that
observations exist above the reader's access. The evidence list on the request page is per
reader, through `visible_to`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.observations.models import Observation
from portal.errors import Conflict
from portal.markings.marking import Level, Marking
from portal.markings.nations import codes_of
from tasking.choices import Actor, FailureReason, RequestAction, RequestStatus
from tasking.models import TaskingRequest
from tasking.services import transitions
from tasking.workflow import IN_EXECUTION

S = RequestStatus
# Observations of one object by one sensor closer than this in time belong to one track.
TRACK_GAP = dt.timedelta(minutes=10)
# After the last window closes, the partner has the agreed delivery time plus this before
# the request is settled on what has arrived.
SETTLING_GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class ObservationRow:
    """What counting needs of one observation."""

    id: int
    sensor_id: int
    space_object_id: int
    ob_time: dt.datetime
    received: dt.datetime
    track_id: str = ""
    # Marked no more restrictively than the request: may back the figures shown with it.
    shareable: bool = True


@dataclass
class Tally:
    observations: int = 0
    tracks: int = 0
    first_received: dt.datetime | None = None
    median_latency_s: float | None = None
    ids: list[int] = field(default_factory=list)

    def meets(self, request: TaskingRequest) -> bool:
        return self.observations >= request.observations_wanted and self.tracks >= request.tracks_wanted


def count_tracks(rows: Iterable[ObservationRow]) -> int:
    """Distinct tracks: the sensor's own track id when it gives one, otherwise runs without a long gap."""
    named: set[tuple[int, int, str]] = set()
    unnamed: dict[tuple[int, int], list[dt.datetime]] = {}
    for row in rows:
        if row.track_id:
            named.add((row.sensor_id, row.space_object_id, row.track_id))
        else:
            unnamed.setdefault((row.sensor_id, row.space_object_id), []).append(row.ob_time)
    runs = 0
    for times in unnamed.values():
        times.sort()
        runs += 1 + sum(1 for a, b in itertools.pairwise(times) if b - a > TRACK_GAP)
    return len(named) + runs


def tally(rows: Sequence[ObservationRow]) -> Tally:
    if not rows:
        return Tally()
    latencies = [max(0.0, (r.received - r.ob_time).total_seconds()) for r in rows]
    return Tally(
        observations=len(rows),
        tracks=count_tracks(rows),
        first_received=min(r.received for r in rows),
        median_latency_s=statistics.median(latencies),
        ids=[r.id for r in rows],
    )


def counting_observations(request: TaskingRequest) -> QuerySet[Observation]:
    windows = request.execution_windows()
    if not windows:
        return Observation.objects.none()
    in_a_window = Q()
    for start, end in windows:
        in_a_window |= Q(ob_time__gte=start, ob_time__lt=end)
    observations = Observation.objects.filter(
        in_a_window,
        space_object_id__in=[t.space_object_id for t in request.targets.all()],
    ).filter(Q(tasking_request_id__isnull=True) | Q(tasking_request_id=request.pk))
    if request.sensor_id is not None:
        return observations.filter(sensor_id=request.sensor_id)
    return observations.filter(sensor__spoc_id=request.spoc_id)


def within_marking_of(request: TaskingRequest) -> Callable[[int, bool, int], bool]:
    """Whether an observation's marking columns are no more restrictive than the request's marking."""
    ceiling = request.marking

    @functools.cache
    def fits(level: int, noforn: bool, rel_mask: int) -> bool:
        marking = Marking(Level(level), noforn=noforn, rel_to=codes_of(rel_mask))
        return Marking.combine(ceiling, marking) == ceiling

    return fits


def rows_for(request: TaskingRequest) -> list[ObservationRow]:
    fits = within_marking_of(request)
    return [
        ObservationRow(pk, sensor, obj, at, received, track or "", fits(level, noforn, mask))
        for pk, sensor, obj, at, received, track, level, noforn, mask in counting_observations(
            request
        ).values_list(
            "pk",
            "sensor_id",
            "space_object_id",
            "ob_time",
            "ingested",
            "track_id",
            "classification_level",
            "noforn",
            "rel_mask",
        )
    ]


def windows_closed(request: TaskingRequest, now: dt.datetime) -> bool:
    windows = request.execution_windows()
    if not windows:
        return False
    timeliness = request.agreement.delivery_timeliness if request.agreement is not None else dt.timedelta(0)
    return max(end for _, end in windows) + timeliness + SETTLING_GRACE <= now


def evaluate(
    request: TaskingRequest,
    *,
    now: dt.datetime | None = None,
    rows: Sequence[ObservationRow] | None = None,
) -> TaskingRequest:
    """Count the evidence; fulfilled when the numbers are met, partial (or failed, with nothing)
    once the partner says it has delivered or the windows are over."""
    now = now or timezone.now()
    if request.status not in IN_EXECUTION | {S.PARTIAL}:
        return request
    rows = rows if rows is not None else rows_for(request)
    counted = tally(rows)
    shown = tally([row for row in rows if row.shareable])
    extra: dict[str, Any] = {
        "observations_counted": shown.observations,
        "tracks_counted": shown.tracks,
        "first_delivery_at": shown.first_received,
        "delivery_latency_s": shown.median_latency_s,
    }
    settled = request.status == S.DELIVERED or windows_closed(request, now)
    try:
        if counted.meets(request):
            return transitions.apply(
                request, RequestAction.RECORD_FULFILLED, side=Actor.SYSTEM, now=now, extra=extra
            )
        if settled and request.status != S.PARTIAL:
            if counted.observations:
                return transitions.apply(
                    request, RequestAction.RECORD_PARTIAL, side=Actor.SYSTEM, now=now, extra=extra
                )
            return transitions.apply(
                request,
                RequestAction.FAIL,
                side=Actor.SYSTEM,
                now=now,
                reason_code=FailureReason.NO_DATA,
                text="No observations arrived by the end of the window and the agreed delivery time.",
                extra=extra,
            )
    except Conflict:
        request.refresh_from_db()
        return request
    if (request.observations_counted, request.tracks_counted) != (shown.observations, shown.tracks):
        TaskingRequest.objects.filter(pk=request.pk, status=request.status).update(**extra)
        request.refresh_from_db()
    return request


def evidence_for(request: TaskingRequest, user: Any) -> QuerySet[Observation]:
    """The counted observations `user` may see, newest first."""
    observations: Any = counting_observations(request)
    return observations.visible_to(user).select_related("sensor", "space_object").order_by("-ob_time", "-id")
