"""Associate stored observations with catalog objects (the math is in catalog.astro.association).

Candidates are every catalog object with a current element set. This is a system process: it
links records regardless of who delivered them; what a reader is shown still goes through
`visible_to` on both the observation and the object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import QuerySet
from sgp4.api import Satrec, SatrecArray

from agreements.choices import MeasurementType
from agreements.models import Sensor
from catalog.astro.association import UCT, Association, Gates, ObservationArrays, associate
from catalog.astro.propagation import MeanElements, satrec_from_elements, utc_to_jd_fr
from catalog.models import ElementSet, SpaceObject
from catalog.observations.choices import AssociationStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.answers import answered_requests
from catalog.services.earth_orientation import active_table

_FRAMES_TEME = frozenset({"TEME"})
_MAX_SGP4_NUMBER = 339_999


@dataclass
class Candidates:
    satrecs: list[Satrec]
    object_ids: np.ndarray
    numbers: dict[int, int]  # catalog number -> row
    sat_array: SatrecArray | None
    element_set_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def rows(self) -> dict[int, int]:
        """Space object id -> row."""
        cached: dict[int, int] | None = self.__dict__.get("_rows")
        if cached is None:
            cached = {int(object_id): row for row, object_id in enumerate(self.object_ids)}
            self.__dict__["_rows"] = cached
        return cached

    @classmethod
    def load(cls) -> Candidates:
        rows = ElementSet.objects.filter(
            pk__in=SpaceObject.objects.filter(current_elset__isnull=False).values("current_elset")
        ).values_list(
            "space_object_id",
            "space_object__catalog_number",
            "epoch",
            "mean_motion",
            "eccentricity",
            "inclination",
            "ra_of_asc_node",
            "arg_of_pericenter",
            "mean_anomaly",
            "bstar",
            "mean_motion_dot",
            "mean_motion_ddot",
            "id",
        )
        satrecs: list[Satrec] = []
        ids: list[int] = []
        sets: list[int] = []
        numbers: dict[int, int] = {}
        for row in rows.iterator(2000):
            object_id, number, epoch, mm, ecc, inc, raan, argp, ma, bstar, ndot, nddot, set_id = row
            # SGP4 keeps the number only as a label and cannot hold one past Alpha-5 (analyst objects).
            label = number if number <= _MAX_SGP4_NUMBER else 0
            sat = satrec_from_elements(
                MeanElements(label, epoch, mm, ecc, inc, raan, argp, ma, bstar, ndot, nddot)
            )
            if sat.error:
                continue
            numbers[number] = len(satrecs)
            satrecs.append(sat)
            ids.append(object_id)
            sets.append(set_id)
        return cls(
            satrecs,
            np.array(ids, dtype=np.int64),
            numbers,
            SatrecArray(satrecs) if satrecs else None,
            np.array(sets, dtype=np.int64),
        )


_FIELDS = (
    "id",
    "sensor_id",
    "ob_time",
    "azimuth_deg_corr",
    "elevation_deg_corr",
    "range_km_corr",
    "range_rate_km_s_corr",
    "ra_deg_corr",
    "declination_deg_corr",
    "azimuth_unc_deg",
    "ra_unc_deg",
    "range_unc_km",
    "range_rate_unc_km_s",
    "frame",
    "reported_sat_no",
    "tasking_request_id",
)


def _arrays(
    rows: list[tuple[Any, ...]],
    sensors: dict[int, Sensor],
    candidates: Candidates,
    targets: dict[int, list[int]],
) -> ObservationArrays:
    n = len(rows)
    obs = ObservationArrays.empty_like(n)
    cols: list[Any] = list(zip(*rows, strict=True)) if rows else [() for _ in _FIELDS]

    def floats(i: int) -> np.ndarray:
        return np.array([np.nan if v is None else v for v in cols[i]], dtype=np.float64)

    obs.jd, obs.fr = utc_to_jd_fr(list(cols[2]))
    site = [sensors[s] for s in cols[1]]
    obs.site_lat_deg = np.array([s.latitude_deg for s in site])
    obs.site_lon_deg = np.array([s.longitude_deg for s in site])
    obs.site_alt_km = np.array([s.altitude_km for s in site])
    obs.site_max_range_km = np.array([np.nan if s.max_range_km is None else s.max_range_km for s in site])
    obs.azimuth_deg, obs.elevation_deg = floats(3), floats(4)
    obs.range_km, obs.range_rate_km_s = floats(5), floats(6)
    obs.ra_deg, obs.declination_deg = floats(7), floats(8)
    # Each measurement's sigma: the sensor's calibrated noise when it has one, else its own.
    sensor_ids, which = np.unique(np.array(cols[1], dtype=np.int64), return_inverse=True)
    noise = [_noise(sensors[int(s)]) for s in sensor_ids]

    def calibrated(kinds: tuple[str, ...], own: np.ndarray) -> np.ndarray:
        per_sensor = np.array([next((n[k] for k in kinds if k in n), np.nan) for n in noise])
        values = per_sensor[which.reshape(-1)]
        return np.where(np.isfinite(values), values, own)

    angle_kinds = (MeasurementType.AZIMUTH_ELEVATION, MeasurementType.RA_DEC)
    obs.angle_unc_deg = calibrated(angle_kinds, np.fmax(floats(9), floats(10)))
    obs.range_unc_km = calibrated((MeasurementType.RANGE,), floats(11))
    obs.range_rate_unc_km_s = calibrated((MeasurementType.RANGE_RATE,), floats(12))
    obs.radec_teme = np.array([(f or "").upper() in _FRAMES_TEME for f in cols[13]], dtype=bool)
    # The requested target of a tasked observation is tried first, then the sensor's own
    # identification; either is kept only if it passes the gates.
    named = [candidates.numbers.get(v, -1) if v else -1 for v in cols[14]]
    tasked = [
        candidates.rows.get(targets[r][0], -1) if r is not None and targets.get(r) else -1 for r in cols[15]
    ]
    obs.preferred = np.array([t if t >= 0 else n for t, n in zip(tasked, named, strict=True)], dtype=np.int64)
    return obs


def _noise(sensor: Sensor) -> dict[str, float]:
    """The sensor's current noise sigma per measurement type (cached on the instance)."""
    cached: dict[str, float] | None = getattr(sensor, "_association_noise", None)
    if cached is None:
        cached = {
            kind: float(bias.noise_sigma)
            for kind, bias in sensor.current_biases().items()
            if bias.noise_sigma and bias.noise_sigma > 0
        }
        sensor._association_noise = cached  # type: ignore[attr-defined]
    return cached


