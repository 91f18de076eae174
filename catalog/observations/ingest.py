"""Observation ingest: archive the payload, read it in chunks, check, correct, store once.

`receive` saves the raw payload and the batch row before anything is parsed; `ingest` then
streams the records, rejects bad ones with their index and field, keeps the good ones, and
stores each measurement once whatever the number of deliveries (a content hash and the
client's own ids are unique keys; conflicts are skipped, not errors). A payload that cannot be
read at all (a `FormatError`, possibly mid-stream) stores nothing from that batch.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.utils import timezone

from agreements.models import Sensor
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import FORMATS, detect_format, read_observations
from catalog.formats.observations_common import ObservationRecord
from catalog.models.observations import BatchStatus, IngestBatch, Observation
from catalog.observations.validation import (
    DeliveryContext,
    DeliveryRefused,
    check_record,
    check_tasking_request,
    content_hash,
    corrected_values,
    field_name,
    fit_mask,
    parse_requested_marking,
)
from portal import audit
from portal.models.audit import AuditAction

CHUNK = 5000
MAX_STORED_ERRORS = 1000

COLUMNS: tuple[str, ...] = (
    "sensor_id",
    "batch_id",
    "ob_time",
    "client_id",
    "content_hash",
    "data_mode",
    "track_id",
    "reported_sat_no",
    "reported_object",
    "range_km",
    "range_unc_km",
    "azimuth_deg",
    "azimuth_unc_deg",
    "elevation_deg",
    "elevation_unc_deg",
    "range_rate_km_s",
    "range_rate_unc_km_s",
    "ra_deg",
    "ra_unc_deg",
    "declination_deg",
    "declination_unc_deg",
    "frame",
    "magnitude",
    "rcs_m2",
    "snr_db",
    "range_km_corr",
    "azimuth_deg_corr",
    "elevation_deg_corr",
    "range_rate_km_s_corr",
    "ra_deg_corr",
    "declination_deg_corr",
    "association",
    "tier_at_ingest",
    "missions_mask",
    "tasking_request_id",
    "classification_level",
    "noforn",
    "rel_mask",
    "ingested",
)
_RAW = (
    "range_km",
    "range_unc_km",
    "azimuth_deg",
    "azimuth_unc_deg",
    "elevation_deg",
    "elevation_unc_deg",
    "range_rate_km_s",
    "range_rate_unc_km_s",
    "ra_deg",
    "ra_unc_deg",
    "declination_deg",
    "declination_unc_deg",
)


@dataclass
class IngestResult:
    batch: IngestBatch
    accepted: list[int] = field(default_factory=list)  # record numbers stored now
    duplicates: list[int] = field(default_factory=list)  # record numbers already stored
    errors: list[dict[str, Any]] = field(default_factory=list)
    observation_ids: list[int] = field(default_factory=list)

    def as_dict(self, *, list_records: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {
            "batch": self.batch.pk,
            "status": self.batch.status,
            "format": self.batch.data_format,
            "accepted": self.batch.accepted,
            "rejected": self.batch.rejected,
            "duplicates": self.batch.duplicates,
            "errors": self.errors,
        }
        if self.batch.message:
            body["message"] = self.batch.message
        if list_records:
            body["accepted_records"] = self.accepted
            body["duplicate_records"] = self.duplicates
        return body


def receive(
    user: Any,
    data: bytes | BinaryIO,
    *,
    filename: str = "",
    channel: str = "api",
    sensor_number: int | None = None,
    marking: str = "",
    fmt: str | None = None,
    tasking_request: int | None = None,
) -> IngestBatch:
    """Archive the raw payload (bytes or a binary file, streamed) and open its batch, before any parsing."""
    if isinstance(data, bytes | bytearray):
        content: File[Any] = ContentFile(bytes(data))
        digest, size = hashlib.sha256(data).hexdigest(), len(data)
    else:
        hasher = hashlib.sha256()
        size = 0
        while block := data.read(1 << 20):
            hasher.update(block)
            size += len(block)
        data.seek(0)
        content, digest = File(data), hasher.hexdigest()
    spoc = getattr(user, "spoc", None)
    batch = IngestBatch(
        delivered_by=user if getattr(user, "is_authenticated", False) else None,
        delivered_by_name=user.get_username() if getattr(user, "is_authenticated", False) else "system",
        spoc=spoc,
        channel=channel,
        data_format=fmt or "",
        filename=filename[:255],
        payload_sha256=digest,
        payload_bytes=size,
        sensor_number=sensor_number,
        requested_marking=marking,
        tasking_request_id=tasking_request,
    )
    name = f"{digest[:16]}-{(filename or 'payload').rsplit('/', 1)[-1][:80]}"
    batch.payload.save(name, content, save=False)
    batch.save()
    return batch


def _fail(batch: IngestBatch, status: str, message: str) -> IngestResult:
    batch.status = status
    batch.message = message
    batch.accepted = batch.duplicates = 0
    batch.finished = timezone.now()
    batch.save()
    return IngestResult(batch)


def ingest(batch: IngestBatch, *, associate: bool = True, chunk: int = CHUNK) -> IngestResult:
    """Read, check and store the batch's payload; optionally associate what was stored."""
    user = batch.delivered_by
    try:
        requested = parse_requested_marking(batch.requested_marking)
        check_tasking_request(batch.tasking_request_id, user)
    except DeliveryRefused as exc:
        return _fail(batch, BatchStatus.REJECTED, str(exc))
    with batch.payload.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="replace")
    try:
        fmt = batch.data_format or detect_format(head, batch.filename or None)
    except FormatError as exc:
        return _fail(batch, BatchStatus.FAILED, str(exc))
    if fmt not in FORMATS:
        return _fail(batch, BatchStatus.FAILED, f"unknown format {fmt!r}")
    batch.data_format = fmt
    result = IngestResult(batch)
    now = timezone.now()
    contexts: dict[str, DeliveryContext | str] = {}
    error_count = 0

    def context_of(ref: str | None) -> DeliveryContext | str:
        key = ref or (str(batch.sensor_number) if batch.sensor_number else "")
        if key in contexts:
            return contexts[key]
        found: DeliveryContext | str
        if not key:
            found = "no sensor named (give the sensor in the file or with the request)"
        else:
            sensor = _sensor(key, user)
            if sensor is None:
                found = f"unknown sensor {key!r}"
            else:
                try:
                    found = DeliveryContext.for_sensor(sensor, user, fmt, now, requested)
                except DeliveryRefused as exc:
                    found = str(exc)
        contexts[key] = found
        return found

    def reject(problem: RecordError) -> None:
        nonlocal error_count
        error_count += 1
        if len(result.errors) < MAX_STORED_ERRORS:
            result.errors.append(
                {
                    "record": problem.record,
                    "line": problem.line,
                    "field": problem.field,
                    "message": problem.message,
                }
            )

    try:
        with transaction.atomic(), batch.payload.open("rb") as handle:
            rows: list[tuple[Any, ...]] = []
            indices: list[int] = []
            for item in read_observations(handle, fmt, filename=batch.filename or None):
                if isinstance(item, RecordError):
                    reject(item)
                    continue
                context = context_of(item.sensor_ref)
                if isinstance(context, str):
                    reject(RecordError(item.index, item.line, field_name("sensor_ref", fmt), context))
                    continue
                problem = check_record(item, context, now, fmt)
                if problem is not None:
                    reject(problem)
                    continue
                rows.append(_row(item, context, batch.pk, now, batch.tasking_request_id))
                indices.append(item.index)
                if len(rows) >= chunk:
                    _store(rows, indices, result)
                    rows, indices = [], []
            if rows:
                _store(rows, indices, result)
    except FormatError as exc:
        result = _fail(batch, BatchStatus.FAILED, f"unreadable payload, nothing stored: {exc}")
        result.errors = []
        return result
    batch.accepted = len(result.accepted)
    batch.duplicates = len(result.duplicates)
    batch.rejected = error_count
    batch.error_count = error_count
    batch.errors = result.errors
    if batch.accepted + batch.duplicates == 0:
        batch.status = BatchStatus.REJECTED
        if error_count == 0:
            batch.message = "the payload holds no observation"
    elif error_count:
        batch.status = BatchStatus.PARTIAL
    else:
        batch.status = BatchStatus.ACCEPTED
    batch.finished = timezone.now()
    batch.save()
    if batch.accepted:
        audit.record_bulk(AuditAction.CREATE, Observation, batch.accepted, {"batch": batch.pk, "format": fmt})
    if associate and result.observation_ids:
        from catalog.observations.association import associate_observations

        associate_observations(Observation.objects.filter(batch=batch))
    return result


