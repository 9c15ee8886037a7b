"""The governance API with bearer tokens: every operation's happy path; scope (404 outside, 403 in
scope without a staff role); rule-set writes only by the federation's administrators; assignment
by an organization's administrator; validation naming the field with nothing written; no
identifier or phone in any answer; 401 without credentials."""

import datetime

import pytest
from django.test import Client

from kejia.accounts.services import create_user, grant_role, issue_api_token
from kejia.core.models import AuditEvent
from kejia.governance import services
from kejia.governance.models import (
    Body,
    ContactAssignment,
    ContactVisit,
    Rule,
    RuleSet,
    RuleSetAssignment,
    Seat,
    Slate,
    SlateEntry,
    Term,
)
from kejia.governance.rulesets import load_rule_sets
from kejia.people.services import create_person

pytestmark = pytest.mark.django_db

D = datetime.date
ID_NUMBER, PHONE = "11010519491231002X", "13800138000"

SOC_KINDS = ["provincial_society"]


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


@pytest.fixture
def rulesets(db):
    load_rule_sets(RuleSet, Rule)
    return {r.name: r for r in RuleSet.objects.all()}


@pytest.fixture
def gov(tree, rulesets):
    """The society's council (term 2024–2029): a serving official born 1949 (registered with an ID
    number and a phone) in the chair and three front-line members; XW's committee with an overdue
    term; a draft slate of the council; NJ's contact duty for XW."""
    services.assign_ruleset(rulesets["societies"], tree.js, actor=tree.platform)
    chair = create_person(actor=tree.platform, organization=tree.soc, name="孙丽", resident_id=ID_NUMBER, phone=PHONE)
    members = [create_person(actor=tree.platform, organization=tree.soc, name=f"理事{i}", is_frontline=True, birth_date=D(1980, 1, 1)) for i in range(3)]
    council = services.create_body(tree.soc, actor=tree.society_secretary, kind="council", name="第八届理事会")
    term = services.start_term(council, actor=tree.society_secretary, start=D(2024, 1, 1))
    chair_seat = services.seat_person(term, actor=tree.society_secretary, person=chair, role="chair", start=D(2024, 1, 1), official="serving")
    services.record_post_approval(chair_seat, actor=tree.society_secretary, approved_on=D(2023, 12, 1), approved_by="省委组织部")
    for p in members:
        services.seat_person(term, actor=tree.society_secretary, person=p, start=D(2024, 1, 1))
    slate = services.create_slate(council, actor=tree.society_secretary, name="第九届", planned_start=D(2029, 1, 1))

    xw_member = create_person(actor=tree.platform, organization=tree.xw, name="周强", is_frontline=True, birth_date=D(1990, 5, 1))
    committee = services.create_body(tree.xw, actor=tree.county_staff, kind="committee", name="玄武区科协委员会")
    xw_term = services.start_term(committee, actor=tree.county_staff, start=D(2019, 6, 1))
    xw_seat = services.seat_person(xw_term, actor=tree.county_staff, person=xw_member, start=D(2019, 6, 1))

    leader = create_person(actor=tree.platform, organization=tree.nj, name="吴刚")
    duty = services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=leader, organization=tree.xw, since=D(2025, 1, 1))
    chair.refresh_from_db()
    return dict(
        chair=chair,
        members=members,
        council=council,
        term=term,
        chair_seat=chair_seat,
        slate=slate,
        xw_member=xw_member,
        committee=committee,
        xw_term=xw_term,
        xw_seat=xw_seat,
        leader=leader,
        duty=duty,
    )


def written():
    """What a refused request must leave untouched."""
    return (
        Body.objects.count(),
        Term.objects.count(),
        Seat.objects.filter(end__isnull=True).count(),
        Slate.objects.count(),
        SlateEntry.objects.count(),
        ContactAssignment.objects.filter(until__isnull=True).count(),
        ContactVisit.objects.count(),
        RuleSet.objects.count(),
        list(Rule.objects.values_list("id", "threshold_num", "threshold_den", "note")),
        RuleSetAssignment.objects.count(),
        AuditEvent.objects.exclude(action="api_token.issued").count(),
    )


def no_pii(response, chair):
    text = response.content.decode()
    assert ID_NUMBER not in text and PHONE not in text and chair.id_masked not in text and chair.phone_masked not in text


