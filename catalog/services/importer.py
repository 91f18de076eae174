"""The element-set import pipeline: records in, catalog objects and element sets out.

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, cast

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from catalog.astro import elements as astro
from catalog.formats.elements import ElementSetRecord, FormatError, RecordError, read_elements
from catalog.models import CatalogCounter, ElementSet, ElsetSource, ObjectType, SpaceObject, SyncRun
from catalog.models.sync import SyncRunStatus, SyncSource
from catalog.services.current_elsets import (
    ObjectState,
    WrittenSet,
    choose_current,
    move_current,
    refresh_current,
)
from catalog.services.sync_runs import ImportResult, finish_sync_run, start_sync_run
from portal import audit
from portal.bulk import allocate_ids, among, insert_rows, model_field
from portal.markings.marking import Level, Marking
from portal.markings.models import marking_columns
from portal.markings.nations import codes_of
from portal.models import AuditAction, SpOC

BATCH_SIZE = 2000

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
    fmt = fmt or (source.format if source is not None and source.format else None)
    return submit_element_sets(
        lambda: _file_records(path, fmt),
        marking=marking,
        run=run,
        record=own_run,
        about=path.name,
        origin=origin,
        file_name=path.name,
        batch_size=batch_size,
    )


def _file_records(path: Path, fmt: str | None) -> Iterator[ElementSetRecord | RecordError]:
    with path.open(encoding="utf-8", errors="strict", newline="") as stream:
        yield from read_elements(stream, fmt)


def submit_element_sets(
    read: Callable[[], Iterable[ElementSetRecord | RecordError]],
    *,
    marking: Marking | str,
    run: SyncRun,
    record: bool = True,
    keep_record_when_nothing_added: bool = False,
    about: str = "",
    origin: Origin | None = None,
    file_name: str = "",
    create_objects: bool = True,
    reader: Any = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """The one flow of an element-set submission (a file, an API body, the demo seed): read
    and import under `run`, and record on the run how it went.

    `read` is called inside the flow, so a file that cannot be opened, decoded or recognised
    fails the run like a file that cannot be parsed: FormatError, its message prefixed with
    `about` (the file's name) when given. With `record=False` the run is the caller's to finish
    (a sync run spanning several files); with `keep_record_when_nothing_added` a run that
    already succeeded keeps its counts when a repeated import adds nothing.
    """
    prefix = f"{about}: " if about else ""
    try:
        result = import_records(
            read(),
            marking=marking,
            origin=origin,
            run=run,
            file_name=file_name,
            create_objects=create_objects,
            reader=reader,
            batch_size=batch_size,
        )
    except (OSError, UnicodeDecodeError, FormatError) as exc:
        if record:
            finish_sync_run(run, ImportResult(), failure=f"{prefix}{exc}")
        raise FormatError(f"{prefix}{exc}") from exc
    except Exception as exc:
        if record:
            finish_sync_run(run, ImportResult(), failure=f"{prefix}{exc!r}")
        raise
    settled = keep_record_when_nothing_added and not result.added and run.status == SyncRunStatus.SUCCEEDED
    if record and not settled:
        finish_sync_run(run, result, files=1)
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
                among("space_object_id", known), among("epoch", epochs), source_key=source_key
            ).values_list("pk", "space_object_id", "epoch", "content_hash")
        }
    new: list[list[Any]] = []
    changed: list[ElementSet] = []
    written: list[WrittenSet] = []
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
            written.append(WrittenSet(obj, rec.epoch, marking, None, row))
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
            written.append(WrittenSet(obj, rec.epoch, marking, found[0], None))
    for row, pk in zip(new, allocate_ids(ElementSet, len(new)), strict=True):
        row[0] = pk
    moved, fresh_pointers, recompute = choose_current(written)
    for obj, elset_id in fresh_pointers:
        obj.row[OBJECT_COLUMNS.index("current_elset_id")] = elset_id  # type: ignore[index]

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
        move_current(moved)
    if recompute:
        refresh_current(recompute)


def _resolve_objects(records: list[ElementSetRecord], ctx: _Context) -> dict[int, ObjectState]:
    """catalog number -> the object each record of the batch may write to.

    Objects the batch creates get their ids now; they are written with their element sets.
    """
    numbers = {r.norad_cat_id for r in records}
    queryset = SpaceObject.objects.filter(among("catalog_number", numbers))
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
        number: ObjectState(
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
) -> dict[int, ObjectState]:
    """Update the SATCAT fields of known objects; the new ones, given ids but not yet written."""
    marking = marking_columns(ctx.marking)
    latest: dict[int, ElementSetRecord] = {}
    for rec in records:
        if rec.norad_cat_id not in latest or rec.epoch >= latest[rec.norad_cat_id].epoch:
            latest[rec.norad_cat_id] = rec
    new: list[tuple[int, list[Any]]] = []
    changed: list[SpaceObject] = []
    changed_fields: set[str] = set()
    defaults = {name: model_field(SpaceObject, name).get_default() for name in OBJECT_FIELDS}
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
        created[number] = ObjectState(pk, level, noforn, mask, row=new_row)
    return created
