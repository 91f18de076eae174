"""Submitting a request grants its SpOC's staff group the view and answer permissions on it:
each once, each audited, in a handful of queries."""

from __future__ import annotations

from typing import Any

from portal.models import AuditAction, AuditEvent
from tasking.models import TaskingRequestGroupObjectPermission
from tasking.services.staff import grant_to_spoc_staff, staff_group

from .conftest import World


def test_submitting_grants_view_and_answer_to_the_staff_group_once_each_audited(world: World) -> None:
    request = world.file()
    group = staff_group(world.spocs["uk-spoc"])
    grants = TaskingRequestGroupObjectPermission.objects.filter(content_object=request)
    assert sorted(grants.values_list("group__name", "permission__codename")) == [
        (group.name, "answer_taskingrequest"),
        (group.name, "view_taskingrequest"),
    ]
    audited = AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        model="tasking.taskingrequestgroupobjectpermission",
        object_id__in=[str(pk) for pk in grants.values_list("pk", flat=True)],
    )
    assert audited.count() == 2
    grant_to_spoc_staff(request)
    assert grants.count() == 2 and audited.count() == 2


def test_granting_runs_a_handful_of_queries(world: World, django_assert_max_num_queries: Any) -> None:
    request = world.file()
    TaskingRequestGroupObjectPermission.objects.filter(content_object=request).delete()
    # The group, the two permissions, what the group holds, one insert and its one audit insert.
    with django_assert_max_num_queries(5):
        grant_to_spoc_staff(request)
    assert TaskingRequestGroupObjectPermission.objects.filter(content_object=request).count() == 2
