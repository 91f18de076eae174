"""Faults of the broker and the workers, on a private `redis-server` and real worker processes:
a Redis restart that loses every queued message (no persistence) or keeps them (append-only
file), a delivery while Redis is down, and a worker killed with SIGKILL half-way through an
association. In each case the work is found again and done once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from catalog.observations.choices import AssociationStatus
from catalog.observations.models import Observation
from catalog.observations.task_names import ASSOCIATE_TASK
from catalog.observations.tasks import associate_batch, requeue_pending
from portal.models import TaskRun, TaskRunStatus
from portal.tasks import recover_runs
from tests.conftest import _database_url_of_test_db
from tests.faults.services import PrivateRedis, Worker, broker, private_redis, wait_until, workers
from tests.observations.helpers import payload, radar_record

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis(django_db_blocker: Any) -> Iterator[PrivateRedis]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    with private_redis(6391) as server, broker(server.url):
        yield server


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database: PostgreSQL")
    (tmp_path / "redis").mkdir()
    with private_redis(6391, tmp_path / "redis") as server, broker(server.url):
        yield server


@pytest.fixture
def database_url() -> str:
    return _database_url_of_test_db()


def deliver(user: Any, first: int, count: int) -> dict[str, Any]:
    api = APIClient()
    api.force_authenticate(user)
    body = payload([radar_record(i) for i in range(first, first + count)], "udl-json")
    response = api.post("/api/observations/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def pending(batch: int | None = None) -> int:
    rows = Observation.objects.filter(association=AssociationStatus.PENDING)
    return rows.filter(batch_id=batch).count() if batch is not None else rows.count()


def association_runs(batch: int) -> list[TaskRun]:
    return list(TaskRun.objects.filter(idempotency_key=f"{ASSOCIATE_TASK}:{batch}"))


def test_a_redis_restart_without_persistence_loses_the_queue_and_the_sweep_finds_the_work_again(
    world: Any, media: Any, redis: PrivateRedis, database_url: str
) -> None:
    # No worker yet: both associations wait in Redis.
    batches = [
        deliver(world.users["uk_staff"], 1, 20)["batch"],
        deliver(world.users["uk_staff"], 101, 20)["batch"],
    ]
    assert redis.queued() == 2
    redis.restart()
    assert redis.queued() == 0  # the messages are gone
    assert pending() == 40
    with workers() as started:
        started.append(Worker(redis.url, database_url, "redis-restart").start())
        requeue_pending.delay("sweep-after-restart", older_than_s=0)
        wait_until(lambda: pending() == 0, 45, "the sweep's associations were not done")
        assert not redis.queued()
        again = requeue_pending.delay("sweep-again", older_than_s=0)
        assert again.id
        wait_until(
            lambda: TaskRun.objects.filter(
                idempotency_key="sweep-again", status=TaskRunStatus.SUCCEEDED
            ).exists(),
            30,
            "the second sweep did not run",
        )
    for batch in batches:
        runs = association_runs(batch)
        assert [(run.status, run.attempts) for run in runs] == [(TaskRunStatus.SUCCEEDED, 1)]
    assert TaskRun.objects.get(idempotency_key="sweep-after-restart").counts["associations"] == 2
    assert TaskRun.objects.get(idempotency_key="sweep-again").counts["associations"] == 0  # done once


def test_a_redis_restart_with_persistence_keeps_the_queue_and_each_batch_is_associated_once(
    world: Any, media: Any, persistent_redis: PrivateRedis, database_url: str
) -> None:
    redis = persistent_redis
    batches = [
        deliver(world.users["uk_staff"], 1, 20)["batch"],
        deliver(world.users["uk_staff"], 101, 20)["batch"],
    ]
    assert redis.queued() == 2
    redis.restart()  # SIGKILL: only what the append-only file holds comes back
    assert redis.queued() == 2
    assert pending() == 40
    # A sweep before any worker is back queues both associations a second time: four messages
    # for two batches, of which only the first of each may do the work.
    requeue_pending("sweep-after-restart", older_than_s=0)
    assert TaskRun.objects.get(idempotency_key="sweep-after-restart").counts["associations"] == 2
    assert redis.queued() == 4
    with workers() as started:
        worker = Worker(redis.url, database_url, "redis-persistent").start()
        started.append(worker)
        wait_until(lambda: pending() == 0, 45, "the kept associations were not done")
        wait_until(lambda: not redis.queued(), 30, "the queue was not drained")
        wait_until(lambda: worker.log().count("'duplicate': True") == 2, 20, "the copies were not answered")
    for batch in batches:
        runs = association_runs(batch)
        assert [(run.status, run.attempts) for run in runs] == [(TaskRunStatus.SUCCEEDED, 1)]
        assert runs[0].counts["associated"] + runs[0].counts["uct"] == 20
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()


def test_a_delivery_while_redis_is_down_answers_2xx_pending_and_is_associated_once_redis_is_back(
    world: Any, media: Any, redis: PrivateRedis, database_url: str
) -> None:
    redis.stop()
    answer = deliver(world.users["uk_staff"], 1, 10)
    assert answer["association"] == "pending" and answer["accepted"] == 10
    assert pending(answer["batch"]) == 10
    redis.start()
    with workers() as started:
        started.append(Worker(redis.url, database_url, "redis-down").start())
        requeue_pending.delay("sweep-redis-back", older_than_s=0)
        wait_until(lambda: pending(answer["batch"]) == 0, 45, "the delivery was not associated")
    runs = association_runs(answer["batch"])
    assert [(run.status, run.attempts) for run in runs] == [(TaskRunStatus.SUCCEEDED, 1)]


def test_a_worker_killed_mid_association_is_recovered_and_the_batch_associated_once(
    world: Any, media: Any, redis: PrivateRedis, database_url: str, settings: Any
) -> None:
    lease = {"TASK_RUN_HEARTBEAT_S": "1", "TASK_RUN_LEASE_S": "4"}
    settings.TASK_RUN_LEASE_S = 4
    n = 40
    with workers() as started:
        slow = Worker(redis.url, database_url, "slow", FAULT_ASSOCIATION_PAUSE_S="120", **lease)
        started.append(slow.start("tests.faults.slow_worker"))
        batch = deliver(world.users["uk_staff"], 1, n)["batch"]
        # Half the batch written, the worker paused and beating: kill it there.
        wait_until(lambda: pending(batch) == n // 2, 45, "the slow worker did not reach half-way")
        (run,) = association_runs(batch)
        assert run.status == TaskRunStatus.RUNNING
        slow.kill()
        assert pending(batch) == n // 2
        started.append(Worker(redis.url, database_url, "after-kill", **lease).start())
        # The killed task's message is still unacknowledged (back only after the visibility
        # timeout); the recovery sweep, once the lease has passed, queues the work again.
        wait_until(
            lambda: TaskRun.objects.filter(
                pk=run.pk, status=TaskRunStatus.RUNNING, heartbeat__lt=_now_minus(4.5)
            ).exists(),
            20,
            "the killed run's lease did not run out",
        )
        recover_runs.delay("recover-after-kill")
        wait_until(lambda: pending(batch) == 0, 45, "the recovered association was not done")
        wait_until(
            lambda: TaskRun.objects.filter(pk=run.pk, status=TaskRunStatus.SUCCEEDED).exists(),
            20,
            "the run did not end",
        )
        # The broker's own redelivery of the killed message, arriving late, does nothing.
        associate_batch.delay(batch)
        wait_until(lambda: "'duplicate': True" in started[-1].log(), 20, "the late delivery was not answered")
    run.refresh_from_db()
    assert run.status == TaskRunStatus.SUCCEEDED and run.attempts == 2 and run.error == ""
    # The second attempt wrote only the half the killed one had not: each observation once.
    assert run.counts["associated"] + run.counts["uct"] == n // 2
    recovered = TaskRun.objects.get(idempotency_key="recover-after-kill")
    assert recovered.counts == {"recovered": 1, "requeued": 1}
    assert len(association_runs(batch)) == 1
    assert not TaskRun.objects.filter(status=TaskRunStatus.RUNNING).exists()


def _now_minus(seconds: float) -> Any:
    import datetime as dt

    from django.utils import timezone

    return timezone.now() - dt.timedelta(seconds=seconds)
