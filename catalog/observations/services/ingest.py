"""Observation ingest: archive the payload, read it in chunks, check, correct, store once.

`receive` saves the raw payload and the batch row before anything is parsed; `ingest` then
streams the records, rejects bad ones with their index and field, keeps the good ones, and
stores each measurement once whatever the number of deliveries (a content hash and the
client's own ids are unique keys; conflicts are skipped, not errors). A payload that cannot be
read at all (a `FormatError`, possibly mid-stream) stores nothing from that batch.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import hashlib
import itertools
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.files.base import ContentFile, File
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from agreements.models import Sensor
from catalog.formats.errors import FormatError, RecordError
from catalog.formats.observations import FORMATS, detect_format, read_observations
from catalog.formats.observations_common import ObservationRecord
from catalog.observations.choices import BatchStatus, DataMode
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.services.validation import (
    CORRECTED,
    DeliveryContext,
    DeliveryRefused,
    FormatRefused,
    RecordColumns,
    check_columns,
    check_tasking_request,
    content_hashes,
    corrected_columns,
    field_name,
    fit_mask,
    parse_requested_marking,
)
from catalog.observations.task_names import ASSOCIATE_TASK
from portal import audit
from portal.bulk import copy_new_rows, insert_rows
from portal.markings.marking import Level, Marking
from portal.markings.nations import NATION_BITS
from portal.models.audit import AuditAction
from portal.task_runs import enqueue_named

CHUNK = 20_000
# How a batch whose ingest was cut short says so; it is read again from the archive.
INTERRUPTED = "ingest interrupted, nothing stored; it is retried from the archived payload"
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
        if self.observation_ids:
            # Association runs after the answer (on a worker, or found again by the sweep).
            body["association"] = (
                "pending"
                if Observation.objects.filter(pk__in=self.observation_ids[:1], association="pending").exists()
                else "done"
            )
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
    batch.marking = arrival_marking(user)
    name = f"{digest[:16]}-{(filename or 'payload').rsplit('/', 1)[-1][:80]}"
    batch.payload.save(name, content, save=False)
    batch.save()
    return batch


def arrival_marking(user: Any) -> Marking:
    """A batch's marking before its payload is read: the most its deliverer may read, shared
    only between the US and the deliverer's nation. Without a known deliverer, the strictest."""
    clearance = getattr(user, "clearance", None)
    nationality = getattr(user, "nationality", None)
    if not getattr(user, "is_authenticated", False) or clearance is None or nationality not in NATION_BITS:
        return Marking(Level.TOP_SECRET, noforn=True)
    return Marking(Level(clearance), rel_to=frozenset({"USA", nationality}))


