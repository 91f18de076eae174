"""The demo coalition seeded once for a whole test module (it takes a while), inside a
transaction rolled back when the module is done; each test runs in a savepoint of it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from portal.models import User

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, User]]:
    # Module-scoped, so it runs before the per-test fast hasher and in-process tasks: ask for
    # both here too. Seeded as `make run` seeds it (tasks in process), the demo holds the same
    # records, background runs included, whichever database and broker the suite runs on.
    from portal.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            app.conf.task_always_eager = eager
            yield {user.username: user for user in User.objects.all()}
        finally:
            app.conf.task_always_eager = eager
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
