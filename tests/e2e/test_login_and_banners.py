"""In the browser: signing in, and the classification banners of each persona's pages."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import User

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_partner_logs_in_and_sees_the_banner_of_what_is_shown(
    coalition: dict[str, User], login: Any, live_server: Any
) -> None:
    page = login("uk_staff")
    top = page.locator(".banner-top .classification-banner")
    bottom = page.locator(".banner-bottom .classification-banner")
    assert top.inner_text() == "SECRET//REL TO USA, GBR"
    assert bottom.inner_text() == "SECRET//REL TO USA, GBR"
    assert "rgb(200, 16, 46)" in top.evaluate("el => getComputedStyle(el).backgroundColor")
    screenshot(page, "home-partner")
    page.goto(f"{live_server.url}/notices/")
    assert page.locator("table.rows tbody tr").count() == 3
    assert "SSN radar retasking plan" not in page.content()


def test_a_visitor_sees_only_unclassified_notices(
    coalition: dict[str, User], login: Any, live_server: Any
) -> None:
    page = login("visitor")
    page.goto(f"{live_server.url}/notices/")
    assert page.locator("table.rows tbody tr").count() == 1
    assert page.locator(".banner-top .classification-banner").inner_text() == "UNCLASSIFIED"
    screenshot(page, "visitor-notices")