class Ingest:
    """One reading of a batch's archived payload, in named steps; `run` always ends the batch.

    check the delivery's parameters -> detect the format -> read the records chunk by chunk,
    check them and store the good ones (one transaction, the batch row locked so that the
    sweep can tell a live ingest from an orphan) -> finish the batch -> queue its association.
    A payload that cannot be read ends `failed`; a database that goes away mid-way ends it
    `failed` and retryable (or, if the database cannot even record that, the sweep does).
    """

    def __init__(self, batch: IngestBatch, *, chunk: int = CHUNK) -> None:
        self.batch = batch
        self.chunk = chunk
        self.user = batch.delivered_by
        self.result = IngestResult(batch)
        self.now = timezone.now()
        self.fmt = ""
        self.requested: Marking | None = None
        self.contexts: dict[str, DeliveryContext | str] = {}
        self.format_refusals: list[str] = []
        self.default_sensor = str(batch.sensor_number) if batch.sensor_number else ""
        self.error_count = 0
        self.writer: _Writer | None = None

    def run(self, *, associate: bool = True) -> IngestResult:
        batch = self.batch
        IngestBatch.objects.filter(pk=batch.pk).update(attempts=F("attempts") + 1)
        batch.attempts += 1
        try:
            self.check_parameters()
            self.detect_format()
        except DeliveryRefused as exc:
            return self.end(BatchStatus.REJECTED, str(exc))
        except FormatError as exc:
            return self.end(BatchStatus.FAILED, str(exc))
        try:
            self.store_records()
        except FormatError as exc:
            return self.end(BatchStatus.FAILED, f"unreadable payload, nothing stored: {exc}")
        except DatabaseError as exc:
            self.end_interrupted(exc)
            raise
        self.finish()
        if associate and self.result.observation_ids:
            enqueue_named(ASSOCIATE_TASK, batch.pk)
        return self.result

    def check_parameters(self) -> None:
        self.requested = parse_requested_marking(self.batch.requested_marking)
        check_tasking_request(self.batch.tasking_request_id, self.user)

    def detect_format(self) -> None:
        batch = self.batch
        with batch.payload.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
        fmt = batch.data_format or detect_format(head, batch.filename or None)
        if fmt not in FORMATS:
            raise FormatError(f"unknown format {fmt!r}")
        self.fmt = batch.data_format = fmt

    def store_records(self) -> None:
        """Read the payload in chunks and store each chunk's good records, all in one transaction."""
        self.writer = _Writer(self.result)
        with transaction.atomic(), self.batch.payload.open("rb") as handle:
            try:
                list(IngestBatch.objects.select_for_update().filter(pk=self.batch.pk).values_list("pk"))
                records: list[ObservationRecord] = []
                problems: list[RecordError] = []
                for item in read_observations(handle, self.fmt, filename=self.batch.filename or None):
                    if isinstance(item, RecordError):
                        problems.append(item)
                    else:
                        records.append(item)
                    if len(records) + len(problems) >= self.chunk:
                        self.store_chunk(records, problems)
                        records, problems = [], []
                self.store_chunk(records, problems)
                self.writer.wait()
            finally:
                # The storing thread shares the connection: a chunk in flight must be done before
                # the transaction ends, or the rollback of a failed read races its COPY.
                self.writer.close()

    def store_chunk(self, records: list[ObservationRecord], problems: list[RecordError]) -> None:
        assert self.writer is not None
        unread = list(problems)  # records the reader could not read: no sensor to refuse them by
        groups: dict[str, list[ObservationRecord]] = {}
        for record in records:
            groups.setdefault(record.sensor_ref or "", []).append(record)
        if any((ref or self.default_sensor) not in self.contexts for ref in groups):
            self.writer.wait()  # looking a sensor up needs the connection
        prepared: list[_Prepared] = []
        for ref, members in groups.items():
            context = self.context_of(ref or None)
            if isinstance(context, str):
                sensor_field = field_name("sensor_ref", self.fmt)
                problems += [RecordError(r.index, r.line, sensor_field, context) for r in members]
                continue
            columns = RecordColumns.of(members)
            keep, refused = check_columns(columns, context, self.now, self.fmt)
            problems += refused
            if refused:
                columns = columns.take(keep)
            if len(columns):
                prepared.append(
                    _prepare(columns, context, self.batch.pk, self.now, self.batch.tasking_request_id)
                )
        problems = self.refuse_format_first(problems, unread)
        for problem in sorted(problems, key=_record_number):
            self.reject(problem)
        if prepared:
            self.writer.store(prepared)

    def refuse_format_first(
        self, problems: list[RecordError], unread: list[RecordError]
    ) -> list[RecordError]:
        """A delivery in a format that no sensor it names may use is refused for that on every
        record: a record that could not be read either says so first, then what else was wrong."""
        if not self.format_refusals or any(isinstance(c, DeliveryContext) for c in self.contexts.values()):
            return problems
        refusal = self.format_refusals[0]
        sensor_field = field_name("sensor_ref", self.fmt)
        unread_ids = {id(p) for p in unread}
        return [
            RecordError(
                p.record, p.line, sensor_field, f"{refusal}; the record also has: {p.field}: {p.message}"
            )
            if id(p) in unread_ids
            else p
            for p in problems
        ]

    def context_of(self, ref: str | None) -> DeliveryContext | str:
        """What a sensor named by the records (or the request) allows, or why it is refused."""
        key = ref or self.default_sensor
        if key in self.contexts:
            return self.contexts[key]
        found: DeliveryContext | str
        if not key:
            found = "no sensor named (give the sensor in the file or with the request)"
        elif (sensor := _sensor(key, self.user)) is None:
            found = f"unknown sensor {key!r}"
        else:
            try:
                found = DeliveryContext.for_sensor(sensor, self.user, self.fmt, self.now, self.requested)
            except FormatRefused as exc:
                found = str(exc)
                self.format_refusals.append(found)
            except DeliveryRefused as exc:
                found = str(exc)
        self.contexts[key] = found
        return found

    def reject(self, problem: RecordError) -> None:
        self.error_count += 1
        if len(self.result.errors) < MAX_STORED_ERRORS:
            self.result.errors.append(
                {
                    "record": problem.record,
                    "line": problem.line,
                    "field": problem.field,
                    "message": problem.message,
                }
            )

    def finish(self) -> None:
        """Stored, partial or rejected by what was kept; marked like what it stored."""
        result, batch = self.result, self.batch
        result.accepted.sort()
        result.duplicates.sort()
        kept = len(result.accepted) + len(result.duplicates)
        message = ""
        if kept == 0:
            status = BatchStatus.REJECTED
            if self.error_count == 0:
                message = "the payload holds no observation"
        else:
            status = BatchStatus.PARTIAL if self.error_count else BatchStatus.ACCEPTED
        stored_marking = Observation.objects.filter(batch=batch).combined_marking()
        if stored_marking is not None:
            batch.marking = stored_marking
        batch.finish(
            status,
            message=message,
            accepted=len(result.accepted),
            duplicates=len(result.duplicates),
            rejected=self.error_count,
            errors=result.errors,
        )
        if batch.accepted:
            audit.record_bulk(
                AuditAction.CREATE, Observation, batch.accepted, {"batch": batch.pk, "format": self.fmt}
            )

    def end(self, status: str, message: str, *, retryable: bool = False) -> IngestResult:
        """End the batch with nothing stored and the reason."""
        self.batch.finish(status, message=message, retryable=retryable)
        self.result = IngestResult(self.batch)
        return self.result

    def end_interrupted(self, exc: BaseException) -> None:
        """The database failed mid-ingest (nothing was kept); record it if it can still be reached."""
        with contextlib.suppress(DatabaseError):  # if not, the sweep settles it once the database is back
            self.end(BatchStatus.FAILED, f"{INTERRUPTED}: {type(exc).__name__}: {exc}"[:2000], retryable=True)


