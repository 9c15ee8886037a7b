"""Scope matrix of surveys: every page route and API operation with an object id, for each actor
outside and inside scope. `MATRIX_ROUTES` names them for the route guard in
kejia/organizations/tests/test_scope_matrix.py.

The world: an identified survey owned by each of XW, its sibling QH, LX in another branch, the
society SOC and their parent NJ (open, a members target inviting the organization's listed
people, two questions, a pending third so that publishing makes a new version), plus a closed
survey of XW; a survey station under XW collecting the XW survey, with its clerk; an open link
of the XW survey.

Who may do what is computed from the organization paths with `kejia.accounts.scope`, the
invitations and the survey's state, never listed by hand:
- view (results, tracking, exports, pages of the builder): ok in the scope of the survey's
  organization, else outside (403/404);
- staff write: outside unless in view scope; forbidden without a staff or admin role covering the
  organization; else ok when the state allows it (open, closed, not closed), invalid (400/409);
- answering: outside (404) unless invited (the organization lists one's profile) or staff of the
  organization; invalid on a closed survey (a GET shows the closed page);
- station entry: ok for a staff role covering one of the survey's stations, else a 404 (a 403 on
  the API when the survey is otherwise in the caller's view scope);
- the open link: any signed-in user is sent on to the answering page with the token.
Non-ok: nothing written; refusals show none of the organization's people's names. Ok: 2xx (a
page's POST a redirect) and an audit row for audited writes.

The world is built once per module in a transaction rolled back at the end; each request runs in
a savepoint of its own."""

import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse

from kejia.accounts import scope
from kejia.accounts.models import RoleKind
from kejia.accounts.services import create_user, grant_role
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.organizations.models import Organization
from kejia.organizations.services import create_organization
from kejia.people import services as people_services
from kejia.surveys import answering, distribution, services
from kejia.surveys.models import Answer, Invitation, Question, Receipt, Response, Survey, SurveyVersion, Target

THIS_MODULE = "kejia/surveys/tests/test_scope.py"
ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker", "clerk"]
ORG_KEYS = ["xw", "qh", "lx", "soc", "nj"]
QUESTIONS = [{"kind": "single", "text": "矩阵单选", "options": ["是", "否"], "role": "sector"}, {"kind": "text", "text": "矩阵意见", "required": False}]

MATRIX_ROUTES: list[str] = [
    "surveys:detail",
    "surveys:edit",
    "surveys:builder",
    "surveys:preview",
    "surveys:publish",
    "surveys:close",
    "surveys:reopen",
    "surveys:subjects",
    "surveys:distribution",
    "surveys:question_edit",
    "surveys:question_delete",
    "surveys:question_move",
    "surveys:target_delete",
    "surveys:tracking",
    "surveys:remind",
    "surveys:results",
    "surveys:export",
    "surveys:evaluation",
    "surveys:answer",
    "surveys:station",
    "surveys:link",
    "GET /api/surveys/{id}",
    "PATCH /api/surveys/{id}",
    "PUT /api/surveys/{id}/subjects",
    "GET /api/surveys/{id}/versions",
    "POST /api/surveys/{id}/publish",
    "POST /api/surveys/{id}/close",
    "POST /api/surveys/{id}/reopen",
    "GET /api/surveys/{id}/questions",
    "POST /api/surveys/{id}/questions",
    "PATCH /api/survey-questions/{id}",
    "POST /api/survey-questions/{id}/move",
    "DELETE /api/survey-questions/{id}",
    "GET /api/surveys/{id}/targets",
    "POST /api/surveys/{id}/targets",
    "DELETE /api/survey-targets/{id}",
    "GET /api/surveys/{id}/tracking",
    "POST /api/surveys/{id}/reminders",
    "GET /api/surveys/{id}/results",
    "GET /api/surveys/{id}/crosstab",
    "GET /api/surveys/{id}/export",
    "GET /api/surveys/orgs/{id}/evaluation",
    "GET /api/surveys/{id}/form",
    "POST /api/surveys/{id}/answer",
    "POST /api/surveys/{id}/station-answers",
]


# ---- The world, once per module ---------------------------------------------------------------


