"""Every step of a call through the API, from the owner's draft to the concluded project: one test
at least per endpoint, with its refusals — the wrong role (403, or 404 outside the scope), an
illegal transition (409), a deadline passed (409), a missing reason (400 reason_required, the
status the errors registry gives the services' refusal)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kejia.calls import workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import CallStatus
from kejia.calls.choices import ProjectStatus as P
from kejia.calls.models import Application, Call, Deliverable, Objection, Payment, Project
from kejia.calls.services import create_application, create_call_from_template, publish_call, save_draft
from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, BEFORE, DEADLINE, complete_answers, walk_to
from kejia.core.models import AuditEvent, Notice
from kejia.organizations.tests.test_api import Api

FUTURE = "2099-06-10T23:59:59+08:00"


@pytest.fixture
def open_call(calls):
    calls.call.deadline = timezone.now() + datetime.timedelta(days=30)
    calls.call.save()
    return calls


def _api(calls, who):
    user = getattr(calls, who, None) or getattr(calls.t, who)
    return Api(calls.t, user)


# ---- call management ---------------------------------------------------------------------------


def test_templates_list(calls):
    response = _api(calls, "worker").get("/api/calls/templates")
    assert response.status_code == 200
    (template,) = response.json()
    assert template["code"] == "local_reform_pilot" and template["title"] == "地方科协深化改革工作试点申报书"
    assert template["call"]["min_amount"] == "300000"


def test_create_call_from_template(calls):
    api = _api(calls, "owner")
    body = {"owner_id": calls.cast.pk, "template": "local_reform_pilot", "deadline": FUTURE, "title": "第三批试点", "budget": "2000000"}
    response = api.post("/api/calls", body)
    assert response.status_code == 201, response.content
    data = response.json()
    call = Call.objects.get(pk=data["id"])
    assert call.status == CallStatus.DRAFT and call.title == "第三批试点" and str(call.budget) == "2000000.00"
    assert data["form"]["sections"][0]["title"] == "封面"
    assert AuditEvent.objects.filter(action="calls.create_call", object_id=str(call.pk)).exists()
    assert api.post("/api/calls", dict(body, template="nope")).status_code == 400
    assert api.post("/api/calls", dict(body, template="../x")).status_code == 400
    assert api.post("/api/calls", dict(body, deadline="2099-06-10T23:59:59")).status_code == 400  # no time zone
    assert api.post("/api/calls", dict(body, deadline="0001-01-01T00:00:00+08:00")).json()["code"] == "invalid_date"
    # an organization outside the scope: 404; inside it without a managing role: 403
    assert _api(calls, "province_staff").post("/api/calls", body).status_code == 404
    assert _api(calls, "county_leader").post("/api/calls", dict(body, owner_id=calls.t.xw.pk)).status_code == 403
    assert Call.objects.count() == 2


def test_update_draft_call(calls):
    draft = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    api = _api(calls, "owner")
    url = f"/api/calls/{draft.pk}"
    body = {"title": "改过的标题", "max_amount": "450000", "tranches": [{"share": "40", "gate": "approval"}, {"share": "60", "gate": "concluded"}]}
    response = api.patch(url, body)
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.title == "改过的标题" and str(draft.max_amount) == "450000.00" and draft.tranches[1] == {"share": "60.00", "gate": "concluded"}
    event = AuditEvent.objects.get(action="calls.update_call", object_id=str(draft.pk))
    assert set(event.new) == {"title", "max_amount", "tranches"}
    assert api.patch(url, {"tranches": [{"share": "40", "gate": "approval"}]}).status_code == 400  # shares add to 100
    assert api.patch(url, {"min_amount": "500000"}).status_code == 400  # above the highest
    assert api.patch(url, {"applicant_kinds": ["nope"]}).status_code == 400
    assert api.patch(url, {"title": ""}).status_code == 400
    assert api.patch(url, {"period_months": None}).json()["field"] == "period_months"
    assert api.patch(url, {"budget": None, "quota_per_recommender": None}).status_code == 200  # these may be empty
    assert _api(calls, "nj_staff").patch(url, {"title": "x"}).status_code == 404  # a draft is not in view
    assert api.patch(f"/api/calls/{calls.call.pk}", {"title": "x"}).status_code == 409  # published


def test_publish_and_close(calls):
    draft = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    api = _api(calls, "owner")
    assert _api(calls, "province_staff").post(f"/api/calls/{draft.pk}/publish").status_code == 404
    assert api.post(f"/api/calls/{draft.pk}/close").status_code == 409  # not published
    response = api.post(f"/api/calls/{draft.pk}/publish")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert api.post(f"/api/calls/{draft.pk}/publish").status_code == 409
    assert _api(calls, "province_staff").post(f"/api/calls/{draft.pk}/close").status_code == 404  # sees it, does not run it
    response = api.post(f"/api/calls/{draft.pk}/close")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert AuditEvent.objects.filter(action__in=["calls.published", "calls.closed"], object_id=str(draft.pk)).count() == 2


def test_extend_deadline_tells_everyone_concerned(open_call, draft):
    calls = open_call
    workflow.submit_application(draft, actor=calls.applicant, attest=True)
    wx_draft = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, title="无锡")
    assert wx_draft.recommender == calls.t.js
    api = _api(calls, "owner")
    url = f"/api/calls/{calls.call.pk}/extend-deadline"
    later = (calls.call.deadline + datetime.timedelta(days=10)).isoformat()
    assert api.post(url, {"deadline": later, "reason": "  "}).status_code == 400  # reason required
    assert api.post(url, {"deadline": (calls.call.deadline - datetime.timedelta(days=1)).isoformat(), "reason": "延期"}).status_code == 400
    assert api.post(url, {"deadline": later}).status_code == 422
    assert _api(calls, "nj_staff").post(url, {"deadline": later, "reason": "延期"}).status_code == 404
    assert Notice.objects.filter(subject__contains="延").count() == 0
    before = Notice.objects.count()
    response = api.post(url, {"deadline": later, "reason": "因疫情延期"})
    assert response.status_code == 200, response.content
    calls.call.refresh_from_db()
    assert calls.call.deadline.isoformat() == later
    event = AuditEvent.objects.get(action="calls.extend_deadline")
    assert event.new["reason"] == "因疫情延期"
    told = set(Notice.objects.filter(pk__gt=0).order_by("pk")[before:].values_list("user__username", flat=True))
    assert told == {"nj_staff", "nj_admin", "wx_staff", "js_staff"}
    closed = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    assert api.post(f"/api/calls/{closed.pk}/extend-deadline", {"deadline": later, "reason": "x"}).status_code == 409  # a draft


def test_extend_deadline_reopens_a_call_whose_deadline_passed(calls, draft):
    api = _api(calls, "applicant")
    assert api.post(f"/api/calls/applications/{draft.pk}/submit", {"attest": True}).json()["code"] == "deadline_passed"
    assert _api(calls, "owner").post(f"/api/calls/{calls.call.pk}/extend-deadline", {"deadline": FUTURE, "reason": "延期"}).status_code == 200
    assert api.post(f"/api/calls/applications/{draft.pk}/submit", {"attest": True}).status_code == 200


# ---- the applicant ------------------------------------------------------------------------------


def test_open_calls(open_call):
    calls = open_call
    create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="未发布")
    passed = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="已截止")
    publish_call(passed, actor=calls.owner)
    individuals = create_call_from_template(
        calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=timezone.now() + datetime.timedelta(days=3), eligibility="individuals"
    )
    publish_call(individuals, actor=calls.owner)
    for who, expected in (
        ("nj_staff", {calls.call.pk: ["南京市科学技术协会"], individuals.pk: []}),
        ("province_staff", {calls.call.pk: ["江苏省科学技术协会"], individuals.pk: []}),
        ("county_staff", {individuals.pk: []}),
        ("worker", {individuals.pk: []}),
    ):
        response = _api(calls, who).get("/api/calls/open")
        assert response.status_code == 200
        items = response.json()["items"]
        assert {i["call"]["id"]: [o["name"] for o in i["apply_as"]] for i in items} == expected, who
        assert {i["call"]["id"]: i["individual"] for i in items}[individuals.pk] is True
    assert Api(calls.t, calls.t.worker).client.get("/api/calls/open").status_code == 401
    # published calls are visible to the S&T worker and to any organization
    ids = [c["id"] for c in _api(calls, "worker").get("/api/calls").json()["items"]]
    assert calls.call.pk in ids and individuals.pk in ids and passed.pk in ids


def test_open_calls_queries_are_flat(open_call):
    calls = open_call
    api = _api(calls, "nj_staff")
    api.get("/api/calls/open")  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        assert api.get("/api/calls/open").json()["count"] == 1
    for i in range(3):
        call = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=calls.call.deadline, title=f"又一批{i}")
        publish_call(call, actor=calls.owner)
    with CaptureQueriesContext(connection) as two:
        assert api.get("/api/calls/open").json()["count"] == 4
    assert len(two) == len(one)


def test_create_application(open_call):
    calls = open_call
    url = f"/api/calls/{calls.call.pk}/applications"
    api = _api(calls, "applicant")
    response = api.post(url, {"applicant_id": calls.t.nj.pk, "title": "南京试点", "topic": "1"})
    assert response.status_code == 201, response.content
    application = Application.objects.get(pk=response.json()["id"])
    assert application.status == S.DRAFT and application.recommender == calls.t.js
    assert api.post(url, {"title": "x"}).status_code == 400  # the applying organization is required
    assert api.post(url, {"applicant_id": calls.t.nj.pk, "topic": "99"}).status_code == 400
    assert _api(calls, "county_staff").post(url, {"applicant_id": calls.t.xw.pk}).status_code == 400  # not eligible
    assert _api(calls, "county_staff").post(url, {"applicant_id": calls.t.nj.pk}).status_code == 404  # above: not in view
    assert _api(calls, "province_staff").post(url, {"applicant_id": calls.t.nj.pk}).status_code == 403  # a role above does not act for it
    calls.call.deadline = timezone.now() - datetime.timedelta(minutes=1)
    calls.call.save()
    response = api.post(url, {"applicant_id": calls.t.nj.pk})
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"


def test_withdraw(open_call, draft):
    calls = open_call
    url = f"/api/calls/applications/{draft.pk}/withdraw"
    assert _api(calls, "wx_staff").post(url, {}).status_code == 404
    workflow.submit_application(draft, actor=calls.applicant, attest=True)
    assert _api(calls, "recommender").post(url, {}).status_code == 403
    response = _api(calls, "applicant").post(url, {"reason": "不再申报"})
    assert response.status_code == 200 and response.json()["status"] == S.WITHDRAWN
    assert _api(calls, "applicant").post(url, {}).status_code == 409


def test_submit_after_the_deadline_refused(calls, draft):
    response = _api(calls, "applicant").post(f"/api/calls/applications/{draft.pk}/submit", {"attest": True})
    assert response.status_code == 409 and response.json()["code"] == "deadline_passed"
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


# ---- review meeting, decision, announcement, objections, approval ---------------------------------


def _wuxi(calls, status, title="无锡市科协改革试点"):
    """Wuxi's application (another municipal association under the same province) walked to `status`."""
    other = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, title=title, now=BEFORE)
    save_draft(other, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)
    return walk_to(SimpleNamespace(**{**vars(calls), "applicant": calls.t.wx_staff}), other, status)


