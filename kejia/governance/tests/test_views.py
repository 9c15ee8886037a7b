"""The governance pages through the test client: who sees which page (scope: 404 beside, 403 for a
role that only reads), every form posted once, bad input answered with 400 (409 for an object in
the wrong state) and never a 500, the subtree table sorted and exported as XLSX."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kejia.governance import services
from kejia.governance.models import Body, ContactAssignment, ContactVisit, Rule, RuleSet, RuleSetAssignment, Seat, Slate, SlateEntry, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.people.services import create_person
from kejia.people.tests.helpers import resident_id

pytestmark = pytest.mark.django_db
START = datetime.date(2024, 1, 1)

SOC_KINDS = ["provincial_society"]


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are asserted in their English msgids (zh-hans is the default language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def rules(tree):
    load_rule_sets(RuleSet, Rule)
    services.assign_ruleset(RuleSet.objects.get(name="societies"), tree.js, actor=tree.platform)
    services.assign_ruleset(RuleSet.objects.get(name="jiangsu"), tree.js, actor=tree.platform)
    return RuleSet.objects.get(name="societies")


def person(tree, org, name, **kw):
    kw.setdefault("birth_date", datetime.date(1980, 1, 1))
    return create_person(actor=tree.platform, organization=org, name=name, **kw)


@pytest.fixture
def council(tree, rules):
    """The society's council: term 1 with four seats, three of them from the front line."""
    body = services.create_body(tree.soc, actor=tree.society_secretary, kind="council")
    term = services.start_term(body, actor=tree.society_secretary, start=START)
    people = [person(tree, tree.soc, f"理事{i}", is_frontline=i < 3) for i in range(4)]
    for i, p in enumerate(people):
        services.seat_person(term, actor=tree.society_secretary, person=p, start=START, official="serving" if i == 0 else "")
    return body


@pytest.fixture
def county_committee(tree, rules):
    body = services.create_body(tree.xw, actor=tree.county_staff, kind="committee")
    term = services.start_term(body, actor=tree.county_staff, start=START)
    services.seat_person(term, actor=tree.county_staff, person=person(tree, tree.xw, "委员甲"), start=START)
    return body


def url(name, *args):
    return reverse(f"governance:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def current(body) -> Term:
    return Term.objects.get(body=body, actual_end__isnull=True)


# ---- Pages render for the right actor ---------------------------------------------------------


def test_pages_render_for_society_staff(client, tree, council):
    login(client, tree.society_secretary)
    slate = services.create_slate(council, actor=tree.society_secretary, name="第二届草案")
    for name, args in [
        ("home", ()),
        ("org", (tree.soc.pk,)),
        ("body", (council.pk,)),
        ("term", (current(council).pk,)),
        ("slate", (slate.pk,)),
        ("compliance", (tree.soc.pk,)),
        ("alerts", ()),
        ("concurrent", ()),
        ("contacts", (tree.soc.pk,)),
        ("rulesets", ()),
        ("ruleset", (RuleSet.objects.get(name="societies").pk,)),
    ]:
        response = client.get(url(name, *args))
        assert response.status_code == 200, name
    page = text(client.get(url("body", council.pk)))
    assert "理事0" in page and "Share from the front line" in page and "≥ 3/4" in page and "Meets the rule" in page


def test_body_page_shows_failing_people_and_never_identifiers(client, tree, rules):
    secretary = tree.society_secretary
    body = services.create_body(tree.soc, actor=secretary, kind="standing_council")
    term = services.start_term(body, actor=secretary, start=START)
    ident = resident_id("32010219800101069")
    desk = person(tree, tree.soc, "坐办公室", resident_id=ident, phone="13905140001", birth_date=None)
    services.seat_person(term, actor=secretary, person=desk, start=START)
    services.seat_person(term, actor=secretary, person=person(tree, tree.soc, "一线者", is_frontline=True), start=START)
    desk.refresh_from_db()
    page = text(login(client, secretary).get(url("body", body.pk)))
    assert "Fails the rule" in page and "50.00% (1/2)" in page and "坐办公室" in page
    for secret in (ident, "13905140001", desk.id_masked, desk.phone_masked):
        assert secret not in page


def test_home_lists_a_leaders_contact_duties(client, tree, rules):
    leader = person(tree, tree.nj, "联系领导")
    leader.user = tree.worker
    leader.save(update_fields=["user"])
    duty = services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=leader, organization=tree.xw)
    login(client, tree.worker)
    page = text(client.get(url("home")))
    assert tree.xw.name in page and url("contact", duty.pk) in page
    assert client.get(url("contact", duty.pk)).status_code == 200
    response = client.post(
        url("contact_visit", duty.pk), {"visit-date": timezone.localdate().isoformat(), "visit-kind": "call", "visit-notes": "电话了解", "visit-issues": ""}
    )
    assert response.status_code == 302 and ContactVisit.objects.filter(assignment=duty, form="call").exists()
    assert client.post(url("contact_end", duty.pk), {}).status_code == 403  # only the assigning staff end a duty


