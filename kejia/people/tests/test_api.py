"""The people API with bearer tokens: every endpoint, masking, reveal audit, scope (404 outside,
403 in scope without a staff role), validation naming the field, and the worker's own profile."""

import pytest
from django.test import Client

from kejia.accounts.services import issue_api_token
from kejia.core.models import AuditEvent
from kejia.core.testing.notices import last_code
from kejia.people.choices import PersonStatus
from kejia.people.models import Person
from kejia.people.tests.helpers import ID_A, ID_B, make


class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_api_token(user)[1]}"}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data=None):
        return self.client.post(url, data if data is not None else {}, content_type="application/json", headers=self.headers)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", headers=self.headers)

    def delete(self, url):
        return self.client.delete(url, headers=self.headers)


@pytest.fixture
def as_(tree):
    cache = {}

    def get(user):
        if user.pk not in cache:
            cache[user.pk] = Api(user)
        return cache[user.pk]

    return get


def body(tree, **over):
    data = {
        "org_id": tree.xw.pk,
        "name": "张伟",
        "resident_id": ID_B,
        "phone": "13905140002",
        "sector": "university",
        "title": "副教授",
        "title_level": "vice_senior",
        "disciplines": ["520"],
        "region": "320102",
        "expertise": "机器学习",
        "programmes": ["青年人才托举工程"],
        "consent_source": "online",
    }
    data.update(over)
    return data


def test_anonymous_is_401(client, db):
    assert client.get("/api/people").status_code == 401


def test_list_is_scoped_masked_and_filtered(tree, as_):
    make(tree)
    make(tree, name="王芳", resident_id=ID_B, phone="13905140002", sector="medical", is_frontline=True)
    data = as_(tree.nj_staff).get("/api/people").json()
    assert data["count"] == 2 and ID_A not in str(data) and "13905140001" not in str(data)
    assert {row["resident_id_masked"][:17] for row in data["items"]} == {"*" * 17}
    assert [r["name"] for r in as_(tree.nj_staff).get("/api/people", sector="medical").json()["items"]] == ["王芳"]
    assert [r["name"] for r in as_(tree.nj_staff).get("/api/people", q="li").json()["items"]] == ["李明"]
    assert as_(tree.nj_staff).get("/api/people", frontline="true").json()["count"] == 1
    assert as_(tree.nj_staff).get("/api/people", organization=tree.xw.pk, limit=1).json()["count"] == 2
    assert as_(tree.sibling_staff).get("/api/people").json()["count"] == 0


@pytest.mark.parametrize("params", [{"sector": "moon"}, {"limit": 0}, {"limit": "x"}, {"offset": -1}, {"frontline": "perhaps"}])
def test_list_rejects_garbage_with_422(tree, as_, params):
    assert as_(tree.county_staff).get("/api/people", **params).status_code == 422


def test_list_with_an_organization_outside_scope_is_404(tree, as_):
    assert as_(tree.county_staff).get("/api/people", organization=tree.qh.pk).status_code == 404


def test_create_person(tree, as_):
    response = as_(tree.county_staff).post("/api/people", body(tree))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "张伟" and data["resident_id_masked"] == "*" * 17 + ID_B[-1] and ID_B not in str(data)
    assert data["disciplines"] == ["520"] and data["listings"][0]["organization_id"] == tree.xw.pk and data["can_edit"]
    assert data["programmes"] == ["青年人才托举工程"] and data["consent_at"]


def test_create_person_errors_name_the_field(tree, as_):
    api = as_(tree.county_staff)
    response = api.post("/api/people", body(tree, resident_id="320104199003150021"))
    assert response.status_code == 400 and response.json()["field"] == "resident_id"
    response = api.post("/api/people", body(tree, disciplines=["999"]))
    assert response.status_code == 400 and response.json()["field"] == "disciplines"
    response = api.post("/api/people", body(tree, region="999999"))
    assert response.status_code == 400 and response.json()["field"] == "region"
    response = api.post("/api/people", body(tree, org_id=tree.qh.pk))
    assert response.status_code == 400 and response.json()["field"] == "org_id"
    response = api.post("/api/people", body(tree, sector="moon"))
    assert response.status_code == 422
    response = api.post("/api/people", {"name": "x"})
    assert response.status_code == 422 and "org_id" in response.json()["errors"]
    assert not Person.objects.exists()
    make(tree, resident_id=ID_B, phone="")
    assert api.post("/api/people", body(tree)).json()["code"] == "duplicate_id"