def ingest(batch: IngestBatch, *, associate: bool = True, chunk: int = CHUNK) -> IngestResult:
    """Read, check and store the batch's payload; optionally associate what was stored."""
    return Ingest(batch, chunk=chunk).run(associate=associate)


SENSOR_NUMBER_MAX = 2_147_483_647  # a PositiveIntegerField's range on every database


def _sensor(ref: str, user: Any) -> Sensor | None:
    """The sensor a record names, by number; one the user may not see is unknown."""
    text = ref.strip()
    # Past the column's range no sensor has the number (and past 4,300 digits Python refuses it).
    if not text.isdigit() or len(text) > len(str(SENSOR_NUMBER_MAX)) or int(text) > SENSOR_NUMBER_MAX:
        return None
    sensors = Sensor.objects.all() if user is None else Sensor.objects.visible_to(user)
    return sensors.select_related("spoc").filter(number=int(text)).first()


def _record_number(problem: RecordError) -> int:
    return problem.record


@dataclass
class _Prepared:
    """Rows of one sensor ready to store: each row's record number, keys, and values by column."""

    sensor_id: int
    indices: list[int]
    hashes: list[str]
    clients: list[str]
    iso_times: list[str]
    columns: list[list[Any] | _Same]

    def rows(self, keep: list[int]) -> list[tuple[Any, ...]]:
        n = len(self.indices)
        full = [[c.value] * n if isinstance(c, _Same) else c for c in self.columns]
        return [tuple(column[i] for column in full) for i in keep]

    def copy_lines(self, keep: list[int]) -> list[str]:
        """COPY text lines of the kept rows (text format: tab separated, \\N for NULL)."""
        texts: list[Any] = []
        for name, column in zip(COLUMNS, self.columns, strict=True):
            if isinstance(column, _Same):
                texts.append(itertools.repeat(_copy_text(column.value)))
            elif name == "ob_time":
                texts.append(self.iso_times)
            elif name in _FLOAT_COLUMNS:
                texts.append(_float_texts(column))
            elif name in _TEXT_COLUMNS:
                texts.append(_escaped(column))
            else:
                texts.append([_NULL if v is None else str(v) for v in column])
        lines = list(map("\t".join, zip(*texts, strict=False)))  # constants repeat endlessly
        return lines if len(keep) == len(lines) else [lines[i] for i in keep]


