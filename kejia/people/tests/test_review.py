"""The review queue's pages and API: scope (404 outside), masking, decisions, undo, bad input."""

import datetime

import pytest
from django.test import Client

from kejia.core.models import AuditEvent
from kejia.people import merging, services
from kejia.people.choices import PersonStatus
from kejia.people.models import CandidateStatus, MergeRecord, Person
from kejia.people.tests.test_resolution import rid

pytestmark = pytest.mark.urls("kejia.people.tests.review_urlconf")


def make(tree, org, **over):
    data = dict(name="李明", gender="M", birth_date=datetime.date(1980, 3, 7), employer_name="东南大学")
    data.update(over)
    return services.create_person(actor=tree.platform, organization=org, **data)


@pytest.fixture
def candidate(tree):
    a = make(tree, tree.xw, resident_id=rid("19800307"), phone="13905140001", email="liming@example.cn")
    b = make(tree, tree.wx, name="黎明")
    return merging.queue_review(a, b)


def login(tree, user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=tree.password)
    return client


def api(tree, user) -> tuple[Client, dict]:
    client = Client()
    response = client.post("/api/auth/token", {"identifier": user.username, "password": tree.password}, content_type="application/json")
    return client, {"Authorization": f"Bearer {response.json()['token']}"}


# ---- Pages -----------------------------------------------------------------------------------------


def test_review_list_and_detail_show_masked_fields(tree, candidate):
    client = login(tree, tree.county_staff)
    page = client.get("/people/review/")
    assert page.status_code == 200 and "黎明" in page.content.decode()
    detail = client.get(f"/people/review/{candidate.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert rid("19800307") not in html and "13905140001" not in html and "liming@example.cn" not in html
    assert candidate.person_a.id_masked in html and "139****0001" in html and "l***@example.cn" in html
    assert "compare-agree" in html and "compare-partial" in html


def test_review_pages_outside_scope_not_found(tree, candidate):
    client = login(tree, tree.sibling_staff)
    assert "黎明" not in client.get("/people/review/").content.decode()
    assert client.get(f"/people/review/{candidate.pk}/").status_code == 404
    assert client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "keep_apart"}).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_review_list_bad_status_is_400_not_500(tree, candidate):
    client = login(tree, tree.county_staff)
    assert client.get("/people/review/?status=nonsense&page=x").status_code == 400
    assert client.get("/people/review/?status=kept_apart").status_code == 200


def test_review_decide_merge_then_undo(tree, candidate):
    client = login(tree, tree.county_staff)
    response = client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "merge", "survivor": candidate.person_b_id})
    assert response.status_code == 302
    record = MergeRecord.objects.get()
    assert record.survivor_id == candidate.person_b_id and record.actor == tree.county_staff
    merges = client.get("/people/merges/")
    assert merges.status_code == 200 and f"/people/merges/{record.pk}/undo/" in merges.content.decode()
    response = client.post(f"/people/merges/{record.pk}/undo/")
    assert response.status_code == 302
    assert Person.objects.filter(status=PersonStatus.ACTIVE).count() == 2
    assert client.post(f"/people/merges/{record.pk}/undo/", follow=True).status_code == 200  # refused with a message


def test_review_decide_bad_input(tree, candidate):
    client = login(tree, tree.county_staff)
    assert client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "explode"}).status_code == 302
    assert client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "merge", "survivor": "99999"}).status_code == 302
    assert client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "merge", "survivor": "1e99"}).status_code == 302
    assert client.get(f"/people/review/{candidate.pk}/decide/").status_code == 405
    assert client.get("/people/review/99999999999999999999/").status_code == 404
    assert not MergeRecord.objects.exists()


def test_review_decide_keep_apart(tree, candidate):
    client = login(tree, tree.wx_staff)
    client.post(f"/people/review/{candidate.pk}/decide/", {"decision": "keep_apart"})
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.KEPT_APART and candidate.decided_by == tree.wx_staff
    assert client.get(f"/people/review/{candidate.pk}/").status_code == 200


# ---- API -----------------------------------------------------------------------------------------


def test_api_review_queue_scope_and_masking(tree, candidate):
    client, headers = api(tree, tree.county_staff)
    body = client.get("/api/people/review", headers=headers).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["person_a"]["resident_id"] == candidate.person_a.id_masked and item["person_a"]["phone"] == "139****0001"
    assert rid("19800307") not in str(body) and "13905140001" not in str(body)
    client, headers = api(tree, tree.sibling_staff)
    assert client.get("/api/people/review", headers=headers).json()["count"] == 0
    assert client.get(f"/api/people/review/{candidate.pk}", headers=headers).status_code == 404
    assert client.post(f"/api/people/review/{candidate.pk}/merge", {}, content_type="application/json", headers=headers).status_code == 404


def test_api_merge_and_undo(tree, candidate):
    client, headers = api(tree, tree.county_staff)
    response = client.post(f"/api/people/review/{candidate.pk}/merge", {"survivor_id": 123456}, content_type="application/json", headers=headers)
    assert response.status_code == 400 and response.json()["field"] == "survivor_id"
    response = client.post(f"/api/people/review/{candidate.pk}/merge", {}, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    merge = response.json()
    assert merge["survivor_id"] == candidate.person_a_id and merge["duplicate_id"] == candidate.person_b_id
    again = client.post(f"/api/people/review/{candidate.pk}/merge", {}, content_type="application/json", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert client.get("/api/people/merges", headers=headers).json()["count"] == 1
    undone = client.post(f"/api/people/merges/{merge['id']}/undo", headers=headers)
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert client.post(f"/api/people/merges/{merge['id']}/undo", headers=headers).json()["code"] == "already_undone"
    assert AuditEvent.objects.filter(action__in=["person.merged", "person.unmerged"]).count() == 2


def test_api_keep_apart_and_bad_input(tree, candidate):
    client, headers = api(tree, tree.wx_staff)
    assert client.get("/api/people/review?status=bogus", headers=headers).status_code == 422
    assert client.get("/api/people/review?limit=100000", headers=headers).status_code == 422
    assert client.post("/api/people/review/0/keep-apart", headers=headers).status_code == 422
    assert client.post(f"/api/people/review/{candidate.pk}/merge", "not json", content_type="application/json", headers=headers).status_code in (400, 422)
    response = client.post(f"/api/people/review/{candidate.pk}/keep-apart", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "kept_apart"
    assert Client().get("/api/people/review").status_code == 401
