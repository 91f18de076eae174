"""`python -m tests.faults.slow_sync_worker -A portal worker ...`: a Celery worker whose catalog
sync imports its first file, then pauses for FAULT_SYNC_PAUSE_S seconds before recording it as
synced and going on to the next — long enough for a test to kill it mid-sync."""

from __future__ import annotations

import os
import time
from typing import Any

from celery.signals import task_prerun


@task_prerun.connect
def pause_sync_after_the_first_file(**_: Any) -> None:
    from catalog.services import sync

    real = sync._import_one
    if getattr(real, "pausing", False):
        return
    pause = float(os.environ.get("FAULT_SYNC_PAUSE_S", "60"))
    paused: list[bool] = []

    def import_one(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        if not paused:
            paused.append(True)
            time.sleep(pause)

    import_one.pausing = True  # type: ignore[attr-defined]
    sync._import_one = import_one


if __name__ == "__main__":
    from celery.__main__ import main

    main()
