"""Browser tests: Debian's chromium driven by Playwright against a live test server."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from portal.models import User
from portal.second_factor import confirmed_device, current_code


# After the password: the home page, or the one-time password step for those who need it.
def SIGNED_IN_OR_SECOND_STEP(url: str) -> bool:
    return urlparse(url).path in ("/", "/login/verify/")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


VIEWPORT = {"width": 1280, "height": 900}


def screenshot(page: Any, name: str) -> Path | None:
    """A full-page PNG of what `page` shows, into the directory `PORTAL_SCREENSHOTS` names
    (docs/screenshots/ for the README); nothing when it is unset, so ordinary runs write no files."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if not folder:
        return None
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(f"screenshot name {name!r}: lower-case letters, digits and hyphens only")
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state()
    # The banners stick to the window's edges; in one tall image they belong at the page's ends.
    page.screenshot(path=str(path), full_page=True, style=".banner-top, .banner-bottom { position: static; }")
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1" or os.environ.get("CI"):
            pytest.fail("chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def allow_sync_database_calls_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop running in this thread; the tests' own
    # database work is still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium_browser: Any) -> Iterator[Any]:
    context = chromium_browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page: Any, live_server: Any) -> Any:
    def as_user(username: str, password: str = "coalition-demo") -> Any:
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(SIGNED_IN_OR_SECOND_STEP)
        if "/login/verify/" in page.url:
            # Agreement admins and security officers: the code `manage.py demo_otp` prints.
            user = User.objects.get(username=username)
            device = confirmed_device(user)
            assert device is not None, f"{username} has no authenticator device"
            page.fill("input[name=token]", current_code(device))
            page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    return as_user
