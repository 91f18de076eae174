"""The demo day of observations: real batches from seeded sensors, associated, and seeded once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command

from catalog.observations.choices import AssociationStatus, BatchStatus
from catalog.observations.models import IngestBatch, Observation
from catalog.observations.seed import DELIVERIES, FILE_PREFIX
from portal.models import TaskRun


@pytest.fixture
def demo_steps(settings: Any, media: Any) -> list[str]:
    steps = list(settings.SEED_DEMO_STEPS)
    if "catalog.observations.seed.seed" not in steps:
        steps.insert(steps.index("catalog.seed.seed") + 1, "catalog.observations.seed.seed")
    settings.SEED_DEMO_STEPS = steps
    return steps


@pytest.mark.django_db
def test_seed_demo_delivers_a_day_of_observations_once(
    demo_steps: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("seed_demo", "--json")
    first = json.loads(capsys.readouterr().out)["counts"]

    batches = IngestBatch.objects.filter(filename__startswith=FILE_PREFIX)
    assert batches.count() == len(DELIVERIES) == first["observation_batches"]
    assert 2000 <= first["observations"] <= 5000
    statuses = sorted(batches.values_list("status", flat=True))
    assert statuses.count(BatchStatus.PARTIAL) == 1
    assert set(statuses) == {BatchStatus.ACCEPTED, BatchStatus.PARTIAL}
    partial = batches.get(status=BatchStatus.PARTIAL)
    assert partial.rejected == first["refused_observations"] > 0
    assert all(e["record"] and e["field"] and e["message"] for e in partial.errors)

    observations = Observation.objects.filter(batch__filename__startswith=FILE_PREFIX)
    assert not observations.filter(association=AssociationStatus.PENDING).exists()
    assert 0 < first["uct_observations"] < first["observations"] // 10
    assert observations.filter(association=AssociationStatus.ASSOCIATED).count() > first["observations"] * 0.8
    assert {o.sensor.spoc.code for o in observations.select_related("sensor__spoc")} >= {"us-spoc", "uk-spoc"}
    uk = observations.filter(sensor__spoc__code="uk-spoc").first()
    assert uk is not None and "GBR" in uk.marking.rel_to
    assert TaskRun.objects.filter(name="catalog.associate_batch").count() == len(DELIVERIES)

    call_command("seed_demo", "--json")
    second = json.loads(capsys.readouterr().out)["counts"]
    assert {k: second[k] for k in first} == first
    assert IngestBatch.objects.count() == len(DELIVERIES)
