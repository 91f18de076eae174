"""Partners' own object ids mapped to catalog numbers.

A mapping that contradicts an active one of the same SpOC (the partner id already names another
object, or the object already has another partner id) is kept as a conflict for an admin to
review; nothing active is overwritten silently.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import MappingStatus, PartnerObjectMapping, SpaceObject
from portal.errors import Conflict
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import SpOC


def submit_mapping(
    *,
    spoc: SpOC,
    partner_object_id: str,
    space_object: SpaceObject,
    marking: Marking | str,
    user: Any = None,
    note: str = "",
) -> tuple[PartnerObjectMapping, bool]:
    """Record a mapping; returns it and whether it is new (resubmitting an active one is a no-op)."""
    partner_object_id = partner_object_id.strip()
    same = PartnerObjectMapping.objects.filter(
        spoc=spoc, partner_object_id=partner_object_id, space_object=space_object, status=MappingStatus.ACTIVE
    ).first()
    if same is not None:
        return same, False
    for _attempt in range(2):
        clash = _active_clash(spoc, partner_object_id, space_object)
        mapping = PartnerObjectMapping(
            spoc=spoc,
            partner_object_id=partner_object_id,
            space_object=space_object,
            status=MappingStatus.CONFLICT if clash else MappingStatus.ACTIVE,
            conflicts_with=clash,
            submitted_by=user if getattr(user, "is_authenticated", False) else None,
            note=note[:300],
            **marking_columns(marking),
        )
        try:
            with transaction.atomic():
                mapping.save()
        except IntegrityError:
            continue  # another submission became active meanwhile: this one is now a conflict
        return mapping, True
    raise Conflict("the mapping changed while it was being recorded; submit it again")


def _active_clash(
    spoc: SpOC, partner_object_id: str, space_object: SpaceObject
) -> PartnerObjectMapping | None:
    return (
        PartnerObjectMapping.objects.filter(spoc=spoc, status=MappingStatus.ACTIVE)
        .filter(Q(partner_object_id=partner_object_id) | Q(space_object=space_object))
        .first()
    )


def resolve_conflict(mapping: PartnerObjectMapping, *, accept: bool, user: Any) -> PartnerObjectMapping:
    """Accept a conflicting mapping (the active ones it contradicts are superseded) or reject it."""
    if mapping.status != MappingStatus.CONFLICT:
        raise Conflict(f"mapping {mapping.pk} is {mapping.status}, not a conflict", field="status")
    now = timezone.now()
    with transaction.atomic():
        if accept:
            PartnerObjectMapping.objects.filter(spoc=mapping.spoc, status=MappingStatus.ACTIVE).filter(
                Q(partner_object_id=mapping.partner_object_id) | Q(space_object=mapping.space_object)
            ).update(status=MappingStatus.SUPERSEDED, resolved=now, resolved_by=user)
        mapping.status = MappingStatus.ACTIVE if accept else MappingStatus.SUPERSEDED
        mapping.resolved = now
        mapping.resolved_by = user
        mapping.save(update_fields=["status", "resolved", "resolved_by"])
    return mapping
