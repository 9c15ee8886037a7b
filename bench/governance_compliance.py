"""Composition compliance of every leadership body in a province subtree: the set-based engine
(`compliance.subtree_compliance`, a fixed number of queries) against a naive per-body loop.

    python bench/governance_compliance.py [--orgs 20000] [--people 60000] [--naive-budget 90] [--sample 1000]

Builds a demo province of --orgs organizations (the `seed_demo` bulk builder) in a throwaway
SQLite database under /tmp and, when DATABASE_URL points to PostgreSQL, in a throwaway database
on that server (created and dropped here); seats --people people (written in bulk, reused across
bodies) on the bodies of every organization with `kejia.demo.governance.GovernanceBuilder`
(≈200 000 seats for 20 000 organizations), and assigns the "jiangsu" and "societies" rule sets
to the province with its subtree. Then, in the same run:

(a) `subtree_compliance(root)`: current terms, their seats, the federation-wide counts and the
    rules in a fixed number of queries (the seat query is chunked by 5 000 terms);
(b) the naive loop: for each current term, one query for its seats, two for the rule sets
    assigned to its organization or (with subtree) its ancestors and their rules, one per
    official for their society posts (and their approval), one for their declared outside posts
    and one for their terms in the organization, two for the previous term's seats; evaluated with the same `compliance.evaluate_rule`, so only
    the data access differs.

The naive loop runs on every body when a timed sample says it finishes within --naive-budget
seconds, else on a random sample of --sample bodies, and its time is extrapolated per body (the
JSON says which; on 2 vCPUs under load the full loop takes 2–3 minutes on SQLite). Both must give
the same outcome, measured value and failing seats for every rule of every body the loop
evaluated. Prints JSON; each backend runs in its own process, in about 3 minutes for SQLite and
4 for PostgreSQL (whose bulk writes are slower here)."""

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, run_on_backends  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


# ---- Building (inside the child process, Django configured) -----------------------------------


