"""The home API: find (public), an association's public page (public, 404 when not active) and
the worker's home (signed in), with the same data as the pages."""

from django.test import Client

from kejia.accounts.services import issue_api_token
from kejia.home.tests.conftest import make_event
from kejia.organizations.services import change_organization_status, update_organization
from kejia.reference.models import Discipline
from kejia.voice.services import send_item


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)[1]}"}


def test_api_find_by_township_without_login(client, tree):
    make_event(tree, tree.xw, "玄武区科普沙龙")
    response = client.get("/api/find", {"region": "320102002"})
    assert response.status_code == 200
    data = response.json()
    assert [o["name"] for o in data["chain"]] == [o.name for o in (tree.js, tree.nj, tree.xw, tree.my)]
    assert data["region"]["code"] == "320102002" and data["discipline"] is None
    xw = data["chain"][2]
    assert xw["url"] == f"/a/{tree.xw.pk}/" and [e["title"] for e in xw["events"]] == ["玄武区科普沙龙"]
    assert [o["name"] for o in data["societies"]] == [tree.soc.name] and data["societies_total"] == 1


def test_api_find_by_discipline(client, tree):
    update_organization(tree.soc, actor=tree.platform, disciplines=[Discipline.objects.get(code="52020")])
    data = client.get("/api/find", {"discipline": "520"}).json()
    assert [o["id"] for o in data["societies"]] == [tree.soc.pk] and data["chain"] == []
    assert data["discipline"] == {"code": "520", "name": "计算机科学技术"}


def test_api_find_bad_code_is_400_naming_the_field(client, tree):
    response = client.get("/api/find", {"region": "999999"})
    assert response.status_code == 400 and response.json()["field"] == "region"
    response = client.get("/api/find", {"discipline": "zz"})
    assert response.status_code == 400 and response.json()["field"] == "discipline"


def test_api_association_is_public_and_hides_staff_data(client, tree):
    update_organization(tree.soc, actor=tree.platform, fulltime_staff=7321, address="南京市鼓楼区", disciplines=[Discipline.objects.get(code="520")])
    response = client.get(f"/api/find/associations/{tree.soc.pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == tree.soc.name and data["address"] == "南京市鼓楼区"
    assert data["disciplines"] == [{"code": "520", "name": "计算机科学技术"}]
    assert [c["name"] for c in data["children"]] == [tree.soc_ai.name] and data["parent"]["id"] == tree.js.pk
    text = response.content.decode()
    for hidden in ("7321", "fulltime_staff", "uscc", "51320000MJ5012345H", "party_coverage", "soc_staff"):
        assert hidden not in text


def test_api_association_not_active_is_404(client, tree):
    change_organization_status(tree.ent, actor=tree.platform, status="dissolved")
    assert client.get(f"/api/find/associations/{tree.ent.pk}").status_code == 404
    assert client.get("/api/find/associations/987654321").status_code == 404
    assert client.get("/api/find/associations/0").status_code == 422


def test_api_my_home_needs_auth(client, tree):
    assert client.get("/api/me/home").status_code == 401


def test_api_my_home_returns_my_sections(tree, worker_person):
    send_item(actor=tree.worker, organization=tree.xw, kind="suggestion", title="建议增加青年科技沙龙", body="每月一次。")
    from kejia.activities.registration import register_for_event

    register_for_event(make_event(tree, tree.xw, "玄武区科普沙龙"), actor=tree.worker)
    response = Client().get("/api/me/home", headers=bearer(tree.worker))
    assert response.status_code == 200
    data = response.json()
    assert data["person"] == {"id": worker_person.pk, "name": "李明"}
    assert [s["title"] for s in data["suggestions"]] == ["建议增加青年科技沙龙"]
    assert [r["event"]["title"] for r in data["registrations"]] == ["玄武区科普沙龙"]
    assert data["volunteer_hours"] == "0.00" and data["memberships"] == [] and data["surveys"] == []


def test_api_my_home_without_a_profile(tree):
    data = Client().get("/api/me/home", headers=bearer(tree.worker)).json()
    assert data["person"] is None and data["recommended"] == [] and data["volunteer_hours"] == "0.00"
