"""Fixtures of the survey tests: people of the talent database (one linked to the S&T worker
of the shared tree), a small published survey of each kind."""

import datetime
from types import SimpleNamespace

import pytest

QUESTIONS = [
    {"kind": "single", "text": "您的工作单位属于哪一类？", "options": ["企业", "高校", "其他"], "role": "sector"},
    {"kind": "single", "text": "是否从事科研？", "options": ["是", "否"]},
    {"kind": "rating", "text": "科研经费是否充足？", "condition_key": "q2", "condition_options": [0]},
    {"kind": "multiple", "text": "最关心的问题", "options": ["收入", "职称", "住房", "其他"], "max_choices": 2},
    {"kind": "text", "text": "请说明其他问题", "condition_key": "q4", "condition_options": [3]},
    {"kind": "matrix", "text": "科研条件", "rows": ["经费", "设备"], "options": ["差", "一般", "好"], "required": False},
    {"kind": "text", "text": "意见建议", "required": False},
]


def make_person(tree, name, *, org=None, user=None, sector="enterprise", birth=datetime.date(1985, 3, 9), region=None):
    from kejia.people.services import create_person

    person = create_person(actor=tree.platform, organization=org or tree.xw, name=name, sector=sector, birth_date=birth)
    if user is not None or region is not None:
        person.user = user
        person.region = region
        person.save(update_fields=["user", "region"])
    return person


def make_user(tree, username):
    from kejia.accounts.services import create_user

    return create_user(actor=tree.platform, username=username, password=tree.password, display_name=f"显示{username}", check_password=False)


def build_survey(tree, *, anonymous=False, org=None, actor=None, questions=QUESTIONS, kind="general", publish=True, title="测试问卷"):
    from kejia.surveys import services

    org = org or tree.xw
    actor = actor or tree.county_staff
    survey = services.create_survey(org, actor=actor, title=title, kind=kind, anonymous=anonymous)
    for q in questions:
        services.add_question(survey, actor=actor, **q)
    if publish:
        services.publish_survey(survey, actor=actor)
        survey.refresh_from_db()
    return survey


@pytest.fixture
def folks(tree):
    """The worker's profile (listed by XW, Nanjing), two more people with accounts, one without."""
    worker = make_person(tree, "王工", user=tree.worker, sector="university", birth=datetime.date(1995, 1, 1), region=tree.regions["320102"])
    u2, u3 = make_user(tree, "li_worker"), make_user(tree, "zhao_worker")
    li = make_person(tree, "李工", user=u2, sector="enterprise", birth=datetime.date(1975, 6, 1), region=tree.regions["320213"])
    zhao = make_person(tree, "赵工", user=u3, sector="enterprise", birth=datetime.date(1960, 6, 1), region=tree.regions["320104"])
    qian = make_person(tree, "钱工", sector="medical")
    return SimpleNamespace(worker=worker, li=li, zhao=zhao, qian=qian, li_user=u2, zhao_user=u3)


def invite(tree, survey, actor=None):
    from kejia.surveys import distribution

    return distribution.add_target(survey, actor=actor or tree.county_staff, kind="members", organization=tree.xw)


GOOD = {"q1": 0, "q2": 0, "q3": 4, "q4": [0, 1], "q6": {"0": 2, "1": 1}, "q7": "多举办活动"}
