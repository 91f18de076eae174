"""Shared fixtures: the demo personas, API clients, and a real Celery worker when asked for."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from portal.models import User
from portal.seed import seed_core
from portal.testing import SignedInClient

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = [
    "us_operator",
    "uk_staff",
    "au_staff",
    "fr_staff",
    "agreement_admin",
    "security_officer",
    "security_officer2",
    "visitor",
]
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_in_process(request: pytest.FixtureRequest) -> Iterator[None]:
    """Outside the tests that use a real worker, a queued task runs at once in the test, as on
    the embedded default; otherwise the PostgreSQL + Redis run would leave it in Redis."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from portal.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def audit_trail_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that commits (live server, transactional_db) ends with a flush of every table.
    On SQLite the append-only trail lets itself be emptied only under a maintenance permit,
    which ends by itself once the trail is empty (see portal migration 0004)."""
    marker = request.node.get_closest_marker("django_db")
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if "transactional_db" not in request.fixturenames and not by_marker:
        yield
        return
    # Set up before this fixture, so that its flush runs after this teardown.
    request.getfixturevalue("transactional_db" if not by_marker else "_django_db_helper")
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO portal_audit_maintenance (reason) "
                "SELECT 'test database flush' WHERE EXISTS (SELECT 1 FROM portal_auditevent)"
            )


@pytest.fixture
def client() -> SignedInClient:
    """The test client; its `force_login` also passes the second factor of the personas who
    need one (`portal.testing.sign_in(client, user, second_factor=False)` stops short)."""
    return SignedInClient()


@pytest.fixture
def coalition(db: Any) -> dict[str, User]:
    """Nations, SpOCs, the demo users and their notices."""
    seed_core()
    return {user.username: user for user in User.objects.filter(username__in=PERSONAS)}


@pytest.fixture
def api_client_for() -> Any:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if settings.CELERY_BROKER_URL or REQUIRE_SERVICES:
        return
    skip = pytest.mark.skip(reason="no CELERY_BROKER_URL: runs in the PostgreSQL + Redis set-up")
    for item in items:
        if "worker" in item.keywords:
            item.add_marker(skip)


def _database_url_of_test_db() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        raise RuntimeError("a real worker needs PostgreSQL: set DATABASE_URL")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: Any, django_db_blocker: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the test database, fed through the configured broker."""
    if not settings.CELERY_BROKER_URL:
        pytest.fail("CELERY_BROKER_URL is not set but a worker test is running")
    with django_db_blocker.unblock():
        env = {**os.environ, "DATABASE_URL": _database_url_of_test_db(), "DATABASE_CONN_MAX_AGE": "0"}
    log = open(ROOT / "var" / "test-worker.log", "wb")  # noqa: SIM115
    from portal.celery import app

    app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=info",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the celery worker exited with {process.returncode}; see var/test-worker.log")
        if app.control.ping(timeout=1.0):
            break
    else:
        process.terminate()
        pytest.fail("the celery worker did not answer a ping within 60 s")
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()