def associate_pending(batch_id: int, *, candidates: Candidates | None = None) -> dict[str, int]:
    """Associate the batch's observations still pending; any associated meanwhile are left as they are."""
    pending = Observation.objects.filter(batch_id=batch_id, association=AssociationStatus.PENDING)
    counts = associate_observations(pending, candidates=candidates, only_pending=True)
    uncorrelated = Observation.objects.filter(batch_id=batch_id, association=AssociationStatus.UCT).count()
    IngestBatch.objects.filter(pk=batch_id).update(uct=uncorrelated)
    return counts


def associate_observations(
    observations: QuerySet[Observation],
    *,
    candidates: Candidates | None = None,
    gates: Gates | None = None,
    chunk: int = 200_000,
    only_pending: bool = False,
) -> dict[str, int]:
    """Associate the observations of `observations` (any status) and store the outcome.

    With `only_pending`, a row is written only while it is still pending (a conditional update).
    """
    counts = {"associated": 0, "uct": 0}
    if not observations.exists():
        return counts
    candidates = candidates or Candidates.load()
    sensors = {s.pk: s for s in Sensor.objects.filter(pk__in=observations.values("sensor_id").distinct())}
    rows = list(observations.order_by("ob_time").values_list(*_FIELDS))
    targets = _request_targets({row[15] for row in rows if row[15] is not None})
    # UT1 - UTC and polar motion from the freshest table, imported or packaged.
    eop = active_table().table
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        if not candidates.satrecs:
            result = None
        else:
            result = associate(
                candidates.satrecs,
                _arrays(part, sensors, candidates, targets),
                gates,
                sat_array=candidates.sat_array,
                eop=eop,
            )
        updates = _updates(part, result, candidates)
        _write(updates, only_pending=only_pending)
        for _pk, object_id, *_rest in updates:
            counts["associated" if object_id is not None else "uct"] += 1
    return counts


