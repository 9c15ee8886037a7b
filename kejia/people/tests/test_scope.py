"""The people endpoints' scope matrix: actors × endpoints (pages and API, reads and writes) × people
listed by different organizations. Who may do what is computed from the organization paths with
`kejia.accounts.scope`, never listed by hand. Outside: 403/404 and nothing written; in
scope without a staff role: 403 (a page may say 404) and nothing written; allowed: 2xx/3xx and
an audit row for a write (the positive control)."""

import dataclasses
from collections.abc import Callable

import pytest
from django.urls import reverse

from kejia.accounts import scope
from kejia.core.models import AuditEvent
from kejia.core.testing import scope_matrix as sm
from kejia.people import services
from kejia.people.models import Achievement, Listing, Person
from kejia.people.tests.helpers import ID_A, ID_B, ID_C, link, resident_id

ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "wx_staff", "society_secretary", "worker"]
# key: (primary organization, resident ID, linked to the worker)
PEOPLE = {"p_xw": ("xw", ID_A, False), "p_qh": ("qh", ID_B, False), "p_soc": ("soc_ai", ID_C, False), "p_lx": ("lx", resident_id("32021319800101001"), True)}


def _build(w) -> None:
    w.people = {}
    for i, (key, (org, number, linked)) in enumerate(PEOPLE.items()):
        person = services.create_person(actor=w.platform, organization=getattr(w, org), name=f"测试{'甲乙丙丁'[i]}", resident_id=number, phone=f"1390000000{i}")
        services.add_listing(person, actor=w.platform, organization=w.js, role="contact")
        services.add_achievement(person, actor=w.platform, kind="paper", title="论文")
        if linked:
            link(w.worker, person.name, resident_id=number)
        w.people[key] = person.pk


_world, db, world = sm.fixtures(_build, actors=ACTORS)


# ---- Who may do what -------------------------------------------------------------------------


def load(w, key) -> Person:
    return Person.objects.get(pk=w.people[key])


def inside(user, person) -> bool:
    return person.user_id == user.pk or any(scope.can_view(user, lst.organization) for lst in person.listings.all())


def can_edit(user, person) -> bool:
    return person.user_id == user.pk or any(scope.can_manage(user, lst.organization) for lst in person.listings.all())


def primary(person) -> Listing:
    return person.listings.exclude(role="contact").select_related("organization").get()


def target_org(w, user):
    """The organization an actor names to list someone: one they manage, else one they see."""
    for kinds in (scope.MANAGE_KINDS, scope.ANY_KIND):
        for org in (w.xw, w.qh, w.nj, w.wx, w.lx, w.soc, w.soc_ai, w.my):
            if scope.covers(user, org.path, kinds):
                return org
    return w.xw


def rule_view(w, user, person) -> str:
    return "ok" if inside(user, person) else "outside"


def rule_edit(w, user, person) -> str:
    if not inside(user, person):
        return "outside"
    return "ok" if can_edit(user, person) else "forbidden"


def rule_unlink(w, user, person) -> str:
    if not inside(user, person):
        return "outside"
    if not can_edit(user, person):
        return "forbidden"
    return "ok" if person.user_id else "invalid"


def rule_list(w, user, person) -> str:
    if not inside(user, person):
        return "outside"
    org = target_org(w, user)
    if not scope.can_view(user, org):
        return "invalid"
    return "ok" if scope.can_manage(user, org) else "forbidden"


def rule_unlist(w, user, person) -> str:
    if not inside(user, person) or not scope.can_view(user, primary(person).organization):
        return "outside"
    return "ok" if scope.can_manage(user, primary(person).organization) else "forbidden"


@dataclasses.dataclass(frozen=True)
class Endpoint:
    key: str
    door: str
    method: str
    url: Callable
    rule: Callable
    body: Callable | None = None
    writes: bool = False

    def __str__(self) -> str:
        return self.key


def page(name, *extra):
    return lambda w, p: reverse(f"people:{name}", args=[p.pk, *[f(p) for f in extra]])


def ach(p):
    return Achievement.objects.filter(person=p).first().pk


def lst(p):
    return primary(p).pk


