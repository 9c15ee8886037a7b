"""Issue 18's whole life cycle of a call, through the API only, in one test: the owner creates the
seed-004 call from its template and publishes it; the municipal association starts an
application, saves it complete, prints it (PDF) and submits it; the province recommends it; the
owner accepts it at the formal check and opens the expert review; willing reviewers accept their
invitations and score; the owner closes the review (the application ranked with its score),
selects, announces, approves it as a project, pays the tranches through their gates, passes the
mid-term review and concludes it after the deliverable. Each step's status and audit event is
checked, and at the end the call's ledger."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.choices import CallStatus
from kejia.calls.choices import ProjectStatus as P
from kejia.calls.models import Application
from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api

pytestmark = pytest.mark.django_db


def _audited(action, obj_id, actor, **new):
    """The latest audit event of `action` on the object names the actor (and the new values given)."""
    event = AuditEvent.objects.filter(action=action, object_id=str(obj_id)).order_by("-pk").first()
    assert event is not None, action
    assert event.actor_id == actor.pk, (action, event.actor_id)
    for key, value in new.items():
        assert event.new.get(key) == value, (action, key, event.new)
    return event


def _money(value):
    return Decimal(str(value))


def willing_reviewers(calls, n=2):
    """Willing reviewers from the talent database (the people services), each with an account."""
    from kejia.accounts.services import create_user
    from kejia.people.services import create_person, set_willing_to_review
    from kejia.people.tests.helpers import ID_B, ID_C

    out = []
    for i, (name, number) in enumerate((("周评审", ID_B), ("吴评审", ID_C))[:n]):
        person = create_person(
            actor=calls.owner,
            organization=calls.cast,
            consent_source="form",
            name=name,
            resident_id=number,
            phone=f"1390514000{i + 2}",
            sector="university",
            title="教授",
            title_level="senior",
            expertise="科协 改革 试点 基层组织",
            research_summary="研究科协组织改革。",
            employer_name="东南大学",
        )
        person = set_willing_to_review(person, actor=calls.owner, willing=True)
        assert person.willing_to_review
        user = create_user(actor=calls.t.platform, username=f"expert{i}", password=calls.t.password, display_name=name, check_password=False)
        person.user = user  # the account the expert logs in with (as a claimed record would be linked)
        person.save(update_fields=["user"])
        out.append(person)
    return out


def test_the_whole_life_of_a_call_through_the_api(calls):
    t = calls.t
    owner, applicant, recommender = Api(t, calls.owner), Api(t, calls.applicant), Api(t, calls.recommender)

    # ---- the owner creates the call from the template and publishes it -----------------------
    deadline = (timezone.now() + datetime.timedelta(days=30)).isoformat()
    response = owner.post("/api/calls", {"owner_id": calls.cast.pk, "template": "local_reform_pilot", "deadline": deadline, "budget": "1000000"})
    assert response.status_code == 201, response.content
    call_id = response.json()["id"]
    assert response.json()["status"] == CallStatus.DRAFT
    _audited("calls.create_call", call_id, calls.owner)
    response = owner.post(f"/api/calls/{call_id}/publish")
    assert response.status_code == 200 and response.json()["status"] == CallStatus.PUBLISHED
    _audited("calls.published", call_id, calls.owner)
    assert call_id in [i["call"]["id"] for i in applicant.get("/api/calls/open").json()["items"]]

    # ---- the municipal association applies ----------------------------------------------------
    response = applicant.post(f"/api/calls/{call_id}/applications", {"applicant_id": t.nj.pk, "title": "南京市科协改革试点", "topic": "1"})
    assert response.status_code == 201, response.content
    app_id = response.json()["id"]
    assert response.json()["status"] == S.DRAFT
    _audited("calls.create_application", app_id, calls.applicant)
    from kejia.calls.tests.conftest import complete_answers

    response = applicant.put(f"/api/calls/applications/{app_id}/draft", {"data": complete_answers()})
    assert response.status_code == 200, response.content
    assert response.json()["data"]["pilot_unit"] == "南京市科学技术协会"
    _audited("calls.save_draft", app_id, calls.applicant)
    printed = applicant.get(f"/api/calls/applications/{app_id}/print", format="pdf")
    assert printed.status_code == 200, printed.content[:200]
    assert printed["Content-Type"] == "application/pdf"
    assert b"".join(printed.streaming_content if printed.streaming else [printed.content]).startswith(b"%PDF")
    response = applicant.post(f"/api/calls/applications/{app_id}/submit", {"attest": True})
    assert response.status_code == 200 and response.json()["status"] == S.SUBMITTED, response.content
    _audited("calls.submit", app_id, calls.applicant, status=S.SUBMITTED)

    # ---- the province recommends; the owner accepts it at the formal check ---------------------
    response = recommender.post(f"/api/calls/applications/{app_id}/recommend", {"reason": ""})
    assert response.status_code == 200 and response.json()["status"] == S.RECOMMENDED, response.content
    _audited("calls.recommend", app_id, calls.recommender, status=S.RECOMMENDED)
    response = owner.post(f"/api/calls/applications/{app_id}/formal-check", {"decision": "accept"})
    assert response.status_code == 200 and response.json()["status"] == S.UNDER_REVIEW, response.content
    _audited("calls.accept", app_id, calls.owner, status=S.UNDER_REVIEW)

    # ---- the expert review --------------------------------------------------------------------
    experts = willing_reviewers(calls)
    score_deadline = (timezone.now() + datetime.timedelta(days=10)).isoformat()
    response = owner.post(f"/api/calls/{call_id}/review", {"per_item": 2, "max_load": 1, "score_deadline": score_deadline})
    assert response.status_code == 200, response.content
    round_id = response.json()["id"]
    assert response.json()["status"] == "open"
    _audited("review.create_round", round_id, calls.owner)
    for person in experts:
        response = owner.post(f"/api/review/rounds/{round_id}/invitations", {"person_id": person.pk})
        assert response.status_code == 200, response.content
        _audited("review.invite", response.json()["id"], calls.owner)
    for person in experts:
        expert = Api(t, person.user)
        (invitation,) = expert.get("/api/review/invitations").json()["items"]
        response = expert.post(f"/api/review/invitations/{invitation['id']}/accept")
        assert response.status_code == 200 and response.json()["status"] == "accepted", response.content
        _audited("review.accept_invitation", invitation["id"], person.user)
    response = owner.post(f"/api/review/rounds/{round_id}/assignment")
    assert response.status_code == 200, response.content
    assert sorted(a["person_id"] for a in response.json()) == sorted(p.pk for p in experts)
    _audited("review.run_assignment", round_id, calls.owner)
    response = owner.post(f"/api/review/rounds/{round_id}/start-scoring")
    assert response.status_code == 200 and response.json()["status"] == "scoring", response.content
    _audited("review.start_scoring", round_id, calls.owner)
    for person, share in zip(experts, (Decimal("0.8"), Decimal("0.9")), strict=True):
        expert = Api(t, person.user)
        (summary,) = expert.get("/api/review/sheets").json()["items"]
        sheet = expert.get(f"/api/review/sheets/{summary['id']}").json()
        scores = {c["code"]: float(Decimal(str(c["max_score"])) * share) for c in sheet["criteria"]}
        response = expert.put(f"/api/review/sheets/{summary['id']}", {"scores": scores, "comments": "改革思路清楚，可行。", "submit": True})
        assert response.status_code == 200, response.content
        assert response.json()["submitted_at"] is not None
    assert AuditEvent.objects.filter(action="review.submit_sheet", actor__in=[p.user for p in experts]).count() == 2
    response = owner.post(f"/api/calls/{call_id}/review/close", {"minutes": "会评纪要：两位专家评审。"})
    assert response.status_code == 200, response.content
    (ranked,) = response.json()
    assert ranked["id"] == app_id and ranked["status"] == S.REVIEWED and ranked["rank"] == 1
    application = Application.objects.get(pk=app_id)
    assert application.score == pytest.approx(85.0)  # the raw mean of 80 and 90
    _audited("calls.rank", app_id, calls.owner, status=S.REVIEWED, rank=1)
    _audited("review.close_round", round_id, calls.owner)

    # ---- the decision and the public announcement ----------------------------------------------
    response = owner.post(f"/api/calls/applications/{app_id}/decision", {"selected": True})
    assert response.status_code == 200 and response.json()["status"] == S.SELECTED, response.content
    _audited("calls.select", app_id, calls.owner, status=S.SELECTED)
    response = owner.post(f"/api/calls/applications/{app_id}/announce")
    assert response.status_code == 200 and response.json()["status"] == S.ANNOUNCED, response.content
    _audited("calls.announce", app_id, calls.owner, status=S.ANNOUNCED)
    listed = applicant.get(f"/api/calls/{call_id}/announcement").json()["items"]
    assert [a["id"] for a in listed] == [app_id] and listed[0]["score"] == pytest.approx(85.0)
    approve = {"amount": "350000", "starts_on": datetime.date.today().isoformat()}
    assert owner.post(f"/api/calls/applications/{app_id}/approve", approve).status_code == 409  # the 公示 is still running
    # The 公示 period ends: no clock to move, so its end is moved into the past in the database.
    Application.objects.filter(pk=app_id).update(announced_until=timezone.now() - datetime.timedelta(minutes=1))

    # ---- approval: the project ------------------------------------------------------------------
    response = owner.post(f"/api/calls/applications/{app_id}/approve", approve)
    assert response.status_code == 201, response.content
    project = response.json()
    project_id = project["id"]
    assert project["status"] == P.ACTIVE and _money(project["amount"]) == 350000
    assert [t["gate"] for t in project["tranches"]] == ["approval", "midterm_passed"]
    assert Application.objects.get(pk=app_id).status == S.APPROVED
    _audited("calls.approve", app_id, calls.owner, status=S.APPROVED)
    _audited("calls.create_project", project_id, calls.owner)
    assert [p["id"] for p in applicant.get("/api/calls/projects").json()["items"]] == [project_id]

    # ---- the tranches through their gates, the mid-term review, the deliverable, the conclusion --
    payments = f"/api/calls/projects/{project_id}/payments"
    first = {"tranche": 1, "amount": "175000", "paid_on": datetime.date.today().isoformat(), "voucher": "PZ-2026-001"}
    response = owner.post(payments, first)
    assert response.status_code == 201, response.content
    _audited("calls.record_payment", project_id, calls.owner)
    response = owner.post(payments, dict(first, tranche=2, voucher="PZ-2026-002"))
    assert response.status_code == 409 and response.json()["code"] == "gate_not_met"
    response = owner.post(f"/api/calls/projects/{project_id}/midterm", {"passed": True})
    assert response.status_code == 200 and response.json()["status"] == P.MIDTERM_PASSED, response.content
    _audited("calls.pass_midterm", project_id, calls.owner, status=P.MIDTERM_PASSED)
    response = owner.post(payments, dict(first, tranche=2, voucher="PZ-2026-002"))
    assert response.status_code == 201, response.content
    assert [(p["tranche"], p["voucher"]) for p in applicant.get(payments).json()] == [(1, "PZ-2026-001"), (2, "PZ-2026-002")]
    assert owner.post(f"/api/calls/projects/{project_id}/conclusion", {"concluded": True}).json()["code"] == "deliverable_missing"
    response = applicant.client.post(
        f"/api/calls/projects/{project_id}/deliverables", {"title": "南京市科协改革试点总结报告", "note": "试点总结"}, headers=applicant.headers
    )
    assert response.status_code == 201, response.content
    _audited("calls.submit_deliverable", project_id, calls.applicant)
    response = owner.post(f"/api/calls/projects/{project_id}/conclusion", {"concluded": True})
    assert response.status_code == 200 and response.json()["status"] == P.CONCLUDED, response.content
    _audited("calls.conclude", project_id, calls.owner, status=P.CONCLUDED)

    # ---- the ledger ------------------------------------------------------------------------------
    response = owner.get(f"/api/calls/{call_id}/ledger")
    assert response.status_code == 200, response.content
    books = response.json()
    assert _money(books["budget"]) == 1_000_000 and _money(books["approved"]) == 350_000 and _money(books["paid"]) == 350_000
    assert _money(books["payable"]) == 0 and _money(books["held"]) == 0 and _money(books["forfeited"]) == 0
    assert _money(books["unallocated"]) == 650_000
    (line,) = books["projects"]
    assert [(_money(t["planned"]), _money(t["paid"])) for t in line["tranches"]] == [(175_000, 175_000), (175_000, 175_000)]
    assert applicant.get(f"/api/calls/{call_id}/ledger").status_code == 404  # the owner's books only
    # the application's trail, in order
    trail = list(AuditEvent.objects.filter(object_type="calls.application", object_id=str(app_id)).order_by("pk").values_list("action", flat=True))
    assert [a for a in trail if a != "calls.save_draft"] == [
        "calls.create_application",
        "calls.print_application",  # printing shows the heads' contacts: audited
        "calls.submit",
        "calls.recommend",
        "calls.accept",
        "calls.rank",
        "calls.select",
        "calls.announce",
        "calls.approve",
    ]
