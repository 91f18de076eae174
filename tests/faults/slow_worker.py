"""`python -m tests.faults.slow_worker -A portal worker ...`: a Celery worker whose association
writes half of a batch's results, then pauses for FAULT_ASSOCIATION_PAUSE_S seconds before the
rest — long enough for a test to kill it mid-task."""

from __future__ import annotations

import os
import time
from typing import Any

from celery.signals import task_prerun


@task_prerun.connect
def pause_association_half_way(**_: Any) -> None:
    from catalog.observations.services import association

    real = association._write
    if getattr(real, "pausing", False):
        return
    pause = float(os.environ.get("FAULT_ASSOCIATION_PAUSE_S", "60"))

    def write(updates: list[Any], *, only_pending: bool = False) -> None:
        half = len(updates) // 2
        real(updates[:half], only_pending=only_pending)
        time.sleep(pause)
        real(updates[half:], only_pending=only_pending)

    write.pausing = True  # type: ignore[attr-defined]
    association._write = write


if __name__ == "__main__":
    from celery.__main__ import main

    main()
