"""Clearances, nationalities, SpOC membership and roles: changed by security officers only,
with separation of duties, in force on the user's next request, and reconstructable by date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import access
from portal.markings.marking import Level
from portal.models import AccessChange, AccessChangeStatus, AuditEvent, Notice, Role, User

FVEY_SECRET = "Heightened RPO activity in GEO belt"  # SECRET//REL TO USA, FVEY
TOP_SECRET = "Special handling: restricted object list"  # TOP SECRET//NOFORN


def change_form(user: User, **overrides: Any) -> dict[str, Any]:
    data = {
        "clearance": user.clearance,
        "nationality": user.nationality,
        "spoc": user.spoc_id or "",
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "reason": "Posting to the watch floor",
        "effective_at": "",
    }
    data.update(overrides)
    if data["is_active"] is False:
        data["is_active"] = ""
    return {key: value for key, value in data.items() if value != "" or key in {"reason", "effective_at"}}


def notice_titles(client: Client) -> set[str]:
    html = client.get(reverse("notice-list")).content.decode()
    return {title for title in Notice.objects.values_list("title", flat=True) if title in html}


def test_a_raised_clearance_shows_more_on_the_users_next_request_in_the_same_session(
    coalition: dict[str, User], client: Client
) -> None:
    visitor = coalition["visitor"]  # USA, UNCLASSIFIED
    visitor_client = Client()
    visitor_client.force_login(visitor)
    assert FVEY_SECRET not in notice_titles(visitor_client)

    client.force_login(coalition["security_officer"])
    response = client.post(
        reverse("security-user", args=[visitor.pk]), change_form(visitor, clearance=int(Level.SECRET))
    )
    assert response.status_code == 302
    visitor.refresh_from_db()
    assert visitor.clearance == Level.SECRET
    # The same session, not signed in again: the access is read on every request.
    assert FVEY_SECRET in notice_titles(visitor_client)
    assert TOP_SECRET not in notice_titles(visitor_client)


def test_a_revoked_clearance_takes_effect_on_the_next_request(
    coalition: dict[str, User], client: Client
) -> None:
    us_operator = coalition["us_operator"]
    operator_client = Client()
    operator_client.force_login(us_operator)
    assert "SSN radar retasking plan" in notice_titles(operator_client)
    access.request_change(
        coalition["security_officer"], us_operator, {"clearance": int(Level.CUI)}, reason="Clearance lapsed"
    )
    assert "SSN radar retasking plan" not in notice_titles(operator_client)


def test_a_deactivated_user_is_signed_out_on_the_next_request(
    coalition: dict[str, User], client: Client
) -> None:
    uk_client = Client()
    uk_client.force_login(coalition["uk_staff"])
    assert uk_client.get(reverse("notice-list")).status_code == 200
    client.force_login(coalition["security_officer"])
    client.post(
        reverse("security-user", args=[coalition["uk_staff"].pk]),
        change_form(coalition["uk_staff"], is_active=False, reason="Left the UK SpOC"),
    )
    response = uk_client.get(reverse("notice-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_future_change_waits_for_its_effective_time_then_applies_on_the_next_request(
    coalition: dict[str, User],
) -> None:
    visitor = coalition["visitor"]
    start = timezone.now() + dt.timedelta(hours=2)
    change = access.request_change(
        coalition["security_officer"],
        visitor,
        {"clearance": int(Level.SECRET)},
        reason="Starts on the night watch",
        effective_at=start,
    )
    assert change.status == AccessChangeStatus.APPROVED
    visitor.refresh_from_db()
    assert visitor.clearance == Level.UNCLASSIFIED and visitor.access_change_due == start
    assert not access.apply_if_due(visitor, start - dt.timedelta(seconds=1))
    assert access.apply_if_due(visitor, start)
    assert visitor.clearance == Level.SECRET and visitor.access_change_due is None


def test_nobody_changes_their_own_access(coalition: dict[str, User], client: Client) -> None:
    officer = coalition["security_officer"]
    with pytest.raises(access.AccessChangeRefused, match="own"):
        access.request_change(officer, officer, {"role": Role.NONE}, reason="testing")
    client.force_login(officer)
    page = client.get(reverse("security-user", args=[officer.pk])).content.decode()
    assert "Nobody changes their own access" in page
    response = client.post(reverse("security-user", args=[officer.pk]), change_form(officer, clearance=0))
    assert response.status_code == 400
    officer.refresh_from_db()
    assert officer.clearance == Level.TOP_SECRET


def test_nobody_grants_above_their_own_clearance(coalition: dict[str, User]) -> None:
    officer = coalition["security_officer"]
    officer.clearance = Level.SECRET
    officer.save()
    with pytest.raises(access.AccessChangeRefused, match="above their own"):
        access.request_change(officer, coalition["visitor"], {"clearance": int(Level.TOP_SECRET)}, reason="x")


@pytest.mark.parametrize("username", ["agreement_admin", "us_operator", "uk_staff"])
def test_only_security_officers_reach_the_pages_or_change_access(
    coalition: dict[str, User], client: Client, username: str
) -> None:
    client.force_login(coalition[username])
    visitor = coalition["visitor"]
    assert client.get(reverse("security-users")).status_code == 404
    response = client.post(reverse("security-user", args=[visitor.pk]), change_form(visitor, clearance=3))
    assert response.status_code == 404
    with pytest.raises(access.AccessChangeRefused):
        access.request_change(coalition[username], visitor, {"clearance": 3}, reason="x")
    visitor.refresh_from_db()
    assert visitor.clearance == Level.UNCLASSIFIED


def test_a_top_secret_grant_waits_for_a_second_officer(coalition: dict[str, User], client: Client) -> None:
    us_operator = coalition["us_operator"]
    first, second = coalition["security_officer"], coalition["security_officer2"]
    change = access.request_change(
        first, us_operator, {"clearance": int(Level.TOP_SECRET)}, reason="Read-in to the special programme"
    )
    assert change.status == AccessChangeStatus.PENDING
    us_operator.refresh_from_db()
    assert us_operator.clearance == Level.SECRET
    with pytest.raises(access.AccessChangeRefused, match="second security officer"):
        access.approve(first, change)
    with pytest.raises(access.AccessChangeRefused):
        access.approve(us_operator, change)

    client.force_login(second)
    assert "Read-in to the special programme" in client.get(reverse("security-approvals")).content.decode()
    client.post(reverse("security-approve", args=[change.pk]), {"note": "Read-in confirmed"})
    change.refresh_from_db()
    assert change.status == AccessChangeStatus.APPLIED and change.decided_by == second
    us_operator.refresh_from_db()
    assert us_operator.clearance == Level.TOP_SECRET
    with pytest.raises(access.AccessChangeRefused, match="decided already"):
        access.approve(second, change)


def test_a_nationality_change_waits_for_a_second_officer_who_may_refuse_it(
    coalition: dict[str, User],
) -> None:
    visitor = coalition["visitor"]
    change = access.request_change(
        coalition["security_officer"], visitor, {"nationality": "GBR"}, reason="Exchange officer"
    )
    assert change.status == AccessChangeStatus.PENDING
    with pytest.raises(access.AccessChangeRefused, match="reason"):
        access.refuse(coalition["security_officer2"], change, "")
    access.refuse(coalition["security_officer2"], change, "Wrong person")
    visitor.refresh_from_db()
    assert visitor.nationality == "USA"
    assert AccessChange.objects.get(pk=change.pk).status == AccessChangeStatus.REFUSED


def test_a_raise_below_top_secret_needs_no_second_officer(coalition: dict[str, User]) -> None:
    change = access.request_change(
        coalition["security_officer"], coalition["visitor"], {"clearance": int(Level.SECRET)}, reason="x"
    )
    assert change.status == AccessChangeStatus.APPLIED and not change.needs_approval


def test_a_change_must_make_a_valid_user(coalition: dict[str, User], client: Client) -> None:
    uk_staff = coalition["uk_staff"]
    with pytest.raises(access.AccessChangeRefused, match="US persons"):
        access.request_change(coalition["security_officer"], uk_staff, {"role": Role.US_OPERATOR}, reason="x")
    client.force_login(coalition["security_officer"])
    response = client.post(
        reverse("security-user", args=[uk_staff.pk]), change_form(uk_staff, spoc="", reason="Left the SpOC")
    )
    assert response.status_code == 400
    assert "must belong to a SpOC" in response.content.decode()


def test_every_change_and_decision_is_audited(coalition: dict[str, User]) -> None:
    us_operator = coalition["us_operator"]
    change = access.request_change(
        coalition["security_officer"], us_operator, {"clearance": int(Level.TOP_SECRET)}, reason="x"
    )
    access.approve(coalition["security_officer2"], change)
    events = AuditEvent.objects.filter(model="portal.accesschange", object_id=str(change.pk))
    assert {"security_officer", "security_officer2"} <= set(events.values_list("actor_name", flat=True))
    assert AuditEvent.objects.filter(
        model="portal.user", object_id=str(us_operator.pk), action="update"
    ).exists()


def test_a_security_officer_creates_a_user_whose_top_secret_waits_for_approval(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["security_officer"])
    response = client.post(
        reverse("security-user-create"),
        {
            "username": "ca_analyst",
            "email": "ca@portal.example",
            "password": "a-long-demo-passphrase-42",
            "nationality": "USA",
            "clearance": int(Level.TOP_SECRET),
            "role": Role.US_OPERATOR,
            "reason": "New analyst",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ca_analyst")
    assert user.clearance == Level.UNCLASSIFIED and user.role == Role.NONE
    pending = AccessChange.objects.get(user=user, status=AccessChangeStatus.PENDING)
    access.approve(coalition["security_officer2"], pending)
    user.refresh_from_db()
    assert user.clearance == Level.TOP_SECRET and user.role == Role.US_OPERATOR


def test_access_on_any_date_is_reconstructed_from_the_dated_changes(coalition: dict[str, User]) -> None:
    visitor = coalition["visitor"]
    officer = coalition["security_officer"]
    joined = visitor.date_joined
    first = access.request_change(officer, visitor, {"clearance": int(Level.SECRET)}, reason="grant")
    second = access.request_change(officer, visitor, {"clearance": int(Level.CUI)}, reason="reduce")
    assert first.in_force_at is not None and second.in_force_at is not None
    before = access.access_on(visitor, first.in_force_at - dt.timedelta(microseconds=1))
    assert before is not None and before.clearance == Level.UNCLASSIFIED
    middle = access.access_on(visitor, first.in_force_at)
    assert middle is not None and middle.clearance == Level.SECRET
    after = access.access_on(visitor, second.in_force_at)
    assert after is not None and after.clearance == Level.CUI
    assert access.access_on(visitor, joined - dt.timedelta(days=1)) is None


def test_the_users_page_shows_the_access_on_a_date(coalition: dict[str, User], client: Client) -> None:
    visitor = coalition["visitor"]
    visitor.date_joined = timezone.now() - dt.timedelta(days=3)
    visitor.save()
    access.request_change(
        coalition["security_officer"], visitor, {"clearance": int(Level.SECRET)}, reason="Night watch"
    )
    client.force_login(coalition["security_officer2"])
    url = reverse("security-user", args=[visitor.pk])
    yesterday = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    page = client.get(url, {"on": yesterday}).content.decode()
    assert "Night watch" in page
    then = page.split('class="access-then"')[1]
    assert "UNCLASSIFIED" in then.split("</div>")[0]
    page = client.get(url, {"on": timezone.now().date().isoformat()}).content.decode()
    assert "SECRET" in page.split('class="access-then"')[1].split("</div>")[0]
    assert client.get(url, {"on": "not a date"}).status_code == 200
