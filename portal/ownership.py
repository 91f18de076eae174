"""Who is who, and who may see or change a record beyond the marking rule (which decides
whether it is seen at all). The one definition of each, used by every app:

- `is_us_side(user)` (`User.is_us_side`): the US side of the exchange (an active US person
  holding a US role: operator, agreement admin, security officer). They read every SpOC's
  records their marking allows.
- `User.works_for_a_spoc` / `User.is_staff_of(spoc_id)`: who is staff of which SpOC (partner
  staff, and US operators of the US SpOC); `is_partner_staff(user)`: partner staff, and
  `partner_staff_of(spoc_ids)` the same rule as a query (whom a SpOC's requests reach).
- `of_visible_spocs(queryset, user)`: records that belong to a SpOC (deliveries, sync runs,
  partner id mappings, and through them background runs): the US side sees every SpOC's, staff
  their own SpOC's, anyone else none. Marked models apply it in their `accessible_to`, so
  `portal.references.readable` applies it too.
- `reads_everything(user)`: who may see what is computed over every record whatever its
  marking (the counts of the portal's periodic work): the US side cleared TOP SECRET.

Each model that belongs to a SpOC declares an `OwnershipRule` as its `ownership` attribute:
the field naming the SpOC on whose behalf the record was authored (always the author's own
SpOC, never a value the client sends), whether that SpOC's staff may edit and delete it
afterwards (not where the record is history that must stay: deliveries, messages), and the
roles that manage every such record (agreement admins for sensors). Views, viewsets and
services ask `may_change(user, obj)`; nothing else decides it. Marking downgrades are not an
ownership question: they belong to the security officer (`portal.marking_changes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet

from portal.errors import NotAllowed
from portal.markings.marking import Level
from portal.markings.models import MarkedQuerySet


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def is_us_side(user: Any) -> bool:
    """The US side of the exchange (`User.is_us_side`): an active US person with a US role."""
    return _active(user) and bool(getattr(user, "is_us_side", False))


def is_partner_staff(user: Any) -> bool:
    """Active staff of a partner SpOC (`User.is_partner_staff`)."""
    return _active(user) and bool(getattr(user, "is_partner_staff", False))


def partner_staff_of(spoc_ids: Iterable[int]) -> QuerySet[Any]:
    """The users of whom `is_partner_staff` holds, working for one of `spoc_ids`: its SQL form
    (who is told of, and holds the permissions on, what is addressed to a SpOC)."""
    return get_user_model().partner_staff_of(spoc_ids)


def staff_spoc_id(user: Any) -> int | None:
    """The SpOC `user` works for, or None."""
    return user.spoc_id if _active(user) and getattr(user, "works_for_a_spoc", False) else None


def sees_spoc(user: Any, spoc_id: int | None) -> bool:
    """May `user` see the records of SpOC `spoc_id` (marking rule aside)?"""
    return is_us_side(user) or (spoc_id is not None and staff_spoc_id(user) == spoc_id)


def of_visible_spocs(queryset: QuerySet[Any], user: Any, field: str = "spoc") -> QuerySet[Any]:
    """The rows of `queryset` (of a model owned by a SpOC through `field`) that `user` may see
    marking rule aside: all for the US side, their own SpOC's for its staff, else none."""
    if is_us_side(user):
        return queryset
    spoc_id = staff_spoc_id(user)
    if spoc_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id": spoc_id})


class SpocOwnedQuerySet(MarkedQuerySet):
    """The queryset of a marked model owned by a SpOC: `accessible_to(user)` is the marking
    rule and `of_visible_spocs`, the one rule of the pages, the API and references."""

    owner_field = "spoc"

    def accessible_to(self, user: Any) -> Any:
        return of_visible_spocs(self.visible_to(user), user, self.owner_field)


def reads_everything(user: Any) -> bool:
    """May `user` see a value computed over every record, whatever its marking?"""
    return is_us_side(user) and int(getattr(user, "clearance", -1)) >= Level.TOP_SECRET


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
