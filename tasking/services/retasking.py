"""Retasking US SSN sensors to cover the requests partners could not: the runs and their records.

A run reads the unmet demand (requests rejected, expired, failed or partial), the US SSN sensors
with their capacity, outages and tasks already booked, predicts access windows
(`catalog.astro.access`), schedules tracks (`tasking.scheduler`) and stores the tasks and the gaps.
One run per input snapshot (the run's ``key``); the database's one-task-per-sensor-slot
constraint keeps two concurrent runs from booking a slot twice: a task that loses the race
becomes a capacity gap of the run that lost it.

Markings: a task is marked as its request, its sensor and its target object combined (a track's
time says where the object is); a gap as its request, its targets and every sensor considered
(it says what none of them could do); a run as everything it read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agreements.choices import AVAILABLE_STATUSES, Priority, SensorType
from agreements.models import Sensor
from catalog.astro.access import FieldOfRegard, access_windows
from catalog.astro.propagation import satrec_from_elements
from portal.errors import Conflict
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from tasking import scheduler, workflow
from tasking.choices import Actor, FailureReason, NotificationKind, RequestAction
from tasking.models import (
    GapReasonChoice,
    RetaskingGap,
    RetaskingRun,
    RetaskingRunStatus,
    SsnTask,
    SsnTaskStatus,
    TaskingRequest,
)
from tasking.services import notify, transitions
from tasking.services.elements import mean_elements

PRIORITY_LEVEL = {
    Priority.EMERGENCY: 1,
    Priority.CATEGORY_1: 1,
    Priority.FLASH: 2,
    Priority.CATEGORY_2: 2,
    Priority.IMMEDIATE: 3,
    Priority.CATEGORY_3: 3,
    Priority.PRIORITY: 4,
    Priority.CATEGORY_4: 4,
    Priority.ROUTINE: 5,
    Priority.CATEGORY_5: 5,
}
MAX_HORIZON = dt.timedelta(hours=72)
GRID_STEP_S = 60.0
MIN_TRACK_S = 60.0


class AlreadyPlanned(Exception):
    """This snapshot of the demand was (or is being) retasked by another run."""

    def __init__(self, run: RetaskingRun) -> None:
        super().__init__(f"retasking run {run.pk} covers this snapshot")
        self.run = run


@dataclass(frozen=True)
class ProposedSensor:
    """A sensor that does not exist yet, for what-if runs."""

    latitude_deg: float
    longitude_deg: float
    altitude_km: float
    sensor_type: str
    min_elevation_deg: float = 5.0
    azimuth_min_deg: float | None = None
    azimuth_max_deg: float | None = None
    max_range_km: float | None = None
    tracks_per_hour: int = 30
    number: int = 0  # never a real sensor number


@dataclass
class Plan:
    """What one scheduling pass decided, before anything is stored."""

    at: dt.datetime
    horizon_end: dt.datetime
    requests: dict[int, TaskingRequest]
    sensors: dict[int, Sensor | ProposedSensor]
    tasks: list[scheduler.Task] = field(default_factory=list)
    gaps: list[tuple[int, int, str]] = field(default_factory=list)  # request, tracks missing, reason
    regimes: dict[int, str] = field(default_factory=dict)  # request -> orbit regime


def unmet_requests() -> list[TaskingRequest]:
    return list(
        TaskingRequest.objects.filter(status__in=workflow.UNMET)
        .select_related("requested_by", "spoc")
        .prefetch_related("targets__space_object", "windows")
        .order_by("pk")
    )


def ssn_sensors(among: QuerySet[Sensor] | None = None) -> list[Sensor]:
    """The SSN sensors retasking may book, out of ``among`` (every sensor by default)."""
    sensors = Sensor.objects.all() if among is None else among
    return list(
        sensors.filter(is_us_ssn=True, status__in=AVAILABLE_STATUSES, tracks_per_hour__gt=0)
        .prefetch_related("outages")
        .order_by("number")
    )


def target_objects_marking(requests: Iterable[TaskingRequest]) -> list[Marking]:
    """The markings of the target objects of ``requests`` (what a derived product also reveals)."""
    return [t.space_object.marking for r in requests for t in r.targets.all()]


def snapshot_key(at: dt.datetime, requests: Sequence[TaskingRequest], sensors: Sequence[Sensor]) -> str:
    """Digest of what a run reads; the horizon start counts to the hour."""
    booked = list(
        SsnTask.objects.filter(status=SsnTaskStatus.SCHEDULED, end__gt=at)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    payload = {
        "at": at.replace(minute=0, second=0, microsecond=0).isoformat(),
        "requests": [[r.pk, r.status, r.updated.isoformat()] for r in requests],
        "sensors": [
            [
                s.pk,
                s.updated.isoformat(),
                [[o.start.isoformat(), o.end.isoformat() if o.end else None] for o in s.outages.all()],
            ]
            for s in sensors
        ],
        "booked": booked,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _seconds(value: dt.datetime) -> float:
    return value.timestamp()


def _aware(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _field_of_regard(sensor: Sensor | ProposedSensor) -> FieldOfRegard:
    return FieldOfRegard(
        sensor.latitude_deg,
        sensor.longitude_deg,
        sensor.altitude_km,
        min_elevation_deg=sensor.min_elevation_deg,
        azimuth_min_deg=sensor.azimuth_min_deg,
        azimuth_max_deg=sensor.azimuth_max_deg,
        max_range_km=sensor.max_range_km,
        optical=sensor.sensor_type == SensorType.OPTICAL_TELESCOPE,
    )


def orbit_regime(mean_motion: float, eccentricity: float) -> str:
    """LEO / MEO / GEO / HEO from the mean motion (rev/day) and eccentricity."""
    if eccentricity >= 0.25:
        return "HEO"
    if mean_motion >= 11.25:
        return "LEO"
    if 0.9 <= mean_motion <= 1.1:
        return "GEO"
    return "MEO"


@dataclass
class Prepared:
    """A run's demand before visibility: what to predict, and for whom."""

    plan: Plan
    demands: list[scheduler.Demand]
    sensor_keys: list[int]
    targets: dict[int, dict[str, Any]] = field(default_factory=dict)  # space object -> elements

    def fields(self) -> list[FieldOfRegard]:
        return [_field_of_regard(self.plan.sensors[k]) for k in self.sensor_keys]


