"""The staff dashboard (/) with its to-do against the same page without it (the dashboard as it was
before the to-do), on the demo data, for every demo user with a role.

    python bench/home_todo.py [--orgs 2500] [--people 3000] [--reps 21]     # SQLite; DATABASE_URL=postgres://… adds PostgreSQL

In a throwaway database per backend: `migrate`, then `seed_demo` with the sizes of `make demo`
(every app's demo data: memberships and dues, filings, governance bodies and contact duties,
events, voice items, surveys). For each user with a role (the platform administrator, the
province's administrator, staff and leader, the capital's, a county's staff and leader, a sibling
county's staff, the society's secretary): GET / through Django's test client, signed in, with the
to-do and with `staff_todo` replaced by an empty one, alternating over --reps runs after a warm-up;
the queries of each (CaptureQueriesContext) and what the to-do holds. JSON on stdout: per user the
median and p95 in milliseconds, the queries, and `ratio` = median with ÷ median without."""

import argparse
import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, run_on_backends  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _ms(runs: list[float]) -> dict:
    ordered = sorted(runs)
    return {"median": round(statistics.median(ordered) * 1000, 1), "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1)}


def _measure(args) -> dict:
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from kejia.accounts.models import Role, User
    from kejia.home import selectors

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", orgs=args.orgs, people=args.people, seed=args.seed, verbosity=0, stdout=io.StringIO())
    seed_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    users = list(User.objects.filter(is_superuser=True).order_by("pk")[:1])
    users += list(User.objects.filter(pk__in=Role.objects.values("user_id"), is_superuser=False).order_by("username"))
    empty = selectors.StaffTodo()
    rows = []
    for user in users:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)

        def get(with_todo: bool, client=client, user=user) -> tuple[float, int]:
            patch = contextlib.nullcontext() if with_todo else mock.patch.object(selectors, "staff_todo", lambda u: empty)
            with patch, CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get("/")
                elapsed = time.perf_counter() - t0
            assert response.status_code == 200, (user.username, response.status_code)
            return elapsed, len(queries.captured_queries)

        get(True), get(False)  # warm-up: the session, the template cache
        with_runs, without_runs = [], []
        for _ in range(args.reps):
            t, q_with = get(True)
            with_runs.append(t)
            t, q_without = get(False)
            without_runs.append(t)
        todo = selectors.staff_todo(user)
        role = Role.objects.filter(user=user).select_related("organization").first()
        rows.append(
            {
                "user": user.username,
                "role": role.kind if role else "platform",
                "organization": role.organization.name if role else "",
                "todo_total": todo.count,
                "todo_overdue": todo.overdue,
                "todo_groups": {g.key: g.count for g in todo.groups},
                "with_todo_ms": _ms(with_runs),
                "without_todo_ms": _ms(without_runs),
                "queries_with": q_with,
                "queries_without": q_without,
                "ratio": round(statistics.median(with_runs) / statistics.median(without_runs), 2),
            }
        )
    return {
        "backend": connection.vendor,
        "seed_seconds": round(seed_seconds, 1),
        "reps": args.reps,
        "users": rows,
        "max_queries_with": max(r["queries_with"] for r in rows),
        "max_ratio": max(r["ratio"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=2500)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--reps", type=int, default=21)
    parser.add_argument("--timeout", type=int, default=900, help="seconds per backend")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(_measure(args), ensure_ascii=False))
        return

    started = time.perf_counter()
    results = run_on_backends(
        __file__,
        ["--orgs", str(args.orgs), "--people", str(args.people), "--seed", str(args.seed), "--reps", str(args.reps)],
        name="home_todo",
        timeout=args.timeout,
        root=ROOT,
    )
    print(
        json.dumps(
            {
                "benchmark": "staff dashboard GET / with the to-do vs without it (demo data), per demo user with a role",
                "organizations": args.orgs,
                "people": args.people,
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
