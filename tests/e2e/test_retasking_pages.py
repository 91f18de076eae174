"""Charts drawn in a browser: the SSN timeline, the what-if map and the partner metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tasking.models import RequestWindow
from tasking.services import retasking, transitions
from tests.tasking.conftest import World, world  # noqa: F401  (the fixture)
from tests.tasking.test_retasking import _ssn

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _rejected(coalition_world: World) -> Any:
    request = coalition_world.file(tracks_wanted=2)
    return transitions.apply(
        request,
        "reject",
        by=coalition_world.users["uk_staff"],
        reason_code="no_capacity",
        text="Fully booked.",
    )


def test_the_timeline_draws_one_row_per_ssn_sensor(world: World, login: Any, live_server: Any) -> None:  # noqa: F811
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    _rejected(world)
    retasking.run_retasking(world.now)
    errors: list[str] = []
    page = login("us_operator")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    start = world.now.strftime("%Y-%m-%dT%H:%M")
    page.goto(f"{live_server.url}/tasking/retasking/timeline/?from={start}&hours=72")
    canvas = page.locator("#ssn-timeline-chart canvas")
    canvas.wait_for()
    assert canvas.bounding_box()["height"] > 50
    assert page.locator("#ssn-timeline-chart .charts-fallback").count() == 0
    assert errors == []
    screenshot(page, "ssn-timeline")


def test_the_what_if_map_shows_the_proposed_site(world: World, login: Any, live_server: Any) -> None:  # noqa: F811
    request = _rejected(world)
    RequestWindow.objects.filter(request=request).update(
        start=world.now - dt.timedelta(hours=30), end=world.now - dt.timedelta(hours=6)
    )
    errors: list[str] = []
    page = login("us_operator")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/tasking/retasking/whatif/")
    page.fill("input[name=latitude_deg]", "40")
    page.fill("input[name=longitude_deg]", "-105")
    page.select_option("select[name=sensor_type]", "phased_array_radar")
    page.click("main button[type=submit]")
    page.locator("#whatif-map canvas").wait_for()
    assert "it closes 2" in page.inner_text("main")
    assert errors == []
    screenshot(page, "coverage-what-if")


def test_the_metrics_page_draws_its_charts(world: World, login: Any, live_server: Any) -> None:  # noqa: F811
    request = world.file()
    transitions.apply(request, "accept", by=world.users["uk_staff"])
    errors: list[str] = []
    page = login("us_operator")
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/tasking/metrics/")
    page.locator(".metrics-charts canvas").first.wait_for()
    assert page.locator(".metrics-charts canvas").count() == 4
    assert errors == []
    screenshot(page, "partner-metrics")
