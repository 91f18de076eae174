"""Loading element-set files into the catalog.

A file streams through `read_elements` in batches; each batch costs a fixed handful of
queries whatever its size: look up its objects, look up its element sets by (object, epoch,
source), take ids for the new rows from the sequences, write the new objects already pointing at
their current element set and the new sets, update the changed ones, and move the pointers of
existing objects in one statement. Unchanged sets are recognised by a content hash and not
written, so importing the same file twice writes nothing.

The whole import is one transaction holding the catalog's change-sequence row, so partners'
`since` cursors see the rows of an import all at once and in sequence order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import operator
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

import numpy as np
from django.db import connection, models, transaction
from django.db.models import BigIntegerField, ExpressionWrapper, F, Lookup, Max, OuterRef, Q, Subquery
from django.utils import timezone

from catalog.astro import elements as astro
from catalog.formats.elements import ElementSetRecord, FormatError, RecordError, read_elements
from catalog.models import CatalogCounter, ElementSet, ElsetSource, ObjectType, SpaceObject, SyncRun
from catalog.models.sync import SyncRunStatus, SyncSource
from portal import audit
from portal.markings.marking import Level, Marking
from portal.markings.models import marking_columns
from portal.markings.nations import codes_of
from portal.models import AuditAction, SpOC

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 100

OBJECT_TYPES = {
    "PAYLOAD": ObjectType.PAYLOAD,
    "ROCKET BODY": ObjectType.ROCKET_BODY,
    "R/B": ObjectType.ROCKET_BODY,
    "DEBRIS": ObjectType.DEBRIS,
    "DEB": ObjectType.DEBRIS,
    "UNKNOWN": ObjectType.UNKNOWN,
    "TBA": ObjectType.UNKNOWN,
}
# The classification a record declares for itself (TLE column 8, GP CLASSIFICATION_TYPE).
DECLARED_LEVELS = {"U": Level.UNCLASSIFIED, "C": Level.CONFIDENTIAL, "S": Level.SECRET}
ELEMENT_FIELDS = (
    "mean_motion",
    "eccentricity",
    "inclination",
    "ra_of_asc_node",
    "arg_of_pericenter",
    "mean_anomaly",
    "bstar",
    "mean_motion_dot",
    "mean_motion_ddot",
    "element_set_no",
    "rev_at_epoch",
    "ephemeris_type",
    "classification_type",
)
_elements_of = operator.attrgetter(*ELEMENT_FIELDS)
UPDATED_FIELDS = (
    *ELEMENT_FIELDS,
    "classification_level",
    "noforn",
    "rel_mask",
    "semi_major_axis_km",
    "period_min",
    "apogee_km",
    "perigee_km",
    "regime",
    "content_hash",
    "seq",
    "sync_run",
    "source_file",
    "source_record",
    "updated",
)
ELSET_COLUMNS = (
    "id",
    "space_object_id",
    "epoch",
    *ELEMENT_FIELDS,
    "classification_level",
    "noforn",
    "rel_mask",
    "source",
    "source_spoc_id",
    "source_key",
    "sync_run_id",
    "source_file",
    "source_record",
    "semi_major_axis_km",
    "period_min",
    "apogee_km",
    "perigee_km",
    "regime",
    "content_hash",
    "seq",
    "created",
    "updated",
)
OBJECT_FIELDS = (
    "name",
    "intl_designator",
    "object_type",
    "owner_country",
    "launch_date",
    "launch_site",
    "decay_date",
    "rcs_size",
)
OBJECT_COLUMNS = (
    "id",
    "catalog_number",
    *OBJECT_FIELDS,
    "classification_level",
    "noforn",
    "rel_mask",
    "current_elset_id",
    "seq",
    "created",
    "updated",
)


@dataclass(frozen=True)
class Origin:
    """Who an element set comes from; `source_key` is the dedup key's source part."""

    source: str = ElsetSource.UPSTREAM
    spoc: SpOC | None = None

    @property
    def key(self) -> str:
        if self.source == ElsetSource.PARTNER:
            if self.spoc is None:
                raise ValueError("a partner element set needs its SpOC")
            return f"spoc:{self.spoc.pk}"
        return str(self.source)

    @classmethod
    def partner(cls, spoc: SpOC) -> Origin:
        return cls(ElsetSource.PARTNER, spoc)


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    objects_added: int = 0
    objects_updated: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    run: SyncRun | None = None

    def reject(self, error: RecordError) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(
                {"record": error.record, "line": error.line, "field": error.field, "message": error.message}
            )

    def reject_file(self, name: str, message: str) -> None:
        """A whole file that could not be read; reported like a record, counted as none."""
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"record": None, "line": None, "field": None, "message": f"{name}: {message}"})

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "objects_added": self.objects_added,
            "objects_updated": self.objects_updated,
        }

    def merge(self, other: ImportResult) -> None:
        for key, value in other.counts().items():
            setattr(self, key, getattr(self, key) + value)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        self.errors.extend(other.errors[: max(room, 0)])