# ---- Bodies, terms, seats ------------------------------------------------------------------


def test_bodies_list_create_detail(tree, gov, as_):
    staff = as_(tree.society_secretary)
    created = staff.post(f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "standing_council", "name": "常务理事会", "term_years": 4})
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "standing_council" and created.json()["current_term"] is None
    listed = staff.get(f"/api/governance/orgs/{tree.soc.pk}/bodies").json()
    assert {b["kind"] for b in listed} == {"council", "standing_council"}
    council = next(b for b in listed if b["kind"] == "council")
    assert council["current_term"]["number"] == 1 and council["current_term"]["planned_end"] == "2029-01-01"

    response = staff.get(f"/api/governance/bodies/{gov['council'].pk}")
    detail = response.json()
    assert detail["organization"]["code"] == "SOC" and detail["term_years"] == 5
    seats = detail["current_term"]["seats"]
    assert len(seats) == 4
    chair = next(s for s in seats if s["role"] == "chair")
    assert chair["person"] == {"id": gov["chair"].pk, "name": "孙丽"}
    assert chair["start"] == "2024-01-01" and chair["end"] is None and chair["official"] == "serving"
    assert chair["age_at_seating"] == 74 and chair["gender"] == "F" and chair["is_frontline"] is False
    no_pii(response, gov["chair"])


def test_terms_start_seat_vacate_end(tree, gov, as_):
    staff = as_(tree.society_secretary)
    body = staff.post(f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "supervisory_board"}).json()
    term = staff.post(f"/api/governance/bodies/{body['id']}/terms", {"start": "2025-03-01"})
    assert term.status_code == 201, term.content
    term = term.json()
    assert term["number"] == 1 and term["planned_end"] == "2030-03-01" and term["actual_end"] is None

    seat = staff.post(f"/api/governance/terms/{term['id']}/seats", {"person_id": gov["members"][0].pk, "role": "member", "start": "2025-03-01"})
    assert seat.status_code == 201, seat.content
    assert seat.json()["person"]["name"] == "理事0" and seat.json()["is_frontline"] is True and seat.json()["age_at_seating"] == 45
    vacated = staff.post(f"/api/governance/seats/{seat.json()['id']}/vacate", {"end": "2025-06-01", "reason": "工作调动"})
    assert vacated.status_code == 200 and vacated.json()["end"] == "2025-06-01"

    ended = staff.post(f"/api/governance/terms/{term['id']}/end", {"actual_end": "2025-12-31"})
    assert ended.status_code == 200 and ended.json()["actual_end"] == "2025-12-31"
    second = staff.post(f"/api/governance/bodies/{body['id']}/terms", {"start": "2026-01-01", "planned_end": "2031-01-01"})
    assert second.status_code == 201 and second.json()["number"] == 2
    terms = staff.get(f"/api/governance/bodies/{body['id']}/terms").json()
    assert [(t["number"], t["seat_count"]) for t in terms] == [(2, 0), (1, 1)]


# ---- Compliance ----------------------------------------------------------------------------


def test_body_compliance_with_failing_seats(tree, gov, as_):
    response = as_(tree.society_secretary).get(f"/api/governance/bodies/{gov['council'].pk}/compliance", ruleset="societies", today="2026-11-23")
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["body"]["id"] == gov["council"].pk and report["term"]["number"] == 1 and report["seats"] == 4
    by_measure = {r["measure"]: r for r in report["results"]}
    frontline = by_measure["frontline_share"]
    assert frontline["ruleset"] == "societies" and frontline["comparison"] == "gte" and frontline["threshold"] == 0.75
    assert frontline["threshold_text"] == "3/4" and frontline["measured_text"] == "3/4"
    assert frontline["measured"] == 0.75 and frontline["outcome"] == "pass" and frontline["failing"] == []
    age = by_measure["official_age"]
    assert age["outcome"] == "fail" and age["measured"] == 76 and age["is_target"] is False and age["param"] is None  # today's age
    assert age["failing"] == [{"person_id": gov["chair"].pk, "name": "孙丽", "role": "chair"}]
    assert by_measure["days_overdue"]["outcome"] == "pass" and report["failures"] == 1
    assert by_measure["official_unapproved"]["outcome"] == "pass"
    no_pii(response, gov["chair"])

    assert as_(tree.society_secretary).get(f"/api/governance/bodies/{gov['council'].pk}/compliance", ruleset="national").json()["results"] == []
    unknown = as_(tree.society_secretary).get(f"/api/governance/bodies/{gov['council'].pk}/compliance", ruleset="nope")
    assert unknown.status_code == 400 and unknown.json()["field"] == "ruleset"


