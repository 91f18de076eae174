"""The agreement lifecycle: every allowed and refused transition, who may move it, and history."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from agreements.choices import AgreementKind, AgreementStatus, Taskability
from agreements.models import (
    AGREEMENT_TRANSITIONS,
    Agreement,
    AgreementHistory,
    DataPlanEntry,
    HistoryKind,
    Sensor,
    path_from_draft,
)
from agreements.models.agreements import TransitionRefused
from portal import audit
from portal.errors import Conflict, DomainError, NotAllowed
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db

ALLOWED = {
    (AgreementStatus.DRAFT, AgreementStatus.IN_NEGOTIATION),
    (AgreementStatus.DRAFT, AgreementStatus.TERMINATED),
    (AgreementStatus.IN_NEGOTIATION, AgreementStatus.DRAFT),
    (AgreementStatus.IN_NEGOTIATION, AgreementStatus.ACTIVE),
    (AgreementStatus.IN_NEGOTIATION, AgreementStatus.TERMINATED),
    (AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED),
    (AgreementStatus.ACTIVE, AgreementStatus.EXPIRED),
    (AgreementStatus.ACTIVE, AgreementStatus.TERMINATED),
    (AgreementStatus.SUSPENDED, AgreementStatus.ACTIVE),
    (AgreementStatus.SUSPENDED, AgreementStatus.EXPIRED),
    (AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED),
}
ALL_PAIRS = list(itertools.product(AgreementStatus.values, AgreementStatus.values))


def test_the_transition_table_is_exactly_the_documented_lifecycle() -> None:
    table = {(old, new) for old, targets in AGREEMENT_TRANSITIONS.items() for new in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
def test_every_allowed_transition_moves_the_agreement_and_is_kept_in_its_history(
    make_agreement: Callable[..., Agreement], admin: User, old: str, new: str
) -> None:
    agreement = make_agreement("uk-spoc", status=old)
    agreement.transition(new, admin, reason="because")
    agreement.refresh_from_db()
    assert agreement.status == new
    last = agreement.history.first()
    assert last is not None
    assert (last.kind, last.from_status, last.to_status, last.reason) == (
        HistoryKind.TRANSITION,
        old,
        new,
        "because",
    )
    assert last.actor == admin


@pytest.mark.parametrize(("old", "new"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_every_other_transition_is_refused_and_changes_nothing(
    make_agreement: Callable[..., Agreement], admin: User, old: str, new: str
) -> None:
    agreement = make_agreement("uk-spoc", status=old)
    with pytest.raises(TransitionRefused):
        agreement.transition(new, admin, reason="because")
    agreement.refresh_from_db()
    assert agreement.status == old


def test_only_agreement_admins_change_the_status(
    make_agreement: Callable[..., Agreement], coalition: dict[str, User]
) -> None:
    agreement = make_agreement("uk-spoc", status=AgreementStatus.DRAFT)
    for username in ("us_operator", "uk_staff", "security_officer"):
        with pytest.raises(NotAllowed):
            agreement.transition(AgreementStatus.IN_NEGOTIATION, coalition[username])
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


@pytest.mark.parametrize("to", [AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED])
def test_suspending_or_terminating_needs_a_reason(
    make_agreement: Callable[..., Agreement], admin: User, to: str
) -> None:
    agreement = make_agreement("uk-spoc")
    with pytest.raises(DomainError) as refused:
        agreement.transition(to, admin, reason="  ")
    assert refused.value.field == "reason"


def test_a_sensor_level_agreement_without_sensors_cannot_be_activated(
    make_agreement: Callable[..., Agreement], admin: User
) -> None:
    agreement = make_agreement("uk-spoc", AgreementKind.SENSOR_LEVEL, status=AgreementStatus.IN_NEGOTIATION)
    with pytest.raises(DomainError) as refused:
        agreement.transition(AgreementStatus.ACTIVE, admin)
    assert refused.value.field == "sensors"


def test_an_agreement_without_an_effective_date_or_formats_cannot_be_activated(
    make_agreement: Callable[..., Agreement], admin: User
) -> None:
    undated = make_agreement("uk-spoc", status=AgreementStatus.IN_NEGOTIATION, effective_from=None)
    with pytest.raises(DomainError) as refused:
        undated.transition(AgreementStatus.ACTIVE, admin)
    assert refused.value.field == "effective_from"
    no_formats = make_agreement("uk-spoc", status=AgreementStatus.IN_NEGOTIATION, data_formats=[])
    with pytest.raises(DomainError) as refused:
        no_formats.transition(AgreementStatus.ACTIVE, admin)
    assert refused.value.field == "data_formats"


def test_two_overlapping_spoc_level_agreements_with_one_partner_cannot_both_be_active(
    make_agreement: Callable[..., Agreement], admin: User
) -> None:
    make_agreement("uk-spoc", effective_from=dt.date(2024, 1, 1), expires_on=dt.date(2027, 1, 1))
    second = make_agreement(
        "uk-spoc", status=AgreementStatus.IN_NEGOTIATION, effective_from=dt.date(2026, 1, 1)
    )
    with pytest.raises(Conflict):
        second.transition(AgreementStatus.ACTIVE, admin)
    follow_on = make_agreement(
        "uk-spoc", status=AgreementStatus.IN_NEGOTIATION, effective_from=dt.date(2027, 1, 1), expires_on=None
    )
    follow_on.transition(AgreementStatus.ACTIVE, admin)


def test_a_sensor_cannot_be_under_two_active_sensor_level_agreements_at_once(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement], admin: User
) -> None:
    sensor = make_sensor("au-spoc")
    make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[sensor])
    second = make_agreement(
        "au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[sensor], status=AgreementStatus.IN_NEGOTIATION
    )
    with pytest.raises(Conflict):
        second.transition(AgreementStatus.ACTIVE, admin)


def test_the_status_cannot_be_changed_by_saving(make_agreement: Callable[..., Agreement]) -> None:
    agreement = make_agreement("uk-spoc")
    agreement.status = AgreementStatus.TERMINATED
    with pytest.raises(TransitionRefused):
        agreement.save()
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE


def test_a_new_agreement_starts_as_a_draft(spocs: dict, make_agreement: Callable[..., Agreement]) -> None:
    with pytest.raises(TransitionRefused):
        Agreement.objects.create(
            title="x",
            kind=AgreementKind.SPOC_LEVEL,
            partner=spocs["uk-spoc"],
            status=AgreementStatus.ACTIVE,
            default_releasability="CUI//REL TO USA, GBR",
            classification_level=1,
            noforn=False,
            rel_mask=3,
        )


def test_a_change_of_terms_is_kept_with_who_when_and_old_and_new_values(
    make_agreement: Callable[..., Agreement], admin: User
) -> None:
    agreement = make_agreement("uk-spoc")
    with audit.acting_as(audit.Actor(user=admin, name=admin.username)):
        reloaded = Agreement.objects.get(pk=agreement.pk)
        reloaded.routine_response = dt.timedelta(hours=24)
        reloaded.data_formats = ["udl-json", "tdm-kvn"]
        reloaded.marking = "SECRET//REL TO USA, GBR"
        reloaded.save()
    change = AgreementHistory.objects.filter(agreement=agreement, kind=HistoryKind.CHANGED).get()
    assert change.actor == admin and change.actor_name == "agreement_admin"
    assert change.changes["routine_response"] == ["2 00:00:00", "1 00:00:00"]
    assert change.changes["data_formats"] == [["udl-json"], ["udl-json", "tdm-kvn"]]
    assert change.changes["marking"] == ["CUI//REL TO USA, GBR", "SECRET//REL TO USA, GBR"]
    assert set(change.changes) == {"routine_response", "data_formats", "marking"}


def test_saving_without_changes_adds_no_history(make_agreement: Callable[..., Agreement]) -> None:
    agreement = make_agreement("uk-spoc")
    before = agreement.history.count()
    Agreement.objects.get(pk=agreement.pk).save()
    assert agreement.history.count() == before


def test_sensor_and_data_plan_changes_are_kept_in_the_history(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    first, second = make_sensor("au-spoc", name="First"), make_sensor("au-spoc", name="Second")
    agreement = make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[first])
    agreement.sensors.add(second)
    entry = DataPlanEntry.objects.create(agreement=agreement, sensor=second, taskability=Taskability.DAILY)
    entry.deliveries_per_week = 14
    entry.save()
    agreement.sensors.remove(first)
    kinds = [(row.kind, row.changes) for row in agreement.history.order_by("id")]
    assert (HistoryKind.SENSORS, {"sensors": {"added": [str(second)]}}) in kinds
    assert (HistoryKind.SENSORS, {"sensors": {"removed": [str(first)]}}) in kinds
    plan_rows = [changes for kind, changes in kinds if kind == HistoryKind.DATA_PLAN]
    assert plan_rows[0]["data_plan"]["added"]["taskability"] == "daily"
    assert plan_rows[1]["data_plan"]["deliveries_per_week"] == [0, 14]


def test_clearing_the_sensors_and_saving_an_unchanged_plan_entry_are_kept_as_they_happened(
    make_sensor: Callable[..., Sensor], make_agreement: Callable[..., Agreement]
) -> None:
    first, second = make_sensor("au-spoc", name="First"), make_sensor("au-spoc", name="Second")
    agreement = make_agreement("au-spoc", AgreementKind.SENSOR_LEVEL, sensors=[first, second])
    entry = DataPlanEntry.objects.create(agreement=agreement, sensor=second, taskability=Taskability.DAILY)
    before = agreement.history.count()
    DataPlanEntry.objects.get(pk=entry.pk).save()
    assert agreement.history.count() == before, "a save that changes nothing is no history"
    agreement.sensors.clear()
    agreement.sensors.clear()  # nothing left to clear: no row
    rows = [(row.kind, row.changes) for row in agreement.history.order_by("id")][before:]
    assert rows == [(HistoryKind.SENSORS, {"sensors": {"removed": [str(first), str(second)]}})]


def test_a_transition_goes_to_the_audit_trail(make_agreement: Callable[..., Agreement], admin: User) -> None:
    agreement = make_agreement("uk-spoc")
    agreement.transition(AgreementStatus.SUSPENDED, admin, reason="Review")
    event = AuditEvent.objects.filter(model="agreements.agreement", object_id=str(agreement.pk)).first()
    assert event is not None and event.detail == {"status": ["active", "suspended"], "reason": "Review"}


def test_the_path_from_a_draft_is_the_shortest_the_lifecycle_allows() -> None:
    s = AgreementStatus
    expected = {
        s.DRAFT: [],
        s.IN_NEGOTIATION: [s.IN_NEGOTIATION],
        s.ACTIVE: [s.IN_NEGOTIATION, s.ACTIVE],
        s.SUSPENDED: [s.IN_NEGOTIATION, s.ACTIVE, s.SUSPENDED],
        s.EXPIRED: [s.IN_NEGOTIATION, s.ACTIVE, s.EXPIRED],
        s.TERMINATED: [s.TERMINATED],
    }
    assert {status: path_from_draft(status) for status in s.values} == expected
    for path in expected.values():
        status: str = s.DRAFT
        for step in path:
            assert step in AGREEMENT_TRANSITIONS[status]
            status = step
    with pytest.raises(ValueError):
        path_from_draft("no such status")
