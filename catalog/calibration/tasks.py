"""The calibration run as a Celery task: takes the run's id, does the work once."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from catalog.calibration import runs
from portal.task_runs import AlreadyDone, recorded_run


@shared_task(name="catalog.calibration.run")
def run_calibration(run_id: int) -> dict[str, Any]:
    try:
        with recorded_run(
            "catalog.calibration.run", f"calibration:{run_id}", subject=("catalog.calibrationrun", run_id)
        ) as (_task, counts):
            try:
                run = runs.execute(run_id)
            except runs.CalibrationRefused as exc:
                counts["refused"] = str(exc)
                return {"run": run_id, "refused": str(exc)}
            counts.update({"observations": run.observation_count, "status": run.status})
        return {"run": run_id, "status": run.status}
    except AlreadyDone as done:
        return {"run": run_id, "duplicate": True, "task_run": str(done.run.run_id)}