def test_nav_link_for_every_role_and_for_leaders_without_one(client, tree):
    """Shown like the other links: staff, leaders and administrators, and a leader whose only tie
    is a contact duty (no role) reaches their duties through it. A S&T worker with neither has
    nothing there: no menu entry."""
    for user in (tree.county_leader, tree.nj_admin):
        assert f'href="{url("home")}"' in text(login(client, user).get(reverse("home:front"), follow=True))
    assert f'href="{url("home")}"' not in text(login(client, tree.worker).get(reverse("home:front"), follow=True))
    leader = person(tree, tree.nj, "常委")
    leader.user = tree.worker
    leader.save(update_fields=["user"])
    services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=leader, organization=tree.xw)
    assert f'href="{url("home")}"' in text(login(client, tree.worker).get(reverse("home:front"), follow=True))


# ---- Scope: sibling staff get 404, a worker 403/404, a leader 403 on writes ----------------------


def test_sibling_staff_get_404_on_another_organizations_objects(client, tree, county_committee):
    slate = services.create_slate(county_committee, actor=tree.county_staff, name="草案")
    seat = Seat.objects.get(term__body=county_committee)
    duty = services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=person(tree, tree.nj, "常委"), organization=tree.xw)
    login(client, tree.sibling_staff)
    for name, pk in [
        ("org", tree.xw.pk),
        ("body", county_committee.pk),
        ("term", current(county_committee).pk),
        ("slate", slate.pk),
        ("compliance", tree.xw.pk),
        ("contacts", tree.nj.pk),
        ("contact", duty.pk),
    ]:
        assert client.get(url(name, pk)).status_code == 404, name
    for name, pk, data in [
        ("term_start", county_committee.pk, {"term-start": "2030-01-01"}),
        ("seat_vacate", seat.pk, {}),
        ("slate_add", slate.pk, {"entry-person": seat.person_id, "entry-role": "member"}),
        ("slate_delete", slate.pk, {}),
        ("contact_visit", duty.pk, {"visit-date": "2026-01-01", "visit-kind": "visit"}),
        ("contact_end", duty.pk, {}),
    ]:
        assert client.post(url(name, pk), data).status_code == 404, name
    assert Seat.objects.get(pk=seat.pk).end is None and Slate.objects.filter(pk=slate.pk).exists()


def test_worker_gets_403_or_404_on_staff_pages(client, tree, county_committee):
    login(client, tree.worker)
    assert client.get(url("alerts")).status_code == 403
    assert client.get(url("concurrent")).status_code == 403
    assert client.get(url("org", tree.xw.pk)).status_code == 404
    assert client.get(url("body", county_committee.pk)).status_code == 404
    assert client.get(url("compliance", tree.xw.pk)).status_code == 404
    assert client.post(url("org", tree.xw.pk), {"kind": "council", "term_years": 5}).status_code == 404
    assert client.get(url("rulesets")).status_code == 200  # policy text: readable by everyone signed in
    assert client.get(url("home")).status_code == 200


def test_leader_reads_but_does_not_write(client, tree, county_committee):
    login(client, tree.county_leader)
    page = text(client.get(url("body", county_committee.pk)))
    assert "委员甲" in page and url("seat_add", county_committee.pk) not in page
    assert client.post(url("org", tree.xw.pk), {"kind": "council", "term_years": 5}).status_code == 403
    assert client.post(url("seat_vacate", Seat.objects.get(term__body=county_committee).pk), {}).status_code == 403
    assert not Body.objects.filter(organization=tree.xw, kind="council").exists()


