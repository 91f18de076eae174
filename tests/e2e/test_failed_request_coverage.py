"""A partner reports a request failed from its inbox; once retasking runs, the US operator sees
which SSN sensor covers it and when."""

from __future__ import annotations

from typing import Any

import pytest

from portal.markings.marking import Marking
from tasking.choices import RequestStatus
from tasking.models import SsnTask, TaskingRequest
from tasking.services import retasking, transitions
from tests.tasking.conftest import World, world  # noqa: F401  (the fixture)
from tests.tasking.test_retasking import _ssn

from .conftest import screenshot
from .test_tasking_inbox import require_htmx, switch_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_au_staff_report_a_request_failed_and_the_operator_sees_its_ssn_coverage(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
) -> None:
    eglin = _ssn(399, 30.57, -86.21, "UNCLASSIFIED")
    request = world.file(
        title="Track ISS over the Indian Ocean",
        spoc=world.spocs["au-spoc"],
        marking=Marking.parse("CUI//REL TO USA, AUS"),
        tracks_wanted=1,
    )
    transitions.apply(request, "accept", by=world.users["au_staff"])

    page = login("au_staff")
    page.goto(f"{live_server.url}/tasking/inbox/")
    require_htmx(page)
    failing = page.locator(f"#req-{request.pk} details.fail")
    failing.locator("summary").click()
    failing.locator("select[name=reason_code]").select_option("sensor_fault")
    failing.locator("textarea[name=text]").fill("Exmouth transmitter down.")
    failing.get_by_role("button", name="Report failed").click()
    page.locator(f"#req-{request.pk}:not(.status-accepted)").wait_for()
    failed = request.events.get(action="fail")
    assert (failed.actor_name, failed.reason_code) == ("au_staff", "sensor_fault")

    # The failure queues retasking: under the embedded default it has run in-process by now;
    # with a broker it waits for a worker, so it runs here.
    if TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.FAILED:
        retasking.run_retasking()
    (task,) = SsnTask.objects.filter(request=request)

    switch_user(page, login, "us_operator")
    page.goto(f"{live_server.url}/tasking/requests/{request.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Retasked"
    coverage = page.locator("h2:has-text('Covered by US SSN sensors') + table tbody tr")
    assert coverage.count() == 1
    cells = coverage.first.locator("td").all_inner_texts()
    assert cells[1] == f"399 {eglin.name}"
    assert cells[2] == task.start.strftime("%Y-%m-%d %H:%M:%S")
    assert cells[3] == task.end.strftime("%H:%M:%S")
    assert "Exmouth transmitter down." in page.locator("main").inner_text()
    screenshot(page, "request-covered-by-ssn")