def prepare(
    at: dt.datetime, requests: Sequence[TaskingRequest], sensors: Sequence[Sensor | ProposedSensor]
) -> Prepared:
    """The demands of ``requests`` from ``at``, the targets to predict and the gaps found before
    any prediction (no elements, window over or too short)."""
    result = Plan(at, at, {r.pk: r for r in requests}, {})
    for index, sensor in enumerate(sensors):
        result.sensors[getattr(sensor, "pk", None) or -(index + 1)] = sensor
    prepared = Prepared(result, [], list(result.sensors))
    horizon_end = at
    for request in requests:
        target = next((t for t in request.targets.all() if t.elements), None)
        window = next(((s, e) for s, e in request.execution_windows() if e > at), None)
        if target is not None:
            result.regimes[request.pk] = orbit_regime(
                float(target.elements["mean_motion"]), float(target.elements["eccentricity"])
            )
        if target is None:
            result.gaps.append((request.pk, request.tracks_wanted, GapReasonChoice.NO_ELEMENTS))
            continue
        if window is None:
            result.gaps.append((request.pk, request.tracks_wanted, GapReasonChoice.WINDOW_OVER))
            continue
        start, end = max(window[0], at), min(window[1], at + MAX_HORIZON)
        if end <= start:
            result.gaps.append((request.pk, request.tracks_wanted, GapReasonChoice.WINDOW_TOO_SHORT))
            continue
        prepared.targets.setdefault(target.space_object_id, target.elements)
        horizon_end = max(horizon_end, end)
        prepared.demands.append(
            scheduler.Demand(
                request=request.pk,
                target=target.space_object_id,
                start_s=_seconds(start),
                end_s=_seconds(end),
                tracks=request.tracks_wanted,
                priority=PRIORITY_LEVEL.get(Priority(request.priority), 5),
                min_spacing_s=60.0 * request.track_spacing_min,
            )
        )
    result.horizon_end = horizon_end
    return prepared


# Access windows of some targets: space object id, sensor position, start and end (µs since
# the epoch). Plain lists, so a chunk computed by another worker travels as JSON.
VisibleWindows = list[tuple[int, int, int, int]]