def test_create_without_staff_role_is_403(tree, as_):
    assert as_(tree.county_leader).post("/api/people", body(tree)).status_code == 403


def test_get_and_patch(tree, as_):
    person = make(tree)
    api = as_(tree.county_staff)
    assert api.get(f"/api/people/{person.pk}").json()["research_summary"] == "研究大规模知识图谱构建。"
    response = api.patch(f"/api/people/{person.pk}", {"title": "研究员", "disciplines": ["520", "52020"]})
    assert response.status_code == 200 and response.json()["title"] == "研究员"
    assert response.json()["resident_id_masked"] == "*" * 17 + ID_A[-1]
    event = AuditEvent.objects.get(action="person.updated")
    assert event.new["title"] == "研究员" and event.new["disciplines"] == ["520", "52020"]
    assert api.patch(f"/api/people/{person.pk}", {"phone": "123"}).json()["field"] == "phone"
    assert api.patch(f"/api/people/{person.pk}", {"name": None}).status_code == 400


def test_get_patch_outside_scope_404_and_leader_403(tree, as_):
    person = make(tree)
    assert as_(tree.sibling_staff).get(f"/api/people/{person.pk}").status_code == 404
    assert as_(tree.sibling_staff).patch(f"/api/people/{person.pk}", {"title": "x"}).status_code == 404
    assert as_(tree.county_leader).get(f"/api/people/{person.pk}").status_code == 200
    assert as_(tree.county_leader).patch(f"/api/people/{person.pk}", {"title": "x"}).status_code == 403
    assert as_(tree.county_staff).get("/api/people/99999999").status_code == 404


def test_reveal_is_audited_and_needs_staff(tree, as_):
    person = make(tree)
    response = as_(tree.county_staff).post(f"/api/people/{person.pk}/reveal")
    assert response.json() == {"resident_id": ID_A, "phone": "13905140001"}
    assert AuditEvent.objects.filter(action="person.pii_revealed").count() == 1
    assert as_(tree.county_leader).post(f"/api/people/{person.pk}/reveal").status_code == 403
    assert as_(tree.sibling_staff).post(f"/api/people/{person.pk}/reveal").status_code == 404
    assert AuditEvent.objects.filter(action="person.pii_revealed").count() == 1


def test_anonymize(tree, as_):
    person = make(tree)
    assert as_(tree.county_staff).post(f"/api/people/{person.pk}/anonymize", {"reason": ""}).status_code == 422
    response = as_(tree.county_staff).post(f"/api/people/{person.pk}/anonymize", {"reason": "本人申请"})
    assert response.status_code == 200 and response.json()["resident_id_masked"] == ""
    assert Person.objects.get(pk=person.pk).status == PersonStatus.ANONYMIZED
    assert as_(tree.county_staff).get(f"/api/people/{person.pk}").status_code == 404


def test_consent(tree, as_):
    person = make(tree)
    assert as_(tree.county_staff).post(f"/api/people/{person.pk}/consent", {"source": "paper form"}).status_code == 200
    assert as_(tree.county_leader).post(f"/api/people/{person.pk}/consent", {"source": "x"}).status_code == 403


def test_achievements(tree, as_):
    person = make(tree)
    api = as_(tree.county_staff)
    response = api.post(f"/api/people/{person.pk}/achievements", {"kind": "patent", "title": "一种装置", "year": 2024})
    assert response.status_code == 201
    item = response.json()["id"]
    assert [a["title"] for a in api.get(f"/api/people/{person.pk}/achievements").json()["items"]] == ["一种装置"]
    assert api.get(f"/api/people/{person.pk}/achievements", offset=1).json() == {"count": 1, "limit": 50, "offset": 1, "items": []}
    assert api.post(f"/api/people/{person.pk}/achievements", {"kind": "spell", "title": "x"}).status_code == 422
    assert api.post(f"/api/people/{person.pk}/achievements", {"kind": "paper", "title": " "}).json()["field"] == "title"
    assert as_(tree.county_leader).delete(f"/api/people/{person.pk}/achievements/{item}").status_code == 403
    assert api.delete(f"/api/people/{person.pk}/achievements/{item + 1000}").status_code == 404
    assert api.delete(f"/api/people/{person.pk}/achievements/{item}").status_code == 204
    assert not person.achievements.exists()


