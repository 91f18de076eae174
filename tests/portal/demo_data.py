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
    # Module-scoped, so it runs before the per-test fast hasher: ask for it here too.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            yield {user.username: user for user in User.objects.all()}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
