"""Scope matrix of the calls API: every route with an object id, for each actor. `MATRIX_ROUTES`
names them for the route guard in kejia/organizations/tests/test_scope_matrix.py.

An application is seen by its applicant (a role in the applying organization) from the draft on,
by the recommending organization's staff and the owner's staff once submitted, and by nobody else
(404, as if it did not exist). Only the applicant saves and submits (a 404 for those who cannot
see a draft); only the recommending organization recommends or returns (a 403 for the applicant and
the owner, who see it). Refused requests write nothing.

The later steps (call management, review meeting, decision, announcement and objections, approval,
projects) follow one rule: an actor holding the role the step needs succeeds (the platform
administrator holds every role); an actor who sees the application or project without the role
gets 403; anyone else 404. The steps on a call itself are the owner's: 404 for everyone else
(nobody else sees the owner). Anyone logged in may object to an announced application."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.models import Application, ApplicationEvent
from kejia.calls.services import create_call_from_template
from kejia.calls.tests.conftest import DEADLINE, complete_answers
from kejia.calls.tests.test_pages import PAGE_ROUTES
from kejia.core.models import AuditEvent
from kejia.core.testing import worlds
from kejia.organizations.tests.test_api import Api

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()

MATRIX_ROUTES: list[str] = [
    "calls:detail",
    "calls:application",
    "calls:announcement",
    "calls:application_upload",
    "calls:case",
    "calls:attachment_file",
    "calls:application_file",
    "calls:deliverable_file",
    "GET /api/calls/{id}",
    "GET /api/calls/{id}/applications",
    "GET /api/calls/applications/{id}",
    "PUT /api/calls/applications/{id}/draft",
    "POST /api/calls/applications/{id}/submit",
    "POST /api/calls/applications/{id}/recommend",
    "POST /api/calls/applications/{id}/return",
    "POST /api/calls/applications/{id}/formal-check",
    "GET /api/calls/{id}/ledger",
    "PATCH /api/calls/{id}",
    "POST /api/calls/{id}/publish",
    "POST /api/calls/{id}/close",
    "POST /api/calls/{id}/extend-deadline",
    "POST /api/calls/{id}/applications",
    "POST /api/calls/{id}/review-meeting",
    "GET /api/calls/{id}/announcement",
    "POST /api/calls/applications/{id}/withdraw",
    "POST /api/calls/applications/{id}/decision",
    "POST /api/calls/applications/{id}/announce",
    "GET /api/calls/applications/{id}/objections",
    "POST /api/calls/applications/{id}/objections",
    "POST /api/calls/applications/{id}/approve",
    "POST /api/calls/objections/{id}/handle",
    "GET /api/calls/projects/{id}",
    "POST /api/calls/projects/{id}/midterm",
    "POST /api/calls/projects/{id}/conclusion",
    "GET /api/calls/projects/{id}/payments",
    "POST /api/calls/projects/{id}/payments",
    "GET /api/calls/projects/{id}/deliverables",
    "POST /api/calls/projects/{id}/deliverables",
    "POST /api/calls/{id}/review",
    "POST /api/calls/{id}/review/close",
    *PAGE_ROUTES,  # the staff pages, tested actor by actor in test_pages.py
]
MATRIX_ROUTES += ["calls:application_print", "calls:archive", "GET /api/calls/applications/{id}/print", "GET /api/calls/{id}/archive"]  # test_print.py

# actor → (sees the draft, sees it submitted, may recommend or return it)
EXPECTED = {
    "applicant": (200, 200, 403),
    "recommender": (404, 200, 200),
    "owner": (404, 200, 403),
    "platform": (200, 200, 200),
    "wx_staff": (404, 404, 404),
    "county_staff": (404, 404, 404),
    "society_secretary": (404, 404, 404),
    "worker": (404, 404, 404),
}


def _actor(calls, name):
    return getattr(calls, name) if name in ("applicant", "recommender", "owner") else getattr(calls.t, name)


def _state():
    return Application.objects.filter(status=S.SUBMITTED).count(), ApplicationEvent.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def open_call(calls):
    calls.call.deadline = timezone.now() + datetime.timedelta(days=30)
    calls.call.save()
    return calls


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_application_api_scope(open_call, draft, actor):
    calls = open_call
    user = _actor(calls, actor)
    api = Api(calls.t, user)
    see_draft, see_submitted, recommend = EXPECTED[actor]
    url = f"/api/calls/applications/{draft.pk}"

    assert api.get(url).status_code == see_draft
    listed = api.get(f"/api/calls/{calls.call.pk}/applications")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == ([draft.pk] if see_draft == 200 else [])

    before = _state()
    response = api.put(f"{url}/draft", {"data": complete_answers(), "title": "改"})
    assert response.status_code == see_draft, response.content
    if see_draft != 200:
        assert _state() == before

    before = _state()
    response = api.post(f"{url}/submit", {"attest": True})
    assert response.status_code == see_draft, response.content
    if see_draft != 200:
        assert _state() == before
        from kejia.calls import workflow

        workflow.submit_application(draft, actor=calls.applicant, attest=True)
    assert api.get(url).status_code == see_submitted

    before = _state()
    response = api.post(f"{url}/return", {"reason": ""})
    assert response.status_code == (400 if recommend == 200 else recommend)  # the reason is required
    assert _state() == before
    response = api.post(f"{url}/recommend", {})
    assert response.status_code == recommend, response.content
    assert (_state() != before) is (recommend == 200)
    assert api.get("/api/calls/applications/987654321").status_code == 404
    assert api.post("/api/calls/applications/987654321/recommend", {}).status_code == 404


def test_submit_api_names_the_empty_field_and_row(open_call, draft):
    api = Api(open_call.t, open_call.applicant)
    data = complete_answers()
    data["team"][1]["name"] = ""
    assert api.put(f"/api/calls/applications/{draft.pk}/draft", {"data": data}).status_code == 200
    response = api.post(f"/api/calls/applications/{draft.pk}/submit", {"attest": True})
    assert response.status_code == 400
    assert "team.2.name" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_call_api_scope(calls, actor):
    user = _actor(calls, actor)
    api = Api(calls.t, user)
    hidden = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    response = api.get(f"/api/calls/{calls.call.pk}")
    assert response.status_code == 200
    assert response.json()["form"]["sections"][0]["title"] == "封面"
    owner_sees = actor in ("owner", "platform")
    assert api.get(f"/api/calls/{hidden.pk}").status_code == (200 if owner_sees else 404)
    assert api.get(f"/api/calls/{hidden.pk}/applications").status_code == (200 if owner_sees else 404)
    ids = [c["id"] for c in api.get("/api/calls").json()["items"]]
    assert (hidden.pk in ids) is owner_sees and calls.call.pk in ids
    assert api.get("/api/calls/987654321").status_code == 404


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_review_api_scope(calls, actor):
    """Opening and closing a call's expert review: the owner's staff only (nothing under review
    here: a 400 for them), a 404 with nothing written for everyone else."""
    from kejia.review.models import ReviewRound

    api = Api(calls.t, _actor(calls, actor))
    owner = actor in ("owner", "platform")
    before = (ReviewRound.objects.count(), AuditEvent.objects.filter(action__startswith="review.").count())
    response = api.post(f"/api/calls/{calls.call.pk}/review", {"per_item": 2})
    assert response.status_code == (400 if owner else 404), response.content
    if owner:
        assert response.json()["code"] == "no_items"
    response = api.post(f"/api/calls/{calls.call.pk}/review/close", {"minutes": "纪要"})
    assert response.status_code == (400 if owner else 404), response.content
    assert (ReviewRound.objects.count(), AuditEvent.objects.filter(action__startswith="review.").count()) == before
    assert api.post("/api/calls/987654321/review", {}).status_code == 404


def _form_post(data: dict, **extra) -> dict:
    """The answers as the page posts them (see kejia.calls.form_pages)."""
    post = {"title": "南京试点", **extra}
    for key, value in data.items():
        if isinstance(value, list):
            post[f"f-{key}-rows"] = str(len(value))
            for r, row in enumerate(value, start=1):
                post.update({f"f-{key}-{r}-{c}": v for c, v in row.items()})
        elif isinstance(value, dict):
            post.update({f"f-{key}-{p}": v for p, v in value.items()})
        else:
            post[f"f-{key}"] = value
    return post


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_application_page_scope(open_call, draft, client, actor):
    calls = open_call
    client.force_login(_actor(calls, actor))
    url = reverse("calls:application", args=[draft.pk])
    see_draft, see_submitted, _recommend = EXPECTED[actor]
    assert client.get(url).status_code == see_draft
    before = _state()
    response = client.post(url, _form_post(complete_answers(), action="save"))
    editor = actor in ("applicant", "platform")
    assert response.status_code == (302 if editor else see_draft)
    if not editor:
        assert _state() == before
    from kejia.calls import workflow

    workflow.submit_application(draft, actor=calls.applicant, attest=True)
    assert client.get(url).status_code == see_submitted
    assert client.post(url, _form_post(complete_answers(), action="save")).status_code == (403 if see_submitted == 200 else 404)
    assert client.get(reverse("calls:application", args=[987654321])).status_code == 404


@pytest.mark.parametrize("actor", ["applicant", "worker", "owner"])
def test_call_pages_scope(calls, client, actor):
    client.force_login(_actor(calls, actor))
    hidden = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="未发布的通知")
    listing = client.get(reverse("calls:list")).content.decode()
    assert calls.call.title in listing and ("未发布的通知" in listing) is (actor == "owner")
    assert client.get(reverse("calls:detail", args=[calls.call.pk])).status_code == 200
    assert client.get(reverse("calls:detail", args=[hidden.pk])).status_code == (200 if actor == "owner" else 404)
    assert client.post(reverse("calls:detail", args=[hidden.pk]), {"applicant": calls.t.nj.pk}).status_code == (403 if actor == "owner" else 404)
    assert client.get(reverse("calls:detail", args=[987654321])).status_code == 404


def test_call_list_page_is_public(calls, client):
    assert calls.call.title in client.get(reverse("calls:list")).content.decode()
    assert client.get(reverse("calls:detail", args=[calls.call.pk])).status_code == 200


def test_application_page_start_fill_and_submit(open_call, client):
    calls = open_call
    client.force_login(calls.applicant)
    response = client.post(reverse("calls:detail", args=[calls.call.pk]), {"applicant": calls.t.nj.pk, "title": "南京试点"})
    application = Application.objects.get(call=calls.call, applicant=calls.t.nj)
    assert response.status_code == 302 and response.url == reverse("calls:application", args=[application.pk])
    page = client.get(response.url).content.decode()
    for label in ("试点单位", "申报单位负责人", "试点单位负责人", "办公电话", "申报单位意见", "试点单位意见", "主要参与团队", "职务职称", "试点成果宣传计划"):
        assert label in page
    data = complete_answers()
    data["team"][1]["employer"] = ""
    response = client.post(response.url, _form_post(data, action="submit", attest="on"))
    assert response.status_code == 400
    assert "主要参与团队" in response.content.decode() and "单位" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.DRAFT
    response = client.post(reverse("calls:application", args=[application.pk]), _form_post(complete_answers(), action="submit", attest="on"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED and application.data["team"][1]["name"] == "孙八"


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_formal_check_and_ledger_api_scope(open_call, draft, actor):
    from kejia.calls import workflow

    calls = open_call
    workflow.submit_application(draft, actor=calls.applicant, attest=True)
    workflow.recommend_application(draft, actor=calls.recommender)
    api = Api(calls.t, _actor(calls, actor))
    owner = actor in ("owner", "platform")
    see = EXPECTED[actor][1]
    url = f"/api/calls/applications/{draft.pk}/formal-check"
    before = _state()
    assert api.post(url, {"decision": "refuse", "reason": ""}).status_code == (400 if owner else 403 if see == 200 else 404)
    assert api.post(url, {"decision": "maybe"}).status_code in (404, 422)
    assert _state() == before
    response = api.post(url, {"decision": "accept"})
    assert response.status_code == (200 if owner else 403 if see == 200 else 404)
    draft.refresh_from_db()
    assert (draft.status == S.UNDER_REVIEW) is owner
    response = api.get(f"/api/calls/{calls.call.pk}/ledger")
    assert response.status_code == (200 if owner else 404)
    if owner:
        assert response.json()["budget"] in ("1000000.00", 1000000.0, "1000000") and response.json()["projects"] == []
    assert api.get("/api/calls/987654321/ledger").status_code == 404
    assert api.post("/api/calls/applications/987654321/formal-check", {"decision": "accept"}).status_code == 404


# ---- public pages and files (kejia/calls/public_views.py) -----------------------------------------


@pytest.mark.parametrize("actor", [*sorted(EXPECTED), "anonymous"])
def test_public_pages_and_files_scope(calls, draft, client, media, actor):
    """The announcement and a call's attachments follow the call (public once published); an
    application's files and the upload follow the application (404 outside it); a deliverable's
    file follows the project until it is published, then anyone gets it, as its case page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kejia.calls import cases, files
    from kejia.calls.models import ApplicationFile
    from kejia.calls.tests.conftest import PDF, PNG, concluded_project

    if actor != "anonymous":
        client.force_login(_actor(calls, actor))
    see_draft, see_submitted, _recommend = EXPECTED.get(actor, (404, 404, 404))
    hidden = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE, title="未发布的通知")
    owner = actor in ("owner", "platform")
    assert client.get(reverse("calls:announcement", args=[calls.call.pk])).status_code == 200
    assert client.get(reverse("calls:announcement", args=[hidden.pk])).status_code == (200 if owner else 404)
    public_file = files.add_call_attachment(calls.call, actor=calls.owner, title="指南", upload=SimpleUploadedFile("g.pdf", PDF))
    hidden_file = files.add_call_attachment(hidden, actor=calls.owner, title="草稿", upload=SimpleUploadedFile("h.pdf", PDF))
    assert client.get(reverse("calls:attachment_file", args=[public_file.pk])).status_code == 200
    assert client.get(reverse("calls:attachment_file", args=[hidden_file.pk])).status_code == (200 if owner else 404)

    seal = files.upload_application_file(draft, actor=calls.applicant, field="applicant_opinion", part="seal", upload=SimpleUploadedFile("s.png", PNG))
    assert client.get(reverse("calls:application_file", args=[seal.pk])).status_code == see_draft
    before = ApplicationFile.objects.count()
    response = client.post(
        reverse("calls:application_upload", args=[draft.pk]), {"field": "pilot_opinion", "part": "seal", "file": SimpleUploadedFile("s.png", PNG)}
    )
    assert response.status_code == (302 if see_draft == 200 else 404)
    assert (ApplicationFile.objects.count() > before) is (see_draft == 200)

    project, deliverable = concluded_project(calls, draft, file=SimpleUploadedFile("r.pdf", PDF))
    assert client.get(reverse("calls:application_file", args=[seal.pk])).status_code == see_submitted
    assert client.get(reverse("calls:deliverable_file", args=[deliverable.pk])).status_code == see_submitted
    assert client.get(reverse("calls:case", args=[deliverable.pk])).status_code == 404
    cases.publish_deliverable(deliverable, actor=calls.owner)
    assert client.get(reverse("calls:deliverable_file", args=[deliverable.pk])).status_code == 200
    assert client.get(reverse("calls:case", args=[deliverable.pk])).status_code == 200
    for name in ("calls:announcement", "calls:case", "calls:attachment_file", "calls:application_file", "calls:deliverable_file"):
        assert client.get(reverse(name, args=[987654321])).status_code == 404


