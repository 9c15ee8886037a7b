"""The governance endpoints' scope matrix: actors × endpoints that take an object id (pages and
API, reads and writes) × organizations, bodies, terms, seats, draft slates, contact duties, rule
sets, rules and rule-set assignments of the fixture federation (XW, its sibling QH, LX in another
branch, the society SOC and their parent NJ).

Who may do what is computed from the organization paths with `kejia.accounts.scope`, the
leader's own account and the objects' state, never listed by hand:
- view: ok in scope (a contact duty: in the assigning organization's scope, or one's own duty),
  else outside;
- staff write: outside unless in view scope; forbidden (403, a page may say 404) without a staff
  or admin role covering the organization; else ok when the state allows it, invalid (400/409)
  otherwise (an ended term, a vacated seat, an ended duty, no organization below to keep contact
  with); a contact's visit may also be logged by the leader themselves;
- rule sets and rules: read by every signed-in user; written only by rule editors
  (`access.can_edit_rules`), else forbidden; assignments: by `scope.can_administer`.
Non-ok: nothing written (bodies, terms and their ends, seats and their ends, slates and entries,
contact duties and their ends, visits, rules, rule sets, assignments, declared posts, audit log, notices) and no
page naming the organization's people. Ok: 2xx (a page's GET a 200, its POST a redirect) and, for
an audited write, an audit row (the positive control).

The world is built once per module in a transaction rolled back at the end; each request runs in
a savepoint of its own. One test per (actor, endpoint) loops over that endpoint's objects."""

import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from kejia.accounts import scope
from kejia.accounts.models import RoleKind
from kejia.accounts.services import create_user, grant_role
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import scope_matrix as sm
from kejia.core.testing.scope_matrix import fixed
from kejia.governance import access, services
from kejia.governance.models import (
    Body,
    ContactAssignment,
    ContactVisit,
    DeclaredPost,
    Rule,
    RuleSet,
    RuleSetAssignment,
    Seat,
    Slate,
    SlateEntry,
    Term,
)
from kejia.governance.rulesets import load_rule_sets
from kejia.organizations.models import Organization
from kejia.organizations.tests.test_scope_matrix import OTHER_MATRICES
from kejia.people import services as people_services

THIS_MODULE = "kejia/governance/tests/test_scope.py"
ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "worker", "js_admin"]
ORG_KEYS = ["xw", "qh", "lx", "soc", "nj"]
BODY_KINDS = {"xw": "committee", "qh": "committee", "lx": "committee", "soc": "council", "nj": "standing_committee"}
START = datetime.date(2024, 1, 1)
OLD = datetime.date(1950, 1, 1)  # an official seated at this age is over the limit of 70: a concurrent-posts row


# ---- The world, once per module ---------------------------------------------------------------


def _person(w, org, name, **kw):
    kw.setdefault("birth_date", datetime.date(1982, 5, 4))
    return people_services.create_person(actor=w.platform, organization=org, name=name, **kw)


