"""The test factories make what their docstrings promise: coalition-wide UNCLASSIFIED records
unless told otherwise, agreements moved through their lifecycle, deliveries of the sensor's SpOC."""

from __future__ import annotations

import pytest

from agreements.choices import AgreementStatus
from agreements.models import AgreementHistory
from portal.markings.marking import Marking
from portal.markings.nations import ALL_NATIONS
from portal.models import Role, SpOC, User
from tasking.choices import RequestKind, RequestStatus
from tests.factories import (
    AgreementFactory,
    ElementSetFactory,
    ObservationFactory,
    SensorFactory,
    SpaceObjectFactory,
    SpOCFactory,
    TaskingRequestFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_marked_record_is_releasable_to_the_whole_coalition_unless_told() -> None:
    plain = SpaceObjectFactory.create()
    assert plain.marking.rel_to == ALL_NATIONS
    assert plain.marking.banner == "UNCLASSIFIED"
    secret = SensorFactory.create(marking="SECRET//REL TO USA, GBR")
    secret.refresh_from_db()
    assert secret.marking == Marking.parse("SECRET//REL TO USA, GBR")


def test_an_asked_for_demo_spoc_is_the_seeded_one(coalition: dict[str, User]) -> None:
    assert SpOCFactory.create(code="uk-spoc") == SpOC.objects.get(code="uk-spoc")
    assert SpOC.objects.filter(code="uk-spoc").count() == 1


def test_partner_staff_take_the_nationality_of_their_spoc() -> None:
    staff = UserFactory.create(partner_staff=True, spoc=SpOCFactory.create(nation__code="AUS"))
    assert (staff.role, staff.nationality) == (Role.PARTNER_STAFF, "AUS")
    assert staff.check_password("coalition-demo")


def test_an_agreement_walks_its_lifecycle_when_an_admin_is_named(coalition: dict[str, User]) -> None:
    admin = coalition["agreement_admin"]
    walked = AgreementFactory.create(status=AgreementStatus.ACTIVE, status__by=admin, status__reason="test")
    forced = AgreementFactory.create(status=AgreementStatus.ACTIVE)
    assert walked.status == forced.status == AgreementStatus.ACTIVE
    steps = AgreementHistory.objects.filter(agreement=walked).exclude(to_status=AgreementStatus.DRAFT)
    assert sorted(steps.values_list("to_status", flat=True)) == [
        AgreementStatus.ACTIVE,
        AgreementStatus.IN_NEGOTIATION,
    ]
    assert not AgreementHistory.objects.filter(agreement=forced, to_status=AgreementStatus.ACTIVE).exists()


def test_an_observation_comes_in_a_delivery_of_its_sensors_spoc_marked_like_it() -> None:
    observation = ObservationFactory.create(marking="CUI//REL TO USA, GBR")
    assert observation.batch.spoc == observation.sensor.spoc
    assert observation.batch.marking == observation.marking == Marking.parse("CUI//REL TO USA, GBR")


def test_objects_and_element_sets_share_one_change_sequence() -> None:
    elements = ElementSetFactory.create()
    assert elements.seq > elements.space_object.seq


def test_a_tasking_request_is_a_draft_to_its_spoc_until_filed() -> None:
    request = TaskingRequestFactory.create(marking="SECRET//NOFORN")
    assert (request.status, request.kind, request.sensor) == (RequestStatus.DRAFT, RequestKind.REQUEST, None)
    assert request.marking.noforn and request.spoc.staffed_24x7