class _Sequence:
    """Hands out change-sequence numbers under the counter row's lock."""

    NAME = "catalog"

    def __init__(self) -> None:
        if not CatalogCounter.objects.filter(name=self.NAME).exists():
            start = max(
                SpaceObject.objects.aggregate(m=Max("seq"))["m"] or 0,
                ElementSet.objects.aggregate(m=Max("seq"))["m"] or 0,
            )
            CatalogCounter.objects.get_or_create(name=self.NAME, defaults={"value": start})
        self.value = CatalogCounter.objects.select_for_update().get(name=self.NAME).value
        self.start = self.value

    def take(self) -> int:
        self.value += 1
        return self.value

    def save(self) -> None:
        if self.value != self.start:
            CatalogCounter.objects.filter(name=self.NAME).update(value=self.value)


@dataclass
class _Context:
    origin: Origin
    marking: Marking
    run: SyncRun | None
    file_name: str
    create_objects: bool
    reader: Any
    sequence: _Sequence
    result: ImportResult
    now: dt.datetime
    combined: dict[tuple[int, bool, int], dict[str, Any]] = field(default_factory=dict)

    def elset_marking(self, level: int, noforn: bool, mask: int) -> dict[str, Any]:
        """The import's marking raised to the object's: a set never shows more than its object."""
        key = (level, noforn, mask)
        if key not in self.combined:
            own = Marking(Level(level), noforn=noforn, rel_to=codes_of(mask) if not noforn else frozenset())
            self.combined[key] = marking_columns(Marking.combine(self.marking, own))
        return self.combined[key]