def _sensor(ref: str, user: Any) -> Sensor | None:
    """The sensor a record names, by number; one the user may not see is unknown."""
    text = ref.strip()
    if not text.isdigit():
        return None
    sensors = Sensor.objects.all() if user is None else Sensor.objects.visible_to(user)
    return sensors.select_related("spoc").filter(number=int(text)).first()


def _row(
    record: ObservationRecord,
    context: DeliveryContext,
    batch_id: int,
    now: dt.datetime,
    tasking_request_id: int | None = None,
) -> tuple[Any, ...]:
    corrected = corrected_values(record, context.biases)
    return (
        context.sensor.pk,
        batch_id,
        record.ob_time,
        (record.client_id or "")[:100],
        content_hash(context.sensor.pk, record),
        record.data_mode or "REAL",
        (record.track_id or "")[:100],
        record.sat_no,
        (record.object_ref or "")[:100],
        *(getattr(record, name) for name in _RAW),
        (record.frame or "")[:10],
        record.magnitude,
        record.rcs_m2,
        record.snr_db,
        corrected["range_km"],
        corrected["azimuth_deg"],
        corrected["elevation_deg"],
        corrected["range_rate_km_s"],
        corrected["ra_deg"],
        corrected["declination_deg"],
        "pending",
        context.tier,
        fit_mask(context, record.data_mode),
        tasking_request_id,
        *context.marking_columns,
        now,
    )


