"""Composition compliance measured on constructed bodies (seeds 000 二.1, 003 二.1 and 三.3)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kejia.governance.choices import BodyKind, Comparison, Measure, OfficialStatus, Outcome, SeatRole
from kejia.governance.compliance import (
    Context,
    SeatFact,
    TermFacts,
    age_on,
    applicable_rules,
    body_compliance,
    evaluate_rule,
    slate_compliance,
    subtree_compliance,
    threshold_text,
)
from kejia.governance.models import Body, Rule, RuleSet, RuleSetAssignment, Seat, Slate, SlateEntry, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.people.choices import Gender
from kejia.people.models import Person

TODAY = datetime.date(2026, 11, 23)
TERM_START = datetime.date(2024, 1, 1)
TERM_END = datetime.date(2029, 1, 1)
BORN = datetime.date(1970, 6, 1)
NEXT_TERM = datetime.date(2027, 1, 1)
D = datetime.date


# ---- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def rule_sets(db):
    """The shipped rule sets (a transactional flush removes what the migration loaded)."""
    load_rule_sets(RuleSet, Rule)
    return {rs.name: rs for rs in RuleSet.objects.all()}


def assign(rule_sets, name, organization, *, include_subtree=True):
    return RuleSetAssignment.objects.create(ruleset=rule_sets[name], organization=organization, include_subtree=include_subtree)


def make_term(organization, kind, *, number=1, start=TERM_START, planned_end=TERM_END, actual_end=None):
    body, _ = Body.objects.get_or_create(organization=organization, kind=kind)
    return Term.objects.create(body=body, number=number, start=start, planned_end=planned_end, actual_end=actual_end)


def seat(term, name="成员", *, person=None, role=SeatRole.MEMBER, start=None, end=None, frontline=False, birth=BORN, gender=Gender.MALE, official=""):
    person = person or Person.objects.create(name=name)
    return Seat.objects.create(
        term=term, person=person, role=role, start=start or term.start, end=end, is_frontline=frontline, birth_date=birth, gender=gender, official=official
    )


def fill(term, count, prefix="委员", **kw):
    return [seat(term, f"{prefix}{i}", **kw) for i in range(count)]


def result(report, measure, ruleset=None):
    found = [r for r in report.results if r.measure == measure and (ruleset is None or r.ruleset == ruleset)]
    assert len(found) == 1, found
    return found[0]


def failing_names(res):
    return sorted(s.name for s in res.failing)


def birth_for_age(age, on=TERM_START):
    """Born so as to turn `age` exactly on `on`."""
    return on.replace(year=on.year - age)


# ---- Ages ----------------------------------------------------------------------------------------


def test_age_on_birthday_counts_the_new_year():
    assert age_on(D(1979, 1, 1), D(2024, 1, 1)) == 45
    assert age_on(D(1978, 1, 2), D(2024, 1, 1)) == 45  # the day before the 46th birthday
    assert age_on(D(1978, 1, 1), D(2024, 1, 1)) == 46
    assert age_on(None, D(2024, 1, 1)) is None


def test_age_on_29_february_births():
    born = D(1980, 2, 29)
    assert age_on(born, D(2026, 2, 28)) == 45
    assert age_on(born, D(2026, 3, 1)) == 46
    assert age_on(born, D(2024, 2, 28)) == 43
    assert age_on(born, D(2024, 2, 29)) == 44


# ---- Share measures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "frontline", "total", "outcome"),
    [
        (BodyKind.COUNCIL, 3, 4, Outcome.PASS),  # exactly 3/4
        (BodyKind.COUNCIL, 2, 3, Outcome.FAIL),
        (BodyKind.COUNCIL, 74, 100, Outcome.FAIL),  # just below
        (BodyKind.STANDING_COUNCIL, 2, 3, Outcome.PASS),  # 0.6667 stored for 2/3
        (BodyKind.STANDING_COUNCIL, 3, 5, Outcome.FAIL),
        (BodyKind.STANDING_COUNCIL, 66, 100, Outcome.FAIL),  # just below 2/3
    ],
)
def test_frontline_share_society_bodies_at_and_below_threshold(tree, rule_sets, kind, frontline, total, outcome):
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, kind)
    fill(term, frontline, "一线", frontline=True)
    fill(term, total - frontline, "机关")
    res = result(body_compliance(term.body, today=TODAY), Measure.FRONTLINE_SHARE)
    assert res.measured == pytest.approx(frontline / total)
    assert res.outcome == outcome
    assert res.is_target is False
    if outcome == Outcome.FAIL:
        assert len(res.failing) == total - frontline
        assert all(s.name.startswith("机关") for s in res.failing)
    else:
        assert res.failing == []


@pytest.mark.parametrize(("young", "total", "outcome"), [(1, 3, Outcome.PASS), (3, 9, Outcome.PASS), (2, 7, Outcome.FAIL), (33, 100, Outcome.FAIL)])
def test_aged_at_most_share_one_third_at_and_below(tree, rule_sets, young, total, outcome):
    assign(rule_sets, "jiangsu", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS)
    fill(term, young, "青年", birth=birth_for_age(30), frontline=True)
    fill(term, total - young, "资深", birth=birth_for_age(60), frontline=True)
    res = result(body_compliance(term.body, today=TODAY), Measure.AGED_AT_MOST_SHARE)
    assert res.param == 45
    assert res.measured == pytest.approx(young / total)
    assert res.outcome == outcome
    if outcome == Outcome.FAIL:
        assert {s.name[:2] for s in res.failing} == {"资深"}


def test_aged_at_most_share_reads_45_on_the_birthday_as_45_or_under(tree, rule_sets):
    """45 岁以下 includes 45: 45 on the seat date counts, the 46th birthday does not."""
    assign(rule_sets, "jiangsu", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS)
    seat(term, "整45", birth=D(1979, 1, 1), frontline=True)  # 45 on 2024-01-01
    seat(term, "差一天46", birth=D(1978, 1, 2), frontline=True)  # 46 tomorrow
    seat(term, "刚满46", birth=D(1978, 1, 1), frontline=True)
    seat(term, "五十", birth=D(1974, 1, 1), frontline=True)
    seat(term, "生日不详", birth=None, frontline=True)  # cannot be counted young
    res = result(body_compliance(term.body, today=TODAY), Measure.AGED_AT_MOST_SHARE)
    assert res.measured == pytest.approx(2 / 5)
    assert res.outcome == Outcome.PASS
    assert failing_names(res) == []


def test_aged_at_most_share_29_february_birth_turns_46_on_1_march(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS, start=D(2026, 2, 1), planned_end=D(2031, 2, 1))
    seat(term, "二月末", birth=D(1980, 2, 29), start=D(2026, 2, 28), frontline=True)  # 45
    seat(term, "三月初", birth=D(1980, 2, 29), start=D(2026, 3, 1), frontline=True)  # 46
    seat(term, "老甲", birth=D(1950, 5, 5), frontline=True)
    res = result(body_compliance(term.body, today=TODAY), Measure.AGED_AT_MOST_SHARE)
    assert res.measured == pytest.approx(1 / 3)  # only 二月末
    assert res.outcome == Outcome.PASS


def test_women_share_from_an_edited_rule_set(tree, rule_sets):
    """No shipped set measures women; a staff-made set does (rules are data)."""
    rs = RuleSet.objects.create(name="women", jurisdiction="测试", source="测试")
    Rule.objects.create(
        ruleset=rs,
        body_kinds=[BodyKind.COMMITTEE],
        org_kinds=["provincial_assoc"],
        measure=Measure.WOMEN_SHARE,
        comparison=Comparison.AT_LEAST,
        threshold_num=30,
        threshold_den=100,
        is_target=True,
    )
    RuleSetAssignment.objects.create(ruleset=rs, organization=tree.js)
    term = make_term(tree.js, BodyKind.COMMITTEE)
    seat(term, "女一", gender=Gender.FEMALE)
    fill(term, 3, "男")
    res = result(body_compliance(term.body, today=TODAY), Measure.WOMEN_SHARE)
    assert (res.measured, res.outcome) == (0.25, Outcome.TARGET_MISSED)
    assert len(res.failing) == 3
    seat(term, "未填", gender=Gender.UNKNOWN)
    seat(term, "女二", gender=Gender.FEMALE)
    res = result(body_compliance(term.body, today=TODAY), Measure.WOMEN_SHARE)
    assert (res.measured, res.outcome) == (pytest.approx(2 / 6), Outcome.PASS)


def test_people_seated_mid_term_count_from_their_seat_date_and_ended_seats_do_not(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS)
    # Born 1980-06-01: 43 at the term start, 46 on 2026-06-01 when seated mid-term.
    seat(term, "补选", birth=D(1980, 6, 1), start=D(2026, 6, 1), frontline=True)
    seat(term, "任满离任", birth=D(1990, 1, 1), end=D(2025, 6, 1), frontline=True)
    seat(term, "今日离任", birth=D(1990, 1, 1), end=TODAY, frontline=True)
    seat(term, "明日离任", birth=D(1990, 1, 1), end=TODAY + datetime.timedelta(days=1))
    seat(term, "下月就任", birth=D(1990, 1, 1), start=D(2026, 12, 1), frontline=True)
    report = body_compliance(term.body, today=TODAY)
    assert report.seats == 2
    young = result(report, Measure.AGED_AT_MOST_SHARE)
    assert (young.measured, young.outcome) == (0.5, Outcome.PASS)
    front = result(report, Measure.FRONTLINE_SHARE)
    assert (front.measured, front.outcome) == (0.5, Outcome.FAIL)
    assert failing_names(front) == ["明日离任"]
    # Seen from a day before the mid-term seat, those who left since count and the newcomer does not.
    earlier = body_compliance(term.body, today=D(2025, 1, 1))
    assert earlier.seats == 3
    assert {s.name for s in result(earlier, Measure.FRONTLINE_SHARE).failing} == {"明日离任"}


def test_empty_body_share_measures_not_applicable(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    assign(rule_sets, "societies", tree.soc)
    js = make_term(tree.js, BodyKind.CONGRESS)
    report = body_compliance(js.body, today=TODAY)
    assert report.seats == 0
    assert {r.outcome for r in report.results} == {Outcome.NOT_APPLICABLE}
    assert report.failures == [] and report.targets_missed == []
    soc = make_term(tree.soc, BodyKind.COUNCIL, planned_end=D(2025, 1, 1))
    report = body_compliance(soc.body, today=TODAY)
    assert result(report, Measure.FRONTLINE_SHARE).outcome == Outcome.NOT_APPLICABLE
    assert result(report, Measure.OFFICIAL_AGE).outcome == Outcome.NOT_APPLICABLE  # no officials
    assert result(report, Measure.DAYS_OVERDUE).outcome == Outcome.FAIL  # an empty body can still be overdue


def test_body_without_current_term_has_no_results(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS, actual_end=D(2025, 1, 1))
    report = body_compliance(term.body, today=TODAY)
    assert (report.term, report.seats, report.results) == (None, 0, [])


# ---- National vs Jiangsu: targets and hard rules -------------------------------------------------


@pytest.fixture
def cast(tree):
    """中国科协: the national association, the only organization the national rules (000 二.1) judge."""
    from kejia.organizations.services import create_organization

    return create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")


def test_national_target_shows_progress_from_its_baseline_and_jiangsu_fails(tree, rule_sets, cast):
    assign(rule_sets, "national", cast)
    assign(rule_sets, "jiangsu", tree.js)
    national_term = make_term(cast, BodyKind.CONGRESS)
    fill(national_term, 6, "一线", frontline=True, birth=birth_for_age(40))
    fill(national_term, 4, "机关", birth=birth_for_age(50))
    report = body_compliance(national_term.body, today=TODAY)
    national = result(report, Measure.FRONTLINE_SHARE, "national")
    # 58 % → 65 % 左右: at 60 % the congress is 2/7 of the way from the baseline to the target.
    assert (national.measured, national.outcome, national.is_target) == (0.6, Outcome.TARGET_MISSED, True)
    assert (national.baseline, national.progress) == (0.58, pytest.approx(2 / 7))
    assert failing_names(national) == [f"机关{i}" for i in range(4)]
    assert report.failures == [] and report.targets_missed == [national]
    assert result(report, Measure.AGED_AT_MOST_SHARE, "national").outcome == Outcome.PASS

    js_term = make_term(tree.js, BodyKind.CONGRESS)
    fill(js_term, 6, "省一线", frontline=True, birth=birth_for_age(40))
    fill(js_term, 4, "省机关", birth=birth_for_age(50))
    jiangsu = result(body_compliance(js_term.body, today=TODAY), Measure.FRONTLINE_SHARE, "jiangsu")
    assert (jiangsu.measured, jiangsu.outcome, jiangsu.is_target, jiangsu.progress) == (0.6, Outcome.FAIL, False, None)


def test_national_rules_do_not_judge_a_province_even_assigned_with_its_subtree(tree, rule_sets, cast):
    assign(rule_sets, "national", tree.js)
    term = make_term(tree.js, BodyKind.CONGRESS)
    fill(term, 5, "一线", frontline=True)
    assert body_compliance(term.body, today=TODAY).results == []


def test_sixty_nine_percent_reaches_the_national_target_and_fails_jiangsu(tree, rule_sets, cast):
    assign(rule_sets, "national", cast)
    assign(rule_sets, "jiangsu", tree.js)
    for org in (cast, tree.js):
        term = make_term(org, BodyKind.CONGRESS)
        fill(term, 69, f"{org.code}一线", frontline=True, birth=birth_for_age(40))
        fill(term, 31, f"{org.code}机关", birth=birth_for_age(40))
    national = result(body_compliance(Body.objects.get(organization=cast), today=TODAY), Measure.FRONTLINE_SHARE, "national")
    assert (national.outcome, national.progress) == (Outcome.PASS, pytest.approx(11 / 7))
    jiangsu = result(body_compliance(Body.objects.get(organization=tree.js), today=TODAY), Measure.FRONTLINE_SHARE, "jiangsu")
    assert (jiangsu.measured, jiangsu.outcome) == (0.69, Outcome.FAIL)
    assert len(jiangsu.failing) == 31


def test_committee_and_standing_committee_thresholds_differ_by_rule_set(tree, rule_sets, cast):
    assign(rule_sets, "national", cast)
    assign(rule_sets, "jiangsu", tree.js)
    for org in (cast, tree.js):
        committee = make_term(org, BodyKind.COMMITTEE)
        fill(committee, 7, f"{org.code}一线", frontline=True)
        fill(committee, 3, f"{org.code}机关")
        standing = make_term(org, BodyKind.STANDING_COMMITTEE)
        fill(standing, 3, f"{org.code}常一线", frontline=True)
        fill(standing, 1, f"{org.code}常机关")
    national = {r.body.kind: r for r in subtree_compliance(cast, today=TODAY)}
    jiangsu = {r.body.kind: r for r in subtree_compliance(tree.js, today=TODAY)}
    assert result(national[BodyKind.COMMITTEE], Measure.FRONTLINE_SHARE, "national").outcome == Outcome.PASS  # 70 % 左右
    assert result(jiangsu[BodyKind.COMMITTEE], Measure.FRONTLINE_SHARE, "jiangsu").outcome == Outcome.FAIL  # ≥ 75 %
    for reports, name in ((national, "national"), (jiangsu, "jiangsu")):
        s = reports[BodyKind.STANDING_COMMITTEE]
        assert {r.outcome for r in s.results} == {Outcome.PASS}
        assert {r.ruleset for r in s.results} == {name}


# ---- Officials (per-person measures) -------------------------------------------------------------


@pytest.fixture
def soc2(tree):
    from kejia.organizations.services import create_organization

    return create_organization(
        actor=tree.platform, parent=tree.js, name="江苏省电子学会", code="SOC2", kind="provincial_society", region=tree.regions["320000"]
    )


def test_official_posts_counted_across_two_societies(tree, rule_sets, soc2):
    assign(rule_sets, "societies", tree.js)
    official = Person.objects.create(name="王厅长")
    other = Person.objects.create(name="李教授")
    council = make_term(tree.soc, BodyKind.COUNCIL)
    council2 = make_term(soc2, BodyKind.COUNCIL)
    seat(council, person=official, role=SeatRole.CHAIR, official=OfficialStatus.SERVING, frontline=True)
    seat(council2, person=official, role=SeatRole.VICE_CHAIR_PART, official=OfficialStatus.SERVING, frontline=True)
    # Not an official: two posts are not judged.
    seat(council, person=other, role=SeatRole.VICE_CHAIR_PART, frontline=True)
    seat(council2, person=other, role=SeatRole.SECRETARY_GENERAL, frontline=True)
    for term in (council, council2):
        res = result(body_compliance(term.body, today=TODAY), Measure.OFFICIAL_POSTS)
        assert (res.measured, res.outcome) == (2.0, Outcome.FAIL)
        assert [(s.name, s.role) for s in res.failing] == [("王厅长", term.seats.get(person=official).role)]


def test_official_posts_ignore_ended_seats_branches_and_other_bodies_of_the_same_society(tree, rule_sets, soc2):
    assign(rule_sets, "societies", tree.js)
    official = Person.objects.create(name="王厅长")
    council = make_term(tree.soc, BodyKind.COUNCIL)
    seat(council, person=official, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED, frontline=True)
    standing = make_term(tree.soc, BodyKind.STANDING_COUNCIL)
    seat(standing, person=official, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED, frontline=True)  # same society
    branch = make_term(tree.soc_ai, BodyKind.COUNCIL)  # a specialized committee is not a society
    seat(branch, person=official, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED)
    left = make_term(soc2, BodyKind.COUNCIL)
    seat(left, person=official, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED, end=D(2025, 3, 1))  # left that post
    old = make_term(soc2, BodyKind.STANDING_COUNCIL, actual_end=D(2023, 12, 31))  # a past term
    seat(old, person=official, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED)
    res = result(body_compliance(council.body, today=TODAY), Measure.OFFICIAL_POSTS)
    assert (res.measured, res.outcome) == (1.0, Outcome.PASS)


@pytest.mark.parametrize(("age", "outcome"), [(70, Outcome.PASS), (71, Outcome.FAIL)])
def test_official_age_on_the_day_of_the_check(tree, rule_sets, age, outcome):
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.STANDING_COUNCIL)
    seat(term, "老领导", official=OfficialStatus.RETIRED, birth=birth_for_age(age, on=TODAY), frontline=True)
    seat(term, "年长专家", birth=birth_for_age(80), frontline=True)  # not an official: not judged
    res = result(body_compliance(term.body, today=TODAY), Measure.OFFICIAL_AGE)
    assert res.measured == age
    assert res.outcome == outcome
    assert failing_names(res) == (["老领导"] if outcome == Outcome.FAIL else [])


def test_official_age_on_the_71st_birthday_fails_the_day_before_passes(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.COUNCIL)
    seat(term, "前一天", official=OfficialStatus.SERVING, birth=D(1955, 11, 24), frontline=True)  # 70 on TODAY
    seat(term, "生日当天", official=OfficialStatus.SERVING, birth=D(1955, 11, 23), frontline=True)  # 71 on TODAY
    res = result(body_compliance(term.body, today=TODAY), Measure.OFFICIAL_AGE)
    assert res.measured == 71
    assert failing_names(res) == ["生日当天"]


def test_official_seated_at_69_fails_once_past_70_in_office(tree, rule_sets):
    """003 三.3: the age limit holds for as long as the official is in office, not only at seating."""
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.COUNCIL)
    seat(term, "在任变老", official=OfficialStatus.SERVING, birth=birth_for_age(69), frontline=True)  # 69 at the start (2024)
    assert result(body_compliance(term.body, today=D(2024, 6, 1)), Measure.OFFICIAL_AGE).outcome == Outcome.PASS
    res = result(body_compliance(term.body, today=TODAY), Measure.OFFICIAL_AGE)  # 71 today
    assert (res.measured, res.outcome, failing_names(res)) == (71, Outcome.FAIL, ["在任变老"])


@pytest.mark.parametrize(("terms_held", "outcome"), [(2, Outcome.PASS), (3, Outcome.FAIL)])
def test_official_terms_held_in_the_body(tree, rule_sets, terms_held, outcome):
    assign(rule_sets, "societies", tree.soc)
    official = Person.objects.create(name="连任者")
    newcomer = Person.objects.create(name="新人")
    current = None
    for number in range(1, terms_held + 1):
        last = number == terms_held
        start = D(2024 - 5 * (terms_held - number), 1, 1)
        current = make_term(
            tree.soc,
            BodyKind.COUNCIL,
            number=number,
            start=start,
            planned_end=start.replace(year=start.year + 5),
            actual_end=None if last else start.replace(year=start.year + 5),
        )
        seat(current, person=official, official=OfficialStatus.SERVING, role=SeatRole.VICE_CHAIR_PART, frontline=True)
    seat(current, person=newcomer, official=OfficialStatus.SERVING, frontline=True)
    res = result(body_compliance(current.body, today=TODAY), Measure.OFFICIAL_TERMS)
    assert res.measured == terms_held
    assert res.outcome == outcome
    assert failing_names(res) == (["连任者"] if outcome == Outcome.FAIL else [])


def test_person_measure_against_at_least_reports_the_lowest_value():
    rule = Rule(measure=Measure.OFFICIAL_AGE, comparison=Comparison.AT_LEAST, threshold_num=40, body_kinds=["council"], org_kinds=["provincial_society"])
    seats = [
        SeatFact(i, i, f"p{i}", SeatRole.MEMBER, TERM_START, True, birth_for_age(age, on=TODAY), Gender.MALE, OfficialStatus.SERVING)
        for i, age in enumerate((35, 50, 60), start=1)
    ]
    res = evaluate_rule(TermFacts(1, 1, "council", 1, TERM_START, D(2029, 1, 1), seats, org_kind="provincial_society"), rule, Context(today=TODAY), "custom")
    assert (res.measured, res.outcome) == (35.0, Outcome.FAIL)
    assert [s.name for s in res.failing] == ["p1"]


# ---- Full-time staff as a share of members -------------------------------------------------------


def _members(society, count, *, status="active"):
    from kejia.memberships.models import MemberClass, Membership

    klass, _ = MemberClass.objects.get_or_create(society=society, code="full", defaults={"name": "正会员", "kind": "full"})
    people = Person.objects.bulk_create([Person(name=f"会员{society.code}{status}{i}") for i in range(count)])
    Membership.objects.bulk_create([Membership(society=society, person=p, member_class=klass, status=status) for p in people])


# ---- Days overdue --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("planned_end", "today", "days", "outcome"),
    [
        (D(2026, 11, 23), D(2026, 11, 23), 0, Outcome.PASS),  # ends today
        (D(2026, 11, 23), D(2026, 11, 24), 1, Outcome.FAIL),  # one day past: overdue, as on the alerts page
        (D(2026, 11, 23), D(2026, 12, 22), 29, Outcome.FAIL),
        (D(2027, 1, 1), D(2026, 11, 23), 0, Outcome.PASS),  # not due yet
        (D(2027, 1, 31), D(2027, 2, 28), 28, Outcome.FAIL),
    ],
)
def test_days_overdue(tree, rule_sets, planned_end, today, days, outcome):
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.CONGRESS, start=D(2022, 1, 1), planned_end=planned_end)
    res = result(body_compliance(term.body, today=today), Measure.DAYS_OVERDUE)
    assert (res.measured, res.outcome) == (days, outcome)
    assert res.failing == []


def test_overdue_on_the_compliance_page_exactly_when_on_the_alerts(tree, rule_sets):
    from kejia.governance.selectors import term_alerts

    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.CONGRESS, start=D(2021, 11, 23), planned_end=D(2026, 11, 22))
    for day, overdue in ((D(2026, 11, 22), False), (D(2026, 11, 23), True)):
        alerts = term_alerts(tree.platform, today=day)
        res = result(body_compliance(term.body, today=day), Measure.DAYS_OVERDUE)
        assert (term in alerts["overdue"]) is overdue
        assert (res.outcome == Outcome.FAIL) is overdue


def test_days_overdue_not_judged_for_bodies_the_rule_does_not_name(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    term = make_term(tree.soc, BodyKind.SECRETARIAT, start=D(2019, 1, 1), planned_end=D(2024, 1, 1))
    assert Measure.DAYS_OVERDUE not in {r.measure for r in body_compliance(term.body, today=TODAY).results}


# ---- Which rules apply ---------------------------------------------------------------------------


def test_applicable_rules_with_and_without_subtree(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js, include_subtree=False)
    assign(rule_sets, "national", tree.nj)
    assign(rule_sets, "societies", tree.soc)
    rules = applicable_rules([tree.js.path, tree.nj.path, tree.xw.path, tree.soc_ai.path, tree.wx.path])
    names = {path: {r.ruleset.name for r in found} for path, found in rules.items()}
    assert names[tree.js.path] == {"jiangsu"}
    assert names[tree.nj.path] == {"national"}  # jiangsu is not for the subtree
    assert names[tree.xw.path] == {"national"}
    assert names[tree.soc_ai.path] == {"societies"}
    assert names[tree.wx.path] == set()
    assert [r.sort for r in rules[tree.soc_ai.path]] == sorted(r.sort for r in rules[tree.soc_ai.path])

    assert applicable_rules([tree.xw.path], ruleset="jiangsu") == {tree.xw.path: []}
    assert {r.ruleset.name for r in applicable_rules([tree.nj.path], ruleset="national")[tree.nj.path]} == {"national"}


def test_applicable_rules_skip_inactive_rule_sets_and_do_not_repeat(tree, rule_sets):
    assign(rule_sets, "national", tree.js)
    assign(rule_sets, "national", tree.nj)  # assigned twice on one line of the tree
    assign(rule_sets, "jiangsu", tree.js)
    RuleSet.objects.filter(name="jiangsu").update(is_active=False)
    found = applicable_rules([tree.xw.path])[tree.xw.path]
    assert {r.ruleset.name for r in found} == {"national"}
    assert len(found) == rule_sets["national"].rules.count()


def test_bodies_outside_assigned_organizations_get_no_results(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.nj)
    term = make_term(tree.wx, BodyKind.CONGRESS)
    fill(term, 3, "机关")
    assert body_compliance(term.body, today=TODAY).results == []


# ---- What-if slates ------------------------------------------------------------------------------


def _slate(body, entries, planned_start=NEXT_TERM):
    slate = Slate.objects.create(body=body, name="第二届候选名单", planned_start=planned_start)
    for person, role, official in entries:
        SlateEntry.objects.create(slate=slate, person=person, role=role, official=official)
    return slate


def test_slate_adding_a_young_frontline_person_flips_failures_to_pass(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    body = make_term(tree.js, BodyKind.CONGRESS).body
    a = Person.objects.create(name="甲", is_frontline=True, birth_date=D(1976, 6, 1))
    b = Person.objects.create(name="乙", is_frontline=True, birth_date=D(1976, 6, 1))
    c = Person.objects.create(name="丙", is_frontline=False, birth_date=D(1985, 6, 1))
    slate = _slate(body, [(p, SeatRole.DELEGATE, "") for p in (a, b, c)])
    report = slate_compliance(slate, today=TODAY)
    assert report.term is None and report.seats == 3
    front = result(report, Measure.FRONTLINE_SHARE)
    assert (front.measured, front.outcome) == (pytest.approx(2 / 3), Outcome.FAIL)
    assert failing_names(front) == ["丙"]
    young = result(report, Measure.AGED_AT_MOST_SHARE)
    assert (young.measured, young.outcome) == (pytest.approx(1 / 3), Outcome.PASS)

    d = Person.objects.create(name="丁", is_frontline=True, birth_date=D(1996, 6, 1))
    SlateEntry.objects.create(slate=slate, person=d, role=SeatRole.DELEGATE)
    report = slate_compliance(slate, today=TODAY)
    assert {r.outcome for r in report.results} == {Outcome.PASS}
    assert result(report, Measure.FRONTLINE_SHARE).measured == 0.75


def test_slate_ages_people_on_the_planned_start(tree, rule_sets):
    assign(rule_sets, "jiangsu", tree.js)
    body = make_term(tree.js, BodyKind.CONGRESS).body
    p = Person.objects.create(name="将满46", is_frontline=True, birth_date=D(1981, 1, 2))  # 45 on 2027-01-01
    report = slate_compliance(_slate(body, [(p, SeatRole.DELEGATE, "")]), today=TODAY)
    assert result(report, Measure.AGED_AT_MOST_SHARE).outcome == Outcome.PASS
    assert result(slate_compliance(_slate(body, [(p, SeatRole.DELEGATE, "")], D(2027, 1, 2)), today=TODAY), Measure.AGED_AT_MOST_SHARE).outcome == Outcome.FAIL


def test_slate_counts_the_next_term_and_posts_elsewhere(tree, rule_sets, soc2):
    assign(rule_sets, "societies", tree.js)
    first = make_term(tree.soc, BodyKind.COUNCIL, number=1, start=D(2019, 1, 1), planned_end=D(2024, 1, 1), actual_end=D(2024, 1, 1))
    current = make_term(tree.soc, BodyKind.COUNCIL, number=2)
    veteran = Person.objects.create(name="两届", is_frontline=True, birth_date=D(1960, 1, 1))
    chair_here = Person.objects.create(name="本会会长", is_frontline=True, birth_date=D(1960, 1, 1))
    chair_there = Person.objects.create(name="他会会长", is_frontline=True, birth_date=D(1960, 1, 1))
    seat(first, person=veteran, official=OfficialStatus.SERVING, frontline=True)
    seat(current, person=veteran, official=OfficialStatus.SERVING, frontline=True)
    seat(current, person=chair_here, role=SeatRole.CHAIR, official=OfficialStatus.SERVING, frontline=True)
    seat(make_term(soc2, BodyKind.COUNCIL), person=chair_there, role=SeatRole.CHAIR, official=OfficialStatus.SERVING)

    now = body_compliance(current.body, today=TODAY)
    assert result(now, Measure.OFFICIAL_TERMS).outcome == Outcome.PASS
    assert result(now, Measure.OFFICIAL_POSTS).outcome == Outcome.PASS

    slate = _slate(
        current.body,
        [
            (veteran, SeatRole.MEMBER, OfficialStatus.SERVING),
            (chair_here, SeatRole.CHAIR, OfficialStatus.SERVING),
            (chair_there, SeatRole.VICE_CHAIR_PART, OfficialStatus.SERVING),
        ],
    )
    report = slate_compliance(slate, today=TODAY)
    terms = result(report, Measure.OFFICIAL_TERMS)
    assert (terms.measured, failing_names(terms)) == (3, ["两届"])
    posts = result(report, Measure.OFFICIAL_POSTS)
    # Keeping the chair here is still one post; a vice-chair here on top of a chair elsewhere is two.
    assert (posts.measured, failing_names(posts)) == (2, ["他会会长"])
    assert result(report, Measure.DAYS_OVERDUE).outcome == Outcome.PASS
    assert {r.ruleset for r in slate_compliance(slate, today=TODAY, ruleset="national").results} == set()


def test_slate_planned_on_29_february_ends_on_28_february():
    from kejia.governance.compliance import _years_after

    assert _years_after(D(2028, 2, 29), 5) == D(2033, 2, 28)
    assert _years_after(D(2028, 2, 29), 4) == D(2032, 2, 29)


# ---- Query counts --------------------------------------------------------------------------------


def _populate(orgs, kinds, start_index):
    """One current term per (organization, kind) with three seats, one of them an official."""
    made = 0
    for org in orgs:
        for kind in kinds:
            term = make_term(org, kind)
            seat(term, f"一线{start_index + made}", frontline=True, birth=birth_for_age(40))
            seat(term, f"机关{start_index + made}", birth=birth_for_age(55))
            seat(term, f"领导{start_index + made}", role=SeatRole.VICE_CHAIR_PART, official=OfficialStatus.SERVING, birth=birth_for_age(72))
            made += 1
    return made


def test_subtree_compliance_query_count_does_not_grow_with_bodies(tree, rule_sets):
    from kejia.organizations.services import create_organization

    assign(rule_sets, "jiangsu", tree.js)
    assign(rule_sets, "plan2025", tree.js)
    assign(rule_sets, "societies", tree.soc)
    society_kinds = [BodyKind.CONGRESS, BodyKind.COUNCIL, BodyKind.STANDING_COUNCIL, BodyKind.SUPERVISORY_BOARD, BodyKind.SECRETARIAT]
    assert _populate([tree.soc], society_kinds, 0) == 5
    _members(tree.soc, 10)
    with CaptureQueriesContext(connection) as small:
        reports = subtree_compliance(tree.js, today=TODAY)
    assert len(reports) == 5

    societies = [
        create_organization(actor=tree.platform, parent=tree.js, name=f"学会{i}", code=f"S{i}", kind="provincial_society", region=tree.regions["320000"])
        for i in range(7)
    ]
    made = _populate(societies, society_kinds, 5)
    made += _populate([tree.js, tree.nj, tree.wx], [BodyKind.CONGRESS, BodyKind.COMMITTEE, BodyKind.STANDING_COMMITTEE, BodyKind.LEADERSHIP], 100)
    assert made == 47
    make_term(tree.xw, BodyKind.CONGRESS)  # an empty one too
    for s in societies:
        _members(s, 3)
    with CaptureQueriesContext(connection) as large:
        reports = subtree_compliance(tree.js, today=TODAY)
    assert len(reports) == 53
    # Each read is one query whatever the number of bodies; a read no applicable rule needs is not
    # made: the small subtree has no body judged against its previous term (plan2025), so it
    # reads no previous terms.
    assert len(large.captured_queries) <= len(small.captured_queries) + 2
    assert len(large.captured_queries) <= 10
    more = _populate([tree.nj, tree.wx], [BodyKind.SECRETARIAT, BodyKind.SUPERVISORY_BOARD], 200)
    assert more == 4
    with CaptureQueriesContext(connection) as larger:
        assert len(subtree_compliance(tree.js, today=TODAY)) == 57
    assert len(larger.captured_queries) == len(large.captured_queries)
    assert any(r.failures for r in reports)


# ---- Text ----------------------------------------------------------------------------------------


def test_threshold_text_plain_numbers():
    from kejia.governance.compliance import RuleResult

    def text(comparison, written):
        return threshold_text(RuleResult(None, "x", Measure.OFFICIAL_AGE, None, comparison, 0.0, False, None, Outcome.PASS, threshold_text=written))

    assert text(Comparison.AT_MOST, "70") == "≤ 70"
    assert text(Comparison.AT_LEAST, "2/3") == "≥ 2/3"
    assert text(Comparison.MORE_THAN, "1/2") == "> 1/2"
