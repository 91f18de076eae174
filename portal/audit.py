"""Writing the audit trail.

Who acts comes from the request (set by `AuditContextMiddleware`, or by the API base classes
once DRF has authenticated a token) or, in a background task, from `acting_as`.

Reads: whatever shows a record marked CONFIDENTIAL or above calls `record_reads` (the list and
detail bases of pages and API, every serializer of a marked record, `{% portion %}` /
`{% mark_page %}` in templates, the marked admin). During a request the records are gathered
(`reading`) and written when the response is ready, one `read` row per record however many
parts of the page showed it, and none for a record the same request created, changed or
deleted (that change is its one row). Outside a request a read is written at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from portal.bulk import insert_rows
from portal.markings.marking import Level, Marking
from portal.model_labels import PORTAL_APPS
from portal.models.audit import AuditAction, AuditEvent

AUDITED_APPS = set(PORTAL_APPS)
UNAUDITED_MODELS = {"portal.auditevent", "portal.taskrun"}


@dataclass
class Actor:
    user: Any = None
    name: str = "system"
    remote_addr: str | None = None
    path: str = ""


_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


class ReadLedger:
    """The classified records one response shows, each once, and those it wrote. A child
    record without a marking of its own (`read_through`: a data-plan entry, an outage) is
    a read of its parent, loaded with the others of its model in one query when written."""

    def __init__(self) -> None:
        self.shown: dict[tuple[str, str], models.Model] = {}
        self.written: set[tuple[str, str]] = set()
        self.parents: dict[type[models.Model], set[Any]] = {}
        # Every record passed, classified or not: a parent among them needs no loading.
        self.seen: set[tuple[str, str]] = set()

    def note(self, obj: models.Model) -> None:
        self.shown.setdefault(_key(obj), obj)
        self.seen.add(_key(obj))

    def note_parent(self, model: type[models.Model], pk: Any) -> None:
        if (model._meta.label_lower, str(pk)) not in self.shown:
            self.parents.setdefault(model, set()).add(pk)

    def events(self, actor: Actor) -> list[AuditEvent]:
        for model, pks in self.parents.items():
            label = model._meta.label_lower
            unseen = [pk for pk in pks if (label, str(pk)) not in self.seen]  # passed since noted
            for parent in model._default_manager.filter(pk__in=unseen) if unseen else ():
                if is_classified(parent):
                    self.note(parent)
        self.parents.clear()
        return [
            _event(AuditAction.READ, obj, actor, None)
            for key, obj in self.shown.items()
            if key not in self.written
        ]


def _parent_of(obj: Any) -> tuple[type[models.Model], Any] | None:
    """(parent model, parent id) of a child record read through a marked parent."""
    name = getattr(type(obj), "read_through", None)
    if not isinstance(obj, models.Model) or not name:
        return None
    field = obj._meta.get_field(name)
    related = field.related_model
    pk = getattr(obj, getattr(field, "attname", name), None)
    if not isinstance(related, type) or pk is None or not hasattr(related, "classification_level"):
        return None
    return related, pk


_ledger: ContextVar[ReadLedger | None] = ContextVar("audit_reads", default=None)


def _key(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


@contextlib.contextmanager
def reading() -> Iterator[ReadLedger]:
    """Gather the reads of one response; `write_reads` writes them once it is ready."""
    ledger = ReadLedger()
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


def write_reads(ledger: ReadLedger) -> int:
    events = ledger.events(current_actor())
    ledger.shown.clear()
    AuditEvent.objects.bulk_create(events)
    return len(events)


def current_actor() -> Actor:
    return _actor.get() or Actor()


def set_user(user: Any) -> None:
    """Name the authenticated user of the current request (DRF authenticates after middleware)."""
    actor = _actor.get()
    if actor is not None and getattr(user, "is_authenticated", False):
        actor.user = user
        actor.name = user.get_username()


def is_audited(model: type[models.Model]) -> bool:
    meta = model._meta
    return meta.app_label in AUDITED_APPS and meta.label_lower not in UNAUDITED_MODELS


def _event(action: str, obj: models.Model | None, actor: Actor, detail: dict[str, Any] | None) -> AuditEvent:
    marking = getattr(obj, "marking", None) if obj is not None else None
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    return AuditEvent(
        actor=user,
        actor_name=(user.get_username() if user else actor.name)[:150],
        action=action,
        model=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        marking=str(marking) if marking is not None else "",
        classification_level=int(marking.level) if marking is not None else None,
        remote_addr=actor.remote_addr,
        path=actor.path[:300],
        detail=detail or {},
    )


def record(action: str, obj: models.Model | None = None, *, detail: dict[str, Any] | None = None) -> None:
    _event(action, obj, current_actor(), detail).save()
    ledger = _ledger.get()
    if ledger is not None and obj is not None and obj.pk is not None:
        ledger.written.add(_key(obj))


def record_many(action: str, objects: Iterable[models.Model], *, detail: dict[str, Any] | None = None) -> int:
    """One event per object, written in one insert (set-based sweeps that bypass model signals)."""
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    return sum(
        record_rows(
            action,
            model,
            ((obj.pk, str(obj), getattr(obj, "marking", None)) for obj in group),
            detail=detail,
        )
        for model, group in by_model.items()
    )


_ROW_COLUMNS = ("object_id", "object_repr", "marking", "classification_level")


def record_rows(
    action: str,
    model: type[models.Model],
    rows: Iterable[tuple[Any, str, Marking | None]],
    *,
    detail: dict[str, Any] | None = None,
) -> int:
    """One event per (primary key, text, marking) of records of `model`: what `record_many`
    writes for loaded objects, for a sweep that holds only their columns."""
    actor = current_actor()
    user = actor.user if getattr(actor.user, "is_authenticated", False) else None
    label = model._meta.label_lower
    marked: dict[Marking | None, tuple[str, int | None]] = {None: ("", None)}
    written: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    for pk, text, marking in rows:
        if marking is not None and marking not in marked:
            marked[marking] = (str(marking), int(marking.level))
        written.append((str(pk), text[:200], *marked[marking]))
        if pk is not None:
            keys.append((label, str(pk)))
    shared = {
        "at": timezone.now(),
        "actor_id": user.pk if user else None,
        "actor_name": (user.get_username() if user else actor.name)[:150],
        "action": action,
        "model": label,
        "remote_addr": actor.remote_addr,
        "path": actor.path[:300],
        "detail": detail or {},
    }
    insert_rows(AuditEvent, _ROW_COLUMNS, written, shared=shared)
    ledger = _ledger.get()
    if ledger is not None:
        ledger.written.update(keys)
    return len(written)


def is_classified(obj: Any) -> bool:
    """A stored record marked CONFIDENTIAL or above (what a read is recorded for)."""
    return (
        isinstance(obj, models.Model)
        and obj.pk is not None
        and (getattr(obj, "classification_level", None) or -1) >= Level.CONFIDENTIAL
    )


def record_reads(objects: Iterable[Any]) -> int:
    """Record a read of every record marked CONFIDENTIAL or above among `objects` (and of the
    classified parent of a child among them). Within a request the rows are written with the
    response, once per record; outside one at once (returning how many were written)."""
    objects = list(objects)
    shown = [obj for obj in objects if is_classified(obj)]
    ledger = _ledger.get()
    standalone = ledger is None
    if ledger is None:
        ledger = ReadLedger()
    for obj in shown:
        ledger.note(obj)
    for obj in objects:
        if isinstance(obj, models.Model):
            ledger.seen.add(_key(obj))
        parent = _parent_of(obj)
        if parent is not None:
            ledger.note_parent(*parent)
    if standalone:
        return write_reads(ledger)
    return len(shown)


def record_bulk(
    action: str, model: type[models.Model], count: int, detail: dict[str, Any] | None = None
) -> None:
    """One event for a bulk write that bypasses model signals (imports, ingest)."""
    actor = current_actor()
    event = _event(action, None, actor, {"count": count, **(detail or {})})
    event.model = model._meta.label_lower
    event.save()
