"""Organization subtree: materialized path (`path__descends`) against a naive recursive walk.

    python bench/subtree.py [--orgs 20000] [--reps 21]

Builds a demo province of --orgs organizations (the `seed_demo` bulk builder) in a throwaway
SQLite database under /tmp and, when DATABASE_URL points to PostgreSQL, in a throwaway database
on that server (created and dropped here). Then lists and counts three subtrees (the province,
a city, a county) both ways, in the same run, and prints JSON: median and p95 times, the ratio
naive / path, and the query plan of the path query. Each backend runs in its own process
because Django's settings are fixed at start-up.

The naive walks are what code without a path column does: one query per level
(`parent_id IN (...)`) or one query per node (the N+1 recursion)."""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, pg_admin  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("id", "parent_id", "name", "kind", "status")
SUBTREES = (("province", "320000"), ("city", "320100"), ("county", "320102"))


# ---- Measuring (inside the child process, Django configured) ---------------------------------


def _stats(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"median_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3), "runs": len(ordered)}


def _time(fn, reps: int, *, warm_up: bool = True) -> tuple[dict, object]:
    result = fn() if warm_up else None  # warm-up (and the value, to check both ways agree)
    samples = []
    for _ in range(reps):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return _stats(samples), result


def _measure(orgs: int, reps: int, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Max

    from kejia.demo import seeding as demo
    from kejia.organizations.models import Organization

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        demo.build_tree(seed=seed, orgs=orgs)
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as a live database would have
    qs = Organization.objects

    def path_list(path):
        return list(qs.filter(path__descends=path).values_list(*COLUMNS))

    def path_count(path):
        return qs.filter(path__descends=path).count()

    # The walks drop the model's ORDER BY path, which would add a sort to each of their queries:
    # the comparison is of the access paths, not of sorting.
    def level_walk(root_id, columns=COLUMNS):
        rows = list(qs.filter(pk=root_id).values_list(*columns))
        frontier = [root_id]
        while frontier:
            children = list(qs.filter(parent_id__in=frontier).order_by().values_list(*columns))
            rows += children
            frontier = [row[0] for row in children]
        return rows

    def node_walk(root_id, columns=COLUMNS):
        rows = list(qs.filter(pk=root_id).values_list(*columns))
        stack = [root_id]
        while stack:
            children = list(qs.filter(parent_id=stack.pop()).order_by().values_list(*columns))
            rows += children
            stack += [row[0] for row in children]
        return rows

    subtrees = {}
    for label, region in SUBTREES:
        root = Organization.objects.get(region_id=region, kind__in=["provincial_assoc", "municipal_assoc", "county_assoc"])
        size = path_count(root.path)
        # The per-node walk costs one query per organization: on big subtrees it runs fewer
        # times (once for the whole province) and only for the listing (counting that way is
        # the same walk); its first run is measured, not discarded.
        node_reps = max(1, min(reps, 5000 // max(size, 1)))
        listing, counting = {}, {}
        listing["path"], by_path = _time(lambda p=root.path: path_list(p), reps)
        listing["naive_per_level"], by_level = _time(lambda r=root.pk: level_walk(r), reps)
        listing["naive_per_node"], by_node = _time(lambda r=root.pk: node_walk(r), node_reps, warm_up=False)
        if not (sorted(by_path) == sorted(by_level) == sorted(by_node)):
            raise AssertionError(f"{label}: the walks disagree with the path query")
        counting["path"], n_path = _time(lambda p=root.path: path_count(p), reps)
        counting["naive_per_level"], n_level = _time(lambda r=root.pk: len(level_walk(r, ("id",))), reps)
        if not (n_path == n_level == size):
            raise AssertionError(f"{label}: counts disagree")
        for block in (listing, counting):
            base = block["path"]["median_ms"] or 1e-6
            for way in ("naive_per_level", "naive_per_node"):
                if way in block:
                    block[f"ratio_{way}_over_path"] = round(block[way]["median_ms"] / base, 1)
        plan = qs.filter(path__descends=root.path).values_list(*COLUMNS).explain()
        count_plan = qs.filter(path__descends=root.path).explain() if connection.vendor == "sqlite" else _count_plan(root.path)
        subtrees[label] = {
            "root": root.name,
            "organizations": size,
            "levels": qs.filter(path__descends=root.path).aggregate(m=Max("depth"))["m"] - root.depth + 1,
            "list": listing,
            "count": counting,
            "plan_list": plan.splitlines(),
            "plan_count": count_plan.splitlines(),
            "path_index_used": _uses_path_index(plan) or _uses_path_index(count_plan),
        }
    return {
        "backend": connection.vendor,
        "server_version": _server_version(connection),
        "organizations": Organization.objects.count(),
        "build_seconds": round(build_seconds, 2),
        "subtrees": subtrees,
    }


def _count_plan(path: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT COUNT(*) FROM organizations_organization WHERE path LIKE %s", [path + "%"])
        return "\n".join(row[0] for row in cursor.fetchall())


def _uses_path_index(plan: str) -> bool:
    # SQLite: "SEARCH ... USING (COVERING) INDEX <name> (path>? AND path<?)"; PostgreSQL: an
    # index scan whose condition is the path range (path ~>=~ 'X' AND path ~<~ 'Y'). For the
    # whole province PostgreSQL rightly prefers a sequential scan: every row matches.
    return bool(re.search(r"USING (COVERING )?INDEX \S+ \(path>\? AND path<\?\)|Index Cond: .*\bpath\b", plan))


def _server_version(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return cursor.fetchone()[0]


# ---- Orchestration (parent process) ----------------------------------------------------------


def _run_child(backend: str, env: dict, args) -> dict:
    cmd = [sys.executable, __file__, "--child", "--orgs", str(args.orgs), "--reps", str(args.reps), "--seed", str(args.seed)]
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"backend": backend, "error": done.stderr.strip().splitlines()[-5:]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(_measure(args.orgs, args.reps, args.seed)))
        return

    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="kejia-bench-") as var_dir:
        base = {**os.environ, "DJANGO_SETTINGS_MODULE": "kejia.settings.base", "ALLOW_DEVELOPMENT_KEYS": "true", "KEJIA_VAR_DIR": var_dir, "LOG_LEVEL": "ERROR"}
        sqlite_env = {k: v for k, v in base.items() if k != "DATABASE_URL"}
        results.append(_run_child("sqlite", sqlite_env, args))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            name = f"kejia_bench_subtree_{os.getpid()}"
            pg_admin(url, f'CREATE DATABASE "{name}"')
            try:
                results.append(_run_child("postgresql", {**base, "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path="/" + name))}, args))
            finally:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "benchmark": "organization subtree: materialized path vs naive recursive walk",
                "organizations": args.orgs,
                "repetitions": args.reps,
                "seed": args.seed,
                "machine": machine(),
                "results": results,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