@dataclass
class _Same:
    """One value for every row of a column."""

    value: Any


_NULL = "\\N"
_FLOAT_COLUMNS = frozenset(COLUMNS[COLUMNS.index("range_km") : COLUMNS.index("declination_deg_corr") + 1]) - {
    "frame"
}
_TEXT_COLUMNS = frozenset({"client_id", "content_hash", "data_mode", "track_id", "reported_object", "frame"})
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _float_texts(values: list[float | None]) -> list[str]:
    if None in values:
        return [_NULL if v is None else repr(v) for v in values]
    return list(map(repr, values))


def _escaped(values: list[str]) -> list[str]:
    joined = "".join(values)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [v.translate(_ESCAPES) for v in values]
    return values


def _clip(values: tuple[str | None, ...], limit: int) -> list[str]:
    return [v[:limit] if v else "" for v in values]


def _prepare(
    columns: RecordColumns,
    context: DeliveryContext,
    batch_id: int,
    now: dt.datetime,
    tasking_request_id: int | None,
) -> _Prepared:
    """The rows of one sensor's accepted records, column by column, with their keys."""
    values = columns.values
    sensor_id = context.sensor.pk
    corrected = corrected_columns(columns, context.biases)
    iso = [t.isoformat() for t in values["ob_time"]]
    hashes = content_hashes(sensor_id, iso, columns)
    clients = _clip(values["client_id"], 100)
    modes = [mode or DataMode.REAL for mode in values["data_mode"]]
    level, noforn, rel_mask = context.marking_columns

    by_name: dict[str, list[Any] | _Same] = {
        "sensor_id": _Same(sensor_id),
        "batch_id": _Same(batch_id),
        "ob_time": list(values["ob_time"]),
        "client_id": clients,
        "content_hash": hashes,
        "data_mode": modes,
        "track_id": _clip(values["track_id"], 100),
        "reported_sat_no": list(values["sat_no"]),
        "reported_object": _clip(values["object_ref"], 100),
        **{name: list(values[name]) for name in _RAW},
        "frame": _clip(values["frame"], 10),
        "magnitude": list(values["magnitude"]),
        "rcs_m2": list(values["rcs_m2"]),
        "snr_db": list(values["snr_db"]),
        **{f"{name}_corr": corrected[name] for name in CORRECTED},
        "association": _Same("pending"),
        "tier_at_ingest": _Same(context.tier),
        "missions_mask": [fit_mask(context, mode) for mode in modes],
        "tasking_request_id": _Same(tasking_request_id),
        "classification_level": _Same(level),
        "noforn": _Same(noforn),
        "rel_mask": _Same(rel_mask),
        "ingested": _Same(now),
    }
    return _Prepared(sensor_id, list(values["index"]), hashes, clients, iso, [by_name[c] for c in COLUMNS])


