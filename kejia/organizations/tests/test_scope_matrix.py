"""The scope matrix: actor × endpoint that takes an object id (JSON API and HTML pages, GET and
POST) × object of the fixture federation (organizations, filings, divisions).

Which objects lie outside an actor's scope is computed from their paths with
`kejia.accounts.scope`, never listed by hand. Each (actor, endpoint) case requests every
object outside the scope and expects 403/404 with nothing written (the audit log, the object and
every row a write could add are compared). Its positive controls: for each outcome an object inside
the scope can have (allowed, in scope without the role, allowed but not in this state), one such
object is requested too: 2xx (or a page's redirect) with an audit row, 403, or 400/409, so no case
can pass by refusing everything. List endpoints and list pages are checked row by row. A guard
walks the URL resolver and the API's routes and fails when a route with an object id is not in
the matrix, so no future endpoint can skip it.

The federation (conftest's `tree` plus filings) is built once per module in a transaction rolled
back at the end; each request runs in a savepoint of its own, so no write outlives it. One
(actor, endpoint) case groups its objects' requests: the matrix is ~2 000 requests, and a test
per request would spend more time in pytest than in the application."""

import dataclasses
import datetime
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.api import api
from kejia.core.models import AuditEvent
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.core.validators import uscc_check_char
from kejia.organizations import services
from kejia.organizations.kinds import TERRITORIAL_LEVEL
from kejia.organizations.models import Filing, FilingStatus, Institution, Organization

ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker"]
ORGS = ["js", "nj", "xw", "my", "ent", "qh", "wx", "lx", "soc", "soc_ai"]
# The matrix's organizations: every relation to every actor (self, child, parent, grandparent,
# sibling, uncle, cousin, another branch and its child). XW-ENT is left out of the matrix only,
# being in every relation what XW-MY is (the list checks still cover it).
MATRIX_ORGS = [key for key in ORGS if key != "ent"]
REGIONS = ["320000", "320100", "320102", "320102002", "320104", "320200", "320213"]
# key: (submitter, guiding association, region, returned by) — both open states, every submitter kind.
FILINGS = {
    "f_xw": ("worker", "xw", "320102", None),
    "f_xw_returned": ("worker", "xw", "320102", "county_staff"),
    "f_my_by_county": ("county_staff", "my", "320102002", None),
    "f_qh": ("worker", "qh", "320104", None),
    "f_lx": ("worker", "lx", "320213", None),
    "f_nj_by_sibling": ("sibling_staff", "nj", "320104", None),
    "f_js_by_society": ("society_secretary", "js", "320200", "province_staff"),
}


# ---- The federation, once per module ---------------------------------------------------------


def _build_filings(w) -> dict[str, Filing]:
    filings = {}
    for i, (key, (submitter, parent, region, returned_by)) in enumerate(FILINGS.items()):
        first17 = f"91320102MA1XYW0{20 + i:02d}"
        filing = services.submit_filing(
            actor=getattr(w, submitter),
            name=f"{'甲乙丙丁戊己庚'[i]}号矩阵科技有限公司科学技术协会",
            kind="enterprise_assoc",
            parent=getattr(w, parent),
            region=w.regions[region],
            host_name=f"{'甲乙丙丁戊己庚'[i]}号矩阵科技有限公司",
            host_uscc=first17 + uscc_check_char(first17),
            founded_on=datetime.date(2025, 3, 1),
            member_count=30,
            chair_name="王工",
            contact_name="陈工",
            contact_phone="13800001111",
        )
        if returned_by:
            filing = services.return_filing(filing, actor=getattr(w, returned_by), reason="请补充章程")
        filings[key] = Filing.objects.select_related("parent", "region").get(pk=filing.pk)
    return filings


def _build(w) -> None:
    w.orgs = {key: getattr(w, key) for key in ORGS}
    w.filings = _build_filings(w)


# conftest's `tree` (the same builder, called once) plus filings, a token per actor and a page
# client per actor (and the platform administrator); `db` is a savepoint per test.
_world, db, world = sm.fixtures(_build, actors=ACTORS, page_actors=[*ACTORS, "platform"])


