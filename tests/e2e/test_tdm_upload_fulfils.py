"""A partner uploads a CCSDS TDM of its radar's track of the target in the browser; under the
embedded default the periodic settle job counts it and the request is fulfilled."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask

from agreements.models import Sensor
from agreements.services.tiers import seed_default_tiers
from catalog.models import ElementSet, SpaceObject
from catalog.observations.models import Observation
from catalog.observations.services.association import Candidates
from catalog.observations.services.synthetic import Site, generate_tracks
from portal.embedded_beat import run_due
from portal.schedules import ensure_periodic_tasks
from tasking.choices import RequestStatus
from tasking.models import RequestWindow, TaskingRequest
from tasking.services import transitions
from tests.observations.conftest import media  # noqa: F401  (the fixture)
from tests.observations.helpers import payload
from tests.tasking.conftest import World, world  # noqa: F401  (the tasking fixtures)

from .conftest import screenshot
from .test_tasking_inbox import switch_user

pytestmark = pytest.mark.django_db(transaction=True)

TRACK = 8  # observations in the radar's one track of the ISS


def a_past_iss_track(w: World, sensor: Sensor, since: dt.datetime) -> bytes:
    """A TDM of one track of the ISS by `sensor` some time after `since`, as the radar saw it."""
    # Association considers an object by its current element set, as a catalog sync would set it.
    SpaceObject.objects.filter(pk=w.iss.pk).update(
        current_elset=ElementSet.objects.filter(space_object=w.iss).latest("epoch")
    )
    candidates = Candidates.load()
    iss = candidates.satrecs[candidates.numbers[w.iss.catalog_number]]
    site = Site(
        sensor.name,
        sensor.number,
        sensor.latitude_deg,
        sensor.longitude_deg,
        sensor.altitude_km,
        True,
        sensor.max_range_km or 4000.0,
        sensor.min_elevation_deg,
    )
    seconds = (w.now - since).total_seconds() - 3600.0  # over before the upload
    generated = generate_tracks(
        [iss],
        [w.iss.catalog_number],
        TRACK,
        start=since,
        duration_s=seconds,
        sites=[site],
        per_track=TRACK,
        name_objects=True,
        tracks_per_draw=1,
    )
    # The radar measures range and angles, not range-rate.
    measured = [
        dataclasses.replace(r, range_rate_km_s=None, range_rate_unc_km_s=None) for r in generated.records
    ]
    return payload(measured, "tdm-kvn")


def test_a_tdm_upload_by_the_partner_fulfils_the_request_and_the_operator_sees_the_count(
    world: World,  # noqa: F811
    login: Any,
    live_server: Any,
    media: Any,  # noqa: F811
) -> None:
    request = transitions.apply(
        world.file(title="Track ISS after reboost", observations_wanted=TRACK, tracks_wanted=1),
        "accept",
        by=world.users["uk_staff"],
    )
    opened = world.now - dt.timedelta(hours=20)
    RequestWindow.objects.filter(request=request).update(start=opened, end=world.now + dt.timedelta(hours=4))
    radar = world.sensors["uk_radar"]
    seed_default_tiers()  # the integration levels that say which sensors may deliver
    tdm = a_past_iss_track(world, radar, opened)

    page = login("uk_staff")
    page.goto(f"{live_server.url}/observations/upload/")
    screenshot(page, "observation-upload")
    page.set_input_files(
        "input[name=file]", files=[{"name": "iss.tdm", "mimeType": "text/plain", "buffer": tdm}]
    )
    page.click("main form button:has-text('Deliver')")
    page.wait_for_url(f"{live_server.url}/observations/batches/*/")
    assert Observation.objects.filter(space_object=world.iss).count() == TRACK  # associated with the ISS
    screenshot(page, "observation-batch")

    ensure_periodic_tasks()
    PeriodicTask.objects.update(last_run_at=None)
    assert "settle tasking fulfilment" in run_due()
    assert TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.FULFILLED

    switch_user(page, login, "us_operator")
    page.goto(f"{live_server.url}/tasking/requests/{request.pk}/")
    assert page.locator("#actions .badge").inner_text() == "Fulfilled"
    assert f"Evidence ({TRACK} observations you may see)" in page.locator("main").inner_text()
    screenshot(page, "request-fulfilled")