def test_listings(tree, as_):
    person = make(tree)
    nj = as_(tree.nj_staff)
    response = nj.post(f"/api/people/{person.pk}/listings", {"org_id": tree.qh.pk, "role": "expert"})
    assert response.status_code == 201
    listing = response.json()["id"]
    assert {row["organization_id"] for row in nj.get(f"/api/people/{person.pk}/listings").json()["items"]} == {tree.xw.pk, tree.qh.pk}
    # The county sees only its own listing, and the number of the others.
    assert [row["organization_id"] for row in as_(tree.county_staff).get(f"/api/people/{person.pk}/listings").json()["items"]] == [tree.xw.pk]
    assert as_(tree.county_staff).get(f"/api/people/{person.pk}").json()["other_listings"] == 1
    assert as_(tree.county_staff).post(f"/api/people/{person.pk}/listings", {"org_id": tree.qh.pk}).status_code == 400
    assert as_(tree.county_leader).post(f"/api/people/{person.pk}/listings", {"org_id": tree.xw.pk, "role": "expert"}).status_code == 403
    assert as_(tree.county_staff).delete(f"/api/people/{person.pk}/listings/{listing}").status_code == 404
    assert nj.delete(f"/api/people/{person.pk}/listings/{listing}").status_code == 204
    own = person.listings.get().pk
    assert nj.delete(f"/api/people/{person.pk}/listings/{own}").json()["code"] == "last_listing"


def test_me_link_and_patch(tree, as_):
    person = make(tree)
    api = as_(tree.worker)
    assert api.get("/api/people/me").status_code == 404
    wrong = api.post("/api/people/me/link", {"name": "李明", "resident_id": ID_B})
    assert wrong.status_code == 400 and wrong.json()["code"] == "no_match"
    response = api.post("/api/people/me/link", {"name": "李明", "resident_id": ID_A})
    assert response.status_code == 202 and response.json() == {"channel": "sms", "sent_to": "139****0001"}
    assert api.get("/api/people/me").status_code == 404
    wrong = api.post("/api/people/me/link/confirm", {"code": "12345"})
    assert wrong.status_code == 400 and wrong.json()["code"] == "bad_code"
    response = api.post("/api/people/me/link/confirm", {"code": last_code("people.link_code")})
    assert response.status_code == 200 and response.json()["id"] == person.pk and response.json()["linked"]
    assert api.get("/api/people/me").json()["id"] == person.pk
    response = api.patch("/api/people/me", {"expertise": "大模型"})
    assert response.status_code == 200 and response.json()["expertise"] == "大模型"
    assert api.post(f"/api/people/{person.pk}/reveal").json()["resident_id"] == ID_A
    assert api.post("/api/people/me/link", {"name": "李明", "resident_id": ID_A}).json()["code"] == "already_linked"


def test_create_person_with_a_15_digit_id_and_disciplines_by_name(tree, as_):
    fifteen = ID_B[:6] + ID_B[8:17]
    response = as_(tree.county_staff).post("/api/people", body(tree, resident_id=fifteen, disciplines=["计算机科学技术", "52020 人工智能"]))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["resident_id_masked"] == "*" * 17 + ID_B[-1] and sorted(data["disciplines"]) == ["520", "52020"]
    assert len(data["notices"]) == 1 and "18" in data["notices"][0] and fifteen not in str(data)
    again = as_(tree.county_staff).post("/api/people", body(tree, resident_id=ID_B))  # the 18-digit form: the same person
    assert again.status_code == 400 and again.json()["code"] == "duplicate_id"