class _Writer:
    """Stores checked chunks, on PostgreSQL from a second thread while the next chunk is read.

    psycopg connections may be shared between threads and release the GIL while the server works,
    so the server inserts one chunk while Python reads and checks the next, as the client and
    server of a plain COPY work side by side. Chunks are stored one after the other in the
    ingest's transaction; the connection is used by nothing else while one is in flight (`wait`
    first).
    """

    def __init__(self, result: IngestResult) -> None:
        self.result = result
        self.threaded = connection.vendor == "postgresql"
        self.pool = ThreadPoolExecutor(max_workers=1) if self.threaded else None
        self.pending: tuple[Future[dict[str, int]], list[str], list[int]] | None = None

    def store(self, prepared: list[_Prepared]) -> None:
        """Insert rows not yet stored; sort record numbers into accepted and duplicates."""
        self.wait()
        fresh, hashes, indices = _fresh(prepared, self.result)
        if not fresh:
            return
        if self.pool is None:
            inserted = _insert_generic([row for part, keep in fresh for row in part.rows(keep)])
            self._sort(inserted, hashes, indices)
            return
        lines = [line for part, keep in fresh for line in part.copy_lines(keep)]
        connection.ensure_connection()
        job = self.pool.submit(_insert_postgresql, connection.connection, lines)
        self.pending = (job, hashes, indices)

    def wait(self) -> None:
        if self.pending is not None:
            job, hashes, indices = self.pending
            self.pending = None
            self._sort(job.result(), hashes, indices)

    def close(self) -> None:
        """Let a chunk in flight finish (its outcome is not wanted if the ingest failed)."""
        if self.pending is not None:
            concurrent.futures.wait([self.pending[0]])
            self.pending = None
        if self.pool is not None:
            self.pool.shutdown()

    def _sort(self, inserted: dict[str, int], hashes: list[str], indices: list[int]) -> None:
        result = self.result
        for digest, index in zip(hashes, indices, strict=True):
            pk = inserted.get(digest)
            if pk is None:
                result.duplicates.append(index)
            else:
                result.accepted.append(index)
                result.observation_ids.append(pk)


def _fresh(
    prepared: list[_Prepared], result: IngestResult
) -> tuple[list[tuple[_Prepared, list[int]]], list[str], list[int]]:
    """The rows of a chunk not repeated earlier in it (repeats are duplicates), and their keys."""
    seen_hash: set[str] = set()
    seen_client: set[tuple[int, str]] = set()
    fresh: list[tuple[_Prepared, list[int]]] = []
    hashes: list[str] = []
    indices: list[int] = []
    for part in prepared:
        keep: list[int] = []
        sensor = part.sensor_id
        rows = zip(part.hashes, part.clients, part.indices, strict=True)
        for i, (digest, client, index) in enumerate(rows):
            if digest in seen_hash or (client and (sensor, client) in seen_client):
                result.duplicates.append(index)
                continue
            seen_hash.add(digest)
            if client:
                seen_client.add((sensor, client))
            keep.append(i)
            hashes.append(digest)
            indices.append(index)
        if keep:
            fresh.append((part, keep))
    return fresh, hashes, indices


def _insert_postgresql(raw: Any, lines: list[str]) -> dict[str, int]:
    """COPY into a temporary table, then one INSERT that skips whatever is already stored.

    `raw` is the psycopg connection under Django's, in the ingest's transaction.
    """
    # One key order for every delivery, the unique sensor + client id first: concurrent
    # deliveries of the same records take their index locks in the same order.
    return copy_new_rows(
        raw, Observation, COLUMNS, lines, key_order=("sensor_id", "client_id", "content_hash")
    )


_HASH = COLUMNS.index("content_hash")
_SENSOR = COLUMNS.index("sensor_id")
_CLIENT = COLUMNS.index("client_id")


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
    fresh = [
        row
        for row in rows
        if row[_HASH] not in existing and (not row[_CLIENT] or (row[_SENSOR], row[_CLIENT]) not in taken)
    ]
    # bulk_create compiled every value into statements of 18 rows (SQLite's limit on the values
    # of one statement): most of a delivery's ingest time here.
    insert_rows(Observation, COLUMNS, fresh, skip_stored=True)
    made = Observation.objects.filter(content_hash__in=[row[_HASH] for row in fresh])
    return dict(made.values_list("content_hash", "id"))


def ingest_bytes(user: Any, data: bytes | BinaryIO, **options: Any) -> IngestResult:
    """`receive` then `ingest`, for callers holding the payload."""
    associate = options.pop("associate", True)
    return ingest(receive(user, data, **options), associate=associate)
