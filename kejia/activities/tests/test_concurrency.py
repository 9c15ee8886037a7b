"""A seat is never oversold: 200 simultaneous registrations for 100 seats, as real HTTP requests
against the real server (granian, 2 worker processes with several threads each), give exactly 100
confirmed and 100 waitlisted with places 1..100 — on SQLite and on PostgreSQL (whichever
DATABASE_URL the suite runs on).

pytest-django's test database cannot be shared with a server in other processes, so the test
makes a database of its own (a temporary SQLite file, or on PostgreSQL a database named after the
test database, dropped afterwards) as a copy of the migrated test database when it can (else
empty), runs `migrate` on it and seeds it in subprocesses, starts granian on a
free port, fires the requests from 200 threads released together by a barrier, and reads the
outcome from the database directly."""

import base64
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

N, CAPACITY = 200, 100
BASE_DIR = Path(settings.BASE_DIR)
PYTHON = sys.executable
GRANIAN = str(Path(PYTHON).with_name("granian"))
DEADLINE = 150  # seconds for the whole test, whatever hangs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str) -> dict[str, str]:
    # The production settings, with keys of its own (the published development keys are refused).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "kejia.settings.base",
        "TASK_BACKEND": "immediate",
        "LOG_LEVEL": "ERROR",
        "NOTICE_SENDERS": "console",
        "DEBUG": "0",
        "ALLOW_DEVELOPMENT_KEYS": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PII_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


