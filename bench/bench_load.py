"""Load on the production server: 50 clients for 60 s against gunicorn on 127.0.0.1.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench python bench/bench_load.py
    python bench/bench_load.py --url http://127.0.0.1:8000 --clients 50 --seconds 60

Without --url the script starts gunicorn as `make serve` does (DEBUG=0, WEB_WORKERS x
WEB_THREADS, default 3 x 4) on a free port of 127.0.0.1, on the database of DATABASE_URL
(SQLite under var/ when unset), migrating it and loading the demo data first if it holds no
users. Every client signs in as uk_staff (a partner's staff, whose inbox it is; a session made
in this process, on the same database) and cycles through the routes: the home page, the catalog list, the observations
API list, the tasking inbox, and a static file served by WhiteNoise from the same server — the
baseline, the cheapest answer the server gives. Any answer other than 200 (or an exception)
counts as an error. Prints per-route count, p50, p95 and the p50 ratio to the baseline.
Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

ROUTES = {
    "home": "/",
    "catalog list": "/catalog/",
    "API observations list": "/api/observations/?limit=50",
    "tasking inbox": "/tasking/inbox/",
    "static file (baseline)": "/static/vendor/htmx.min.js",
}
BASELINE = "static file (baseline)"
SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "load-benchmark-only-key-not-for-production",
    "SECURE_SSL_REDIRECT": "False",  # plain HTTP on 127.0.0.1 (production has a TLS proxy)
    "ALLOWED_HOSTS": "127.0.0.1",
}


# The script's own Django (which makes the session) must share the server's SECRET_KEY: a
# session is bound to it. A SECRET_KEY already in the environment (--url) is kept.
for _key, _value in SERVER_ENV.items():
    os.environ.setdefault(_key, _value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from portal.models import User

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username="us_operator").exists():
        print("loading the demo data (seed_demo)...", flush=True)
        call_command("seed_demo", verbosity=0)


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from portal.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start_server(port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, **SERVER_ENV}
    log = open(ROOT / "var" / "bench-load-server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--graceful-timeout",
            "30",
            "--max-requests",
            "2000",
            "--max-requests-jitter",
            "200",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see var/bench-load-server.log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ROUTES[BASELINE])
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, route: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.times[route].append(seconds)
            else:
                self.errors[route].append(error)


def client(host: str, port: int, cookie: str, until: float, offset: int, results: Results) -> None:
    names = list(ROUTES)
    connection = http.client.HTTPConnection(host, port, timeout=60)
    i = offset
    while time.monotonic() < until:
        route = names[i % len(names)]
        i += 1
        started = time.perf_counter()
        try:
            connection.request("GET", ROUTES[route], headers={"Cookie": cookie, "Host": host})
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            results.add(route, elapsed, None if response.status == 200 else f"HTTP {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=60)
        except (OSError, http.client.HTTPException) as exc:
            results.add(route, 0.0, f"{type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection(host, port, timeout=60)
    connection.close()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a server already running on 127.0.0.1 (else gunicorn is started)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--user", default="uk_staff")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
    args = parser.parse_args()

    prepare_database()
    cookie = session_cookie(args.user)
    server = None
    if args.url:
        parts = urllib.parse.urlsplit(args.url)
        if parts.hostname != "127.0.0.1":
            raise SystemExit("only 127.0.0.1 is benchmarked")
        host, port = parts.hostname, parts.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        server = start_server(port, args.workers, args.threads)
    try:
        load_before = os.getloadavg()
        results = Results()
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client, args=(host, port, cookie, until, n, results), daemon=True)
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        load_after = os.getloadavg()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)

    total = sum(len(v) for v in results.times.values())
    errors = sum(len(v) for v in results.errors.values())
    print(f"{args.clients} clients, {wall:.1f} s, {total} answers ({total / wall:.0f}/s), {errors} errors")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min), {os.cpu_count()} cores"
    )
    base = statistics.median(results.times[BASELINE]) if results.times[BASELINE] else float("nan")
    print("| route | requests | errors | p50 | p95 | p50 / baseline |")
    print("| --- | --- | --- | --- | --- | --- |")
    for route in ROUTES:
        times = results.times[route]
        if not times:
            print(f"| {route} | 0 | {len(results.errors[route])} | - | - | - |")
            continue
        p50, p95 = statistics.median(times), percentile(times, 95)
        print(
            f"| {route} | {len(times)} | {len(results.errors[route])} | {p50 * 1000:.0f} ms "
            f"| {p95 * 1000:.0f} ms | {p50 / base:.1f} |"
        )
    for route, problems in results.errors.items():
        print(f"errors on {route}: {sorted(set(problems))[:5]}")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