def import_file(
    path: str | Path,
    *,
    marking: Marking | str | None = None,
    fmt: str | None = None,
    source: SyncSource | None = None,
    origin: Origin | None = None,
    run: SyncRun | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import one file. A run is recorded (a new one unless `run` is given).

    Raises FormatError (after recording the failed run) when the file cannot be read at all.
    """
    path = Path(path)
    if marking is None:
        marking = source.marking if source is not None else Marking.unclassified()
    if origin is None:
        origin = Origin.partner(source.spoc) if source is not None and source.spoc else Origin()
    own_run = run is None
    if run is None:
        run = start_sync_run(marking=marking, source=source, label=path.name)
    try:
        with path.open(encoding="utf-8", errors="strict", newline="") as stream:
            result = import_stream(
                stream,
                marking=marking,
                fmt=fmt or (source.format if source is not None and source.format else None),
                origin=origin,
                run=run,
                file_name=path.name,
                batch_size=batch_size,
            )
    except (OSError, UnicodeDecodeError, FormatError) as exc:
        if own_run:
            finish_sync_run(run, ImportResult(), failure=f"{path.name}: {exc}")
        raise FormatError(f"{path.name}: {exc}") from exc
    except Exception as exc:
        if own_run:
            finish_sync_run(run, ImportResult(), failure=f"{path.name}: {exc!r}")
        raise
    if own_run:
        finish_sync_run(run, result, files=1)
    result.run = run
    return result


def import_stream(
    stream: TextIO | Iterable[str],
    *,
    marking: Marking | str,
    fmt: str | None = None,
    origin: Origin | None = None,
    run: SyncRun | None = None,
    file_name: str = "",
    create_objects: bool = True,
    reader: Any = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import the element sets of `stream`, all or nothing except for rejected records.

    With `create_objects=False` (partner submissions) an element set must name an existing
    object that `reader` may see; any other number is rejected exactly as a missing one.
    """
    items = read_elements(stream, fmt)
    return import_records(
        items,
        marking=marking,
        origin=origin,
        run=run,
        file_name=file_name,
        create_objects=create_objects,
        reader=reader,
        batch_size=batch_size,
    )


def import_records(
    items: Iterable[ElementSetRecord | RecordError],
    *,
    marking: Marking | str,
    origin: Origin | None = None,
    run: SyncRun | None = None,
    file_name: str = "",
    create_objects: bool = True,
    reader: Any = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    if isinstance(marking, str):
        marking = Marking.parse(marking)
    origin = origin or Origin()
    result = ImportResult(run=run)
    with transaction.atomic():
        context = _Context(
            origin=origin,
            marking=marking,
            run=run,
            file_name=file_name[:255],
            create_objects=create_objects,
            reader=reader,
            sequence=_Sequence(),
            result=result,
            now=timezone.now(),
        )
        for batch in _batched(iter(items), batch_size):
            _import_batch(batch, context)
        context.sequence.save()
        audit.record_bulk(
            AuditAction.CREATE,
            ElementSet,
            result.added,
            {
                **result.counts(),
                "source": origin.key,
                "file": file_name,
                "run": str(run.run_id) if run is not None else None,
                "marking": marking.banner,
            },
        )
    return result


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


_NO_MARKING = {"classification_level": None, "noforn": None, "rel_mask": None}


def _content_hash(rec: ElementSetRecord, marking: dict[str, Any]) -> str:
    values = (
        rec.epoch.isoformat(),
        *(getattr(rec, name) for name in ELEMENT_FIELDS),
        marking["classification_level"],
        marking["noforn"],
        marking["rel_mask"],
    )
    return hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()


def _object_fields(rec: ElementSetRecord) -> dict[str, Any]:
    """The SATCAT fields a record carries; absent ones are left as the catalog has them."""
    fields: dict[str, Any] = {}
    if rec.object_name:
        fields["name"] = rec.object_name.strip()[:80]
    if rec.object_id and rec.object_id.upper() not in {"UNKNOWN", "TBD"}:
        fields["intl_designator"] = rec.object_id.strip()[:12]
    if rec.object_type:
        fields["object_type"] = OBJECT_TYPES.get(rec.object_type.strip().upper(), ObjectType.UNKNOWN)
    if rec.country_code:
        fields["owner_country"] = rec.country_code.strip()[:8]
    if rec.launch_date:
        fields["launch_date"] = rec.launch_date
    if rec.site:
        fields["launch_site"] = rec.site.strip()[:8]
    if rec.decay_date:
        fields["decay_date"] = rec.decay_date
    if rec.rcs_size:
        fields["rcs_size"] = rec.rcs_size.strip()[:8]
    return fields


@dataclass(slots=True)
class _Object:
    """A catalog object a batch writes to. `row` is set while a new object waits to be written
    with its current-element-set pointer."""

    id: int
    level: int
    noforn: bool
    mask: int
    current_id: int | None = None
    current_epoch: dt.datetime | None = None
    row: list[Any] | None = None


@dataclass(slots=True)
class _Written:
    """An element set a batch writes: `row` for a new one (its id in row[0]), `id` for an update."""

    obj: _Object
    epoch: dt.datetime
    marking: dict[str, Any]
    id: int | None
    row: list[Any] | None


def _screen(batch: list[ElementSetRecord | RecordError], ctx: _Context) -> list[ElementSetRecord]:
    """The batch's records minus parse errors, classifications above the import's marking, and
    repeats of an (object, epoch) seen earlier in the batch."""
    result = ctx.result
    records: list[ElementSetRecord] = []
    first_of: dict[tuple[int, dt.datetime], ElementSetRecord] = {}
    for item in batch:
        if isinstance(item, RecordError):
            result.reject(item)
            continue
        declared = DECLARED_LEVELS.get((item.classification_type or "U").upper())
        if declared is None or declared > ctx.marking.level:
            result.reject(
                RecordError(
                    item.record,
                    None,
                    "CLASSIFICATION_TYPE",
                    f"the record is marked {item.classification_type!r}, above the import's "
                    f"marking {ctx.marking.banner}",
                )
            )
            continue
        key = (item.norad_cat_id, item.epoch)
        earlier = first_of.get(key)
        if earlier is not None:
            if _content_hash(earlier, _NO_MARKING) == _content_hash(item, _NO_MARKING):
                result.unchanged += 1
            else:
                result.reject(
                    RecordError(
                        item.record,
                        None,
                        "EPOCH",
                        f"same object and epoch as record {earlier.record} of this file, different elements",
                    )
                )
            continue
        first_of[key] = item
        records.append(item)
    return records


def _rounded(values: astro.FloatArray) -> list[float | None]:
    rounded = np.round(values, 3).astype(object)
    rounded[~np.isfinite(values)] = None
    return cast(list[float | None], rounded.tolist())


def _import_batch(batch: list[ElementSetRecord | RecordError], ctx: _Context) -> None:
    result = ctx.result
    records = _screen(batch, ctx)
    if not records:
        return

    objects = _resolve_objects(records, ctx)
    accepted = []
    for rec in records:
        if rec.norad_cat_id in objects:
            accepted.append(rec)
        else:
            result.reject(
                RecordError(
                    rec.record, None, "NORAD_CAT_ID", f"no catalog object {rec.norad_cat_id} visible to you"
                )
            )
    if not accepted:
        return

    mean_motion = np.array([r.mean_motion for r in accepted])
    eccentricity = np.array([r.eccentricity for r in accepted])
    derived = zip(
        _rounded(astro.semi_major_axis_km(mean_motion)),
        _rounded(astro.period_min(mean_motion)),
        _rounded(astro.apogee_altitude_km(mean_motion, eccentricity)),
        _rounded(astro.perigee_altitude_km(mean_motion, eccentricity)),
        astro.classify_regime(mean_motion, eccentricity).tolist(),
        strict=True,
    )

    source_key = ctx.origin.key
    # Objects created by this batch have no element sets yet.
    known = {objects[r.norad_cat_id].id for r in accepted if objects[r.norad_cat_id].row is None}
    existing: dict[tuple[int, dt.datetime], tuple[int, str]] = {}
    if known:
        epochs = {r.epoch for r in accepted if objects[r.norad_cat_id].row is None}
        existing = {
            (object_id, epoch): (pk, digest)
            for pk, object_id, epoch, digest in ElementSet.objects.filter(
                _among("space_object_id", known), _among("epoch", epochs), source_key=source_key
            ).values_list("pk", "space_object_id", "epoch", "content_hash")
        }
    new: list[list[Any]] = []
    changed: list[ElementSet] = []
    written: list[_Written] = []
    run_id = ctx.run.pk if ctx.run is not None else None
    spoc_id = ctx.origin.spoc.pk if ctx.origin.spoc is not None else None
    source = str(ctx.origin.source)
    for rec, (axis, period, apogee, perigee, regime) in zip(accepted, derived, strict=True):
        obj = objects[rec.norad_cat_id]
        marking = ctx.elset_marking(obj.level, obj.noforn, obj.mask)
        digest = _content_hash(rec, marking)
        found = existing.get((obj.id, rec.epoch))
        if found is not None and found[1] == digest:
            result.unchanged += 1
            continue
        seq = ctx.sequence.take()
        if found is None:
            row = [
                None,
                obj.id,
                rec.epoch,
                *_elements_of(rec),
                marking["classification_level"],
                marking["noforn"],
                marking["rel_mask"],
                source,
                spoc_id,
                source_key,
                run_id,
                ctx.file_name,
                rec.record or None,
                axis,
                period,
                apogee,
                perigee,
                regime,
                digest,
                seq,
                ctx.now,
                ctx.now,
            ]
            new.append(row)
            written.append(_Written(obj, rec.epoch, marking, None, row))
        else:
            values = {
                **{name: getattr(rec, name) for name in ELEMENT_FIELDS},
                **marking,
                "semi_major_axis_km": axis,
                "period_min": period,
                "apogee_km": apogee,
                "perigee_km": perigee,
                "regime": regime,
                "content_hash": digest,
                "seq": seq,
                "sync_run_id": run_id,
                "source_file": ctx.file_name,
                "source_record": rec.record or None,
                "updated": ctx.now,
            }
            changed.append(ElementSet(pk=found[0], **values))
            written.append(_Written(obj, rec.epoch, marking, found[0], None))
    for row, pk in zip(new, allocate_ids(ElementSet, len(new)), strict=True):
        row[0] = pk
    moved, recompute = _choose_current(written)

    fresh = [obj.row for obj in objects.values() if obj.row is not None]
    if fresh:
        # Written with their pointers: the foreign key to the element set is checked at commit.
        insert_rows(SpaceObject, OBJECT_COLUMNS, fresh)
        result.objects_added += len(fresh)
        for obj in objects.values():
            obj.row = None
    if new:
        insert_rows(ElementSet, ELSET_COLUMNS, new)
        result.added += len(new)
    if changed:
        ElementSet.objects.bulk_update(changed, UPDATED_FIELDS, batch_size=500)
        result.updated += len(changed)
    if moved:
        _move_current(moved)
    if recompute:
        refresh_current(recompute)


def _choose_current(written: list[_Written]) -> tuple[list[tuple[int, int]], set[int]]:
    """Where this batch's sets move the objects' current-element-set pointers.

    Returns (object id, element set id) pairs for existing objects, and the objects whose
    current set was rewritten into one that may no longer stand for them (to be recomputed).
    A new object's pointer goes into its row instead.
    """
    best: dict[int, tuple[dt.datetime, int] | None] = {}
    owners: dict[int, _Object] = {}
    recompute: set[int] = set()
    for item in written:
        obj = item.obj
        if obj.id not in owners:
            owners[obj.id] = obj
            current = obj.current_id
            best[obj.id] = (obj.current_epoch, current) if current is not None else None  # type: ignore[assignment]
        eligible = _may_stand_for(item.marking, obj.level, obj.noforn, obj.mask)
        elset_id = item.id if item.id is not None else item.row[0]  # type: ignore[index]
        if item.id is not None and item.id == obj.current_id and not eligible:
            recompute.add(obj.id)
            continue
        candidate = (item.epoch, elset_id)
        chosen = best[obj.id]
        if eligible and (chosen is None or candidate > chosen):
            best[obj.id] = candidate
    moved = []
    for object_id, chosen in best.items():
        obj = owners[object_id]
        if chosen is None or object_id in recompute or chosen[1] == obj.current_id:
            continue
        if obj.row is not None:
            obj.row[OBJECT_COLUMNS.index("current_elset_id")] = chosen[1]
        else:
            moved.append((object_id, chosen[1]))
    return moved, recompute


def _move_current(moved: list[tuple[int, int]]) -> None:
    table = connection.ops.quote_name(SpaceObject._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement joined by primary key: a plan that needs no statistics on the rows
            # this transaction has just written.
            cursor.execute(
                f"UPDATE {table} AS o SET current_elset_id = m.elset "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[]) AS m(id, elset) WHERE o.id = m.id",
                [[pk for pk, _ in moved], [elset for _, elset in moved]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET current_elset_id = %s WHERE id = %s",  # noqa: S608
                [(elset, pk) for pk, elset in moved],
            )


def _resolve_objects(records: list[ElementSetRecord], ctx: _Context) -> dict[int, _Object]:
    """catalog number -> the object each record of the batch may write to.

    Objects the batch creates get their ids now; they are written with their element sets.
    """
    numbers = {r.norad_cat_id for r in records}
    queryset = SpaceObject.objects.filter(_among("catalog_number", numbers))
    if not ctx.create_objects:
        queryset = queryset.visible_to(ctx.reader)
    columns = (
        "pk",
        "catalog_number",
        *OBJECT_FIELDS,
        "classification_level",
        "noforn",
        "rel_mask",
        "current_elset_id",
        "current_elset__epoch",
    )
    found = {row[1]: dict(zip(columns, row, strict=True)) for row in queryset.values_list(*columns)}
    created = _create_and_update_objects(records, found, ctx) if ctx.create_objects else {}
    objects = {
        number: _Object(
            row["pk"],
            row["classification_level"],
            row["noforn"],
            row["rel_mask"],
            row["current_elset_id"],
            row["current_elset__epoch"],
        )
        for number, row in found.items()
    }
    objects.update(created)
    return objects


def _create_and_update_objects(
    records: list[ElementSetRecord], found: dict[int, dict[str, Any]], ctx: _Context
) -> dict[int, _Object]:
    """Update the SATCAT fields of known objects; the new ones, given ids but not yet written."""
    marking = marking_columns(ctx.marking)
    latest: dict[int, ElementSetRecord] = {}
    for rec in records:
        if rec.norad_cat_id not in latest or rec.epoch >= latest[rec.norad_cat_id].epoch:
            latest[rec.norad_cat_id] = rec
    new: list[tuple[int, list[Any]]] = []
    changed: list[SpaceObject] = []
    changed_fields: set[str] = set()
    defaults = {name: _field(SpaceObject, name).get_default() for name in OBJECT_FIELDS}
    level, noforn, mask = marking["classification_level"], marking["noforn"], marking["rel_mask"]
    for number, rec in latest.items():
        fields = _object_fields(rec)
        row = found.get(number)
        if row is None:
            satcat = [fields.get(name, default) for name, default in defaults.items()]
            seq = ctx.sequence.take()
            new.append((number, [None, number, *satcat, level, noforn, mask, None, seq, ctx.now, ctx.now]))
            continue
        differing = {name for name, value in fields.items() if row[name] != value}
        if differing:
            changed_fields |= differing
            values = {name: fields.get(name, row[name]) for name in OBJECT_FIELDS}
            changed.append(SpaceObject(pk=row["pk"], **values, seq=ctx.sequence.take(), updated=ctx.now))
            row.update(values)
    if changed:
        SpaceObject.objects.bulk_update(changed, [*sorted(changed_fields), "seq", "updated"], batch_size=500)
        ctx.result.objects_updated += len(changed)
    created = {}
    for (number, new_row), pk in zip(new, allocate_ids(SpaceObject, len(new)), strict=True):
        new_row[0] = pk
        created[number] = _Object(pk, level, noforn, mask, row=new_row)
    return created


class _AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter: PostgreSQL plans it like IN,
    without a placeholder per value to build and bind."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, self.rhs]


def _among(name: str, values: Iterable[Any]) -> Any:
    """A filter on `name` being one of `values`."""
    if connection.vendor == "postgresql":
        return _AnyOf(F(name), list(values))
    return Q(**{f"{name}__in": values})


_SEQUENCES: dict[tuple[str, str], str] = {}


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted, so they can be referred to first."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            key = (connection.alias, table)
            if key not in _SEQUENCES:
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [connection.ops.quote_name(table)])
                _SEQUENCES[key] = cursor.fetchone()[0]
            # The name as a constant: looked up per row, it costs ten times the nextval.
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [_SEQUENCES[key], count]
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite transactions here begin IMMEDIATE, so the write lock is already ours and nobody
        # takes ids meanwhile. AUTOINCREMENT never reuses an id, even of a deleted row.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {quoted}), 0), "  # noqa: S608
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
        return list(range(last + 1, last + 1 + count))


def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[Any]) -> None:
    """Insert plain rows (column attnames in `columns`), skipping model instances entirely.

    PostgreSQL gets COPY, the fastest way in; other databases an executemany of one INSERT.
    Dates and times go through the backend's own adapters so lookups match Django's.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    adapters = [_adapter_of(_field(model, column.removesuffix("_id"))) for column in columns]
    if any(adapters):
        rows = [
            tuple(adapt(value) if adapt else value for adapt, value in zip(adapters, row, strict=True))
            for row in rows
        ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _adapter_of(model_field: Any) -> Any:
    if connection.vendor == "postgresql":
        return None
    if isinstance(model_field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def _may_stand_for(elset: dict[str, Any], level: int, noforn: bool, mask: int) -> bool:
    """Whether everyone who may read an object marked (level, noforn, mask) may read `elset`."""
    if elset["classification_level"] > level:
        return False
    if noforn:
        return True
    return not elset["noforn"] and elset["rel_mask"] & mask == mask


def refresh_current(object_ids: Iterable[int]) -> None:
    """Point each of these objects at its latest element set that every reader of the object
    may see."""
    touched = SpaceObject.objects.filter(pk__in=list(object_ids))
    candidates = ElementSet.objects.filter(
        space_object=OuterRef("pk"), classification_level__lte=OuterRef("classification_level")
    ).order_by("-epoch", "-id")
    # NOFORN objects are read by US persons only, who may read any set up to the object's level.
    for_noforn = candidates.values("pk")[:1]
    for_releasable = (
        candidates.filter(noforn=False)
        .alias(_shared=F("rel_mask").bitand(ExpressionWrapper(OuterRef("rel_mask"), BigIntegerField())))  # type: ignore[arg-type]
        .filter(_shared=OuterRef("rel_mask"))
        .values("pk")[:1]
    )
    touched.filter(noforn=True).update(current_elset=Subquery(for_noforn))
    touched.filter(noforn=False).update(current_elset=Subquery(for_releasable))


# -- runs ---------------------------------------------------------------------------------------


def start_sync_run(
    *,
    marking: Marking | str,
    source: SyncSource | None = None,
    label: str = "",
    task_run: Any = None,
    spoc: SpOC | None = None,
) -> SyncRun:
    return SyncRun.objects.create(
        source=source, label=label[:200], task_run=task_run, spoc=spoc, **marking_columns(marking)
    )


def finish_sync_run(
    run: SyncRun, result: ImportResult, *, files: int = 0, failure: str | None = None, skipped: bool = False
) -> None:
    errors = list(result.errors)
    if failure:
        errors.insert(0, {"record": None, "line": None, "field": None, "message": failure[:2000]})
    status = (
        SyncRunStatus.FAILED if failure else SyncRunStatus.SKIPPED if skipped else SyncRunStatus.SUCCEEDED
    )
    values = {
        "status": status,
        "finished": timezone.now(),
        "files": files,
        "added": result.added,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "errors": errors[:MAX_REPORTED_ERRORS],
    }
    SyncRun.objects.filter(pk=run.pk).update(**values)
    for key, value in values.items():
        setattr(run, key, value)