def _under_review(calls, draft, n=1):
    return [walk_to(calls, draft, S.UNDER_REVIEW)] + [_wuxi(calls, S.UNDER_REVIEW, f"无锡{i}") for i in range(n - 1)]


def test_review_meeting(calls, draft):
    first, second = _under_review(calls, draft, 2)
    url = f"/api/calls/{calls.call.pk}/review-meeting"
    api = _api(calls, "owner")
    ranking = [{"application_id": second.pk, "score": 91.5}, {"application_id": first.pk, "score": 80}]
    assert api.post(url, {"minutes": " ", "ranking": ranking}).status_code == 400
    response = api.post(url, {"minutes": "会评纪要", "ranking": ranking[:1]})
    assert response.status_code == 400 and response.json()["field"] == "ranking"  # every application once
    assert api.post(url, {"minutes": "会评纪要", "ranking": [dict(ranking[0], score=101), ranking[1]]}).status_code == 422
    assert _api(calls, "recommender").post(url, {"minutes": "会评纪要", "ranking": ranking}).status_code == 404
    response = api.post(url, {"minutes": "会评纪要", "ranking": ranking})
    assert response.status_code == 200, response.content
    assert [(r["id"], r["rank"], r["status"]) for r in response.json()] == [(second.pk, 1, S.REVIEWED), (first.pk, 2, S.REVIEWED)]
    calls.call.refresh_from_db()
    assert calls.call.meeting_minutes == "会评纪要"
    assert api.post(url, {"minutes": "再开", "ranking": ranking}).status_code == 400  # nothing is under review any more