def test_anonymous_is_sent_to_login(client, county_committee):
    response = client.get(url("body", county_committee.pk))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# ---- Every form, once -------------------------------------------------------------------------


def test_create_body_start_term_seat_and_vacate(client, tree, rules):
    login(client, tree.county_staff)
    response = client.post(url("org", tree.xw.pk), {"kind": "congress", "name": "第三次代表大会", "term_years": 5})
    body = Body.objects.get(organization=tree.xw, kind="congress")
    assert response.status_code == 302 and response["Location"] == url("body", body.pk)

    response = client.post(url("term_start", body.pk), {"term-start": "2024-06-01", "term-planned_end": ""})
    assert response.status_code == 302
    term = current(body)
    assert term.number == 1 and term.planned_end == datetime.date(2029, 6, 1)

    member = person(tree, tree.xw, "代表乙")
    response = client.post(url("seat_add", body.pk), {"seat-person": member.pk, "seat-role": "delegate", "seat-official": "", "seat-start": "2024-06-01"})
    assert response.status_code == 302
    seat = Seat.objects.get(term=term, person=member)
    assert seat.role == "delegate"
    assert "代表乙" in text(client.get(url("body", body.pk)))

    response = client.post(url("seat_vacate", seat.pk), {"vacate-end": "2025-01-01", "vacate-reason": "调离"})
    assert response.status_code == 302 and Seat.objects.get(pk=seat.pk).end == datetime.date(2025, 1, 1)
    again = client.post(url("seat_vacate", seat.pk), {"vacate-end": "", "vacate-reason": ""})
    assert again.status_code == 409 and "already vacated" in text(again)

    response = client.post(url("term_start", body.pk), {"term-start": "2029-05-01"})
    assert response.status_code == 302 and current(body).number == 2
    assert Term.objects.get(pk=term.pk).actual_end == datetime.date(2029, 5, 1)
    assert url("term", term.pk) in text(client.get(url("body", body.pk)))


def test_person_search_box_lists_people_in_scope(client, tree, county_committee):
    person(tree, tree.xw, "张搜索")
    person(tree, tree.qh, "张隔壁")
    page = text(login(client, tree.county_staff).get(url("body", county_committee.pk), {"q": "张"}))
    assert "张搜索" in page and "张隔壁" not in page
    chosen = person(tree, tree.xw, "李选中")
    page = text(client.get(url("body", county_committee.pk), {"person": chosen.pk}))
    assert f'value="{chosen.pk}"' in page


def test_slate_create_add_remove_and_compare(client, tree, council):
    login(client, tree.society_secretary)
    response = client.post(url("slate_create", council.pk), {"slate-name": "第二届", "slate-planned_start": "2028-12-31", "slate-from_current": "on"})
    slate = Slate.objects.get(body=council)
    assert response.status_code == 302 and response["Location"] == url("slate", slate.pk)
    assert slate.entries.count() == 4

    newcomer = person(tree, tree.soc, "新人", is_frontline=False)
    response = client.post(url("slate_add", slate.pk), {"entry-person": newcomer.pk, "entry-role": "member", "entry-official": ""})
    assert response.status_code == 302 and slate.entries.filter(person=newcomer).exists()
    page = text(client.get(url("slate", slate.pk)))
    # 3 of 5 from the front line on the slate (60%) against 3 of 4 (75%) in the current term.
    assert "60.00% (3/5)" in page and "75.00% (3/4)" in page and "Fails the rule" in page and "新人" in page

    entry = SlateEntry.objects.get(slate=slate, person=newcomer)
    response = client.post(url("slate_remove", slate.pk), {"entry": entry.pk})
    assert response.status_code == 302 and not SlateEntry.objects.filter(pk=entry.pk).exists()
    assert client.post(url("slate_remove", slate.pk), {"entry": entry.pk}).status_code == 404

    response = client.post(url("slate_delete", slate.pk))
    assert response.status_code == 302 and not Slate.objects.filter(pk=slate.pk).exists()