# ---- Who may do what: computed from paths ------------------------------------------------------


def can_see_filing(user, filing) -> bool:
    return filing.submitted_by_id == user.pk or scope.can_view(user, filing.parent)


def can_analyse(w, user, region) -> bool:
    """Coverage of a division is for the territorial associations in one's scope (selectors.
    coverage_regions' own rule), so a division is inside when one of them covers it."""
    return any(
        region.path.startswith(org.region.path) for org in w.orgs.values() if org.kind in TERRITORIAL_LEVEL and org.region_id and scope.can_view(user, org)
    )


def move_target(w, user, org) -> Organization | None:
    """A new parent the actor may use: the current one if managed, else any managed organization
    outside the moved subtree; None when there is none (the move is refused with a 400)."""
    if org.parent_id is None:
        return None
    candidates = [o for o in w.orgs.values() if o.pk == org.parent_id] + list(w.orgs.values())
    return next((o for o in candidates if scope.can_manage(user, o) and not o.path.startswith(org.path)), None)


INSIDE: dict[str, Callable] = {
    "org": lambda w, user, obj: scope.can_view(user, obj),
    "filing": lambda w, user, obj: can_see_filing(user, obj),
    "region": can_analyse,
}
NEEDS: dict[str, Callable] = {
    "view": lambda w, user, obj: scope.can_view(user, obj),
    "manage": lambda w, user, obj: scope.can_manage(user, obj),
    "administer": lambda w, user, obj: scope.can_administer(user, obj),
    "see_filing": lambda w, user, obj: can_see_filing(user, obj),
    "own_filing": lambda w, user, obj: obj.submitted_by_id == user.pk,
    "decide": lambda w, user, obj: scope.can_manage(user, obj.parent) and obj.submitted_by_id != user.pk,
    "analyse": can_analyse,
}
STATES: dict[str, Callable] = {
    "any": lambda w, user, obj: True,
    "movable": lambda w, user, obj: move_target(w, user, obj) is not None,
    "returned": lambda w, user, obj: obj.status == FilingStatus.RETURNED,
    "submitted": lambda w, user, obj: obj.status == FilingStatus.SUBMITTED,
    "open": lambda w, user, obj: obj.status in (FilingStatus.SUBMITTED, FilingStatus.RETURNED),
}


# ---- Request bodies -----------------------------------------------------------------------------

NEW_CHILD = {"name": "矩阵科技志愿服务队", "code": "MATRIX-NEW", "kind": "volunteer_team"}


def api_move_body(w, user, org):
    target = move_target(w, user, org)
    return {"new_parent_id": target.pk if target else (org.parent_id or org.pk)}


def html_move_body(w, user, org):
    target = move_target(w, user, org) or (w.js if org.parent_id else org)
    return {"parent": target.code}


def html_org_form(w, user, org):
    def text(value):
        return "" if value is None else str(value)

    data = {
        name: text(getattr(org, name))
        for name in (
            "name",
            "short_name",
            "code",
            "kind",
            "founded_on",
            "term_start",
            "term_end",
            "fulltime_staff",
            "party_coverage",
            "uscc",
            "address",
            "website",
        )
    }
    data.update(region=org.region_id or "", description="矩阵", disciplines="")
    if org.is_legal_person:
        data["is_legal_person"] = "on"
    return data


def filing_fields(filing) -> dict[str, Any]:
    return {
        "name": filing.name,
        "kind": filing.kind,
        "region": filing.region_id,
        "host_name": filing.host_name,
        "host_uscc": filing.host_uscc,
        "founded_on": filing.founded_on.isoformat(),
        "member_count": 31,
        "chair_name": filing.chair_name,
        "contact_name": filing.contact_name,
        "charter_summary": "矩阵",
    }


def api_filing_body(w, user, filing):
    return {**filing_fields(filing), "parent_id": filing.parent_id, "contact_phone": "13800001111"}


def html_filing_form(w, user, filing):
    return {**filing_fields(filing), "parent": filing.parent.code, "contact_phone": ""}


