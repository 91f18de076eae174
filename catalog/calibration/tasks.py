"""The calibration run as a Celery task: takes the run's id, does the work once."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from catalog.calibration import runs
from portal.models import TaskRun
from portal.task_runs import enqueue, recorded_task


def _run_key(run_id: int) -> str:
    return f"calibration:{run_id}"


def _subject(run_id: int) -> tuple[str, int]:
    # The task run is shown to those who may read the calibration run.
    return ("catalog.calibrationrun", run_id)


@recorded_task("catalog.calibration.run", key=_run_key, subject=_subject)
def run_calibration(task_run: TaskRun, counts: dict[str, Any], run_id: int) -> dict[str, Any]:
    """One calibration run, done once. A delivery that takes over the task run of a worker that
    died (a later attempt) also takes over the calibration it left running: the fit writes its
    results in one update at the end, so doing it again is safe."""
    try:
        run = runs.execute(run_id, take_over=task_run.attempts > 1)
    except runs.CalibrationRefused as exc:
        counts["refused"] = str(exc)
        return {"run": run_id, "refused": str(exc)}
    counts.update({"observations": run.observation_count, "status": run.status})
    return {"run": run_id}


@shared_task(name="catalog.calibrate_evaluations")
def calibrate_evaluations() -> dict[str, Any]:
    """Periodic: a calibration run of the last whole UTC day for every sensor in evaluation."""
    created = runs.evaluation_runs()
    for run in created:
        enqueue(run_calibration, run.pk)
    return {"queued": [run.pk for run in created]}