def test_subtree_compliance_failures_only(tree, gov, as_, rulesets):
    services.assign_ruleset(rulesets["jiangsu"], tree.js, actor=tree.platform)
    province = as_(tree.province_staff)
    everything = province.get(f"/api/governance/orgs/{tree.js.pk}/compliance", today="2026-11-23").json()["items"]
    assert {r["body"]["id"] for r in everything} == {gov["council"].pk, gov["committee"].pk}
    failing = province.get(f"/api/governance/orgs/{tree.js.pk}/compliance", today="2026-11-23", failures_only="true").json()["items"]
    assert [r["body"]["id"] for r in failing] == [gov["council"].pk]  # XW's committee: 100 % front-line
    only_xw = as_(tree.county_staff).get(f"/api/governance/orgs/{tree.xw.pk}/compliance", ruleset="jiangsu").json()["items"]
    assert [r["body"]["organization"]["code"] for r in only_xw] == ["XW"]
    assert [r["measure"] for r in only_xw[0]["results"]] == ["frontline_share"]
    first = province.get(f"/api/governance/orgs/{tree.js.pk}/compliance", today="2026-11-23", limit=1).json()
    second = province.get(f"/api/governance/orgs/{tree.js.pk}/compliance", today="2026-11-23", limit=1, offset=1).json()
    assert first["count"] == 2 and [r["body"]["id"] for r in first["items"] + second["items"]] == [r["body"]["id"] for r in everything]


# ---- Draft slates --------------------------------------------------------------------------


def test_slates_create_read_entries_delete(tree, gov, as_):
    staff = as_(tree.society_secretary)
    created = staff.post(f"/api/governance/bodies/{gov['council'].pk}/slates", {"name": "方案二", "planned_start": "2029-01-01"})
    assert created.status_code == 201, created.content
    slate = created.json()
    assert slate["name"] == "方案二" and len(slate["entries"]) == 4
    assert {r["measure"]: r["outcome"] for r in slate["compliance"]["results"]}["official_age"] == "fail"
    assert slate["compliance"]["term"] is None and slate["compliance"]["seats"] == 4

    added = staff.post(f"/api/governance/slates/{slate['id']}/entries", {"person_id": gov["chair"].pk, "role": "member", "official": ""})
    assert added.status_code == 201, added.content
    assert added.json()["person"] == {"id": gov["chair"].pk, "name": "孙丽"} and added.json()["role"] == "member"
    assert added.json()["official"] == ""
    response = staff.get(f"/api/governance/slates/{slate['id']}", ruleset="societies")
    assert {r["measure"]: r["outcome"] for r in response.json()["compliance"]["results"]}["official_age"] == "n/a"
    no_pii(response, gov["chair"])

    assert staff.delete(f"/api/governance/slates/{slate['id']}/entries/{gov['chair'].pk}").status_code == 204
    assert len(staff.get(f"/api/governance/slates/{slate['id']}").json()["entries"]) == 3
    assert staff.delete(f"/api/governance/slates/{slate['id']}/entries/{gov['chair'].pk}").status_code == 404
    assert staff.delete(f"/api/governance/slates/{slate['id']}").status_code == 204
    assert staff.get(f"/api/governance/slates/{slate['id']}").status_code == 404


# ---- Alerts and concurrent posts -----------------------------------------------------------


