"""Sign-in: one audit row per login; lockout per username and real client address."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, User
from portal.network import client_address
from portal.seed import DEMO_PASSWORD

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def behind_a_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.AXES_FAILURE_LIMIT = 3


def _login(client: Client, username: str, password: str, forwarded_for: str, remote: str = PROXY) -> Any:
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_every_login_is_audited_once(coalition: dict[str, User]) -> None:
    answer = _login(Client(), "uk_staff", DEMO_PASSWORD, "198.51.100.7")
    assert answer.status_code == 302
    events = list(AuditEvent.objects.filter(actor_name="uk_staff", model__in=["", "portal.user"]))
    assert [e.action for e in events] == ["login"]
    assert events[0].remote_addr == "198.51.100.7"


def test_failures_from_one_address_do_not_lock_the_account_elsewhere(coalition: dict[str, User]) -> None:
    attacker = Client()
    for _ in range(4):
        _login(attacker, "uk_staff", "wrong", "203.0.113.66")
    assert _login(attacker, "uk_staff", DEMO_PASSWORD, "203.0.113.66").status_code == 429
    assert _login(Client(), "uk_staff", DEMO_PASSWORD, "198.51.100.7").status_code == 302
    failed = AuditEvent.objects.filter(action="login_failed").values_list("remote_addr", flat=True)
    assert set(failed) == {"203.0.113.66"}


def test_a_forged_header_from_outside_the_proxies_is_ignored(coalition: dict[str, User]) -> None:
    outsider = Client()
    for n in range(4):
        _login(outsider, "uk_staff", "wrong", f"198.51.100.{n}", remote="192.0.2.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.9"}
    assert _login(Client(), "uk_staff", DEMO_PASSWORD, "", remote="192.0.2.10").status_code == 302


@pytest.mark.parametrize(
    ("remote", "header", "expected"),
    [
        ("192.0.2.9", "198.51.100.1", "192.0.2.9"),
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "", PROXY),
    ],
)
def test_the_client_address(remote: str, header: str, expected: str) -> None:
    class Request:
        META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": header}

    assert client_address(Request()) == expected
