"""Observations delivered by the SpOC's sensors on the target inside the window fulfil a request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Sensor
from catalog.models import SpaceObject
from tasking.choices import RequestStatus
from tasking.models import RequestWindow, TaskingRequest
from tasking.services import fulfilment, sweeps, transitions
from tasking.services.fulfilment import ObservationRow, count_tracks
from tests.factories import IngestBatchFactory, ObservationFactory

from .conftest import World


def deliver(
    sensor: Sensor,
    obj: SpaceObject,
    times: list[dt.datetime],
    marking: str = "CUI//REL TO USA, GBR",
    track: str = "",
    **extra,
) -> None:
    batch = IngestBatchFactory.create(spoc=sensor.spoc, marking=marking)
    for at in times:
        ObservationFactory.create(
            sensor=sensor, batch=batch, ob_time=at, space_object=obj, track_id=track, marking=marking, **extra
        )


def accepted(world: World, **overrides) -> TaskingRequest:
    request = world.file(**overrides)
    return transitions.apply(request, "accept", by=world.users["uk_staff"])


def first_window(request: TaskingRequest) -> RequestWindow:
    window = request.windows.first()
    assert window is not None
    return window


def in_window(request: TaskingRequest, minutes: list[int]) -> list[dt.datetime]:
    start = first_window(request).start
    return [start + dt.timedelta(minutes=m) for m in minutes]


def test_observations_in_the_window_fulfil_the_request_and_the_operator_sees_the_evidence(
    world: World, client: Client
) -> None:
    request = accepted(world, observations_wanted=4, tracks_wanted=2)
    deliver(world.sensors["uk_radar"], world.iss, in_window(request, [1, 2]))
    request = fulfilment.evaluate(request)
    assert request.status == RequestStatus.ACCEPTED and request.observations_counted == 2
    deliver(
        world.sensors["uk_radar"], world.iss, in_window(request, [95, 96])
    )  # a second pass: a second track
    request = fulfilment.evaluate(request)
    assert request.status == RequestStatus.FULFILLED
    assert (request.observations_counted, request.tracks_counted) == (4, 2)
    assert request.first_delivery_at is not None and request.delivery_latency_s is not None
    client.force_login(world.users["us_operator"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert "Evidence (4 observations you may see)" in page


def test_what_does_not_count(world: World) -> None:
    request = accepted(world, observations_wanted=1)
    outside = [first_window(request).end + dt.timedelta(minutes=5)]
    deliver(world.sensors["uk_radar"], world.iss, outside)  # after the window
    deliver(
        world.sensors["au_radar"], world.iss, in_window(request, [5]), marking="CUI//REL TO USA, AUS"
    )  # another SpOC
    deliver(world.sensors["uk_radar"], world.hubble, in_window(request, [5]))  # not a target
    other = world.file(title="Another request")
    # Linked by the sensor to another request: it counts there, not here.
    deliver(world.sensors["uk_radar"], world.iss, in_window(request, [6]), tasking_request_id=other.pk)
    request = fulfilment.evaluate(request)
    assert request.status == RequestStatus.ACCEPTED and request.observations_counted == 0


def test_too_few_once_delivered_is_partial_and_more_later_fulfils(world: World) -> None:
    request = accepted(world, observations_wanted=5)
    deliver(world.sensors["uk_radar"], world.iss, in_window(request, [1, 2]))
    request = transitions.apply(request, "deliver", by=world.users["uk_staff"])
    request = fulfilment.evaluate(request)
    assert request.status == RequestStatus.PARTIAL
    deliver(world.sensors["uk_optical"], world.iss, in_window(request, [3, 4, 5]))
    assert fulfilment.evaluate(request).status == RequestStatus.FULFILLED


def test_a_closed_window_with_nothing_delivered_fails(world: World) -> None:
    request = accepted(world)
    after = first_window(request).end + dt.timedelta(hours=2)
    sweeps.settle_in_execution(after)
    request.refresh_from_db()
    assert request.status == RequestStatus.FAILED and request.failure_reason == "no_data"


def test_the_counting_function_on_stub_rows() -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = [
        ObservationRow(i, 1, 7, t0 + dt.timedelta(minutes=m), t0 + dt.timedelta(minutes=m + 3))
        for i, m in enumerate([0, 1, 2, 30, 31])
    ]
    rows.append(ObservationRow(9, 2, 7, t0, t0, track_id="A"))
    assert count_tracks(rows) == 3
    counted = fulfilment.tally(rows)
    assert counted.observations == 6 and counted.median_latency_s == 180.0


def test_a_partner_reports_a_direct_tasking_failed(world: World, django_capture_on_commit_callbacks) -> None:
    from portal.markings.marking import Marking

    request = world.file(
        spoc=None, sensor=world.sensors["fr_radar"], marking=Marking.parse("CUI//REL TO USA, FRA")
    )
    request = transitions.apply(request, "accept", by=world.users["fr_staff"])
    with pytest.raises(Exception, match="reason"):
        transitions.apply(request, "fail", by=world.users["fr_staff"])
    request = transitions.apply(
        request, "fail", by=world.users["fr_staff"], reason_code="sensor_fault", text="Transmitter down"
    )
    assert request.status == RequestStatus.FAILED
    # Retasking is queued for after the commit; the request moves when SSN tracks are booked.
    with django_capture_on_commit_callbacks() as queued:
        request = transitions.apply(request, "retask", by=world.users["us_operator"])
    assert request.status == RequestStatus.FAILED
    assert len([c for c in queued if "queue_retasking" in getattr(c, "__qualname__", "")]) == 1
