"""The S&T worker's own willingness to review (the pool of kejia.review): a toggle on their own
profile page and PUT /api/people/me/willing-to-review. Each actor reaches only their own profile;
an account not linked to one gets 404 and nothing changes."""

import pytest
from django.urls import reverse

from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api
from kejia.people.models import Person

pytestmark = pytest.mark.django_db

API = "/api/people/me/willing-to-review"
ACTORS = ["platform", "province_staff", "nj_staff", "nj_admin", "county_staff", "county_leader", "sibling_staff", "wx_staff", "society_secretary", "worker"]


@pytest.fixture
def profiles(tree):
    """The worker's own profile, and a colleague's (linked to the county staff) it must not touch."""
    mine = Person.objects.create(name="李明", user=tree.worker)
    other = Person.objects.create(name="王芳", user=tree.county_staff)
    return mine, other


def test_own_profile_page_toggles_the_flag(tree, profiles, client):
    mine, other = profiles
    client.force_login(tree.worker)
    page = client.get(reverse("people:me")).content.decode()
    assert reverse("people:me_willing") in page
    response = client.post(reverse("people:me_willing"), {"willing": "on"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.willing_to_review
    event = AuditEvent.objects.get(action="person.willing_to_review")
    assert event.actor == tree.worker and event.object_id == str(mine.pk) and event.new == {"willing_to_review": True}
    response = client.post(reverse("people:me_willing"), {})
    mine.refresh_from_db()
    assert response.status_code == 302 and not mine.willing_to_review
    other.refresh_from_db()
    assert not other.willing_to_review
    # someone else's profile page shows no toggle
    client.force_login(tree.platform)
    assert reverse("people:me_willing") not in client.get(reverse("people:detail", args=[mine.pk])).content.decode()
    assert client.get(reverse("people:me_willing")).status_code == 405


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("actor", ACTORS)
def test_scope_each_actor_reaches_only_their_own_profile(tree, profiles, client, actor, door):
    mine, other = profiles
    user = getattr(tree, actor)
    own = {tree.worker.pk: mine, tree.county_staff.pk: other}.get(user.pk)
    api = Api(tree, user) if door == "api" else None  # signing in for a token is audited too
    before = AuditEvent.objects.filter(action="person.willing_to_review").count()
    if api:
        response = api.put(API, {"willing": True})
        assert response.status_code == (200 if own else 404)
        if own:
            assert response.json() == {"willing_to_review": True}
    else:
        client.force_login(user)
        assert client.post(reverse("people:me_willing"), {"willing": "on"}).status_code == (302 if own else 404)
    flags = dict(Person.objects.filter(pk__in=[mine.pk, other.pk]).values_list("pk", "willing_to_review"))
    assert flags == {mine.pk: own == mine, other.pk: own == other}
    assert AuditEvent.objects.filter(action="person.willing_to_review").count() == before + (1 if own else 0)


def test_api_refuses_a_body_without_the_flag(tree, profiles):
    assert Api(tree, tree.worker).put(API, {}).status_code in (400, 422)
