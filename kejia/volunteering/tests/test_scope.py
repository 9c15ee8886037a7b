"""Scope matrix of volunteering: every page route and API operation with an object id, for each
actor outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The world: teams under XW (county), QH (its sibling) and the society SOC; members (one of XW's has
left); demands posted by XW-MY (a township of XW: open, taken by XW's team, done, cancelled) and QH
(open, taken by QH's team); services (XW: confirmed, reported, rejected; QH and SOC: confirmed).
The actors are the fixture's plus `team_leader` (leader of XW's team, no role) and the S&T worker,
a plain member of the XW and SOC teams.

Who may do what is computed with `scope` and `access` from paths, team membership and state:
outside → 403/404 and nothing written; forbidden (in sight, not the role) → 403 (a page may say
404); invalid (not in this state) → 400/409 and nothing written; ok → 2xx or a redirect, an audit
row for a write. Demands that are open are public: seen by everyone."""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from kejia.accounts import scope
from kejia.accounts.services import create_user
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.organizations.models import Organization
from kejia.people import selectors as people_selectors
from kejia.people.models import Listing
from kejia.volunteering import access, records, selectors, services
from kejia.volunteering.choices import POSTER_KINDS, DemandStatus, ServiceStatus
from kejia.volunteering.models import ServiceDemand, ServiceHours, ServiceRecord, TeamMember
from kejia.volunteering.tests.conftest import make_person

V = "/api/volunteering"
ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker", "team_leader"]
JOINED = datetime.date(2025, 1, 1)
DAY = datetime.date(2026, 3, 14)


# ---- The world, once per module ---------------------------------------------------------------


def _build(w) -> None:
    p = w.platform
    w.team_leader = create_user(actor=p, username="team_leader", password=w.password, display_name="队长", check_password=False)
    w.orgs = {"xw": w.xw, "qh": w.qh, "soc": w.soc, "nj": w.nj, "my": w.my}
    teams = {
        "t_xw": services.create_team(w.xw, actor=p, name="矩阵玄武队", code="M-XW"),
        "t_qh": services.create_team(w.qh, actor=p, name="矩阵秦淮队", code="M-QH"),
        "t_soc": services.create_team(w.soc, actor=p, name="矩阵学会队", code="M-SOC"),
    }
    people = {
        "worker": make_person(w, w.xw, "矩阵王志愿", user=w.worker),
        "leader": make_person(w, w.xw, "矩阵赵队长", user=w.team_leader),
        "a": make_person(w, w.xw, "矩阵钱一"),
        "left": make_person(w, w.xw, "矩阵周离"),
        "b": make_person(w, w.qh, "矩阵孙二"),
        "c": make_person(w, w.soc, "矩阵李三"),
    }
    w.spare = {"xw": make_person(w, w.xw, "矩阵候补玄武").pk, "qh": make_person(w, w.qh, "矩阵候补秦淮").pk, "soc": make_person(w, w.soc, "矩阵候补学会").pk}
    add = services.add_member
    members = {
        "m_xw": add(teams["t_xw"], actor=p, person=people["a"], joined_on=JOINED),
        "m_xw_left": add(teams["t_xw"], actor=p, person=people["left"], joined_on=JOINED),
        "m_qh": add(teams["t_qh"], actor=p, person=people["b"], joined_on=JOINED),
        "m_soc": add(teams["t_soc"], actor=p, person=people["c"], role="leader", joined_on=JOINED),
    }
    add(teams["t_xw"], actor=p, person=people["worker"], joined_on=JOINED)
    add(teams["t_xw"], actor=p, person=people["leader"], role="leader", joined_on=JOINED)
    add(teams["t_soc"], actor=p, person=people["worker"], joined_on=JOINED)
    services.remove_member(members["m_xw_left"], actor=p, left_on=datetime.date(2026, 6, 1))

    def post(org, title):
        return services.post_demand(org, actor=p, title=title, address="矩阵地址", wanted_from=DAY)

    demands = {
        "d_my_open": post(w.my, "矩阵开放"),
        "d_my_taken": post(w.my, "矩阵已接"),
        "d_my_done": post(w.my, "矩阵完成"),
        "d_my_cancelled": post(w.my, "矩阵取消"),
        "d_qh_open": post(w.qh, "矩阵秦淮开放"),
        "d_qh_taken": post(w.qh, "矩阵秦淮已接"),
    }
    services.take_demand(demands["d_my_taken"], actor=p, team=teams["t_xw"])
    services.take_demand(demands["d_my_done"], actor=p, team=teams["t_xw"])
    services.complete_demand(demands["d_my_done"], actor=p)
    services.cancel_demand(demands["d_my_cancelled"], actor=p)
    services.take_demand(demands["d_qh_taken"], actor=p, team=teams["t_qh"])

    def give(team, actor, rows, date=DAY):
        return records.record_service(teams[team], actor=actor, date=date, address="矩阵现场", participants=rows, people_served=9)

    recs = {
        "s_xw": give("t_xw", p, [(people["worker"], 2), (people["a"], 3)]),
        "s_xw_reported": give("t_xw", w.worker, [(people["a"], 1)], DAY - datetime.timedelta(days=1)),
        "s_xw_rejected": give("t_xw", w.worker, [(people["a"], 1)], DAY - datetime.timedelta(days=2)),
        "s_qh": give("t_qh", p, [(people["b"], 4)]),
        "s_soc": give("t_soc", p, [(people["worker"], 2), (people["c"], 2)]),
    }
    records.reject_service(recs["s_xw_rejected"], actor=p, reason="矩阵")
    w.ids = {
        "org": {k: v.pk for k, v in w.orgs.items()},
        "team": {k: v.pk for k, v in teams.items()},
        "member": {k: v.pk for k, v in members.items()},
        "demand": {k: v.pk for k, v in demands.items()},
        "service": {k: v.pk for k, v in recs.items()},
        "person": {k: people[k].pk for k in ("worker", "a", "b", "c")},
    }
    w.names = {"xw": ["矩阵钱一", "矩阵周离", "矩阵赵队长"], "qh": ["矩阵孙二"], "soc": ["矩阵李三"]}


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, w.ids)
    w.bodies = {}


