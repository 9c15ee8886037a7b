"""Survey results at scale: every question's counts and one cross-tab for 100 000 answers of the
status survey, through the results service, against the bare GROUP BY queries doing the same
counts, in the same run.

    python bench/survey_results.py [--responses 100000] [--reps 5]

Builds, in a throwaway SQLite database under /tmp and, when DATABASE_URL points to PostgreSQL,
in a throwaway database on that server (created and dropped here): one provincial association,
--responses people (written with `executemany`), the shipped status survey published, and one
submitted response per person with plausible answers (`kejia.demo.surveys.StatusAnswerer`:
15 questions — choices, ratings, a 5-row matrix, multiple choices, conditional questions, texts
— about 13 answer rows per response). Then, alternately, --reps times each:

(a) the service: `results.question_results(survey)` (every question: counts, shares, rating means,
    matrix tables, text counts; mapping option indexes of each version to labels) plus
    `results.crosstab(survey, "q6", "sector")` (work satisfaction by the respondents' sector, from
    their profiles) and `results.submitted_count(survey)`;
(b) the baseline: the same four GROUP BY / COUNT statements as raw SQL on a cursor, rows fetched,
    nothing else.
After one untimed run of each (warm caches).

Both must give the same totals. Prints JSON with the medians and the ratio service / baseline;
also times the anonymous-style cross-tab (by the survey's own sector question, a correlated
subquery per answer) for reference."""

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, run_on_backends  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000


