import pytest

from kejia.calls import forms_spec
from kejia.calls.services import load_template
from kejia.calls.tests.conftest import complete_answers, person
from kejia.core.errors import DomainError, ValidationFailed

SPEC = load_template("local_reform_pilot")["form"]["spec"]
MUNICIPAL = {"applicant_is_provincial": False}


def _errors(data, facts=MUNICIPAL, **kw):
    with pytest.raises(ValidationFailed) as caught:
        forms_spec.validate_answers(SPEC, data, facts=facts, **kw)
    return caught.value.errors


def test_validate_answers_complete_form_passes():
    cleaned = forms_spec.validate_answers(SPEC, complete_answers(), facts=MUNICIPAL)
    assert cleaned["highlights"] == "/"
    assert cleaned["heads"][0]["fax"] == "/"


def test_validate_answers_empty_field_is_named():
    data = complete_answers()
    data["pilot_profile"] = "  "
    errors = _errors(data)
    assert list(errors) == ["pilot_profile"]
    assert "试点单位概况" in errors["pilot_profile"][0] and "“/”" in errors["pilot_profile"][0]


def test_validate_answers_empty_cell_names_field_row_and_column():
    data = complete_answers()
    data["team"][1]["position"] = ""
    errors = _errors(data)
    assert list(errors) == ["team.2.position"]
    assert "主要参与团队" in errors["team.2.position"][0] and "2" in errors["team.2.position"][0]
    assert "职务职称" in errors["team.2.position"][0]


def test_validate_answers_fixed_row_named_by_its_label():
    data = complete_answers()
    data["heads"][1]["email"] = ""
    errors = _errors(data)
    assert "试点单位负责人" in errors["heads.2.email"][0]


def test_validate_answers_slash_fills_a_text_blank_but_not_a_month():
    data = complete_answers()
    data["team"][0]["birth_month"] = "/"
    errors = _errors(data)
    assert "team.1.birth_month" in errors


def test_validate_answers_blank_rows_are_dropped_and_one_row_is_needed():
    data = complete_answers()
    data["team"] = [{"name": "", "gender": ""}, {}]
    errors = _errors(data)
    assert "team" in errors


def test_validate_answers_types_checked():
    data = complete_answers()
    data["pilot_period"] = {"start": "2021-07", "end": "2020-07"}
    data["lead"] = [dict(person(), gender="未知")]
    data["applicant_opinion"]["date"] = "2020-13-01"
    errors = _errors(data)
    assert {"pilot_period", "lead.1.gender", "applicant_opinion.date"} <= set(errors)


def test_validate_answers_signoff_needs_name_date_and_seal():
    data = complete_answers()
    data["applicant_opinion"]["seal"] = ""
    assert "applicant_opinion.seal" in _errors(data)


def test_validate_answers_pilot_opinion_not_asked_of_a_provincial_pilot():
    data = complete_answers()
    del data["pilot_opinion"]
    assert "pilot_opinion" in _errors(data)
    cleaned = forms_spec.validate_answers(SPEC, data, facts={"applicant_is_provincial": True})
    assert "pilot_opinion" not in cleaned


def test_validate_answers_condition_drops_answers_that_do_not_apply():
    cleaned = forms_spec.validate_answers(SPEC, complete_answers(), facts={"applicant_is_provincial": True})
    assert "pilot_opinion" not in cleaned


def test_validate_answers_draft_checks_only_what_is_filled():
    assert forms_spec.validate_answers(SPEC, {"pilot_profile": "x"}, facts=MUNICIPAL, complete=False) == {"pilot_profile": "x"}
    errors = _errors({"filled_month": "2020/6"}, complete=False)
    assert list(errors) == ["filled_month"]


def test_validate_answers_money_within_the_call_range():
    from decimal import Decimal

    spec = {"sections": [{"key": "s", "title": "s", "fields": [{"key": "amount", "type": "money", "label": "经费", "call_range": True}]}]}
    window = (Decimal("300000"), Decimal("400000"))
    assert forms_spec.validate_answers(spec, {"amount": "350000"}, money_range=window) == {"amount": "350000"}
    with pytest.raises(ValidationFailed) as caught:
        forms_spec.validate_answers(spec, {"amount": "450000"}, money_range=window)
    assert "300000" in caught.value.errors["amount"][0]


def test_check_spec_refuses_repeated_keys_and_unknown_types():
    forms_spec.check_spec(SPEC)
    with pytest.raises(DomainError):
        forms_spec.check_spec({"sections": [{"key": "a", "title": "a", "fields": [{"key": "x", "type": "short_text"}, {"key": "x", "type": "long_text"}]}]})
    with pytest.raises(DomainError):
        forms_spec.check_spec({"sections": [{"key": "a", "title": "a", "fields": [{"key": "x", "type": "colour"}]}]})
