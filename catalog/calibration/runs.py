"""Calibration runs: load a sensor's observations of calibration satellites over a period,
predict them from truth, fit biases and a time bias, judge them against each tier.

Observations are read in chunks (keyset pagination, values only, never model instances) and
turned into residual rows chunk by chunk; the rows go to the streaming fit, which keeps only
per-type sums and a fixed-size sample in memory and the rows themselves in a temporary file
for its iterations, so a run's memory does not grow with the number of observations.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from agreements.choices import RADAR_TYPES, EvaluationStatus, MeasurementType
from agreements.models import Sensor, SensorBias, TierDefinition, TierEvaluation
from catalog.astro import predict
from catalog.astro.calibrate import residual_rows
from catalog.astro.calibration_fit import TYPES, FitResult, StreamingFit
from catalog.astro.frames import GroundSite
from catalog.astro.orientation import earth_orientation
from catalog.calibration.truth import states_of
from catalog.models import CalibrationRun, CalibrationStatus, CalibrationTruth, TruthKind
from catalog.observations.models import Observation
from catalog.services.earth_orientation import active_table
from portal.markings.marking import Marking

CHUNK = 50_000
SAMPLE_LIMIT = 3000
COLUMNS = {
    "range": "range_km",
    "azimuth": "azimuth_deg",
    "elevation": "elevation_deg",
    "range_rate": "range_rate_km_s",
    "ra": "ra_deg",
    "dec": "declination_deg",
}
# Tier criteria are per agreed measurement type; the fit's types map onto them.
CRITERIA_TYPES = {
    MeasurementType.RANGE: ("range",),
    MeasurementType.AZIMUTH_ELEVATION: ("azimuth", "elevation"),
    MeasurementType.RA_DEC: ("ra", "dec"),
    MeasurementType.RANGE_RATE: ("range_rate",),
}


class CalibrationRefused(ValueError):
    """A run that cannot be made (unknown sensor, bad period, nothing to calibrate with)."""


def request_run(
    sensor: Sensor, start: dt.datetime, end: dt.datetime, reject_sigma: float = 3.0
) -> CalibrationRun:
    """The run of (sensor, period): created queued, or the existing one (a failed one is queued
    again). Idempotent: asking twice gives one run."""
    if end <= start:
        raise CalibrationRefused("end: the period must end after it starts")
    if sensor.sensor_type not in RADAR_TYPES and sensor.sensor_type != "optical_telescope":
        raise CalibrationRefused(
            f"sensor {sensor.number}: a {sensor.get_sensor_type_display()} is not calibrated here"
        )
    with transaction.atomic():
        run, created = CalibrationRun.objects.get_or_create(
            sensor=sensor,
            start=start,
            end=end,
            defaults={"reject_sigma": reject_sigma, "marking": sensor.marking},
        )
        if not created and run.status == CalibrationStatus.FAILED:
            CalibrationRun.objects.filter(pk=run.pk, status=CalibrationStatus.FAILED).update(
                status=CalibrationStatus.QUEUED, error="", stage=""
            )
            run.refresh_from_db()
    return run


def evaluation_runs(now: dt.datetime | None = None) -> list[CalibrationRun]:
    """The scheduled runs of sensors in evaluation: for each, the last whole UTC day, created
    queued once (a period already run, failed or not, is left alone; the page re-queues one).
    Returns the runs created, for the caller to queue."""
    now = now or timezone.now()
    end = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=1)
    created: list[CalibrationRun] = []
    evaluations = TierEvaluation.objects.filter(
        status=EvaluationStatus.IN_EVALUATION, started_on__lte=start.date()
    ).select_related("sensor")
    for evaluation in evaluations:
        sensor = evaluation.sensor
        if CalibrationRun.objects.filter(sensor=sensor, start=start, end=end).exists():
            continue
        try:
            created.append(request_run(sensor, start, end))
        except CalibrationRefused:
            continue
    return created


def _progress(run: CalibrationRun, **fields: Any) -> None:
    CalibrationRun.objects.filter(pk=run.pk).update(**fields)


def _truths_for(run: CalibrationRun) -> dict[int, list[CalibrationTruth]]:
    """Truths overlapping the period per object: ephemerides first (precise), then element sets."""
    truths = CalibrationTruth.objects.filter(
        space_object__calibration_satellite=True, start__lte=run.end, stop__gte=run.start
    ).select_related("space_object", "element_set")
    out: dict[int, list[CalibrationTruth]] = defaultdict(list)
    for truth in sorted(truths, key=lambda t: (t.kind != TruthKind.EPHEMERIS, -t.imported_at.timestamp())):
        out[truth.space_object_id].append(truth)
    return out


def _as_us(values: Sequence[dt.datetime]) -> np.ndarray:
    return np.array([v.astimezone(dt.UTC).replace(tzinfo=None) for v in values], dtype="datetime64[us]")


def execute(run_id: int, *, take_over: bool = False) -> CalibrationRun:
    """Run a queued calibration once (a second delivery finds it no longer queued). With
    `take_over`, also one left running by a worker that died."""
    startable = [CalibrationStatus.QUEUED, *([CalibrationStatus.RUNNING] if take_over else [])]
    started = CalibrationRun.objects.filter(pk=run_id, status__in=startable).update(
        status=CalibrationStatus.RUNNING, stage="loading observations", observations_loaded=0
    )
    run = CalibrationRun.objects.select_related("sensor").get(pk=run_id)
    if started != 1:
        return run
    try:
        _compute(run)
    except Exception as exc:
        CalibrationRun.objects.filter(pk=run.pk).update(
            status=CalibrationStatus.FAILED, error=f"{type(exc).__name__}: {exc}", finished=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def _compute(run: CalibrationRun) -> None:
    sensor = run.sensor
    kind = "radar" if sensor.sensor_type in RADAR_TYPES else "optical"
    site = GroundSite(sensor.latitude_deg, sensor.longitude_deg, sensor.altitude_km)
    statement = predict.Statement(sensor.refraction_corrected, sensor.star_referenced)
    eop = active_table()
    truths = _truths_for(run)
    if not truths:
        raise CalibrationRefused("no calibration satellite has a truth covering the period")
    wanted = RADAR_MEASURED if kind == "radar" else OPTICAL_MEASURED
    observations = Observation.objects.filter(
        sensor=sensor, ob_time__gte=run.start, ob_time__lte=run.end, space_object_id__in=list(truths)
    )
    columns = ["pk", "ob_time", "space_object_id", "track_id", *(COLUMNS[name] for name in wanted)]
    acc = _Accumulator(StreamingFit(reject_sigma=run.reject_sigma))
    try:
        last_pk = 0
        while True:
            chunk = list(observations.filter(pk__gt=last_pk).order_by("pk").values_list(*columns)[:CHUNK])
            if not chunk:
                break
            last_pk = chunk[-1][0]
            acc.loaded += len(chunk)
            # Columns of the chunk as arrays (None -> NaN), then one vectorised call per object.
            _pks, times, objects, tracks, *measured = zip(*chunk, strict=True)
            labels = _as_us(times)
            object_ids = np.array(objects, dtype=np.int64)
            values = {
                name: np.array(column, dtype=float) for name, column in zip(wanted, measured, strict=True)
            }
            track_names = _track_names(tracks, labels)
            for object_id in np.unique(object_ids):
                mine = object_ids == object_id
                acc.add(
                    kind,
                    int(object_id),
                    labels[mine],
                    {name: x[mine] for name, x in values.items()},
                    track_names[mine],
                    truths[int(object_id)],
                    site,
                    eop,
                    statement,
                )
            _progress(run, observations_loaded=acc.loaded, stage="predicting from truth")
        if not acc.rows:
            raise CalibrationRefused("no observations of a calibration satellite inside its truth's span")
    except BaseException:
        acc.fit.close()
        raise
    _progress(run, stage="fitting")
    result = acc.fit.result()
    _store(run, result, acc, eop)


RADAR_MEASURED = ("range", "azimuth", "elevation", "range_rate")
OPTICAL_MEASURED = ("azimuth", "elevation", "ra", "dec")


class _Accumulator:
    """What a run keeps while reading: the streaming fit, and per type the tracks seen."""

    def __init__(self, fit: StreamingFit) -> None:
        self.fit = fit
        self.rows = 0
        self.truths: dict[int, CalibrationTruth] = {}
        self.tracks: dict[str, set[tuple[int, str]]] = defaultdict(set)
        self.targets: set[int] = set()
        self.loaded = 0

    def add(self, kind, object_id, times, values, track_names, truths, site, eop, statement) -> None:
        covered = np.zeros(times.size, dtype=bool)
        for truth in truths:
            span = (times >= _us(truth.start)) & (times <= _us(truth.stop))
            take = ~covered & span
            if not take.any():
                continue
            chosen = times[take]
            eo = earth_orientation(chosen, eop.table)
            r, v = states_of(truth).teme(chosen, eo)
            part, _predicted = residual_rows(
                kind,
                {k: x[take] for k, x in values.items()},
                r,
                v,
                site,
                eo,
                statement,
                key=chosen.astype(np.int64),
            )
            self.fit.add(part)
            self.rows += len(part)
            covered |= take
            self.truths[truth.pk] = truth
            self.targets.add(truth.space_object.catalog_number)
        for name, x in values.items():
            for track in set(track_names[covered & np.isfinite(x)]):
                self.tracks[name].add((object_id, track))


def _track_names(tracks: Sequence[str | None], labels: np.ndarray) -> np.ndarray:
    """Each observation's track: its track id, or else the UTC hour it falls in (YYYYMMDDHH),
    formatted once per distinct hour rather than once per observation."""
    names = np.array(tracks, dtype=object)
    missing = np.array([not track for track in tracks], dtype=bool)
    if missing.any():
        hours, which = np.unique(labels[missing].astype("datetime64[h]"), return_inverse=True)
        formatted = np.array(
            [np.datetime_as_string(h, unit="h").replace("-", "").replace("T", "") for h in hours],
            dtype=object,
        )
        names[missing] = formatted[which]
    return names


def _us(value: dt.datetime) -> np.datetime64:
    return np.datetime64(value.astimezone(dt.UTC).replace(tzinfo=None), "us")


def verdict_for(result: FitResult) -> tuple[dict[str, Any], list[int]]:
    """Per tier with calibration criteria: passed, and each failed criterion with why."""
    verdict: dict[str, Any] = {}
    qualifies: list[int] = []
    for tier in TierDefinition.objects.all():
        criteria = tier.calibration_criteria or {}
        if not criteria:
            continue
        reasons: list[str] = []
        checked = 0
        for measurement, limits in criteria.items():
            for name in CRITERIA_TYPES.get(measurement, ()):
                t = result.types.get(name)
                if t is None:
                    continue
                checked += 1
                if t.bias is None:
                    reasons.append(f"{name}: bias not observable")
                elif abs(t.bias) > limits["max_bias"]:
                    reasons.append(f"{name}: |bias| {abs(t.bias):.3g} > {limits['max_bias']:g}")
                if t.noise is None:
                    reasons.append(f"{name}: noise not estimated")
                elif t.noise > limits["max_noise"]:
                    reasons.append(f"{name}: noise {t.noise:.3g} > {limits['max_noise']:g}")
        if checked == 0:
            reasons.append("no measured type has criteria at this level")
        passed = not reasons
        verdict[str(tier.level)] = {"passed": passed, "reasons": reasons}
        if passed:
            qualifies.append(tier.level)
    return verdict, sorted(qualifies)


def _samples(result: FitResult) -> dict[str, Any]:
    """Up to SAMPLE_LIMIT rows per type for the charts, in time order: time, elevation, before,
    after (sky), drawn from the fit's fixed-size sample (evenly spread over the period)."""
    rows = result.sample
    post = result.post_fit(rows)
    outliers = result.outliers(rows)
    out: dict[str, Any] = {}
    for index, name in enumerate(TYPES):
        sel = np.flatnonzero(rows.type_index == index)
        if sel.size == 0:
            continue
        sel = sel[np.argsort(rows.key[sel], kind="stable")]
        step = max(1, sel.size // SAMPLE_LIMIT)
        pick = sel[::step][:SAMPLE_LIMIT]
        out[name] = {
            "t": [round(float(x) / 1e6, 3) for x in rows.key[pick]],
            "el": [round(float(x), 3) for x in rows.elevation[pick]],
            "before": [float(x) for x in rows.residual[pick] * rows.scale[pick]],
            "after": [float(x) for x in post[pick] * rows.scale[pick]],
            "outlier": [bool(x) for x in outliers[pick]],
        }
    return out


def _store(run: CalibrationRun, result: FitResult, acc: _Accumulator, eop: Any) -> None:
    verdict, qualifies = verdict_for(result)
    truths = list(acc.truths.values())
    observation_marking = Observation.objects.filter(
        sensor=run.sensor,
        ob_time__gte=run.start,
        ob_time__lte=run.end,
        space_object_id__in=[t.space_object_id for t in truths],
    ).combined_marking()
    markings = [run.sensor.marking, *(t.marking for t in truths)]
    if observation_marking is not None:
        markings.append(observation_marking)
    marking = Marking.combine(*markings)
    ages = [(run.end - t.imported_at).total_seconds() / 86400.0 for t in truths]
    summary = result.as_dict()
    run.marking = marking
    CalibrationRun.objects.filter(pk=run.pk).update(
        status=CalibrationStatus.DONE,
        stage="done",
        iterations=result.iterations,
        observations_loaded=acc.loaded,
        observation_count=acc.loaded,
        reference_targets=sorted(acc.targets),
        track_counts={name: len(ids) for name, ids in acc.tracks.items()},
        results=summary["types"],
        time_bias_s=result.time_bias_s,
        time_bias_sigma_s=result.time_bias_sigma_s,
        not_observable=result.not_observable,
        correlations=result.correlations,
        outlier_count=result.outlier_count,
        truth_kinds=sorted({t.kind for t in truths}),
        truth_age_days=max(ages) if ages else None,
        eop_table=eop.name,
        eop_last_measured_day=eop.last_measured_day,
        verdict=verdict,
        qualifies_for=qualifies,
        samples=_samples(result),
        finished=timezone.now(),
        classification_level=run.classification_level,
        noforn=run.noforn,
        rel_mask=run.rel_mask,
    )


def accept(run: CalibrationRun, user: Any) -> None:
    """An agreement admin accepts a finished run: it becomes the sensor's current corrections.

    Per measurement type the run estimated (every value of the type has a bias), a bias row is
    written with the run's marking: the bias of each value (azimuth and elevation apart), and as
    noise the larger of their post-fit noises (on the sky). Ingest subtracts these biases from
    the sensor's later observations, and association weighs their residuals by that noise.
    Accepting twice writes the rows once."""
    if run.status != CalibrationStatus.DONE:
        raise CalibrationRefused("only a finished run can be accepted")
    with transaction.atomic():
        CalibrationRun.objects.filter(pk=run.pk, status=CalibrationStatus.DONE).update(
            accepted=True, accepted_at=timezone.now(), accepted_by=user
        )
        run.refresh_from_db()
        for kind, bias in correction_rows(run).items():
            SensorBias.objects.get_or_create(
                sensor=run.sensor, measurement_type=kind, source=run_source(run), defaults=bias
            )


def run_source(run: CalibrationRun) -> str:
    """The ``source`` of the bias rows an accepted run writes."""
    return f"calibration run {run.pk} ({run.start:%Y-%m-%d %H:%M} to {run.end:%Y-%m-%d %H:%M} UTC)"


def correction_rows(run: CalibrationRun) -> dict[str, dict[str, Any]]:
    """The bias row values per measurement type of a finished run (types it could not estimate,
    or the sensor does not measure, are left out)."""
    measured = set(run.sensor.measurement_types or [])
    out: dict[str, dict[str, Any]] = {}
    for kind, names in CRITERIA_TYPES.items():
        values = [run.results.get(name) or {} for name in names]
        if kind not in measured or any(v.get("bias") is None for v in values):
            continue
        noises = [float(v["noise"]) for v in values if v.get("noise") is not None]
        out[kind] = {
            "bias": float(values[0]["bias"]),
            "component_biases": {COLUMNS[n]: float(v["bias"]) for n, v in zip(names, values, strict=True)},
            "noise_sigma": max(noises) if noises else 0.0,
            "effective_date": timezone.now().date(),
            "entered_by": run.accepted_by,
            "classification_level": run.classification_level,
            "noforn": run.noforn,
            "rel_mask": run.rel_mask,
        }
    return out


def current_corrections(sensor: Sensor) -> CalibrationRun | None:
    """The sensor's latest accepted run: its biases are the corrections of later observations."""
    return (
        CalibrationRun.objects.filter(sensor=sensor, accepted=True, status=CalibrationStatus.DONE)
        .order_by("-end", "-accepted_at")
        .first()
    )


def report(run: CalibrationRun) -> dict[str, Any]:
    """The run as `run_calibration --json` gives it."""
    return {
        "run": run.pk,
        "sensor": run.sensor.number,
        "start": run.start.isoformat(),
        "end": run.end.isoformat(),
        "status": run.status,
        "error": run.error or None,
        "types": {
            name: {
                key: values.get(key)
                for key in ("bias", "bias_sigma", "noise", "used", "rejected", "rms_before", "rms_after")
            }
            for name, values in run.results.items()
        },
        "time_bias_s": run.time_bias_s,
        "time_bias_sigma_s": run.time_bias_sigma_s,
        "not_observable": run.not_observable,
        "verdict": run.qualifies_for,
        "tiers": run.verdict,
        "observations": run.observation_count,
        "reference_targets": run.reference_targets,
        "tracks": run.track_counts,
        "outliers": run.outlier_count,
        "truth": run.truth_kinds,
        "truth_age_days": run.truth_age_days,
        "earth_orientation": {"table": run.eop_table, "last_measured_day": run.eop_last_measured_day},
        "marking": run.marking.banner,
    }