def test_alerts_in_scope_and_root(tree, gov, as_):
    province = as_(tree.province_staff)
    alerts = province.get("/api/governance/alerts", within_days=3650).json()
    assert [a["term_id"] for a in alerts["overdue"]] == [gov["xw_term"].pk] and alerts["overdue"][0]["days_left"] < 0
    assert [a["term_id"] for a in alerts["due"]] == [gov["term"].pk] and alerts["due"][0]["body"]["organization"]["code"] == "SOC"
    assert alerts["within_days"] == 3650
    county = as_(tree.county_staff).get("/api/governance/alerts", within_days=3650).json()
    assert [a["term_id"] for a in county["overdue"]] == [gov["xw_term"].pk] and county["due"] == []
    rooted = province.get("/api/governance/alerts", root=tree.soc.pk, within_days=3650).json()
    assert rooted["overdue"] == [] and len(rooted["due"]) == 1
    assert as_(tree.county_staff).get("/api/governance/alerts", root=tree.soc.pk).status_code == 404


def test_concurrent_posts(tree, gov, as_):
    response = as_(tree.society_secretary).get("/api/governance/concurrent-posts")
    assert response.json()["count"] == 1
    [row] = response.json()["items"]
    assert row["person_id"] == gov["chair"].pk and row["problems"] == ["age"] and row["posts"] == 1
    assert row["seats"][0]["code"] == "SOC" and row["seats"][0]["role"] == "chair"
    no_pii(response, gov["chair"])
    assert as_(tree.county_staff).get("/api/governance/concurrent-posts").json()["items"] == []
    assert as_(tree.province_staff).get("/api/governance/concurrent-posts", root=tree.nj.pk).json()["count"] == 0
    assert as_(tree.county_staff).get("/api/governance/concurrent-posts", root=tree.soc.pk).status_code == 404


# ---- Contact duties ------------------------------------------------------------------------


def test_contacts_assign_visit_read_coverage_end(tree, gov, as_):
    staff = as_(tree.nj_staff)
    other = create_person(actor=tree.platform, organization=tree.nj, name="郑华")
    created = staff.post(f"/api/governance/orgs/{tree.nj.pk}/contacts", {"leader_id": other.pk, "organization_id": tree.qh.pk, "since": "2025-02-01"})
    assert created.status_code == 201, created.content
    duty = created.json()
    assert duty["leader"] == {"id": other.pk, "name": "郑华"} and duty["organization"]["code"] == "QH" and duty["visits"] == []
    assert duty["assigned_by"]["code"] == "NJ"

    visit = staff.post(
        f"/api/governance/contacts/{gov['duty'].pk}/visits", {"date": "2026-01-10", "form": "survey", "notes": "调研基层科协组织建设", "issues": "经费不足"}
    )
    assert visit.status_code == 201 and visit.json()["form"] == "survey" and visit.json()["recorded_by_name"]
    read = staff.get(f"/api/governance/contacts/{gov['duty'].pk}").json()
    assert [v["issues"] for v in read["visits"]] == ["经费不足"]

    coverage = {row["organization"]["code"]: row for row in staff.get(f"/api/governance/orgs/{tree.nj.pk}/contact-coverage", months=120).json()["items"]}
    assert coverage["XW"]["gap"] == "" and coverage["XW"]["last_contact"] == "2026-01-10"
    assert coverage["XW"]["leaders"] == [{"contact_id": gov["duty"].pk, "leader": {"id": gov["leader"].pk, "name": "吴刚"}, "since": "2025-01-01"}]
    assert coverage["QH"]["gap"] == "no_contact"

    ended = staff.post(f"/api/governance/contacts/{duty['id']}/end", {"until": "2026-06-30"})
    assert ended.status_code == 200 and ended.json()["until"] == "2026-06-30"
    again = staff.post(f"/api/governance/contacts/{duty['id']}/end")
    assert again.status_code == 409 and again.json()["code"] == "ended"  # a refused state change, as on the page


def test_contact_leader_logs_own_visit_but_cannot_end(tree, gov, as_):
    own = create_person(actor=tree.platform, organization=tree.nj, name="李明")
    own.user = tree.worker
    own.save(update_fields=["user"])
    duty = services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=own, organization=tree.qh)
    worker = as_(tree.worker)
    assert worker.post(f"/api/governance/contacts/{duty.pk}/visits", {"date": "2026-01-10"}).status_code == 201
    assert worker.get(f"/api/governance/contacts/{duty.pk}").status_code == 200
    before = written()
    assert worker.post(f"/api/governance/contacts/{duty.pk}/end").status_code == 403
    assert worker.get(f"/api/governance/contacts/{gov['duty'].pk}").status_code == 404
    assert written() == before


