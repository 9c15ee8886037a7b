"""Scope matrix of grassroots key staff: the page with an object id, for each actor outside and
inside scope. `MATRIX_ROUTES` names it for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

Reading: anyone with a role covering the organization (200), nobody else (404, as if it did not
exist). Setting a target: an administrator of the association or above (302); staff covering it
get a 403; nobody outside scope learns it exists (404). Key staff records of a township body:
read in its scope (else 404), recorded and ended by its staff or above (a 403 in scope without a
staff role; recording for a body or person out of reach is a 400 naming the field, ending a
record out of scope a 404). Refused requests write nothing."""

import pytest
from django.urls import reverse

from kejia.accounts import scope
from kejia.core.models import AuditEvent
from kejia.grassroots.categories import load_categories
from kejia.grassroots.models import Category, KeyStaff, Target
from kejia.grassroots.services import record_key_staff
from kejia.organizations.tests.test_api import Api
from kejia.people.services import create_person

MATRIX_ROUTES: list[str] = [
    "grassroots:area",
    "GET /api/grassroots/orgs/{id}/counts",
    "PUT /api/grassroots/orgs/{id}/target",
    "GET /api/grassroots/key-staff/{id}",
    "POST /api/grassroots/key-staff/{id}/end",
    "GET /api/grassroots/orgs/{id}/key-staff",
]

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
        assert [row["code"] for row in response.json()["items"]] == ["XW", "XW-MY"] and response.json()["count"] == 2
        assert [row["code"] for row in api.get(f"/api/grassroots/orgs/{tree.xw.pk}/counts?limit=1&offset=1").json()["items"]] == ["XW-MY"]
    before = AuditEvent.objects.count()
    response = api.put(f"/api/grassroots/orgs/{tree.xw.pk}/target", {"target": 4})
    assert response.status_code == (200 if put == 302 else put)
    assert Target.objects.filter(organization=tree.xw, target=4).exists() is (put == 302)
    assert (AuditEvent.objects.count() > before) is (put == 302)
    assert api.get("/api/grassroots/orgs/987654321/counts").status_code == 404
    assert api.put(f"/api/grassroots/orgs/{tree.xw.pk}/target", {"target": -1}).status_code in (404, 422)


def _key_staff_expected(user, org) -> tuple[int, int, int]:
    """(recording for the body, reading a record of it, ending that record), from the scope rule."""
    if not scope.can_view(user, org):
        return 400, 404, 404
    return (201, 200, 200) if scope.can_manage(user, org) else (403, 200, 403)


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_key_staff_api_scope(tree, actor):
    load_categories(Category)
    education = Category.objects.get(code="education")
    health = Category.objects.get(code="health")
    person = create_person(actor=tree.platform, organization=tree.xw, name="矩阵校长")
    existing = record_key_staff(person, actor=tree.platform, category=health, organization=tree.my)
    user = getattr(tree, actor)
    record, read, end = _key_staff_expected(user, tree.my)
    api = Api(tree, user)

    def state():
        return KeyStaff.objects.count(), KeyStaff.objects.filter(ended_on__isnull=False).count(), AuditEvent.objects.count()

    before = state()
    response = api.post("/api/grassroots/key-staff", {"person_id": person.pk, "category_id": education.pk, "organization_id": tree.my.pk})
    assert response.status_code == record, response.content
    after = state()
    assert (after[0] - before[0], after[2] > before[2]) == ((1, True) if record == 201 else (0, False))
    if record == 201:
        assert response.json()["organization_id"] == tree.my.pk and response.json()["is_chief"] is True

    response = api.get(f"/api/grassroots/key-staff/{existing.pk}")
    assert response.status_code == read
    listed = api.get(f"/api/grassroots/orgs/{tree.xw.pk}/key-staff")
    assert listed.status_code == (200 if scope.can_view(user, tree.xw) else 404)
    if listed.status_code == 200:
        assert existing.pk in [r["id"] for r in listed.json()["items"]]
    assert ("矩阵校长" in str(response.json())) is (read == 200)

    before = state()
    response = api.post(f"/api/grassroots/key-staff/{existing.pk}/end", {})
    assert response.status_code == end, response.content
    after = state()
    assert (after[1] - before[1], after[2] > before[2]) == ((1, True) if end == 200 else (0, False))
    if end == 200:
        assert api.post(f"/api/grassroots/key-staff/{existing.pk}/end", {}).status_code == 409  # already ended
    assert api.get("/api/grassroots/key-staff/987654321").status_code == 404
    assert api.post("/api/grassroots/key-staff/987654321/end", {}).status_code == 404