def visible_windows(
    targets: dict[int, dict[str, Any]],
    fields: Sequence[FieldOfRegard],
    start: dt.datetime,
    end: dt.datetime,
) -> VisibleWindows:
    """Access windows of ``targets`` (space object id -> elements copy) from ``fields``."""
    if not targets or not fields:
        return []
    objects = list(targets)
    satrecs = [satrec_from_elements(mean_elements(targets[o])) for o in objects]
    windows = access_windows(satrecs, list(fields), start, end, GRID_STEP_S)
    starts = windows.start.astype("datetime64[us]").astype(np.int64)
    ends = windows.end.astype("datetime64[us]").astype(np.int64)
    return [
        (objects[int(t)], int(s), int(a), int(b))
        for t, s, a, b in zip(windows.target, windows.sensor, starts, ends, strict=True)
    ]


def schedule_prepared(
    prepared: Prepared,
    windows: Iterable[tuple[int, int, int, int]],
    booked: Iterable[tuple[int, dt.datetime]] = (),
) -> Plan:
    """Schedule the prepared demand on its sensors with the given access windows."""
    result = prepared.plan
    keys = prepared.sensor_keys
    accesses: dict[int, list[scheduler.Access]] = {}
    for obj, s, a, b in windows:
        accesses.setdefault(int(obj), []).append((keys[int(s)], a / 1e6, b / 1e6))
    busy: dict[int, list[float]] = {}
    for sensor_id, start in booked:
        busy.setdefault(sensor_id, []).append(_seconds(start))
    plans = []
    for key in keys:
        sensor = result.sensors[key]
        outages: list[tuple[float, float]] = []
        if isinstance(sensor, Sensor):
            for outage in sensor.outages.all():
                outages.append((_seconds(outage.start), _seconds(outage.end) if outage.end else float("inf")))
        plans.append(
            scheduler.SensorPlan(key, sensor.tracks_per_hour, tuple(outages), tuple(busy.get(key, ())))
        )
    schedule = scheduler.schedule(prepared.demands, plans, accesses, MIN_TRACK_S)
    result.tasks = schedule.tasks
    result.gaps.extend((g.request, g.tracks_missing, str(g.reason)) for g in schedule.gaps)
    return result


def plan(
    at: dt.datetime,
    requests: Sequence[TaskingRequest],
    sensors: Sequence[Sensor | ProposedSensor],
    booked: Iterable[tuple[int, dt.datetime]] = (),
) -> Plan:
    """Schedule ``requests`` on ``sensors`` from ``at`` in this process (nothing stored)."""
    prepared = prepare(at, requests, sensors)
    windows: VisibleWindows = []
    if prepared.demands and prepared.sensor_keys:
        windows = visible_windows(prepared.targets, prepared.fields(), at, prepared.plan.horizon_end)
    return schedule_prepared(prepared, windows, booked)


def _progress(run: RetaskingRun, percent: int, stage: str) -> None:
    RetaskingRun.objects.filter(pk=run.pk).update(progress=percent, stage=stage)


def run_retasking(
    at: dt.datetime | None = None,
    *,
    task_run: Any = None,
    split: Callable[[RetaskingRun, Prepared], bool] | None = None,
) -> RetaskingRun:
    """Retask every unmet request from ``at`` (now by default); AlreadyPlanned for a seen snapshot.

    A run of the same snapshot that failed (its worker lost, say: `release_lost_run`) is taken
    over. Its bookings were never committed — they are stored in one transaction — so the run
    starts again from the same inputs and books each slot once.

    ``split`` (`retask_split.dispatch`, from the Celery task) may send the run's visibility in
    chunks to the workers: when it does, the run is returned still running and the chunks'
    callback (`finish_split_run`) schedules and records it. In process (no broker) the chunks
    and the callback run before this returns.
    """
    began = time.monotonic()
    at = at or timezone.now()
    requests = unmet_requests()
    sensors = ssn_sensors()
    key = snapshot_key(at, requests, sensors)
    run_marking = Marking.combine(
        *(r.marking for r in requests),
        *target_objects_marking(requests),
        *(s.marking for s in sensors),
        Marking.parse("U"),
    )
    inputs: dict[str, Any] = {"requests": [r.pk for r in requests], "sensors": [s.number for s in sensors]}
    if task_run is not None:
        inputs["task_run"] = task_run.pk
    with transaction.atomic():
        run, created = RetaskingRun.objects.get_or_create(
            key=key, defaults={"at": at, "inputs": inputs, **marking_columns(run_marking)}
        )
    if not created and not _take_over(run, inputs):
        raise AlreadyPlanned(run)
    try:
        _progress(run, 10, "predicting access windows")
        prepared = prepare(at, requests, sensors)
        if split is not None and split(run, prepared):
            run.refresh_from_db()
            return run
        windows: VisibleWindows = []
        if prepared.demands and prepared.sensor_keys:
            windows = visible_windows(prepared.targets, prepared.fields(), at, prepared.plan.horizon_end)
        _book(run, prepared, windows, sensors)
    except Exception as exc:
        _fail(run, exc, time.monotonic() - began)
        raise
    _succeed(run, prepared.plan, time.monotonic() - began)
    return run