# ---- the later steps ---------------------------------------------------------------------------

SEES = ("applicant", "recommender", "owner", "platform")


def _expect(actor: str, role: str, ok: int = 200) -> int:
    """The step needs `role`: done by its holders and the platform, 403 for the others who see the
    object, 404 for the rest."""
    if actor in (role, "platform"):
        return ok
    return 403 if actor in SEES else 404


def _written():
    from kejia.calls.models import Call, Deliverable, Objection, Payment, Project

    return (
        tuple(Application.objects.order_by("pk").values_list("status", flat=True)),
        tuple(Call.objects.order_by("pk").values_list("status", "deadline", "title")),
        Objection.objects.filter(handled_at__isnull=False).count(),
        Project.objects.count(),
        tuple(Project.objects.order_by("pk").values_list("status", flat=True)),
        Payment.objects.count(),
        Deliverable.objects.count(),
        ApplicationEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def _call(api, method, url, body, expected):
    before = _written()
    response = getattr(api, method)(url, body) if method != "get" else api.get(url)
    assert response.status_code == expected, (method, url, response.content)
    if expected >= 400:
        assert _written() == before, (method, url)
    return response


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_call_management_api_scope(open_call, actor):
    calls = open_call
    api = Api(calls.t, _actor(calls, actor))
    owner = 200 if actor in ("owner", "platform") else 404
    hidden = create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    _call(api, "patch", f"/api/calls/{hidden.pk}", {"title": "矩阵"}, owner)
    _call(api, "post", f"/api/calls/{calls.call.pk}/publish", {}, 409 if owner == 200 else 404)
    _call(api, "post", f"/api/calls/{hidden.pk}/publish", {}, owner)
    later = (calls.call.deadline + datetime.timedelta(days=3)).isoformat()
    _call(api, "post", f"/api/calls/{calls.call.pk}/extend-deadline", {"deadline": later, "reason": ""}, 400 if owner == 200 else 404)
    _call(api, "post", f"/api/calls/{calls.call.pk}/extend-deadline", {"deadline": later, "reason": "矩阵"}, owner)
    _call(api, "post", f"/api/calls/{calls.call.pk}/close", {}, owner)
    for route in ("publish", "close"):
        _call(api, "post", f"/api/calls/987654321/{route}", {}, 404)
    _call(api, "patch", "/api/calls/987654321", {"title": "x"}, 404)


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_start_and_withdraw_api_scope(open_call, actor):
    calls = open_call
    api = Api(calls.t, _actor(calls, actor))
    # for Nanjing: its own staff and the platform; the province above sees it but does not act for it
    start = 201 if actor in ("applicant", "platform") else 403 if actor == "recommender" else 404
    created = _call(api, "post", f"/api/calls/{calls.call.pk}/applications", {"applicant_id": calls.t.nj.pk, "title": "矩阵"}, start)
    from kejia.calls.services import create_application

    draft = Application.objects.get(pk=created.json()["id"]) if start == 201 else create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj)
    see_draft = EXPECTED[actor][0]
    _call(api, "post", f"/api/calls/applications/{draft.pk}/withdraw", {}, see_draft)
    _call(api, "post", "/api/calls/987654321/applications", {"applicant_id": calls.t.nj.pk}, 404)
    _call(api, "post", "/api/calls/applications/987654321/withdraw", {}, 404)


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_review_to_approval_api_scope(calls, draft, actor):
    from kejia.calls import workflow
    from kejia.calls.models import Objection
    from kejia.calls.tests.conftest import walk_to

    api = Api(calls.t, _actor(calls, actor))
    application = walk_to(calls, draft, S.UNDER_REVIEW)
    a = f"/api/calls/applications/{application.pk}"
    ranking = {"minutes": "会评纪要", "ranking": [{"application_id": application.pk, "score": 88}]}
    owner = 200 if actor in ("owner", "platform") else 404
    if _call(api, "post", f"/api/calls/{calls.call.pk}/review-meeting", ranking, owner).status_code != 200:
        workflow.record_review_meeting(calls.call, actor=calls.owner, minutes="会评纪要", results=[_result(application.pk)])
    if _call(api, "post", f"{a}/decision", {"selected": True}, _expect(actor, "owner")).status_code != 200:
        workflow.select_application(application, actor=calls.owner)
    if _call(api, "post", f"{a}/announce", {}, _expect(actor, "owner")).status_code != 200:
        workflow.announce_application(application, actor=calls.owner)
    listed = _call(api, "get", f"/api/calls/{calls.call.pk}/announcement", None, 200)
    assert [r["id"] for r in listed.json()["items"]] == [application.pk]
    filed = api.post(f"{a}/objections", {"text": "矩阵异议"})  # anyone logged in
    assert filed.status_code == 201, filed.content
    _call(api, "get", f"{a}/objections", None, _expect(actor, "owner"))
    objection = Objection.objects.get(pk=filed.json()["id"])
    handled = _call(api, "post", f"/api/calls/objections/{objection.pk}/handle", {"upheld": False, "resolution": "不成立"}, _expect(actor, "owner"))
    if handled.status_code != 200:
        workflow.handle_objection(objection, actor=calls.owner, upheld=False, resolution="不成立")
    Application.objects.filter(pk=application.pk).update(announced_until=timezone.now() - datetime.timedelta(seconds=1))
    _call(api, "post", f"{a}/approve", {"amount": "350000", "starts_on": "2020-07-01"}, _expect(actor, "owner", 201))
    for route in ("decision", "announce", "approve", "objections"):
        _call(api, "post", f"/api/calls/applications/987654321/{route}", {"selected": True, "text": "x", "amount": "1", "starts_on": "2020-07-01"}, 404)
    _call(api, "get", "/api/calls/applications/987654321/objections", None, 404)
    _call(api, "post", "/api/calls/objections/987654321/handle", {"upheld": False, "resolution": "x"}, 404)
    _call(api, "post", "/api/calls/987654321/review-meeting", ranking, 404)
    _call(api, "get", "/api/calls/987654321/announcement", None, 404)