# ---- The endpoints ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint:
    door: str  # "api": a path with {id}; "html": a URL name (with an optional "?param={id}")
    method: str
    route: str
    target: str  # "org", "filing" or "region"
    need: str  # key of NEEDS
    state: str = "any"
    body: Callable | None = None

    @property
    def key(self) -> str:
        return f"{self.door} {self.method} {self.route}"

    def url(self, obj) -> str:
        ident = obj.code if self.target == "region" else obj.pk
        if self.door == "api":
            return self.route.replace("{id}", str(ident))
        name, _, query = self.route.partition("?")
        if query:
            return reverse(name) + "?" + query.replace("{id}", str(ident))
        return reverse(name, kwargs={"pk": ident})

    @property
    def writes(self) -> bool:
        return self.method != "GET"


E = Endpoint
ENDPOINTS = [
    # JSON API
    E("api", "GET", "/api/orgs/{id}", "org", "view"),
    E("api", "GET", "/api/orgs/{id}/children", "org", "view"),
    E("api", "GET", "/api/orgs/{id}/subtree-counts", "org", "view"),
    E("api", "GET", "/api/orgs/{id}/roles", "org", "view"),
    E("api", "POST", "/api/orgs/{id}/children", "org", "manage", body=fixed(NEW_CHILD)),
    E("api", "PATCH", "/api/orgs/{id}", "org", "manage", body=fixed({"description": "矩阵"})),
    E("api", "POST", "/api/orgs/{id}/status", "org", "manage", body=fixed({"status": "dormant", "reason": "矩阵"})),
    E("api", "POST", "/api/orgs/{id}/move", "org", "manage", "movable", body=api_move_body),
    E("api", "GET", "/api/orgs?within={id}", "org", "view"),
    E("api", "GET", "/api/audit?organization={id}", "org", "view"),
    E("api", "GET", "/api/coverage?region={id}", "region", "analyse"),
    E("api", "GET", "/api/filings/{id}", "filing", "see_filing"),
    E("api", "PUT", "/api/filings/{id}", "filing", "own_filing", "returned", body=api_filing_body),
    E("api", "POST", "/api/filings/{id}/approve", "filing", "decide", "submitted", body=fixed({})),
    E("api", "POST", "/api/filings/{id}/return", "filing", "decide", "submitted", body=fixed({"reason": "矩阵"})),
    E("api", "POST", "/api/filings/{id}/withdraw", "filing", "own_filing", "open"),
    # HTML pages
    E("html", "GET", "organizations:detail", "org", "view"),
    E("html", "GET", "organizations:children", "org", "view"),
    E("html", "GET", "organizations:create", "org", "manage"),
    E("html", "POST", "organizations:create", "org", "manage", body=fixed({**NEW_CHILD, "party_coverage": "none"})),
    E("html", "GET", "organizations:edit", "org", "manage"),
    E("html", "POST", "organizations:edit", "org", "manage", body=html_org_form),
    E("html", "GET", "organizations:status", "org", "manage"),
    E("html", "POST", "organizations:status", "org", "manage", body=fixed({"status": "dormant", "reason": "矩阵"})),
    E("html", "GET", "organizations:move", "org", "manage"),
    E("html", "POST", "organizations:move", "org", "manage", "movable", body=html_move_body),
    E("html", "GET", "organizations:roles", "org", "view"),
    E("html", "POST", "organizations:roles", "org", "administer", body=fixed({"username": "worker", "kind": "leader", "title": "联络员"})),
    E("html", "GET", "organizations:search?within={id}", "org", "view"),
    E("html", "GET", "organizations:audit?organization={id}", "org", "view"),
    E("html", "GET", "organizations:filing_new?parent={id}", "org", "view"),
    E("html", "GET", "organizations:coverage?region={id}", "region", "analyse"),
    E("html", "GET", "organizations:filing_detail", "filing", "see_filing"),
    E("html", "GET", "organizations:filing_edit", "filing", "own_filing", "returned"),
    E("html", "POST", "organizations:filing_edit", "filing", "own_filing", "returned", body=html_filing_form),
    E("html", "POST", "organizations:filing_approve", "filing", "decide", "submitted", body=fixed({"code": ""})),
    E("html", "POST", "organizations:filing_return", "filing", "decide", "submitted", body=fixed({"reason": "矩阵"})),
    E("html", "POST", "organizations:filing_withdraw", "filing", "own_filing", "open"),
]
OBJECTS = {"org": MATRIX_ORGS, "filing": list(FILINGS), "region": REGIONS}

