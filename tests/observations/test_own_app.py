"""Observations are an app of their own (label `observations`) inside the catalog package. Their
tables stay where the catalog app created them, and the records written while they were the
catalog's (`catalog.observation`, `catalog.ingestbatch` in the audit trail and task runs) still
find their model, their readers and their audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from catalog.observations.models import IngestBatch, Observation
from portal.markings.models import marking_columns
from portal.model_labels import PORTAL_APPS, labels_of, model_for, stored_labels
from portal.models import AuditEvent, SpOC, TaskRun, User
from portal.task_runs import finish_run, runs_visible_to, start_run

BEFORE = [("catalog", "0009_batch_uct_count"), ("observations", None)]


def test_the_models_are_the_observations_apps_and_keep_their_tables() -> None:
    assert Observation._meta.app_label == "observations"
    assert IngestBatch._meta.app_label == "observations"
    assert (Observation._meta.db_table, IngestBatch._meta.db_table) == (
        "catalog_observation",
        "catalog_ingestbatch",
    )
    assert apps.get_app_config("observations").name == "catalog.observations"
    assert "observations" in PORTAL_APPS


def test_a_stored_label_of_either_age_finds_its_model() -> None:
    assert model_for("catalog.observation") is Observation
    assert model_for("catalog.ingestbatch") is IngestBatch
    assert model_for("observations.observation") is Observation
    assert model_for("Catalog.Observation") is Observation
    assert labels_of(Observation) == ["observations.observation", "catalog.observation"]
    assert labels_of("catalog.ingestbatch") == ["observations.ingestbatch", "catalog.ingestbatch"]
    assert labels_of("catalog.spaceobject") == ["catalog.spaceobject"]
    with pytest.raises(LookupError):
        model_for("catalog.nothing")
    with pytest.raises(LookupError):
        model_for("no label at all")
    assert stored_labels("catalog.nothing") == ["catalog.nothing"]


@pytest.fixture
def uk_batch(coalition: dict[str, User]) -> IngestBatch:
    return IngestBatch.objects.create(
        delivered_by_name="uk_staff",
        spoc=SpOC.objects.get(code="uk-spoc"),
        channel="api",
        data_format="udl-json",
        payload="observations/planted.json",
        payload_sha256="0" * 64,
        **marking_columns("SECRET//REL TO USA, GBR"),
    )


def test_a_run_recorded_under_the_former_label_is_seen_by_the_batchs_readers_only(
    uk_batch: IngestBatch, coalition: dict[str, User]
) -> None:
    run = start_run("catalog.observations.associate", f"before-the-move:{uk_batch.pk}")
    TaskRun.objects.filter(pk=run.pk).update(subject_model="catalog.ingestbatch", subject_id=uk_batch.pk)
    finish_run(run, {"associated": 1})
    seen = {name: runs_visible_to(coalition[name]).filter(pk=run.pk).exists() for name in coalition}
    assert seen["uk_staff"] and seen["us_operator"] and seen["security_officer"]
    assert not seen["au_staff"] and not seen["fr_staff"] and not seen["visitor"]


def test_a_records_audit_trail_holds_the_events_stored_under_its_former_label(
    uk_batch: IngestBatch, coalition: dict[str, User], client: Client
) -> None:
    AuditEvent.objects.create(
        actor_name="uk_staff",
        action="create",
        model="catalog.ingestbatch",
        object_id=str(uk_batch.pk),
        object_repr="before the move",
        path="/api/observations/",
    )
    AuditEvent.objects.create(
        actor_name="uk_staff",
        action="create",
        model="catalog.ingestbatch",
        object_id=str(uk_batch.pk + 1000),
        object_repr="another batch",
        path="/api/observations/",
    )
    client.force_login(coalition["security_officer"])
    query = f"model=observations.ingestbatch&object_id={uk_batch.pk}"
    page = client.get(f"/audit/?{query}").content.decode()
    assert "before the move" in page and "another batch" not in page
    api = client.get(f"/api/audit/?{query}").json()
    # Both ages: the event stored when the batch was created now, and the one stored before.
    assert sorted(event["object_repr"] for event in api["results"]) == sorted(
        [str(uk_batch), "before the move"]
    )
    # Asked by the former label, the same events answer.
    assert (
        "before the move"
        in client.get(f"/audit/?model=catalog.ingestbatch&object_id={uk_batch.pk}").content.decode()
    )


def test_the_marking_page_opens_a_record_by_its_former_label(
    uk_batch: IngestBatch, coalition: dict[str, User], client: Client
) -> None:
    client.force_login(coalition["security_officer"])
    for label in ("observations.ingestbatch", "catalog.ingestbatch"):
        assert client.get(f"/markings/{label}/{uk_batch.pk}/downgrade/").status_code == 200, label
    assert client.get("/markings/catalog.nothing/1/downgrade/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_renames_the_content_types(coalition: dict[str, User]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(("catalog", "0009_batch_uct_count")).apps
    content_type = old.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="observations").delete()
    batch_type = content_type.objects.get_or_create(app_label="catalog", model="ingestbatch")[0]
    old_batch = old.get_model("catalog", "IngestBatch").objects.create(
        delivered_by_name="uk_staff",
        payload="observations/old.json",
        payload_sha256="1" * 64,
        **marking_columns("UNCLASSIFIED"),
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    batch_type.refresh_from_db()
    assert (batch_type.app_label, batch_type.model) == ("observations", "ingestbatch")
    moved: Any = IngestBatch.objects.get(pk=old_batch.pk)
    assert moved.payload_sha256 == "1" * 64
