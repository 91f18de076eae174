"""Each partner SpOC's staff group: the holder of the object permissions on requests addressed to it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from portal import ownership
from portal.models import SpOC, User
from tasking.models import ANSWER_PERMISSION, VIEW_PERMISSION, TaskingRequest
from tasking.models.requests import ANSWER_GRANT_CACHE

GROUP_PREFIX = "SpOC staff: "


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
    group = staff_group(request.spoc)
    assign_perm(VIEW_PERMISSION, group, request)
    assign_perm(ANSWER_PERMISSION, group, request)


def staff_of(spoc: SpOC) -> list[Any]:
    return list(ownership.partner_staff_of([spoc.pk]))
