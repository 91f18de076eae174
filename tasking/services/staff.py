"""Each partner SpOC's staff group: the holder of the object permissions on requests addressed to it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from portal import audit, ownership
from portal.models import AuditAction, SpOC, User
from tasking.models import (
    ANSWER_PERMISSION,
    VIEW_PERMISSION,
    TaskingRequest,
    TaskingRequestGroupObjectPermission,
)
from tasking.models.requests import ANSWER_GRANT_CACHE

GROUP_PREFIX = "SpOC staff: "
# What the staff of the SpOC a request is addressed to may do with it, in the order granted.
GRANTED = (VIEW_PERMISSION, ANSWER_PERMISSION)


def staff_group(spoc: SpOC) -> Group:
    group, _ = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{spoc.code}")
    return group


def sync_staff_membership(user: User) -> None:
    """Keep `user` in exactly the staff group of their SpOC, while they are active partner staff."""
    wanted = staff_group(user.spoc) if ownership.is_partner_staff(user) and user.spoc is not None else None
    stale = [g for g in user.groups.filter(name__startswith=GROUP_PREFIX) if g != wanted]
    if stale:
        user.groups.remove(*stale)
    if wanted is not None and not user.groups.filter(pk=wanted.pk).exists():
        user.groups.add(wanted)
    user.__dict__.pop(ANSWER_GRANT_CACHE, None)  # answerable_by reads the groups afresh


def grant_to_spoc_staff(request: TaskingRequest) -> None:
    """Let the SpOC's staff group read and answer `request`: the two grants written in one insert
    (and audited in one) rather than guardian's lookup, savepoint and insert per permission."""
    group = staff_group(request.spoc)
    codenames = [name.split(".", 1)[1] for name in GRANTED]
    ctype = ContentType.objects.get_for_model(TaskingRequest)
    permissions = {
        p.codename: p for p in Permission.objects.filter(content_type=ctype, codename__in=codenames)
    }
    held = set(
        TaskingRequestGroupObjectPermission.objects.filter(
            group=group, content_object=request, permission__in=permissions.values()
        ).values_list("permission__codename", flat=True)
    )
    grants = [
        TaskingRequestGroupObjectPermission(group=group, permission=permissions[name], content_object=request)
        for name in codenames
        if name not in held
    ]
    TaskingRequestGroupObjectPermission.objects.bulk_create(grants)
    audit.record_many(AuditAction.CREATE, grants)


def staff_of(spoc: SpOC) -> list[Any]:
    return list(ownership.partner_staff_of([spoc.pk]))