def _build(w) -> None:
    platform, today = w.platform, timezone.localdate()
    w.js_admin = create_user(actor=platform, username="js_admin", password=w.password, display_name="js_admin", check_password=False)
    grant_role(w.js_admin, actor=platform, organization=w.js, kind=RoleKind.ADMIN)
    w.orgs = {key: getattr(w, key) for key in ORG_KEYS}
    w.all_orgs = {key: getattr(w, key) for key in ("js", "nj", "xw", "my", "ent", "qh", "wx", "lx", "soc", "soc_ai")}

    load_rule_sets(RuleSet, Rule)
    rulesets = {r.name: r for r in RuleSet.objects.all()}
    assignments = {
        "a_js_jiangsu": services.assign_ruleset(rulesets["jiangsu"], w.js, actor=platform),
        "a_js_societies": services.assign_ruleset(rulesets["societies"], w.js, actor=platform),
    }
    for key, org in w.orgs.items():  # one per organization of the matrix, for the unassign endpoints
        assignments[f"a_{key}"] = services.assign_ruleset(rulesets["national"], org, actor=platform, include_subtree=False)
    w.ids = {
        "ruleset": {name: rulesets[name].pk for name in ("jiangsu", "societies")},
        "rule": {f"r_{name}": rulesets[name].rules.order_by("sort", "id").first().pk for name in ("jiangsu", "societies")},
        "assignment": {key: a.pk for key, a in assignments.items()},
    }
    w.national = rulesets["national"].pk

    planned = {
        "xw": None,
        "qh": today + datetime.timedelta(days=30),
        "lx": today - datetime.timedelta(days=10),
        "soc": today - datetime.timedelta(days=100),
        "nj": today + datetime.timedelta(days=60),
    }
    bodies, terms, seats, slates, declared, w.spare, w.names = {}, {}, {}, {}, {}, {}, {}
    for key, org in w.orgs.items():
        code = org.code
        people = [_person(w, org, f"矩阵{code}委员{i}", is_frontline=i > 0, birth_date=OLD if i == 0 else None) for i in range(3)]
        w.spare[key] = _person(w, org, f"矩阵{code}候补").pk
        w.names[key] = [p.name for p in people]
        body = services.create_body(org, actor=platform, kind=BODY_KINDS[key])
        if key == "xw":  # a past term with a seat vacated when it ended
            past = services.start_term(body, actor=platform, start=datetime.date(2019, 1, 1), planned_end=START)
            seats["s_xw_past"] = services.seat_person(past, actor=platform, person=people[1], start=datetime.date(2019, 1, 1))
            terms["t_xw_past"] = past
        term = services.start_term(body, actor=platform, start=START, planned_end=planned[key])
        for i, p in enumerate(people):
            seat = services.seat_person(term, actor=platform, person=p, start=START, official="serving" if i == 0 else "")
            if i == 1:
                seats[f"s_{key}"] = seat
                declared[f"d_{key}"] = services.declare_post(seat, actor=platform, organization_name=f"矩阵{code}研究会", post="理事")
        bodies[f"b_{key}"], terms[f"t_{key}"] = body, term
        if key in ("xw", "qh"):
            slate = services.create_slate(body, actor=platform, name=f"矩阵草案{code}", from_current=False)
            services.add_slate_entry(slate, actor=platform, person=people[2])
            slates[f"sl_{key}"] = slate
    w.ids.update(
        body={k: v.pk for k, v in bodies.items()},
        term={k: v.pk for k, v in terms.items()},
        seat={k: v.pk for k, v in seats.items()},
        slate={k: v.pk for k, v in slates.items()},
        declared={k: v.pk for k, v in declared.items()},
        org={k: v.pk for k, v in w.orgs.items()},
    )

    # Contact duties: leader A (the worker's own profile) for XW and SOC, assigned by JS; leader B
    # for QH, and an ended duty for XW, assigned by NJ. One visit each.
    leader_a = _person(w, w.js, "矩阵联系领导甲")
    leader_a.user = w.worker
    leader_a.save(update_fields=["user"])
    leader_b = _person(w, w.nj, "矩阵联系领导乙")
    since = datetime.date(2025, 1, 1)
    duties = {
        "c_js_xw": services.assign_contact(actor=platform, assigned_by=w.js, leader=leader_a, organization=w.xw, since=since),
        "c_js_soc": services.assign_contact(actor=platform, assigned_by=w.js, leader=leader_a, organization=w.soc, since=since),
        "c_nj_qh": services.assign_contact(actor=platform, assigned_by=w.nj, leader=leader_b, organization=w.qh, since=since),
        "c_nj_xw_ended": services.assign_contact(actor=platform, assigned_by=w.nj, leader=leader_b, organization=w.xw, since=since),
    }
    for duty in duties.values():
        services.log_visit(duty, actor=platform, date=datetime.date(2025, 6, 1), notes="矩阵走访")
    services.end_contact(duties["c_nj_xw_ended"], actor=platform, until=datetime.date(2025, 12, 31))
    w.ids["contact"] = {k: v.pk for k, v in duties.items()}


def _build_world(w) -> None:
    _build(w)
    w.objects = sm.resolve_all(w, RESOLVE, OBJECTS)


_world, db, world = sm.fixtures(_build_world, actors=ACTORS)


# ---- Objects ----------------------------------------------------------------------------------

