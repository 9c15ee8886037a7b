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

MATRIX_ROUTES: list[str] = ["grassroots:area"]

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
