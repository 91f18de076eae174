"""Every response that shows a record marked CONFIDENTIAL or above leaves one `read` row per
record: pages, the API (its text formats and detail actions included) and the admin site."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.choices import EvaluationStatus
from agreements.models import Agreement, Sensor, SensorBias, TierEvaluation
from catalog.models import ElementSet
from catalog.observations.models import IngestBatch
from portal.markings.marking import Level
from portal.models import AuditEvent, Notice, User
from tasking.models import CoalitionOperation, Notification
from tests.portal.demo_data import demo

__all__ = ["demo"]

READER_CEILING = Level.SECRET  # the US operator's clearance


def planted(model: Any, order: str = "pk", **lookup: Any) -> Any:
    """A record of `model` the US operator may read, marked CONFIDENTIAL if it was lower."""
    record = model.objects.filter(classification_level__lte=READER_CEILING, **lookup).order_by(order).first()
    assert record is not None, model
    if record.classification_level < Level.CONFIDENTIAL:
        model.objects.filter(pk=record.pk).update(classification_level=Level.CONFIDENTIAL)
        record.refresh_from_db()
    return record


def reads(path: str | None = None) -> list[tuple[str, str]]:
    rows = AuditEvent.objects.filter(action="read")
    if path is not None:
        rows = rows.filter(path=path)
    return list(rows.values_list("model", "object_id"))


def key(record: Model) -> tuple[str, str]:
    return record._meta.label_lower, str(record.pk)


@pytest.fixture(autouse=True)
def each_test_in_a_savepoint(demo: dict[str, User], db: None) -> None:
    """The seeded module's data, with each test's changes rolled back."""


@pytest.fixture
def operator(demo: dict[str, User], client: Client) -> Client:
    client.force_login(demo["us_operator"])
    return client


def test_delivery_pages_record_the_batches_they_show(operator: Client) -> None:
    batch = planted(IngestBatch)
    listing = reverse("observation-batch-list")
    assert operator.get(listing).status_code == 200
    assert key(batch) in reads(listing)
    detail = reverse("observation-batch-detail", args=[batch.pk])
    assert operator.get(detail).status_code == 200
    assert reads(detail).count(key(batch)) == 1


def test_the_delivery_api_records_the_batches_it_returns(demo: dict[str, User], api_client_for: Any) -> None:
    batch = planted(IngestBatch)
    api = api_client_for(demo["us_operator"])
    assert api.get("/api/observation-batches/").status_code == 200
    assert key(batch) in reads("/api/observation-batches/")
    assert api.get(f"/api/observation-batches/{batch.pk}/").status_code == 200
    assert reads(f"/api/observation-batches/{batch.pk}/") == [key(batch)]


@pytest.mark.parametrize("fmt", ["tle", "3le", "omm-json", "omm-xml", "omm-kvn", "omm-csv"])
def test_element_sets_read_as_text_are_recorded(demo: dict[str, User], api_client_for: Any, fmt: str) -> None:
    elset = planted(ElementSet)
    api = api_client_for(demo["us_operator"])
    path = f"/api/catalog/elsets/{elset.pk}/?format={fmt}"
    assert api.get(path).status_code == 200
    assert reads(path) == [key(elset)]
    listing = f"/api/catalog/elsets/?format={fmt}"
    assert api.get(listing).status_code == 200
    assert key(elset) in reads(listing)


def test_the_sensor_page_records_its_biases_evaluations_and_agreements(operator: Client) -> None:
    evaluation = planted(TierEvaluation)
    sensor = evaluation.sensor
    bias = planted(SensorBias, sensor=sensor) if SensorBias.objects.filter(sensor=sensor).exists() else None
    agreement = planted(Agreement, sensors=sensor) if sensor.agreements.exists() else None
    path = reverse("sensor-detail", args=[sensor.pk])
    assert operator.get(path).status_code == 200
    shown = reads(path)
    assert key(evaluation) in shown
    if bias is not None:
        assert key(bias) in shown
    if agreement is not None:
        assert key(agreement) in shown
    assert len(shown) == len(set(shown)), "each record once per response"


def test_coverage_and_outages_record_the_sensor(demo: dict[str, User], api_client_for: Any) -> None:
    sensor = planted(Sensor)
    api = api_client_for(demo["us_operator"])
    for endpoint in ["coverage", "outages"]:
        path = f"/api/sensors/{sensor.pk}/{endpoint}/"
        assert api.get(path).status_code == 200
        assert key(sensor) in reads(path), endpoint


def test_coverage_records_the_agreement_it_names(demo: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(demo["us_operator"])
    for sensor in Sensor.objects.visible_to(demo["us_operator"]):
        body = api.get(f"/api/sensors/{sensor.pk}/coverage/").json()
        if body.get("agreement"):
            break
    else:
        pytest.skip("no covered sensor in the demo")
    agreement = Agreement.objects.get(pk=body["agreement"])
    if agreement.classification_level >= Level.CONFIDENTIAL:
        assert key(agreement) in reads(f"/api/sensors/{sensor.pk}/coverage/")


def test_notifications_and_operations_lists_record_what_they_show(
    demo: dict[str, User], operator: Client
) -> None:
    notification = planted(Notification, order="-created", user=demo["us_operator"])
    path = reverse("notification-list")
    assert operator.get(path).status_code == 200
    assert key(notification) in reads(path)
    operation = planted(CoalitionOperation)
    path = reverse("operation-list")
    assert operator.get(path).status_code == 200
    assert key(operation) in reads(path)


def test_the_evaluation_board_records_recent_decisions(operator: Client) -> None:
    decided = planted(TierEvaluation)
    TierEvaluation.objects.filter(pk=decided.pk).update(
        status=EvaluationStatus.DECLINED, decided_at=timezone.now(), reason="not yet"
    )
    path = reverse("evaluation-board")
    assert operator.get(path).status_code == 200
    assert key(decided) in reads(path)


def test_admin_pages_record_the_records_they_show(demo: dict[str, User], client: Client) -> None:
    admin = User.objects.create_superuser("root", "root@example.mil", "pw")
    User.objects.filter(pk=admin.pk).update(clearance=Level.TOP_SECRET, nationality="USA")
    admin.refresh_from_db()
    client.force_login(admin)
    notice = planted(Notice)
    for path in [
        reverse("admin:portal_notice_changelist"),
        reverse("admin:portal_notice_change", args=[notice.pk]),
        reverse("admin:portal_notice_history", args=[notice.pk]),
        reverse("admin:portal_notice_delete", args=[notice.pk]),
    ]:
        assert client.get(path).status_code == 200, path
        assert reads(path).count(key(notice)) == 1, path


def test_a_record_written_and_returned_is_one_event(demo: dict[str, User], api_client_for: Any) -> None:
    api = api_client_for(demo["uk_staff"])
    made = api.post(
        "/api/notices/", {"title": "t", "body": "b", "marking": "S//REL TO USA, GBR"}, format="json"
    )
    assert made.status_code == 201
    events = AuditEvent.objects.filter(model="portal.notice", object_id=str(made.json()["id"]))
    assert list(events.values_list("action", flat=True)) == ["create"]


def test_a_data_plan_entry_shown_is_a_read_of_its_agreement(
    demo: dict[str, User], api_client_for: Any
) -> None:
    from agreements.models import DataPlanEntry

    entry = DataPlanEntry.objects.filter(agreement__classification_level__lte=READER_CEILING).first()
    assert entry is not None
    agreement = planted(Agreement, pk=entry.agreement_id)
    api = api_client_for(demo["us_operator"])
    path = f"/api/data-plan/{entry.pk}/"
    assert api.get(path).status_code == 200
    assert reads(path) == [key(agreement)]