RESOLVE: dict[str, Callable] = {
    "org": sm.by_id(lambda: Organization.objects.all(), "org"),
    "body": sm.by_id(lambda: Body.objects.select_related("organization"), "body"),
    "term": sm.by_id(lambda: Term.objects.select_related("body__organization"), "term"),
    "seat": sm.by_id(lambda: Seat.objects.select_related("term__body__organization", "person"), "seat"),
    "slate": sm.by_id(lambda: Slate.objects.select_related("body__organization"), "slate"),
    "declared": sm.by_id(lambda: DeclaredPost.objects.select_related("declared_by", "person"), "declared"),
    "contact": sm.by_id(lambda: ContactAssignment.objects.select_related("assigned_by", "organization", "leader"), "contact"),
    "ruleset": sm.by_id(lambda: RuleSet.objects.all(), "ruleset"),
    "rule": sm.by_id(lambda: Rule.objects.select_related("ruleset"), "rule"),
    "assignment": sm.by_id(lambda: RuleSetAssignment.objects.select_related("ruleset", "organization"), "assignment"),
}
OBJECTS = {
    "org": ORG_KEYS,
    "body": [f"b_{key}" for key in ORG_KEYS],
    "term": [f"t_{key}" for key in ORG_KEYS] + ["t_xw_past"],
    "seat": [f"s_{key}" for key in ORG_KEYS] + ["s_xw_past"],
    "slate": ["sl_xw", "sl_qh"],
    "declared": [f"d_{key}" for key in ORG_KEYS],
    "contact": ["c_js_xw", "c_js_soc", "c_nj_qh", "c_nj_xw_ended"],
    "ruleset": ["jiangsu", "societies"],
    "rule": ["r_jiangsu", "r_societies"],
    "assignment": ["a_js_jiangsu", "a_js_societies"] + [f"a_{key}" for key in ORG_KEYS],
}


def org_of(obj) -> Organization:
    """The organization whose scope decides: a contact duty's is the assigning organization."""
    if isinstance(obj, Organization):
        return obj
    if isinstance(obj, Body):
        return obj.organization
    if isinstance(obj, (Term, Slate)):
        return obj.body.organization
    if isinstance(obj, Seat):
        return obj.term.body.organization
    if isinstance(obj, ContactAssignment):
        return obj.assigned_by
    if isinstance(obj, RuleSetAssignment):
        return obj.organization
    if isinstance(obj, DeclaredPost):
        return obj.declared_by
    raise TypeError(obj)


def key_of(w, org) -> str:
    return next(key for key, item in w.orgs.items() if item.pk == org.pk)


# ---- Who may do what: computed from paths, accounts and state ---------------------------------


def own(user, obj) -> bool:
    return isinstance(obj, ContactAssignment) and obj.leader.user_id is not None and obj.leader.user_id == user.pk


def inside(user, obj) -> bool:
    return scope.can_view(user, org_of(obj)) or own(user, obj)


def always(w, obj) -> bool:
    return True


def running(w, obj) -> bool:
    """A term not ended, a seat not vacated, a duty not ended."""
    return {Term: lambda: obj.actual_end is None, Seat: lambda: obj.end is None, ContactAssignment: lambda: obj.until is None}[type(obj)]()


def has_child(w, org) -> bool:
    return child_of(w, org) is not None


def child_of(w, org) -> Organization | None:
    return next((o for o in w.all_orgs.values() if o.parent_id == org.pk), None)


def view(state: Callable = always) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        return "ok" if state(w, obj) else "invalid"

    return rule


def current_duty(w, duty) -> bool:
    return duty.until is None


def staff(state: Callable = always, *, leader_may: bool = False) -> Callable:
    def rule(w, user, obj):
        if not inside(user, obj):
            return "outside"
        if not (scope.can_manage(user, org_of(obj)) or (leader_may and own(user, obj))):
            return "forbidden"
        return "ok" if state(w, obj) else "invalid"

    return rule


def administer(w, user, obj) -> str:
    if not scope.can_view(user, org_of(obj)):
        return "outside"
    return "ok" if scope.can_administer(user, org_of(obj)) else "forbidden"


def public(w, user, obj) -> str:
    return "ok"


def editor(w, user, obj) -> str:
    return "ok" if access.can_edit_rules(user) else "forbidden"