def _build(w) -> None:
    platform = w.platform
    w.orgs = {key: getattr(w, key) for key in ORG_KEYS}
    w.station = create_organization(actor=platform, parent=w.xw, name="矩阵调查站", code="XW-ST", kind="survey_station", region=w.regions["320102"])
    w.clerk = create_user(actor=platform, username="matrix_clerk", password=w.password, display_name="matrix_clerk", check_password=False)
    grant_role(w.clerk, actor=platform, organization=w.station, kind=RoleKind.STAFF)
    w.station_person = people_services.create_person(actor=platform, organization=w.station, name="矩阵站点受访者", birth_date=datetime.date(1980, 1, 1))
    w.names = {}
    surveys, questions, targets = {}, {}, {}
    for key, org in w.orgs.items():
        member = create_user(actor=platform, username=f"member_{key}", password=w.password, display_name=f"member_{key}", check_password=False)
        person = people_services.create_person(actor=platform, organization=org, name=f"矩阵{org.code}会员", birth_date=datetime.date(1980, 1, 1))
        person.user = member
        person.save(update_fields=["user"])
        w.names[key] = [person.name]
        if key == "xw":
            mine = people_services.create_person(actor=platform, organization=org, name="矩阵本人", birth_date=datetime.date(1990, 1, 1))
            mine.user = w.worker
            mine.save(update_fields=["user"])
            w.names[key].append(mine.name)
        for suffix in ("", "_closed") if key == "xw" else ("",):
            survey = services.create_survey(org, actor=platform, title=f"矩阵问卷{org.code}{suffix}")
            made = [services.add_question(survey, actor=platform, **q) for q in QUESTIONS]
            services.publish_survey(survey, actor=platform)
            services.add_question(survey, actor=platform, kind="text", text="矩阵待发布", required=False)
            target = distribution.add_target(survey, actor=platform, kind="members", organization=org)
            surveys[f"s_{key}{suffix}"], questions[f"q_{key}{suffix}"], targets[f"t_{key}{suffix}"] = survey, made[1], target
    distribution.add_target(surveys["s_xw"], actor=platform, kind="station", organization=w.station)
    link = distribution.add_target(surveys["s_xw"], actor=platform, kind="link")
    services.close_survey(surveys["s_xw_closed"], actor=platform)
    w.ids = {
        "survey": {k: v.pk for k, v in surveys.items()},
        "question": {k: v.pk for k, v in questions.items()},
        "target": {k: v.pk for k, v in targets.items()},
        "org": {k: v.pk for k, v in w.orgs.items()},
        "link": {"l_xw": link.pk},
    }


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, OBJECTS)


_world, db, world = sm.fixtures(_build_world, actors=ACTORS)


RESOLVE: dict[str, Callable] = {
    "survey": sm.by_id(lambda: Survey.objects.select_related("organization"), "survey"),
    "question": sm.by_id(lambda: Question.objects.select_related("survey__organization"), "question"),
    "target": sm.by_id(lambda: Target.objects.select_related("survey__organization"), "target"),
    "org": sm.by_id(lambda: Organization.objects.all(), "org"),
    "link": sm.by_id(lambda: Target.objects.select_related("survey__organization"), "link"),
}
OBJECTS = {
    "survey": [f"s_{k}" for k in ORG_KEYS] + ["s_xw_closed"],
    "question": [f"q_{k}" for k in ORG_KEYS] + ["q_xw_closed"],
    "target": [f"t_{k}" for k in ORG_KEYS] + ["t_xw_closed"],
    "org": ORG_KEYS,
    "link": ["l_xw"],
}


def survey_of(obj) -> Survey:
    return obj if isinstance(obj, Survey) else obj.survey


def org_of(obj) -> Organization:
    return obj if isinstance(obj, Organization) else survey_of(obj).organization


# ---- Who may do what ----------------------------------------------------------------------------


def always(obj) -> bool:
    return True


def is_open(obj) -> bool:
    return survey_of(obj).status == "open"


def is_closed(obj) -> bool:
    return survey_of(obj).status == "closed"


def not_closed(obj) -> bool:
    return not is_closed(obj)


def view(w, user, obj) -> str:
    return "ok" if scope.can_view(user, org_of(obj)) else "outside"


def staff(state: Callable = always) -> Callable:
    def rule(w, user, obj):
        if not scope.can_view(user, org_of(obj)):
            return "outside"
        if not scope.can_manage(user, org_of(obj)):
            return "forbidden"
        return "ok" if state(obj) else "invalid"

    return rule


def answerer(write: bool) -> Callable:
    def rule(w, user, survey):
        if not answering.may_answer(survey, user):
            return "outside"
        return "invalid" if write and not is_open(survey) else "ok"

    return rule


def station(api: bool) -> Callable:
    def rule(w, user, survey):
        if not answering.stations_of(survey, user):
            return "forbidden" if api and scope.can_view(user, survey.organization) else "outside"
        return "ok" if is_open(survey) else "invalid"

    return rule


def signed_in(w, user, obj) -> str:
    return "ok"


UNSCOPED_RULES = (signed_in,)


# ---- Request bodies -----------------------------------------------------------------------------


