"""Results: counts and shares, cross-tabs (profiles for identified surveys, the survey's own
questions for anonymous ones), the evaluation index formula, exports."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from kejia.core.errors import DomainError
from kejia.reference.choices import Sector
from kejia.surveys import answering, distribution, exports, pool, services
from kejia.surveys import results as res
from kejia.surveys.tests.conftest import GOOD, build_survey, invite

EVALUATION = [
    {"kind": "single", "text": "了解吗", "options": ["了解", "不了解"], "role": "awareness"},
    {"kind": "single", "text": "参加过吗", "options": ["参加过", "没有"], "role": "participation"},
    {"kind": "single", "text": "受益吗", "options": ["很大", "一些", "没有"], "role": "benefit", "scores": [100, 100, 0]},
    {"kind": "rating", "text": "满意度", "role": "satisfaction"},
    {"kind": "single", "text": "年龄", "options": ["35岁以下", "35岁及以上"], "role": "age_band"},
]


def evaluation_survey(tree, period="2026"):
    survey = services.create_survey(tree.js, actor=tree.province_staff, title=f"评议{period}", kind="evaluation", anonymous=True, period=period)
    for q in EVALUATION:
        services.add_question(survey, actor=tree.province_staff, **q)
    services.set_subjects(survey, actor=tree.province_staff, organizations=[tree.nj, tree.wx])
    services.publish_survey(survey, actor=tree.province_staff)
    survey.refresh_from_db()
    return survey, distribution.add_target(survey, actor=tree.province_staff, kind="link").token


def answer(survey, user, token, subject, aw, part, ben, sat, age=0):
    """Submit, and write the pool at once (anonymous answers wait for a batch: test_pool.py)."""
    answering.submit_response(survey, actor=user, token=token, subject=subject.pk, data={"q1": aw, "q2": part, "q3": ben, "q4": sat, "q5": age})
    pool.release_answers(survey, force=True)


def test_index_is_the_weighted_mean_of_the_four_measures(tree, folks):
    survey, token = evaluation_survey(tree)
    answer(survey, tree.worker, token, tree.nj, 0, 0, 1, 5)  # 100 100 100 100
    answer(survey, folks.li_user, token, tree.nj, 1, 1, 2, 3)  # 0 0 0 50
    answer(survey, folks.zhao_user, token, tree.nj, 0, 1, 0, 4)  # 100 0 100 75
    answer(survey, tree.nj_staff, token, tree.wx, 0, 0, 0, 1)  # 100 100 100 0
    rows = {r.subject_id: r for r in res.evaluation_index([survey])}
    nj = rows[tree.nj.pk]
    assert nj.respondents == 3
    assert nj.measures == {"awareness": 66.7, "participation": 33.3, "benefit": 66.7, "satisfaction": 75.0}
    assert nj.index == 60.4  # (200/3 + 100/3 + 200/3 + 75) / 4
    assert rows[tree.wx.pk].index == 75.0 and not rows[tree.wx.pk].enough
    services.update_survey(survey, actor=tree.province_staff, index_weights={"awareness": 10, "participation": 10, "benefit": 10, "satisfaction": 70})
    survey.refresh_from_db()
    assert {r.subject_id: r for r in res.evaluation_index([survey])}[tree.nj.pk].index == 69.2


def test_index_minimum_of_answers_is_set_per_survey(tree, folks):
    survey, token = evaluation_survey(tree)
    answer(survey, tree.worker, token, tree.nj, 0, 0, 1, 5)
    answer(survey, folks.li_user, token, tree.nj, 1, 1, 2, 3)
    assert survey.min_responses == 5 and not res.evaluation_index([survey])[0].enough
    services.update_survey(survey, actor=tree.province_staff, min_responses=2)
    survey.refresh_from_db()
    assert res.evaluation_index([survey])[0].enough
    with pytest.raises(DomainError) as caught:
        services.update_survey(survey, actor=tree.province_staff, min_responses=0)
    assert caught.value.field == "min_responses"


def test_index_compares_periods_and_skips_measures_without_weight(tree, folks):
    old, token_old = evaluation_survey(tree, "2025")
    new, token_new = evaluation_survey(tree, "2026")
    answer(old, tree.worker, token_old, tree.nj, 1, 1, 2, 1)
    answer(new, tree.worker, token_new, tree.nj, 0, 0, 0, 5)
    rows = res.evaluation_index([old, new], subjects=[tree.nj.pk])
    assert [(r.period, r.index) for r in rows] == [("2025", 0.0), ("2026", 100.0)]
    assert (
        res.combine(
            {"awareness": 50, "participation": None, "benefit": 100, "satisfaction": 0},
            {"awareness": 25, "participation": 25, "benefit": 25, "satisfaction": 0},
        )
        == 75.0
    )


def test_update_survey_refuses_bad_weights(tree):
    survey, _token = evaluation_survey(tree)
    with pytest.raises(DomainError) as err:
        services.update_survey(survey, actor=tree.province_staff, index_weights={"awareness": 0, "participation": 0, "benefit": 0, "satisfaction": 0})
    assert err.value.field == "index_weights"


def test_results_count_each_kind(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    answering.submit_response(survey, actor=folks.li_user, data={**GOOD, "q1": 1, "q2": 1, "q4": [3], "q5": "住房以外", "q6": {}})
    results = {r.question["key"]: r for r in res.question_results(survey)}
    assert [(b.label, b.count, b.share) for b in results["q1"].bars] == [("企业", 1, 50.0), ("高校", 1, 50.0), ("其他", 0, 0.0)]
    assert results["q3"].respondents == 1 and results["q3"].mean == 4
    assert results["q4"].respondents == 2 and [b.count for b in results["q4"].bars] == [1, 1, 0, 1]
    assert results["q5"].texts == 1 and list(res.texts(survey, "q5")) == ["住房以外"]
    assert results["q6"].matrix[0]["cells"][2].count == 1 and results["q6"].matrix[0]["respondents"] == 1


def test_crosstab_of_an_identified_survey_uses_profiles(tree, folks):
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)  # university, born 1995, Xuanwu (Nanjing)
    answering.submit_response(survey, actor=folks.li_user, data={**GOOD, "q2": 1})  # enterprise, 1975, Liangxi (Wuxi)
    answering.submit_response(survey, actor=folks.zhao_user, data={**GOOD, "q2": 1})  # enterprise, 1960, Qinhuai (Nanjing)
    today = datetime.date(2026, 11, 23)
    by_sector = res.crosstab(survey, "q2", "sector", today=today)
    enterprise, university = (by_sector["columns"].index(str(Sector.ENTERPRISE.label)), by_sector["columns"].index(str(Sector.UNIVERSITY.label)))
    assert by_sector["rows"][0]["counts"][university] == 1 and by_sector["rows"][1]["counts"][enterprise] == 2
    by_age = res.crosstab(survey, "q2", "age_band", today=today)
    assert by_age["rows"][0]["counts"] == [1, 0, 0, 0] and by_age["rows"][1]["counts"] == [0, 0, 1, 1]
    by_region = res.crosstab(survey, "q2", "region", today=today)
    assert by_region["columns"] == ["南京市", "无锡市"]
    assert by_region["rows"][1]["counts"] == [1, 1]
    rating = res.crosstab(survey, "q3", "q2")  # q3 is shown to q2 = 是 only
    assert rating["means"][0] == 4


def test_crosstab_of_an_anonymous_survey_uses_its_own_questions(tree, folks):
    survey, token = evaluation_survey(tree)
    answer(survey, tree.worker, token, tree.nj, 0, 0, 0, 5, age=0)
    answer(survey, folks.li_user, token, tree.nj, 1, 0, 0, 5, age=1)
    answer(survey, folks.zhao_user, token, tree.nj, 1, 1, 0, 5, age=1)
    survey.min_responses = 1  # every cell shown (cells below the minimum are hidden: test_pool.py)
    table = res.crosstab(survey, "q1", "age_band")
    assert table["columns"] == ["35岁以下", "35岁及以上"]
    assert [row["counts"] for row in table["rows"]] == [[1, 0], [0, 2]]
    with pytest.raises(DomainError):
        res.crosstab(survey, "q1", "sector")  # no sector question in this survey
    with pytest.raises(DomainError):
        res.crosstab(survey, "q4", "q4")


def test_exports_open_and_anonymous_raw_answers_carry_no_person(tree, folks):
    survey, token = evaluation_survey(tree)
    answer(survey, tree.worker, token, tree.nj, 0, 0, 0, 5)
    raw = load_workbook(io.BytesIO(exports.raw_xlsx(survey)))
    rows = list(raw.active.values)
    assert len(rows) == 2 and "name" not in rows[0] and folks.worker.name not in str(rows)
    book = load_workbook(io.BytesIO(exports.results_xlsx(survey, index_rows=res.evaluation_index([survey]), names={tree.nj.pk: "南京"})))
    assert len(book.sheetnames) == 2
    identified = build_survey(tree)
    invite(tree, identified)
    answering.submit_response(identified, actor=tree.worker, data=GOOD)
    rows = list(load_workbook(io.BytesIO(exports.raw_xlsx(identified))).active.values)
    assert rows[1][2] == folks.worker.name and rows[1][-1] == GOOD["q7"]