_world, db, world = sm.fixtures(_build_world, actors=ACTORS)


# ---- Objects ----------------------------------------------------------------------------------

RESOLVE: dict[str, Callable] = {
    "org": sm.by_id(lambda: Organization.objects.all(), "org"),
    "team": sm.by_id(lambda: Organization.objects.select_related("parent"), "team"),
    "member": sm.by_id(lambda: TeamMember.objects.select_related("team", "person"), "member"),
    "demand": sm.by_id(lambda: ServiceDemand.objects.select_related("organization", "team"), "demand"),
    "service": sm.by_id(lambda: ServiceRecord.objects.select_related("team"), "service"),
    "person": sm.by_id(lambda: __import__("kejia.people.models", fromlist=["Person"]).Person.objects.all(), "person"),
}


def team_of(obj) -> Organization:
    if isinstance(obj, TeamMember | ServiceRecord):
        return obj.team
    return obj


def names_of(w, obj) -> list[str]:
    """What a refusal must not show: the names of the team's (or organization's) people."""
    if isinstance(obj, ServiceDemand):
        obj = obj.team or obj.organization
    if not isinstance(obj, Organization | TeamMember | ServiceRecord):
        return []
    org = team_of(obj)
    key = next((k for k, o in w.orgs.items() if org.path.startswith(o.path) and k in w.names), None)
    return w.names.get(key, []) if key else []


# ---- Who may do what: computed ----------------------------------------------------------------


def see_org(w, u, org):
    return "ok" if scope.can_view(u, org) else "outside"


def see_team(w, u, obj):
    return "ok" if access.can_see_team(u, team_of(obj)) else "outside"


def manage_team(state: Callable = lambda obj: True):
    def rule(w, u, obj):
        if not access.can_see_team(u, team_of(obj)):
            return "outside"
        if not access.can_manage_team(u, team_of(obj)):
            return "forbidden"
        return "ok" if state(obj) else "invalid"

    return rule


