"""Scope matrix of the calls API: every route with an object id, for each actor. `MATRIX_ROUTES`
names them for the route guard in kejia/organizations/tests/test_scope_matrix.py.

An application is seen by its applicant (a role in the applying organization) from the draft on,
by the recommending organization's staff and the owner's staff once submitted, and by nobody else
(404, as if it did not exist). Only the applicant saves and submits (a 404 for those who cannot
see a draft); only the recommending organization recommends or returns (a 403 for the applicant and
the owner, who see it). Refused requests write nothing."""

import datetime

import pytest
from django.utils import timezone

from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.models import Application, ApplicationEvent
from kejia.calls.services import create_call_from_template
from kejia.calls.tests.conftest import DEADLINE, complete_answers
from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api

MATRIX_ROUTES: list[str] = [
    "GET /api/calls/{id}", "GET /api/calls/{id}/applications", "GET /api/calls/applications/{id}",
    "PUT /api/calls/applications/{id}/draft", "POST /api/calls/applications/{id}/submit",
    "POST /api/calls/applications/{id}/recommend", "POST /api/calls/applications/{id}/return",
]

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
