"""The server process's start-up: the WSGI application, with what start-up made left out of
the garbage collector's walks."""

from __future__ import annotations

import subprocess
import sys


def test_the_wsgi_application_starts_with_its_start_up_objects_frozen() -> None:
    # A fresh interpreter, as a server worker is: this test process has frozen nothing.
    probe = (
        "import gc, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); "
        "before = gc.get_freeze_count(); import portal.wsgi; "
        "print(before, gc.get_freeze_count(), callable(portal.wsgi.application))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    before, after, callable_app = done.stdout.split()
    assert before == "0" and int(after) > 10_000 and callable_app == "True", done.stdout