def _request_targets(request_ids: set[int]) -> dict[int, list[int]]:
    """Target object ids of each tasking request, as tasking answers them."""
    return answered_requests().targets(request_ids)


_Id = int | None
_Value = float | None
_Update = tuple[Any, ...]
_UPDATED = (
    "space_object_id",
    "association",
    "residual_angle_deg",
    "residual_range_km",
    "association_candidates",
    "association_score",
    "runner_up_id",
    "runner_up_score",
    "near_stale_set_id",
    "residual_azimuth_deg",
    "residual_elevation_deg",
    "residual_range_rate_km_s",
    "residual_ra_deg",
    "residual_declination_deg",
    "residual_element_set_id",
)
_NO_SIGNED: tuple[None, ...] = (None,) * 6
_UCT_REST = (None, None, 0, None, None, None)  # residuals, candidates, score, runner-up and its score


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _updates(
    rows: list[tuple[Any, ...]], result: Association | None, candidates: Candidates
) -> list[_Update]:
    out: list[_Update] = []
    ids = candidates.object_ids
    sets = candidates.element_set_ids
    for i, row in enumerate(rows):
        if result is None:
            out.append((row[0], None, AssociationStatus.UCT, *_UCT_REST, None, *_NO_SIGNED))
            continue
        stale = int(result.near_stale[i])
        near = int(ids[stale]) if stale != UCT else None
        if result.candidate[i] == UCT:
            out.append((row[0], None, AssociationStatus.UCT, *_UCT_REST, near, *_NO_SIGNED))
            continue
        other = int(result.runner_up[i])
        chosen = int(result.candidate[i])
        out.append(
            (
                row[0],
                int(ids[chosen]),
                AssociationStatus.ASSOCIATED,
                _finite(result.angle_residual_deg[i]),
                _finite(result.range_residual_km[i]),
                int(result.ambiguity[i]),
                _finite(result.score[i]),
                int(ids[other]) if other != UCT else None,
                _finite(result.runner_up_score[i]),
                None,
                _finite(result.azimuth_residual_deg[i]),
                _finite(result.elevation_residual_deg[i]),
                _finite(result.range_rate_residual_km_s[i]),
                _finite(result.ra_residual_deg[i]),
                _finite(result.dec_residual_deg[i]),
                int(sets[chosen]) if sets.size else None,
            )
        )
    return out


def _write(updates: list[_Update], *, only_pending: bool = False) -> None:
    if not updates:
        return
    table = Observation._meta.db_table
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS obs_assoc_v3 (id bigint, space_object_id bigint, "
                    "association varchar(10), residual_angle_deg double precision, "
                    "residual_range_km double precision, association_candidates integer, "
                    "association_score double precision, runner_up_id bigint, "
                    "runner_up_score double precision, near_stale_set_id bigint, "
                    "residual_azimuth_deg double precision, residual_elevation_deg double precision, "
                    "residual_range_rate_km_s double precision, residual_ra_deg double precision, "
                    "residual_declination_deg double precision, residual_element_set_id bigint"
                    ") ON COMMIT DELETE ROWS"
                )
                with cursor.cursor.copy("COPY obs_assoc_v3 FROM STDIN") as copy:
                    for row in updates:
                        copy.write_row(row)
                assignments = ", ".join(f"{name} = a.{name}" for name in _UPDATED)
                cursor.execute(
                    f"UPDATE {table} AS o SET {assignments} "  # noqa: S608
                    "FROM obs_assoc_v3 AS a WHERE o.id = a.id"
                    + (" AND o.association = %s" if only_pending else ""),
                    [AssociationStatus.PENDING] if only_pending else None,
                )
        else:
            # One prepared UPDATE per row: `bulk_update` builds a CASE per column per row and
            # spends minutes of Python on a few thousand rows; executemany costs milliseconds.
            assignments = ", ".join(f"{name} = %s" for name in _UPDATED)
            sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
            if only_pending:
                sql += " AND association = %s"
            with connection.cursor() as cursor:
                cursor.executemany(
                    sql,
                    [
                        (*row[1:], row[0], *((AssociationStatus.PENDING,) if only_pending else ()))
                        for row in updates
                    ],
                )
