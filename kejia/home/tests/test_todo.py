"""A staff member's to-do on the dashboard (/) and in GET /api/me/home: per module, only what the
user's roles can act on in their scope, most urgent first, each row linking to where it is done,
in a fixed number of queries."""

import datetime

import pytest
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from kejia.accounts.services import issue_api_token
from kejia.governance import services as governance
from kejia.governance.choices import BodyKind
from kejia.governance.models import Body, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.grassroots.models import Target
from kejia.home import selectors
from kejia.home.tests.conftest import make_event
from kejia.imports.models import BatchStatus, ImportBatch
from kejia.memberships import applications, member_classes, transitions
from kejia.memberships.tests.conftest import make_person
from kejia.people.choices import Gender
from kejia.people.models import Listing, MatchCandidate, Person
from kejia.voice.models import Item
from kejia.voice.services import send_item


@pytest.fixture(autouse=True)
def deadline_rules(db):
    from kejia.voice.deadlines import load_default_rules
    from kejia.voice.models import DeadlineRule

    load_default_rules(DeadlineRule)


def _item(tree, org, title, due_in: int, kind="suggestion") -> Item:
    item = send_item(actor=tree.worker, organization=org, kind=kind, title=title, body="内容")
    Item.objects.filter(pk=item.pk).update(due_on=timezone.localdate() + datetime.timedelta(days=due_in))
    return item


def _term(org, kind, *, planned_in: int, number=1) -> Term:
    body, _ = Body.objects.get_or_create(organization=org, kind=kind)
    today = timezone.localdate()
    return Term.objects.create(body=body, number=number, start=today - datetime.timedelta(days=1500), planned_end=today + datetime.timedelta(days=planned_in))


def _batch(org, name, *, bad=3, status=BatchStatus.DONE) -> ImportBatch:
    return ImportBatch.objects.create(
        organization=org, org_path=org.path, file_name=name, sha256="0" * 64, status=status, total=10, processed=10, good=10 - bad, bad=bad
    )


def _pair(tree, org, a, b) -> MatchCandidate:
    people = [Person.objects.create(name=n) for n in (a, b)]
    for p in people:
        Listing.objects.create(person=p, organization=org)
    return MatchCandidate.objects.create(person_a=people[0], person_b=people[1], score=0.91)


@pytest.fixture
def world(tree):
    """Something waiting in every module for XW (玄武) and the same for its sibling QH (秦淮)."""
    w = tree
    # voice: XW has one overdue by 3 days, one due in 5 days, one due in 30 (not yet on the list); QH one overdue.
    w.late = _item(w, w.xw, "玄武逾期建议", -3)
    w.soon = _item(w, w.xw, "玄武五天后到期", 5, kind="appeal")
    w.later = _item(w, w.xw, "玄武一个月后到期", 30)
    w.qh_late = _item(w, w.qh, "秦淮逾期建议", -10)
    # memberships: an application to the provincial society.
    classes = {c.code: c for c in member_classes.create_default_classes(w.soc, actor=w.society_secretary)}
    applicant = make_person(w, name="申请人张三")
    w.application = applications.apply_for_membership(actor=w.society_secretary, society=w.soc, member_class=classes["full"], person=applicant)
    # organizations: a filing under XW, one under QH.
    from kejia.organizations.tests.test_api import submitted_filing, uscc

    w.filing = submitted_filing(w, name="钟山软件有限公司科学技术协会")
    submitted_filing(
        w, name="秦淮软件有限公司科学技术协会", parent=w.qh, region=w.regions["320104"], host_name="秦淮软件有限公司", host_uscc=uscc("91320104MA1XYW012")
    )
    # people: a possible duplicate in each.
    w.pair = _pair(w, w.xw, "王玄武", "王玄武")
    _pair(w, w.qh, "李秦淮", "李秦淮")
    # governance: XW's congress ended on paper 10 days ago and fails the Jiangsu frontline rule; QH's ends in 20 days.
    load_rule_sets(RuleSet, Rule)
    RuleSetAssignment.objects.create(ruleset=RuleSet.objects.get(name="jiangsu"), organization=w.js, include_subtree=True)
    w.xw_term = _term(w.xw, BodyKind.CONGRESS, planned_in=-10)
    for i in range(4):
        Seat.objects.create(
            term=w.xw_term,
            person=Person.objects.create(name=f"代表{i}"),
            role="member",
            start=w.xw_term.start,
            is_frontline=False,
            birth_date=datetime.date(1970, 1, 1),
            gender=Gender.MALE,
        )
    w.qh_term = _term(w.qh, BodyKind.CONGRESS, planned_in=20)
    _term(w.xw, BodyKind.COMMITTEE, planned_in=400)  # far off: not listed
    # a contact duty of XW's leader, never visited.
    leader = Person.objects.create(name="联系领导", user=w.county_leader)
    w.duty = governance.assign_contact(actor=w.nj_admin, assigned_by=w.nj, leader=leader, organization=w.xw)
    # activities: an event of XW in two days, one of QH, one of XW in a month.
    w.event = make_event(w, w.xw, "玄武本周沙龙", days=2)
    make_event(w, w.qh, "秦淮本周沙龙", days=1)
    make_event(w, w.xw, "玄武下月沙龙", days=30)
    # imports: XW's batch with bad rows, a clean one, and QH's.
    w.batch = _batch(w.xw, "玄武名单.xlsx")
    _batch(w.xw, "玄武干净名单.xlsx", bad=0)
    _batch(w.qh, "秦淮名单.xlsx")
    # grassroots: XW's target of 5 key staff, none taken in; QH's target of 0 is met.
    Target.objects.create(organization=w.xw, target=5)
    Target.objects.create(organization=w.qh, target=0)
    return w