def record_rule(w, u, team):
    if not access.can_see_team(u, team):
        return "outside"
    return "ok" if access.can_run_team(u, team) or access.is_member(u, team) else "forbidden"


def run_service(state: Callable):
    def rule(w, u, rec):
        if not selectors.can_see_service(u, rec):
            return "outside"
        if not access.can_run_team(u, rec.team):
            return "forbidden"
        return "ok" if state(rec) else "invalid"

    return rule


def see_service(w, u, rec):
    return "ok" if selectors.can_see_service(u, rec) else "outside"


def see_demand(w, u, d):
    return "ok" if selectors.can_see_demand(u, d) else "outside"


def take_team(w, u, d) -> Organization:
    """The team a taker names: one that may take the demand, else one in sight (XW's when none)."""
    key = (u.pk, d.pk)
    if key not in w.bodies:
        teams = Organization.objects.filter(kind="volunteer_team").order_by("path")
        eligible = [t for t in teams if services.can_take_for(u, d, t)]
        seen = [t for t in teams if access.can_see_team(u, t)]
        w.bodies[key] = (eligible or seen or [teams.get(code="M-XW")])[0]
    return w.bodies[key]


def take_api(w, u, d):
    if not selectors.can_see_demand(u, d):
        return "outside"
    team = take_team(w, u, d)
    if not access.can_see_team(u, team):
        return "invalid"
    if not access.can_run_team(u, team):
        return "forbidden"
    return "ok" if services.can_take_for(u, d, team) and d.status == DemandStatus.OPEN else "invalid"


def take_page(w, u, d):
    if not selectors.can_see_demand(u, d):
        return "outside"
    if d.status != DemandStatus.OPEN:
        return "invalid"
    return "ok" if selectors.teams_for_demand(u, d) else "forbidden"


def withdraw(w, u, d):
    if not selectors.can_see_demand(u, d):
        return "outside"
    if d.status != DemandStatus.TAKEN:
        return "invalid"
    return "ok" if access.can_run_team(u, d.team) else "forbidden"


def complete(w, u, d):
    if not selectors.can_see_demand(u, d):
        return "outside"
    if d.status != DemandStatus.TAKEN:
        return "invalid"
    return "ok" if scope.can_manage(u, d.organization) or access.can_run_team(u, d.team) else "forbidden"


def cancel(w, u, d):
    if not selectors.can_see_demand(u, d):
        return "outside"
    if not scope.can_manage(u, d.organization):
        return "forbidden"
    return "ok" if d.status in (DemandStatus.OPEN, DemandStatus.TAKEN) else "invalid"


def staff_org(state: Callable = lambda org: True):
    def rule(w, u, org):
        if not scope.can_view(u, org):
            return "outside"
        if not scope.can_manage(u, org):
            return "forbidden"
        return "ok" if state(org) else "invalid"

    return rule


def poster(org) -> bool:
    return org.kind in POSTER_KINDS


def ledger(w, u, person):
    own = person.user_id == u.pk
    return "ok" if own or people_selectors.visible_people(u).filter(pk=person.pk).exists() else "outside"


def active(m) -> bool:
    return m.left_on is None


def reported(rec) -> bool:
    return rec.status == ServiceStatus.REPORTED


def correctable(rec) -> bool:
    return rec.status != ServiceStatus.REJECTED


# ---- Request bodies ---------------------------------------------------------------------------


def today() -> str:
    return timezone.localdate().isoformat()


def spare(w, team) -> int:
    return w.spare[next(k for k in ("xw", "qh", "soc") if team.path.startswith(w.orgs[k].path))]


def participant(team) -> int:
    return TeamMember.objects.filter(team=team, left_on__isnull=True).order_by("pk").values_list("person_id", flat=True).first()


def service_form(w, u, team):
    return {"svc-date": today(), "svc-address": "矩阵", "svc-people_served": "3", f"svc-h_{participant(team)}": "2"}


def service_api(w, u, team):
    return {"date": today(), "address": "矩阵", "participants": [{"person_id": participant(team), "hours": 2}]}


