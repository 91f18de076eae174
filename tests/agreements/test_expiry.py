"""Agreements past their expiry date become expired by themselves, once, whoever runs the job."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.conf import settings

from agreements.choices import AgreementStatus
from agreements.models import Agreement, AgreementHistory, HistoryKind
from agreements.models.agreements import EXPIRY_REASON, SYSTEM, expire_lapsed
from agreements.tasks import expire_agreements
from portal.errors import Conflict, NotAllowed
from portal.models import AuditEvent, TaskRun, TaskRunStatus

pytestmark = pytest.mark.django_db

PAST = dt.date(2025, 1, 1)


def expiry_rows(agreement: Agreement) -> Any:
    return AgreementHistory.objects.filter(
        agreement=agreement, kind=HistoryKind.TRANSITION, to_status=AgreementStatus.EXPIRED
    )


def test_lapsed_agreements_expire_and_the_history_says_why(make_agreement: Any) -> None:
    lapsed = make_agreement("uk-spoc", effective_from=dt.date(2024, 1, 1), expires_on=PAST)
    suspended = make_agreement(
        "au-spoc", status=AgreementStatus.SUSPENDED, effective_from=dt.date(2024, 1, 1), expires_on=PAST
    )
    current = make_agreement("fr-spoc", expires_on=dt.date.today() + dt.timedelta(days=30))
    open_ended = make_agreement("uk-spoc", effective_from=PAST, expires_on=None)
    draft = make_agreement("uk-spoc", status=AgreementStatus.DRAFT, expires_on=PAST)

    result = expire_agreements("expire-agreements-test-1")

    assert result["duplicate"] is False and result["expired"] == 2
    statuses = dict(Agreement.objects.values_list("pk", "status"))
    assert statuses[lapsed.pk] == statuses[suspended.pk] == AgreementStatus.EXPIRED
    assert statuses[current.pk] == statuses[open_ended.pk] == AgreementStatus.ACTIVE
    assert statuses[draft.pk] == AgreementStatus.DRAFT  # the lifecycle has no draft -> expired
    row = expiry_rows(lapsed).get()
    assert row.reason == EXPIRY_REASON == "expiry date passed"
    assert row.from_status == AgreementStatus.ACTIVE and row.actor is None and row.actor_name == "system"
    event = AuditEvent.objects.filter(model="agreements.agreement", object_id=str(lapsed.pk)).latest("id")
    assert event.detail["status"] == [AgreementStatus.ACTIVE, AgreementStatus.EXPIRED]
    assert event.actor_name == "system"
    run = TaskRun.objects.get(idempotency_key="expire-agreements-test-1")
    assert run.name == "agreements.expire_agreements"
    assert run.status == TaskRunStatus.SUCCEEDED and run.counts["expired"] == 2


def test_running_it_twice_does_it_once(make_agreement: Any) -> None:
    lapsed = make_agreement("uk-spoc", effective_from=dt.date(2024, 1, 1), expires_on=PAST)
    assert expire_agreements("same-minute")["expired"] == 1
    assert expire_agreements("same-minute")["duplicate"] is True
    assert expire_agreements("next-minute")["expired"] == 0
    assert expire_agreements()["expired"] == 0
    assert expiry_rows(lapsed).count() == 1
    assert TaskRun.objects.filter(idempotency_key="same-minute").count() == 1


def test_a_second_worker_that_listed_the_same_agreement_changes_nothing(
    make_agreement: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    lapsed = make_agreement("uk-spoc", effective_from=dt.date(2024, 1, 1), expires_on=PAST)
    stale = Agreement.objects.get(pk=lapsed.pk)
    real_transition = Agreement.transition

    def other_worker_wins_first(self: Agreement, to: str, by: Any, reason: str = "") -> None:
        if self.pk == lapsed.pk and not expiry_rows(lapsed).exists():
            real_transition(Agreement.objects.get(pk=self.pk), to, by, reason)
        real_transition(self, to, by, reason)

    monkeypatch.setattr(Agreement, "transition", other_worker_wins_first)
    assert expire_lapsed() == {"expired": 0, "changed_meanwhile": 1}
    monkeypatch.undo()
    with pytest.raises(Conflict):
        stale.transition(AgreementStatus.EXPIRED, SYSTEM, reason=EXPIRY_REASON)
    assert expiry_rows(lapsed).count() == 1


def test_an_agreement_expires_from_the_first_moment_of_its_expiry_day(make_agreement: Any) -> None:
    agreement = make_agreement("uk-spoc", effective_from=dt.date(2024, 1, 1), expires_on=dt.date(2025, 3, 1))
    eve = dt.datetime(2025, 2, 28, 23, 59, tzinfo=dt.UTC)
    assert expire_lapsed(eve)["expired"] == 0
    assert expire_lapsed(eve + dt.timedelta(minutes=1))["expired"] == 1
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.EXPIRED


def test_the_portal_itself_may_only_expire_an_agreement(make_agreement: Any) -> None:
    agreement = make_agreement("uk-spoc")
    for status in (AgreementStatus.SUSPENDED, AgreementStatus.TERMINATED, AgreementStatus.DRAFT):
        with pytest.raises(NotAllowed):
            agreement.transition(status, SYSTEM, reason="not a person")
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.ACTIVE


def test_the_job_is_scheduled_hourly() -> None:
    assert settings.PERIODIC_TASKS["expire lapsed agreements"] == ("agreements.expire_agreements", 3600)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_expire_each_agreement_once(make_agreement: Any) -> None:
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    lapsed = [
        make_agreement(partner, effective_from=dt.date(2024, 1, 1), expires_on=PAST)
        for partner in ("uk-spoc", "au-spoc", "fr-spoc")
    ]
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(expire_lapsed())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 2
    assert sum(result["expired"] for result in results) == 3
    for agreement in lapsed:
        assert expiry_rows(agreement).count() == 1
