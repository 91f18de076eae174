"""A partner answers from the inbox: in place with htmx, or with plain forms without JavaScript.
Nobody else can: other SpOCs get a 404, the US operator a 403, a visitor sees nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.errors import Conflict
from portal.markings.marking import Marking
from portal.models import AuditEvent
from tasking.choices import RequestStatus
from tasking.models import Notification, TaskingRequest
from tasking.services import transitions

from .conftest import World

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


def act(client: Client, request: TaskingRequest, action: str, **data: str):
    return client.post(reverse("request-act", args=[request.pk, action]), {"from": "inbox", **data})


@pytest.fixture
def uk(world: World, client: Client) -> Client:
    client.force_login(world.users["uk_staff"])
    return client


def test_the_inbox_lists_requests_for_my_spoc_by_deadline_with_passes(world: World, uk: Client) -> None:
    later = world.file(title="Routine pass")
    sooner = world.file(title="Quick look", priority="flash")
    world.file(
        title="For Australia", spoc=world.spocs["au-spoc"], marking=Marking.parse("CUI//REL TO USA, AUS")
    )
    page = uk.get(reverse("request-inbox")).content.decode()
    assert page.index("Quick look") < page.index("Routine pass")
    assert "For Australia" not in page
    assert "Chilbolton-like radar:" in page, "passes over my sensors are shown"
    assert sooner.reference in page and later.reference in page
    assert 'hx-post="' in page


def test_a_partner_accepts_in_place_with_htmx(world: World, uk: Client) -> None:
    request = world.file()
    response = uk.post(reverse("request-act", args=[request.pk, "accept"]), {"from": "inbox"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<tr") and "Accepted" in body
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert request.answered_at is not None
    event = AuditEvent.objects.filter(
        model="tasking.taskingrequest", object_id=str(request.pk), action="update"
    ).first()
    assert (
        event is not None
        and event.detail["status"] == ["submitted", "accepted"]
        and event.actor_name == "uk_staff"
    )
    assert Notification.objects.filter(
        user=world.users["us_operator"], kind="answer", request=request
    ).exists()


def test_a_partner_rejects_without_javascript_giving_a_reason(world: World, uk: Client) -> None:
    request = world.file()
    response = act(uk, request, "reject", reason_code="no_capacity", text="Radar fully booked")
    assert response.status_code == 302
    assert response["Location"] == reverse("request-inbox")
    request.refresh_from_db()
    assert request.status == RequestStatus.REJECTED
    assert (request.reject_reason, request.reason_text) == ("no_capacity", "Radar fully booked")
    assert request.events.filter(text="Radar fully booked").exists()


def test_rejecting_needs_a_reason(world: World, uk: Client) -> None:
    request = world.file()
    in_place = uk.post(reverse("request-act", args=[request.pk, "reject"]), {"from": "inbox"}, **HTMX)
    assert in_place.status_code == 200 and "Choose the reason" in in_place.content.decode()
    plain = act(uk, request, "reject", reason_code="other")
    assert plain.status_code == 302
    assert "Say why" in uk.get(reverse("request-inbox")).content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_a_partner_proposes_another_window_and_the_operator_accepts_it(
    world: World, uk: Client, client: Client
) -> None:
    request = world.file()
    start = (world.now + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    end = (world.now + dt.timedelta(days=2, hours=4)).strftime("%Y-%m-%dT%H:%M")
    act(uk, request, "propose", proposed_start=start, proposed_end=end, text="Better geometry")
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED
    operator = Client()
    operator.force_login(world.users["us_operator"])
    detail = operator.get(reverse("request-detail", args=[request.pk])).content.decode()
    assert "Accept proposed window" in detail and "Decline proposed window" in detail
    response = operator.post(reverse("request-act", args=[request.pk, "accept_proposal"]), {}, **HTMX)
    assert response.status_code == 200 and 'id="actions"' in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert [
        (w.start.strftime("%Y-%m-%dT%H:%M"), w.end.strftime("%Y-%m-%dT%H:%M")) for w in request.windows.all()
    ] == [(start, end)]


def test_declining_a_proposal_hands_the_request_back(world: World, uk: Client) -> None:
    request = world.file()
    later = world.now + dt.timedelta(days=3)
    act(
        uk,
        request,
        "propose",
        proposed_start=f"{later:%Y-%m-%dT%H:%M}",
        proposed_end=f"{later + dt.timedelta(hours=4):%Y-%m-%dT%H:%M}",
    )
    request.refresh_from_db()
    transitions.apply(request, "decline_proposal", by=world.users["us_operator"])
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED and request.proposed_start is None
    assert request.first_answer == RequestStatus.PROPOSED


def test_staff_of_another_spoc_get_a_404_exactly_like_a_missing_request(world: World, client: Client) -> None:
    world.mark_agreement("uk", "CUI//REL TO USA, FVEY")
    request = world.file(marking=Marking.parse("CUI//REL TO USA, FVEY"))
    client.force_login(world.users["au_staff"])  # AUS may read the marking but the request is not theirs
    assert client.post(reverse("request-act", args=[request.pk, "accept"]), {}, **HTMX).status_code == 404
    assert client.post(reverse("request-act", args=[request.pk, "accept"])).status_code == 404
    assert client.post(reverse("request-act", args=[999999, "accept"])).status_code == 404
    assert client.get(reverse("request-detail", args=[request.pk])).status_code == 404
    assert request.pk and TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.SUBMITTED


def test_the_us_operator_cannot_answer_for_the_partner(world: World, client: Client) -> None:
    request = world.file()
    client.force_login(world.users["us_operator"])
    assert client.post(reverse("request-act", args=[request.pk, "accept"])).status_code == 403
    assert client.post(reverse("request-act", args=[request.pk, "accept"]), {}, **HTMX).status_code == 403
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_a_visitor_sees_nothing(world: World, client: Client) -> None:
    world.mark_agreement("uk", "UNCLASSIFIED")
    request = world.file(marking=Marking.unclassified())
    client.force_login(world.users["visitor"])
    assert client.get(reverse("request-detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("request-inbox")).status_code == 404
    assert request.reference not in client.get(reverse("request-list")).content.decode()
    assert client.post(reverse("request-act", args=[request.pk, "accept"])).status_code == 404


def test_a_partner_who_cannot_read_the_marking_cannot_answer(world: World, client: Client) -> None:
    request = world.file(
        spoc=None, sensor=world.sensors["fr_radar"], marking=Marking.parse("SECRET//REL TO USA, FRA")
    )
    client.force_login(world.users["fr_staff"])  # CONFIDENTIAL clearance
    assert client.post(reverse("request-act", args=[request.pk, "accept"])).status_code == 404
    assert request.reference not in client.get(reverse("request-inbox")).content.decode()


def test_a_direct_tasking_cannot_be_rejected_in_the_browser(world: World, client: Client) -> None:
    request = world.file(
        spoc=None, sensor=world.sensors["fr_radar"], marking=Marking.parse("CUI//REL TO USA, FRA")
    )
    client.force_login(world.users["fr_staff"])
    inbox = client.get(reverse("request-inbox")).content.decode()
    assert "Reject" not in inbox and "Accept" in inbox
    response = client.post(
        reverse("request-act", args=[request.pk, "reject"]), {"reason_code": "no_capacity"}, **HTMX
    )
    assert "cannot be rejected" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_two_answers_at_once_cannot_both_win(world: World) -> None:
    request = world.file()
    first = TaskingRequest.objects.get(pk=request.pk)
    second = TaskingRequest.objects.get(pk=request.pk)
    transitions.apply(first, "accept", by=world.users["uk_staff"])
    with pytest.raises(Conflict, match="first"):
        transitions.apply(second, "reject", by=world.users["uk_staff"], reason_code="weather")
    assert TaskingRequest.objects.get(pk=request.pk).status == RequestStatus.ACCEPTED
    assert request.events.filter(action__in=["accept", "reject"]).count() == 1


def test_the_inbox_makes_a_fixed_number_of_queries(world: World, uk: Client) -> None:
    world.file()
    uk.get(reverse("request-inbox"))
    with CaptureQueriesContext(connection) as few:
        assert uk.get(reverse("request-inbox")).status_code == 200
    for index in range(5):
        world.file(title=f"More {index}", targets=[world.iss, world.hubble])
    with CaptureQueriesContext(connection) as many:
        assert uk.get(reverse("request-inbox")).status_code == 200
    assert len(many) == len(few)
    # Session, user, the user's groups and the answer permission's id (the keys of the
    # object-permission probe), whether the user holds a grant of their own, counts, the
    # pages, and one load of both lists' windows, targets and passes.
    assert len(many) == 12, "\n".join(q["sql"][:150] for q in many.captured_queries)