def test_decision(calls, draft):
    application = walk_to(calls, draft, S.REVIEWED)
    url = f"/api/calls/applications/{application.pk}/decision"
    assert _api(calls, "applicant").post(url, {"selected": True}).status_code == 403
    assert _api(calls, "wx_staff").post(url, {"selected": True}).status_code == 404
    response = _api(calls, "owner").post(url, {"selected": False, "reason": "排名靠后"})
    assert response.status_code == 200 and response.json()["status"] == S.NOT_SELECTED
    assert _api(calls, "owner").post(url, {"selected": True}).status_code == 409


def test_select_and_announce(calls, draft):
    application = walk_to(calls, draft, S.REVIEWED)
    api = _api(calls, "owner")
    assert api.post(f"/api/calls/applications/{application.pk}/announce").status_code == 409  # not selected yet
    assert api.post(f"/api/calls/applications/{application.pk}/decision", {"selected": True}).json()["status"] == S.SELECTED
    assert _api(calls, "recommender").post(f"/api/calls/applications/{application.pk}/announce").status_code == 403
    response = api.post(f"/api/calls/applications/{application.pk}/announce")
    assert response.status_code == 200 and response.json()["status"] == S.ANNOUNCED
    application.refresh_from_db()
    assert application.announced_until > timezone.now() + datetime.timedelta(days=4)


