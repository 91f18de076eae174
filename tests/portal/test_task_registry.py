"""A web process queues tasks by name, so every task must be registered once Django is set up,
not only in a worker (Celery's own discovery waits for a worker to start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from catalog.observations.task_names import ASSOCIATE_TASK, RETRY_TASK
from tasking.services.retask_split import CHUNK_TASK, FAILED_TASK, FINISH_TASK

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from celery import current_app
print(json.dumps(sorted(name for name in current_app.tasks if not name.startswith("celery."))))
"""


def test_a_fresh_web_process_knows_every_task_it_may_queue() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"DJANGO_SETTINGS_MODULE": "portal.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    registered = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert {ASSOCIATE_TASK, RETRY_TASK} <= registered
    # A split retasking run sends its chord by these names.
    assert {CHUNK_TASK, FINISH_TASK, FAILED_TASK} <= registered
    # Every task the periodic schedule names is registered too.
    assert {task for task, _seconds in settings.PERIODIC_TASKS.values()} <= registered
