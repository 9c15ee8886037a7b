"""The organization API: every endpoint with a bearer token and with a session, its validation
errors (naming the field), its answers outside the scope, and the audit rows its writes leave."""

import datetime

import pytest
from django.conf import settings
from django.test import Client

from kejia.core.models import AuditEvent
from kejia.core.testing import worlds
from kejia.core.validators import uscc_check_char
from kejia.organizations import services
from kejia.organizations.models import Filing, FilingStatus, Organization

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def token_for(client, user, password) -> str:
    response = client.post("/api/auth/token", {"identifier": user.username, "password": password}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


class Api:
    """A JSON client for one actor, authenticated by a bearer token."""

    def __init__(self, tree, user):
        self.client = Client()
        self.user = user
        self.headers = {"Authorization": f"Bearer {token_for(self.client, user, tree.password)}"}

    def get(self, url, **params):
        return self.client.get(url, params, headers=self.headers)

    def post(self, url, data=None):
        return self.client.post(url, data if data is not None else {}, content_type="application/json", headers=self.headers)

    def patch(self, url, data):
        return self.client.patch(url, data, content_type="application/json", headers=self.headers)

    def put(self, url, data):
        return self.client.put(url, data, content_type="application/json", headers=self.headers)


@pytest.fixture
def as_(tree):
    cache = {}

    def get(user):
        if user.pk not in cache:
            cache[user.pk] = Api(tree, user)
        return cache[user.pk]

    return get


def filing_body(tree, **overrides):
    body = {
        "name": "钟山软件有限公司科学技术协会",
        "kind": "enterprise_assoc",
        "parent_id": tree.xw.pk,
        "region": "320102",
        "host_name": "钟山软件有限公司",
        "host_uscc": uscc("91320102MA1XYW011"),
        "founded_on": "2025-03-01",
        "member_count": 40,
        "chair_name": "王工",
        "contact_name": "陈工",
        "contact_phone": "13800001111",
        "charter_summary": "联系服务本企业科技工作者。",
    }
    body.update(overrides)
    return body


def submitted_filing(tree, actor=None, **overrides) -> Filing:
    data = {
        "name": "钟山软件有限公司科学技术协会",
        "kind": "enterprise_assoc",
        "parent": tree.xw,
        "region": tree.regions["320102"],
        "host_name": "钟山软件有限公司",
        "host_uscc": uscc("91320102MA1XYW011"),
        "founded_on": datetime.date(2025, 3, 1),
        "member_count": 40,
        "chair_name": "王工",
        "contact_name": "陈工",
        "contact_phone": "13800001111",
    }
    data.update(overrides)
    return services.submit_filing(actor=actor or tree.worker, **data)


def error_fields(response) -> set[str]:
    data = response.json()
    return {data.get("field")} | set(data.get("errors", {}))


# ---- Authentication ----------------------------------------------------------------------

ENDPOINTS_WITH_AUTH = [
    ("get", "/api/orgs"),
    ("get", "/api/orgs/1"),
    ("get", "/api/orgs/1/children"),
    ("get", "/api/orgs/1/subtree-counts"),
    ("post", "/api/orgs/1/children"),
    ("patch", "/api/orgs/1"),
    ("post", "/api/orgs/1/status"),
    ("post", "/api/orgs/1/move"),
    ("get", "/api/orgs/1/roles"),
    ("get", "/api/coverage?region=320000"),
    ("get", "/api/filings"),
    ("post", "/api/filings"),
    ("get", "/api/filings/1"),
    ("put", "/api/filings/1"),
    ("post", "/api/filings/1/approve"),
    ("post", "/api/filings/1/return"),
    ("post", "/api/filings/1/withdraw"),
    ("get", "/api/audit"),
]


@pytest.mark.parametrize("method,url", ENDPOINTS_WITH_AUTH)
def test_request_without_auth_is_401(tree, client, method, url):
    before = AuditEvent.objects.count()
    response = getattr(client, method)(url, content_type="application/json") if method != "get" else client.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert AuditEvent.objects.count() == before


def test_request_with_unknown_bearer_token_is_401(tree, client):
    response = client.get("/api/orgs", headers={"Authorization": "Bearer kj_not-a-token"})
    assert response.status_code == 401


def test_issue_token_then_bearer_reads_scope(tree, client):
    token = token_for(client, tree.county_staff, tree.password)
    response = Client().get("/api/orgs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["items"]} == {"XW", "XW-MY", "XW-ENT"}


def test_issue_token_by_phone_works(tree, client):
    response = client.post("/api/auth/token", {"identifier": "13912340001", "password": tree.password}, content_type="application/json")
    assert response.status_code == 201


def test_issue_token_bad_password_names_password(tree, client):
    response = client.post("/api/auth/token", {"identifier": "xw_staff", "password": "wrong"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "password"


def test_issue_token_locks_out_after_repeated_bad_passwords(tree, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        response = client.post("/api/auth/token", {"identifier": "xw_staff", "password": "wrong"}, content_type="application/json")
        assert response.status_code == 400
    response = client.post("/api/auth/token", {"identifier": "xw_staff", "password": tree.password}, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked"


def test_list_orgs_with_session_works(tree, client):
    client.force_login(tree.nj_staff)
    response = client.get("/api/orgs")
    assert response.status_code == 200
    assert response.json()["count"] == 5


def test_change_status_with_session_and_csrf_token_works(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.county_staff)
    client.cookies["csrftoken"] = "k" * 32
    response = client.post(f"/api/orgs/{tree.my.pk}/status", {"status": "dormant"}, content_type="application/json", headers={"X-CSRFToken": "k" * 32})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dormant"


def test_change_status_with_session_without_csrf_token_is_refused(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.county_staff)
    before = AuditEvent.objects.count()
    response = client.post(f"/api/orgs/{tree.my.pk}/status", {"status": "dormant"}, content_type="application/json")
    assert response.status_code == 403
    tree.my.refresh_from_db()
    assert tree.my.status == "active"
    assert AuditEvent.objects.count() == before


def test_change_status_with_bearer_needs_no_csrf_token(tree, client):
    token = token_for(client, tree.county_staff, tree.password)
    response = Client(enforce_csrf_checks=True).post(
        f"/api/orgs/{tree.my.pk}/status", {"status": "dormant"}, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200


def _returned_filing(tree):
    filing = submitted_filing(tree)
    return services.return_filing(filing, actor=tree.county_staff, reason="补充")


# (name, actor, method, url, body, status): one happy path per endpoint, for a browser session.
SESSION_CASES = [
    ("list_orgs", "nj_staff", "get", lambda t: "/api/orgs?kind=county_assoc", None, 200),
    ("get_org", "county_leader", "get", lambda t: f"/api/orgs/{t.xw.pk}", None, 200),
    ("list_children", "county_leader", "get", lambda t: f"/api/orgs/{t.xw.pk}/children", None, 200),
    ("subtree_counts", "county_leader", "get", lambda t: f"/api/orgs/{t.xw.pk}/subtree-counts", None, 200),
    (
        "create_child",
        "county_staff",
        "post",
        lambda t: f"/api/orgs/{t.xw.pk}/children",
        lambda t: {"name": "玄武区科技志愿服务队", "code": "XW-VT", "kind": "volunteer_team"},
        201,
    ),
    ("update_org", "county_staff", "patch", lambda t: f"/api/orgs/{t.my.pk}", lambda t: {"short_name": "梅园科协"}, 200),
    ("change_status", "county_staff", "post", lambda t: f"/api/orgs/{t.my.pk}/status", lambda t: {"status": "dormant"}, 200),
    ("move_org", "nj_admin", "post", lambda t: f"/api/orgs/{t.ent.pk}/move", lambda t: {"new_parent_id": t.nj.pk}, 200),
    ("list_roles", "county_leader", "get", lambda t: f"/api/orgs/{t.xw.pk}/roles", None, 200),
    ("coverage", "county_staff", "get", lambda t: "/api/coverage?region=320102", None, 200),
    ("list_filings", "county_staff", "get", lambda t: "/api/filings?box=decide", None, 200),
    ("submit_filing", "worker", "post", lambda t: "/api/filings", filing_body, 201),
    ("get_filing", "worker", "get", lambda t: f"/api/filings/{submitted_filing(t).pk}", None, 200),
    ("resubmit_filing", "worker", "put", lambda t: f"/api/filings/{_returned_filing(t).pk}", filing_body, 200),
    ("approve_filing", "county_staff", "post", lambda t: f"/api/filings/{submitted_filing(t).pk}/approve", lambda t: {}, 200),
    ("return_filing", "county_staff", "post", lambda t: f"/api/filings/{submitted_filing(t).pk}/return", lambda t: {"reason": "请补充章程"}, 200),
    ("withdraw_filing", "worker", "post", lambda t: f"/api/filings/{submitted_filing(t).pk}/withdraw", None, 200),
    ("list_audit", "county_staff", "get", lambda t: f"/api/audit?organization={t.my.pk}", None, 200),
]


@pytest.mark.parametrize("name,actor,method,url,body,status", SESSION_CASES, ids=[case[0] for case in SESSION_CASES])
def test_request_with_session_works(tree, client, name, actor, method, url, body, status):
    client.force_login(getattr(tree, actor))
    target = url(tree)
    before = AuditEvent.objects.count()
    if method == "get":
        response = client.get(target)
    else:
        response = getattr(client, method)(target, body(tree) if body else {}, content_type="application/json")
    assert response.status_code == status, response.content
    if method != "get":
        assert AuditEvent.objects.count() > before, f"{name} wrote no audit row"


# ---- Organizations: reading --------------------------------------------------------------


def test_list_orgs_shows_only_the_scope(tree, as_):
    data = as_(tree.sibling_staff).get("/api/orgs").json()
    assert data["count"] == 1
    assert [row["code"] for row in data["items"]] == ["QH"]


def test_list_orgs_filters_by_kind_status_region_within_and_text(tree, as_):
    api = as_(tree.nj_staff)
    assert {r["code"] for r in api.get("/api/orgs", kind="county_assoc").json()["items"]} == {"XW", "QH"}
    assert {r["code"] for r in api.get("/api/orgs", region="320102").json()["items"]} == {"XW", "XW-MY", "XW-ENT"}
    assert {r["code"] for r in api.get("/api/orgs", within=tree.xw.pk).json()["items"]} == {"XW", "XW-MY", "XW-ENT"}
    assert {r["code"] for r in api.get("/api/orgs", q="秦淮").json()["items"]} == {"QH"}
    assert {r["code"] for r in api.get("/api/orgs", q="xw-my").json()["items"]} == {"XW-MY"}
    assert {r["code"] for r in api.get("/api/orgs", q="XW-M").json()["items"]} == set()  # a code matches whole
    services.change_organization_status(tree.qh, actor=tree.platform, status="dormant")
    assert {r["code"] for r in api.get("/api/orgs", status="dormant").json()["items"]} == {"QH"}


def test_list_orgs_paginates_with_total_count(tree, as_):
    api = as_(tree.province_staff)
    first = api.get("/api/orgs", limit=3).json()
    second = api.get("/api/orgs", limit=3, offset=3).json()
    assert first["count"] == second["count"] == 10
    assert len(first["items"]) == len(second["items"]) == 3
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}


def test_list_orgs_bad_limit_is_422_naming_limit(tree, as_):
    response = as_(tree.nj_staff).get("/api/orgs", limit=0)
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def test_list_orgs_unknown_region_is_400_naming_region(tree, as_):
    response = as_(tree.nj_staff).get("/api/orgs", region="999999")
    assert response.status_code == 400
    assert response.json()["field"] == "region"


def test_list_orgs_unknown_kind_is_422_naming_kind(tree, as_):
    response = as_(tree.nj_staff).get("/api/orgs", kind="castle")
    assert response.status_code == 422
    assert response.json()["field"] == "kind"


def test_list_orgs_within_outside_scope_is_404_naming_within(tree, as_):
    response = as_(tree.county_staff).get("/api/orgs", within=tree.qh.pk)
    assert response.status_code == 404
    assert response.json()["field"] == "within"


def test_get_org_returns_detail_with_breadcrumb_in_scope(tree, as_):
    tree.my.disciplines.set(["520"])
    data = as_(tree.county_staff).get(f"/api/orgs/{tree.my.pk}").json()
    assert data["code"] == "XW-MY"
    assert data["region"]["code"] == "320102002"
    assert data["disciplines"] == ["520"]
    assert [a["code"] for a in data["ancestors"]] == ["XW"]  # NJ and JS lie above the scope
    assert data["can_manage"] is True
    assert as_(tree.county_leader).get(f"/api/orgs/{tree.my.pk}").json()["can_manage"] is False


def test_get_org_with_session_works(tree, client):
    client.force_login(tree.county_leader)
    assert client.get(f"/api/orgs/{tree.xw.pk}").json()["code"] == "XW"


def test_get_org_outside_scope_is_404(tree, as_):
    response = as_(tree.county_staff).get(f"/api/orgs/{tree.qh.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_get_org_unknown_id_is_404_and_huge_id_is_422(tree, as_):
    api = as_(tree.platform)
    assert api.get("/api/orgs/987654").status_code == 404
    response = api.get("/api/orgs/99999999999999999999999999")
    assert response.status_code == 422
    assert response.json()["field"] == "id"


def test_list_children_returns_child_counts(tree, as_):
    data = as_(tree.nj_staff).get(f"/api/orgs/{tree.nj.pk}/children").json()
    assert data["count"] == 2
    assert {row["code"]: row["child_count"] for row in data["items"]} == {"XW": 2, "QH": 0}


def test_list_children_is_paged(tree, as_):
    first = as_(tree.nj_staff).get(f"/api/orgs/{tree.nj.pk}/children?limit=1").json()
    second = as_(tree.nj_staff).get(f"/api/orgs/{tree.nj.pk}/children?limit=1&offset=1").json()
    assert (first["count"], len(first["items"]), len(second["items"])) == (2, 1, 1)
    assert first["items"][0]["code"] != second["items"][0]["code"]
    assert as_(tree.nj_staff).get(f"/api/orgs/{tree.nj.pk}/children?limit=501").status_code == 422


def test_subtree_counts_counts_each_kind(tree, as_):
    data = as_(tree.nj_staff).get(f"/api/orgs/{tree.nj.pk}/subtree-counts").json()
    assert data["total"] == 5
    assert {row["kind"]: row["count"] for row in data["kinds"]} == {"municipal_assoc": 1, "county_assoc": 2, "township_assoc": 1, "enterprise_assoc": 1}


def test_list_roles_returns_holders_without_personal_data(tree, as_):
    response = as_(tree.county_leader).get(f"/api/orgs/{tree.xw.pk}/roles")
    assert response.status_code == 200
    assert {(row["display_name"], row["kind"]) for row in response.json()["items"]} == {("xw_staff", "staff"), ("xw_leader", "leader")}
    assert response.json()["count"] == 2
    assert "1391234" not in response.content.decode()


def test_list_roles_outside_scope_is_404(tree, as_):
    assert as_(tree.county_staff).get(f"/api/orgs/{tree.nj.pk}/roles").status_code == 404


# ---- Organizations: writing --------------------------------------------------------------

CHILD = {"name": "玄武区科技志愿服务队", "code": "XW-VT", "kind": "volunteer_team"}


def test_create_child_with_bearer_creates_and_audits(tree, as_):
    body = {
        **CHILD,
        "disciplines": ["520", "413"],
        "founded_on": "2024-05-04",
        "fulltime_staff": 2,
        "party_coverage": "joint",
        "host_id": tree.host.pk,
        "website": "https://xw.example.cn",
        "address": "南京市玄武区",
    }
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.xw.pk}/children", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["parent_id"], data["kind"], data["disciplines"], data["host_id"]) == (tree.xw.pk, "volunteer_team", ["413", "520"], tree.host.pk)
    org = Organization.objects.get(code="XW-VT")
    assert org.path.startswith(tree.xw.path) and org.depth == tree.xw.depth + 1
    event = AuditEvent.objects.get(action="organization.created", object_id=str(org.pk))
    assert event.actor == tree.county_staff and event.org_path == org.path


def test_create_child_with_session_works(tree, client):
    client.force_login(tree.nj_admin)
    response = client.post(f"/api/orgs/{tree.qh.pk}/children", CHILD, content_type="application/json")
    assert response.status_code == 201


def test_create_child_territorial_on_wrong_level_is_400_naming_region(tree, as_):
    body = {"name": "玄武区另一科协", "code": "XW-2", "kind": "township_assoc", "region": "320102"}
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.xw.pk}/children", body)
    assert response.status_code == 400
    assert response.json()["field"] == "region"


@pytest.mark.parametrize(
    "override,field,status",
    [
        ({"region": "999999"}, "region", 400),
        ({"disciplines": ["520", "zzz"]}, "disciplines", 400),
        ({"host_id": 987654}, "host_id", 400),
        ({"host_id": 0}, "host_id", 422),
        ({"uscc": "91320102MA1XYW0010"}, "uscc", 400),
        ({"is_legal_person": True}, "uscc", 400),
        ({"website": "not a url"}, "website", 400),
        ({"term_start": "2025-01-01", "term_end": "2024-01-01"}, "term_end", 400),
        ({"founded_on": "2024-02-30"}, "founded_on", 422),
        ({"kind": "castle"}, "kind", 422),
        ({"fulltime_staff": -1}, "fulltime_staff", 422),
        ({"code": "NJ"}, "code", 400),
        ({"name": "x" * 129}, "name", 422),
    ],
)
def test_create_child_invalid_input_names_the_field(tree, as_, override, field, status):
    api = as_(tree.county_staff)  # issuing the token writes its own audit row
    before = (Organization.objects.count(), AuditEvent.objects.count())
    response = api.post(f"/api/orgs/{tree.xw.pk}/children", {**CHILD, **override})
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert (Organization.objects.count(), AuditEvent.objects.count()) == before


def test_create_child_missing_name_is_422_naming_name(tree, as_):
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.xw.pk}/children", {"code": "X", "kind": "volunteer_team"})
    assert response.status_code == 422
    assert response.json()["field"] == "name"


def test_create_child_malformed_json_is_400(tree, as_):
    api = as_(tree.county_staff)
    response = api.client.post(f"/api/orgs/{tree.xw.pk}/children", "{not json", content_type="application/json", headers=api.headers)
    assert response.status_code == 400


def test_create_child_by_leader_is_403(tree, as_):
    response = as_(tree.county_leader).post(f"/api/orgs/{tree.xw.pk}/children", CHILD)
    assert response.status_code == 403
    assert not Organization.objects.filter(code="XW-VT").exists()


def test_create_child_outside_scope_is_404(tree, as_):
    assert as_(tree.county_staff).post(f"/api/orgs/{tree.qh.pk}/children", CHILD).status_code == 404


def test_update_org_changes_only_sent_fields_and_audits_old_and_new(tree, as_):
    response = as_(tree.county_staff).patch(f"/api/orgs/{tree.xw.pk}", {"fulltime_staff": 3, "party_coverage": "independent", "disciplines": ["520"]})
    assert response.status_code == 200, response.content
    tree.xw.refresh_from_db()
    assert (tree.xw.fulltime_staff, tree.xw.party_coverage, tree.xw.name) == (3, "independent", "玄武区科学技术协会")
    event = AuditEvent.objects.get(action="organization.updated", object_id=str(tree.xw.pk))
    assert event.old == {"fulltime_staff": 0, "party_coverage": "none", "disciplines": []}
    assert event.new == {"fulltime_staff": 3, "party_coverage": "independent", "disciplines": ["520"]}


def test_update_org_clears_region_of_non_territorial(tree, as_):
    response = as_(tree.county_staff).patch(f"/api/orgs/{tree.ent.pk}", {"region": None, "host_id": None, "address": None})
    assert response.status_code == 200, response.content
    tree.ent.refresh_from_db()
    assert (tree.ent.region_id, tree.ent.host_id, tree.ent.address) == (None, None, "")


@pytest.mark.parametrize(
    "body,field,status",
    [
        ({"name": None}, "name", 400),
        ({"code": "NJ"}, "code", 400),
        ({"region": "320104"}, "region", 400),
        ({"kind": "township_assoc"}, "region", 400),
        ({"term_start": "2025-01-01", "term_end": "2024-12-31"}, "term_end", 400),
        ({"host_id": 987654}, "host_id", 400),
        ({"term_end": "someday"}, "term_end", 422),
    ],
)
def test_update_org_invalid_input_names_the_field(tree, as_, body, field, status):
    api = as_(tree.county_staff)
    before = AuditEvent.objects.count()
    response = api.patch(f"/api/orgs/{tree.xw.pk}", body)
    assert response.status_code == status, response.content
    assert field in error_fields(response)
    assert AuditEvent.objects.count() == before
    tree.xw.refresh_from_db()
    assert (tree.xw.name, tree.xw.code, tree.xw.region_id) == ("玄武区科学技术协会", "XW", "320102")


def test_update_org_by_leader_is_403(tree, as_):
    assert as_(tree.county_leader).patch(f"/api/orgs/{tree.xw.pk}", {"description": "x"}).status_code == 403


def test_change_status_records_reason(tree, as_):
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.my.pk}/status", {"status": "dormant", "reason": "无活动"})
    assert response.status_code == 200
    assert response.json()["status"] == "dormant"
    event = AuditEvent.objects.get(action="organization.status_changed")
    assert (event.old, event.new) == ({"status": "active"}, {"status": "dormant", "reason": "无活动"})


def test_change_status_illegal_transition_is_409(tree, as_):
    api = as_(tree.county_staff)
    assert api.post(f"/api/orgs/{tree.my.pk}/status", {"status": "dissolved"}).status_code == 200
    response = api.post(f"/api/orgs/{tree.my.pk}/status", {"status": "active"})
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_status"


def test_change_status_dissolve_with_children_is_409_naming_status(tree, as_):
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.xw.pk}/status", {"status": "dissolved"})
    assert response.status_code == 409 and response.json()["code"] == "has_children"
    assert response.json()["field"] == "status"


def test_change_status_unknown_value_is_422_naming_status(tree, as_):
    response = as_(tree.county_staff).post(f"/api/orgs/{tree.my.pk}/status", {"status": "asleep"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_move_org_rewrites_subtree_and_audits(tree, as_):
    assert as_(tree.nj_staff).post(f"/api/orgs/{tree.my.pk}/move", {"new_parent_id": tree.ent.pk}).status_code == 200
    response = as_(tree.nj_staff).post(f"/api/orgs/{tree.ent.pk}/move", {"new_parent_id": tree.nj.pk})
    assert response.status_code == 200, response.content
    tree.my.refresh_from_db()
    assert tree.my.path.startswith(Organization.objects.get(pk=tree.ent.pk).path) and tree.my.path.startswith(tree.nj.path)
    event = AuditEvent.objects.filter(action="organization.moved").latest("id")
    assert (event.old, event.new) == ({"parent": tree.xw.pk}, {"parent": tree.nj.pk})


def test_move_org_outside_the_new_parents_region_is_400(tree, as_):
    response = as_(tree.nj_staff).post(f"/api/orgs/{tree.xw.pk}/move", {"new_parent_id": tree.qh.pk})
    assert response.status_code == 400 and response.json()["code"] == "region_outside_parent"


def test_move_org_under_own_branch_is_400_naming_new_parent_id(tree, as_):
    response = as_(tree.nj_staff).post(f"/api/orgs/{tree.xw.pk}/move", {"new_parent_id": tree.my.pk})
    assert response.status_code == 400
    assert response.json()["field"] == "new_parent_id"


@pytest.mark.parametrize("new_parent", ["wx", "missing"])
def test_move_org_to_parent_outside_scope_is_400_naming_new_parent_id(tree, as_, new_parent):
    pk = getattr(tree, new_parent).pk if new_parent != "missing" else 987654
    response = as_(tree.nj_staff).post(f"/api/orgs/{tree.xw.pk}/move", {"new_parent_id": pk})
    assert response.status_code == 400
    assert response.json()["field"] == "new_parent_id"
    assert not AuditEvent.objects.filter(action="organization.moved").exists()


# ---- Coverage ------------------------------------------------------------------------------


def test_coverage_returns_counts_and_gaps(tree, as_):
    response = as_(tree.nj_staff).get("/api/coverage", region="320100")
    assert response.status_code == 200
    data = response.json()
    assert data["region"]["code"] == "320100"
    gaps = {row["code"] for row in data["counties"]["gaps"]}
    assert "320102" not in gaps and "320104" not in gaps and data["counties"]["gap_count"] == len(gaps)
    enterprises = next(row for row in data["institutions"] if row["kind"] == "enterprise")
    assert (enterprises["total"], enterprises["gap_count"]) == (1, 0)  # 紫金科技 has its association


def test_coverage_region_outside_territory_is_404(tree, as_):
    assert as_(tree.county_staff).get("/api/coverage", region="320104").status_code == 404


def test_coverage_unknown_region_is_400_naming_region(tree, as_):
    response = as_(tree.county_staff).get("/api/coverage", region="329999")
    assert response.status_code == 400
    assert response.json()["field"] == "region"


def test_coverage_missing_region_is_422_naming_region(tree, as_):
    response = as_(tree.county_staff).get("/api/coverage")
    assert response.status_code == 422
    assert response.json()["field"] == "region"


# ---- Filings -------------------------------------------------------------------------------


def test_submit_filing_with_bearer_stores_and_masks_phone(tree, as_):
    response = as_(tree.worker).post("/api/filings", filing_body(tree))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["contact_phone_masked"] == "138****1111"
    assert "13800001111" not in response.content.decode()
    assert "contact_phone" not in data
    filing = Filing.objects.get(pk=data["id"])
    assert filing.parent == tree.xw and filing.submitted_by == tree.worker
    event = AuditEvent.objects.get(action="filing.submitted")
    assert event.new["contact_phone"] == "138****1111"


def test_submit_filing_with_session_works(tree, client):
    client.force_login(tree.worker)
    assert client.post("/api/filings", filing_body(tree), content_type="application/json").status_code == 201


def test_submit_filing_invalid_fields_are_all_named(tree, as_):
    response = as_(tree.worker).post(
        "/api/filings", filing_body(tree, kind="university_assoc", host_uscc="91320102MA1XYW0110", contact_phone="12345", founded_on="2999-01-01")
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "host_uscc", "contact_phone", "founded_on"}
    assert not Filing.objects.exists()


@pytest.mark.parametrize(
    "override,field,status",
    [
        ({"parent_id": 987654}, "parent_id", 400),
        ({"region": "888888"}, "region", 400),
        ({"region": "320200"}, "region", 400),
        ({"member_count": 0}, "member_count", 422),
        ({"founded_on": "yesterday"}, "founded_on", 422),
        ({"chair_name": ""}, "chair_name", 400),
        ({"chair_name": "名" * 65}, "chair_name", 422),
    ],
)
def test_submit_filing_invalid_input_names_the_field(tree, as_, override, field, status):
    response = as_(tree.worker).post("/api/filings", filing_body(tree, **override))
    assert response.status_code == status, response.content
    assert field in error_fields(response)


def test_submit_filing_to_non_territorial_parent_is_400_naming_parent_id(tree, as_):
    response = as_(tree.worker).post("/api/filings", filing_body(tree, parent_id=tree.soc.pk))
    assert response.status_code == 400
    assert response.json()["field"] == "parent_id"


def test_submit_filing_to_dormant_parent_is_400_naming_parent_id(tree, as_):
    services.change_organization_status(tree.xw, actor=tree.platform, status="dormant")
    response = as_(tree.worker).post("/api/filings", filing_body(tree))
    assert response.status_code == 400
    assert "parent_id" in error_fields(response)


def test_list_filings_separates_boxes(tree, as_):
    mine = submitted_filing(tree, actor=tree.county_staff, parent=tree.nj, region=tree.regions["320100"])
    theirs = submitted_filing(tree, host_uscc=uscc("91320102MA1XYW012"))
    api = as_(tree.county_staff)
    assert [row["id"] for row in api.get("/api/filings", box="mine").json()["items"]] == [mine.pk]
    assert [row["id"] for row in api.get("/api/filings", box="decide").json()["items"]] == [theirs.pk]
    both = api.get("/api/filings").json()
    assert both["count"] == 2 and {row["id"] for row in both["items"]} == {mine.pk, theirs.pk}
    assert api.get("/api/filings", status="returned").json()["count"] == 0
    assert as_(tree.sibling_staff).get("/api/filings").json()["count"] == 0


def test_list_filings_bad_box_is_422_naming_box(tree, as_):
    response = as_(tree.worker).get("/api/filings", box="everything")
    assert response.status_code == 422
    assert response.json()["field"] == "box"


def test_get_filing_by_submitter_and_by_staff_shows_masked_phone(tree, as_):
    filing = submitted_filing(tree)
    for user in (tree.worker, tree.county_staff, tree.county_leader, tree.nj_staff):
        response = as_(user).get(f"/api/filings/{filing.pk}")
        assert response.status_code == 200, user
        assert response.json()["contact_phone_masked"] == "138****1111"
        assert "13800001111" not in response.content.decode()
    assert as_(tree.worker).get(f"/api/filings/{filing.pk}").json()["can_edit"] is True
    assert as_(tree.county_staff).get(f"/api/filings/{filing.pk}").json()["can_decide"] is True


def test_get_filing_outside_scope_is_404(tree, as_):
    filing = submitted_filing(tree)
    assert as_(tree.sibling_staff).get(f"/api/filings/{filing.pk}").status_code == 404


def test_approve_filing_creates_organization_and_audits(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/approve", {"code": "XW-ZS"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    org = Organization.objects.get(code="XW-ZS")
    assert org.parent == tree.xw and org.kind == "enterprise_assoc" and org.host.uscc == filing.host_uscc
    assert set(AuditEvent.objects.filter(object_id__in=[str(filing.pk), str(org.pk)]).values_list("action", flat=True)) >= {
        "filing.approved",
        "organization.created",
    }


def test_approve_filing_with_empty_body_uses_automatic_code(tree, as_):
    filing = submitted_filing(tree)
    api = as_(tree.county_staff)
    response = api.client.post(f"/api/filings/{filing.pk}/approve", headers=api.headers, content_type="application/json")
    assert response.status_code == 200, response.content
    assert Organization.objects.filter(code=f"F{filing.pk:06d}").exists()


def test_approve_filing_with_taken_code_is_400_naming_code(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/approve", {"code": "NJ"})
    assert response.status_code == 400
    assert response.json()["field"] == "code"
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


@pytest.mark.parametrize("actor", ["worker", "county_leader"])
def test_approve_filing_without_manage_role_is_403(tree, as_, actor):
    filing = submitted_filing(tree)
    assert as_(getattr(tree, actor)).post(f"/api/filings/{filing.pk}/approve").status_code == 403


def test_approve_own_filing_is_403(tree, as_):
    filing = submitted_filing(tree, actor=tree.county_staff)
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/approve")
    assert response.status_code == 403
    assert as_(tree.nj_staff).post(f"/api/filings/{filing.pk}/approve").status_code == 200


def test_return_filing_then_resubmit(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/return", {"reason": "请补充章程"})
    assert response.status_code == 200
    assert response.json()["return_reason"] == "请补充章程"
    response = as_(tree.worker).put(f"/api/filings/{filing.pk}", filing_body(tree, member_count=55, charter_summary="章程已补充"))
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["member_count"]) == ("submitted", 55)
    event = AuditEvent.objects.get(action="filing.resubmitted")
    assert event.old["member_count"] == 40 and event.new["member_count"] == 55


def test_return_filing_with_blank_reason_is_400_naming_reason(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/return", {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    response = as_(tree.county_staff).post(f"/api/filings/{filing.pk}/return", {})
    assert response.status_code == 422
    assert response.json()["field"] == "reason"


def test_resubmit_filing_not_returned_is_409(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.worker).put(f"/api/filings/{filing.pk}", filing_body(tree))
    assert response.status_code == 409


def test_resubmit_filing_by_staff_is_403(tree, as_):
    filing = submitted_filing(tree)
    services.return_filing(filing, actor=tree.county_staff, reason="补充")
    assert as_(tree.county_staff).put(f"/api/filings/{filing.pk}", filing_body(tree)).status_code == 403


def test_resubmit_filing_invalid_input_names_the_field(tree, as_):
    filing = submitted_filing(tree)
    services.return_filing(filing, actor=tree.county_staff, reason="补充")
    response = as_(tree.worker).put(f"/api/filings/{filing.pk}", filing_body(tree, contact_phone="110"))
    assert response.status_code == 400
    assert response.json()["field"] == "contact_phone"


def test_withdraw_filing_by_submitter(tree, as_):
    filing = submitted_filing(tree)
    response = as_(tree.worker).post(f"/api/filings/{filing.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert AuditEvent.objects.filter(action="filing.withdrawn", object_id=str(filing.pk)).exists()
    assert as_(tree.worker).post(f"/api/filings/{filing.pk}/withdraw").status_code == 409


def test_withdraw_filing_by_staff_is_403(tree, as_):
    filing = submitted_filing(tree)
    assert as_(tree.county_staff).post(f"/api/filings/{filing.pk}/withdraw").status_code == 403


# ---- Audit log -----------------------------------------------------------------------------


def test_list_audit_shows_writes_of_the_scope(tree, as_):
    as_(tree.county_staff).patch(f"/api/orgs/{tree.my.pk}", {"description": "街道科协"})
    as_(tree.sibling_staff).patch(f"/api/orgs/{tree.qh.pk}", {"description": "秦淮"})
    data = as_(tree.county_staff).get("/api/audit", action="organization.updated").json()
    assert [(row["object_id"], row["actor_name"]) for row in data["items"]] == [(str(tree.my.pk), "xw_staff")]
    assert data["items"][0]["new"] == {"description": "街道科协"}
    nj = as_(tree.nj_staff).get("/api/audit", action="organization.updated").json()
    assert nj["count"] == 2
    within = as_(tree.nj_staff).get("/api/audit", action="organization.updated", organization=tree.qh.pk).json()
    assert [row["object_id"] for row in within["items"]] == [str(tree.qh.pk)]


def test_list_audit_paginates(tree, as_):
    api = as_(tree.province_staff)
    total = api.get("/api/audit").json()["count"]
    page = api.get("/api/audit", limit=2, offset=1).json()
    assert page["count"] == total and len(page["items"]) == 2


def test_list_audit_by_leader_is_empty(tree, as_):
    assert as_(tree.county_leader).get("/api/audit").json()["count"] == 0


def test_list_audit_organization_outside_scope_is_404_naming_organization(tree, as_):
    response = as_(tree.county_staff).get("/api/audit", organization=tree.nj.pk)
    assert response.status_code == 404
    assert response.json()["field"] == "organization"


# ---- The documentation -------------------------------------------------------------------


def test_openapi_describes_every_endpoint(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/orgs",
        "/api/orgs/{id}",
        "/api/orgs/{id}/children",
        "/api/orgs/{id}/subtree-counts",
        "/api/orgs/{id}/status",
        "/api/orgs/{id}/move",
        "/api/orgs/{id}/roles",
        "/api/coverage",
        "/api/filings",
        "/api/filings/{id}",
        "/api/filings/{id}/approve",
        "/api/filings/{id}/return",
        "/api/filings/{id}/withdraw",
        "/api/audit",
    ):
        for method, operation in paths[path].items():
            assert operation.get("description"), f"{method.upper()} {path} has no description"
    assert set(paths["/api/orgs/{id}"]) == {"get", "patch"}
    assert set(paths["/api/filings/{id}"]) == {"get", "put"}


def test_docs_page_renders(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