def correct_form(w, u, rec):
    data = {"svc-date": rec.date.isoformat(), "svc-address": rec.address, "svc-people_served": "77", "svc-reason": "矩阵"}
    data.update({f"svc-h_{pid}": f"{h.normalize():f}" for pid, h in records.hours_of(rec).items()})
    return data


def flipped(member) -> str:
    return "member" if member.role == "leader" else "leader"


DEMAND = {"title": "矩阵需求", "address": "矩阵", "wanted_from": "2026-12-20", "people_needed": "2"}


# ---- The endpoints ----------------------------------------------------------------------------

Endpoint = sm.Endpoint
api, page = Endpoint.api, Endpoint.page


ENDPOINTS = [
    page("volunteering:ledger", "GET", "person", ledger),
    page("volunteering:demand", "GET", "demand", see_demand),
    page(
        "volunteering:demand_take",
        "POST",
        "demand",
        take_page,
        lambda w, u, d: {"take-team": (selectors.teams_for_demand(u, d) or [take_team(w, u, d)])[0].pk},
        True,
    ),
    page("volunteering:demand_withdraw", "POST", "demand", withdraw, fixed({"withdraw-reason": "矩阵"}), True),
    page("volunteering:demand_complete", "POST", "demand", complete, audit=True),
    page("volunteering:demand_cancel", "POST", "demand", cancel, fixed({"cancel-reason": "矩阵"}), True),
    page("volunteering:org", "GET", "org", see_org),
    page("volunteering:org_export", "GET", "org", see_org),
    page("volunteering:team_new", "POST", "org", staff_org(), fixed({"team-name": "矩阵新队", "team-code": "M-NEW"}), True),
    page("volunteering:demand_new", "GET", "org", staff_org(poster)),
    page("volunteering:demand_new", "POST", "org", staff_org(poster), fixed(DEMAND), True),
    page("volunteering:team", "GET", "team", see_team),
    page("volunteering:member_add", "POST", "team", manage_team(), lambda w, u, t: {"member-person": spare(w, t), "member-role": "member"}, True),
    page("volunteering:service_new", "GET", "team", record_rule),
    page("volunteering:service_new", "POST", "team", record_rule, service_form, True),
    page("volunteering:member_role", "POST", "member", manage_team(active), lambda w, u, m: {"role-role": flipped(m)}, True),
    page("volunteering:member_remove", "POST", "member", manage_team(active), fixed({}), True),
    page("volunteering:service", "GET", "service", see_service),
    page("volunteering:service_confirm", "POST", "service", run_service(reported), audit=True),
    page("volunteering:service_reject", "POST", "service", run_service(reported), fixed({"reject-reason": "矩阵"}), True),
    page("volunteering:service_correct", "POST", "service", run_service(correctable), correct_form, True),
    api(f"POST {V}/orgs/{{id}}/teams", "org", staff_org(), fixed({"name": "矩阵新队", "code": "M-NEW"}), True),
    api(f"GET {V}/teams/{{id}}", "team", see_team),
    api(f"GET {V}/teams/{{id}}/members", "team", see_team),
    api(f"POST {V}/teams/{{id}}/members", "team", manage_team(), lambda w, u, t: {"person_id": spare(w, t)}, True),
    api(f"PATCH {V}/members/{{id}}", "member", manage_team(active), lambda w, u, m: {"role": flipped(m)}, True),
    api(f"POST {V}/members/{{id}}/remove", "member", manage_team(active), fixed({}), True),
    api(f"POST {V}/orgs/{{id}}/demands", "org", staff_org(poster), fixed({**DEMAND, "people_needed": 2}), True),
    api(f"GET {V}/demands/{{id}}", "demand", see_demand),
    api(f"POST {V}/demands/{{id}}/take", "demand", take_api, lambda w, u, d: {"team_id": take_team(w, u, d).pk}, True),
    api(f"POST {V}/demands/{{id}}/withdraw", "demand", withdraw, fixed({"reason": "矩阵"}), True),
    api(f"POST {V}/demands/{{id}}/complete", "demand", complete, audit=True),
    api(f"POST {V}/demands/{{id}}/cancel", "demand", cancel, fixed({"reason": "矩阵"}), True),
    api(f"GET {V}/teams/{{id}}/services", "team", see_team),
    api(f"POST {V}/teams/{{id}}/services", "team", record_rule, service_api, True),
    api(f"GET {V}/services/{{id}}", "service", see_service),
    api(f"POST {V}/services/{{id}}/confirm", "service", run_service(reported), audit=True),
    api(f"POST {V}/services/{{id}}/reject", "service", run_service(reported), fixed({"reason": "矩阵"}), True),
    api(f"POST {V}/services/{{id}}/correct", "service", run_service(correctable), fixed({"reason": "矩阵", "people_served": 77}), True),
    api(f"GET {V}/people/{{id}}/ledger", "person", ledger),
    api(f"GET {V}/orgs/{{id}}/totals", "org", see_org),
    api(f"GET {V}/orgs/{{id}}/services/export", "org", see_org),
]