# ---- Rule sets and assignments -------------------------------------------------------------


def test_rulesets_read_by_any_signed_in_user(tree, gov, as_, rulesets):
    worker = as_(tree.worker)
    listed = worker.get("/api/governance/rulesets").json()
    assert {"national", "jiangsu", "societies"} <= {r["name"] for r in listed}
    detail = worker.get(f"/api/governance/rulesets/{rulesets['societies'].pk}").json()
    assert detail["rule_count"] == 9 and [r["sort"] for r in detail["rules"]] == list(range(1, 10))  # full-time staff: on the membership figures
    congress, council = detail["rules"][:2]
    assert (congress["measure"], congress["comparison"], congress["threshold_text"], congress["org_kinds"]) == (
        "frontline_share",
        "gt",
        "1/2",
        ["provincial_society", "municipal_society"],
    )
    assert council["threshold"] == 0.75 and council["threshold_text"] == "3/4"
    assert detail["assignments"] == []  # the worker's scope holds none
    province = as_(tree.province_staff).get(f"/api/governance/rulesets/{rulesets['societies'].pk}").json()
    assert [a["organization"]["code"] for a in province["assignments"]] == ["JS"]
    assert worker.get("/api/governance/rulesets/999999").status_code == 404


@pytest.mark.parametrize("editor", ["platform", "js_admin"])
def test_rulesets_written_by_federation_admins(tree, rulesets, as_, editor):
    if editor == "js_admin":
        user = create_user(actor=tree.platform, username="js_admin", password=tree.password, display_name="js_admin", check_password=False)
        grant_role(user, actor=tree.platform, organization=tree.js, kind="admin")
    else:
        user = tree.platform
    api = as_(user)
    created = api.post("/api/governance/rulesets", {"name": "wuxi", "jurisdiction": "无锡市科协系统", "source": "无锡市实施方案"})
    assert created.status_code == 201, created.content
    ruleset = created.json()
    assert ruleset["rules"] == [] and ruleset["is_active"] is True
    patched = api.patch(f"/api/governance/rulesets/{ruleset['id']}", {"description": "试行", "is_active": False})
    assert patched.status_code == 200 and patched.json()["description"] == "试行" and patched.json()["is_active"] is False

    rule = api.post(
        f"/api/governance/rulesets/{ruleset['id']}/rules",
        {
            "body_kinds": ["council", "standing_council"],
            "org_kinds": SOC_KINDS,
            "measure": "women_share",
            "comparison": "gte",
            "threshold": "30%",
            "is_target": True,
            "note": "女性比例 30% 左右",
        },
    )
    assert rule.status_code == 201, rule.content
    assert rule.json()["threshold"] == 0.3 and rule.json()["body_kinds"] == ["council", "standing_council"]
    changed = api.patch(f"/api/governance/rules/{rule.json()['id']}", {"threshold": 0.25, "sort": 3})
    assert changed.status_code == 200 and changed.json()["threshold"] == 0.25 and changed.json()["sort"] == 3
    assert api.delete(f"/api/governance/rules/{rule.json()['id']}").status_code == 204
    assert not Rule.objects.filter(ruleset_id=ruleset["id"]).exists()
    assert AuditEvent.objects.filter(action__in=["ruleset.created", "ruleset.updated", "rule.added", "rule.updated", "rule.deleted"]).count() == 5


@pytest.mark.parametrize("actor", ["nj_staff", "nj_admin", "society_secretary", "worker"])
def test_rulesets_writes_refused_for_others(tree, rulesets, as_, actor):
    api = as_(getattr(tree, actor))
    rule = rulesets["jiangsu"].rules.first()
    before = written()
    assert api.post("/api/governance/rulesets", {"name": "x", "jurisdiction": "x", "source": "x"}).status_code == 403
    assert api.patch(f"/api/governance/rulesets/{rulesets['jiangsu'].pk}", {"description": "x"}).status_code == 403
    assert (
        api.post(
            f"/api/governance/rulesets/{rulesets['jiangsu'].pk}/rules",
            {"body_kinds": ["council"], "org_kinds": SOC_KINDS, "measure": "women_share", "comparison": "gte", "threshold": 0.3},
        ).status_code
        == 403
    )
    assert api.patch(f"/api/governance/rules/{rule.pk}", {"threshold": 0.1}).status_code == 403
    assert api.delete(f"/api/governance/rules/{rule.pk}").status_code == 403
    assert written() == before