@contextmanager
def _database():
    """(DATABASE_URL, query function, whether it already has the schema) of a database of the
    test's own, removed afterwards. It starts as a copy of the (migrated) test database when that
    can be made — SQLite's backup API, PostgreSQL's CREATE DATABASE … TEMPLATE — which spares the
    test a `migrate` of half a minute; otherwise empty, and the caller migrates it."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        with tempfile.TemporaryDirectory(prefix="kejia-conc-") as tmp:
            path = Path(tmp) / "conc.sqlite3"
            copied = False
            try:
                connection.ensure_connection()
                with sqlite3.connect(path) as target:
                    connection.connection.backup(target)
                copied = True
            except Exception:  # any trouble copying: start empty and migrate
                path.unlink(missing_ok=True)

            def query(sql: str) -> list[tuple]:
                with sqlite3.connect(path, timeout=30) as conn:
                    return conn.execute(sql).fetchall()

            yield f"sqlite:///{path}", query, copied
        return
    import psycopg

    template = connection.settings_dict["NAME"]
    connections.close_all()  # a template database must have no session
    name = f"{template}_conc"[:63]
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
    }
    copied = False
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        try:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            copied = True
        except psycopg.Error:  # the test database is in use by another session (a live server): start empty
            admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['password']}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{name}"

    def query(sql: str) -> list[tuple]:
        with psycopg.connect(dbname=name, **params) as conn:
            return conn.execute(sql).fetchall()

    try:
        yield url, query, copied
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _server(env: dict[str, str], port: int, *, workers: int = 2, threads: int = 8, bounded: bool = True):
    """The production server: `manage.py serve` (granian, threads bounded to the connection
    budget); `bounded=False` starts granian directly, as a server configured without that bound."""
    if bounded:
        cmd = [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    else:
        cmd = [
            GRANIAN,
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--log-level",
            "warning",
            "kejia.wsgi:application",
        ]
    process = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait_until_up(url: str, process, until: float) -> None:
    while time.monotonic() < until:
        if process.poll() is not None:
            raise AssertionError(f"granian exited: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError("the server did not come up in time")


def _fire(url: str, tokens: list[str], timeout: float, *, method: str = "POST") -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[int, dict] | None] = [None] * len(tokens)

    def one(i: int, token: str) -> None:
        request = urllib.request.Request(
            url, data=b"{}" if method == "POST" else None, method=method, headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        )
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                results[i] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            body = exc.read().decode(errors="replace")[:300]
            results[i] = (exc.code, {"body": body, "json": exc.headers.get("Content-Type", "").startswith("application/json")})
        except Exception as exc:  # a refused or timed-out connection is a failure to report, not a crash of the test
            results[i] = (0, {"error": repr(exc)})

    threads = [threading.Thread(target=one, args=(i, t), daemon=True) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return [r if r is not None else (0, {"error": "no answer"}) for r in results]


def test_register_200_at_once_for_100_seats_confirms_exactly_100(transactional_db):
    """(transactional_db: the test database exists and no transaction of this test holds it.)"""
    started = time.monotonic()
    until = started + DEADLINE
    with _database() as (url, query, copied):
        env = _env(url)
        # Migrate an empty database; a copy of the test database only needs what it may lack.
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True, timeout=120, capture_output=True)
        assert copied or query("SELECT COUNT(*) FROM activities_event") == [(0,)]
        seeded = subprocess.run(
            [PYTHON, "-m", "kejia.activities.tests.concurrency_setup", str(N), str(CAPACITY)],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        )
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        event_id, tokens = data["event"], data["tokens"]
        port = _free_port()
        with _server(env, port) as process:
            base = f"http://127.0.0.1:{port}/api/activities/events/{event_id}"
            _wait_until_up(base, process, until)
            answers = _fire(f"{base}/register", tokens, timeout=max(until - time.monotonic(), 10))

        failed = [a for a in answers if a[0] != 201]
        assert not failed, f"{len(failed)} requests failed, e.g. {failed[:3]}"
        statuses = sorted(body["status"] for _, body in answers)
        assert statuses.count("confirmed") == CAPACITY and statuses.count("waitlisted") == N - CAPACITY
        assert sorted(body["place_in_line"] for _, body in answers if body["status"] == "waitlisted") == list(range(1, N - CAPACITY + 1))

        rows = query(
            f"SELECT status, COUNT(*), MIN(waitlist_position), MAX(waitlist_position), COUNT(DISTINCT waitlist_position) "
            f"FROM activities_registration WHERE event_id = {int(event_id)} GROUP BY status ORDER BY status"
        )
        by_status = {row[0]: row[1:] for row in rows}
        assert by_status["confirmed"][0] == CAPACITY and by_status["confirmed"][1] is None
        assert by_status["waitlisted"] == (N - CAPACITY, 1, N - CAPACITY, N - CAPACITY)
        assert set(by_status) == {"confirmed", "waitlisted"}
        assert query(f"SELECT confirmed_count, capacity, waitlist_seq FROM activities_event WHERE id = {int(event_id)}") == [(CAPACITY, CAPACITY, N - CAPACITY)]
        users = query(f"SELECT COUNT(DISTINCT user_id) FROM activities_registration WHERE event_id = {int(event_id)}")
        assert users == [(N,)]
    assert time.monotonic() - started < DEADLINE


def test_connections_stay_within_the_database_limit_and_a_refusal_answers_503(transactional_db):
    """PostgreSQL: the server connects as a role limited to 12 connections. `manage.py serve`
    with 2 workers × 3 threads (+ 1 task worker + 5 spare = 12) starts, and 200 registrations at
    once hold at most 6 connections and all succeed; with 20 threads it refuses to start. A
    server started without that bound (granian directly, 2 × 20 threads) meets the limit: the
    requests refused a connection answer 503 in JSON, none 500. (Only 127.0.0.1; bounded in time.)"""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connection limit (SQLite opens files)")
    started = time.monotonic()
    until = started + DEADLINE
    with _database() as (url, query, copied):
        env = _env(url)
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True, timeout=120, capture_output=True)
        seeded = subprocess.run(
            [PYTHON, "-m", "kejia.activities.tests.concurrency_setup", str(N), str(CAPACITY)],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
            text=True,
        )
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        name = url.rsplit("/", 1)[1]
        role, password = f"{name}_web"[:63], secrets.token_hex(12)
        host = url.split("@", 1)[1].rsplit("/", 1)[0]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
            conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}' CONNECTION LIMIT 12")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"')
            conn.execute(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        limited = {**env, "DATABASE_URL": f"postgres://{role}:{password}@{host}/{name}"}
        try:
            refused = subprocess.run(
                [PYTHON, "manage.py", "serve", "--check", "--threads", "20"], cwd=BASE_DIR, env=limited, capture_output=True, text=True, timeout=60
            )
            assert refused.returncode != 0 and "Refusing to start" in refused.stderr and "CONNECTION LIMIT 12" in refused.stderr

            port = _free_port()
            peak = [0]
            done = threading.Event()

            def watch() -> None:  # the role's connections while the burst runs (as the superuser: outside the role's limit)
                with psycopg.connect(url, autocommit=True) as conn:
                    while not done.is_set() and time.monotonic() < until:
                        n = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", [role]).fetchone()[0]
                        peak[0] = max(peak[0], n)
                        time.sleep(0.05)

            with _server(limited, port, workers=2, threads=3) as process:
                base = f"http://127.0.0.1:{port}/api/activities/events/{data['event']}"
                _wait_until_up(base, process, until)
                watcher = threading.Thread(target=watch, daemon=True)
                watcher.start()
                answers = _fire(f"{base}/register", data["tokens"], timeout=max(until - time.monotonic(), 10))
                done.set()
                watcher.join(10)
            assert [a for a in answers if a[0] != 201] == []
            assert 0 < peak[0] <= 6

            port = _free_port()
            with _server(limited, port, workers=2, threads=20, bounded=False) as process:
                base = f"http://127.0.0.1:{port}/api/activities/events/{data['event']}"
                _wait_until_up(base, process, until)
                answers = _fire(base, data["tokens"], timeout=max(until - time.monotonic(), 10), method="GET")
            statuses = sorted({a[0] for a in answers})
            assert 500 not in statuses and set(statuses) <= {200, 503}, statuses
            unavailable = [body for code, body in answers if code == 503]
            assert unavailable, "the burst never met the limit"
            assert all(body["json"] and '"database_unavailable"' in body["body"] for body in unavailable)
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
    assert time.monotonic() - started < DEADLINE
