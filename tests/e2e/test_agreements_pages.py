"""A partner's view of the sensor map and an agreement: what it shows, and what it keeps back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from agreements.models import Agreement, Sensor
from agreements.seed import seed
from portal.models import User
from tests.tasking.conftest import World, world  # noqa: F401  (the tasking fixtures)

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


# What the seeded network (agreements.seed) shows UK staff: the US SSN sensors released to FVEY
# or to GBR (not the SECRET//NOFORN ones, nor the one released to Australia alone), and the UK
# SpOC's own two; none of the other partners' sensors or agreements.
UK_STAFF_SENSORS = {
    "ALTAIR",
    "Ascension tracking radar",
    "Beale UEWR",
    "Cape Cod UEWR",
    "Cavalier PARCS",
    "Clear UEWR",
    "Cobra Dane",
    "Diego Garcia GEODSS",
    "Eglin AN/FPS-85",
    "Fylingdales UEWR",
    "Maui GEODSS",
    "Millstone Hill radar",
    "Pituffik UEWR",
    "Socorro GEODSS",
    "Space Fence Kwajalein",
    "TRADEX",
    "Chilbolton-like tracking radar",
    "Starbrook-like wide-field telescope",
}
UK_SENSORS = {"Chilbolton-like tracking radar", "Starbrook-like wide-field telescope"}
UK_STAFF_AGREEMENTS = {
    "UK-US SpOC-level surveillance data sharing",
    "Starbrook-like telescope sensor-level agreement",
}


@pytest.fixture
def network(coalition: dict[str, User]) -> dict[str, User]:
    seed()
    return coalition


def test_uk_staff_see_their_own_and_releasable_us_sensors_on_the_map(
    network: dict[str, User], login: Any, live_server: Any
) -> None:
    assert Sensor.objects.filter(name__in=UK_STAFF_SENSORS).count() == 18
    page = login("uk_staff")
    page.goto(f"{live_server.url}/agreements/sensors/")

    rows = page.locator("table.rows tbody tr")
    assert rows.count() == 18
    owners = set(page.locator("table.rows tbody tr td:nth-child(4)").all_inner_texts())
    assert owners == {"us-spoc (USA)", "uk-spoc (GBR)"}
    content = page.content()
    hidden = Sensor.objects.exclude(name__in=UK_STAFF_SENSORS)
    assert hidden.count() == 14
    for sensor in hidden:
        assert sensor.name not in content
    assert "Starbrook-like wide-field telescope" in content

    svg = page.locator("svg.sensor-map")
    land = svg.locator(".land path")
    assert land.count() == 1 and land.get_attribute("d").count("M") > 100  # Natural Earth's rings
    assert land.bounding_box()["width"] > 0.9 * svg.bounding_box()["width"]
    assert svg.locator("line.grid").count() == 16
    assert svg.locator("a circle").count() == 18
    titles = svg.locator("a circle title").all_text_contents()
    assert any("Starbrook-like wide-field telescope · uk-spoc" in title for title in titles)
    assert page.locator(".map-legend").inner_text().count("US SSN") == 1
    assert page.locator(".banner-top .classification-banner").inner_text() in {
        "CUI//REL TO USA, GBR",
        "CONFIDENTIAL//REL TO USA, GBR",
        "SECRET//REL TO USA, GBR",
    }

    page.select_option("select[name=is_us_ssn]", "false")
    page.click(".filters button[type=submit]")
    assert set(page.locator("table.rows tbody tr td:nth-child(4)").all_inner_texts()) == {"uk-spoc (GBR)"}
    screenshot(page, "partner-sensor-map")


def test_uk_staff_read_their_agreement_without_its_admin_parts_and_not_others(
    network: dict[str, User], login: Any, live_server: Any
) -> None:
    ours = Agreement.objects.get(title="UK-US SpOC-level surveillance data sharing")
    theirs = Agreement.objects.get(partner__code="au-spoc")
    page = login("uk_staff")

    page.goto(f"{live_server.url}/agreements/")
    listed = set(page.locator("table.rows tbody td:nth-child(2)").all_inner_texts())
    assert listed == UK_STAFF_AGREEMENTS
    assert theirs.title not in listed

    page.goto(f"{live_server.url}/agreements/{ours.pk}/")
    assert ours.title in page.locator("h1").inner_text()
    assert "US requests; the partner tasks its own sensors and may deny" in page.content()
    covered = set(
        page.locator("h2:has-text('Covered sensors') + table tbody td:nth-child(3)").all_inner_texts()
    )
    assert covered == UK_SENSORS
    assert page.locator("h2", has_text="History").count() == 0
    assert page.locator("a.button", has_text="Edit").count() == 0
    assert page.locator("button", has_text="Change status").count() == 0

    answer = page.goto(f"{live_server.url}/agreements/{theirs.pk}/")
    assert answer is not None and answer.status == 404
    assert theirs.title not in page.content()


def test_uk_staff_record_an_outage_of_their_sensor_from_its_page(
    network: dict[str, User], login: Any, live_server: Any
) -> None:
    sensor = Sensor.objects.get(name="Chilbolton-like tracking radar")
    page = login("uk_staff")
    page.goto(f"{live_server.url}/agreements/sensors/{sensor.pk}/")
    page.click("summary:has-text('Record an outage')")
    page.fill("#id_outage-start", "2030-01-02T08:00")
    page.fill("#id_outage-end", "2030-01-02T06:00")
    page.click("button:has-text('Record outage')")
    errors = page.locator(".has-error").all_inner_texts()
    assert any("End (UTC): An outage ends after it starts." in text for text in errors)
    assert any("Reason: This field is required." in text for text in errors)
    page.fill("#id_outage-end", "2030-01-02T20:00")
    page.fill("#id_outage-reason", "Dish repainting")
    page.click("button:has-text('Record outage')")
    assert "Outage recorded." in page.locator(".messages").inner_text()
    assert "Dish repainting" in page.locator("#outages + table").inner_text()


def test_an_agreement_edited_and_saved_in_the_browser_keeps_its_dates(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    agreement = world.agreements["uk"]
    Agreement.objects.filter(pk=agreement.pk).update(expires_on=dt.date(2031, 6, 30))
    page = login("agreement_admin")  # with the one-time code
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/edit/")
    # What a date input shows is what it sends back: a value it cannot read would be sent empty.
    assert page.locator("input[name=effective_from]").input_value() == "2020-01-01"
    assert page.locator("input[name=expires_on]").input_value() == "2031-06-30"
    screenshot(page, "agreement-edit")
    page.fill("textarea[name=conops]", "Requests by e-mail; answers within the routine time.")
    page.click("main form button:has-text('Save')")
    page.wait_for_url(f"{live_server.url}/agreements/{agreement.pk}/")

    assert "Agreement saved." in page.locator(".messages").inner_text()
    assert "2020-01-01 to 2031-06-30" in page.locator("main").inner_text()
    agreement.refresh_from_db()
    assert (agreement.effective_from, agreement.expires_on) == (dt.date(2020, 1, 1), dt.date(2031, 6, 30))
    assert agreement.conops == "Requests by e-mail; answers within the routine time."
    screenshot(page, "agreement-detail")
