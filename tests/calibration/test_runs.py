"""Calibration runs over stored observations: the command, the task, markings, acceptance."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from catalog.calibration import runs
from catalog.calibration.tasks import run_calibration
from catalog.models import CalibrationRun, CalibrationStatus
from tests.calibration.conftest import BIASES, NOISE

pytestmark = pytest.mark.django_db
PERIOD = ("--start", "2015-03-02T00:00:00", "--end", "2015-03-03T00:00:00")


def command(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("run_calibration", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_run_calibration_recovers_the_injected_biases(calibration_setup: dict[str, Any]) -> None:
    report = command("7700", *PERIOD)
    assert report["ok"] and report["status"] == "done"
    assert set(report["types"]) == {"range", "azimuth", "elevation", "range_rate"}
    for name, value in BIASES.items():
        t = report["types"][name]
        assert abs(t["bias"] - value) < 3 * t["bias_sigma"], name
        assert t["noise"] == pytest.approx(NOISE[name], rel=0.10)
        assert t["used"] > 500
    assert report["types"]["range"]["rejected"] >= 4
    assert abs(report["time_bias_s"] - 0.005) < 3 * report["time_bias_sigma_s"]
    assert report["not_observable"] == []
    # Biases of 50 m and 0.01 deg exceed Level 1 (30 m, 0.005 deg) but meet Level 2 and 3.
    assert report["verdict"] == [2, 3]
    assert "range: |bias|" in " ".join(report["tiers"]["1"]["reasons"])
    assert report["reference_targets"] == [39000]
    assert report["truth"] == ["ephemeris"]
    assert "finals" in report["earth_orientation"]["table"]
    # Marked as sensor (REL GBR) + truth (REL FVEY) + observations (REL GBR) combined.
    assert report["marking"] == "CUI//REL TO USA, GBR"


def test_the_same_period_twice_is_one_run_and_the_task_does_nothing_twice(
    calibration_setup: dict[str, Any],
) -> None:
    sensor = calibration_setup["sensor"]
    first = command("7700", *PERIOD)
    second = command("7700", *PERIOD)
    assert first["run"] == second["run"]
    assert CalibrationRun.objects.count() == 1
    answer = run_calibration(first["run"])
    assert answer["status"] == CalibrationStatus.DONE or answer.get("duplicate")
    assert CalibrationRun.objects.get().sensor == sensor


def test_a_period_without_truth_fails_and_says_why(calibration_setup: dict[str, Any]) -> None:
    report = command("7700", "--start", "2016-01-01", "--end", "2016-01-02")
    assert report["ok"] is False
    run = CalibrationRun.objects.get()
    assert run.status == CalibrationStatus.FAILED and "no calibration satellite has a truth" in run.error


def test_bad_arguments_name_the_field(calibration_setup: dict[str, Any]) -> None:
    assert "sensor_number" in command("9999", *PERIOD)["error"]
    assert "--start" in command("7700", "--start", "yesterday", "--end", "2015-03-03")["error"]
    assert "end" in command("7700", "--start", "2015-03-03", "--end", "2015-03-02")["error"]


def test_an_accepted_run_becomes_the_sensors_corrections(
    calibration_setup: dict[str, Any], coalition: Any
) -> None:
    sensor = calibration_setup["sensor"]
    assert runs.current_corrections(sensor) is None
    report = command("7700", *PERIOD)
    run = CalibrationRun.objects.get(pk=report["run"])
    runs.accept(run, coalition["agreement_admin"])
    current = runs.current_corrections(sensor)
    assert current is not None and current.pk == run.pk
    assert current.results["range"]["bias"] == pytest.approx(report["types"]["range"]["bias"])


def test_a_calibration_lost_with_its_worker_is_taken_over_and_done_once(
    calibration_setup: dict[str, Any], settings: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    from portal import task_runs
    from portal.models import TaskRun, TaskRunStatus

    sensor = calibration_setup["sensor"]
    run = runs.request_run(
        sensor, dt.datetime(2015, 3, 2, tzinfo=dt.UTC), dt.datetime(2015, 3, 3, tzinfo=dt.UTC)
    )
    # A worker took the run and died half-way: the calibration says running, its task run is silent.
    CalibrationRun.objects.filter(pk=run.pk).update(status=CalibrationStatus.RUNNING, stage="fitting")
    lost = task_runs.start_run("catalog.calibration.run", f"calibration:{run.pk}", args=[run.pk])
    silent = timezone.now() - dt.timedelta(seconds=settings.TASK_RUN_LEASE_S + 1)
    TaskRun.objects.filter(pk=lost.pk).update(heartbeat=silent)
    assert task_runs.recover() == {"recovered": 1, "requeued": 1}  # re-queued, run at once here
    run.refresh_from_db()
    assert run.status == CalibrationStatus.DONE and run.observation_count > 500
    again = run_calibration(run.pk)  # a late redelivery of the first message
    assert again["duplicate"] is True
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()


def test_observations_without_a_track_id_are_grouped_by_their_utc_hour() -> None:
    import datetime as dt

    import numpy as np

    times = [dt.datetime(2015, 3, 2, h, m, tzinfo=dt.UTC) for h, m in ((9, 5), (9, 59), (23, 0), (0, 1))]
    labels = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[us]")
    names = runs._track_names(["A7", None, "", None], labels)
    assert list(names) == ["A7", f"{times[1]:%Y%m%d%H}", f"{times[2]:%Y%m%d%H}", f"{times[3]:%Y%m%d%H}"]
