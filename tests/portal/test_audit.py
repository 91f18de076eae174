"""The audit trail: every change recorded, append only, read by the security officer."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from portal.models import AuditEvent, Notice, User
from portal.models.audit import AuditTrailIsAppendOnly


def test_reading_a_confidential_record_is_recorded_with_who_and_where(
    coalition: dict[str, User], client: Client
) -> None:
    notice = Notice.objects.get(title="GRAVES-like radar coverage change")  # C//REL TO USA, FRA
    client.force_login(coalition["fr_staff"])
    client.get(reverse("notice-detail", args=[notice.pk]))
    event = AuditEvent.objects.filter(action="read", object_id=str(notice.pk)).get()
    assert event.actor_name == "fr_staff"
    assert event.marking == "CONFIDENTIAL//REL TO USA, FRA"
    assert event.remote_addr == "127.0.0.1"
    assert event.path == reverse("notice-detail", args=[notice.pk])


def test_reading_unclassified_and_cui_records_is_not_recorded(
    coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["uk_staff"])
    for title in ["Coalition portal open for the winter exercise", "Starbrook-like telescope maintenance"]:
        client.get(reverse("notice-detail", args=[Notice.objects.get(title=title).pk]))
    assert not AuditEvent.objects.filter(action="read").exists()


def test_a_list_records_a_read_per_classified_row(coalition: dict[str, User], client: Client) -> None:
    client.force_login(coalition["us_operator"])
    client.get(reverse("notice-list"))
    read = set(
        AuditEvent.objects.filter(action="read", actor_name="us_operator").values_list(
            "object_repr", flat=True
        )
    )
    assert read == {
        "Heightened RPO activity in GEO belt",
        "SSN radar retasking plan",
        "GRAVES-like radar coverage change",
    }


def test_api_reads_and_writes_name_the_token_user(coalition: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(coalition["uk_staff"])
    made = api.post(
        "/api/notices/", {"title": "t", "body": "b", "marking": "S//REL TO USA, GBR"}, format="json"
    )
    api.get(f"/api/notices/{made.json()['id']}/")
    actions = list(
        AuditEvent.objects.filter(object_id=str(made.json()["id"])).values_list("action", "actor_name")
    )
    assert ("create", "uk_staff") in actions
    assert ("read", "uk_staff") in actions


def test_changes_and_deletes_are_recorded(coalition: dict[str, User]) -> None:
    notice = Notice.objects.get(title="SSN radar retasking plan")
    notice.body = "changed"
    notice.save()
    notice_id = str(notice.pk)
    notice.delete()
    assert list(
        AuditEvent.objects.filter(object_id=notice_id, model="portal.notice").values_list("action", flat=True)
    ) == ["delete", "update", "create"]


def test_audit_rows_cannot_be_changed_or_deleted(coalition: dict[str, User]) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.actor_name = "someone else"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()


@pytest.mark.django_db
def test_postgresql_refuses_updates_even_in_raw_sql(coalition: dict[str, User]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the database trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(actor_name="x")


@pytest.mark.parametrize("change", ["update", "delete", "filtered delete"])
def test_queryset_updates_and_deletes_fail_on_every_database(coalition: dict[str, User], change: str) -> None:
    before = AuditEvent.objects.count()
    assert before > 0
    with pytest.raises(DatabaseError), transaction.atomic():
        if change == "update":
            AuditEvent.objects.update(actor_name="someone else")
        elif change == "delete":
            AuditEvent.objects.all().delete()
        else:
            AuditEvent.objects.filter(action="create")._raw_delete(AuditEvent.objects.db)
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(actor_name="someone else").exists()


def test_only_the_security_officer_can_browse_the_trail(
    coalition: dict[str, User], client: Client, api_client_for: Any
) -> None:
    client.force_login(coalition["agreement_admin"])
    assert client.get(reverse("audit-log")).status_code == 404
    assert api_client_for(coalition["agreement_admin"]).get("/api/audit/").status_code == 403
    client.force_login(coalition["security_officer"])
    page = client.get(reverse("audit-log"), {"action": "create", "model": "portal.notice"})
    assert page.status_code == 200
    assert "Special handling: restricted object list" in page.content.decode()
    assert (
        api_client_for(coalition["security_officer"]).get("/api/audit/", {"action": "create"}).status_code
        == 200
    )


def test_the_trail_filters_by_date_range_and_exports_csv(coalition: dict[str, User], client: Client) -> None:
    import csv
    import datetime as dt
    import io

    today = dt.datetime.now(dt.UTC).date()
    client.force_login(coalition["security_officer"])
    url = reverse("audit-log")
    assert client.get(url, {"since": str(today), "until": str(today)}).context["object_list"]
    assert not client.get(url, {"until": str(today - dt.timedelta(days=1))}).context["object_list"]
    export = client.get(url, {"format": "csv", "model": "portal.notice", "action": "create"})
    assert export["Content-Type"].startswith("text/csv")
    streamed: Any = export  # a StreamingHttpResponse
    rows = list(csv.reader(io.StringIO(b"".join(streamed.streaming_content).decode())))
    assert rows[0] == ["# TOP SECRET//NOFORN"]
    assert rows[1][:3] == ["at", "actor_name", "action"]
    titles = {row[5] for row in rows[2:]}
    assert titles == set(Notice.objects.values_list("title", flat=True))
    client.force_login(coalition["agreement_admin"])
    assert client.get(url, {"format": "csv"}).status_code == 404


def test_notices_on_the_home_page_are_read_once_each(coalition: dict[str, User], client: Client) -> None:
    client.force_login(coalition["us_operator"])
    client.get(reverse("home"))
    reads = list(
        AuditEvent.objects.filter(action="read", model="portal.notice").values_list("object_repr", flat=True)
    )
    assert sorted(reads) == sorted(
        [
            "Heightened RPO activity in GEO belt",
            "SSN radar retasking plan",
            "GRAVES-like radar coverage change",
        ]
    )