def assign_api(w, user, org) -> str:
    """The rule set in the path is public; the organization is an id in the body, which outside the
    scope is a 400 naming the field (the API's documented contract), not a 404."""
    if not scope.can_view(user, org):
        return "invalid"
    return "ok" if scope.can_administer(user, org) else "forbidden"


def assign_page(w, user, org) -> str:
    """The page refuses anyone without an administrator role first (403), then an organization
    code outside the scope is a form error (400)."""
    if not (scope.is_unrestricted(user) or scope.role_paths(user, (RoleKind.ADMIN,))):
        return "forbidden"
    return assign_api(w, user, org)


# Endpoints whose object in the path is not scoped: no outside case to look for.
UNSCOPED_RULES = (public, editor, assign_api, assign_page)


# ---- Request bodies ---------------------------------------------------------------------------


def today() -> str:
    return timezone.localdate().isoformat()


def spare(w, obj) -> int:
    """A person listed by the object's organization, seated nowhere."""
    return w.spare[key_of(w, org_of(obj))]


def contact_form(api: bool) -> Callable:
    """A leader of the organization and one below it (the organization itself when there is none:
    a 400, since a duty is kept with an organization below)."""

    def body(w, user, org):
        target = child_of(w, org) or org
        if api:
            return {"leader_id": spare(w, org), "organization_id": target.pk}
        return {"assign-leader": spare(w, org), "assign-organization": target.code}

    return body


def slate_entry(w, slate) -> SlateEntry:
    def compute():
        return slate.entries.order_by("pk").first()

    return sm.memo(w, "entry", slate.pk, compute)


def rule_form(w, user, rule: Rule) -> dict:
    data = {
        "body_kinds": list(rule.body_kinds),
        "measure": rule.measure,
        "param": "" if rule.param is None else rule.param,
        "comparison": rule.comparison,
        "threshold": f"{rule.threshold_num}/{rule.threshold_den}",
        "org_kinds": rule.org_kinds,
        "note": "矩阵",
        "sort": rule.sort,
    }
    if rule.is_target:
        data["is_target"] = "on"
    return data


def ruleset_form(w, user, ruleset: RuleSet) -> dict:
    return {"edit-name": ruleset.name, "edit-jurisdiction": ruleset.jurisdiction, "edit-source": ruleset.source, "edit-description": "矩阵"}


NEW_RULE = {"body_kinds": ["committee"], "org_kinds": ["provincial_assoc"], "measure": "women_share", "comparison": "gte", "threshold": "0.3"}


# ---- The endpoints ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Endpoint(sm.Endpoint):
    def url(self, w, obj) -> str:
        pk = w.national if "assign" in self.route and self.target == "org" else obj.pk  # assigning: the rule set's id
        if self.door == "api":
            path = self.route.split(" ", 1)[1].replace("{id}", str(pk))
            if "{person_id}" in path:
                path = path.replace("{person_id}", str(slate_entry(w, obj).person_id))
            return path
        return reverse(self.route, args=[pk])


api, page = Endpoint.api, Endpoint.page


