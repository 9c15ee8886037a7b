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
    return {
        "cpus": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "sqlite": sqlite3.sqlite_version,
        "load_average": os.getloadavg(),
    }


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


def run_on_backends(script: str, child_args: list[str], *, name: str, timeout: int, root) -> list[dict]:
    """Run `script --child …` once on a throwaway SQLite database and, when DATABASE_URL points at
    PostgreSQL, once more in a throwaway database on that server (created and dropped here).
    Each child prints its JSON; a failed or timed-out child gives {"backend", "error"}."""
    import json
    import subprocess
    import sys
    import tempfile

    def child(backend: str, env: dict) -> dict:
        try:
            done = subprocess.run(
                [sys.executable, script, "--child", *child_args], env=env, cwd=root, capture_output=True, text=True, check=False, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"backend": backend, "error": f"timed out after {timeout} s"}
        if done.returncode != 0:
            return {"backend": backend, "error": done.stderr.strip().splitlines()[-5:]}
        return json.loads(done.stdout)

    results = []
    with tempfile.TemporaryDirectory(prefix="kejia-bench-") as var_dir:
        base = {**os.environ, "DJANGO_SETTINGS_MODULE": "kejia.settings.base", "ALLOW_DEVELOPMENT_KEYS": "true", "KEJIA_VAR_DIR": var_dir, "LOG_LEVEL": "ERROR"}
        results.append(child("sqlite", {k: v for k, v in base.items() if k != "DATABASE_URL"}))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            db = f"kejia_bench_{name}_{os.getpid()}"
            pg_admin(url, f'CREATE DATABASE "{db}"')
            try:
                results.append(child("postgresql", {**base, "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path="/" + db))}))
            finally:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return results
