"""The pages that run a call, end to end in the browser's place (the Django test client): the owner
creates, edits, publishes and extends a call, checks, ranks, selects, announces, handles an
objection, approves and pays through the gates; the recommending organization recommends from its
queue; the applicant follows its applications. Each step runs the workflow; a refused one answers
with its registered status and the message next to the field. `PAGE_ROUTES` (the routes with an
id) join the scope matrix of kejia/calls/tests/test_scope.py, tested here actor by actor."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kejia.calls import workflow
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import CallStatus, ProjectStatus
from kejia.calls.models import Application, ApplicationEvent, Call, Objection, Payment, Project
from kejia.calls.services import create_application, save_draft
from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, BEFORE, DEADLINE, complete_answers, walk_to
from kejia.core.models import AuditEvent, Notice

PAGE_ROUTES: list[str] = [
    "calls:call_admin",
    "calls:edit",
    "calls:call_act",
    "calls:queue",
    "calls:meeting",
    "calls:projects",
    "calls:application_act",
    "calls:objection_handle",
    "calls:project",
    "calls:project_act",
]


def _actor(calls, name):
    return getattr(calls, name) if name in ("applicant", "recommender", "owner") else getattr(calls.t, name)


@pytest.fixture
def open_call(calls):
    calls.call.deadline = timezone.now() + datetime.timedelta(days=30)
    calls.call.save()
    return calls


@pytest.fixture
def submitted(open_call):
    application = create_application(open_call.call, actor=open_call.applicant, applicant=open_call.t.nj, title="南京市科协改革试点")
    application = save_draft(application, actor=open_call.applicant, data=complete_answers())
    return workflow.submit_application(application, actor=open_call.applicant, attest=True)


def _step_errors(response, key: str, steps: str = "steps") -> dict[str, list[str]]:
    """The codes of the errors of the failed step `key`; each message is on the page."""
    html = response.content.decode()
    step = next(s for s in response.context[steps] if s["key"] == key)
    data = step["form"].errors.as_data()
    for problems in data.values():
        for problem in problems:
            assert str(problem.message) in html.replace("&quot;", '"').replace("&#x27;", "'")
    return {field: [p.code for p in problems] for field, problems in data.items()}


def _local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt, datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M")


# ---- the owner: calls ---------------------------------------------------------------------------


def test_owner_creates_edits_and_publishes_a_call_from_the_template(calls, client):
    client.force_login(calls.owner)
    assert client.get(reverse("calls:manage")).status_code == 200
    assert reverse("calls:call_admin", args=[calls.call.pk]) in client.get(reverse("calls:detail", args=[calls.call.pk])).content.decode()
    page = client.get(reverse("calls:create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert ">地方科协深化改革工作试点申报书<" in html and ">local_reform_pilot<" not in html  # the template by its title, never its code
    response = client.post(
        reverse("calls:create"),
        {
            "owner": calls.cast.pk,
            "template": "local_reform_pilot",
            "title": "2027年试点申报",
            "deadline": "2027-03-31T17:00",
            "min_amount": "",
            "max_amount": "",
            "quota_per_recommender": "3",
            "announcement_days": "7",
            "period_months": "12",
        },
    )
    call = Call.objects.get(title="2027年试点申报")
    assert response.status_code == 302 and response.url == reverse("calls:call_admin", args=[call.pk])
    assert call.status == CallStatus.DRAFT and call.quota_per_recommender == 3 and call.announcement_days == 7
    assert call.min_amount == Decimal("300000.00") and call.max_amount == Decimal("400000.00")  # the template's range
    assert timezone.localtime(call.deadline, datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") == "2027-03-31 17:00"
    assert "2027年试点申报" in client.get(reverse("calls:manage")).content.decode()

    edit = reverse("calls:edit", args=[call.pk])
    assert client.get(edit).status_code == 200
    terms = {"title": "2027年试点申报（修订）", "deadline": "2027-04-30T17:00", "min_amount": "350000", "max_amount": "300000"}
    terms.update(announcement_days="5", period_months="12")
    response = client.post(edit, terms)
    assert response.status_code == 400 and "min_amount" in response.context["form"].errors  # the service's refusal, next to its field
    response = client.post(edit, dict(terms, max_amount="400000", budget="2000000"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "2027年试点申报（修订）" and call.min_amount == Decimal("350000.00") and call.budget == Decimal("2000000.00")
    assert AuditEvent.objects.filter(action="calls.update_call", object_id=str(call.pk)).exists()

    assert client.post(reverse("calls:call_act", args=[call.pk, "publish"])).status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    response = client.post(edit, dict(terms, max_amount="400000"))
    assert response.status_code == 409 and response.context["form"].non_field_errors()
    response = client.post(reverse("calls:call_act", args=[call.pk, "publish"]))
    assert response.status_code == 409 and "illegal_transition" in _step_errors(response, "publish").get("__all__", [])
    assert client.post(reverse("calls:call_act", args=[call.pk, "close"])).status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED
    assert client.post(reverse("calls:call_act", args=[call.pk, "nonsense"])).status_code == 404


def test_extend_deadline_needs_a_reason_and_a_later_time_and_tells_those_concerned(submitted, open_call, client):
    calls = open_call
    client.force_login(calls.owner)
    url = reverse("calls:call_act", args=[calls.call.pk, "extend"])
    later = _local(calls.call.deadline + datetime.timedelta(days=7))
    response = client.post(url, {"extend-deadline": later, "extend-reason": ""})
    assert response.status_code == 400 and _step_errors(response, "extend") == {"reason": ["reason_required"]}
    response = client.post(url, {"extend-deadline": _local(calls.call.deadline - datetime.timedelta(days=1)), "extend-reason": "系统维护"})
    assert response.status_code == 400 and "deadline" in _step_errors(response, "extend")
    last = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(url, {"extend-deadline": later, "extend-reason": "系统维护"})
    assert response.status_code == 302
    calls.call.refresh_from_db()
    assert _local(calls.call.deadline) == later
    told = set(Notice.objects.filter(pk__gt=last, body="系统维护").values_list("user__username", flat=True))
    assert {"nj_staff", "js_staff"} <= told  # the applicant with a submission and its recommending organization
    event = AuditEvent.objects.get(action="calls.extend_deadline")
    assert event.new["reason"] == "系统维护"


# ---- the recommending organization and the owner's queue ----------------------------------------


def test_recommender_recommends_from_its_queue_and_the_applicant_does_not_see_it(submitted, open_call, client):
    calls = open_call
    client.force_login(calls.applicant)
    assert "南京市科协改革试点" not in client.get(reverse("calls:recommend")).content.decode()
    client.force_login(calls.recommender)
    page = client.get(reverse("calls:recommend"))
    assert page.status_code == 200 and "南京市科协改革试点" in page.content.decode()
    url = reverse("calls:application_act", args=[submitted.pk, "return_to_applicant"])
    response = client.post(url, {"return_to_applicant-reason": ""})
    assert response.status_code == 400 and _step_errors(response, "return_to_applicant") == {"reason": ["reason_required"]}
    response = client.post(reverse("calls:application_act", args=[submitted.pk, "recommend"]), {"back": "recommend"})
    assert response.status_code == 302 and response.url == reverse("calls:recommend")
    submitted.refresh_from_db()
    assert submitted.status == S.RECOMMENDED
    assert "南京市科协改革试点" not in client.get(reverse("calls:recommend")).content.decode()


def test_formal_check_on_the_queue_refuses_without_a_reason_and_after_the_deadline(submitted, open_call, client):
    calls = open_call
    workflow.recommend_application(submitted, actor=calls.recommender)
    client.force_login(calls.owner)
    queue = client.get(reverse("calls:queue", args=[calls.call.pk]), {"status": "recommended"})
    assert queue.status_code == 200 and "南京市科协改革试点" in queue.content.decode()
    assert "南京市科协改革试点" not in client.get(reverse("calls:queue", args=[calls.call.pk]), {"status": "approved"}).content.decode()
    assert client.get(reverse("calls:queue", args=[calls.call.pk]), {"status": "nonsense"}).status_code == 400
    htmx = client.get(reverse("calls:queue", args=[calls.call.pk]), {"status": "recommended"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "<html" not in htmx.content.decode()

    response = client.post(reverse("calls:application_act", args=[submitted.pk, "refuse"]), {"refuse-reason": "", "back": "queue"})
    assert response.status_code == 400 and _step_errors(response, "refuse") == {"reason": ["reason_required"]}
    Call.objects.filter(pk=calls.call.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    response = client.post(reverse("calls:application_act", args=[submitted.pk, "return_for_correction"]), {"return_for_correction-reason": "缺盖章"})
    assert response.status_code == 409 and "deadline_passed" in str(_step_errors(response, "return_for_correction"))
    submitted.refresh_from_db()
    assert submitted.status == S.RECOMMENDED
    response = client.post(reverse("calls:application_act", args=[submitted.pk, "accept"]), {"back": "queue", "status": "recommended"})
    assert response.status_code == 302 and response.url == reverse("calls:queue", args=[calls.call.pk]) + "?status=recommended"
    submitted.refresh_from_db()
    assert submitted.status == S.UNDER_REVIEW
    response = client.post(reverse("calls:application_act", args=[submitted.pk, "accept"]))
    assert response.status_code == 409  # not from this state: the workflow says so
    assert client.post(reverse("calls:application_act", args=[submitted.pk, "nonsense"])).status_code == 404


def test_refuse_with_a_reason_shows_in_the_applicants_history(submitted, open_call, client):
    calls = open_call
    workflow.recommend_application(submitted, actor=calls.recommender)
    client.force_login(calls.owner)
    assert client.post(reverse("calls:application_act", args=[submitted.pk, "refuse"]), {"refuse-reason": "材料不全"}).status_code == 302
    client.force_login(calls.applicant)
    page = client.get(reverse("calls:mine")).content.decode()
    assert "南京市科协改革试点" in page and "材料不全" in page and str(S.INADMISSIBLE.label) in page


# ---- the review meeting to the project's conclusion --------------------------------------------


def test_the_whole_path_through_the_pages(submitted, open_call, client):
    calls = open_call
    app = submitted
    workflow.recommend_application(app, actor=calls.recommender)
    client.force_login(calls.owner)

    def act(key, data=None, expect=302):
        response = client.post(reverse("calls:application_act", args=[app.pk, key]), data or {})
        assert response.status_code == expect, response.content.decode()[:2000]
        app.refresh_from_db()
        return response

    act("accept")
    meeting = reverse("calls:meeting", args=[calls.call.pk])
    assert client.get(meeting).status_code == 200
    response = client.post(meeting, {"minutes": "", f"rank_{app.pk}": "1", f"score_{app.pk}": "91.5"})
    assert response.status_code == 400 and "minutes" in response.context["form"].errors
    response = client.post(meeting, {"minutes": "会评纪要：一致同意", f"rank_{app.pk}": "1", f"score_{app.pk}": "91.5"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == S.REVIEWED and app.rank == 1 and app.score == 91.5
    assert "会评纪要" in client.get(meeting).content.decode()

    act("select")
    act("announce")
    assert app.status == S.ANNOUNCED
    act("record_objection", {"record_objection-text": ""}, expect=400)
    act("record_objection", {"record_objection-text": "对排名有异议"})
    objection = Objection.objects.get(application=app)
    page = client.get(reverse("calls:application", args=[app.pk])).content.decode()
    assert "对排名有异议" in page and reverse("calls:objection_handle", args=[objection.pk]) in page
    handle = reverse("calls:objection_handle", args=[objection.pk])
    response = client.post(handle, {f"o{objection.pk}-upheld": "no", f"o{objection.pk}-resolution": ""})
    assert response.status_code == 400
    assert client.post(handle, {f"o{objection.pk}-upheld": "no", f"o{objection.pk}-resolution": "经核实，异议不成立"}).status_code == 302

    response = act("approve", {"approve-amount": "350000", "approve-starts_on": "2027-01-01"}, expect=409)
    assert "announcement_open" in str(_step_errors(response, "approve"))
    Application.objects.filter(pk=app.pk).update(announced_until=timezone.now() - datetime.timedelta(minutes=1))
    response = act("approve", {"approve-amount": "900000", "approve-starts_on": "2027-01-01"}, expect=400)
    assert _step_errors(response, "approve") == {"amount": ["amount_out_of_range"]}
    act("approve", {"approve-amount": "350000", "approve-starts_on": "2027-01-01"})
    project = Project.objects.get(application=app)
    assert app.status == S.APPROVED and project.amount == Decimal("350000.00")

    ledger = client.get(reverse("calls:projects", args=[calls.call.pk]))
    assert ledger.status_code == 200 and "350000.00" in ledger.content.decode()
    url = reverse("calls:project", args=[project.pk])
    assert client.get(url).status_code == 200

    def step(key, data=None, expect=302, user=None):
        if user is not None:
            client.force_login(user)
        response = client.post(reverse("calls:project_act", args=[project.pk, key]), data or {})
        assert response.status_code == expect, response.content.decode()[:2000]
        project.refresh_from_db()
        return response

    pay = {"record_payment-tranche": "2", "record_payment-amount": "175000", "record_payment-paid_on": "2027-01-10", "record_payment-voucher": "PZ-1"}
    response = step("record_payment", pay, expect=409)
    assert _step_errors(response, "record_payment") == {"tranche": ["gate_not_met"]}
    step("record_payment", dict(pay, **{"record_payment-tranche": "1"}))
    response = step("record_payment", dict(pay, **{"record_payment-tranche": "1", "record_payment-amount": "1"}), expect=400)
    assert _step_errors(response, "record_payment") == {"amount": ["tranche_overpaid"]}
    assert Payment.objects.filter(project=project).count() == 1
    step("fail_midterm", {"fail_midterm-reason": ""}, expect=400)
    step("pass_midterm")
    assert project.status == ProjectStatus.MIDTERM_PASSED
    response = step("record_payment", pay, expect=400)  # the voucher number is already in the ledger
    assert "voucher" in _step_errors(response, "record_payment")
    step("record_payment", dict(pay, **{"record_payment-voucher": "PZ-2"}))
    response = step("conclude", expect=409)
    assert "deliverable_missing" in str(_step_errors(response, "conclude"))
    step("submit_deliverable", {"submit_deliverable-title": "试点工作总结报告", "submit_deliverable-note": "附典型案例"}, user=calls.applicant)
    assert "试点工作总结报告" in client.get(url).content.decode()
    step("conclude", user=calls.owner)
    assert project.status == ProjectStatus.CONCLUDED
    page = client.get(url).content.decode()
    assert "PZ-1" in page and "PZ-2" in page

    client.force_login(calls.applicant)
    mine = client.get(reverse("calls:mine")).content.decode()
    assert reverse("calls:project", args=[project.pk]) in mine and str(S.APPROVED.label) in mine
    assert ApplicationEvent.objects.filter(application=app).count() >= 9


def test_upheld_objection_takes_the_application_out(submitted, open_call, client):
    calls = open_call
    app = submitted
    workflow.recommend_application(app, actor=calls.recommender)
    workflow.accept_application(app, actor=calls.owner)
    from kejia.review.scoring import ApplicationResult

    workflow.record_review_meeting(calls.call, actor=calls.owner, minutes="纪要", results=[ApplicationResult(app.pk, 3, 80.0, 0.0, 0.0, False)])
    workflow.select_application(app, actor=calls.owner)
    workflow.announce_application(app, actor=calls.owner)
    objection = workflow.record_objection(app, actor=calls.owner, text="申报材料不实")
    client.force_login(calls.owner)
    data = {f"o{objection.pk}-upheld": "yes", f"o{objection.pk}-resolution": "经核实属实"}
    response = client.post(reverse("calls:objection_handle", args=[objection.pk]), data)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == S.NOT_SELECTED


# ---- homes and menu -----------------------------------------------------------------------------


def test_open_calls_on_the_homes_and_the_menu(open_call, client):
    calls = open_call
    client.force_login(calls.t.worker)
    home = client.get(reverse("home:me")).content.decode()
    assert calls.call.title in home and reverse("calls:detail", args=[calls.call.pk]) in home
    assert reverse("calls:list") in home and reverse("calls:manage") not in home
    assert reverse("calls:call_admin", args=[calls.call.pk]) not in client.get(reverse("calls:detail", args=[calls.call.pk])).content.decode()
    client.force_login(calls.t.province_staff)
    dashboard = client.get("/").content.decode()
    assert calls.call.title in dashboard and reverse("calls:manage") in dashboard
    Call.objects.filter(pk=calls.call.pk).update(deadline=DEADLINE)  # passed: no longer open
    assert calls.call.title not in client.get("/").content.decode()


def test_pages_for_everyone_signed_in(calls, client):
    client.force_login(calls.t.worker)
    for name in ("calls:mine", "calls:recommend", "calls:manage"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("calls:create")).status_code == 404  # holds no role: runs no call
    client.logout()
    for name in ("calls:mine", "calls:recommend", "calls:manage", "calls:create"):
        assert client.get(reverse(name)).status_code == 302


# ---- the scope matrix of the pages --------------------------------------------------------------

OWNER_PAGES = ("calls:call_admin", "calls:edit", "calls:queue", "calls:meeting", "calls:projects")
# actor → (sees the owner's pages, sees the application and its project, may act as the owner)
EXPECTED = {
    "owner": (200, 200, True),
    "platform": (200, 200, True),
    "applicant": (404, 200, False),
    "recommender": (404, 200, False),
    "wx_staff": (404, 404, False),
    "county_staff": (404, 404, False),
    "society_secretary": (404, 404, False),
    "worker": (404, 404, False),
}


@pytest.fixture
def world(calls):
    """One project approved (its call past the announcement) and one application announced with an
    open objection, on the seed-004 call."""
    first = create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, title="南京试点", now=BEFORE)
    first = walk_to(calls, save_draft(first, actor=calls.applicant, data=complete_answers(), now=BEFORE), S.ANNOUNCED)
    project = workflow.approve_application(first, actor=calls.owner, amount="300000", starts_on=datetime.date(2020, 9, 1), now=AFTER_ANNOUNCEMENT)
    second = create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, title="南京第二个试点", now=BEFORE)
    second = walk_to(calls, save_draft(second, actor=calls.applicant, data=complete_answers(), now=BEFORE), S.ANNOUNCED)
    objection = workflow.record_objection(second, actor=calls.owner, text="异议", now=DEADLINE + datetime.timedelta(days=21))
    return calls, project, second, objection


def _written():
    return ApplicationEvent.objects.count(), AuditEvent.objects.count(), Payment.objects.count(), Objection.objects.filter(handled_at__isnull=False).count()


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_page_scope(world, client, actor):
    calls, project, second, objection = world
    owner_pages, sees, owner = EXPECTED[actor]
    client.force_login(_actor(calls, actor))
    for name in OWNER_PAGES:
        assert client.get(reverse(name, args=[calls.call.pk])).status_code == owner_pages, name
        assert client.get(reverse(name, args=[987654321])).status_code == 404
    assert client.get(reverse("calls:project", args=[project.pk])).status_code == sees
    assert client.get(reverse("calls:project", args=[987654321])).status_code == 404
    page = client.get(reverse("calls:application", args=[second.pk]))
    assert page.status_code == sees
    if sees == 200:
        keys = [s["key"] for s in page.context["steps"]]
        assert ("approve" in keys) is owner and ("record_objection" in keys) is owner

    deliverable = workflow.submit_deliverable(project, actor=calls.applicant, title="中期报告")
    before = _written()
    # Each POST is refused without writing: by scope (404), by role (403), or, for the owner, by the
    # rule the step breaks (a missing reason, an empty form, the announcement over).
    refused_by_role = 403 if sees == 200 else 404
    assert client.post(reverse("calls:call_act", args=[calls.call.pk, "extend"]), {}).status_code == (400 if owner else 404)
    assert client.post(reverse("calls:edit", args=[calls.call.pk]), {}).status_code == (400 if owner else 404)
    assert client.post(reverse("calls:meeting", args=[calls.call.pk]), {"minutes": ""}).status_code == (400 if owner else 404)
    response = client.post(reverse("calls:application_act", args=[second.pk, "record_objection"]), {"record_objection-text": "又一条"})
    assert response.status_code == (409 if owner else refused_by_role)
    response = client.post(reverse("calls:objection_handle", args=[objection.pk]), {f"o{objection.pk}-upheld": "no", f"o{objection.pk}-resolution": ""})
    assert response.status_code == (400 if owner else refused_by_role)
    response = client.post(reverse("calls:project_act", args=[project.pk, "fail_midterm"]), {"fail_midterm-reason": ""})
    assert response.status_code == (400 if owner else refused_by_role)
    # the call's attachments and its expert review (no application under review: no round to close)
    assert client.post(reverse("calls:call_act", args=[calls.call.pk, "add_attachment"]), {}).status_code == (400 if owner else 404)
    assert client.post(reverse("calls:call_act", args=[calls.call.pk, "open_review"]), {}).status_code == (400 if owner else 404)
    assert client.post(reverse("calls:call_act", args=[calls.call.pk, "close_review"]), {"close_review-minutes": "纪要"}).status_code == (400 if owner else 404)
    # the case library: the project is not concluded (409); the service answers 404 to anyone not the owner's
    data = {"publish_deliverable-deliverable": deliverable.pk, "publish_deliverable-public": "on"}
    assert client.post(reverse("calls:project_act", args=[project.pk, "publish_deliverable"]), data).status_code == (409 if owner else 404)
    assert _written() == before
    assert client.post(reverse("calls:application_act", args=[987654321, "accept"])).status_code == 404
    assert client.post(reverse("calls:objection_handle", args=[987654321])).status_code == 404
    assert client.post(reverse("calls:project_act", args=[987654321, "pass_midterm"])).status_code == 404

    response = client.post(reverse("calls:project_act", args=[project.pk, "pass_midterm"]))
    assert response.status_code == (302 if owner else refused_by_role)
    project.refresh_from_db()
    assert (project.status == ProjectStatus.MIDTERM_PASSED) is owner
