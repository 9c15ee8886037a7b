"""Actors of seed 004: the national association runs the call, a provincial association (JS)
recommends, a municipal association (NJ) applies."""

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest

from kejia.calls import workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.review.scoring import ApplicationResult

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DEADLINE = datetime.datetime(2020, 6, 10, 23, 59, 59, tzinfo=SHANGHAI)
BEFORE = DEADLINE - datetime.timedelta(days=5)
AFTER_ANNOUNCEMENT = DEADLINE + datetime.timedelta(days=40)


def person(name="张三"):
    return {"name": name, "gender": "男", "birth_month": "1980-05", "employer": "南京市科学技术协会", "position": "副主席"}


def signoff():
    return {"opinion": "同意推荐，内容准确。", "name": "李四", "date": "2020-06-01", "seal": "calls/seals/1.png"}


def complete_answers() -> dict:
    head = {
        "name": "王五",
        "mobile": "13900000001",
        "email": "head@example.cn",
        "address": "南京市某路1号",
        "postcode": "210000",
        "fax": "/",
        "office_phone": "025-00000000",
    }
    return {
        "pilot_unit": "南京市科学技术协会",
        "applicant_unit": "江苏省科学技术协会",
        "filled_month": "2020-06",
        "pilot_unit_name": "南京市科学技术协会",
        "pilot_period": {"start": "2020-07", "end": "2021-07"},
        "heads": [head, dict(head, name="赵六")],
        "applicant_opinion": signoff(),
        "pilot_opinion": signoff(),
        "recommendation_reason": "理由",
        "pilot_profile": "概况",
        "reform_progress": "进展",
        "highlights": "/",
        "pilot_content": "内容",
        "work_plan": "计划",
        "expected_results": "成果",
        "publicity_plan": "宣传",
        "lead": [person()],
        "team": [person("钱七"), person("孙八")],
    }


@pytest.fixture
def calls(tree):
    from kejia.accounts.services import create_user, grant_role
    from kejia.calls.services import create_call_from_template, publish_call
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    cast_staff = create_user(actor=tree.platform, username="cast_staff", password=tree.password, display_name="cast_staff", check_password=False)
    grant_role(cast_staff, actor=tree.platform, organization=cast, kind="staff")
    call = create_call_from_template(cast, actor=cast_staff, template="local_reform_pilot", deadline=DEADLINE, budget="1000000", quota_per_recommender=2)
    call = publish_call(call, actor=cast_staff)
    return SimpleNamespace(t=tree, cast=cast, owner=cast_staff, call=call, applicant=tree.nj_staff, recommender=tree.province_staff)


@pytest.fixture
def draft(calls):
    from kejia.calls.services import create_application, save_draft

    application = create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, title="南京市科协改革试点", topic="1", now=BEFORE)
    return save_draft(application, actor=calls.applicant, data=complete_answers(), now=BEFORE)


def walk_to(calls, application, status):
    """Walk an application along the main path up to `status`."""
    steps = [
        (S.SUBMITTED, lambda a: workflow.submit_application(a, actor=calls.applicant, attest=True, now=BEFORE)),
        (S.RECOMMENDED, lambda a: workflow.recommend_application(a, actor=calls.recommender, now=BEFORE)),
        (S.UNDER_REVIEW, lambda a: workflow.accept_application(a, actor=calls.owner)),
        (
            S.REVIEWED,
            lambda a: workflow.record_review_meeting(
                calls.call, actor=calls.owner, minutes="会评纪要", results=[ApplicationResult(a.pk, 3, 88.5, 0.7, 0.2, False)]
            )[0],
        ),
        (S.SELECTED, lambda a: workflow.select_application(a, actor=calls.owner)),
        (S.ANNOUNCED, lambda a: workflow.announce_application(a, actor=calls.owner, now=DEADLINE + datetime.timedelta(days=20))),
    ]
    for state, step in steps:
        application = step(application)
        application.refresh_from_db()
        if state == status:
            return application
    raise AssertionError(status)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64 + b"\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files go to a temporary media root."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def announce_now(calls, application):
    """Walk to "selected" and announce now (real clock): the announcement is open."""
    from django.utils import timezone

    application = walk_to(calls, application, S.SELECTED)
    application.requested_amount = "350000"
    application.save(update_fields=["requested_amount"])
    return workflow.announce_application(application, actor=calls.owner, now=timezone.now())


def concluded_project(calls, application, *, note="试点总结", file=None):
    """An approved project with a deliverable, concluded; returns (project, deliverable)."""
    application = walk_to(calls, application, S.ANNOUNCED)
    project = workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    project = workflow.pass_midterm(project, actor=calls.owner)
    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="南京市科协改革试点总结报告", note=note, file=file)
    project = workflow.conclude_project(project, actor=calls.owner)
    return project, deliverable


# ---- expert review of a call (kejia/calls/reviewing.py) -------------------------------------


def fixed_pairs(texts, pairs):
    """A stand-in affinity: a fixed function of the ids (deterministic)."""
    return {pair: ((pair[0] * 7 + pair[1] * 3) % 11) / 10 for pair in pairs}


@pytest.fixture
def under_review(calls, draft):
    """Two applications under review: the draft (Nanjing) and one from Wuxi."""
    from kejia.accounts.services import grant_role
    from kejia.calls.services import create_application, save_draft

    grant_role(calls.t.wx_staff, actor=calls.t.platform, organization=calls.t.wx, kind="staff")
    other = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, title="无锡市科协改革试点", topic="1", now=BEFORE)
    other = save_draft(other, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)
    a = walk_to(calls, draft, S.UNDER_REVIEW)
    other = workflow.submit_application(other, actor=calls.t.wx_staff, attest=True, now=BEFORE)
    other = workflow.recommend_application(other, actor=calls.recommender, now=BEFORE)
    other = workflow.accept_application(other, actor=calls.owner)
    return calls, [a, other]


def reviewers_for(calls, n=4):
    """n people who agreed to review, each with an account."""
    from kejia.accounts.services import create_user
    from kejia.people.models import Person

    out = []
    for i in range(n):
        user = create_user(actor=calls.t.platform, username=f"exp{i}", password=calls.t.password, display_name=f"exp{i}", check_password=False)
        out.append(Person.objects.create(name=f"评审{i}", user=user, willing_to_review=True, expertise="改革 试点"))
    return out
