"""Evaluations run on calibration: scheduled runs while a sensor is in evaluation, the board and
the detail page citing the run behind their figures, and promotions that must cite runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agreements.choices import EvaluationStatus
from agreements.models import Sensor, TierEvaluation
from catalog.calibration import runs
from catalog.calibration.tasks import run_calibration
from catalog.models import CalibrationRun, CalibrationStatus
from portal.errors import DomainError

pytestmark = pytest.mark.django_db
AFTER_THE_DAY = dt.datetime(2015, 3, 3, 5, 0, tzinfo=dt.UTC)


def in_evaluation(sensor: Sensor, level: int, admin: Any) -> TierEvaluation:
    return TierEvaluation.start(sensor, level, admin, started_on=dt.date(2015, 3, 1))


def scheduled_run(calibration_setup: dict[str, Any], admin: Any, level: int = 2) -> CalibrationRun:
    evaluation = in_evaluation(calibration_setup["sensor"], level, admin)
    created = runs.evaluation_runs(AFTER_THE_DAY)
    assert [r.sensor_id for r in created] == [evaluation.sensor_id]
    run = created[0]
    assert (run.start, run.end) == (AFTER_THE_DAY.replace(day=2, hour=0), AFTER_THE_DAY.replace(hour=0))
    run_calibration(run.pk)
    run.refresh_from_db()
    assert run.status == CalibrationStatus.DONE
    return run


def test_a_sensor_in_evaluation_is_calibrated_on_a_schedule(
    calibration_setup: dict[str, Any], coalition: Any
) -> None:
    assert settings.PERIODIC_TASKS["calibrate sensors in evaluation"][0] == "catalog.calibrate_evaluations"
    run = scheduled_run(calibration_setup, coalition["agreement_admin"])
    assert run.qualifies_for == [2, 3]
    # The same day again, or later the same day: nothing new.
    assert runs.evaluation_runs(AFTER_THE_DAY) == []
    assert runs.evaluation_runs(AFTER_THE_DAY + dt.timedelta(hours=5)) == []
    assert CalibrationRun.objects.count() == 1


def test_no_run_for_a_sensor_not_in_evaluation_or_a_day_before_it(
    calibration_setup: dict[str, Any], coalition: Any
) -> None:
    assert runs.evaluation_runs(AFTER_THE_DAY) == []
    TierEvaluation.start(
        calibration_setup["sensor"], 2, coalition["agreement_admin"], started_on=dt.date(2015, 3, 3)
    )
    assert runs.evaluation_runs(AFTER_THE_DAY) == []  # the day is not before the evaluation began


def test_the_board_and_the_detail_cite_the_run_behind_their_results(
    calibration_setup: dict[str, Any], coalition: Any, client: Client
) -> None:
    run = scheduled_run(calibration_setup, coalition["agreement_admin"])
    evaluation = TierEvaluation.objects.get()
    client.force_login(coalition["agreement_admin"])
    link = f"{reverse('sensor-calibration', args=[calibration_setup['sensor'].pk])}#run-{run.pk}"
    board = client.get(reverse("evaluation-board")).content.decode()
    assert link in board and f"calibration run {run.pk}" in board
    detail = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert link in detail
    # The range bias row carries the run's figure (0.05 km planted), not "no result yet".
    range_bias = abs(run.results["range"]["bias"])
    assert str(range_bias) in detail
    page = client.get(reverse("sensor-calibration", args=[calibration_setup["sensor"].pk])).content.decode()
    assert f'id="run-{run.pk}"' in page


def test_a_promotion_cites_runs_that_qualify_the_sensor(
    calibration_setup: dict[str, Any], coalition: Any, client: Client
) -> None:
    admin = coalition["agreement_admin"]
    run = scheduled_run(calibration_setup, admin, level=1)
    evaluation = TierEvaluation.objects.get()
    with pytest.raises(DomainError, match="cites the calibration runs"):
        evaluation.decide(EvaluationStatus.PROMOTED, admin, "looks good")
    # The run qualifies for Levels 2 and 3, not 1 (range bias 50 m > 30 m).
    with pytest.raises(DomainError, match="each qualifying it for Level 1"):
        evaluation.decide(EvaluationStatus.PROMOTED, admin, "looks good", [run.pk])
    evaluation.decide(EvaluationStatus.WITHDRAWN, admin, "wrong level")
    second = TierEvaluation.start(calibration_setup["sensor"], 2, admin)
    client.force_login(admin)
    client.post(
        reverse("evaluation-decide", args=[second.pk]),
        {"decision": "promote", "reason": "Level 2 limits met", "calibration_runs": [str(run.pk)]},
    )
    second.refresh_from_db()
    assert second.status == EvaluationStatus.PROMOTED
    assert [c["id"] for c in second.calibration_runs] == [run.pk]
    assert Sensor.objects.get(pk=calibration_setup["sensor"].pk).integration_level == 2
    detail = client.get(reverse("evaluation-detail", args=[second.pk])).content.decode()
    assert "Calibration runs cited" in detail and f"#run-{run.pk}" in detail