def subjects_body(api: bool) -> Callable:
    def body(w, user, survey):
        return {"org_ids": [survey.organization.pk]} if api else {"codes": survey.organization.code}

    return body


ANSWER_FORM = {"q1": "0", "q2": "矩阵回答", "action": "submit"}
ANSWER_API = {"answers": {"q1": 0, "q2": "矩阵回答"}}


def station_body(api: bool) -> Callable:
    def body(w, user, survey):
        if api:
            return {"station_id": w.station.pk, "answers": {"q1": 0}, "person_id": w.station_person.pk}
        return {"station": str(w.station.pk), "person": str(w.station_person.pk), "q1": "0"}

    return body


# ---- The endpoints ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint(sm.Endpoint):
    query: dict | None = None

    def url(self, w, obj) -> str:
        if self.door == "html" and self.target == "link":
            return reverse(self.route, args=[obj.token])
        return super().url(w, obj)


api, page = Endpoint.api, Endpoint.page


A = "/api/surveys"
ENDPOINTS = [
    # Pages: a survey and its builder.
    page("surveys:detail", "GET", "survey", view),
    page("surveys:edit", "GET", "survey", staff()),
    page("surveys:edit", "POST", "survey", staff(), lambda w, u, s: {"title": s.title, "kind": "general", "description": "矩阵"}, True),
    page("surveys:builder", "GET", "survey", view),
    page("surveys:builder", "POST", "survey", staff(not_closed), fixed({"kind": "text", "text": "矩阵新问题"}), True),
    page("surveys:preview", "GET", "survey", view),
    page("surveys:publish", "POST", "survey", staff(not_closed), audit=True),
    page("surveys:close", "POST", "survey", staff(is_open), audit=True),
    page("surveys:reopen", "POST", "survey", staff(is_closed), audit=True),
    page("surveys:subjects", "POST", "survey", staff(), subjects_body(api=False), True),
    page("surveys:distribution", "GET", "survey", view),
    page("surveys:distribution", "POST", "survey", staff(not_closed), fixed({"kind": "link"}), True),
    page("surveys:question_edit", "GET", "question", staff()),
    page("surveys:question_edit", "POST", "question", staff(not_closed), fixed({"kind": "text", "text": "矩阵改过"}), True),
    page("surveys:question_delete", "POST", "question", staff(not_closed), audit=True),
    page("surveys:question_move", "POST", "question", staff(not_closed), fixed({"direction": "up"}), True),
    page("surveys:target_delete", "POST", "target", staff(), audit=True),
    # Pages: tracking, results, exports, the evaluation index.
    page("surveys:tracking", "GET", "survey", view),
    page("surveys:remind", "POST", "survey", staff(is_open), audit=True),
    page("surveys:results", "GET", "survey", view),
    page("surveys:export", "GET", "survey", view),
    page("surveys:evaluation", "GET", "org", view),
    # Pages: answering, station entry, the open link.
    page("surveys:answer", "GET", "survey", answerer(write=False)),
    page("surveys:answer", "POST", "survey", answerer(write=True), fixed(ANSWER_FORM), True),
    page("surveys:station", "GET", "survey", station(api=False)),
    page("surveys:station", "POST", "survey", station(api=False), station_body(api=False), True),
    page("surveys:link", "GET", "link", signed_in),
    # API: surveys.
    api(f"GET {A}/{{id}}", "survey", view),
    api(f"PATCH {A}/{{id}}", "survey", staff(), fixed({"description": "矩阵"}), True),
    api(f"PUT {A}/{{id}}/subjects", "survey", staff(), subjects_body(api=True), True),
    api(f"GET {A}/{{id}}/versions", "survey", view),
    api(f"POST {A}/{{id}}/publish", "survey", staff(not_closed), audit=True),
    api(f"POST {A}/{{id}}/close", "survey", staff(is_open), audit=True),
    api(f"POST {A}/{{id}}/reopen", "survey", staff(is_closed), audit=True),
    api(f"GET {A}/{{id}}/questions", "survey", view),
    api(f"POST {A}/{{id}}/questions", "survey", staff(not_closed), fixed({"kind": "text", "text": "矩阵新问题"}), True),
    api("PATCH /api/survey-questions/{id}", "question", staff(not_closed), fixed({"text": "矩阵改过"}), True),
    api("POST /api/survey-questions/{id}/move", "question", staff(not_closed), fixed({"offset": -1}), True),
    api("DELETE /api/survey-questions/{id}", "question", staff(not_closed), audit=True),
    # API: distribution, tracking, results.
    api(f"GET {A}/{{id}}/targets", "survey", view),
    api(f"POST {A}/{{id}}/targets", "survey", staff(not_closed), fixed({"kind": "link"}), True),
    api("DELETE /api/survey-targets/{id}", "target", staff(), audit=True),
    api(f"GET {A}/{{id}}/tracking", "survey", view),
    api(f"POST {A}/{{id}}/reminders", "survey", staff(is_open), audit=True),
    api(f"GET {A}/{{id}}/results", "survey", view),
    api(f"GET {A}/{{id}}/crosstab", "survey", view, query={"question": "q1", "by": "q1x"}),
    api(f"GET {A}/{{id}}/export", "survey", view),
    api(f"GET {A}/orgs/{{id}}/evaluation", "org", view),
    # API: answering and station entry.
    api(f"GET {A}/{{id}}/form", "survey", answerer(write=False)),
    api(f"POST {A}/{{id}}/answer", "survey", answerer(write=True), fixed(ANSWER_API), True),
    api(f"POST {A}/{{id}}/station-answers", "survey", station(api=True), station_body(api=True), True),
]
# The crosstab by a dimension the survey has: the sector of the respondents' profiles.
ENDPOINTS = [dataclasses.replace(e, query={"question": "q1", "by": "sector"}) if e.query else e for e in ENDPOINTS]