G = "/api/governance"
ENDPOINTS = [
    # Pages: an organization's bodies (and a new body), its subtree's compliance, its contacts.
    page("governance:org", "GET", "org", view()),
    page("governance:org", "POST", "org", staff(), fixed({"kind": "congress", "name": "", "term_years": "5"}), True),
    page("governance:compliance", "GET", "org", view()),
    page("governance:contacts", "GET", "org", view()),
    page("governance:contacts", "POST", "org", staff(has_child), contact_form(api=False), True),
    # Pages: a body, its next term, a seat, a slate; a term; vacating a seat.
    page("governance:body", "GET", "body", view()),
    page("governance:term_start", "POST", "body", staff(), lambda w, u, b: {"term-start": today()}, True),
    page("governance:seat_add", "POST", "body", staff(), lambda w, u, b: {"seat-person": spare(w, b), "seat-role": "member"}, True),
    page("governance:slate_create", "POST", "body", staff(), fixed({"slate-name": "矩阵", "slate-from_current": "on"}), True),
    page("governance:term", "GET", "term", view()),
    page("governance:seat_vacate", "POST", "seat", staff(running), fixed({"vacate-reason": "矩阵"}), True),
    # Pages: an official's posts, the approval of a seat's post, posts declared outside the tree.
    page("governance:seat_posts", "GET", "seat", view()),
    page("governance:seat_approval", "POST", "seat", staff(), fixed({"approval-approved_on": "2025-01-01", "approval-approved_by": "矩阵"}), True),
    page("governance:post_declare", "POST", "seat", staff(), fixed({"declare-organization_name": "矩阵学会", "declare-post": "理事"}), True),
    page(
        "governance:declared_post_approval",
        "POST",
        "declared",
        staff(),
        lambda w, u, d: {f"approve{d.pk}-approved_on": "2025-01-01", f"approve{d.pk}-approved_by": "矩阵"},
        True,
    ),
    page("governance:declared_post_end", "POST", "declared", staff(), lambda w, u, d: {f"end{d.pk}-end": ""}, True),
    # Pages: a draft slate and its entries (each change audited).
    page("governance:slate", "GET", "slate", view()),
    page("governance:slate_add", "POST", "slate", staff(), lambda w, u, s: {"entry-person": spare(w, s), "entry-role": "member"}, True),
    page("governance:slate_remove", "POST", "slate", staff(), lambda w, u, s: {"entry": slate_entry(w, s).pk}, True),
    page("governance:slate_delete", "POST", "slate", staff(), audit=True),
    # Pages: a contact duty, a visit (staff of the assigning organization or the leader), its end.
    page("governance:contact", "GET", "contact", view()),
    page(
        "governance:contact_visit",
        "POST",
        "contact",
        staff(current_duty, leader_may=True),
        lambda w, u, c: {"visit-date": today(), "visit-kind": "visit", "visit-notes": "矩阵"},
        True,
    ),
    page("governance:contact_end", "POST", "contact", staff(running), fixed({}), True),
    # Pages: rule sets and rules (read by all, edited by rule editors), assignments.
    page("governance:ruleset", "GET", "ruleset", public),
    page("governance:ruleset_edit", "POST", "ruleset", editor, ruleset_form, True),
    page("governance:rule_add", "POST", "ruleset", editor, fixed({f"rule-{k}": v for k, v in {**NEW_RULE, "sort": "0"}.items()}), True),
    page("governance:ruleset_assign", "POST", "org", assign_page, lambda w, u, o: {"assign-organization": o.code}, True),
    page("governance:ruleset_unassign", "POST", "assignment", administer, audit=True),
    page("governance:rule_edit", "GET", "rule", editor),
    page("governance:rule_edit", "POST", "rule", editor, rule_form, True),
    page("governance:rule_delete", "POST", "rule", editor, audit=True),
    # API: an organization.
    api(f"GET {G}/orgs/{{id}}/bodies", "org", view()),
    api(f"POST {G}/orgs/{{id}}/bodies", "org", staff(), fixed({"kind": "congress"}), True),
    api(f"GET {G}/orgs/{{id}}/compliance", "org", view()),
    api(f"GET {G}/orgs/{{id}}/contact-coverage", "org", view()),
    api(f"POST {G}/orgs/{{id}}/contacts", "org", staff(has_child), contact_form(api=True), True),
    # API: bodies, terms, seats.
    api(f"GET {G}/bodies/{{id}}", "body", view()),
    api(f"GET {G}/bodies/{{id}}/terms", "body", view()),
    api(f"POST {G}/bodies/{{id}}/terms", "body", staff(), lambda w, u, b: {"start": today()}, True),
    api(f"GET {G}/bodies/{{id}}/compliance", "body", view()),
    api(f"POST {G}/bodies/{{id}}/slates", "body", staff(), fixed({"name": "矩阵"}), True),
    api(f"POST {G}/terms/{{id}}/end", "term", staff(running), lambda w, u, t: {"actual_end": today()}, True),
    api(f"POST {G}/terms/{{id}}/seats", "term", staff(running), lambda w, u, t: {"person_id": spare(w, t)}, True),
    api(f"POST {G}/seats/{{id}}/vacate", "seat", staff(running), fixed({"reason": "矩阵"}), True),
    # API: an official's posts, the approval of a seat's post, posts declared outside the tree.
    api(f"GET {G}/seats/{{id}}/posts", "seat", view()),
    api(f"POST {G}/seats/{{id}}/approval", "seat", staff(), fixed({"approved_on": "2025-01-01", "approved_by": "矩阵"}), True),
    api(f"POST {G}/seats/{{id}}/declared-posts", "seat", staff(), fixed({"organization_name": "矩阵学会", "post": "理事"}), True),
    api(f"POST {G}/declared-posts/{{id}}/approval", "declared", staff(), fixed({"approved_on": "2025-01-01", "approved_by": "矩阵"}), True),
    api(f"POST {G}/declared-posts/{{id}}/end", "declared", staff(), fixed({}), True),
    # API: slates and their entries.
    api(f"GET {G}/slates/{{id}}", "slate", view()),
    api(f"DELETE {G}/slates/{{id}}", "slate", staff(), audit=True),
    api(f"POST {G}/slates/{{id}}/entries", "slate", staff(), lambda w, u, s: {"person_id": spare(w, s)}, True),
    api(f"DELETE {G}/slates/{{id}}/entries/{{person_id}}", "slate", staff(), audit=True),
    # API: contact duties.
    api(f"GET {G}/contacts/{{id}}", "contact", view()),
    api(f"POST {G}/contacts/{{id}}/visits", "contact", staff(current_duty, leader_may=True), lambda w, u, c: {"date": today(), "notes": "矩阵"}, True),
    api(f"POST {G}/contacts/{{id}}/end", "contact", staff(running), fixed({}), True),
    # API: rule sets, rules, assignments.
    api(f"GET {G}/rulesets/{{id}}", "ruleset", public),
    api(f"PATCH {G}/rulesets/{{id}}", "ruleset", editor, fixed({"description": "矩阵"}), True),
    api(f"POST {G}/rulesets/{{id}}/rules", "ruleset", editor, fixed({**NEW_RULE, "threshold": 0.3}), True),
    api(f"POST {G}/rulesets/{{id}}/assignments", "org", assign_api, lambda w, u, o: {"org_id": o.pk, "include_subtree": False}, True),
    api(f"PATCH {G}/rules/{{id}}", "rule", editor, fixed({"note": "矩阵"}), True),
    api(f"DELETE {G}/rules/{{id}}", "rule", editor, audit=True),
    api(f"DELETE {G}/assignments/{{id}}", "assignment", administer, audit=True),
]

