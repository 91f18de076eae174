"""A partner answers requests in its inbox without leaving the page; the US operator sees the answers."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tasking.models import TaskingRequest
from tasking.services import transitions
from tests.tasking.conftest import World, world  # noqa: F401  (the tasking fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def require_htmx(page: Any) -> None:
    if page.evaluate("typeof window.htmx") != "undefined":
        return
    message = "htmx is not served: run `make static` (static/vendor/htmx.min.js)"
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1" or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def switch_user(page: Any, login: Any, username: str) -> Any:
    page.click("nav.topnav form button.link")
    return login(username)


def test_uk_staff_answer_in_place_and_the_operator_sees_the_answers(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    to_accept = world.file(title="Track ISS after reboost")
    to_reject = world.file(title="Characterise HST attitude", targets=[world.hubble], priority="immediate")
    in_hand = world.file(title="Catalog maintenance pass")
    transitions.apply(in_hand, "accept", by=world.users["uk_staff"])

    page = login("uk_staff")
    inbox = f"{live_server.url}/tasking/inbox/"
    page.goto(inbox)
    require_htmx(page)
    screenshot(page, "partner-inbox")
    # Survives only if the page is never reloaded or left.
    page.evaluate("window.stillHere = true")

    row = page.locator(f"#req-{to_accept.pk}")
    row.get_by_role("button", name="Accept").click()
    row = page.locator(f"#req-{to_accept.pk}")
    row.locator(".badge", has_text="Accepted").wait_for()

    reject = page.locator(f"#req-{to_reject.pk} details.reject")
    reject.locator("summary").click()
    reject.locator("select[name=reason_code]").select_option("no_capacity")
    reject.locator("textarea[name=text]").fill("Radar in maintenance until Friday.")
    reject.get_by_role("button", name="Reject").click()
    page.locator(f"#req-{to_reject.pk} .badge", has_text="Rejected").wait_for()

    assert page.url == inbox
    assert page.evaluate("window.stillHere") is True
    assert TaskingRequest.objects.get(pk=to_accept.pk).status == "accepted"
    assert TaskingRequest.objects.get(pk=to_reject.pk).status == "rejected"
    screenshot(page, "partner-inbox-answered")

    switch_user(page, login, "us_operator")
    page.goto(f"{live_server.url}/tasking/requests/{to_accept.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Accepted"
    page.goto(f"{live_server.url}/tasking/requests/{to_reject.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Rejected"
    body = page.locator("main").inner_text()
    assert "Rejected: No capacity" in body and "Radar in maintenance until Friday." in body
    screenshot(page, "request-rejected")

    switch_user(page, login, "fr_staff")
    response = page.goto(f"{live_server.url}/tasking/requests/{to_accept.pk}/")
    assert response is not None and response.status == 404
    assert "Track ISS after reboost" not in page.content()
