"""The expert-finding page and API: the same service, scope and masking through both doors."""

from kejia.people.tests.helpers import ID_A


def test_experts_page_finds_and_shows_matched_terms(client, tree, add_person):
    add_person("王专长", expertise="光学成像、显微成像", resident_id=ID_A, phone="13905140011")
    client.force_login(tree.county_staff)
    response = client.get("/people/experts/", {"q": "光学成像"})
    html = response.content.decode()
    assert response.status_code == 200 and "王专长" in html and "<mark>光学</mark>" in html
    assert ID_A not in html and "13905140011" not in html


def test_experts_page_htmx_returns_the_results_fragment(client, tree, add_person):
    add_person("王专长", expertise="光学成像")
    client.force_login(tree.county_staff)
    response = client.get("/people/experts/", {"q": "光学"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode() and "王专长" in response.content.decode()


def test_experts_page_outside_scope_finds_nobody(client, tree, add_person):
    add_person("王专长", expertise="光学成像")
    client.force_login(tree.sibling_staff)
    assert "王专长" not in client.get("/people/experts/", {"q": "光学成像"}).content.decode()


def test_experts_page_pasted_text_mode(client, tree, add_person):
    add_person("王专长", expertise="光学成像、显微成像")
    add_person("李无关", expertise="土壤改良")
    client.force_login(tree.county_staff)
    text = "本项目研制一套高分辨率光学成像系统，用于细胞显微成像与活体观测。"
    html = client.get("/people/experts/", {"q": text, "mode": "text"}).content.decode()
    assert "王专长" in html and ("李无关" not in html or html.index("王专长") < html.index("李无关"))


def test_experts_page_bad_filters_are_field_errors(client, tree):
    client.force_login(tree.county_staff)
    assert client.get("/people/experts/", {"q": "x", "region": "999999"}).status_code == 400
    assert client.get("/people/experts/", {"q": "x", "age_min": "abc"}).status_code == 400
    assert client.get("/people/experts/", {"q": "x", "sector": "nope"}).status_code == 400


def test_experts_page_needs_login(client):
    assert client.get("/people/experts/").status_code == 302


def test_experts_api_search_and_affinity(client, tree, add_person):
    add_person("王专长", expertise="光学成像、显微成像")
    client.force_login(tree.county_staff)
    data = client.get("/api/experts", {"q": "光学", "sector": "university"}).json()
    assert data["total"] == 1 and data["items"][0]["name"] == "王专长" and "光学" in data["items"][0]["matched"]
    assert data["items"][0]["matched_fields"] == {"expertise": ["光学"]}
    response = client.post("/api/experts/affinity", {"text": "研制光学成像系统", "limit": 5}, content_type="application/json")
    assert response.status_code == 200 and response.json()["items"][0]["name"] == "王专长"


def test_experts_api_scope_and_bad_filter(client, tree, add_person):
    add_person("王专长", expertise="光学成像")
    client.force_login(tree.sibling_staff)
    assert client.get("/api/experts", {"q": "光学"}).json()["total"] == 0
    response = client.get("/api/experts", {"q": "光学", "region": "999999"})
    assert response.status_code == 400 and response.json()["field"] == "region"
    client.logout()
    assert client.get("/api/experts", {"q": "光学"}).status_code == 401