def finish_split_run(
    run_pk: int, chunks: Sequence[dict[str, Any]] | None, *, task_run: Any = None
) -> RetaskingRun:
    """Schedule and record a split run from its chunks' access windows.

    Reads the run's recorded inputs again (its requests still unmet, its sensors), so a
    delivery of this step alone — the recovery sweep's, after its worker was lost, with no
    chunks — predicts whatever is missing in process and books the same plan once.
    AlreadyPlanned when the run is done (a second delivery).
    """
    run = RetaskingRun.objects.get(pk=run_pk)
    inputs = {**run.inputs, **({"task_run": task_run.pk} if task_run is not None else {})}
    if run.status == RetaskingRunStatus.SUCCEEDED:
        raise AlreadyPlanned(run)
    if run.status == RetaskingRunStatus.FAILED and not _take_over(run, inputs):
        raise AlreadyPlanned(run)
    RetaskingRun.objects.filter(pk=run.pk).update(inputs=inputs)
    try:
        _progress(run, 70, "scheduling")
        requests = [r for r in unmet_requests() if r.pk in set(inputs.get("requests", []))]
        by_number = {s.number: s for s in ssn_sensors()}
        sensors = [by_number[n] for n in inputs.get("sensors", []) if n in by_number]
        # Re-read, the inputs may have been re-marked since the run began: the run is marked
        # at least as it was and as what it reads now.
        marking = Marking.combine(
            run.marking,
            *(r.marking for r in requests),
            *target_objects_marking(requests),
            *(s.marking for s in sensors),
        )
        RetaskingRun.objects.filter(pk=run.pk).update(**marking_columns(marking))
        prepared = prepare(run.at, requests, sensors)
        windows = _split_windows(prepared, chunks or (), inputs.get("sensors", []))
        _book(run, prepared, windows, sensors)
    except Exception as exc:
        _fail(run, exc, (timezone.now() - run.started).total_seconds())
        raise
    _succeed(run, prepared.plan, (timezone.now() - run.started).total_seconds())
    return run


def _split_windows(
    prepared: Prepared, chunks: Iterable[dict[str, Any]], numbers: Sequence[int]
) -> VisibleWindows:
    """The chunks' windows, sensors moved from the dispatched list to the prepared one; targets
    no chunk covered (no chunks given, say) are predicted here."""
    position = {sensor.number: i for i, sensor in enumerate(prepared.plan.sensors.values())}
    windows: VisibleWindows = []
    covered: set[int] = set()
    for chunk in chunks:
        covered.update(int(obj) for obj in chunk["objects"])
        columns = chunk["windows"]
        for obj, s, a, b in zip(
            columns["target"], columns["sensor"], columns["start"], columns["end"], strict=True
        ):
            if int(obj) in prepared.targets and numbers[int(s)] in position:
                windows.append((int(obj), position[numbers[int(s)]], int(a), int(b)))
    missing = {obj: e for obj, e in prepared.targets.items() if obj not in covered}
    if missing and prepared.sensor_keys:
        windows.extend(
            visible_windows(missing, prepared.fields(), prepared.plan.at, prepared.plan.horizon_end)
        )
    return windows


