"""The pool of anonymous answers (kejia.surveys.pool) against the attack that found them
linkable: answers and receipts written in the same order, so that ordering the receipts by
insertion (SQLite's rowid) or transaction (PostgreSQL's xmin) and the answers by id paired each
person with their answer. And cross-tabs of an anonymous survey hide counts below its minimum."""

import pytest
from django.db import connection

from kejia.surveys import answering, distribution, pool
from kejia.surveys import results as res
from kejia.surveys.anonymity import receipt_digest
from kejia.surveys.models import Answer, PendingAnswer, Response
from kejia.surveys.tests.conftest import build_survey, make_user

N = 15  # three batches of five


def _receipt_order(survey) -> list[str]:
    """The receipts' digests in the order the database wrote them."""
    column = "xmin::text::bigint" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT digest FROM surveys_receipt WHERE survey_id = %s ORDER BY {column}, digest", [survey.pk])
        return [row[0] for row in cursor.fetchall()]


def _xmins(table: str, key: str, survey) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, xmin::text::bigint FROM {table} WHERE survey_id = %s", [survey.pk])
        return dict(cursor.fetchall())


def test_order_and_transaction_ids_do_not_pair_receipts_with_answers(transactional_db, tree):
    """(transactional_db: writes as in production — each submission its own transaction, the
    release after its commit in another.)"""
    survey = build_survey(tree, anonymous=True)
    token = distribution.add_target(survey, actor=tree.county_staff, kind="link").token
    users = [make_user(tree, f"anon{i:02d}") for i in range(N)]
    for i, user in enumerate(users):
        answering.submit_response(survey, actor=user, token=token, data={"q1": 0, "q2": 1, "q4": [0], "q7": f"M{i:02d}"})
    assert not PendingAnswer.objects.filter(survey=survey).exists()  # three full batches, each written after its fifth answer
    marker = dict(Answer.objects.filter(survey=survey, question="q7").values_list("response_id", "text"))
    assert sorted(marker.values()) == [f"M{i:02d}" for i in range(N)]
    who = {receipt_digest(survey.pk, user.pk): f"M{i:02d}" for i, user in enumerate(users)}

    # The attack: the k-th receipt written is the k-th answer written (answers by id).
    receipts = _receipt_order(survey)
    first_id = {}
    for response_id, pk in Answer.objects.filter(survey=survey).values_list("response_id", "pk"):
        first_id[response_id] = min(pk, first_id.get(response_id, pk))
    answers = [marker[r] for r in sorted(first_id, key=first_id.get)]
    linked = sum(who[d] == m for d, m in zip(receipts, answers, strict=True))
    assert linked < N, "every receipt paired with its answer by order"  # before: 15 of 15 (chance now: 1 in 120³)
    # What is left to an attacker: which batch of five, never which answer in it.
    for batch in range(N // 5):
        assert {who[d] for d in receipts[batch * 5 : batch * 5 + 5]} == set(answers[batch * 5 : batch * 5 + 5])

    if connection.vendor == "postgresql":
        # Before: each receipt's xmin was its answers' ± 1. Now every answer of a batch has the
        # batch's one xmin, so a receipt near it points at five answers, not one.
        receipt_x = _xmins("surveys_receipt", "digest", survey)
        answer_x = {}
        for response_id, x in _xmins("surveys_answer", "response_id", survey).items():
            answer_x[response_id] = x
        assert len(set(answer_x.values())) == N // 5
        for digest, x in receipt_x.items():
            near = {r for r, ax in answer_x.items() if abs(ax - x) <= 2}
            assert len(near) in (0, 5), (who[digest], len(near))


def test_pool_waits_for_a_batch_and_close_releases_the_rest(tree, folks, django_capture_on_commit_callbacks):
    from kejia.surveys import services

    survey = build_survey(tree, anonymous=True)
    token = distribution.add_target(survey, actor=tree.county_staff, kind="link").token
    with django_capture_on_commit_callbacks(execute=True):
        for user in (tree.worker, folks.li_user, folks.zhao_user):
            answering.submit_response(survey, actor=user, token=token, data={"q1": 0, "q2": 1, "q4": [0]})
    assert (pool.waiting(survey), Response.objects.filter(survey=survey).count()) == (3, 0)
    assert distribution.tracking(survey)["submitted"] == 3 and res.submitted_count(survey) == 0
    assert not any('"q1"' in e.sealed for e in PendingAnswer.objects.all())  # sealed: a quote never occurs in base64
    services.close_survey(survey, actor=tree.county_staff)
    assert (pool.waiting(survey), Response.objects.filter(survey=survey, status="submitted").count()) == (0, 3)


@pytest.mark.parametrize(
    ("counts", "minimum", "hidden"),
    [
        ([[10, 10], [10, 10]], 5, set()),
        ([[2, 10], [10, 10]], 5, {(0, 0), (0, 1), (1, 0), (1, 1)}),  # the 2, then one more in its row and its column, then theirs
        ([[2, 10, 0], [10, 10, 9]], 5, {(0, 0), (0, 2), (1, 0), (1, 2)}),  # the zero beside it is the cheapest to hide
        ([[3, 4], [20, 30]], 5, {(0, 0), (0, 1), (1, 0), (1, 1)}),
        ([[2, 10], [10, 10]], 1, set()),
    ],
)
def test_small_cells(counts, minimum, hidden):
    assert res.small_cells(counts, minimum) == hidden
    for line in [
        *[[(i, j) for j in range(len(counts[0]))] for i in range(len(counts))],
        *[[(i, j) for i in range(len(counts))] for j in range(len(counts[0]))],
    ]:
        assert sum(cell in hidden for cell in line) != 1  # never one alone in a row or column


def test_crosstab_of_an_anonymous_survey_hides_counts_below_its_minimum(tree, folks):
    survey = build_survey(tree, anonymous=True)
    token = distribution.add_target(survey, actor=tree.county_staff, kind="link").token
    # sector (q1) × research (q2): 6 enterprise/yes, 1 university/no — the one would be someone.
    people = [make_user(tree, f"ct{i}") for i in range(7)]
    for i, user in enumerate(people):
        answering.submit_response(survey, actor=user, token=token, data={"q1": 0 if i < 6 else 1, "q2": 0 if i < 6 else 1, "q3": 3, "q4": [0]})
    pool.release_answers(survey, force=True)
    table = res.crosstab(survey, "q2", "q1")
    assert table["hidden_below"] == survey.min_responses == 5
    cells = [n for row in table["rows"] for n in row["counts"]]
    assert all(n is None or n == 0 or n >= 5 for n in cells) and 1 not in cells
    assert all(t is None or t == 0 or t >= 5 for t in table["totals"]) and table["total"] == 7
    assert all(row["total"] is None or row["total"] == 0 or row["total"] >= 5 for row in table["rows"])
    rating = res.crosstab(survey, "q3", "q1")
    assert all(n is None or n == 0 or n >= 5 for row in rating["rows"] for n in row["counts"])
    survey.min_responses = 1
    assert [row["counts"] for row in res.crosstab(survey, "q2", "q1")["rows"]] == [[6, 0, 0], [0, 1, 0]]
