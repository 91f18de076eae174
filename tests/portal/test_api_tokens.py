"""API tokens: issued from a signed-in session with the password, bound to one SpOC, with an
expiry, revocable, listed for their owner only, and never readable in the admin."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portal import access, api_tokens
from portal.models import ApiToken, SpOC, User
from portal.testing import sign_in


def api(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def issue_in_browser(client: Client, **form: object) -> str:
    response = client.post(reverse("api-tokens"), {"name": "delivery client", "days": 30, **form})
    match = re.search(r'<code class="new-token">([^<]+)</code>', response.content.decode())
    return match.group(1) if match else ""


def test_a_partner_issues_a_token_in_the_browser_and_the_client_uses_it(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["uk_staff"])
    key = issue_in_browser(client, password="coalition-demo")
    assert key
    assert api(key).get("/api/me/").json()["username"] == "uk_staff"
    token = ApiToken.objects.get(user=coalition["uk_staff"])
    assert token.spoc.code == "uk-spoc" and token.digest != key and key not in str(token.__dict__)
    assert token.expires_at - token.created == dt.timedelta(days=30)
    listing = client.get(reverse("api-tokens")).content.decode()
    assert "delivery client" in listing and key not in listing and token.prefix in listing


def test_issuing_needs_the_password_again(coalition: dict[str, User], client: Client) -> None:
    client.force_login(coalition["uk_staff"])
    assert issue_in_browser(client, password="wrong") == ""
    assert not ApiToken.objects.exists()


def test_a_session_that_has_not_passed_the_second_factor_cannot_issue(coalition: dict[str, User]) -> None:
    admin_user = coalition["security_officer"]
    admin_user.spoc = SpOC.objects.get(code="us-spoc")
    admin_user.save()
    unverified = sign_in(Client(), admin_user, second_factor=False)
    response = unverified.post(reverse("api-tokens"), {"name": "x", "days": 1, "password": "coalition-demo"})
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_a_revoked_or_expired_token_is_refused_like_an_unknown_one(coalition: dict[str, User]) -> None:
    uk_staff = coalition["uk_staff"]
    revoked, revoked_key = api_tokens.issue(uk_staff, name="old")
    expired, expired_key = api_tokens.issue(uk_staff, name="short", days=1)
    api_tokens.revoke(uk_staff, revoked)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    answers = [api(key).get("/api/me/") for key in (revoked_key, expired_key, "no-such-token")]
    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert len({answer.content for answer in answers}) == 1


def test_a_token_stops_when_its_user_leaves_the_spoc_or_is_deactivated(coalition: dict[str, User]) -> None:
    au_staff, uk_staff = coalition["au_staff"], coalition["uk_staff"]
    _, au_key = api_tokens.issue(au_staff, name="au client")
    _, uk_key = api_tokens.issue(uk_staff, name="uk client")
    officer = coalition["security_officer"]
    access.request_change(officer, au_staff, {"spoc": SpOC.objects.get(code="uk-spoc").pk}, reason="Moved")
    access.request_change(officer, uk_staff, {"is_active": False}, reason="Left")
    assert api(au_key).get("/api/me/").status_code == 401
    assert api(uk_key).get("/api/me/").status_code == 401


def test_only_the_owner_sees_and_revokes_a_token(coalition: dict[str, User], client: Client) -> None:
    token, key = api_tokens.issue(coalition["uk_staff"], name="uk client")
    client.force_login(coalition["au_staff"])
    assert "uk client" not in client.get(reverse("api-tokens")).content.decode()
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert api(key).get("/api/me/").status_code == 200
    client.force_login(coalition["uk_staff"])
    client.post(reverse("api-token-revoke", args=[token.pk]))
    assert api(key).get("/api/me/").status_code == 401


def test_a_user_of_no_spoc_gets_no_token(coalition: dict[str, User]) -> None:
    try:
        api_tokens.issue(coalition["visitor"], name="x")
    except api_tokens.TokenRefused as exc:
        assert "no SpOC" in str(exc)
    else:
        raise AssertionError("a token was issued without a SpOC")


def test_a_superuser_cannot_read_any_token_in_the_admin(coalition: dict[str, User]) -> None:
    token, key = api_tokens.issue(coalition["uk_staff"], name="uk client")
    root = User.objects.create_superuser("root", nationality="USA", clearance=4, password="x")
    admin_client = sign_in(Client(), root)
    pages = [
        admin_client.get(reverse("admin:portal_apitoken_changelist")),
        admin_client.get(reverse("admin:portal_apitoken_change", args=[token.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert key not in html and token.digest not in html
    assert admin_client.get("/admin/authtoken/").status_code == 404
