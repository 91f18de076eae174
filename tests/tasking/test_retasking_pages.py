"""The retasking pages: SSN timeline, gap report, what-if, and the SSN tracks on a request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from agreements.choices import SensorType
from portal.markings.marking import Marking
from portal.markings.models import marking_columns
from portal.models import AuditEvent
from tasking.models import RequestWindow, RetaskingRun, SsnTask
from tasking.services import retasking, transitions
from tests.tasking.conftest import World
from tests.tasking.test_retasking import _ssn


def _rejected(world: World, **overrides: Any) -> Any:
    request = world.file(**overrides)
    return transitions.apply(
        request, "reject", by=world.users["uk_staff"], reason_code="no_capacity", text="Fully booked."
    )


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M")


def test_the_timeline_shows_booked_tracks_to_their_readers_only(world: World, client: Any) -> None:
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    request = _rejected(world, tracks_wanted=2, marking=Marking.parse("CONFIDENTIAL//REL TO USA, GBR"))
    retasking.run_retasking(world.now)
    first = SsnTask.objects.order_by("start").first()
    assert first is not None
    span = f"?from={_iso(world.now)}&hours=72"
    client.force_login(world.users["uk_staff"])
    page = client.get(f"/tasking/retasking/timeline/{span}")
    assert page.status_code == 200
    text = page.content.decode()
    assert request.reference in text and "399 SSN 399" in text
    assert first.start.strftime("%Y-%m-%d %H:%M:%S") in text
    assert AuditEvent.objects.filter(action="read", object_id=str(first.pk)).exists()
    client.force_login(world.users["fr_staff"])
    hidden = client.get(f"/tasking/retasking/timeline/{span}").content.decode()
    assert request.reference not in hidden and "No SSN track you may see" in hidden


def test_the_timeline_refuses_a_bad_span_naming_the_parameter(world: World, client: Any) -> None:
    client.force_login(world.users["us_operator"])
    bad_from = client.get("/tasking/retasking/timeline/?from=2026-13-45T00:00")
    assert bad_from.status_code == 400 and b"from: not an ISO 8601 time" in bad_from.content
    bad_hours = client.get("/tasking/retasking/timeline/?hours=100000")
    assert bad_hours.status_code == 400 and b"hours: one of 6, 24, 72" in bad_hours.content


def test_the_gap_report_lists_only_the_gaps_its_reader_may_read(world: World, client: Any) -> None:
    _ssn(346, 54.36, -0.67, "CUI//REL TO USA, GBR")
    gbr = _rejected(
        world, windows=[(world.now + dt.timedelta(minutes=10), world.now + dt.timedelta(minutes=40))]
    )
    retasking.run_retasking(world.now + dt.timedelta(minutes=45))
    client.force_login(world.users["uk_staff"])
    page = client.get("/tasking/retasking/gaps/")
    assert page.status_code == 200
    assert gbr.reference in page.content.decode() and b"The request&#x27;s window is over" in page.content
    filtered = client.get("/tasking/retasking/gaps/?reason=capacity_exhausted")
    assert gbr.reference not in filtered.content.decode() and b"No gap matches" in filtered.content
    client.force_login(world.users["au_staff"])
    assert gbr.reference not in client.get("/tasking/retasking/gaps/").content.decode()
    bad = client.get("/tasking/retasking/gaps/?reason=zzz&priority=9")
    assert bad.status_code == 400
    assert b"reason: unknown reason" in bad.content and b"priority: a level from 1" in bad.content


def test_the_what_if_page_reports_the_gaps_a_proposed_site_closes(world: World, client: Any) -> None:
    request = _rejected(world, tracks_wanted=2)
    # The period re-run is the last 72 h: move the window into it, as if filed two days ago.
    RequestWindow.objects.filter(request=request).update(
        start=world.now - dt.timedelta(hours=30), end=world.now - dt.timedelta(hours=6)
    )
    client.force_login(world.users["us_operator"])
    form = client.get("/tasking/retasking/whatif/")
    assert form.status_code == 200 and b"Re-run the period" in form.content
    query = f"?latitude_deg=40&longitude_deg=-105&altitude_km=1.6&sensor_type={SensorType.PHASED_ARRAY_RADAR}&min_elevation_deg=5&tracks_per_hour=30"
    page = client.get(f"/tasking/retasking/whatif/{query}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "it closes <strong>2</strong>" in text
    assert request.marking.banner in text  # the answer is marked as the request it read
    client.force_login(world.users["fr_staff"])
    assert "it closes <strong>0</strong>" in client.get(f"/tasking/retasking/whatif/{query}").content.decode()
    bad = client.get("/tasking/retasking/whatif/?latitude_deg=123&longitude_deg=0&altitude_km=0")
    assert (
        bad.status_code == 400 and b"Latitude" in bad.content and b"less than or equal to 90" in bad.content
    )


def test_a_retasked_request_shows_which_ssn_sensor_covers_it_and_when(world: World, client: Any) -> None:
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    request = _rejected(world)
    retasking.run_retasking(world.now)
    task = SsnTask.objects.get()
    client.force_login(world.users["us_operator"])
    text = client.get(f"/tasking/requests/{request.pk}/").content.decode()
    assert "Covered by US SSN sensors" in text
    assert "399 SSN 399" in text and task.start.strftime("%Y-%m-%d %H:%M:%S") in text


def test_a_running_retasking_run_shows_its_progress_to_its_readers(world: World, client: Any) -> None:
    RetaskingRun.objects.create(
        key="k", at=world.now, progress=40, stage="predicting access windows",
        **marking_columns("CUI//REL TO USA, GBR"),
    )  # fmt: skip
    client.force_login(world.users["uk_staff"])
    part = client.get("/tasking/retasking/gaps/?part=progress").content.decode()
    assert "40% done: predicting access windows" in part and 'hx-trigger="every 3s"' in part
    assert "40% done" in client.get("/tasking/retasking/gaps/").content.decode()
    client.force_login(world.users["fr_staff"])
    hidden = client.get("/tasking/retasking/gaps/?part=progress").content.decode()
    assert "40%" not in hidden and "hx-trigger" not in hidden


def test_the_timeline_names_no_target_its_reader_may_not_read(world: World, client: Any) -> None:
    _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    request = _rejected(world)
    retasking.run_retasking(world.now)
    type(world.iss).objects.filter(pk=world.iss.pk).update(**marking_columns("TOP SECRET//NOFORN"))
    client.force_login(world.users["uk_staff"])
    page = client.get(f"/tasking/retasking/timeline/?from={_iso(world.now)}&hours=72").content.decode()
    assert request.reference in page  # the task itself is readable
    assert str(world.iss.catalog_number) not in page and world.iss.name not in page
