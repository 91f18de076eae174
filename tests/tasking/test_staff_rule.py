"""Whom a SpOC's requests reach (its staff group, its notifications) is the one partner-staff
rule of `portal.ownership`, not a query of its own."""

from __future__ import annotations

import pytest

from portal import ownership
from portal.models import Role, SpOC, User
from tasking.models import TaskingRequest
from tasking.services import notify, staff
from tests.factories import UserFactory


@pytest.fixture
def people(coalition: dict[str, User]) -> list[User]:
    """The personas and the cases where a looser query would differ from the rule."""
    uk = SpOC.objects.get(code="uk-spoc")
    us = SpOC.objects.get(code="us-spoc")
    UserFactory.create(
        username="uk_left", nationality="GBR", role=Role.PARTNER_STAFF, spoc=uk, is_active=False
    )
    UserFactory.create(username="us_on_watch", nationality="USA", role=Role.US_OPERATOR, spoc=us)
    UserFactory.create(username="uk_officer", nationality="GBR", role=Role.SECURITY_OFFICER, spoc=uk)
    UserFactory.create(username="uk_none", nationality="GBR", role=Role.NONE, spoc=uk)
    return list(User.objects.all())


def expected_staff(people: list[User], spoc: SpOC) -> set[str]:
    return {u.username for u in people if ownership.is_partner_staff(u) and u.spoc_id == spoc.pk}


def names(users: object) -> set[str]:
    return {u.username for u in users}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_spocs_staff_group_and_notifications_reach_exactly_its_partner_staff(people: list[User]) -> None:
    spocs = list(SpOC.objects.all())
    by_spoc = notify.partner_staff_of(s.pk for s in spocs)
    for spoc in spocs:
        wanted = expected_staff(people, spoc)
        assert names(staff.staff_of(spoc)) == wanted, spoc.code
        assert names(notify.partner_staff(TaskingRequest(spoc=spoc))) == wanted, spoc.code
        assert names(by_spoc.get(spoc.pk, [])) == wanted, spoc.code
    uk = SpOC.objects.get(code="uk-spoc")
    assert "uk_staff" in expected_staff(people, uk)  # the rule has someone to find
    assert not expected_staff(people, uk) & {"uk_left", "uk_officer", "uk_none"}


@pytest.mark.django_db
def test_the_staff_query_is_the_partner_staff_rule(people: list[User]) -> None:
    everyone = [s.pk for s in SpOC.objects.all()]
    assert names(ownership.partner_staff_of(everyone)) == {
        u.username for u in people if ownership.is_partner_staff(u)
    }