_HASH = COLUMNS.index("content_hash")
_SENSOR = COLUMNS.index("sensor_id")
_CLIENT = COLUMNS.index("client_id")


def _store(rows: list[tuple[Any, ...]], indices: list[int], result: IngestResult) -> None:
    """Insert rows not yet stored; sort record numbers into accepted and duplicates."""
    seen_hash: set[str] = set()
    seen_client: set[tuple[int, str]] = set()
    fresh: list[tuple[Any, ...]] = []
    fresh_idx: list[int] = []
    for row, index in zip(rows, indices, strict=True):
        client = (row[_SENSOR], row[_CLIENT])
        if row[_HASH] in seen_hash or (row[_CLIENT] and client in seen_client):
            result.duplicates.append(index)
            continue
        seen_hash.add(row[_HASH])
        if row[_CLIENT]:
            seen_client.add(client)
        fresh.append(row)
        fresh_idx.append(index)
    if not fresh:
        return
    inserted = _insert_postgresql(fresh) if connection.vendor == "postgresql" else _insert_generic(fresh)
    for row, index in zip(fresh, fresh_idx, strict=True):
        pk = inserted.get(row[_HASH])
        if pk is None:
            result.duplicates.append(index)
        else:
            result.accepted.append(index)
            result.observation_ids.append(pk)


def _insert_postgresql(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """COPY into a temporary table, then one INSERT that skips whatever is already stored."""
    table = Observation._meta.db_table
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS obs_staging ON COMMIT DELETE ROWS "  # noqa: S608
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute("TRUNCATE obs_staging")
        raw = cursor.cursor
        with raw.copy(f"COPY obs_staging ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM obs_staging "  # noqa: S608
            "ORDER BY content_hash "
            "ON CONFLICT DO NOTHING RETURNING content_hash, id"
        )
        return dict(cursor.fetchall())


def _insert_generic(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    hashes = [row[_HASH] for row in rows]
    existing = set(Observation.objects.filter(content_hash__in=hashes).values_list("content_hash", flat=True))
    keyed = [(row[_SENSOR], row[_CLIENT]) for row in rows if row[_CLIENT]]
    taken: set[tuple[int, str]] = set()
    if keyed:
        for sensor_id in {sensor for sensor, _ in keyed}:
            clients = [client for sensor, client in keyed if sensor == sensor_id]
            stored = Observation.objects.filter(sensor_id=sensor_id, client_id__in=clients)
            taken |= {(sensor_id, client) for client in stored.values_list("client_id", flat=True)}
    objects = [
        Observation(**dict(zip(COLUMNS, row, strict=True)))
        for row in rows
        if row[_HASH] not in existing and (not row[_CLIENT] or (row[_SENSOR], row[_CLIENT]) not in taken)
    ]
    Observation.objects.bulk_create(objects, ignore_conflicts=True, batch_size=500)
    made = Observation.objects.filter(content_hash__in=[o.content_hash for o in objects])
    return dict(made.values_list("content_hash", "id"))


def ingest_bytes(user: Any, data: bytes | BinaryIO, **options: Any) -> IngestResult:
    """`receive` then `ingest`, for callers holding the payload."""
    associate = options.pop("associate", True)
    return ingest(receive(user, data, **options), associate=associate)
