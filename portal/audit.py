"""Writing the audit trail.

Who acts comes from the request (set by `AuditContextMiddleware`, or by the API base classes
once DRF has authenticated a token) or, in a background task, from `acting_as`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models

from portal.markings.marking import Level
from portal.models.audit import AuditAction, AuditEvent

AUDITED_APPS = {"portal", "agreements", "catalog", "tasking"}
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


def record_many(action: str, objects: Iterable[models.Model], *, detail: dict[str, Any] | None = None) -> int:
    """One event per object, written in one insert (set-based sweeps that bypass model signals)."""
    actor = current_actor()
    events = [_event(action, obj, actor, detail) for obj in objects]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def record_reads(objects: Iterable[models.Model]) -> int:
    """Record a read of every object marked CONFIDENTIAL or above; returns how many."""
    actor = current_actor()
    events = [
        _event(AuditAction.READ, obj, actor, None)
        for obj in objects
        if getattr(obj, "classification_level", -1) >= Level.CONFIDENTIAL
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)


def record_bulk(
    action: str, model: type[models.Model], count: int, detail: dict[str, Any] | None = None
) -> None:
    """One event for a bulk write that bypasses model signals (imports, ingest)."""
    actor = current_actor()
    event = _event(action, None, actor, {"count": count, **(detail or {})})
    event.model = model._meta.label_lower
    event.save()
