"""An operator files; the agreement is found, or the request is refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from guardian.shortcuts import get_perms

from portal.errors import DomainError, NotAllowed
from portal.markings.marking import Marking
from tasking.choices import NotificationKind, RequestKind, RequestStatus
from tasking.models import Notification, PredictedPass, TaskingRequest
from tasking.services.filing import file_request, staffing_note, staffing_warning
from tasking.services.routing import NoAgreement
from tasking.services.staff import staff_group

from .conftest import World


def test_an_operator_files_a_request_to_a_partner_spoc(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        filed = file_request(world.filing(), world.users["us_operator"])
    request = filed.request
    assert request.status == RequestStatus.SUBMITTED
    assert request.kind == RequestKind.REQUEST
    assert request.agreement == world.agreements["uk"]
    assert request.submitted_at is not None
    assert request.response_deadline == request.submitted_at + dt.timedelta(hours=48)
    assert request.data_formats == ["udl-json", "tdm-kvn"]
    target = request.targets.get()
    assert target.elements["catalog_number"] == 25544
    assert target.elements_epoch is not None
    assert PredictedPass.objects.filter(request=request, sensor=world.sensors["uk_radar"]).exists()
    assert set(get_perms(staff_group(world.spocs["uk-spoc"]), request)) >= {"answer_taskingrequest"}
    notice = Notification.objects.get(user=world.users["uk_staff"], kind=NotificationKind.NEW_REQUEST)
    assert notice.request == request
    assert any("TR-" in m.subject and m.to == ["uk_staff@portal.example"] for m in mail.outbox)
    assert all("ISS" not in m.body for m in mail.outbox), "e-mail carries no request content"


def test_a_quick_turn_priority_takes_the_quick_turn_deadline(world: World) -> None:
    request = world.file(priority="immediate")
    assert request.submitted_at is not None
    assert request.response_deadline == request.submitted_at + dt.timedelta(hours=2)


def test_a_direct_tasking_goes_to_a_sensor_under_a_sensor_level_agreement(world: World) -> None:
    request = world.file(
        spoc=None, sensor=world.sensors["fr_radar"], marking=Marking.parse("CUI//REL TO USA, FRA")
    )
    assert request.kind == RequestKind.DIRECT
    assert request.spoc == world.spocs["fr-spoc"]
    assert request.agreement == world.agreements["fr"]


def test_a_request_no_agreement_allows_is_refused_with_the_reason(world: World) -> None:
    with pytest.raises(NoAgreement, match="No active agreement"):
        world.file(spoc=world.spocs["de-spoc"], marking=Marking.parse("CUI//REL TO USA, DEU"))
    with pytest.raises(NoAgreement, match="sensor-level: task one of its sensors directly"):
        world.file(spoc=world.spocs["fr-spoc"], marking=Marking.parse("CUI//REL TO USA, FRA"))
    with pytest.raises(NoAgreement, match="File a request to"):
        world.file(spoc=None, sensor=world.sensors["uk_radar"])
    assert not TaskingRequest.objects.exists()


def test_a_suspended_agreement_no_longer_allows_requests(world: World) -> None:
    world.agreements["uk"].transition("suspended", world.users["agreement_admin"], reason="Review")
    with pytest.raises(NoAgreement):
        world.file()


def test_the_minimum_tier_and_observation_type_must_be_met(world: World) -> None:
    with pytest.raises(NoAgreement, match="Level 1 or closer"):
        world.file(minimum_tier=1)
    with pytest.raises(NoAgreement, match="passive rf"):
        world.file(observation_type="passive_rf")


def test_the_marking_must_be_releasable_to_the_partner_and_within_reach(world: World) -> None:
    with pytest.raises(DomainError, match="releasable to GBR"):
        world.file(marking=Marking.parse("CUI//NOFORN"))
    with pytest.raises(DomainError, match="above what you may read"):
        world.file(marking=Marking.parse("TOP SECRET//REL TO USA, GBR"))


def test_a_target_more_restricted_than_the_request_is_refused(world: World) -> None:
    from .conftest import make_object

    secret = make_object(99001, "Restricted", "SECRET//NOFORN")
    with pytest.raises(DomainError, match="more restrictive"):
        world.file(targets=[secret])


def test_only_us_operators_file(world: World) -> None:
    for name in ("uk_staff", "agreement_admin", "visitor"):
        with pytest.raises(NotAllowed):
            file_request(world.filing(), world.users[name])


def test_windows_must_make_sense(world: World) -> None:
    with pytest.raises(DomainError, match="ends after"):
        world.file(windows=[(world.now + dt.timedelta(hours=2), world.now + dt.timedelta(hours=1))])
    with pytest.raises(DomainError, match="already over"):
        world.file(windows=[(world.now - dt.timedelta(hours=2), world.now - dt.timedelta(hours=1))])


def test_the_operator_is_warned_when_the_partner_is_not_staffed(world: World) -> None:
    au = world.spocs["au-spoc"]  # 07:00-19:00 Australia/Canberra on weekdays
    night = dt.datetime(2024, 3, 13, 14, 0, tzinfo=dt.UTC)  # 01:00 in Canberra, a Thursday
    warning = staffing_warning(au, night, night + dt.timedelta(hours=2))
    assert "not staffed now" in warning and "next staffed" in warning
    day = dt.datetime(2024, 3, 13, 0, 0, tzinfo=dt.UTC)  # 11:00 in Canberra
    assert staffing_warning(au, day, day + dt.timedelta(hours=2)) == ""
    assert "at the response deadline" in staffing_warning(au, day, day + dt.timedelta(hours=10))


def test_filing_tells_the_operator_when_nobody_is_on_watch(world: World) -> None:
    night = dt.datetime(2030, 3, 13, 14, 0, tzinfo=dt.UTC)  # 01:00 Thursday in Canberra
    filed = file_request(
        world.filing(
            spoc=world.spocs["au-spoc"],
            marking=Marking.parse("CUI//REL TO USA, AUS"),
            windows=[(night + dt.timedelta(hours=6), night + dt.timedelta(hours=30))],
        ),
        world.users["us_operator"],
        now=night,
    )
    assert "not staffed now" in filed.request.staffing_warning
    assert filed.request.staffing_warning in filed.warnings


def test_the_staffing_note_is_as_of_now_and_gone_once_answered(world: World, client) -> None:
    au = world.spocs["au-spoc"]  # 07:00-19:00 Australia/Canberra on weekdays
    night = dt.datetime(2030, 3, 13, 14, 0, tzinfo=dt.UTC)  # 01:00 Thursday in Canberra
    morning = dt.datetime(2030, 3, 13, 21, 0, tzinfo=dt.UTC)  # 08:00 Thursday in Canberra
    filed = file_request(
        world.filing(
            spoc=au,
            marking=Marking.parse("CUI//REL TO USA, AUS"),
            windows=[(night + dt.timedelta(hours=6), night + dt.timedelta(hours=30))],
        ),
        world.users["us_operator"],
        now=night,
    )
    request = filed.request
    assert request.response_deadline is not None
    assert "not staffed now" in staffing_note(request, night)
    # In the morning the AU SpOC is on watch: the filing-time note is stale, and the note of the
    # moment is about the deadline (a Saturday, 01:00 in Canberra) alone.
    assert "not staffed now" in request.staffing_warning
    now_note = staffing_note(request, morning)
    assert "not staffed now" not in now_note and "at the response deadline" in now_note
    # Answered, nobody needs telling who is on watch.
    request.status = RequestStatus.ACCEPTED
    assert staffing_note(request, night) == ""
    # The page says what is true now: with the SpOC staffed around the clock, no note.
    TaskingRequest.objects.filter(pk=request.pk).update(status=RequestStatus.SUBMITTED)
    au.staffed_24x7 = True
    au.save()
    client.force_login(world.users["us_operator"])
    page = client.get(f"/tasking/requests/{request.pk}/").content.decode()
    assert request.staffing_warning not in page and "not staffed" not in page


def test_a_draft_is_submitted_later_and_its_agreement_looked_up_again(world: World) -> None:
    from tasking.services.filing import submit_draft

    filed = file_request(world.filing(), world.users["us_operator"], submit=False)
    assert filed.request.status == RequestStatus.DRAFT
    assert not get_perms(staff_group(world.spocs["uk-spoc"]), filed.request)
    request = submit_draft(filed.request, world.users["us_operator"])
    assert request.status == RequestStatus.SUBMITTED
    assert "answer_taskingrequest" in get_perms(staff_group(world.spocs["uk-spoc"]), request)