def test_assign_contact_and_log_visit(client, tree, rules):
    login(client, tree.nj_staff)
    leader = person(tree, tree.nj, "常委丙")
    response = client.post(url("contacts", tree.nj.pk), {"assign-leader": leader.pk, "assign-organization": "XW", "assign-since": ""})
    assert response.status_code == 302
    duty = ContactAssignment.objects.get(leader=leader, organization=tree.xw)
    page = text(client.get(url("contacts", tree.nj.pk), {"months": 6}))
    assert "常委丙" in page and "no leader assigned" in page  # QH has nobody yet

    response = client.post(
        url("contact_visit", duty.pk),
        {"visit-date": timezone.localdate().isoformat(), "visit-kind": "visit", "visit-notes": "座谈", "visit-issues": "经费不足"},
    )
    assert response.status_code == 302
    assert "经费不足" in text(client.get(url("contact", duty.pk)))
    response = client.post(url("contact_end", duty.pk), {"end-until": ""})
    assert response.status_code == 302 and ContactAssignment.objects.get(pk=duty.pk).until is not None
    assert client.post(url("contact_end", duty.pk), {"end-until": ""}).status_code == 409


def test_rule_edit_by_platform_admin_and_refused_for_county_staff(client, tree, rules):
    rule = rules.rules.get(measure="frontline_share", body_kinds=["council"])
    data = {
        "body_kinds": ["council"],
        "org_kinds": SOC_KINDS,
        "measure": "frontline_share",
        "param": "",
        "comparison": "gte",
        "threshold": "80%",
        "note": "理事会八成",
        "sort": "1",
    }
    assert login(client, tree.county_staff).get(url("rule_edit", rule.pk)).status_code == 403
    assert client.post(url("rule_edit", rule.pk), data).status_code == 403
    assert client.post(url("rule_add", rules.pk), {"rule-" + k: v for k, v in data.items()}).status_code == 403
    assert Rule.objects.get(pk=rule.pk).threshold == 0.75

    login(client, tree.platform)
    assert client.get(url("rule_edit", rule.pk)).status_code == 200
    response = client.post(url("rule_edit", rule.pk), data)
    assert response.status_code == 302 and Rule.objects.filter(pk=rule.pk, threshold_num=80, threshold_den=100).exists()
    response = client.post(url("rule_add", rules.pk), {"rule-" + k: v for k, v in {**data, "measure": "women_share", "threshold": "0.2"}.items()})
    assert response.status_code == 302
    added = rules.rules.get(measure="women_share")
    assert client.post(url("rule_delete", added.pk)).status_code == 302 and not Rule.objects.filter(pk=added.pk).exists()
    response = client.post(
        url("ruleset_edit", rules.pk), {"edit-name": "societies", "edit-jurisdiction": "江苏省科协所属学会", "edit-source": "003", "edit-description": ""}
    )
    assert response.status_code == 302 and RuleSet.objects.get(pk=rules.pk).source == "003"


def test_assign_ruleset_by_nj_admin_and_refused_for_nj_staff(client, tree, rules):
    national = RuleSet.objects.get(name="national")
    data = {"assign-organization": "XW", "assign-include_subtree": "on"}
    assert login(client, tree.nj_staff).post(url("ruleset_assign", national.pk), data).status_code == 403
    assert not RuleSetAssignment.objects.filter(ruleset=national).exists()

    login(client, tree.nj_admin)
    assert "assign-organization" in text(client.get(url("ruleset", national.pk)))
    response = client.post(url("ruleset_assign", national.pk), data)
    assert response.status_code == 302
    assignment = RuleSetAssignment.objects.get(ruleset=national, organization=tree.xw)
    # Outside the admin's subtree: the code is unknown to them.
    outside = client.post(url("ruleset_assign", national.pk), {"assign-organization": "WX"})
    assert outside.status_code == 400 and "No organization with this code" in text(outside)

    assert login(client, tree.nj_staff).post(url("ruleset_unassign", assignment.pk)).status_code == 403
    assert login(client, tree.nj_admin).post(url("ruleset_unassign", assignment.pk)).status_code == 302
    assert not RuleSetAssignment.objects.filter(pk=assignment.pk).exists()


def test_create_ruleset_only_for_editors(client, tree):
    data = {"ruleset-name": "test", "ruleset-jurisdiction": "测试", "ruleset-source": "文件", "ruleset-description": ""}
    assert login(client, tree.nj_admin).post(url("rulesets"), data).status_code == 403
    response = login(client, tree.platform).post(url("rulesets"), data)
    assert response.status_code == 302 and RuleSet.objects.filter(name="test").exists()


# ---- Bad input: 400 (409 for state), never a 500 -----------------------------------------------