# Rows answered wrongly by the application, (actor, endpoint key, object) -> what. Such a row must
# still fail (a fix fails the case until its row is removed here); the other rows of its case are
# checked as usual, and the case then ends as an xfail naming the bug.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}
CASES = sm.cases(ACTORS, ENDPOINTS)
# Each rule answers outside | forbidden (in scope, not the role) | invalid (not in this state) | ok.


# ---- Sending and checking ---------------------------------------------------------------------


def database_state() -> tuple:
    """Everything a write of this app could change, in one query."""
    sql = sm.counts(AuditEvent, Notice, Body, Term, Seat, Slate, SlateEntry, ContactAssignment, ContactVisit, Rule, RuleSet, RuleSetAssignment, DeclaredPost)
    sql += [
        f"SELECT COUNT(*) FROM {sm.table(Term)} WHERE actual_end IS NOT NULL",
        f'SELECT COUNT(*) FROM {sm.table(Seat)} WHERE "end" IS NOT NULL',
        f"SELECT COUNT(*) FROM {sm.table(ContactAssignment)} WHERE until IS NOT NULL",
        f"SELECT COALESCE(SUM(LENGTH(role) + LENGTH(official)), 0) FROM {sm.table(SlateEntry)}",
    ]
    sql += sm.latest(Body, Term, Seat, Slate, ContactAssignment, Rule, RuleSet, RuleSetAssignment, DeclaredPost)
    return sm.snapshot(sql)


def people_texts(w, obj) -> list[str]:
    """What a refusal must not show: the names of the people seated by the object's organization."""
    if isinstance(obj, (RuleSet, Rule)):
        return []
    org = org_of(obj)
    return next((w.names[key] for key, item in w.orgs.items() if item.pk == org.pk), [])


