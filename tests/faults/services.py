"""Private services for the fault tests: a `redis-server` and a PostgreSQL cluster of their own,
on ports of their own, started and killed by the test, so that restarting them never touches
the machine's shared Redis (6379) or PostgreSQL (5432)."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES, ROOT


def need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        if REQUIRE_SERVICES:
            pytest.fail(f"{binary} is needed by the fault tests and is not installed")
        pytest.skip(f"{binary} is not installed")
    return path


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds:g} s")


class PrivateRedis:
    """A redis-server without persistence (`--save ""`, no AOF): a restart loses every message.

    With `directory`, it keeps an append-only file there, written through on every command
    (`appendfsync always`): a restart, even after SIGKILL, finds every queued message again.
    """

    def __init__(self, port: int, directory: Path | None = None) -> None:
        self.binary = need("redis-server")
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return done.stdout.decode().strip()

    def start(self) -> None:
        if self.directory is None:
            persistence = ["--appendonly", "no", "--dir", "/tmp"]
        else:
            persistence = ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory)]
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--daemonize",
                "no",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self.cli("ping") == "PONG", 10, "the private redis-server did not answer")

    def stop(self) -> None:
        """Kill it outright, as a crash or an unplanned restart would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def queued(self, queue: str = "celery") -> int:
        return int(self.cli("llen", queue) or 0)


@contextmanager
def private_redis(port: int = 6391, directory: Path | None = None) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(free_port(port), directory)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@contextmanager
def broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (the web side that queues work) at `url`."""
    from portal.celery import app as celery_app

    app: Any = celery_app

    def reset() -> None:
        from kombu import pools

        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        amqp = app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None
        # The producer pools kombu keeps per connection are process-wide: a closed one left
        # behind would be handed to the next test that queues work ("Acquire on closed pool").
        pools.reset()  # type: ignore[attr-defined]  # in kombu, not in its stubs

    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    previous, previous_env = app.conf.get("broker_url"), os.environ.get("CELERY_BROKER_URL")
    reset()
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"] = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = previous
        if previous_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = previous_env


class Worker:
    """A real `celery worker` process (solo pool) on the test database and a given broker."""

    def __init__(self, broker_url: str, database_url: str, name: str, **env: str) -> None:
        self.log_path = ROOT / "var" / f"fault-worker-{name}.log"
        self.log_path.parent.mkdir(exist_ok=True)
        self.name = f"{name}-{os.getpid()}@%h"
        self.env = {
            **{key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"},
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": broker_url,
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, module: str = "celery") -> Worker:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    module,
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--loglevel=info",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    self.name,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        marker = b"ready."

        def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited with {self.process.returncode}; see {self.log_path}")
            return marker in self.log_path.read_bytes()

        wait_until(ready, 60, f"the worker did not start (see {self.log_path})")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, the heartbeat thread dies with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@contextmanager
def workers() -> Iterator[list[Worker]]:
    started: list[Worker] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def postgres_binary(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    return need(name)


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb into a temporary directory, trust authentication,
    its own port and socket directory), for tests that restart the database."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.initdb = postgres_binary("initdb")
        self.pg_ctl = postgres_binary("pg_ctl")
        self.root = Path(tempfile.mkdtemp(prefix="portal-faults-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.socket.mkdir()
        self.log = self.root / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(self.socket, "postgres")
        self.root.chmod(0o755)

    def url(self, database: str = "portal") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str) -> None:
        subprocess.run(_as_postgres(list(command)), check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        self.run(
            self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.socket} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def restart(self) -> None:
        """Stopped as a crash would (`immediate`: every session cut, recovery at start)."""
        self.run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql: str, database: str = "portal") -> str:
        done = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-tA",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
            ],
            input=sql.encode(),
            capture_output=True,
            check=True,
            timeout=60,
        )
        return done.stdout.decode().strip()

    def copy_database(self, source_url: str, database: str = "portal") -> None:
        """A copy of another cluster's database (schema and rows), by pg_dump."""
        self.psql(f"CREATE DATABASE {database}", "postgres")
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", source_url],
            capture_output=True,
            check=True,
            timeout=120,
        )
        subprocess.run(
            ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url(database)],
            input=dump.stdout,
            capture_output=True,
            check=True,
            timeout=120,
        )


@contextmanager
def private_postgres(port: int = 5441) -> Iterator[PrivatePostgres]:
    need("pg_dump")
    server = PrivatePostgres(free_port(port))
    try:
        server.create()
        server.start()
        yield server
    finally:
        server.destroy()


class WebServer:
    """gunicorn serving the portal (as `make serve` does) from a subprocess."""

    def __init__(self, port: int, env: dict[str, str], application: str = "portal.wsgi:application") -> None:
        self.port = port
        self.application = application
        self.env = {**{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}, **env}
        self.log_path = ROOT / "var" / f"fault-web-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WebServer:
        self.log_path.parent.mkdir(exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    self.application,
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

        def up() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited; see {self.log_path}")
            try:  # an answer, not only a socket: the master listens before its worker boots
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/login/")
                connection.getresponse().read()
            except OSError:
                return False
            return True

        wait_until(up, 60, "gunicorn did not answer")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def manage(env: dict[str, str], code: str) -> str:
    """Run `code` in `manage.py shell` with `env` (another database, say); its printed output."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode:
        raise AssertionError(done.stderr.decode()[-3000:])
    return done.stdout.decode().strip()