def test_bad_input_is_400_not_500(client, tree, council):
    login(client, tree.society_secretary)
    term = current(council)
    cases = [
        ("org", tree.soc.pk, {"kind": "council", "term_years": 5}, "already has a body of this kind"),
        ("org", tree.soc.pk, {"kind": "parliament", "term_years": 5}, ""),
        ("org", tree.soc.pk, {"kind": "congress", "term_years": 99}, ""),
        ("term_start", council.pk, {"term-start": "2024-13-45"}, ""),
        ("term_start", council.pk, {"term-start": "2025-01-01", "term-planned_end": "2024-01-01"}, "planned end must come after"),
        ("term_start", council.pk, {"term-start": "2023-01-01"}, "must start after the current one"),
        ("seat_add", council.pk, {"seat-person": 987654321, "seat-role": "member"}, "No person with this number"),
        ("seat_add", council.pk, {"seat-person": "abc", "seat-role": "member"}, ""),
        ("seat_add", council.pk, {"seat-person": person(tree, tree.soc, "早到").pk, "seat-role": "member", "seat-start": "2020-01-01"}, "within the term"),
        ("seat_add", council.pk, {"seat-person": Seat.objects.filter(term=term).first().person_id, "seat-role": "member"}, "already has a seat"),
        ("slate_create", council.pk, {"slate-name": "x" * 500}, ""),
        ("contacts", tree.soc.pk, {"assign-leader": 1, "assign-organization": "Z" * 40}, ""),
        ("contacts", tree.soc.pk, {"assign-leader": 987654321, "assign-organization": "SOC-AI"}, "No person with this number"),
    ]
    for name, pk, data, message in cases:
        response = client.post(url(name, pk), data)
        assert response.status_code == 400, (name, data)
        assert message in text(response), (name, message)
    assert Seat.objects.filter(term=term).count() == 4 and Term.objects.filter(body=council).count() == 1
    assert client.get(url("body", council.pk), {"q": "x" * 200}).status_code == 400
    assert client.get(url("compliance", tree.soc.pk), {"sort": "nonsense"}).status_code == 400
    assert client.get(url("contacts", tree.soc.pk), {"months": "-3"}).status_code == 400
    assert client.get(url("alerts"), {"within": "x"}).status_code == 400


def test_huge_visit_text_and_future_date_are_400(client, tree, rules):
    duty = services.assign_contact(actor=tree.nj_staff, assigned_by=tree.nj, leader=person(tree, tree.nj, "常委丁"), organization=tree.xw)
    login(client, tree.nj_staff)
    today = timezone.localdate()
    huge = client.post(url("contact_visit", duty.pk), {"visit-date": today.isoformat(), "visit-kind": "visit", "visit-notes": "长" * 6000})
    future = client.post(url("contact_visit", duty.pk), {"visit-date": (today + datetime.timedelta(days=3)).isoformat(), "visit-kind": "visit"})
    assert huge.status_code == 400 and future.status_code == 400 and "cannot be in the future" in text(future)
    assert not ContactVisit.objects.exists()


def test_bad_rule_input_is_400(client, tree, rules):
    rule = rules.rules.get(measure="aged_at_most_share", body_kinds=["council", "standing_council"])
    login(client, tree.platform)
    base = {
        "body_kinds": ["council"],
        "org_kinds": SOC_KINDS,
        "measure": "aged_at_most_share",
        "param": "45",
        "comparison": "gte",
        "threshold": "0.33",
        "sort": "0",
    }
    for bad in ({"threshold": "lots"}, {"threshold": "-1"}, {"param": ""}, {"body_kinds": ["parliament"]}, {"note": "n" * 300}):
        response = client.post(url("rule_edit", rule.pk), {**base, **bad})
        assert response.status_code == 400, bad
    assert Rule.objects.get(pk=rule.pk).param == 59


# ---- Subtree table: sorting, XLSX --------------------------------------------------------------