def check(w, actor: str, endpoint: Endpoint, key: str, expected: str) -> str | None:
    """One request in a savepoint of its own; what went wrong, or None. A write that is allowed changes
    something; a refusal shows none of the names of the organization's people."""
    texts = people_texts(w, w.objects[(endpoint.target, key)])
    return sm.check(w, actor, endpoint, key, expected, state=database_state, texts=texts, changes=True)


# ---- The matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor,endpoint", CASES)
def test_endpoint_answers_each_object_by_scope(world, actor, endpoint):
    """Every object of the endpoint, each in a savepoint: outside, forbidden, invalid or ok as the
    rule computes it."""
    sm.run_case(world, actor, endpoint, OBJECTS[endpoint.target], check, KNOWN_BUGS)


def test_matrix_has_allowed_and_outside_cases_for_every_endpoint(world):
    """The positive controls: every endpoint has an allowed case, every scoped one an outside case,
    every write a refused one (forbidden or outside), and the 403 of "in scope, no staff role",
    the 403 of a leader ending their own duty and the 400/409 of a state are tried."""
    outcomes = sm.outcomes(world, ACTORS, ENDPOINTS, OBJECTS)
    for endpoint in ENDPOINTS:
        assert "ok" in outcomes[endpoint.key], f"no allowed case for {endpoint.key}"
        if endpoint.rule not in UNSCOPED_RULES:
            assert "outside" in outcomes[endpoint.key], f"no outside case for {endpoint.key}"
        if endpoint.method != "GET":
            assert outcomes[endpoint.key] & {"outside", "forbidden"}, f"no refused case for {endpoint.key}"
    assert any("forbidden" in found for found in outcomes.values())
    end_contact = next(e for e in ENDPOINTS if e.key == f"POST {G}/contacts/{{id}}/end")
    assert sm.expectation(world, "worker", end_contact, "c_js_xw") == "forbidden"
    assert any("invalid" in found for found in outcomes.values())


def test_matrix_covers_every_governance_route():
    """Each route the guard of the organizations matrix sends here is in ENDPOINTS, and every
    governance route with an id is sent here."""
    mine = {route for route, module in OTHER_MATRICES.items() if module == THIS_MODULE}
    assert mine, "no route is registered against this matrix"
    assert mine == {e.route for e in ENDPOINTS}, sorted(mine ^ {e.route for e in ENDPOINTS})


@pytest.mark.parametrize("name", sorted({e.route for e in ENDPOINTS if e.door == "html"}))
def test_matrix_tests_every_method_a_page_accepts(world, name):
    """A page that answers GET or POST (anything but 405 for an unknown id) has that method here."""
    sm.assert_page_methods(world.page_clients["js_admin"], name, ENDPOINTS)


# ---- Lists show exactly the scope -----------------------------------------------------------------


def visible_keys(w, user) -> list[str]:
    return [key for key, org in w.orgs.items() if scope.can_view(user, org)]


@pytest.mark.parametrize("actor", ACTORS)
def test_alerts_show_exactly_the_scope(world, actor):
    user = getattr(world, actor)
    horizon = timezone.localdate() + datetime.timedelta(days=90)
    terms = Term.objects.filter(actual_end__isnull=True, planned_end__lte=horizon).select_related("body__organization")
    expected = {t.pk for t in terms if scope.can_view(user, t.body.organization)}
    data = sm.api_get(world, actor, f"{G}/alerts")
    assert {row["term_id"] for row in data["overdue"] + data["due"]} == expected
    client = world.page_clients[actor]
    response = client.get(reverse("governance:alerts"))
    if not scope.has_any_role(user):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {t.pk for t in response.context["alerts"]["overdue"] + response.context["alerts"]["due"]} == expected
    for key, org in world.orgs.items():  # a root outside the scope is a 404 on both doors
        headers = sm.bearer(world, actor)
        api_status = world.api_client.get(f"{G}/alerts", {"root": org.pk}, headers=headers).status_code
        page_status = client.get(reverse("governance:alerts"), {"org": org.pk}).status_code
        assert (api_status, page_status) == ((200, 200) if scope.can_view(user, org) else (404, 404)), key


