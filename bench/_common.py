"""What every benchmark script prints about the machine, and PostgreSQL admin for throwaway databases."""

import os
import platform
import sqlite3
from urllib.parse import urlsplit, urlunsplit


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "sqlite": sqlite3.sqlite_version,
            "load_average": os.getloadavg()}


def pg_admin(url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE on the server of `url` (through its maintenance database)."""
    import psycopg

    parts = urlsplit(url)
    for dbname in ("postgres", parts.path.lstrip("/")):
        try:
            with psycopg.connect(urlunsplit(parts._replace(path="/" + dbname)), autocommit=True) as conn:
                conn.execute(sql)
                return
        except psycopg.OperationalError:
            continue
    raise RuntimeError(f"cannot reach PostgreSQL at {parts.hostname}:{parts.port}")