CASES = sm.cases(ACTORS, ENDPOINTS)


# ---- Sending and checking ---------------------------------------------------------------------


def database_state() -> tuple:
    """Everything a write of this app could change, in one query."""
    sql = sm.counts(AuditEvent, Notice, Survey, Question, SurveyVersion, Response, Answer, Receipt, Target, Invitation, Survey.subjects.through)
    sql += [
        *sm.latest(Survey),
        f"SELECT COALESCE(SUM(LENGTH(text) + position * id), 0) FROM {sm.table(Question)}",
        f"SELECT COUNT(*) FROM {sm.table(Invitation)} WHERE reminded_on IS NOT NULL",
    ]
    return sm.snapshot(sql)


def send(w, actor: str, endpoint: Endpoint, obj):
    return sm.send(w, actor, endpoint, obj, query=endpoint.query or {})


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """An allowed write changes something, an allowed read nothing, the open link sends on with its
    token; a refusal shows none of the names of the organization's people."""
    obj = w.objects[(endpoint.target, key)]
    names = next((w.names[k] for k, org in w.orgs.items() if org.pk == org_of(obj).pk), [])
    link = endpoint.door == "html" and endpoint.target == "link"
    ok = (lambda response: response.status_code == 302 and obj.token in response["Location"]) if link else None
    return sm.check(w, actor, endpoint, key, expected, state=database_state, texts=names, send=send, ok=ok, changes=True, reads_nothing=True)


# ---- The matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    sm.run_case(world, actor, endpoint, OBJECTS[endpoint.target], check)


def test_matrix_has_allowed_and_refused_cases_for_every_endpoint(world):
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, OBJECTS)
    for endpoint in ENDPOINTS:
        assert "ok" in outcomes[endpoint.key], f"no allowed case for {endpoint.key}"
        if endpoint.rule not in UNSCOPED_RULES:
            assert outcomes[endpoint.key] & {"outside", "forbidden"}, f"no refused case for {endpoint.key}"
    assert any("forbidden" in found for found in outcomes.values())
    assert any("invalid" in found for found in outcomes.values())
    answer = next(e for e in ENDPOINTS if e.key == f"POST {A}/{{id}}/answer")
    assert sm.expectation(world, "worker", answer, "s_xw") == "ok" and sm.expectation(world, "worker", answer, "s_qh") == "outside"


def test_matrix_covers_every_survey_route():
    from kejia.organizations.tests.test_scope_matrix import OTHER_MATRICES

    mine = {route for route, module in OTHER_MATRICES.items() if module == THIS_MODULE}
    assert mine == set(MATRIX_ROUTES) == {e.route for e in ENDPOINTS}, sorted(mine ^ {e.route for e in ENDPOINTS})


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html" and e.target != "link"}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    sm.assert_page_methods(world.page_clients["nj_admin"], name, ENDPOINTS)


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_exactly_the_scope(world, actor):
    """The survey list (page and API) holds the surveys of organizations in the actor's scope."""
    user = getattr(world, actor)
    expected = {world.objects[("survey", k)].pk for k in OBJECTS["survey"] if scope.can_view(user, org_of(world.objects[("survey", k)]))}
    response = world.api_client.get(A, {"limit": 200}, headers=sm.bearer(world, actor))
    assert {s["id"] for s in response.json()} == expected
    page = world.page_clients[actor].get(reverse("surveys:home"))
    assert page.status_code == 200
    assert {s.pk for s in page.context["page"]} == expected if scope.has_any_role(user) else "page" not in page.context
