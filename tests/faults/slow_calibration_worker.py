"""`python -m tests.faults.slow_calibration_worker -A portal worker ...`: a Celery worker whose
calibration fits its residuals, then, before storing the result, touches FAULT_CALIBRATION_PAUSED
and pauses for FAULT_CALIBRATION_PAUSE_S seconds — long enough for a test to kill it mid-run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import task_prerun


@task_prerun.connect
def pause_calibration_before_storing(**_: Any) -> None:
    from catalog.calibration import runs

    real = runs._store
    if getattr(real, "pausing", False):
        return
    pause = float(os.environ.get("FAULT_CALIBRATION_PAUSE_S", "60"))
    marker = os.environ.get("FAULT_CALIBRATION_PAUSED")

    def store(*args: Any, **kwargs: Any) -> None:
        if marker:
            Path(marker).write_text("paused")
        time.sleep(pause)
        real(*args, **kwargs)

    store.pausing = True  # type: ignore[attr-defined]
    runs._store = store


if __name__ == "__main__":
    from celery.__main__ import main

    main()