MATRIX_ROUTES: list[str] = sorted({e.route for e in ENDPOINTS})
CASES = sm.cases(ACTORS, ENDPOINTS)


# ---- Sending and checking ---------------------------------------------------------------------


def database_state() -> tuple:
    sql = sm.counts(AuditEvent, Notice, Organization, Listing, TeamMember, ServiceDemand, ServiceRecord, ServiceHours)
    sql += [*sm.latest(TeamMember, ServiceDemand, ServiceRecord), f"SELECT COALESCE(SUM(hours), 0) FROM {sm.table(ServiceHours)}"]
    return sm.snapshot(sql)


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """A refusal shows none of the names of the team's (or organization's) people."""
    texts = names_of(w, w.objects[(endpoint.target, key)])
    return sm.check(w, actor, endpoint, key, expected, state=database_state, texts=texts)


# ---- The matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    sm.run_case(world, actor, endpoint, world.ids[endpoint.target], check)


def test_matrix_has_allowed_and_refused_cases_for_every_endpoint(world):
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, world.ids)
    for endpoint in ENDPOINTS:
        assert "ok" in outcomes[endpoint.key], f"no allowed case for {endpoint.key}"
        assert "outside" in outcomes[endpoint.key], f"no outside case for {endpoint.key}"
        if endpoint.method != "GET":
            assert outcomes[endpoint.key] & {"forbidden", "outside"}, f"no refused case for {endpoint.key}"
    assert any("forbidden" in found for found in outcomes.values())
    assert any("invalid" in found for found in outcomes.values())


def test_matrix_covers_every_volunteering_route():
    """Every volunteering page route and API operation with an id is in the matrix."""
    from kejia.api import api as ninja_api
    from kejia.volunteering import urls

    pages = {f"volunteering:{p.name}" for p in urls.urlpatterns if "<" in str(p.pattern)}
    ops = {f"{m.upper()} {path}" for path, found in ninja_api.get_openapi_schema()["paths"].items() for m in found if path.startswith(V) and "{" in path}
    assert pages | ops == set(MATRIX_ROUTES), sorted((pages | ops) ^ set(MATRIX_ROUTES))


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html"}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    sm.assert_page_methods(sm.logged_in(world.platform), name, ENDPOINTS)


# ---- Lists show exactly the scope -----------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_exactly_the_scope(world, actor):
    user = getattr(world, actor)
    headers = sm.bearer(world, actor)
    teams = {t["id"] for t in world.api_client.get(f"{V}/teams", headers=headers).json()}
    assert teams == {t.pk for t in Organization.objects.filter(kind="volunteer_team") if access.can_see_team(user, t)}
    demands = {d["id"] for d in world.api_client.get(f"{V}/demands", headers=headers).json()}
    expected = {
        d.pk
        for d in ServiceDemand.objects.select_related("organization", "team")
        if scope.can_view(user, d.organization) or (d.team and (scope.can_view(user, d.team) or access.is_member(user, d.team)))
    }
    assert demands == expected
    public = {d["id"] for d in Client().get(f"{V}/demands/open").json()}
    assert public == set(ServiceDemand.objects.filter(status="open").values_list("pk", flat=True))
