"""Start the web server (granian) with its threads bounded so that its database connections fit
the database's limit; refuse to start when they would not (docs/deploy.md, "Connections").

    python manage.py serve [--host 127.0.0.1] [--port 8000] [--workers N] [--threads N] [--check]
                           [--task-worker LOG]

Each granian worker process runs at most WEB_THREADS requests at once (blocking threads and
backpressure both set to it) and each thread holds at most one connection, so the server never
holds more than workers × threads connections. Without --threads or WEB_THREADS the count is
chosen (`default_threads`): 8 on PostgreSQL, 4 on SQLite, never more than granian's own bound of
2 × CPUs + 1 (above it granian warns at every start).

Without --task-worker the server replaces this process (signals reach granian directly: what a
service manager wants). With --task-worker LOG (`make demo`) this process stays and supervises
two children, the server and `manage.py db_worker` (its output to LOG): Ctrl-C, SIGTERM or SIGHUP
stops both — the server with SIGINT to its process group, as a terminal would, the task worker
with SIGTERM — and what has not exited after --stop-timeout seconds is killed; when one child
ends by itself, the other is stopped too. The port is free when the command returns."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def granian_thread_bound(cpus: int) -> int:
    """Granian warns at start-up when a worker may run more Python threads than this (granian/server/mp.py)."""
    return cpus * 2 + 1


def default_threads(vendor: str, cpus: int) -> int:
    """Threads per worker when none are asked for: PostgreSQL serves 8 requests at once per
    process; SQLite takes one writer at a time, and 4 readers per process are plenty for it; on a
    small machine no more than granian's bound (so it never warns)."""
    wanted = 8 if vendor == "postgresql" else 4
    return max(1, min(wanted, granian_thread_bound(cpus)))


def connection_limit() -> tuple[int, str] | None:
    """(connections Kejia may open, how that was worked out), or None when the database has no
    such limit (SQLite)."""
    if connection.vendor != "postgresql" or settings.DB_POOLER:  # SQLite; or pgbouncer's pool size is the bound
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int, "
            "(SELECT datconnlimit FROM pg_database WHERE datname = current_database()), "
            "(SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user)"
        )
        max_connections, reserved, database_limit, role_limit = cursor.fetchone()
    if not connection.in_atomic_block:  # (a test's transaction keeps it)
        connection.close()  # the server's processes open their own
    limits = [(max_connections - reserved, f"max_connections {max_connections} − {reserved} reserved")]
    if database_limit is not None and database_limit >= 0:
        limits.append((database_limit, f"the database's CONNECTION LIMIT {database_limit}"))
    if role_limit is not None and role_limit >= 0:
        limits.append((role_limit, f"the role's CONNECTION LIMIT {role_limit}"))
    return min(limits)


def budget(workers: int, threads: int) -> tuple[int, str]:
    need = workers * threads + settings.TASK_WORKERS + settings.DB_SPARE_CONNECTIONS
    return need, (f"{workers} workers × {threads} threads + {settings.TASK_WORKERS} task workers + {settings.DB_SPARE_CONNECTIONS} spare = {need}")


class Command(BaseCommand):
    help = "Run the web server (granian) with threads bounded to the database's connection limit."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.WEB_THREADS,
            help="per worker (default: WEB_THREADS, or 8 on PostgreSQL and 4 on SQLite, at most 2 × CPUs + 1)",
        )
        parser.add_argument("--log-level", default="warning")
        parser.add_argument("--check", action="store_true", help="check the connection budget and exit")
        parser.add_argument(
            "--task-worker", metavar="LOG", default="", help="also run `manage.py db_worker` (output to LOG) and stop both on Ctrl-C (make demo)"
        )
        parser.add_argument("--stop-timeout", type=float, default=10.0, help="with --task-worker: seconds to wait for a graceful stop before killing")

    def handle(self, *args, **options):
        workers = options["workers"]
        threads = options["threads"] or default_threads(connection.vendor, os.cpu_count() or 1)
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        need, arithmetic = budget(workers, threads)
        limit = connection_limit()
        if limit is not None and need > limit[0]:
            raise CommandError(
                f"Refusing to start: {arithmetic} connections, but the database allows {limit[0]} "
                f"({limit[1]}). Lower WEB_WORKERS or WEB_THREADS, or put pgbouncer in front (docs/deploy.md)."
            )
        if options["verbosity"] > 0:
            self.stdout.write(f"connections: {arithmetic}" + (f" ≤ {limit[0]} ({limit[1]})" if limit else ""))
        if options["check"]:
            return
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or shutil.which("granian")
        if granian is None:
            raise CommandError("granian is not installed (pip install -r requirements.txt).")
        self.stdout.flush()
        argv = [
            granian,
            "--interface",
            "wsgi",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(workers),
            "--blocking-threads",
            str(threads),
            "--backpressure",
            str(threads),
            "--log-level",
            options["log_level"],
            "kejia.wsgi:application",
        ]
        if not options["task_worker"]:
            os.execv(granian, argv)  # the server replaces this process (signals reach granian directly)
        code = supervise(
            argv,
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "db_worker", "--interval", "1"],
            Path(options["task_worker"]),
            stop_timeout=options["stop_timeout"],
        )
        if code:
            raise SystemExit(code)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def supervise(server_argv: list[str], worker_argv: list[str], worker_log: Path, *, stop_timeout: float) -> int:
    """Run the server and the task worker, each in a process group of its own (so that a signal
    reaches every granian process at once, and none that this process did not send); stop both when
    asked or when either ends. Returns the exit status for the command (0 when stopped by a signal)."""
    stop_signal: list[int] = []

    def ask_to_stop(signum, frame):
        stop_signal.append(signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, ask_to_stop)  # also when started with SIGINT ignored (a background job)
    worker_log.parent.mkdir(parents=True, exist_ok=True)
    with open(worker_log, "ab") as log:
        worker = subprocess.Popen(worker_argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    server = subprocess.Popen(server_argv, stdin=subprocess.DEVNULL, start_new_session=True)
    children = {"server": server, "task worker": worker}
    ended = ""
    while not stop_signal and not ended:
        ended = next((name for name, p in children.items() if p.poll() is not None), "")
        time.sleep(0.2)
    # Granian's processes shut down on SIGINT (a worker still starting up may miss it: killed below).
    _signal_group(server, signal.SIGINT)
    _signal_group(worker, signal.SIGTERM)
    deadline = time.monotonic() + stop_timeout
    for process in children.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(process, signal.SIGKILL)  # whatever of its group is left (granian's workers)
        process.wait()
    if ended:
        code = children[ended].returncode
        sys.stderr.write(f"The {ended} stopped (exit status {code}); the other was stopped too.\n")
        return code or 1
    return 0
