"""`python -m tests.faults.slow_retask_worker -A portal worker ...`: a Celery worker whose
retasking run books its SSN slots, then, before marking the first request retasked, touches
FAULT_RETASK_PAUSED and pauses for FAULT_RETASK_PAUSE_S seconds — long enough for a test to
kill it mid-run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from celery.signals import task_prerun


@task_prerun.connect
def pause_retasking_before_the_first_request(**_: Any) -> None:
    from tasking.services import retasking

    real = retasking._mark_retasked
    if getattr(real, "pausing", False):
        return
    pause = float(os.environ.get("FAULT_RETASK_PAUSE_S", "60"))
    marker = os.environ.get("FAULT_RETASK_PAUSED")
    paused: list[bool] = []

    def mark_retasked(*args: Any, **kwargs: Any) -> None:
        if not paused:
            paused.append(True)
            if marker:
                Path(marker).write_text("paused")
            time.sleep(pause)
        real(*args, **kwargs)

    mark_retasked.pausing = True  # type: ignore[attr-defined]
    retasking._mark_retasked = mark_retasked


if __name__ == "__main__":
    from celery.__main__ import main

    main()