# Known bugs outside this module's reach, each failing its rows until fixed (strict: a fix turns
# the xfail into a failure, so the mark is removed with the fix).
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _cases():
    for actor in ACTORS:
        for endpoint in ENDPOINTS:
            bug = KNOWN_BUGS.get((actor, endpoint.target))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(actor, endpoint, id=f"{actor}|{endpoint.key}", marks=marks)


CASES = list(_cases())


def resolve(w, endpoint: Endpoint, key: str):
    if endpoint.target == "org":
        return w.orgs[key]
    if endpoint.target == "filing":
        return w.filings[key]
    return w.regions[key]


def expectation(w, actor_name: str, endpoint: Endpoint, key: str) -> str:
    """outside | forbidden (in scope, wrong role) | refused (allowed, but not in this state) | ok"""
    user, obj = getattr(w, actor_name), resolve(w, endpoint, key)
    if not INSIDE[endpoint.target](w, user, obj):
        return "outside"
    if not NEEDS[endpoint.need](w, user, obj):
        return "forbidden"
    if not STATES[endpoint.state](w, user, obj):
        return "refused"
    return "ok"


def database_state(endpoint: Endpoint, obj) -> tuple:
    """What any write would change, in one query: the audit log's size, the rows a write could add
    (an organization, a role, a host unit), the latest change of any organization or filing, and
    the object's own row (a move rewrites paths without touching `updated_at`)."""
    org, filing = sm.table(Organization), sm.table(Filing)
    sql = [*sm.counts(AuditEvent, Organization, Role, Institution), *sm.latest(Organization, Filing)]
    params: list = []
    if endpoint.target == "org":
        sql += [f"SELECT path FROM {org} WHERE id = %s", f"SELECT parent_id FROM {org} WHERE id = %s"]
        params += [obj.pk, obj.pk]
    elif endpoint.target == "filing":
        sql += [f"SELECT status FROM {filing} WHERE id = %s", f"SELECT organization_id FROM {filing} WHERE id = %s"]
        params += [obj.pk, obj.pk]
    return sm.snapshot(sql, params)


def page_client(w, actor_name: str) -> Client:
    return sm.page_client(w, actor_name)


def send(w, actor_name: str, endpoint: Endpoint, obj):
    body = endpoint.body(w, getattr(w, actor_name), obj) if endpoint.body else {}
    return sm.request(w, actor_name, endpoint.door, endpoint.method, endpoint.url(obj), body)


# ---- The matrix -----------------------------------------------------------------------------------


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """Send one request in a savepoint of its own; what went wrong, or None.

    outside: 403/404 and no write. forbidden (in scope, not the role): 403 (a page may hide it
    as a 404) and no write. refused (allowed, not in this state): 400/409 and no write.
    ok: 2xx (a page's POST: a redirect, not to the login page) and, for a write, an audit row."""
    obj = resolve(w, endpoint, key)
    response, before, after = sm.in_savepoint(lambda: database_state(endpoint, obj), lambda: send(w, actor, endpoint, obj))
    return sm.judge(
        response,
        before,
        after,
        expected,
        where=f"{endpoint.method} {endpoint.url(obj)} ({key}, {expected})",
        door=endpoint.door,
        method=endpoint.method,
        audited=endpoint.writes,
        api_ok=(200, 201),
    )


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    """Every object outside the actor's scope (computed from paths, see INSIDE) is refused with
    403/404 and nothing written. The positive controls: for each outcome an object inside the
    scope can have (allowed, forbidden, refused in its state), the first such object is tried
    too, so the case cannot pass by refusing everything."""
    outcomes = {key: expectation(world, actor, endpoint, key) for key in OBJECTS[endpoint.target]}
    controls = {}
    for key, outcome in outcomes.items():
        if outcome != "outside":
            controls.setdefault(outcome, key)
    keys = [key for key, outcome in outcomes.items() if outcome == "outside"] + list(controls.values())
    assert any(outcome == "outside" for outcome in outcomes.values()), f"nothing lies outside the scope of {actor}"
    failures = [problem for key in keys if (problem := check(world, actor, endpoint, key, outcomes[key]))]
    assert not failures, f"{actor}:\n" + "\n".join(failures)