def _insert(model, columns: list[str], rows) -> None:
    from django.db import connection

    ops = connection.ops
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({', '.join(ops.quote_name(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _people(count: int, rng: random.Random) -> list[tuple]:
    """(id, sector, birth date, title level) of `count` new people."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from kejia.demo.common import ANCHOR
    from kejia.people.models import Person

    sectors = ["enterprise", "university", "research_institute", "medical", "education", "agriculture", "government", "other"]
    titles = ["senior", "vice_senior", "intermediate", "junior", "none"]
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
    start = (Person.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    profiles = []
    rows = []
    for i in range(count):
        pk = start + i
        birth = ANCHOR - datetime.timedelta(days=rng.randint(24 * 365, 66 * 365))
        values = dict(defaults, name=f"测试{i:06d}", sector=rng.choice(sectors), title_level=rng.choice(titles), birth_date=ops.adapt_datefield_value(birth))
        rows.append([pk] + [values[f.attname] for f in fields])
        profiles.append((pk, values["sector"], birth, values["title_level"]))
    _insert(Person, ["id"] + [f.column for f in fields], rows)
    with connection.cursor() as cursor:
        from django.core.management.color import no_style

        for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(sql)
    return profiles


def _build(args) -> tuple:
    from django.db import connection, transaction

    from kejia.accounts.models import User
    from kejia.demo.surveys import StatusAnswerer, random_uuid
    from kejia.organizations.services import create_organization
    from kejia.surveys import services
    from kejia.surveys.models import Answer, Response
    from kejia.surveys.questions import answer_rows
    from kejia.surveys.templates_data import install_template

    rng = random.Random(args.seed)
    admin = User.objects.create_superuser("bench", "bench@example.cn", "bench-password-2026")
    from kejia.reference.models import Region
    from kejia.reference.services import load_regions

    load_regions(provinces=["32"])
    org = create_organization(
        actor=admin, parent=None, name="基准省科学技术协会", code="BENCH", kind="provincial_assoc", region=Region.objects.get(code="320000")
    )
    survey = install_template(org, actor=admin, template="status", period="2026")
    version = services.publish_survey(survey, actor=admin)
    survey.refresh_from_db()
    started = time.perf_counter()
    with transaction.atomic():
        profiles = _people(args.responses, rng)
        answerer = StatusAnswerer(rng, version.questions)
        today = datetime.date(2026, 11, 23)
        responses, answers = [], []
        uuid_value = (lambda u: u) if connection.vendor == "postgresql" else (lambda u: u.hex)
        for pk, sector, birth, title in profiles:
            rid = uuid_value(random_uuid(rng))
            responses.append((rid, survey.pk, version.pk, "submitted", pk, None, today, None, "online", None, "{}"))
            clean = answerer.answers(sector, birth, rng.randrange(answerer.cities), title)
            for key, option, row, number, text in answer_rows(version.questions, clean):
                answers.append((rid, survey.pk, version.pk, key, option, row, number, text))
        _insert(
            Response,
            ["id", "survey_id", "version_id", "status", "person_id", "user_id", "submitted_on", "subject_id", "channel", "station_id", "draft"],
            responses,
        )
        _insert(Answer, ["response_id", "survey_id", "version_id", "question", "option", "row", "number", "text"], answers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return survey, version, len(responses), len(answers), time.perf_counter() - started


def _baseline(survey_id: int, multi_keys: list[str], key: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT question, version_id, "row", "option", number, COUNT(*) FROM surveys_answer WHERE survey_id = %s '
            'GROUP BY question, version_id, "row", "option", number',
            [survey_id],
        )
        counts = cursor.fetchall()
        cursor.execute(
            f"SELECT question, COUNT(DISTINCT response_id) FROM surveys_answer WHERE survey_id = %s AND question IN "
            f"({', '.join(['%s'] * len(multi_keys))}) GROUP BY question",
            [survey_id, *multi_keys],
        )
        respondents = cursor.fetchall()
        cursor.execute("SELECT COUNT(*) FROM surveys_response WHERE survey_id = %s AND status = 'submitted'", [survey_id])
        submitted = cursor.fetchone()[0]
        cursor.execute(
            'SELECT a.version_id, a."option", p.sector, COUNT(*) FROM surveys_answer a '
            "INNER JOIN surveys_response r ON r.id = a.response_id LEFT JOIN people_person p ON p.id = r.person_id "
            'WHERE a.survey_id = %s AND a.question = %s GROUP BY a.version_id, a."option", p.sector',
            [survey_id, key],
        )
        crosstab = cursor.fetchall()
    return {"answers": sum(r[-1] for r in counts), "respondents": dict(respondents), "submitted": submitted, "crosstab": sum(r[-1] for r in crosstab)}


def _service(survey, key: str) -> dict:
    from kejia.surveys import results as res

    layout = res.Layout(survey)
    items = res.question_results(survey, layout)
    table = res.crosstab(survey, key, "sector", layout=layout)
    submitted = res.submitted_count(survey)
    answers = 0
    for r in items:
        if r.question["kind"] == "matrix":
            answers += sum(row["respondents"] for row in r.matrix)
        elif r.question["kind"] == "text":
            answers += r.texts
        else:
            answers += sum(b.count for b in r.bars)
    return {
        "answers": answers,
        "respondents": {r.question["key"]: r.respondents for r in items if r.question["kind"] in ("multiple", "matrix")},
        "submitted": submitted,
        "crosstab": sum(table["totals"]),
    }


def _measure(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from kejia.surveys import results as res

    call_command("migrate", verbosity=0)
    survey, version, responses, answers, build_seconds = _build(args)
    key = "q6"
    multi = [q["key"] for q in version.questions if q["kind"] in ("multiple", "matrix")]
    service_times, baseline_times = [], []
    _baseline(survey.pk, multi, key)  # warm the caches for both (untimed)
    _service(survey, key)
    service_out = baseline_out = None
    for _rep in range(args.reps):
        t = time.perf_counter()
        baseline_out = _baseline(survey.pk, multi, key)
        baseline_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        service_out = _service(survey, key)
        service_times.append(time.perf_counter() - t)
    assert service_out["submitted"] == baseline_out["submitted"] == responses
    assert service_out["crosstab"] == baseline_out["crosstab"]
    assert service_out["respondents"] == baseline_out["respondents"], (service_out["respondents"], baseline_out["respondents"])
    # The service counts rating and choice rows and texts; the baseline every row: they agree.
    assert service_out["answers"] == baseline_out["answers"] == answers, (service_out["answers"], baseline_out["answers"], answers)
    t = time.perf_counter()
    res.crosstab(survey, key, "q1")  # by the survey's own sector question: how an anonymous survey cross-tabulates
    by_question = time.perf_counter() - t
    service, baseline = statistics.median(service_times), statistics.median(baseline_times)
    return {
        "backend": connection.vendor,
        "responses": responses,
        "answer_rows": answers,
        "questions": len(version.questions),
        "build_seconds": round(build_seconds, 1),
        "reps": args.reps,
        "service_seconds": round(service, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio_service_over_baseline": round(service / baseline, 2),
        "service_all_runs": [round(x, 3) for x in service_times],
        "baseline_all_runs": [round(x, 3) for x in baseline_times],
        "crosstab_by_own_question_seconds": round(by_question, 3),
        "same_totals": True,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--reps", type=int, default=5, help="timed runs of each (the median is reported)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per backend")
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
        __file__, ["--responses", str(args.responses), "--seed", str(args.seed), "--reps", str(args.reps)], name="surveys", timeout=args.timeout, root=ROOT
    )
    print(
        json.dumps(
            {
                "benchmark": "survey results (all questions' counts + one cross-tab) through the service vs the bare GROUP BY queries",
                "responses": args.responses,
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
