"""In the browser: a TOP SECRET grant by one security officer, approved by a second, shows the
user more on their next request; a downgrade by anyone but the security officer is refused."""

from __future__ import annotations

from typing import Any

import pytest

from portal.models import Notice, User
from portal.second_factor import confirmed_device, current_code, ensure_demo_device

from .conftest import SIGNED_IN_OR_SECOND_STEP

pytestmark = pytest.mark.django_db(transaction=True)

TOP_SECRET_NOTICE = "Special handling: restricted object list"


def signed_in(browser: Any, live_server: Any, username: str, password: str = "coalition-demo") -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(SIGNED_IN_OR_SECOND_STEP)
    if "/login/verify/" in page.url:
        device = confirmed_device(User.objects.get(username=username))
        assert device is not None
        page.fill("input[name=token]", current_code(device))
        page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_a_top_secret_grant_approved_by_a_second_officer_shows_the_user_more(
    coalition: dict[str, User], chromium_browser: Any, live_server: Any
) -> None:
    operator = signed_in(chromium_browser, live_server, "us_operator")  # SECRET
    operator.goto(f"{live_server.url}/notices/")
    assert TOP_SECRET_NOTICE not in operator.content()

    first = signed_in(chromium_browser, live_server, "security_officer")
    first.goto(f"{live_server.url}/security/users/")
    first.click("text=us_operator")
    first.select_option(".access-form select[name=clearance]", label="TOP SECRET")
    first.fill(".access-form textarea[name=reason]", "Read-in to the restricted object list")
    first.click(".access-form button[type=submit]")
    assert "waits for a second security officer" in first.content()
    first.goto(f"{live_server.url}/security/approvals/")
    assert "another officer decides" in first.content()

    operator.reload()
    assert TOP_SECRET_NOTICE not in operator.content()

    second = signed_in(chromium_browser, live_server, "security_officer2")
    second.goto(f"{live_server.url}/security/approvals/")
    assert "Read-in to the restricted object list" in second.content()
    second.click(".approvals button:has-text('Approve')")
    assert "Approved" in second.content()

    operator.reload()  # the same session: the grant holds from the next request
    assert TOP_SECRET_NOTICE in operator.content()
    assert operator.locator(".banner-top .classification-banner").inner_text() == "TOP SECRET//NOFORN"


def test_a_downgrade_in_the_admin_by_a_superuser_who_is_not_the_security_officer_is_refused(
    coalition: dict[str, User], chromium_browser: Any, live_server: Any
) -> None:
    root = User.objects.create_superuser("root", nationality="USA", clearance=4, password="coalition-demo")
    ensure_demo_device(root)
    notice = Notice.objects.get(title="Heightened RPO activity in GEO belt")
    page = signed_in(chromium_browser, live_server, "root")
    page.goto(f"{live_server.url}/admin/portal/notice/{notice.pk}/change/")
    page.fill("input[name=marking]", "UNCLASSIFIED")
    page.click("input[name=_save]")
    page.wait_for_load_state()  # the answer page is parsed to its end, not only committed
    assert "Only the security officer may downgrade" in page.content()
    notice.refresh_from_db()
    assert str(notice.marking) == "SECRET//REL TO USA, AUS, CAN, GBR, NZL"
