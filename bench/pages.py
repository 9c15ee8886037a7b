"""Time every main page for each demo login at the demo size (2 500 organizations, 3 000 people).

    python bench/pages.py [--reps 5] [--limit-ms 300] [--only js_staff,worker]

With DATABASE_URL set, it measures that database (built by `seed_demo`, e.g. the one `make demo`
made); without, it builds a throwaway one under /tmp first (`seed_demo --orgs 2500 --people 3000`,
about 40 s here). Pages are requested in this process through Django's test client, with the
production settings (kejia.settings.base: DEBUG off, the same middleware, templates and cache),
each login's session made with `force_login` (no password hashing in the figures). Every page is
requested once to warm up and then --reps times; the median wall time is reported with the
median CPU time of this process (less sensitive to other processes on the machine), the number
of SQL queries and the status. Django is set up the way the server's workers are (`kejia.wsgi`).
A trivial page (the anonymous login form) is timed in the same run as the baseline, and each
page's median is also given as a multiple of it, so that figures taken on a loaded machine can
still be compared. Prints JSON, with the load average before and after;
exits 1 when a page's median exceeds --limit-ms (300 ms) or a page does not answer 200."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

# The nav of kejia/templates/base.html (staff and S&T worker), and per staff login the pages of
# their own organization that the nav leads to first.
STAFF_PAGES = [
    "home:front",
    "organizations:tree",
    "organizations:search",
    "people:list",
    "imports:list",
    "people:review_list",
    "search:experts",
    "memberships:home",
    "governance:home",
    "activities:home",
    "volunteering:home",
    "voice:home",
    "surveys:home",
    "organizations:filing_list",
    "organizations:coverage",
    "organizations:audit",
]
ORG_PAGES = ["organizations:detail", "governance:org", "governance:compliance", "governance:contacts"]
WORKER_PAGES = [
    "home:front",
    "home:find",
    "home:me",
    "people:me",
    "memberships:home",
    "governance:home",
    "activities:home",
    "volunteering:home",
    "voice:home",
    "surveys:home",
    "organizations:filing_list",
]


def _build(var_dir: str) -> dict:
    env = {**os.environ, "ALLOW_DEVELOPMENT_KEYS": "true", "KEJIA_VAR_DIR": var_dir, "LOG_LEVEL": "ERROR", "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3"}
    started = time.perf_counter()
    for args in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--orgs", "2500", "--people", "3000"]):
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    return env | {"built_seconds": str(round(time.perf_counter() - started, 1))}


def _time(client, url: str, reps: int) -> dict:
    """A page as a browser sees it: redirects followed (the time includes them)."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, follow=True)  # warm-up (and the query count)
    runs, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        response = client.get(url, follow=True)
        runs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    row = {
        "status": response.status_code,
        "ms": round(statistics.median(runs), 1),
        "max_ms": round(max(runs), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "queries": queries,
    }
    if response.redirect_chain:
        row["redirected_to"] = response.redirect_chain[-1][0]
    return row


def _measure(args) -> dict:
    from django.test import Client
    from django.urls import reverse

    from kejia.accounts import scope
    from kejia.accounts.models import User
    from kejia.core.models import AuditEvent
    from kejia.demo.common import SEED_ACTION
    from kejia.organizations.models import Organization

    anonymous = Client()
    baseline = _time(anonymous, reverse("accounts:login"), args.reps * 2)
    seeded = AuditEvent.objects.filter(action=SEED_ACTION).order_by("-id").first()
    if seeded is None:
        raise SystemExit("No demo data in this database: run `manage.py seed_demo --orgs 2500 --people 3000` first.")
    names = [u["username"] for u in seeded.new.get("users", [])]  # the logins `manage.py demo_logins` prints
    users = sorted(User.objects.filter(username__in=names, is_active=True), key=lambda u: names.index(u.username))
    if args.only:
        users = [u for u in users if u.username in args.only.split(",")]
    out = {}
    for user in users:
        client = Client()
        client.force_login(user)
        paths = scope.role_paths(user)
        urls = [reverse(name) for name in (STAFF_PAGES if paths or scope.is_unrestricted(user) else WORKER_PAGES)]
        org = Organization.objects.filter(path__in=paths).order_by("depth", "pk").first()
        if org is not None:
            urls += [reverse(name, args=[org.pk]) for name in ORG_PAGES]
        out[user.username] = {url: _time(client, url, args.reps) for url in urls}
        for row in out[user.username].values():
            row["x_baseline"] = round(row["ms"] / baseline["ms"], 1)
    return {"baseline": {"page": reverse("accounts:login"), **baseline}, "users": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--limit-ms", type=float, default=300)
    parser.add_argument("--only", default="", help="comma-separated usernames")
    args = parser.parse_args()
    load_before = os.getloadavg()
    built = None
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.TemporaryDirectory(prefix="kejia-bench-pages-")
        env = _build(tmp.name)
        built = float(env.pop("built_seconds"))
        os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
    os.environ.setdefault("ALLOW_DEVELOPMENT_KEYS", "true")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: nothing collected, nothing served from it here
    from django.db import connection

    import kejia.wsgi  # noqa: F401  (set up as the server's workers are: views imported, start-up objects frozen)

    started = time.perf_counter()
    data = _measure(args)
    slow = [
        {"user": user, "page": url, **row}
        for user, rows in data["users"].items()
        for url, row in rows.items()
        if row["ms"] > args.limit_ms or row["status"] != 200
    ]
    slowest = max(((user, url, row["ms"]) for user, rows in data["users"].items() for url, row in rows.items()), key=lambda r: r[2])
    print(
        json.dumps(
            {
                "benchmark": "every main page for each demo login (Django test client, production settings)",
                "backend": connection.vendor,
                "built_seconds": built,
                "reps": args.reps,
                "limit_ms": args.limit_ms,
                "machine": machine() | {"load_average_before": load_before},
                **data,
                "pages": sum(len(rows) for rows in data["users"].values()),
                "slowest": {"user": slowest[0], "page": slowest[1], "ms": slowest[2]},
                "over_limit_or_not_200": slow,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    if tmp is not None:
        tmp.cleanup()
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
