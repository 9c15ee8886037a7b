"""Scope matrix of account link requests (uncertain matches after self-registration): every actor
of conftest's federation, through the page and the API, on a request about a profile that
玄武区 lists. Staff and administrators of 玄武区 or an organization above it decide it (the
answer and an audit row); everyone else — a leader, the sibling county, another city, a society,
a S&T worker, the registered account itself — gets a 404 with nothing written, and does not see
it in the list."""

import pytest
from django.test import Client
from django.urls import reverse

from kejia.accounts.models import User
from kejia.accounts.services import issue_api_token
from kejia.core.models import AuditEvent
from kejia.people import link_requests
from kejia.people.models import LinkRequest
from kejia.people.tests.helpers import make

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = ["people:link_request_decide", "POST /api/people/link-requests/{id}/decide"]
DECIDERS = {"platform", "province_staff", "nj_staff", "nj_admin", "county_staff"}
OTHERS = {"county_leader", "sibling_staff", "wx_staff", "society_secretary", "worker", "applicant"}


def _state():
    return list(LinkRequest.objects.values_list("pk", "status", "note")), AuditEvent.objects.count()


@pytest.mark.parametrize("actor", sorted(DECIDERS | OTHERS))
@pytest.mark.parametrize("door", ["html", "api"])
def test_link_request_decided_only_in_scope(tree, actor, door):
    person = make(tree)
    applicant = User.objects.create_user("applicant", password=tree.password, display_name="李明")
    item = LinkRequest.objects.create(user=applicant, person=person, reason="contact_differs")
    user = applicant if actor == "applicant" else getattr(tree, actor)
    client = Client()
    headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"} if door == "api" else {}
    before = _state()
    if door == "html":
        client.force_login(user)
        response = client.post(reverse("people:link_request_decide", args=[item.pk]), {"decision": "refuse", "note": "不是本人"})
        listed = item.pk in [r.pk for r in link_requests.visible_link_requests(user)]
    else:
        response = client.post(
            f"/api/people/link-requests/{item.pk}/decide", {"approve": False, "note": "不是本人"}, content_type="application/json", headers=headers
        )
        listed = any(r["id"] == item.pk for r in client.get("/api/people/link-requests", headers=headers).json()["items"])
    where = f"{actor} through {door}: {response.status_code}"
    if actor in DECIDERS:
        assert response.status_code == (302 if door == "html" else 200), where
        assert LinkRequest.objects.get(pk=item.pk).status == "refused", where
        assert AuditEvent.objects.filter(action="person.link_request_refused", actor=user).exists(), where
    else:
        assert response.status_code == 404, where
        assert _state() == before, f"{where} and changed the database"
        assert not listed, where
