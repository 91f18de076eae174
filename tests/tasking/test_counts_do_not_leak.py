"""What a request shows of its fulfilment never rests on observations its reader may not see.

The request is CUI//REL TO USA, GBR; half of what arrived is TOP SECRET//REL TO USA, GBR, which
uk_staff (SECRET) may not read. The workflow goes by everything; the figures shown do not.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.test import Client
from django.urls import reverse

from catalog.observations.models import Observation
from portal.markings.marking import Level
from tasking.choices import RequestStatus
from tasking.models import TaskingRequest
from tasking.services import fulfilment

from .conftest import World
from .test_fulfilment import accepted, deliver, in_window

CUI = "CUI//REL TO USA, GBR"
TOP_SECRET = "TOP SECRET//REL TO USA, GBR"


def half_hidden(world: World) -> TaskingRequest:
    request = accepted(world, observations_wanted=4, tracks_wanted=1)
    radar = world.sensors["uk_radar"]
    deliver(radar, world.iss, in_window(request, [1, 2]), marking=CUI)
    deliver(radar, world.iss, in_window(request, [3, 4]), marking=TOP_SECRET)
    # Received a minute after measurement; the hidden ones two hours after.
    Observation.objects.filter(classification_level=Level.CUI).update(
        ingested=F("ob_time") + dt.timedelta(minutes=1)
    )
    Observation.objects.filter(classification_level=Level.TOP_SECRET).update(
        ingested=F("ob_time") + dt.timedelta(hours=2)
    )
    return fulfilment.evaluate(request)


def test_the_workflow_counts_everything_but_the_figures_only_what_any_reader_of_the_request_may_see(
    world: World,
) -> None:
    request = half_hidden(world)
    assert request.status == RequestStatus.FULFILLED
    assert (request.observations_counted, request.tracks_counted) == (2, 1)
    assert request.delivery_latency_s == 60.0


def test_the_page_shows_the_partner_no_count_above_what_they_may_see(world: World, client: Client) -> None:
    request = half_hidden(world)
    client.force_login(world.users["uk_staff"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert "Evidence (2 observations you may see)" in page
    assert ">2/4<" in page and "4/4" not in page
    listing = client.get(reverse("request-list")).content.decode()
    assert "2/4" in listing and "4/4" not in listing


def test_the_api_and_the_metrics_show_the_partner_no_more_either(world: World, api_client_for) -> None:
    request = half_hidden(world)
    api = api_client_for(world.users["uk_staff"])
    body = api.get(f"/api/tasking-requests/{request.pk}/").json()
    assert (body["observations_counted"], body["tracks_counted"]) == (2, 1)
    assert body["delivery_latency_s"] == 60.0
    listed = api.get("/api/tasking-requests/").json()["results"]
    assert [r["observations_counted"] for r in listed if r["id"] == request.pk] == [2]
    metrics = api.get("/api/tasking-requests/metrics/").json()
    assert [row["median_delivery_latency_s"] for row in metrics["results"]] == [60.0]