def test_assignments_by_org_admin(tree, rulesets, as_):
    url = f"/api/governance/rulesets/{rulesets['national'].pk}/assignments"
    before = written()
    assert as_(tree.nj_staff).post(url, {"org_id": tree.nj.pk}).status_code == 403
    outside = as_(tree.nj_admin).post(url, {"org_id": tree.wx.pk})
    assert outside.status_code == 400 and outside.json()["field"] == "org_id"
    assert written() == before

    created = as_(tree.nj_admin).post(url, {"org_id": tree.nj.pk, "include_subtree": False})
    assert created.status_code == 201, created.content
    assert created.json()["organization"]["code"] == "NJ" and created.json()["include_subtree"] is False
    again = as_(tree.nj_admin).post(url, {"org_id": tree.nj.pk})
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"] and again.json()["include_subtree"] is True

    assignment = f"/api/governance/assignments/{created.json()['id']}"
    before = written()
    assert as_(tree.nj_staff).delete(assignment).status_code == 403
    assert as_(tree.wx_staff).delete(assignment).status_code == 404
    assert written() == before
    assert as_(tree.nj_admin).delete(assignment).status_code == 204
    assert not RuleSetAssignment.objects.filter(pk=created.json()["id"]).exists()


# ---- Scope ---------------------------------------------------------------------------------


def _requests(tree, gov):
    """Every operation on XW's and SOC's objects: (method, url, body)."""
    slate, duty, chair = gov["slate"], gov["duty"], gov["chair"]
    person = gov["members"][0].pk
    out = []
    for org, body, term, seat in ((tree.xw, gov["committee"], gov["xw_term"], gov["xw_seat"]), (tree.soc, gov["council"], gov["term"], gov["chair_seat"])):
        out += [
            ("get", f"/api/governance/orgs/{org.pk}/bodies", None),
            ("post", f"/api/governance/orgs/{org.pk}/bodies", {"kind": "secretariat"}),
            ("get", f"/api/governance/orgs/{org.pk}/compliance", None),
            ("get", f"/api/governance/orgs/{org.pk}/contact-coverage", None),
            ("post", f"/api/governance/orgs/{org.pk}/contacts", {"leader_id": person, "organization_id": tree.my.pk}),
            ("get", f"/api/governance/bodies/{body.pk}", None),
            ("get", f"/api/governance/bodies/{body.pk}/terms", None),
            ("post", f"/api/governance/bodies/{body.pk}/terms", {"start": "2030-01-01"}),
            ("get", f"/api/governance/bodies/{body.pk}/compliance", None),
            ("post", f"/api/governance/bodies/{body.pk}/slates", {"name": "x"}),
            ("post", f"/api/governance/terms/{term.pk}/end", {"actual_end": "2026-01-01"}),
            ("post", f"/api/governance/terms/{term.pk}/seats", {"person_id": person}),
            ("post", f"/api/governance/seats/{seat.pk}/vacate", {}),
        ]
    out += [
        ("get", f"/api/governance/slates/{slate.pk}", None),
        ("post", f"/api/governance/slates/{slate.pk}/entries", {"person_id": person}),
        ("delete", f"/api/governance/slates/{slate.pk}/entries/{chair.pk}", None),
        ("delete", f"/api/governance/slates/{slate.pk}", None),
        ("get", f"/api/governance/contacts/{duty.pk}", None),
        ("post", f"/api/governance/contacts/{duty.pk}/visits", {"date": "2026-01-01"}),
        ("post", f"/api/governance/contacts/{duty.pk}/end", {}),
    ]
    return out


def _call(api, method, url, body):
    if method == "get":
        return api.get(url)
    if method == "delete":
        return api.delete(url)
    return api.post(url, body)


@pytest.mark.parametrize("actor", ["sibling_staff", "wx_staff", "worker"])
def test_scope_outside_is_404_with_nothing_written(tree, gov, as_, actor):
    api = as_(getattr(tree, actor))
    before = written()
    for method, url, body in _requests(tree, gov):
        response = _call(api, method, url, body)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["code"] == "not_found"
    assert written() == before
    if actor == "worker":
        assert api.get("/api/governance/alerts").json()["due"] == [] and api.get("/api/governance/concurrent-posts").json()["items"] == []


