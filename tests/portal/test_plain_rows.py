"""Rows written without model instances (COPY on PostgreSQL, one executemany elsewhere) read
back exactly as the ORM writes them, and the audit trail written for many records at once is
row for row the one written a record at a time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from portal import audit
from portal.bulk import allocate_ids, insert_rows
from portal.markings.models import marking_columns
from portal.models import AuditEvent, Notice, SpOC, User

pytestmark = pytest.mark.django_db

UNSTORED = ("id", "at")


def stored(event: AuditEvent) -> dict[str, Any]:
    return {k: v for k, v in model_to_dict(event).items() if k not in UNSTORED}


def test_plain_rows_with_shared_columns_read_back_like_saved_ones() -> None:
    at = timezone.now().replace(microsecond=123456) - dt.timedelta(days=3)
    detail = {"status": ["submitted", "expired"], "count": 2, "note": 'tab\there, quote " and é'}
    saved = AuditEvent(
        at=at, actor_name="sweep", action="update", model="portal.notice", object_id="7", detail=detail
    )
    saved.save()  # `at` is the moment of saving, and the trail is append-only: compared apart
    [pk] = allocate_ids(AuditEvent, 1)
    insert_rows(
        AuditEvent,
        ("id", "object_id"),
        [(pk, "7")],
        shared={
            "at": at,
            "actor_name": "sweep",
            "action": "update",
            "model": "portal.notice",
            "object_repr": "",
            "marking": "",
            "path": "",
            "detail": detail,
        },
    )
    copied = AuditEvent.objects.get(pk=pk)
    assert copied.detail == detail and copied.at == at
    assert stored(copied) == stored(AuditEvent.objects.get(pk=saved.pk))
    assert AuditEvent.objects.filter(
        pk=pk, detail__status__1="expired", at__lt=at + dt.timedelta(seconds=1)
    ).exists()


def notices(count: int) -> list[Notice]:
    spoc = SpOC.objects.get(code="uk-spoc")
    markings = ["CUI//REL TO USA, GBR", "SECRET//NOFORN", "UNCLASSIFIED"]
    return [
        Notice.objects.create(title=f"Bulletin {i}", body="", spoc=spoc, **marking_columns(markings[i % 3]))
        for i in range(count)
    ]


def test_the_audit_rows_of_many_records_are_those_of_one_at_a_time(coalition: dict[str, User]) -> None:
    written = notices(4)
    actor = audit.Actor(user=coalition["security_officer"], remote_addr="10.1.2.3", path="/notices/")
    detail = {"action": "review"}
    with audit.acting_as(actor):
        one_by_one = []
        for notice in written:
            audit.record("update", notice, detail=detail)
            one_by_one.append(AuditEvent.objects.latest("id"))
        start = AuditEvent.objects.latest("id").pk
        assert audit.record_many("update", written, detail=detail) == 4
    together = list(AuditEvent.objects.filter(pk__gt=start).order_by("id"))
    assert [stored(e) for e in together] == [stored(e) for e in one_by_one]
    assert {e.marking for e in together} == {"CUI//REL TO USA, GBR", "SECRET//NOFORN", "UNCLASSIFIED"}
    assert [e.classification_level for e in together] == [1, 3, 0, 1]
    assert all(e.actor_name == "security_officer" and e.actor_id == actor.user.pk for e in together)


def test_records_written_in_bulk_within_a_response_are_not_also_read(coalition: dict[str, User]) -> None:
    written = notices(2)
    with audit.reading() as ledger:
        audit.record_many("create", written)
        audit.record_reads(written)
        assert audit.write_reads(ledger) == 0