def _book(run: RetaskingRun, prepared: Prepared, windows: VisibleWindows, sensors: Sequence[Sensor]) -> None:
    booked = SsnTask.objects.filter(status=SsnTaskStatus.SCHEDULED, end__gt=prepared.plan.at).values_list(
        "sensor_id", "start"
    )
    result = schedule_prepared(prepared, windows, list(booked))
    _progress(run, 80, "booking sensor slots")
    _store(run, result, sensors)


def _fail(run: RetaskingRun, exc: Exception, duration_s: float) -> None:
    RetaskingRun.objects.filter(pk=run.pk).update(
        status=RetaskingRunStatus.FAILED,
        error=str(exc)[:2000],
        finished=timezone.now(),
        duration_s=duration_s,
    )


def _succeed(run: RetaskingRun, result: Plan, duration_s: float) -> None:
    RetaskingRun.objects.filter(pk=run.pk).update(
        status=RetaskingRunStatus.SUCCEEDED,
        progress=100,
        stage="done",
        finished=timezone.now(),
        duration_s=duration_s,
        horizon_end=result.horizon_end,
    )
    run.refresh_from_db()


def _take_over(run: RetaskingRun, inputs: dict[str, Any]) -> bool:
    """Start a failed run of the same snapshot again; False if it is running or done."""
    updated = RetaskingRun.objects.filter(pk=run.pk, status=RetaskingRunStatus.FAILED).update(
        status=RetaskingRunStatus.RUNNING, error="", finished=None, progress=0, stage="", inputs=inputs
    )
    if updated != 1:
        return False
    run.refresh_from_db()
    return True


def release_lost_run(sender: Any = None, *, run: Any, reason: str, **kwargs: Any) -> None:
    """A task run lost its worker: the retasking run it was making fails with the reason."""
    RetaskingRun.objects.filter(inputs__task_run=run.pk, status=RetaskingRunStatus.RUNNING).update(
        status=RetaskingRunStatus.FAILED, error=reason[:2000], finished=timezone.now()
    )


def _store(run: RetaskingRun, result: Plan, sensors: Sequence[Sensor]) -> None:
    """Book the plan's tasks, record its gaps and mark the requests retasked, all or nothing."""
    with transaction.atomic():
        _store_plan(run, result, sensors)


def _store_plan(run: RetaskingRun, result: Plan, sensors: Sequence[Sensor]) -> None:
    by_pk = {s.pk: s for s in sensors}
    gap_marking_base = Marking.combine(*(s.marking for s in sensors)) if sensors else None
    rows = []
    for task in result.tasks:
        request = result.requests[task.request]
        sensor = by_pk[task.sensor]
        target = next(t for t in request.targets.all() if t.space_object_id == task.target)
        rows.append(
            SsnTask(
                run=run,
                request=request,
                sensor=sensor,
                space_object_id=target.space_object_id,
                start=_aware(task.start_s),
                end=_aware(task.end_s),
                **marking_columns(
                    Marking.combine(request.marking, sensor.marking, target.space_object.marking)
                ),
            )
        )
    with transaction.atomic():
        SsnTask.objects.bulk_create(rows, ignore_conflicts=True)
    kept = set(SsnTask.objects.filter(run=run).values_list("sensor_id", "start"))
    lost: dict[int, int] = {}
    placed: dict[int, list[SsnTask]] = {}
    for row in rows:
        if (row.sensor_id, row.start) in kept:
            placed.setdefault(row.request_id, []).append(row)
        else:
            lost[row.request_id] = lost.get(row.request_id, 0) + 1
    gaps = list(result.gaps)
    for request_id, count in lost.items():
        gaps.append((request_id, count, GapReasonChoice.CAPACITY_EXHAUSTED))
    merged: dict[tuple[int, str], int] = {}
    for request_id, count, reason in gaps:
        merged[(request_id, reason)] = merged.get((request_id, reason), 0) + count
    RetaskingGap.objects.bulk_create(
        [
            RetaskingGap(
                run=run,
                request_id=request_id,
                tracks_missing=count,
                reason=reason,
                orbit_regime=result.regimes.get(request_id, ""),
                **marking_columns(_gap_marking(result.requests[request_id], gap_marking_base)),
            )
            for (request_id, reason), count in sorted(merged.items())
        ]
    )
    for request_id, tasks in sorted(placed.items()):
        _mark_retasked(result.requests[request_id], tasks, run)
    RetaskingRun.objects.filter(pk=run.pk).update(
        outputs={
            "tasks": sum(len(t) for t in placed.values()),
            "requests_covered": len(placed),
            "gaps": len(merged),
            "lost_to_another_run": sum(lost.values()),
        }
    )


