"""Scope matrix of the calls API: every route with an object id, for each actor. `MATRIX_ROUTES`
names them for the route guard in kejia/organizations/tests/test_scope_matrix.py.

An application is seen by its applicant (a role in the applying organization) from the draft on,
by the recommending organization's staff and the owner's staff once submitted, and by nobody else
(404, as if it did not exist). Only the applicant saves and submits (a 404 for those who cannot
see a draft); only the recommending organization recommends or returns (a 403 for the applicant and
the owner, who see it). Refused requests write nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.models import Application, ApplicationEvent
from kejia.calls.services import create_call_from_template
from kejia.calls.tests.conftest import DEADLINE, complete_answers
from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api

MATRIX_ROUTES: list[str] = [
    "calls:detail",
    "calls:application",
    "GET /api/calls/{id}",
    "GET /api/calls/{id}/applications",
    "GET /api/calls/applications/{id}",
    "PUT /api/calls/applications/{id}/draft",
    "POST /api/calls/applications/{id}/submit",
    "POST /api/calls/applications/{id}/recommend",
    "POST /api/calls/applications/{id}/return",
    "POST /api/calls/applications/{id}/formal-check",
    "GET /api/calls/{id}/ledger",
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