@pytest.mark.parametrize("actor", ACTORS)
def test_concurrent_posts_show_exactly_the_scope(world, actor):
    """Each organization's official was seated aged over 70: listed where the seat is in scope."""
    user = getattr(world, actor)
    seats = Seat.objects.filter(end__isnull=True, term__actual_end__isnull=True).exclude(official="").select_related("term__body__organization")
    expected = {s.person_id for s in seats if scope.can_view(user, s.term.body.organization)}
    assert len(expected) == len(visible_keys(world, user))
    assert {row["person_id"] for row in sm.api_get(world, actor, f"{G}/concurrent-posts", limit=500)["items"]} == expected
    response = world.page_clients[actor].get(reverse("governance:concurrent"))
    if not scope.has_any_role(user):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {row["person_id"] for row in response.context["rows"]} == expected


@pytest.mark.parametrize("actor", ACTORS)
def test_org_compliance_and_coverage_show_only_the_subtree_in_scope(world, actor):
    user = getattr(world, actor)
    bodies = list(Body.objects.filter(terms__actual_end__isnull=True).select_related("organization"))
    client = world.page_clients[actor]
    for key, org in {**world.orgs, "js": world.js}.items():
        if not scope.can_view(user, org):
            continue
        expected = {b.pk for b in bodies if b.organization.path.startswith(org.path) and scope.can_view(user, b.organization)}
        assert {row["body"]["id"] for row in sm.api_get(world, actor, f"{G}/orgs/{org.pk}/compliance", limit=500)["items"]} == expected, key
        response = client.get(reverse("governance:compliance", args=[org.pk]))
        assert response.status_code == 200, key
        assert {row["body"].pk for row in response.context["rows"]} == expected, key
        coverage = sm.api_get(world, actor, f"{G}/orgs/{org.pk}/contact-coverage", limit=500)["items"]
        shown = Organization.objects.filter(pk__in=[row["organization"]["id"] for row in coverage])
        assert all(o.path.startswith(org.path) and o.pk != org.pk and scope.can_view(user, o) for o in shown), key
        names = [name for other in world.orgs.values() if not scope.can_view(user, other) for name in people_texts(world, other)]
        assert not [name for name in names if name in response.content.decode()], key


@pytest.mark.parametrize("actor", ACTORS)
def test_assignments_and_duties_lists_show_exactly_the_scope(world, actor):
    """A rule set's assignments are listed within the scope; the home page lists one's own duties."""
    user = getattr(world, actor)
    for key in OBJECTS["ruleset"]:
        ruleset = world.objects[("ruleset", key)]
        expected = {a.pk for a in RuleSetAssignment.objects.filter(ruleset=ruleset).select_related("organization") if scope.can_view(user, a.organization)}
        assert {row["id"] for row in sm.api_get(world, actor, f"{G}/rulesets/{ruleset.pk}")["assignments"]} == expected
        response = world.page_clients[actor].get(reverse("governance:ruleset", args=[ruleset.pk]))
        assert {a.pk for a in response.context["assignments"]} == expected
    duties = {
        world.objects[("contact", key)].pk
        for key in OBJECTS["contact"]
        if own(user, world.objects[("contact", key)]) and world.objects[("contact", key)].until is None
    }
    response = world.page_clients[actor].get(reverse("governance:home"))
    assert {d.pk for d in response.context["duties"]} == duties


@pytest.mark.parametrize("actor", ACTORS)
def test_creating_a_rule_set_is_for_rule_editors_only(world, actor):
    user = getattr(world, actor)
    payload = {"name": "矩阵规则", "jurisdiction": "矩阵", "source": "矩阵"}
    with sm.rolled_back():
        before = database_state()
        response = sm.request(world, actor, "api", "POST", f"{G}/rulesets", payload)
        page = world.page_clients[actor].post(reverse("governance:rulesets"), {f"ruleset-{k}": f"{v}页" for k, v in payload.items()})
        after = database_state()
    if access.can_edit_rules(user):
        assert (response.status_code, page.status_code) == (201, 302)
        assert after[0] == before[0] + 2
    else:
        assert (response.status_code, page.status_code) == (403, 403)
        assert after == before