def test_matrix_has_outside_and_allowed_cases_for_every_endpoint(world):
    """The positive control of the matrix as a whole: every endpoint has an actor allowed on an
    object, every actor is allowed somewhere, and the 403 of "in scope, not the role" is tried."""
    outcomes: dict[tuple[str, str], set[str]] = {}
    for actor in ACTORS:
        for endpoint in ENDPOINTS:
            outcomes[(actor, endpoint.key)] = {expectation(world, actor, endpoint, key) for key in OBJECTS[endpoint.target]}
    for endpoint in ENDPOINTS:
        assert any("ok" in outcomes[(actor, endpoint.key)] for actor in ACTORS), f"no allowed case for {endpoint.key}"
    for actor in ACTORS:
        assert any("ok" in outcomes[(actor, endpoint.key)] for endpoint in ENDPOINTS), f"{actor} is allowed nothing"
    assert any("forbidden" in found for found in outcomes.values()), "no case checks the 403 of a role too weak"


# ---- List pages and list endpoints never show what lies outside --------------------------------

api_get = sm.api_get


@pytest.mark.parametrize("actor", ACTORS)
def test_list_orgs_api_returns_exactly_the_scope(world, actor):
    user = getattr(world, actor)
    expected = {org.pk for org in world.orgs.values() if scope.can_view(user, org)}
    for params in ({}, {"region": "320000"}, {"q": "会"}, {"kind": "county_assoc"}):
        data = api_get(world, actor, "/api/orgs", limit=200, **params)
        rows = {row["id"] for row in data["items"]}
        assert rows <= expected, f"{actor} {params}: outside rows {rows - expected}"
        assert data["count"] == len(rows)
    assert {row["id"] for row in api_get(world, actor, "/api/orgs", limit=200)["items"]} == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_list_audit_api_returns_exactly_the_managed_scope(world, actor):
    user = getattr(world, actor)
    expected = {e.pk for e in AuditEvent.objects.all() if e.org_path and scope.covers(user, e.org_path, scope.MANAGE_KINDS)}
    data = api_get(world, actor, "/api/audit", limit=200)
    assert data["count"] < 200
    assert {row["id"] for row in data["items"]} == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_list_filings_api_returns_own_and_decidable_only(world, actor):
    user = getattr(world, actor)
    filings = world.filings.values()
    mine = {f.pk for f in filings if f.submitted_by_id == user.pk}
    decide = {f.pk for f in filings if scope.can_manage(user, f.parent)}
    assert {row["id"] for row in api_get(world, actor, "/api/filings", box="mine")["items"]} == mine
    assert {row["id"] for row in api_get(world, actor, "/api/filings", box="decide")["items"]} == decide
    assert {row["id"] for row in api_get(world, actor, "/api/filings")["items"]} == mine | decide
    for row in api_get(world, actor, "/api/filings")["items"]:
        assert "13800001111" not in str(row)


HTML_LISTS = [
    "organizations:tree",
    "organizations:search?q=会",
    "organizations:audit",
    "organizations:filing_list",
    "home:front",
    # The expert search's organization picker (kejia/search): its matches are the caller's scope.
    "search:organizations?field=organization&organization_q=会",
]


