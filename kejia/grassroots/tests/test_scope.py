"""Scope matrix of grassroots key staff: the page with an object id, for each actor outside and
inside scope. `MATRIX_ROUTES` names it for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

Reading: anyone with a role covering the organization (200), nobody else (404, as if it did not
exist). Setting a target: an administrator of the association or above (302); staff covering it
get a 403; nobody outside scope learns it exists (404). Refused requests write nothing."""

import pytest
from django.urls import reverse

from kejia.core.models import AuditEvent
from kejia.grassroots.models import Target
from kejia.organizations.tests.test_api import Api

MATRIX_ROUTES: list[str] = ["grassroots:area", "GET /api/grassroots/orgs/{id}/counts", "PUT /api/grassroots/orgs/{id}/target"]

# actor → (GET of XW's page, POST of a target for XW)
EXPECTED = {
    "worker": (404, 404),
    "sibling_staff": (404, 404),
    "wx_staff": (404, 404),
    "society_secretary": (404, 404),
    "county_staff": (200, 403),
    "county_leader": (200, 403),
    "nj_staff": (200, 403),
    "nj_admin": (200, 302),
    "platform": (200, 302),
}


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_area_page_scope(tree, client, actor):
    client.force_login(getattr(tree, actor))
    url = reverse("grassroots:area", args=[tree.xw.pk])
    get, post = EXPECTED[actor]
    assert client.get(url).status_code == get
    before = AuditEvent.objects.count()
    assert client.post(url, {"form": "target", "organization": "XW", "target": "4"}).status_code == post
    written = Target.objects.filter(organization=tree.xw, target=4).exists()
    assert written is (post == 302)
    assert (AuditEvent.objects.count() > before) is (post == 302)
    assert client.get(reverse("grassroots:area", args=[987654321])).status_code == 404


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_area_api_scope(tree, actor):
    api = Api(tree, getattr(tree, actor))
    get, put = EXPECTED[actor]
    response = api.get(f"/api/grassroots/orgs/{tree.xw.pk}/counts")
    assert response.status_code == get
    if get == 200:
        assert [row["code"] for row in response.json()] == ["XW", "XW-MY"]
    before = AuditEvent.objects.count()
    response = api.put(f"/api/grassroots/orgs/{tree.xw.pk}/target", {"target": 4})
    assert response.status_code == (200 if put == 302 else put)
    assert Target.objects.filter(organization=tree.xw, target=4).exists() is (put == 302)
    assert (AuditEvent.objects.count() > before) is (put == 302)
    assert api.get("/api/grassroots/orgs/987654321/counts").status_code == 404
    assert api.put(f"/api/grassroots/orgs/{tree.xw.pk}/target", {"target": -1}).status_code in (404, 422)
