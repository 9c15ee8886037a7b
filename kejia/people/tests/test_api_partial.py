"""PATCH changes the fields sent and keeps every other one (a person with a region, for one)."""

from kejia.people.tests.helpers import make
from kejia.people.tests.test_api import Api, as_  # noqa: F401  (the fixture)
from kejia.reference.models import Region


def test_patch_without_region_keeps_the_region(tree, as_):  # noqa: F811
    region = Region.objects.get(code="320102")
    person = make(tree, region=region)
    response = as_(tree.county_staff).patch(f"/api/people/{person.pk}", {"title": "研究员"})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == "320102" and response.json()["title"] == "研究员"
    person.refresh_from_db()
    assert person.region_id == "320102"


def test_patch_me_without_region_keeps_the_region(tree, as_):  # noqa: F811
    region = Region.objects.get(code="320102")
    person = make(tree, region=region)
    person.user = tree.county_leader
    person.save(update_fields=["user"])
    response = as_(tree.county_leader).patch("/api/people/me", {"expertise": "知识图谱"})
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.region_id == "320102" and person.expertise == "知识图谱"


def test_patch_sending_nothing_changes_nothing(tree, as_):  # noqa: F811
    region = Region.objects.get(code="320102")
    person = make(tree, region=region, birth_date=None)
    response = as_(tree.county_staff).patch(f"/api/people/{person.pk}", {})
    assert response.status_code == 200, response.content
    assert response.json()["region"] == "320102"