def _people(count: int, seed: int) -> None:
    """`count` people with the attributes seats copy (front line about 45 %, ages 25–68), written
    with `executemany` of plain tuples (`bulk_create` prepares each of Person's fields one by one)."""
    from django.db import connection
    from django.utils import timezone

    from kejia.demo.common import ANCHOR
    from kejia.people.models import Person

    rng = random.Random(seed)
    sectors = ["enterprise", "university", "research_institute", "medical", "education", "agriculture", "government"]
    ops = connection.ops
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    now = ops.adapt_datetimefield_value(timezone.now())
    defaults = {
        f.attname: (
            now
            if f.get_internal_type() == "DateTimeField" and not f.null
            else f.get_db_prep_save(f.get_default(), connection)
            if f.has_default() or f.null
            else ""
        )
        for f in fields
    }
    sql = (
        f"INSERT INTO {ops.quote_name(Person._meta.db_table)} ({', '.join(ops.quote_name(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, count, 5000):
            rows = []
            for i in range(start, min(start + 5000, count)):
                values = dict(
                    defaults,
                    name=f"测试{i:06d}",
                    gender=rng.choice("MF"),
                    sector=rng.choice(sectors),
                    is_frontline=rng.random() < 0.45,
                    birth_date=ops.adapt_datefield_value(ANCHOR - datetime.timedelta(days=rng.randint(25 * 365, 68 * 365))),
                )
                rows.append([values[f.attname] for f in fields])
            cursor.executemany(sql, rows)


def _bodies(seed: int) -> dict:
    from kejia.demo import governance as gdemo
    from kejia.demo.common import ANCHOR
    from kejia.organizations.kinds import SOCIETY_KINDS, OrgKind
    from kejia.organizations.models import Organization
    from kejia.people.models import Person

    rng = random.Random(seed + 1)
    people = list(Person.objects.order_by("pk").values_list("pk", "is_frontline", "birth_date", "gender", "sector"))
    b = gdemo.GovernanceBuilder(rng, people, ANCHOR)
    root = Organization.objects.get(
        parent__isnull=True, kind="provincial_assoc"
    )  # the province (the demo calls add the national association as a root of its own)
    small = {  # one body for the other kinds: (kind of body, size range)
        OrgKind.TOWNSHIP_ASSOCIATION: ("committee", (7, 13)),
        OrgKind.SOCIETY_BRANCH: ("committee", (7, 13)),
        OrgKind.SPECIALIZED_COMMITTEE: ("committee", (7, 13)),
        OrgKind.COMMUNITY_ASSOCIATION: ("committee", (3, 7)),
        OrgKind.VOLUNTEER_TEAM: ("committee", (3, 7)),
        OrgKind.SURVEY_STATION: ("committee", (3, 5)),
        OrgKind.SERVICE_STATION: ("committee", (3, 5)),
        OrgKind.EXPERT_WORKSTATION: ("committee", (3, 5)),
        OrgKind.RURAL_TECH_ASSOCIATION: ("council", (5, 9)),
    }
    for org in Organization.objects.filter(path__startswith=root.path).order_by("path"):
        if org.pk == root.pk:
            gdemo.territorial_bodies(b, org, congress=300, committee=120, standing=35, leadership=True, past=1)
        elif org.kind == OrgKind.MUNICIPAL_ASSOCIATION:
            gdemo.territorial_bodies(b, org, committee=rng.randint(45, 75), standing=rng.randint(11, 17), past=1)
        elif org.kind == OrgKind.COUNTY_ASSOCIATION:
            gdemo.territorial_bodies(b, org, committee=rng.randint(21, 35), standing=rng.randint(7, 11))
        elif org.kind in SOCIETY_KINDS:
            gdemo.society_bodies(
                b,
                org,
                council=(25, 45) if org.kind != OrgKind.PROVINCIAL_SOCIETY else (40, 80),
                standing=(9, 13) if org.kind != OrgKind.PROVINCIAL_SOCIETY else (12, 20),
                staff=rng.randint(0, 6),
            )
        else:  # hosted associations (enterprise, park, university, institute): a council
            kind, size = small.get(org.kind, ("council", (5, 9)))
            start, end = b.term_dates(org, 5)
            term = b.body(org, kind, start, end)
            people_ = b.draw(rng.randint(*size), rng.uniform(0.55, 0.9))
            leaders = gdemo._leaders(b, people_, ["chair", "vice_chair_part", "secretary_general"][: max(1, len(people_) // 4)])
            for person, role, official in leaders:
                b.seat(term, person, role, official=official)
            b.seat_members(term, people_)
    b.save(org_terms=False)
    gdemo._assign_rule_sets(root)
    return {"bodies": len(b.bodies), "terms": len(b.terms), "seats": len(b.seats), "current_seats": sum(1 for s in b.seats if s.term.actual_end is None)}


# ---- Measuring ---------------------------------------------------------------------------------


def _naive_report(term, today) -> list:
    """One body, the way code without the set-based engine reads it."""
    from django.db.models import Q

    from kejia.governance import compliance
    from kejia.governance.choices import PERSON_MEASURES, POST_ROLES
    from kejia.governance.models import DeclaredPost, Rule, RuleSetAssignment, Seat, Term
    from kejia.organizations.kinds import SOCIETY_KINDS

    org = term.body.organization
    seats = [compliance._seat_fact(row) for row in Seat.objects.filter(Q(end__isnull=True) | Q(end__gt=today), term=term).values_list(*compliance.SEAT_VALUES)]
    ancestors = org.ancestor_ids
    assignments = RuleSetAssignment.objects.filter(ruleset__is_active=True).filter(
        Q(organization_id=org.pk) | Q(organization_id__in=ancestors, include_subtree=True)
    )
    set_ids = sorted({a.ruleset_id for a in assignments})
    rules = [
        r
        for r in Rule.objects.filter(ruleset_id__in=set_ids).select_related("ruleset").order_by("ruleset_id", "sort", "id")
        if compliance.applies(r, term.body.kind, org.kind)
    ]
    ctx = compliance.Context(today=today)
    measures = {r.measure for r in rules}
    open_on = Q(end__isnull=True) | Q(end__gt=today)
    if measures & PERSON_MEASURES:
        for s in seats:
            if not s.official:
                continue
            approved: dict[int, bool] = {}
            for org_id, day in Seat.objects.filter(
                open_on, person_id=s.person_id, role__in=POST_ROLES, term__actual_end__isnull=True, term__body__organization__kind__in=SOCIETY_KINDS
            ).values_list("term__body__organization_id", "approved_on"):
                approved[org_id] = approved.get(org_id, False) or day is not None
            declared = list(
                DeclaredPost.objects.filter(open_on, Q(start__isnull=True) | Q(start__lte=today), person_id=s.person_id).values_list("approved_on", flat=True)
            )
            ctx.posts[s.person_id] = len(approved) + len(declared)
            ctx.unapproved[s.person_id] = sum(not ok for ok in approved.values()) + sum(day is None for day in declared)
            for kind, role, number in Seat.objects.filter(person_id=s.person_id, term__body__organization_id=org.pk).values_list(
                "term__body__kind", "role", "term__number"
            ):
                ctx.terms.setdefault((org.pk, compliance.term_group(kind), s.person_id, compliance.post_of(role)), set()).add(number)
    previous = None
    before = Term.objects.filter(body_id=term.body_id, number__lt=term.number, actual_end__isnull=False).order_by("-number").first()
    if before is not None:
        previous = [
            compliance._seat_fact(row)
            for row in Seat.objects.filter(Q(end__isnull=True) | Q(end__gte=before.actual_end), term=before, start__lt=before.actual_end).values_list(
                *compliance.SEAT_VALUES
            )
        ]
    facts = compliance.TermFacts(term.body_id, org.pk, term.body.kind, term.number, term.start, term.planned_end, seats, org_kind=org.kind, previous=previous)
    return [compliance.evaluate_rule(facts, rule, ctx) for rule in rules]


def _key(results) -> list:
    return [(r.rule_id, str(r.outcome), None if r.measured is None else round(r.measured, 9), sorted(s.person_id for s in r.failing)) for r in results]


def _measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from kejia.demo import seeding as demo
    from kejia.demo.common import ANCHOR
    from kejia.governance import compliance
    from kejia.governance.models import Term
    from kejia.organizations.models import Organization

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    with transaction.atomic():
        demo.build_tree(seed=args.seed, orgs=args.orgs)
    tree_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        _people(args.people, args.seed)
    people_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        built = _bodies(args.seed)
    bodies_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    root = Organization.objects.get(
        parent__isnull=True, kind="provincial_assoc"
    )  # the province (the demo calls add the national association as a root of its own)
    today = ANCHOR

    # (a) set-based: the first run also counts the queries (recording 11 statements costs nothing).
    set_runs = []
    for rep in range(args.reps):
        t = time.perf_counter()
        if rep == 0:
            with CaptureQueriesContext(connection) as queries:
                reports = compliance.subtree_compliance(root, today=today)
        else:
            reports = compliance.subtree_compliance(root, today=today)
        set_runs.append(time.perf_counter() - t)
    set_seconds = sorted(set_runs)[len(set_runs) // 2]
    by_term = {r.term.pk: _key(r.results) for r in reports}
    bodies = len(reports)

    # (b) naive: time a sample; the whole subtree if that projects within the budget.
    terms = list(
        Term.objects.filter(actual_end__isnull=True, body__organization__path__startswith=root.path)
        .select_related("body__organization")
        .order_by("body__organization__path", "body__kind")
    )
    rng = random.Random(args.seed)
    probe = rng.sample(terms, min(len(terms), args.sample))
    naive_queries = 0

    def count(execute, sql, params, many, context):
        nonlocal naive_queries
        naive_queries += 1
        return execute(sql, params, many, context)

    def run(selection):  # (CaptureQueriesContext keeps only the last 9 000 queries: count them instead)
        nonlocal naive_queries
        naive_queries = 0
        with connection.execute_wrapper(count):
            t = time.perf_counter()
            out = {term.pk: _key(_naive_report(term, today)) for term in selection}
            seconds = time.perf_counter() - t
        return seconds, out

    probe_seconds, naive = run(probe)
    projected = probe_seconds / len(probe) * len(terms)
    full = projected <= args.naive_budget
    if full:
        naive_seconds, naive = run(terms)
        naive_bodies, naive_mode = len(terms), "full"
    else:
        naive_seconds, naive_bodies, naive_mode = probe_seconds, len(probe), f"random sample of {len(probe)} bodies, extrapolated per body"
    mismatches = [pk for pk, key in naive.items() if by_term.get(pk) != key]
    if mismatches:
        raise AssertionError(f"{len(mismatches)} bodies differ between the engine and the naive loop, e.g. term {mismatches[0]}")
    per_body_naive = naive_seconds / naive_bodies
    naive_total = per_body_naive * bodies
    outcomes: dict[str, int] = {}
    for r in reports:
        label = "fail" if r.failures else "target_missed" if r.targets_missed else "pass"
        outcomes[label] = outcomes.get(label, 0) + 1
    return {
        "backend": connection.vendor,
        "organizations": Organization.objects.count(),
        "people": args.people,
        **built,
        "build_seconds": {"tree": round(tree_seconds, 1), "people": round(people_seconds, 1), "bodies_and_seats": round(bodies_seconds, 1)},
        "bodies_evaluated": bodies,
        "outcomes": outcomes,
        "set_based": {
            "seconds_median": round(set_seconds, 3),
            "seconds_runs": [round(x, 2) for x in set_runs],
            "queries": len(queries),
            "bodies_per_second": round(bodies / set_seconds),
        },
        "naive": {
            "mode": naive_mode,
            "bodies_run": naive_bodies,
            "seconds_run": round(naive_seconds, 2),
            "queries_run": naive_queries,
            "queries_per_body": round(naive_queries / naive_bodies, 2),
            "seconds_all_bodies": round(naive_total, 2),
            "bodies_per_second": round(1 / per_body_naive),
            "projected_from_probe_seconds": round(projected, 1),
        },
        "ratio_naive_over_set": round(naive_total / set_seconds, 1),
        "same_outcomes_on_bodies": naive_bodies,
    }


# ---- Orchestration (parent process) ------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--people", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--reps", type=int, default=3, help="timed runs of the set-based engine (the median is reported)")
    parser.add_argument("--sample", type=int, default=1000, help="bodies in the naive loop's probe (and its sample)")
    parser.add_argument("--naive-budget", type=float, default=90, help="run the naive loop on every body if projected within this")
    parser.add_argument("--timeout", type=int, default=330, help="seconds per backend")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(_measure(args)))
        return

    started = time.perf_counter()
    results = run_on_backends(
        __file__,
        [
            "--orgs",
            str(args.orgs),
            "--people",
            str(args.people),
            "--seed",
            str(args.seed),
            "--reps",
            str(args.reps),
            "--sample",
            str(args.sample),
            "--naive-budget",
            str(args.naive_budget),
        ],
        name="governance",
        timeout=args.timeout,
        root=ROOT,
    )
    print(
        json.dumps(
            {
                "benchmark": "governance compliance of a province subtree: set-based engine vs naive per-body loop",
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
