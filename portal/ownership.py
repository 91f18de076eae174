"""Who may change a record, beyond the marking rule (which decides whether it is seen at all).

Each model that belongs to a SpOC declares an `OwnershipRule` as its `ownership` attribute:
the field naming the SpOC on whose behalf the record was authored (always the author's own
SpOC, never a value the client sends), whether that SpOC's staff may edit and delete it
afterwards (not where the record is history that must stay: deliveries, messages), and the
roles that manage every such record (agreement admins for sensors). Views, viewsets and
services ask `may_change(user, obj)`; nothing else decides it. Marking downgrades are not an
ownership question: they belong to the security officer (`portal.marking_changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from portal.errors import NotAllowed


@dataclass(frozen=True)
class OwnershipRule:
    owner_field: str | None
    owner_may_edit: bool = True
    managed_by: frozenset[str] = frozenset()
    why: str = ""


def rule_of(model: type[models.Model] | models.Model) -> OwnershipRule | None:
    rule = getattr(model, "ownership", None)
    return rule if isinstance(rule, OwnershipRule) else None


def owner_spoc_id(obj: models.Model) -> int | None:
    rule = rule_of(obj)
    if rule is None or rule.owner_field is None:
        return None
    return getattr(obj, f"{rule.owner_field}_id", None)


def manages(user: Any, model: type[models.Model] | models.Model) -> bool:
    """True when `user` holds a role that manages every record of `model`."""
    rule = rule_of(model)
    return bool(
        rule is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role in rule.managed_by
    )


def may_change(user: Any, obj: models.Model) -> bool:
    """May `user` edit or delete `obj`? A model without a rule is changed by nobody this way."""
    rule = rule_of(obj)
    if rule is None or not getattr(user, "is_authenticated", False):
        return False
    if manages(user, obj):
        return True
    if not rule.owner_may_edit:
        return False
    spoc_id = owner_spoc_id(obj)
    return spoc_id is not None and user.is_staff_of(spoc_id)


def authoring_spoc(user: Any, model: type[models.Model], requested: Any = None) -> Any:
    """The SpOC a new record of `model` is authored for: the author's own. A managing role may
    name another (`requested`); anyone else naming another SpOC is refused."""
    if requested is not None and manages(user, model):
        return requested
    own = getattr(user, "spoc", None) if getattr(user, "works_for_a_spoc", False) else None
    if own is None:
        raise NotAllowed("Only a SpOC's staff author this record, for their own SpOC.", field="spoc")
    if requested is not None and requested.pk != own.pk:
        raise NotAllowed("You author records only for your own SpOC.", field="spoc")
    return own


def check_change(user: Any, obj: models.Model) -> None:
    if not may_change(user, obj):
        raise NotAllowed("Only the staff of the SpOC this record belongs to may change it.")
