"""Signing in: a one-time password (TOTP) after the password for agreement admins, security
officers and the admin site; the demo's codes come from `manage.py demo_otp`."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from portal.models import User
from portal.second_factor import base32_key, confirmed_device, enrolment_device
from portal.testing import sign_in


def password_login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": "coalition-demo"})
    assert response.status_code == 302
    return client


def demo_code(username: str) -> str:
    out = StringIO()
    call_command("demo_otp", "--json", stdout=out)
    codes = {entry["username"]: entry["code"] for entry in json.loads(out.getvalue())["codes"]}
    return codes[username]


def test_a_security_officer_reaches_nothing_before_the_one_time_password(coalition: dict[str, User]) -> None:
    client = password_login("security_officer")
    for url in (reverse("home"), reverse("security-users"), reverse("audit-log"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("second-factor"))
    assert client.get("/api/notices/").status_code == 403
    assert "One-time password" in client.get(reverse("second-factor")).content.decode()


def test_the_demo_code_signs_the_officer_in_once(coalition: dict[str, User]) -> None:
    client = password_login("security_officer")
    code = demo_code("security_officer")
    response = client.post(reverse("second-factor"), {"token": code, "next": reverse("security-users")})
    assert response.status_code == 302 and response["Location"] == reverse("security-users")
    assert client.get(reverse("security-users")).status_code == 200
    again = password_login("security_officer")
    assert again.post(reverse("second-factor"), {"token": code}).status_code == 400  # no replay
    assert again.get(reverse("home")).status_code == 302


def test_a_wrong_code_is_refused(coalition: dict[str, User]) -> None:
    client = password_login("agreement_admin")
    right = demo_code("agreement_admin")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("second-factor"), {"token": wrong})
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert client.get(reverse("agreement-list")).status_code == 302


def test_partner_staff_and_operators_need_no_second_factor(coalition: dict[str, User]) -> None:
    for username in ("uk_staff", "us_operator", "visitor"):
        assert password_login(username).get(reverse("home")).status_code == 200


def test_the_admin_site_needs_a_verified_session_even_for_a_superuser(coalition: dict[str, User]) -> None:
    root = User.objects.create_superuser("root", nationality="USA", clearance=4, password="x")
    unverified = sign_in(Client(), root, second_factor=False)
    assert unverified.get("/admin/").status_code == 302
    assert sign_in(Client(), root).get("/admin/").status_code == 200


def test_a_new_officer_without_a_device_enrols_one_at_first_sign_in(coalition: dict[str, User]) -> None:
    officer = User.objects.create_user(
        "new_officer", password="coalition-demo", nationality="USA", clearance=3, role="security_officer"
    )
    client = password_login("new_officer")
    page = client.get(reverse("second-factor")).content.decode()
    device = enrolment_device(officer)
    assert base32_key(device) in page and "otpauth://totp/" in page
    code = f"{TOTP(device.bin_key).token():06d}"
    assert client.post(reverse("second-factor"), {"token": code}).status_code == 302
    assert confirmed_device(officer) == device
    assert client.get(reverse("security-users")).status_code == 200
