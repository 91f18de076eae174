"""The current-element-set rule: which element set stands for a catalog object.

An object points at its latest element set that every reader of the object may read (a set
never shows more than its object: `may_stand_for`). `choose_current` applies the rule to the
sets one import batch writes; `move_current` writes the moved pointers in one statement;
`refresh_current` recomputes pointers in SQL when a set that stood for its object no longer may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, ExpressionWrapper, F, OuterRef, Subquery

from catalog.models import ElementSet, SpaceObject


@dataclass(slots=True)
class ObjectState:
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
class WrittenSet:
    """An element set a batch writes: `row` for a new one (its id in row[0]), `id` for an update."""

    obj: ObjectState
    epoch: dt.datetime
    marking: dict[str, Any]
    id: int | None
    row: list[Any] | None


def choose_current(
    written: list[WrittenSet],
) -> tuple[list[tuple[int, int]], list[tuple[ObjectState, int]], set[int]]:
    """Where this batch's sets move the objects' current-element-set pointers.

    Returns (object id, element set id) pairs for existing objects, (object, element set id)
    pairs for objects not yet written (their pointer goes into their row), and the objects whose
    current set was rewritten into one that may no longer stand for them (to be recomputed).
    """
    best: dict[int, tuple[dt.datetime, int] | None] = {}
    owners: dict[int, ObjectState] = {}
    recompute: set[int] = set()
    for item in written:
        obj = item.obj
        if obj.id not in owners:
            owners[obj.id] = obj
            current = obj.current_id
            best[obj.id] = (obj.current_epoch, current) if current is not None else None  # type: ignore[assignment]
        eligible = may_stand_for(item.marking, obj.level, obj.noforn, obj.mask)
        elset_id = item.id if item.id is not None else item.row[0]  # type: ignore[index]
        if item.id is not None and item.id == obj.current_id and not eligible:
            recompute.add(obj.id)
            continue
        candidate = (item.epoch, elset_id)
        chosen = best[obj.id]
        if eligible and (chosen is None or candidate > chosen):
            best[obj.id] = candidate
    moved = []
    fresh = []
    for object_id, chosen in best.items():
        obj = owners[object_id]
        if chosen is None or object_id in recompute or chosen[1] == obj.current_id:
            continue
        if obj.row is not None:
            fresh.append((obj, chosen[1]))
        else:
            moved.append((object_id, chosen[1]))
    return moved, fresh, recompute


def move_current(moved: list[tuple[int, int]]) -> None:
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


def may_stand_for(elset: dict[str, Any], level: int, noforn: bool, mask: int) -> bool:
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
