"""Pages: banners of the highest marking shown, sign-in required, failed logins locked out."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from portal.models import User


def banners(html: str) -> list[str]:
    return re.findall(r'class="classification-banner ([a-z-]+)"[^>]*>([^<]+)<', html)


def test_home_page_shows_top_and_bottom_banner_of_the_highest_marking(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["uk_staff"])
    html = client.get(reverse("home")).content.decode()
    # uk_staff's latest notices: U, CUI//REL TO USA, GBR and S//REL TO USA, FVEY.
    assert banners(html) == [("banner-s", "SECRET//REL TO USA, GBR")] * 2
    assert "(S//REL)" in html and "(CUI//REL)" in html and "(U)" in html


def test_a_page_showing_nothing_marked_is_unclassified(coalition: dict[str, User], client: Client) -> None:
    html = client.get(reverse("login")).content.decode()
    assert banners(html) == [("banner-u", "UNCLASSIFIED")] * 2


def test_pages_need_a_login(coalition: dict[str, User], client: Client) -> None:
    response = client.get(reverse("notice-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_repeated_failed_logins_lock_the_account(coalition: dict[str, User], client: Client) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "uk_staff", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "uk_staff", "password": "coalition-demo"})
    assert locked.status_code == 429
    assert "Account locked" in locked.content.decode()


def test_the_right_password_logs_in(coalition: dict[str, User], client: Client) -> None:
    response = client.post(reverse("login"), {"username": "uk_staff", "password": "coalition-demo"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_partner_can_publish_a_notice_only_within_its_reach(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["fr_staff"])
    refused = client.post(
        reverse("notice-create"), {"title": "t", "body": "b", "marking": "SECRET//REL TO USA, FRA"}
    )
    assert "You cannot mark a record above what you may read." in refused.content.decode()
    made = client.post(
        reverse("notice-create"), {"title": "t", "body": "b", "marking": "CONFIDENTIAL//REL TO USA, FRA"}
    )
    assert made.status_code == 302


def test_api_schema_and_docs_are_served(coalition: dict[str, User], client: Client) -> None:
    client.force_login(coalition["visitor"])
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