@pytest.mark.parametrize("page", HTML_LISTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_list_page_shows_nothing_outside_the_scope(world, actor, page):
    user = getattr(world, actor)
    name, _, query = page.partition("?")
    response = page_client(world, actor).get(reverse(name) + (f"?{query}" if query else ""), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    # A visible organization or filing may name its guiding organization (a column, not a row of it).
    guiding = {org.parent_id for org in world.orgs.values() if scope.can_view(user, org)}
    guiding |= {f.parent_id for f in world.filings.values() if can_see_filing(user, f)}
    hidden_orgs = [org.name for org in world.orgs.values() if not scope.can_view(user, org) and org.pk not in guiding]
    hidden_filings = [f.name for f in world.filings.values() if not can_see_filing(user, f)]
    leaked = [text for text in hidden_orgs + hidden_filings if text in html]
    assert not leaked, f"{actor} sees on {page}: {leaked}"
    if page.startswith("organizations:search"):
        shown = [org.name for org in world.orgs.values() if scope.can_view(user, org)]
        assert all(text in html for text in shown), f"{actor} misses on {page} some of {shown}"
    if page == "organizations:audit":  # the creation of a managed organization is among its events
        managed = [org.name for org in world.orgs.values() if org.path in scope.role_paths(user, scope.MANAGE_KINDS)]
        assert all(text in html for text in managed), f"{actor} misses on {page} some of {managed}"
    if page == "organizations:filing_list":
        listed = [
            f.name for f in world.filings.values() if f.submitted_by_id == user.pk or (NEEDS["decide"](world, user, f) and f.status == FilingStatus.SUBMITTED)
        ]
        assert all(text in html for text in listed), f"{actor} misses on {page} some of {listed}"


# ---- The guard: no route with an object id escapes the matrix ---------------------------------

# Routes with an id covered by another app's matrix (its own objects and fixtures), named one by
# one (never a whole app) so that a new route still fails the guard.
PEOPLE_MATRIX = "kejia/people/tests/test_scope.py"
OTHER_MATRICES: dict[str, str] = dict.fromkeys(
    [
        "people:detail",
        "people:edit",
        "people:reveal",
        "people:achievement_add",
        "people:achievement_remove",
        "people:listing_add",
        "people:listing_remove",
        "people:consent",
        "people:anonymize",
        "GET /api/people/{id}",
        "PATCH /api/people/{id}",
        "POST /api/people/{id}/reveal",
        "POST /api/people/{id}/anonymize",
        "POST /api/people/{id}/consent",
        "GET /api/people/{id}/achievements",
        "POST /api/people/{id}/achievements",
        "DELETE /api/people/{id}/achievements/{item_id}",
        "GET /api/people/{id}/listings",
        "POST /api/people/{id}/listings",
        "DELETE /api/people/{id}/listings/{item_id}",
        "people:unlink",
        "POST /api/people/{id}/unlink",
    ],
    PEOPLE_MATRIX,
)
# The identity-resolution review queue: scope tested per route in kejia/people/tests/test_review.py
# (outside scope → 404 for pages and API, nothing written).
OTHER_MATRICES.update(
    dict.fromkeys(
        [
            "people:review_detail",
            "people:review_decide",
            "people:merge_undo",
            "GET /api/people/review/{id}",
            "POST /api/people/review/{id}/merge",
            "POST /api/people/review/{id}/keep-apart",
            "POST /api/people/merges/{id}/undo",
        ],
        "kejia/people/tests/test_review.py",
    )
)
# Account link requests after self-registration: every actor, page and API (outside scope → 404).
OTHER_MATRICES.update(dict.fromkeys(["people:link_request_decide", "POST /api/people/link-requests/{id}/decide"], "kejia/people/tests/test_link_requests.py"))
# Memberships: pages and API, each route with an id in the memberships matrix (its own world of
# two societies, their members, documents, payments and classes).
MEMBERSHIPS_MATRIX = "kejia/memberships/tests/test_scope.py"
OTHER_MATRICES.update(
    dict.fromkeys(
        [
            "memberships:detail",
            "memberships:card",
            "memberships:document",
            "memberships:act",
            "memberships:representative_remove",
            "memberships:payment_confirm",
            "memberships:payment_reject",
            "memberships:members",
            "memberships:classes",
            "memberships:classes_defaults",
            "memberships:class_edit",
            "memberships:rules",
            "memberships:society_stats",
            "memberships:society",
            "memberships:apply",
            "memberships:apply_group",
            "GET /api/societies/{id}/member-classes",
            "POST /api/societies/{id}/member-classes",
            "POST /api/societies/{id}/member-classes/defaults",
            "PATCH /api/member-classes/{id}",
            "GET /api/societies/{id}/membership-rules",
            "PATCH /api/societies/{id}/membership-rules",
            "GET /api/societies/{id}/membership-stats",
            "GET /api/memberships/{id}",
            "POST /api/memberships/{id}/approve",
            "POST /api/memberships/{id}/reject",
            "POST /api/memberships/{id}/request-info",
            "POST /api/memberships/{id}/supply",
            "POST /api/memberships/{id}/withdraw",
            "POST /api/memberships/{id}/transfer",
            "POST /api/memberships/{id}/suspend",
            "POST /api/memberships/{id}/reinstate",
            "POST /api/memberships/{id}/terminate",
            "POST /api/memberships/{id}/resign",
            "POST /api/memberships/{id}/readmit",
            "POST /api/memberships/{id}/representatives",
            "DELETE /api/memberships/{id}/representatives/{person_id}",
            "GET /api/memberships/{id}/payments",
            "POST /api/memberships/{id}/payments",
            "POST /api/memberships/{id}/payments/report",
            "POST /api/memberships/{id}/payments/online",
            "POST /api/payments/{id}/confirm",
            "POST /api/payments/{id}/reject",
            "GET /api/memberships/{id}/certificate",
        ],
        MEMBERSHIPS_MATRIX,
    )
)
# "Import the good rows now" of a batch refused as a whole: every actor outside the batch's
# organization's managed scope gets 404 with nothing written (kejia/imports/tests/test_newcomer_defects.py).
OTHER_MATRICES["imports:good_rows"] = "kejia/imports/tests/test_newcomer_defects.py"
# A background export of the talent list: its requester's only — every other actor, the platform
# admins included, gets 404 (kejia/people/tests/test_export_background.py).
OTHER_MATRICES.update(dict.fromkeys(["people:export_detail", "people:export_download"], "kejia/people/tests/test_export_background.py"))
# Public certificate verification: the token is a signed payload, no object id of anyone's scope.
OTHER_MATRICES["verify:check"] = "kejia/memberships/tests/test_certificate_pages.py"
# Governance: pages and API, each route with an id in the governance matrix (its own world of
# bodies, terms, seats, slates, contact duties, rule sets, rules and assignments).
GOVERNANCE_MATRIX = "kejia/governance/tests/test_scope.py"
OTHER_MATRICES.update(
    dict.fromkeys(
        [
            "governance:org",
            "governance:compliance",
            "governance:contacts",
            "governance:body",
            "governance:term_start",
            "governance:seat_add",
            "governance:slate_create",
            "governance:term",
            "governance:seat_vacate",
            "governance:slate",
            "governance:slate_add",
            "governance:slate_remove",
            "governance:slate_delete",
            "governance:contact",
            "governance:contact_visit",
            "governance:contact_end",
            "governance:ruleset",
            "governance:ruleset_edit",
            "governance:rule_add",
            "governance:ruleset_assign",
            "governance:ruleset_unassign",
            "governance:rule_edit",
            "governance:rule_delete",
            "governance:seat_posts",
            "governance:seat_approval",
            "governance:post_declare",
            "governance:declared_post_approval",
            "governance:declared_post_end",
            "GET /api/governance/orgs/{id}/bodies",
            "POST /api/governance/orgs/{id}/bodies",
            "GET /api/governance/orgs/{id}/compliance",
            "GET /api/governance/orgs/{id}/contact-coverage",
            "POST /api/governance/orgs/{id}/contacts",
            "GET /api/governance/bodies/{id}",
            "GET /api/governance/bodies/{id}/terms",
            "POST /api/governance/bodies/{id}/terms",
            "GET /api/governance/bodies/{id}/compliance",
            "POST /api/governance/bodies/{id}/slates",
            "POST /api/governance/terms/{id}/end",
            "POST /api/governance/terms/{id}/seats",
            "POST /api/governance/seats/{id}/vacate",
            "GET /api/governance/slates/{id}",
            "DELETE /api/governance/slates/{id}",
            "POST /api/governance/slates/{id}/entries",
            "DELETE /api/governance/slates/{id}/entries/{person_id}",
            "GET /api/governance/contacts/{id}",
            "POST /api/governance/contacts/{id}/visits",
            "POST /api/governance/contacts/{id}/end",
            "GET /api/governance/rulesets/{id}",
            "PATCH /api/governance/rulesets/{id}",
            "POST /api/governance/rulesets/{id}/rules",
            "POST /api/governance/rulesets/{id}/assignments",
            "PATCH /api/governance/rules/{id}",
            "DELETE /api/governance/rules/{id}",
            "DELETE /api/governance/assignments/{id}",
            "GET /api/governance/seats/{id}/posts",
            "POST /api/governance/seats/{id}/approval",
            "POST /api/governance/seats/{id}/declared-posts",
            "POST /api/governance/declared-posts/{id}/approval",
            "POST /api/governance/declared-posts/{id}/end",
        ],
        GOVERNANCE_MATRIX,
    )
)
# Apps whose matrix module lists its own routes (MATRIX_ROUTES in <app>/tests/test_scope.py).
for _app in ("activities", "volunteering", "voice", "surveys", "home", "accounts", "grassroots", "calls", "review"):
    _module = f"kejia/{_app}/tests/test_scope.py"
    OTHER_MATRICES.update(dict.fromkeys(importlib.import_module(f"kejia.{_app}.tests.test_scope").MATRIX_ROUTES, _module))
# Routes with an id in no matrix yet: debt, listed so that it stays visible.
NOT_YET_IN_MATRIX: dict[str, str] = dict.fromkeys(
    [
        "imports:detail",
        "imports:report",
        "GET /api/imports/{id}",
        "GET /api/imports/{id}/report",
    ],
    "import batches: rows to add with an import-batch object per organization",
)


def _django_routes(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _django_routes(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}:{entry.name}" if namespace else entry.name, prefix + str(entry.pattern)


def _has_parameter(route: str) -> bool:
    return bool(re.search(r"<[^>]+>|\(\?P<", route))


def test_matrix_covers_every_route_with_an_object_id():
    """Every page route with a parameter (from the URL resolver) and every API operation with one
    (from the API's own OpenAPI paths) is in ENDPOINTS, or named in an exemption list above."""
    exempt = {**OTHER_MATRICES, **NOT_YET_IN_MATRIX}
    django_routes = list(_django_routes(get_resolver("kejia.urls").url_patterns))
    html_covered = {e.route.partition("?")[0] for e in ENDPOINTS if e.door == "html"}
    missing_html = sorted(
        name for name, route in django_routes if _has_parameter(route) and not name.startswith("api:") and name not in html_covered and name not in exempt
    )
    assert not missing_html, f"page routes with an object id missing from the scope matrix: {missing_html}"

    operations = [f"{method.upper()} {path}" for path, ops in api.get_openapi_schema()["paths"].items() for method in ops]
    api_covered = {f"{e.method} {e.route}" for e in ENDPOINTS if e.door == "api"}
    missing_api = sorted(op for op in operations if "{" in op and op not in api_covered and op not in exempt)
    assert not missing_api, f"API operations with an object id missing from the scope matrix: {missing_api}"

    stale = sorted(set(exempt) - {name for name, _ in django_routes} - set(operations))
    assert not stale, f"exemptions naming routes that no longer exist: {stale}"
    for module in set(OTHER_MATRICES.values()):
        assert (Path(settings.BASE_DIR) / module).is_file(), f"{module}, said to cover routes, is missing"


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html" and "?" not in e.route}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    """A page that answers GET or POST (anything but 405 for an unknown id) has that method in the
    matrix."""
    sm.assert_page_methods(page_client(world, "platform"), name, ENDPOINTS, reverse(name, kwargs={"pk": sm.UNKNOWN_ID}))
