"""The shipped 004 template holds every blank of the seed's 申报书 (附件2) and its call terms."""

import json
from decimal import Decimal
from pathlib import Path

from kejia.calls import forms_spec
from kejia.calls.services import load_template

TEMPLATE = load_template("local_reform_pilot")
SPEC = TEMPLATE["form"]["spec"]

# Every blank of 附件2, by the label printed on the form.
SEED_FIELDS = [
    "试点单位",
    "申报单位",
    "年月",
    "填报说明",
    "试点起止日期",
    "申报单位意见",
    "试点单位意见",
    "申报单位推荐理由",
    "试点单位概况",
    "试点单位改革工作目前进展情况",
    "试点单位改革工作亮点与主要成效",
    "试点内容",
    "1. 工作计划",
    "2. 预期成果",
    "3. 试点成果宣传计划",
    "试点工作负责人",
    "主要参与团队",
]
HEAD_COLUMNS = ["姓名", "手机", "电子邮箱", "通讯地址", "邮编", "传真", "办公电话"]
PERSON_COLUMNS = ["姓名", "性别", "出生年月", "单位", "职务职称"]
SECTIONS = ["封面", "填报说明", "一、基本情况", "二、试点内容", "三、试点方案", "四、试点工作负责人", "五、主要参与团队"]


def _by_label():
    return {f["label"]: f for f in forms_spec.fields(SPEC)}


def test_template_has_every_section_and_field_of_the_seed():
    assert [s["title"] for s in SPEC["sections"]] == SECTIONS
    labels = _by_label()
    missing = [label for label in SEED_FIELDS if label not in labels]
    assert not missing


def test_template_tables_have_the_seed_columns_and_rows():
    fields = {f["key"]: f for f in forms_spec.fields(SPEC)}
    assert [c["label"] for c in fields["heads"]["columns"]] == HEAD_COLUMNS
    assert fields["heads"]["rows"] == ["申报单位负责人", "试点单位负责人"]
    assert [c["label"] for c in fields["lead"]["columns"]] == PERSON_COLUMNS
    assert [c["label"] for c in fields["team"]["columns"]] == PERSON_COLUMNS


def test_template_signoffs_and_the_provincial_condition():
    fields = {f["key"]: f for f in forms_spec.fields(SPEC)}
    assert fields["applicant_opinion"]["type"] == fields["pilot_opinion"]["type"] == "signoff"
    assert "when" not in fields["applicant_opinion"]
    assert fields["pilot_opinion"]["when"] == {"fact": "applicant_is_provincial", "equals": False}
    assert SPEC["slash_for_empty"] is True


def test_template_call_terms_are_the_seeds():
    call = TEMPLATE["call"]
    assert [t["code"] for t in call["topics"]] == ["1", "2", "3", "4", "5"]
    assert (Decimal(call["min_amount"]), Decimal(call["max_amount"])) == (Decimal(300000), Decimal(400000))
    assert call["tranches"] == [{"share": "50", "gate": "approval"}, {"share": "50", "gate": "midterm_passed"}]
    assert call["period_months"] == 12
    assert call["recommender_kinds"] == ["provincial_assoc"] and "municipal_assoc" in call["applicant_kinds"]


def test_template_holds_no_contact_person_of_the_seed():
    text = (Path(__file__).resolve().parents[1] / "data" / "local_reform_pilot.json").read_text(encoding="utf-8")
    for private in ("梁", "68572088", "liangshuai", "cnais"):
        assert private not in text
    json.loads(text)


def test_install_call_templates_is_idempotent(db):
    from django.core.management import call_command

    from kejia.calls.models import FormDefinition

    call_command("install_call_templates")
    call_command("install_call_templates")
    form = FormDefinition.objects.get(code="local_reform_pilot")
    assert form.version == 2 and form.spec == SPEC