@pytest.fixture
def announced(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    application.announced_until = timezone.now() + datetime.timedelta(days=3)
    application.save()
    return application


def test_announcement_list_and_objection_by_anyone_logged_in(calls, announced):
    worker = _api(calls, "worker")
    listed = worker.get(f"/api/calls/{calls.call.pk}/announcement")
    assert listed.status_code == 200
    assert [(r["id"], r["applicant_name"]) for r in listed.json()["items"]] == [(announced.pk, "南京市科学技术协会")]
    url = f"/api/calls/applications/{announced.pk}/objections"
    assert worker.post(url, {"text": " "}).status_code == 400
    before = Notice.objects.count()
    response = worker.post(url, {"text": "申报材料与实际不符"})
    assert response.status_code == 201, response.content
    objection = Objection.objects.get(pk=response.json()["id"])
    assert objection.text == "申报材料与实际不符" and objection.upheld is None
    assert AuditEvent.objects.filter(action="calls.record_objection", actor=calls.t.worker).exists()
    assert set(Notice.objects.order_by("pk")[before:].values_list("user__username", flat=True)) == {"cast_staff"}
    assert Api(calls.t, calls.t.worker).client.post(url, {"text": "x"}, content_type="application/json").status_code == 401
    # the objections are the owner's to read
    listed = _api(calls, "owner").get(url).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == objection.pk
    assert _api(calls, "applicant").get(url).status_code == 403
    assert worker.get(url).status_code == 404


def test_objection_outside_the_announcement_refused(calls, announced, draft):
    announced.announced_until = timezone.now() - datetime.timedelta(seconds=1)
    announced.save()
    url = f"/api/calls/applications/{announced.pk}/objections"
    assert _api(calls, "applicant").post(url, {"text": "晚了"}).status_code == 409
    assert _api(calls, "worker").post(url, {"text": "晚了"}).status_code == 409  # announced, but the period is over
    announced.status = S.APPROVED
    announced.save()
    assert _api(calls, "worker").post(url, {"text": "晚了"}).status_code == 404  # no longer announced: out of view
    assert _api(calls, "worker").post("/api/calls/applications/987654321/objections", {"text": "x"}).status_code == 404
    assert not Objection.objects.exists()


def test_handle_objection(calls, announced):
    objection = workflow.record_objection(announced, actor=calls.t.worker, text="材料失实")
    url = f"/api/calls/objections/{objection.pk}/handle"
    assert _api(calls, "owner").post(url, {"upheld": False, "resolution": ""}).status_code == 400
    assert _api(calls, "applicant").post(url, {"upheld": False, "resolution": "x"}).status_code == 403
    assert _api(calls, "worker").post(url, {"upheld": False, "resolution": "x"}).status_code == 404
    response = _api(calls, "owner").post(url, {"upheld": True, "resolution": "经核实属实"})
    assert response.status_code == 200 and response.json()["upheld"] is True
    announced.refresh_from_db()
    assert announced.status == S.NOT_SELECTED
    assert _api(calls, "owner").post(url, {"upheld": True, "resolution": "再次"}).status_code == 409


def test_approve(calls, announced):
    url = f"/api/calls/applications/{announced.pk}/approve"
    api = _api(calls, "owner")
    body = {"amount": "350000", "starts_on": "2020-07-01"}
    response = api.post(url, body)
    assert response.status_code == 409 and response.json()["code"] == "announcement_open"
    announced.announced_until = timezone.now() - datetime.timedelta(seconds=1)
    announced.save()
    objection = Objection.objects.create(application=announced, text="x", received_at=timezone.now())
    assert api.post(url, body).json()["code"] == "objections_open"
    objection.delete()
    assert api.post(url, dict(body, amount="500000")).status_code == 400  # amount_out_of_range
    assert api.post(url, dict(body, amount="-1")).status_code == 422
    assert api.post(url, dict(body, starts_on="9999-12-31")).json()["field"] == "starts_on"
    assert _api(calls, "applicant").post(url, body).status_code == 403
    response = api.post(url, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == P.ACTIVE and data["amount"] in ("350000.00", 350000.0) and data["ends_on"] == "2021-06-30"
    assert [t["gate"] for t in data["tranches"]] == ["approval", "midterm_passed"] and data["ledger"]["payable"] in ("175000.00", 175000.0)
    assert api.post(url, body).status_code == 409


# ---- projects ----------------------------------------------------------------------------------


@pytest.fixture
def project(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    return workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)


def test_projects_list_and_detail(calls, project):
    for who, sees in (("owner", True), ("applicant", True), ("recommender", True), ("wx_staff", False), ("worker", False)):
        api = _api(calls, who)
        listed = api.get("/api/calls/projects")
        assert listed.status_code == 200
        assert [p["id"] for p in listed.json()["items"]] == ([project.pk] if sees else []), who
        assert api.get(f"/api/calls/projects/{project.pk}").status_code == (200 if sees else 404), who
    assert _api(calls, "owner").get("/api/calls/projects", call=calls.call.pk + 1000).json()["count"] == 0
    detail = _api(calls, "applicant").get(f"/api/calls/projects/{project.pk}").json()
    assert detail["title"] == "南京市科协改革试点" and detail["applicant_name"] == "南京市科学技术协会"
    assert len(detail["ledger"]["tranches"]) == 2


def test_projects_list_queries_are_flat(calls, project):
    api = _api(calls, "owner")
    api.get("/api/calls/projects")  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        api.get("/api/calls/projects")
    other = _wuxi(calls, S.ANNOUNCED)
    workflow.approve_application(other, actor=calls.owner, amount="300000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    with CaptureQueriesContext(connection) as two:
        assert api.get("/api/calls/projects").json()["count"] == 2
    assert len(two) == len(one)


def test_applications_list_queries_are_flat(open_call, draft):
    calls = open_call
    api = _api(calls, "applicant")
    url = f"/api/calls/{calls.call.pk}/applications"
    api.get(url)  # the token's first use is written once
    with CaptureQueriesContext(connection) as one:
        api.get(url)
    for i in range(3):
        create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, title=f"又一份{i}")
    with CaptureQueriesContext(connection) as two:
        assert api.get(url).json()["count"] == 4
    assert len(two) == len(one)


def test_midterm(calls, project):
    url = f"/api/calls/projects/{project.pk}/midterm"
    api = _api(calls, "owner")
    assert api.post(url, {"passed": False, "reason": ""}).status_code == 400
    assert _api(calls, "applicant").post(url, {"passed": True}).status_code == 403
    assert _api(calls, "wx_staff").post(url, {"passed": True}).status_code == 404
    response = api.post(url, {"passed": False, "reason": "不予拨付尾款"})
    assert response.status_code == 200 and response.json()["status"] == P.MIDTERM_FAILED
    assert response.json()["ledger"]["forfeited"] in ("175000.00", 175000.0)
    assert api.post(url, {"passed": True}).status_code == 409


def test_payments(calls, project):
    url = f"/api/calls/projects/{project.pk}/payments"
    api = _api(calls, "owner")
    body = {"tranche": 1, "amount": "175000", "paid_on": "2020-08-01", "voucher": "PZ-001"}
    assert _api(calls, "applicant").post(url, body).status_code == 403
    assert _api(calls, "recommender").post(url, body).status_code == 403
    assert _api(calls, "wx_staff").post(url, body).status_code == 404
    response = api.post(url, body)
    assert response.status_code == 201, response.content
    assert api.post(url, dict(body, amount="1", voucher="PZ-002")).json()["code"] == "tranche_overpaid"
    assert api.post(url, dict(body, amount="1")).status_code == 400  # voucher already used
    response = api.post(url, dict(body, tranche=2, voucher="PZ-003"))
    assert response.status_code == 409 and response.json()["code"] == "gate_not_met"
    assert api.post(url, dict(body, tranche=3, voucher="PZ-004")).status_code == 400
    assert Payment.objects.count() == 1
    lines = _api(calls, "applicant").get(url)
    assert lines.status_code == 200 and [(p["tranche"], p["voucher"]) for p in lines.json()] == [(1, "PZ-001")]
    assert _api(calls, "worker").get(url).status_code == 404
    assert api.post(f"/api/calls/projects/{project.pk}/midterm", {"passed": True}).status_code == 200
    assert api.post(url, dict(body, tranche=2, voucher="PZ-003")).status_code == 201
    ledger = api.get(f"/api/calls/projects/{project.pk}").json()["ledger"]
    assert ledger["paid"] in ("350000.00", 350000.0) and ledger["held"] in ("0.00", 0, 0.0)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_deliverables(calls, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/calls/projects/{project.pk}/deliverables"
    applicant = _api(calls, "applicant")
    post = applicant.client.post
    assert post(url, {"title": "试点报告", "note": "总结"}, headers=applicant.headers).status_code == 201
    response = post(url, {"title": "典型案例", "file": SimpleUploadedFile("案例.pdf", PDF, "application/pdf")}, headers=applicant.headers)
    assert response.status_code == 201, response.content
    assert response.json()["file"].endswith(".pdf")
    bad = post(url, {"title": "假的", "file": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")}, headers=applicant.headers)
    assert bad.status_code == 400 and bad.json()["field"] == "file"
    assert post(url, {"title": " "}, headers=applicant.headers).status_code == 400
    owner = _api(calls, "owner")
    assert owner.client.post(url, {"title": "x"}, headers=owner.headers).status_code == 403
    other = _api(calls, "wx_staff")
    assert other.client.post(url, {"title": "x"}, headers=other.headers).status_code == 404
    assert Deliverable.objects.count() == 2
    assert [d["title"] for d in owner.get(url).json()["items"]] == ["试点报告", "典型案例"]
    assert owner.get(url + "?limit=1&offset=1").json() == {**owner.get(url).json(), "limit": 1, "offset": 1, "items": owner.get(url).json()["items"][1:]}
    assert other.get(url).status_code == 404


def test_conclusion(calls, project):
    url = f"/api/calls/projects/{project.pk}/conclusion"
    api = _api(calls, "owner")
    assert api.post(url, {"concluded": True}).status_code == 409  # active: the mid-term review first
    workflow.pass_midterm(project, actor=calls.owner)
    response = api.post(url, {"concluded": True})
    assert response.status_code == 409 and response.json()["code"] == "deliverable_missing"
    assert api.post(url, {"concluded": False, "reason": ""}).status_code == 400
    assert _api(calls, "applicant").post(url, {"concluded": False, "reason": "x"}).status_code == 403
    workflow.submit_deliverable(project, actor=calls.applicant, title="试点报告")
    response = api.post(url, {"concluded": True})
    assert response.status_code == 200 and response.json()["status"] == P.CONCLUDED
    assert Project.objects.get(pk=project.pk).status == P.CONCLUDED
    assert api.post(url, {"concluded": False, "reason": "x"}).status_code == 409


def test_refuse_conclusion(calls, project):
    workflow.fail_midterm(project, actor=calls.owner, reason="进度滞后")
    response = _api(calls, "owner").post(f"/api/calls/projects/{project.pk}/conclusion", {"concluded": False, "reason": "不予结项：成果不足"})
    assert response.status_code == 200 and response.json()["status"] == P.NOT_CONCLUDED
    assert response.json()["last_reason"] == "不予结项：成果不足"