def test_scope_leader_role_reads_but_writes_403(tree, gov, as_):
    leader = as_(tree.county_leader)
    assert leader.get(f"/api/governance/bodies/{gov['committee'].pk}").status_code == 200
    assert leader.get(f"/api/governance/orgs/{tree.xw.pk}/compliance").status_code == 200
    before = written()
    for url, body in (
        (f"/api/governance/orgs/{tree.xw.pk}/bodies", {"kind": "secretariat"}),
        (f"/api/governance/bodies/{gov['committee'].pk}/terms", {"start": "2030-01-01"}),
        (f"/api/governance/terms/{gov['xw_term'].pk}/seats", {"person_id": gov["xw_member"].pk}),
        (f"/api/governance/seats/{gov['xw_seat'].pk}/vacate", {}),
        (f"/api/governance/bodies/{gov['committee'].pk}/slates", {}),
    ):
        response = leader.post(url, body)
        assert response.status_code == 403, (url, response.content)
    assert written() == before
    # SOC's bodies stay outside the leader's scope.
    assert leader.get(f"/api/governance/bodies/{gov['council'].pk}").status_code == 404


def test_scope_parent_staff_manages_below(tree, gov, as_):
    nj = as_(tree.nj_staff)
    assert nj.post(f"/api/governance/seats/{gov['xw_seat'].pk}/vacate").status_code == 200
    assert nj.get(f"/api/governance/bodies/{gov['council'].pk}").status_code == 404


# ---- Validation ----------------------------------------------------------------------------


