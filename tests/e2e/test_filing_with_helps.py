"""In the browser: an operator files a request by picking the target from the catalog search,
choosing a window preset and previewing the passes before submitting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from catalog.models import SpaceObject
from tasking.models import TaskingRequest
from tests.tasking.conftest import World, make_object, world

from .conftest import screenshot

__all__ = ["world"]

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_operator_files_a_request_with_the_picker_and_the_preview(
    world: World, login: Any, live_server: Any
) -> None:
    SpaceObject.objects.filter(pk=world.iss.pk).update(intl_designator="1998-067A")
    make_object(99001, "HIDDEN ZARYA TWIN", "TOP SECRET//REL TO USA, GBR")
    page = login("us_operator")
    page.goto(f"{live_server.url}/tasking/new/")

    page.fill("input[name=title]", "Track ISS after reboost")
    page.select_option("select[name=spoc]", str(world.spocs["uk-spoc"].pk))
    # The agreement's marking for shared data is filled in with the SpOC.
    assert page.input_value("input[name=marking]") == "CUI//REL TO USA, GBR"

    page.fill("#catalog-search", "zarya")
    picks = page.locator("#catalog-results button.pick")
    picks.first.wait_for()
    assert picks.all_inner_texts() == ["(U) 25544 ISS (ZARYA) · 1998-067A"]  # the hidden twin is absent
    picks.first.click()
    assert page.input_value("input[name=targets]") == "25544"

    page.click("button[data-preset='24h']")
    start = dt.datetime.fromisoformat(page.input_value("input[name=window_start]"))
    end = dt.datetime.fromisoformat(page.input_value("input[name=window_end]"))
    assert page.input_value("input[name=window_start]").endswith("Z")
    assert end - start == dt.timedelta(hours=24)
    assert abs(start - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=3)

    # One vocabulary at a time: SSN categories replace the precedence words in the list.
    page.check("input[name=priority_vocabulary][value=ssn]")
    visible = page.locator("select[name=priority] optgroup:not([disabled]) option").all_inner_texts()
    assert visible == [f"SSN category {n}" for n in range(1, 6)]
    assert page.input_value("select[name=priority]") == "cat5"
    page.check("input[name=priority_vocabulary][value=precedence]")
    assert page.input_value("select[name=priority]") == "routine"
    page.select_option("select[name=purpose]", "human_spaceflight")

    page.click("#preview-passes")
    rows = page.locator("#pass-preview table.preview-passes tbody tr")
    rows.first.wait_for()
    previewed = rows.count()
    assert previewed > 0
    assert page.locator("#pass-preview .portion").inner_text() == "Preview marked CUI//REL TO USA, GBR"
    assert all(
        text.startswith("25544 ISS (ZARYA)") for text in rows.locator("td:first-child").all_inner_texts()
    )
    screenshot(page, "filing-pass-preview")

    page.click("#filing-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/tasking/requests/*/")
    filed = TaskingRequest.objects.get(title="Track ISS after reboost")
    assert [t.space_object.catalog_number for t in filed.targets.all()] == [25544]
    assert filed.marking.banner == "CUI//REL TO USA, GBR"
    assert filed.passes.count() == previewed
