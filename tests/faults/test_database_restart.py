"""PostgreSQL restarted mid bulk ingest, on a private cluster (its own initdb, port and socket),
served by gunicorn as in production: the ingest's transaction is lost, its batch ends failed
and retryable, one retry stores it exactly once, and requests after the restart get no 500."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.api_tokens import issue
from tests.conftest import _database_url_of_test_db
from tests.faults.services import PrivatePostgres, WebServer, free_port, manage, private_postgres, wait_until
from tests.observations.helpers import payload, radar_record

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

N = 300


def call(url: str, token: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"text": text.decode(errors="replace")[:500]}


@pytest.fixture
def cluster(world: Any, media: Any) -> Iterator[tuple[PrivatePostgres, str]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the private cluster is copied from the PostgreSQL test database")
    _, token = issue(world.users["uk_staff"], name="delivery client")
    with private_postgres(5441) as server:
        server.copy_database(_database_url_of_test_db())
        yield server, token


def test_a_database_restart_mid_ingest_fails_the_batch_a_retry_stores_it_once_and_no_500_follows(
    cluster: tuple[PrivatePostgres, str], tmp_path: Path
) -> None:
    server, token = cluster
    trigger, paused = tmp_path / "pause", tmp_path / "paused"
    env = {
        "DATABASE_URL": server.url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DEBUG": "1",
        "FAULT_INGEST_PAUSE_FILE": str(trigger),
        "FAULT_INGEST_PAUSED": str(paused),
        "FAULT_INGEST_PAUSE_S": "6",
    }
    web = WebServer(free_port(8791), env, "tests.faults.slow_wsgi:application").start()
    try:
        api = f"{web.url}/api/observations/"
        trigger.write_text("once")
        answers: list[tuple[int, dict[str, Any]]] = []
        body = payload([radar_record(i) for i in range(1, N + 1)], "udl-json")
        delivery = threading.Thread(target=lambda: answers.append(call(api, token, body)))
        delivery.start()
        # The rows are written in the ingest's transaction, not yet committed: restart there.
        wait_until(paused.exists, 60, "the ingest did not reach its pause")
        batch = int(paused.read_text())
        server.restart()
        delivery.join(timeout=60)
        ((code, answer),) = answers
        assert code == 503 and answer["batch"] == batch and answer["retryable"] is True, answer
        assert server.psql(f"SELECT count(*) FROM catalog_observation WHERE batch_id = {batch}") == "0"
        assert server.psql(f"SELECT status FROM catalog_ingestbatch WHERE id = {batch}") in (
            "received",
            "failed",
        )

        # Requests once the database is back: none answers 500 (dead connections are replaced).
        codes = [call(api + "?limit=5", token)[0] for _ in range(6)]
        later = call(api, token, payload([radar_record(i) for i in range(N + 1, N + 11)], "udl-json"))
        assert codes == [200] * 6 and later[0] == 201, (codes, later)

        # The sweep settles the batch (failed, retryable) and reads it again from its archive.
        sweep = "from catalog.observations.tasks import requeue_pending as r; import json; print(json.dumps(r('{key}', older_than_s=0)))"
        first = json.loads(manage(env, sweep.format(key="sweep-1")).splitlines()[-1])
        second = json.loads(manage(env, sweep.format(key="sweep-2")).splitlines()[-1])
    finally:
        web.stop()
    assert first["retries"] == 1 and first["orphans"] in (0, 1), first
    assert (second["orphans"], second["retries"]) == (0, 0), second
    status = server.psql(
        f"SELECT status, accepted, duplicates, attempts FROM catalog_ingestbatch WHERE id = {batch}"
    )
    assert status == f"accepted|{N}|0|2"
    assert server.psql(f"SELECT count(*) FROM catalog_observation WHERE batch_id = {batch}") == str(N)
    assert server.psql("SELECT count(*) FROM catalog_observation") == str(N + 10)
