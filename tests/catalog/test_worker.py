"""A catalog sync queued through Redis, run by a real worker, its run visible in the database."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from catalog.models import SyncRun, SyncRunStatus, SyncSource
from catalog.tasks import sync_source
from tests.catalog.conftest import SAMPLES

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_pulls_a_source_once_for_a_duplicated_slot(
    celery_worker_process: Any, tmp_path: Path
) -> None:
    shutil.copy(SAMPLES / "elements_celestrak_omm.json", tmp_path / "gp.json")
    source = SyncSource.objects.create(
        name="worker drop", kind="directory", location=str(tmp_path), interval=dt.timedelta(hours=1)
    )
    sync_source.delay(source.pk, "slot-1")
    sync_source.delay(source.pk, "slot-1")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if SyncRun.objects.filter(source=source, status=SyncRunStatus.SUCCEEDED).exists():
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the worker did not finish the sync in time")
    time.sleep(1)
    run = SyncRun.objects.get(source=source)
    assert run.added == 3 and run.files == 1 and run.task_run is not None