def test_validation_names_the_field_with_nothing_written(tree, gov, as_, rulesets):
    staff, platform = as_(tree.society_secretary), as_(tree.platform)
    council, term = gov["council"], gov["term"]
    outsider = create_person(actor=tree.platform, organization=tree.wx, name="钱七")
    cases = [
        (staff, "post", f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "bogus"}, 422, "kind"),
        (staff, "post", f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "council"}, 400, "kind"),
        (staff, "post", f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "secretariat", "term_years": 11}, 422, "term_years"),
        (staff, "post", f"/api/governance/bodies/{council.pk}/terms", {"start": "2026-01-01", "planned_end": "2025-01-01"}, 400, "planned_end"),
        (staff, "post", f"/api/governance/bodies/{council.pk}/terms", {"start": "2023-01-01"}, 400, "start"),
        (staff, "post", f"/api/governance/bodies/{council.pk}/terms", {"start": "not a date"}, 422, "start"),
        (staff, "post", f"/api/governance/terms/{term.pk}/seats", {"person_id": outsider.pk}, 400, "person_id"),
        (staff, "post", f"/api/governance/terms/{term.pk}/seats", {"person_id": gov["chair"].pk}, 400, "person_id"),
        (staff, "post", f"/api/governance/terms/{term.pk}/seats", {"person_id": gov["xw_member"].pk, "role": "king"}, 422, "role"),
        (staff, "post", f"/api/governance/terms/{term.pk}/seats", {"person_id": 0}, 422, "person_id"),
        (staff, "post", f"/api/governance/terms/{term.pk}/end", {"actual_end": "2023-01-01"}, 400, "actual_end"),
        (staff, "post", f"/api/governance/seats/{gov['chair_seat'].pk}/vacate", {"end": "2020-01-01"}, 400, "end"),
        (staff, "post", f"/api/governance/slates/{gov['slate'].pk}/entries", {"person_id": outsider.pk}, 400, "person_id"),
        (
            as_(tree.nj_staff),
            "post",
            f"/api/governance/orgs/{tree.nj.pk}/contacts",
            {"leader_id": gov["leader"].pk, "organization_id": tree.wx.pk},
            400,
            "organization_id",
        ),
        (
            as_(tree.nj_staff),
            "post",
            f"/api/governance/orgs/{tree.nj.pk}/contacts",
            {"leader_id": gov["leader"].pk, "organization_id": tree.nj.pk},
            400,
            "organization_id",
        ),
        (
            as_(tree.nj_staff),
            "post",
            f"/api/governance/orgs/{tree.nj.pk}/contacts",
            {"leader_id": outsider.pk, "organization_id": tree.qh.pk},
            400,
            "leader_id",
        ),
        (
            as_(tree.nj_staff),
            "post",
            f"/api/governance/orgs/{tree.nj.pk}/contacts",
            {"leader_id": gov["leader"].pk, "organization_id": tree.xw.pk},
            400,
            "leader_id",
        ),
        (as_(tree.nj_staff), "post", f"/api/governance/contacts/{gov['duty'].pk}/visits", {"date": "2999-01-01"}, 400, "date"),
        (as_(tree.nj_staff), "post", f"/api/governance/contacts/{gov['duty'].pk}/visits", {"date": "2026-01-01", "form": "x"}, 400, "form"),
        (platform, "post", "/api/governance/rulesets", {"name": "", "jurisdiction": "x", "source": "x"}, 400, "name"),
        (platform, "post", "/api/governance/rulesets", {"name": "national", "jurisdiction": "x", "source": "x"}, 400, "name"),
        (platform, "patch", f"/api/governance/rulesets/{rulesets['national'].pk}", {"name": "jiangsu"}, 400, "name"),
        (platform, "patch", f"/api/governance/rulesets/{rulesets['national'].pk}", {"source": None}, 400, "source"),
        (
            platform,
            "post",
            f"/api/governance/rulesets/{rulesets['national'].pk}/rules",
            {"body_kinds": ["council"], "org_kinds": SOC_KINDS, "measure": "women_share", "comparison": "gte", "threshold": "abc"},
            400,
            "threshold",
        ),
        (
            platform,
            "post",
            f"/api/governance/rulesets/{rulesets['national'].pk}/rules",
            {"body_kinds": ["council"], "org_kinds": SOC_KINDS, "measure": "aged_at_most_share", "comparison": "gte", "threshold": 0.3},
            400,
            "param",
        ),
        (
            platform,
            "post",
            f"/api/governance/rulesets/{rulesets['national'].pk}/rules",
            {"body_kinds": [], "org_kinds": SOC_KINDS, "measure": "women_share", "comparison": "gte", "threshold": 0.3},
            422,
            "body_kinds",
        ),
        (
            platform,
            "post",
            f"/api/governance/rulesets/{rulesets['national'].pk}/rules",
            {"body_kinds": ["council"], "org_kinds": SOC_KINDS, "measure": "height", "comparison": "gte", "threshold": 0.3},
            422,
            "measure",
        ),
        (platform, "patch", f"/api/governance/rules/{rulesets['national'].rules.get(measure='aged_at_most_share').pk}", {"param": None}, 400, "param"),
        (platform, "patch", f"/api/governance/rules/{rulesets['national'].rules.first().pk}", {"comparison": None}, 400, "comparison"),
    ]
    before = written()
    for api, method, url, body, status, field in cases:
        response = api.patch(url, body) if method == "patch" else api.post(url, body)
        assert response.status_code == status, (url, body, response.content)
        assert response.json()["field"] == field, (url, body, response.json())
    assert written() == before


# ---- Unauthenticated -----------------------------------------------------------------------


def test_anonymous_is_401(tree, gov, client):
    for url in (
        f"/api/governance/orgs/{tree.soc.pk}/bodies",
        f"/api/governance/bodies/{gov['council'].pk}",
        f"/api/governance/bodies/{gov['council'].pk}/compliance",
        f"/api/governance/slates/{gov['slate'].pk}",
        "/api/governance/alerts",
        "/api/governance/concurrent-posts",
        "/api/governance/rulesets",
        f"/api/governance/contacts/{gov['duty'].pk}",
        f"/api/governance/orgs/{tree.js.pk}/compliance",
    ):
        assert client.get(url).status_code == 401, url
    before = written()
    response = client.post(f"/api/governance/orgs/{tree.soc.pk}/bodies", {"kind": "secretariat"}, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert client.post("/api/governance/rulesets", {"name": "x", "jurisdiction": "x", "source": "x"}, content_type="application/json").status_code == 401
    assert client.delete(f"/api/governance/slates/{gov['slate'].pk}").status_code == 401
    assert written() == before
