"""Who may answer a request: staff of the SpOC asked holding the answer permission on it,
through their staff group or granted to them alone; nobody else, and nothing else counts."""

from __future__ import annotations

from guardian.shortcuts import assign_perm, remove_perm

from portal.models import Role
from tasking.models import ANSWER_PERMISSION, VIEW_PERMISSION, TaskingRequest
from tasking.services.staff import staff_group, sync_staff_membership

from .conftest import World


def answerable(user: object) -> set[int]:
    return set(TaskingRequest.objects.answerable_by(user).values_list("pk", flat=True))


def test_the_staff_group_grant_makes_a_request_answerable(world: World) -> None:
    filed = world.file(title="Granted to the UK staff group")
    assert filed.pk in answerable(world.users["uk_staff"])
    assert filed.pk not in answerable(world.users["au_staff"])


def test_a_view_grant_alone_does_not_and_a_personal_answer_grant_does(world: World) -> None:
    uk_staff = world.users["uk_staff"]
    filed = world.file(title="Personal grant")
    remove_perm(ANSWER_PERMISSION, staff_group(filed.spoc), filed)
    assert filed.pk not in answerable(uk_staff)
    assign_perm(VIEW_PERMISSION, uk_staff, filed)
    assert filed.pk not in answerable(uk_staff)
    assign_perm(ANSWER_PERMISSION, uk_staff, filed)
    assert filed.pk in answerable(uk_staff)


def test_leaving_the_staff_group_ends_it_at_once_for_the_same_user_object(world: World) -> None:
    uk_staff = world.users["uk_staff"]
    filed = world.file(title="Then the role changes")
    assert filed.pk in answerable(uk_staff)
    uk_staff.role = Role.NONE
    uk_staff.save()
    sync_staff_membership(uk_staff)
    assert filed.pk not in answerable(uk_staff)
