"""Browser tests: Debian's chromium driven by Playwright against a live test server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
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
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
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


SCREENSHOTS = "PORTAL_SCREENSHOTS"


def save_screenshot(page: Any, name: str) -> str | None:
    """A full-page screenshot in the folder `PORTAL_SCREENSHOTS` names (e.g. docs/screenshots),
    when it is set; the path written, or None."""
    folder = os.environ.get(SCREENSHOTS)
    if not folder:
        return None
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