def _flat(todo) -> dict[str, list[str]]:
    return {s.key: [i.title for i in s.items] for g in todo.groups for s in g.sections}


def _titles(todo) -> set[str]:
    return {t for titles in _flat(todo).values() for t in titles}


def test_county_staff_sees_what_waits_in_every_module_of_their_county(world):
    todo = selectors.staff_todo(world.county_staff)
    flat = _flat(todo)
    assert flat["questions"] == ["玄武逾期建议", "玄武五天后到期"]  # most overdue first; the one due in a month is not listed
    assert flat["filings"] == ["钟山软件有限公司科学技术协会"]
    assert flat["duplicates"] == ["王玄武 ~ 王玄武"]
    assert flat["terms"] == [str(world.xw_term.body)]
    assert flat["bodies"] == [str(world.xw_term.body)]
    assert flat["events"] == ["玄武本周沙龙"]
    assert flat["imports"] == ["玄武名单.xlsx"]
    assert flat["targets"] == [world.xw.name]
    assert "applications" not in flat and "contacts" not in flat  # the society is not XW's; the duty is the leader's
    questions = next(s for g in todo.groups for s in g.sections if s.key == "questions")
    assert (questions.count, questions.overdue) == (2, 1)
    assert [i.days_left for i in questions.items] == [-3, 5] and questions.items[0].overdue
    assert questions.items[0].when == "已逾期 3 天" and questions.items[1].when == "还剩 5 天"


def test_sibling_staff_sees_their_own_county_only(world):
    titles = _titles(selectors.staff_todo(world.sibling_staff))
    assert "秦淮逾期建议" in titles and "秦淮本周沙龙" in titles and "秦淮名单.xlsx" in titles and "李秦淮 ~ 李秦淮" in titles
    assert str(world.qh_term.body) in titles
    assert not {t for t in titles if "玄武" in t or "钟山" in t}
    assert world.qh.name not in titles  # its target of 0 is met


def test_society_staff_sees_the_application_and_county_staff_do_not(world):
    flat = _flat(selectors.staff_todo(world.society_secretary))
    assert flat["applications"] == ["申请人张三"]
    assert "questions" not in flat and "terms" not in flat
    province = _flat(selectors.staff_todo(world.province_staff))
    assert province["applications"] == ["申请人张三"]  # the society lies under the province
    assert set(province["questions"]) == {"秦淮逾期建议", "玄武逾期建议", "玄武五天后到期"}
    assert province["questions"][0] == "秦淮逾期建议"  # 10 days overdue before 3
    assert "bodies" not in province and "targets" not in province  # only the bodies and targets of the province itself


def test_leader_sees_questions_and_own_contact_duty_but_nothing_to_manage(world):
    flat = _flat(selectors.staff_todo(world.county_leader))
    assert set(flat) == {"questions", "contacts"}
    assert flat["contacts"] == [world.xw.name]
    assert next(i for g in selectors.staff_todo(world.county_leader).groups for s in g.sections for i in s.items if s.key == "contacts").when == "尚无联系记录"


def test_worker_gets_no_todo_and_keeps_their_home(client, world):
    assert selectors.staff_todo(world.worker).groups == []
    client.force_login(world.worker)
    assert client.get("/").url == reverse("home:me")


def test_groups_with_the_most_overdue_row_come_first(world):
    groups = [g.key for g in selectors.staff_todo(world.county_staff).groups]
    # governance: a term 10 days past its end; voice: 3 days overdue; activities: in 2 days; then modules without deadlines.
    assert groups[:3] == ["governance", "voice", "activities"]
    assert groups[3:] == ["organizations", "people", "imports", "grassroots"]


def test_dashboard_shows_the_todo_with_links_that_resolve(client, world):
    client.force_login(world.county_staff)
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    todo = response.context["todo"]
    assert 'id="todo"' in html and "玄武逾期建议" in html and "已逾期 3 天" in html
    urls = [i.url for g in todo.groups for s in g.sections for i in s.items] + [s.url for g in todo.groups for s in g.sections if s.url]
    assert len(urls) > 10
    for url in urls:
        resolve(url)
        assert url in html
        assert client.get(url).status_code == 200, url
    assert reverse("voice:item", args=[world.late.pk]) in html
    assert reverse("governance:body", args=[world.xw_term.body_id]) in html
    assert reverse("imports:detail", args=[world.batch.pk]) in html


