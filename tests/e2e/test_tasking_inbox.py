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


def test_uk_staff_accept_a_request_for_the_uk_spoc_in_place_and_the_operator_sees_it_accepted(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    to_accept = world.file(title="Track ISS after reboost")
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
    page.locator(f"#req-{to_accept.pk} .badge", has_text="Accepted").wait_for()
    assert page.url == inbox
    assert page.evaluate("window.stillHere") is True
    assert TaskingRequest.objects.get(pk=to_accept.pk).status == "accepted"
    screenshot(page, "partner-inbox-answered")

    switch_user(page, login, "us_operator")
    page.goto(f"{live_server.url}/tasking/requests/{to_accept.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Accepted"
    assert "uk_staff (Partner SpOC staff)" in page.locator("h2:has-text('History') + table").inner_text()

    switch_user(page, login, "fr_staff")
    response = page.goto(f"{live_server.url}/tasking/requests/{to_accept.pk}/")
    assert response is not None and response.status == 404
    assert "Track ISS after reboost" not in page.content()


def test_uk_staff_reject_in_place_with_a_reason_and_the_operator_reads_it(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    to_reject = world.file(title="Characterise HST attitude", targets=[world.hubble], priority="immediate")

    page = login("uk_staff")
    inbox = f"{live_server.url}/tasking/inbox/"
    page.goto(inbox)
    require_htmx(page)
    page.evaluate("window.stillHere = true")

    reject = page.locator(f"#req-{to_reject.pk} details.reject")
    reject.locator("summary").click()
    reject.locator("select[name=reason_code]").select_option("no_capacity")
    reject.locator("textarea[name=text]").fill("Radar in maintenance until Friday.")
    reject.get_by_role("button", name="Reject").click()
    page.locator(f"#req-{to_reject.pk} .badge", has_text="Rejected").wait_for()
    assert page.url == inbox
    assert page.evaluate("window.stillHere") is True
    assert TaskingRequest.objects.get(pk=to_reject.pk).status == "rejected"

    switch_user(page, login, "us_operator")
    page.goto(f"{live_server.url}/tasking/requests/{to_reject.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Rejected"
    body = page.locator("main").inner_text()
    assert "Rejected: No capacity" in body and "Radar in maintenance until Friday." in body
    screenshot(page, "request-rejected")