def test_compliance_table_sorts_and_exports_one_row_per_body(client, tree, council, county_committee):
    services.create_body(tree.soc, actor=tree.society_secretary, kind="secretariat")  # no term yet: still one row
    login(client, tree.province_staff)
    bodies = Body.objects.filter(organization__path__startswith=tree.js.path).count()
    assert bodies == 3

    page = text(client.get(url("compliance", tree.js.pk), {"sort": "-seats"}))
    assert page.index(tree.soc.name) < page.index(tree.xw.name)  # 4 seats before 1
    page = text(client.get(url("compliance", tree.js.pk), {"sort": "seats"}))
    first_row = page.index("<tbody>")
    assert page.index(tree.xw.name, first_row) < page.index(str(council.get_kind_display()), first_row)

    response = client.get(url("compliance", tree.js.pk), {"format": "xlsx", "sort": "org", "ruleset": "societies"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + bodies
    assert {r[0] for r in rows[1:]} == {tree.soc.name, tree.xw.name}
    seats = {(r[0], r[5]) for r in rows[1:]}
    assert (tree.soc.name, 4) in seats and (tree.xw.name, 1) in seats


def test_compliance_ruleset_filter(client, tree, council):
    login(client, tree.society_secretary)
    assert client.get(url("compliance", tree.soc.pk), {"ruleset": "societies"}).status_code == 200
    assert client.get(url("compliance", tree.soc.pk), {"ruleset": "unknown"}).status_code == 400


# ---- Alerts, concurrent posts -----------------------------------------------------------------


def test_alerts_list_overdue_and_due_terms_per_subtree(client, tree, rules):
    today = timezone.localdate()
    due = services.create_body(tree.xw, actor=tree.county_staff, kind="committee")
    services.start_term(due, actor=tree.county_staff, start=today - datetime.timedelta(days=1000), planned_end=today + datetime.timedelta(days=30))
    late = services.create_body(tree.lx, actor=tree.platform, kind="committee")
    services.start_term(late, actor=tree.platform, start=today - datetime.timedelta(days=2000), planned_end=today - datetime.timedelta(days=10))
    login(client, tree.province_staff)
    page = text(client.get(url("alerts")))
    assert tree.xw.name in page and tree.lx.name in page
    page = text(client.get(url("alerts"), {"org": tree.nj.pk}))
    assert tree.xw.name in page and tree.lx.name not in page
    assert client.get(url("alerts"), {"org": tree.nj.pk}).status_code == 200
    assert login(client, tree.sibling_staff).get(url("alerts"), {"org": tree.xw.pk}).status_code == 404


def test_concurrent_posts_lists_officials_over_the_limits(client, tree, rules):
    secretary = tree.society_secretary
    veteran = person(tree, tree.soc, "老领导", birth_date=datetime.date(1940, 5, 1))
    council = services.create_body(tree.soc, actor=secretary, kind="council")
    term = services.start_term(council, actor=secretary, start=START)
    seat = services.seat_person(term, actor=secretary, person=veteran, role="chair", start=START, official="retired")
    page = text(login(client, secretary).get(url("concurrent")))
    assert "老领导" in page
    assert "老领导" in text(client.get(url("concurrent"), {"max_age": 100}))  # still: the post has no recorded approval
    services.record_post_approval(seat, actor=secretary, approved_on=START, approved_by="省委组织部")
    assert "老领导" not in text(client.get(url("concurrent"), {"max_age": 100}))
    assert client.get(url("concurrent"), {"max_age": "old"}).status_code == 400


# ---- The body page in a fixed number of queries ----------------------------------------------


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_body_page_queries_do_not_grow_with_seats_and_slates(client, tree, council, django_assert_max_num_queries):
    client.force_login(tree.society_secretary)
    path = reverse("governance:body", args=[council.pk])
    # 16: the session and the user; the body; the user's roles (scope); the current term and its
    # seats with their people; for the compliance: the terms, the rule sets assigned and their
    # rules, the seats measured, the approvals of seats and of declared posts, the other posts of
    # the same people; the past terms with their seat counts; the slates; the unread notices.
    with django_assert_max_num_queries(16):
        assert client.get(path).status_code == 200
    first = count_queries(client, path)
    term = council.terms.get(actual_end__isnull=True)
    for i in range(8):
        services.seat_person(
            term,
            actor=tree.society_secretary,
            person=person(tree, tree.soc, f"新理事{i}", is_frontline=i % 2 == 0),
            start=START,
            official="serving" if i % 3 == 0 else "",
        )
    for name in ("方案甲", "方案乙", "方案丙"):
        services.create_slate(council, actor=tree.society_secretary, name=name)
    assert count_queries(client, path) == first
