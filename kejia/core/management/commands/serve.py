"""Start the web server (granian) with its threads bounded so that its database connections fit
the database's limit; refuse to start when they would not (docs/deploy.md, "Connections").

    python manage.py serve [--host 127.0.0.1] [--port 8000] [--workers N] [--threads N] [--check]

Each granian worker process runs at most WEB_THREADS requests at once (blocking threads and
backpressure both set to it) and each thread holds at most one connection, so the server never
holds more than workers × threads connections."""

import os
import shutil
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def connection_limit() -> tuple[int, str] | None:
    """(connections Kejia may open, how that was worked out), or None when the database has no
    such limit (SQLite)."""
    if connection.vendor != "postgresql" or settings.DB_POOLER:  # SQLite; or pgbouncer's pool size is the bound
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int, "
                       "(SELECT datconnlimit FROM pg_database WHERE datname = current_database()), "
                       "(SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user)")
        max_connections, reserved, database_limit, role_limit = cursor.fetchone()
    connection.close()  # the server's processes open their own
    limits = [(max_connections - reserved, f"max_connections {max_connections} − {reserved} reserved")]
    if database_limit is not None and database_limit >= 0:
        limits.append((database_limit, f"the database's CONNECTION LIMIT {database_limit}"))
    if role_limit is not None and role_limit >= 0:
        limits.append((role_limit, f"the role's CONNECTION LIMIT {role_limit}"))
    return min(limits)


def budget(workers: int, threads: int) -> tuple[int, str]:
    need = workers * threads + settings.TASK_WORKERS + settings.DB_SPARE_CONNECTIONS
    return need, (f"{workers} workers × {threads} threads + {settings.TASK_WORKERS} task workers "
                  f"+ {settings.DB_SPARE_CONNECTIONS} spare = {need}")


class Command(BaseCommand):
    help = "Run the web server (granian) with threads bounded to the database's connection limit."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS)
        parser.add_argument("--log-level", default="warning")
        parser.add_argument("--check", action="store_true", help="check the connection budget and exit")

    def handle(self, *args, **options):
        workers, threads = options["workers"], options["threads"]
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1.")
        need, arithmetic = budget(workers, threads)
        limit = connection_limit()
        if limit is not None and need > limit[0]:
            raise CommandError(f"Refusing to start: {arithmetic} connections, but the database allows {limit[0]} "
                               f"({limit[1]}). Lower WEB_WORKERS or WEB_THREADS, or put pgbouncer in front (docs/deploy.md).")
        self.stdout.write(f"connections: {arithmetic}" + (f" ≤ {limit[0]} ({limit[1]})" if limit else ""))
        if options["check"]:
            return
        granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or shutil.which("granian")
        if granian is None:
            raise CommandError("granian is not installed (pip install -r requirements.txt).")
        self.stdout.flush()
        argv = [granian, "--interface", "wsgi", "--host", options["host"], "--port", str(options["port"]), "--workers", str(workers),
                "--blocking-threads", str(threads), "--backpressure", str(threads), "--log-level", options["log_level"],
                "kejia.wsgi:application"]
        os.execv(granian, argv)  # the server replaces this process (signals reach granian directly)