def _gap_marking(request: TaskingRequest, sensors_marking: Marking | None) -> Marking:
    """A gap names its request and (through the request) its targets, and says what the sensors
    could not do."""
    parts = [request.marking, *target_objects_marking([request])]
    if sensors_marking is not None:
        parts.append(sensors_marking)
    return Marking.combine(*parts)


def _mark_retasked(request: TaskingRequest, tasks: list[SsnTask], run: RetaskingRun) -> None:
    first = min(tasks, key=lambda t: t.start)
    text = f"{len(tasks)} SSN track(s), first by {first.sensor} at {first.start:%Y-%m-%d %H:%M:%S} UTC"
    try:
        transitions.apply(request, RequestAction.RETASK, side=Actor.SYSTEM, text=text)
    except Conflict:
        return
    marking = Marking.combine(
        request.marking, *target_objects_marking([request]), *(t.sensor.marking for t in tasks)
    )
    notify.notify(
        notify.requester_side(request),
        NotificationKind.FULFILMENT,
        request,
        f"{request.reference} retasked to the SSN: {text}",
        marking=marking,
    )


def report_task(task: SsnTask, status: str, observations: int = 0, now: dt.datetime | None = None) -> SsnTask:
    """An SSN sensor reports a task collected or failed; once all of a request's tasks are in,
    the request moves on by the rules of partner deliveries (fulfilled, partial or failed)."""
    from tasking.services.fulfilment import Tally

    now = now or timezone.now()
    if status not in {SsnTaskStatus.COLLECTED, SsnTaskStatus.FAILED}:
        raise ValueError(f"task {task.pk}: status must be collected or failed")
    updated = SsnTask.objects.filter(pk=task.pk, status=SsnTaskStatus.SCHEDULED).update(
        status=status, reported_at=now, observations=observations if status == SsnTaskStatus.COLLECTED else 0
    )
    if updated != 1:
        raise Conflict(f"Task {task.pk} was already reported.")
    task.refresh_from_db()
    request = task.request
    tasks = list(request.ssn_tasks.all())
    if any(t.status == SsnTaskStatus.SCHEDULED for t in tasks) or request.status != workflow.S.RETASKED:
        return task
    collected = [t for t in tasks if t.status == SsnTaskStatus.COLLECTED]
    tally = Tally(observations=sum(t.observations for t in collected), tracks=len(collected))
    extra = {"observations_counted": tally.observations, "tracks_counted": tally.tracks}
    try:
        if tally.meets(request):
            transitions.apply(
                request, RequestAction.RECORD_FULFILLED, side=Actor.SYSTEM, now=now, extra=extra
            )
        elif tally.observations:
            transitions.apply(request, RequestAction.RECORD_PARTIAL, side=Actor.SYSTEM, now=now, extra=extra)
        else:
            transitions.apply(
                request,
                RequestAction.SSN_FAILED,
                side=Actor.SYSTEM,
                now=now,
                reason_code=FailureReason.NO_DATA,
                text="Every SSN task of the request was reported failed.",
                extra=extra,
            )
    except Conflict:
        pass
    return task


def task_rows(run: RetaskingRun) -> list[dict[str, Any]]:
    return [
        {
            "request": t.request.reference,
            "sensor": t.sensor.number,
            "target": t.space_object.catalog_number,
            "start": t.start.isoformat(),
            "end": t.end.isoformat(),
        }
        for t in run.tasks.select_related("request", "sensor", "space_object").order_by(
            "start", "sensor__number"
        )
    ]


def gap_rows(gaps: Iterable[RetaskingGap]) -> list[dict[str, Any]]:
    return [
        {"request": g.request.reference, "tracks_missing": g.tracks_missing, "reason": g.reason} for g in gaps
    ]