def test_dashboard_of_a_user_with_nothing_waiting_says_so(client, tree):
    client.force_login(tree.wx_staff)
    html = client.get("/").content.decode()
    assert 'id="todo"' in html and "暂无待办事项。" in html


def test_approving_an_application_takes_it_off_the_list(world):
    before = _flat(selectors.staff_todo(world.society_secretary))["applications"]
    membership = world.application
    while membership.status == "applied":
        membership = transitions.approve_membership(membership, actor=world.society_secretary)
    after = _flat(selectors.staff_todo(world.society_secretary))
    assert before == ["申请人张三"] and "applications" not in after


def test_api_home_carries_the_same_todo(world):
    client = Client()
    response = client.get("/api/me/home", headers={"Authorization": f"Bearer {issue_api_token(world.county_staff)[1]}"})
    assert response.status_code == 200
    todo = response.json()["todo"]
    sections = {s["key"]: s for g in todo for s in g["sections"]}
    assert [i["title"] for i in sections["questions"]["items"]] == ["玄武逾期建议", "玄武五天后到期"]
    late = sections["questions"]["items"][0]
    assert (late["days_left"], late["overdue"], late["url"]) == (-3, True, reverse("voice:item", args=[world.late.pk]))
    assert sections["filings"]["items"][0]["waiting_days"] == 0
    assert not any("秦淮" in i["title"] for s in sections.values() for i in s["items"])
    worker = client.get("/api/me/home", headers={"Authorization": f"Bearer {issue_api_token(world.worker)[1]}"})
    assert worker.status_code == 200 and worker.json()["todo"] == []


def test_todo_reads_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.province_staff)
    client.get("/")  # warm the session
    # 21 on 7 Dec 2026: the dashboard's own (session, user, roles, cards, filings) and one per section
    # (its rows with the totals as window aggregates), the compliance of the province's own bodies.
    # 21 + the notice bell + the divisions the user may analyse (coverage link) + the menu + the open calls for projects
    with django_assert_max_num_queries(25) as first:
        assert client.get("/").status_code == 200
    # Five times as much waiting: the same number of queries.
    for i in range(5):
        _item(world, world.xw, f"更多建议{i}", -i)
        _batch(world.xw, f"更多名单{i}.xlsx")
        make_event(world, world.xw, f"更多活动{i}", days=1)
        _pair(world, world.xw, f"更多{i}", f"更多{i}")
    _term(world.my, BodyKind.CONGRESS, planned_in=3)
    Target.objects.create(organization=world.my, target=9)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get("/").status_code == 200


# ---- The scope matrix of the to-do: every actor × every row seeded, page and API alike ----------

ACTORS = ["county_staff", "county_leader", "sibling_staff", "nj_staff", "nj_admin", "wx_staff", "society_secretary", "province_staff", "worker", "platform"]


def _rows(w) -> list[tuple[str, object, tuple]]:
    """(title, organization it belongs to, role kinds that act on it) for the rows scoped by subtree."""
    from kejia.accounts import scope

    manage, anyone = scope.MANAGE_KINDS, scope.ANY_KIND
    return [
        ("玄武逾期建议", w.xw, anyone),
        ("玄武五天后到期", w.xw, anyone),
        ("秦淮逾期建议", w.qh, anyone),
        ("申请人张三", w.soc, manage),
        ("钟山软件有限公司科学技术协会", w.xw, manage),
        ("秦淮软件有限公司科学技术协会", w.qh, manage),
        ("王玄武 ~ 王玄武", w.xw, manage),
        ("李秦淮 ~ 李秦淮", w.qh, manage),
        (str(w.xw_term.body), w.xw, manage),
        (str(w.qh_term.body), w.qh, manage),
        ("玄武本周沙龙", w.xw, manage),
        ("秦淮本周沙龙", w.qh, manage),
        ("玄武名单.xlsx", w.xw, manage),
        ("秦淮名单.xlsx", w.qh, manage),
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_todo_rows_follow_the_scope_rule_on_page_and_api(world, actor):
    from kejia.accounts import scope
    from kejia.core.testing import scope_matrix as sm

    user = getattr(world, actor)
    todo = selectors.staff_todo(user)
    shown = _titles(todo)
    for title, org, kinds in _rows(world):
        expected = scope.covers(user, org.path, kinds)
        assert (title in shown) == expected, (actor, title, expected)
    # The dashboard shows the same rows (a worker is sent to /me/), the API returns the same to-do.
    client = sm.logged_in(user)
    page = client.get("/")
    if scope.has_any_role(user):
        html = page.content.decode()
        assert page.status_code == 200 and all(t in html for t in shown)
        assert not [t for t, _o, _k in _rows(world) if t not in shown and f">{t}</a>" in html]
    else:
        assert page.status_code == 302 and page.url == reverse("home:me")
    api = Client().get("/api/me/home", headers={"Authorization": f"Bearer {issue_api_token(user)[1]}"}).json()["todo"]
    assert {i["title"] for g in api for s in g["sections"] for i in s["items"]} == shown