EDIT_FORM = {"name": "改名", "sector": "other", "title_level": "none", "overseas_status": "none", "three_chiefs": "none", "gender": ""}
ENDPOINTS = [
    Endpoint("page detail", "html", "GET", page("detail"), rule_view),
    Endpoint("page edit form", "html", "GET", page("edit"), rule_edit),
    Endpoint("page edit", "html", "POST", page("edit"), rule_edit, lambda w, u, p: EDIT_FORM, True),
    Endpoint("page reveal", "html", "POST", page("reveal"), rule_edit, writes=True),
    Endpoint("page achievement add", "html", "POST", page("achievement_add"), rule_edit, lambda w, u, p: {"kind": "paper", "title": "新"}, True),
    Endpoint("page achievement remove", "html", "POST", page("achievement_remove", ach), rule_edit, writes=True),
    Endpoint("page listing add", "html", "POST", page("listing_add"), rule_list, lambda w, u, p: {"org": target_org(w, u).code, "role": "expert"}, True),
    Endpoint("page listing remove", "html", "POST", page("listing_remove", lst), rule_unlist, writes=True),
    Endpoint("page consent", "html", "POST", page("consent"), rule_edit, lambda w, u, p: {"source": "书面"}, True),
    Endpoint("page anonymize form", "html", "GET", page("anonymize"), rule_edit),
    Endpoint("page anonymize", "html", "POST", page("anonymize"), rule_edit, lambda w, u, p: {"reason": "申请", "confirm": "on"}, True),
    Endpoint("page unlink", "html", "POST", page("unlink"), rule_unlink, lambda w, u, p: {"reason": "矩阵"}, True),
    Endpoint("api unlink", "api", "POST", lambda w, p: f"/api/people/{p.pk}/unlink", rule_unlink, lambda w, u, p: {"reason": "矩阵"}, True),
    Endpoint("api get", "api", "GET", lambda w, p: f"/api/people/{p.pk}", rule_view),
    Endpoint("api patch", "api", "PATCH", lambda w, p: f"/api/people/{p.pk}", rule_edit, lambda w, u, p: {"title": "研究员"}, True),
    Endpoint("api reveal", "api", "POST", lambda w, p: f"/api/people/{p.pk}/reveal", rule_edit, writes=True),
    Endpoint("api anonymize", "api", "POST", lambda w, p: f"/api/people/{p.pk}/anonymize", rule_edit, lambda w, u, p: {"reason": "申请"}, True),
    Endpoint("api consent", "api", "POST", lambda w, p: f"/api/people/{p.pk}/consent", rule_edit, lambda w, u, p: {"source": "x"}, True),
    Endpoint("api achievements", "api", "GET", lambda w, p: f"/api/people/{p.pk}/achievements", rule_view),
    Endpoint(
        "api achievement add", "api", "POST", lambda w, p: f"/api/people/{p.pk}/achievements", rule_edit, lambda w, u, p: {"kind": "award", "title": "奖"}, True
    ),
    Endpoint("api achievement delete", "api", "DELETE", lambda w, p: f"/api/people/{p.pk}/achievements/{ach(p)}", rule_edit, writes=True),
    Endpoint("api listings", "api", "GET", lambda w, p: f"/api/people/{p.pk}/listings", rule_view),
    Endpoint(
        "api listing add",
        "api",
        "POST",
        lambda w, p: f"/api/people/{p.pk}/listings",
        rule_list,
        lambda w, u, p: {"org_id": target_org(w, u).pk, "role": "expert"},
        True,
    ),
    Endpoint("api listing delete", "api", "DELETE", lambda w, p: f"/api/people/{p.pk}/listings/{lst(p)}", rule_unlist, writes=True),
]
CASES = [pytest.param(a, e, k, id=f"{a}-{e.key}-{k}") for a in ACTORS for e in ENDPOINTS for k in PEOPLE]


def fingerprint(person_pk: int) -> tuple:
    p = Person.objects.filter(pk=person_pk).values_list("name", "title", "status", "consent_source", "updated_at").first()
    return (p, Listing.objects.filter(person_id=person_pk).count(), Achievement.objects.filter(person_id=person_pk).count(), AuditEvent.objects.count())


def send(w, actor, endpoint, person, target):
    body = endpoint.body(w, getattr(w, actor), person) if endpoint.body else {}
    return sm.request(w, actor, endpoint.door, endpoint.method, target, body)


@pytest.mark.parametrize("actor,endpoint,key", CASES)
def test_people_endpoint_answers_by_scope(world, actor, endpoint, key):
    person = load(world, key)
    expected = endpoint.rule(world, getattr(world, actor), person)
    before = fingerprint(person.pk)
    target = endpoint.url(world, person)
    response = send(world, actor, endpoint, person, target)
    status = response.status_code
    where = f"{actor} {endpoint.method} {target} ({key}, {expected}) answered {status}"
    if expected == "ok":
        assert status in ((200, 201, 204) if endpoint.door == "api" else ((200,) if endpoint.method == "GET" else (200, 302))), where
        if endpoint.writes:
            assert AuditEvent.objects.count() > before[3], f"{where} but wrote no audit row"
        return
    assert status in sm.refusal_statuses(expected, endpoint.door), where
    assert fingerprint(person.pk) == before, f"{where} and changed the database"
    if status != 200:
        assert "13900000000" not in response.content.decode() and ID_A not in response.content.decode()


def test_matrix_has_allowed_outside_and_forbidden_cases(world):
    outcomes: dict[str, set[str]] = {}
    for actor in ACTORS:
        for endpoint in ENDPOINTS:
            for key in PEOPLE:
                outcomes.setdefault(endpoint.key, set()).add(endpoint.rule(world, getattr(world, actor), load(world, key)))
    for endpoint in ENDPOINTS:
        assert {"ok", "outside"} <= outcomes[endpoint.key], endpoint.key
    assert any("forbidden" in found for found in outcomes.values())


@pytest.mark.parametrize("actor", ACTORS)
def test_list_returns_exactly_the_people_in_scope(world, actor):
    user = getattr(world, actor)
    expected = {pk for key, pk in world.people.items() if any(scope.can_view(user, lst.organization) for lst in load(world, key).listings.all())}
    data = world.api_client.get("/api/people", {"limit": 200}, headers=sm.bearer(world, actor)).json()
    assert {row["id"] for row in data["items"]} == expected
    html = world.page_clients[actor].get(reverse("people:list")).content.decode()
    for key, pk in world.people.items():
        name = load(world, key).name
        if pk not in expected:
            assert name not in html, f"{actor} sees {name} on the list page"