def _result(pk):
    from kejia.review.scoring import ApplicationResult

    return ApplicationResult(pk, 3, 88.0, 0.5, 0.1, False)


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_project_api_scope(calls, draft, actor):
    from kejia.calls import workflow
    from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, walk_to

    api = Api(calls.t, _actor(calls, actor))
    application = walk_to(calls, draft, S.ANNOUNCED)
    project = workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    p = f"/api/calls/projects/{project.pk}"
    see = 200 if actor in SEES else 404
    _call(api, "get", p, None, see)
    listed = api.get("/api/calls/projects")
    assert [r["id"] for r in listed.json()["items"]] == ([project.pk] if see == 200 else [])
    _call(api, "get", f"{p}/payments", None, see)
    _call(api, "get", f"{p}/deliverables", None, see)
    payment = {"tranche": 1, "amount": "1000", "paid_on": "2020-08-01", "voucher": "PZ-1"}
    _call(api, "post", f"{p}/payments", payment, _expect(actor, "owner", 201))
    before = _written()
    response = api.client.post(f"{p}/deliverables", {"title": "试点报告"}, headers=api.headers)
    assert response.status_code == _expect(actor, "applicant", 201), response.content
    if response.status_code != 201:
        assert _written() == before
        workflow.submit_deliverable(project, actor=calls.applicant, title="试点报告")
    if _call(api, "post", f"{p}/midterm", {"passed": True}, _expect(actor, "owner")).status_code != 200:
        workflow.pass_midterm(project, actor=calls.owner)
    _call(api, "post", f"{p}/conclusion", {"concluded": True}, _expect(actor, "owner"))
    for route in ("midterm", "conclusion", "payments"):
        _call(api, "post", f"/api/calls/projects/987654321/{route}", {"passed": True, "concluded": True, **payment}, 404)
    for route in ("", "/payments", "/deliverables"):
        _call(api, "get", f"/api/calls/projects/987654321{route}", None, 404)
