"""The pure rules of questions: definitions, conditions, validation of a submission, scores."""

from kejia.surveys import questions as qlib


def q(key, kind, **kw):
    base = {
        "key": key,
        "kind": kind,
        "text": f"问题{key}",
        "help": "",
        "required": True,
        "options": [],
        "rows": [],
        "scale_min": 1,
        "scale_max": 5,
        "min_label": "",
        "max_label": "",
        "max_choices": None,
        "condition": None,
        "role": "",
        "scores": [],
    }
    base.update(kw)
    return base


FORM = [
    q("q1", "single", options=["是", "否"]),
    q("q2", "rating", condition={"question": "q1", "in": [0]}),
    q("q3", "multiple", options=["甲", "乙", "丙", "其他"], max_choices=2),
    q("q4", "text", condition={"question": "q3", "in": [3]}),
    q("q5", "matrix", rows=["经费", "设备"], options=["差", "好"]),
    q("q6", "text", condition={"question": "q2", "in": [1, 2]}),
    q("q7", "text", required=False),
]


def test_validate_accepts_a_complete_submission():
    clean, errors = qlib.validate_submission(FORM, {"q1": "0", "q2": "2", "q3": ["1", "3"], "q4": " 说明 ", "q5": {"0": "1", "1": "0"}, "q6": "不够"})
    assert errors == {}
    assert clean == {"q1": 0, "q2": 2, "q3": [1, 3], "q4": "说明", "q5": {0: 1, 1: 0}, "q6": "不够"}


def test_validate_requires_only_visible_questions():
    clean, errors = qlib.validate_submission(FORM, {"q1": 1, "q3": [0], "q5": {"0": 1, "1": 1}})
    assert errors == {}
    assert set(clean) == {"q1", "q3", "q5"}


def test_validate_drops_answers_to_hidden_questions():
    clean, errors = qlib.validate_submission(FORM, {"q1": 1, "q2": 5, "q3": [0], "q4": "隐藏", "q5": {"0": 1, "1": 1}, "q6": "也隐藏"})
    assert errors == {}
    assert "q2" not in clean and "q4" not in clean and "q6" not in clean


def test_validate_hides_a_question_whose_condition_question_is_hidden():
    """q6 depends on q2, hidden because q1 is "否": even an answer to q2 cannot show q6."""
    shown = qlib.visible_keys(FORM, {"q1": 1, "q2": 1})
    assert "q2" not in shown and "q6" not in shown


def test_validate_names_each_missing_or_bad_question():
    clean, errors = qlib.validate_submission(FORM, {"q1": 0, "q2": 9, "q3": [0, 1, 2], "q5": {"0": 5}})
    assert set(errors) == {"q2", "q3", "q5"}
    assert "1" in errors["q2"][0] and "5" in errors["q2"][0]
    assert "2" in errors["q3"][0]


def test_validate_requires_every_row_of_a_required_matrix():
    _clean, errors = qlib.validate_submission(FORM, {"q1": 1, "q3": [0], "q5": {"0": 1}})
    assert list(errors) == ["q5"]


def test_validate_rejects_an_option_out_of_range_and_booleans():
    _clean, errors = qlib.validate_submission(FORM, {"q1": 2, "q3": [True], "q5": {"0": 1, "1": 1}})
    assert set(errors) == {"q1", "q3"}


def test_validate_partial_keeps_what_parses_and_requires_nothing():
    clean, errors = qlib.validate_submission(FORM, {"q1": 0, "q2": 99, "q7": "草稿"}, partial=True)
    assert errors == {}
    assert clean == {"q1": 0, "q7": "草稿"}


def test_answer_rows_normalize_each_kind():
    clean, _e = qlib.validate_submission(FORM, {"q1": 0, "q2": 3, "q3": [0, 3], "q4": "x", "q5": {"0": 1, "1": 0}})
    rows = qlib.answer_rows(FORM, clean)
    assert ("q1", 0, None, None, "") in rows
    assert ("q2", None, None, 3, "") in rows
    assert [r for r in rows if r[0] == "q3"] == [("q3", 0, None, None, ""), ("q3", 3, None, None, "")]
    assert ("q4", None, None, None, "x") in rows
    assert [r for r in rows if r[0] == "q5"] == [("q5", 1, 0, None, ""), ("q5", 0, 1, None, "")]


def test_check_definition_refuses_a_condition_on_a_later_or_text_question():
    assert "condition_key" in qlib.check_definition(q("q9", "text", condition={"question": "q8", "in": [0]}), FORM)
    assert "condition_key" in qlib.check_definition(q("q9", "text", condition={"question": "q7", "in": [0]}), FORM)
    assert "condition_options" in qlib.check_definition(q("q9", "text", condition={"question": "q1", "in": [5]}), FORM)
    assert qlib.check_definition(q("q9", "text", condition={"question": "q2", "in": [5]}), FORM) == {}


def test_check_definition_needs_options_rows_and_a_scale():
    assert "options" in qlib.check_definition(q("q9", "single", options=["一"]), [])
    assert "options" in qlib.check_definition(q("q9", "multiple", options=["一", "一"]), [])
    assert "rows" in qlib.check_definition(q("q9", "matrix", options=["一", "二"]), [])
    assert "scale_max" in qlib.check_definition(q("q9", "rating", scale_min=5, scale_max=5), [])
    assert "role" in qlib.check_definition(q("q9", "multiple", options=["一", "二"], role="sector"), [])
    assert "scores" in qlib.check_definition(q("q9", "single", options=["一", "二"], scores=[100]), [])


def test_score_of_rescales_ratings_and_uses_option_scores():
    assert qlib.score_of(q("r", "rating"), number=1) == 0
    assert qlib.score_of(q("r", "rating"), number=4) == 75
    assert qlib.score_of(q("s", "single", options=["a", "b", "c"]), option=1) == 50
    assert qlib.score_of(q("s", "single", options=["a", "b", "c"], scores=[100, 100, 0]), option=1) == 100
