"""The rules exactly as the seeds say them (issue 15): exact shares, which rules judge which body,
targets with a baseline, shares that must rise against the previous term, officials' limits."""

import datetime
import importlib
import re
from decimal import Decimal

import pytest

from kejia.core.errors import DomainError, ValidationFailed
from kejia.governance import services
from kejia.governance.choices import BodyKind, Measure, OfficialStatus, Outcome, SeatRole
from kejia.governance.compliance import Context, SeatFact, TermFacts, body_compliance, evaluate, subtree_compliance
from kejia.governance.models import DeclaredPost, Rule, RuleSet
from kejia.governance.selectors import concurrent_posts
from kejia.governance.tests.test_compliance import TODAY, D, assign, birth_for_age, fill, make_term, result, seat
from kejia.people.choices import Gender
from kejia.people.models import Person


@pytest.fixture
def rule_sets(db):
    from kejia.governance.rulesets import load_rule_sets

    load_rule_sets(RuleSet, Rule)
    return {rs.name: rs for rs in RuleSet.objects.all()}


def _facts(frontline: int, total: int, *, kind: str = BodyKind.CONGRESS, org_kind: str = "provincial_assoc") -> TermFacts:
    seats = [SeatFact(i, i, f"p{i}", SeatRole.DELEGATE, D(2024, 1, 1), i < frontline, birth_for_age(50), Gender.MALE, "") for i in range(total)]
    return TermFacts(1, 1, kind, 1, D(2024, 1, 1), D(2029, 1, 1), seats, org_kind=org_kind)


def _rule(rule_sets, name, measure, body_kind):
    return next(r for r in rule_sets[name].rules.all() if r.measure == measure and body_kind in r.body_kinds)


# ---- Exact comparisons ---------------------------------------------------------------------------


def test_jiangsu_congress_at_69_995_percent_fails_70_percent(rule_sets):
    rule = _rule(rule_sets, "jiangsu", Measure.FRONTLINE_SHARE, BodyKind.CONGRESS)
    (res,) = evaluate(_facts(1402, 2003), [rule], Context(today=TODAY))
    assert (res.measured_text, res.outcome) == ("1402/2003", Outcome.FAIL)
    (res,) = evaluate(_facts(1403, 2003), [rule], Context(today=TODAY))  # 70.04 %
    assert res.outcome == Outcome.PASS


def test_national_congress_at_64_995_percent_does_not_reach_65_percent(rule_sets):
    rule = _rule(rule_sets, "national", Measure.FRONTLINE_SHARE, BodyKind.CONGRESS)
    (res,) = evaluate(_facts(661, 1017, org_kind="national_assoc"), [rule], Context(today=TODAY))
    assert (res.outcome, res.is_target) == (Outcome.TARGET_MISSED, True)
    assert res.progress < 1


def test_two_thirds_and_one_third_are_exact(rule_sets):
    standing = _rule(rule_sets, "societies", Measure.FRONTLINE_SHARE, BodyKind.STANDING_COUNCIL)
    assert (standing.threshold_num, standing.threshold_den) == (2, 3)
    (res,) = evaluate(_facts(2, 3, kind=BodyKind.STANDING_COUNCIL, org_kind="provincial_society"), [standing], Context(today=TODAY))
    assert res.outcome == Outcome.PASS  # 三分之二以上 includes two thirds
    (res,) = evaluate(_facts(6666, 10000, kind=BodyKind.STANDING_COUNCIL, org_kind="provincial_society"), [standing], Context(today=TODAY))
    assert res.outcome == Outcome.FAIL  # 66.66 % is below two thirds


def test_rule_threshold_written_as_fraction_percentage_or_decimal(tree, rule_sets):
    ruleset = rule_sets["societies"]
    base = {"body_kinds": ["council"], "org_kinds": ["provincial_society"], "measure": "women_share", "comparison": "gte"}
    for written, stored in (("2/3", (2, 3)), ("70%", (70, 100)), ("0.75", (75, 100)), ("1/3", (1, 3))):
        rule = services.add_rule(ruleset, actor=tree.platform, **base, threshold=written)
        assert (rule.threshold_num, rule.threshold_den) == stored
    with pytest.raises(ValidationFailed) as bad:
        services.add_rule(ruleset, actor=tree.platform, **base, threshold="about 70")
    assert set(bad.value.errors) == {"threshold"}
    with pytest.raises(ValidationFailed) as bad:
        services.add_rule(ruleset, actor=tree.platform, **{**base, "org_kinds": []}, threshold="1/2")
    assert set(bad.value.errors) == {"org_kinds"}


def test_migration_reads_old_four_decimal_thresholds_as_the_fractions_they_stood_for():
    migration = importlib.import_module("kejia.governance.migrations.0003_exact_rules")
    assert migration.as_fraction(Decimal("0.3333")) == (1, 3)
    assert migration.as_fraction(Decimal("0.6667")) == (2, 3)
    assert migration.as_fraction(Decimal("0.7500")) == (75, 100)
    assert migration.as_fraction(Decimal("0.6500")) == (65, 100)
    assert migration.as_fraction(Decimal("0.0100")) == (1, 100)
    assert migration.as_fraction(Decimal("70.0000")) == (70, 1)


# ---- Which rules judge which body ----------------------------------------------------------------


def test_subtree_assignment_judges_a_society_congress_by_the_society_rule_only(tree, rule_sets):
    """jiangsu and societies assigned to the province with its subtree: the society's congress is
    judged by 003 三.3 (mainly front-line: more than half), never by the 科协 congress rule (70 %)."""
    assign(rule_sets, "jiangsu", tree.js)
    assign(rule_sets, "societies", tree.js)
    congress = make_term(tree.soc, BodyKind.CONGRESS)
    fill(congress, 6, "一线", frontline=True, birth=birth_for_age(50))
    fill(congress, 4, "机关", birth=birth_for_age(50))
    report = body_compliance(congress.body, today=TODAY)
    assert {(r.ruleset, r.measure) for r in report.results} == {("societies", Measure.FRONTLINE_SHARE), ("societies", Measure.DAYS_OVERDUE)}
    front = result(report, Measure.FRONTLINE_SHARE)
    assert (front.comparison, front.threshold_text, front.outcome) == ("gt", "1/2", Outcome.PASS)
    # The association's own congress is judged by the 科协 rule, not by the society rule.
    js = make_term(tree.js, BodyKind.CONGRESS)
    fill(js, 6, "省一线", frontline=True, birth=birth_for_age(40))
    fill(js, 4, "省机关", birth=birth_for_age(40))
    assert {r.ruleset for r in body_compliance(js.body, today=TODAY).results} == {"jiangsu"}


def test_society_congress_exactly_half_front_line_is_not_mainly(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    congress = make_term(tree.soc, BodyKind.CONGRESS)
    fill(congress, 5, "一线", frontline=True)
    fill(congress, 5, "机关")
    assert result(body_compliance(congress.body, today=TODAY), Measure.FRONTLINE_SHARE).outcome == Outcome.FAIL


def test_specialized_committee_council_below_a_society_is_not_judged_as_a_society(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    council = make_term(tree.soc_ai, BodyKind.COUNCIL)  # a 专业委员会 is not a society
    fill(council, 4, "委员")
    assert body_compliance(council.body, today=TODAY).results == []


# ---- Shares that must rise against the previous term (002) ----------------------------------------


def test_women_share_compared_with_the_previous_term_of_the_same_body(tree, rule_sets):
    assign(rule_sets, "plan2025", tree.js)
    first = make_term(tree.js, BodyKind.COMMITTEE, number=1, start=D(2019, 1, 1), planned_end=D(2024, 1, 1), actual_end=D(2024, 1, 1))
    fill(first, 2, "上届女", gender=Gender.FEMALE)
    fill(first, 8, "上届男")
    seat(first, "中途离任女", gender=Gender.FEMALE, end=D(2022, 1, 1))  # left before the term ended: not counted
    current = make_term(tree.js, BodyKind.COMMITTEE, number=2)
    fill(current, 2, "本届女", gender=Gender.FEMALE)
    fill(current, 8, "本届男")
    women = result(body_compliance(current.body, today=TODAY), Measure.WOMEN_SHARE)
    assert (women.against_previous, women.threshold_text, women.outcome) == (True, "2/10", Outcome.TARGET_MISSED)  # did not rise
    assert women.failing == []
    seat(current, "新增女", gender=Gender.FEMALE)
    women = result(body_compliance(current.body, today=TODAY), Measure.WOMEN_SHARE)
    assert (women.measured_text, women.outcome) == ("3/11", Outcome.PASS)
    # Another body's previous term does not count: a first term has nothing to compare with.
    standing = make_term(tree.js, BodyKind.STANDING_COMMITTEE)
    fill(standing, 3, "常委")
    assert result(body_compliance(standing.body, today=TODAY), Measure.WOMEN_SHARE).outcome == Outcome.NOT_APPLICABLE


# ---- Officials' limits (003 三.3) ----------------------------------------------------------------


def test_terms_in_the_same_post_counted_across_council_and_standing_council(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    official = Person.objects.create(name="副理事长")
    for number, kind in ((1, BodyKind.COUNCIL), (2, BodyKind.STANDING_COUNCIL)):
        start = D(2014 + 5 * (number - 1), 1, 1)
        past = make_term(
            tree.soc, kind, number=number, start=start, planned_end=start.replace(year=start.year + 5), actual_end=start.replace(year=start.year + 5)
        )
        seat(past, person=official, role=SeatRole.VICE_CHAIR_PART, official=OfficialStatus.SERVING, frontline=True)
    current = make_term(tree.soc, BodyKind.STANDING_COUNCIL, number=3)
    seat(current, person=official, role=SeatRole.VICE_CHAIR_FULL, official=OfficialStatus.SERVING, frontline=True)
    res = result(body_compliance(current.body, today=TODAY), Measure.OFFICIAL_TERMS)
    assert (res.measured, res.outcome, [s.name for s in res.failing]) == (3, Outcome.FAIL, ["副理事长"])
    # Another post (secretary-general before) is not the same post.
    other = Person.objects.create(name="前秘书长")
    old = make_term(tree.soc, BodyKind.COUNCIL, number=2, start=D(2019, 1, 1), planned_end=D(2024, 1, 1), actual_end=D(2024, 1, 1))
    seat(old, person=other, role=SeatRole.SECRETARY_GENERAL, official=OfficialStatus.RETIRED, frontline=True)
    seat(current, person=other, role=SeatRole.CHAIR, official=OfficialStatus.RETIRED, frontline=True)
    res = result(body_compliance(current.body, today=TODAY), Measure.OFFICIAL_TERMS)
    assert [s.name for s in res.failing] == ["副理事长"]
    rows = {r["name"]: r for r in concurrent_posts(tree.platform, today=TODAY)}
    assert rows["副理事长"]["max_terms"] == 3 and "terms" in rows["副理事长"]["problems"]


def test_declared_outside_post_counts_and_approval_is_recorded(tree, rule_sets):
    assign(rule_sets, "societies", tree.soc)
    council = make_term(tree.soc, BodyKind.COUNCIL)
    official = Person.objects.create(name="兼职厅长")
    chair = seat(council, person=official, role=SeatRole.CHAIR, official=OfficialStatus.SERVING, frontline=True)
    fill(council, 3, "理事", frontline=True)
    report = body_compliance(council.body, today=TODAY)
    assert result(report, Measure.OFFICIAL_POSTS).outcome == Outcome.PASS
    unapproved = result(report, Measure.OFFICIAL_UNAPPROVED)  # 经批准: no approval recorded
    assert (unapproved.outcome, [s.name for s in unapproved.failing]) == (Outcome.FAIL, ["兼职厅长"])

    services.record_post_approval(chair, actor=tree.society_secretary, approved_on=D(2023, 12, 1), approved_by="省委组织部")
    assert result(body_compliance(council.body, today=TODAY), Measure.OFFICIAL_UNAPPROVED).outcome == Outcome.PASS

    outside = services.declare_post(chair, actor=tree.society_secretary, organization_name="江苏省老科技工作者协会", post="副会长", start=D(2022, 1, 1))
    report = body_compliance(council.body, today=TODAY)
    posts = result(report, Measure.OFFICIAL_POSTS)
    assert (posts.measured, posts.outcome) == (2, Outcome.FAIL)  # any social organization counts
    assert result(report, Measure.OFFICIAL_UNAPPROVED).outcome == Outcome.FAIL  # the outside post has no approval
    row = next(r for r in concurrent_posts(tree.society_secretary, today=TODAY) if r["name"] == "兼职厅长")
    assert (row["posts"], row["unapproved"], row["problems"]) == (2, 1, ["approval", "posts"])

    services.end_declared_post(outside, actor=tree.society_secretary, end=D(2025, 1, 1))
    report = body_compliance(council.body, today=TODAY)
    assert {result(report, m).outcome for m in (Measure.OFFICIAL_POSTS, Measure.OFFICIAL_UNAPPROVED)} == {Outcome.PASS}


def test_declaring_a_post_names_the_missing_fields_and_refuses_others(tree, rule_sets):
    council = make_term(tree.soc, BodyKind.COUNCIL)
    chair = seat(council, "会长", role=SeatRole.CHAIR, official=OfficialStatus.SERVING)
    with pytest.raises(ValidationFailed) as bad:
        services.declare_post(chair, actor=tree.society_secretary, organization_name=" ", post="")
    assert set(bad.value.errors) == {"organization_name", "post"}
    with pytest.raises(DomainError) as bad:
        services.record_post_approval(chair, actor=tree.society_secretary, approved_on="2025-01-01", approved_by="")
    assert bad.value.field == "approved_by"
    with pytest.raises(DomainError) as bad:
        services.record_post_approval(chair, actor=tree.society_secretary, approved_on=TODAY + datetime.timedelta(days=400), approved_by="省委组织部")
    assert bad.value.field == "approved_on"
    with pytest.raises(DomainError):
        services.declare_post(chair, actor=tree.county_staff, organization_name="某协会", post="理事")
    assert not DeclaredPost.objects.exists()


def test_middle_aged_and_young_age_is_a_local_setting_said_so(tree, rule_sets):
    rule = _rule(rule_sets, "societies", Measure.AGED_AT_MOST_SHARE, BodyKind.COUNCIL)
    assert (rule.param, rule.param_local) == (59, True)
    assert not _rule(rule_sets, "jiangsu", Measure.AGED_AT_MOST_SHARE, BodyKind.CONGRESS).param_local  # 45 岁以下 is in the text


def test_shipped_rule_sets_cite_text_and_section_and_name_the_text_in_words(rule_sets):
    for ruleset in rule_sets.values():
        assert ruleset.source.startswith("《") and "》" in ruleset.source and "seeds/" not in ruleset.source
        assert ruleset.document and "seeds/" not in ruleset.document
        assert all(rule.org_kinds for rule in ruleset.rules.all())


def test_subtree_report_on_a_province_gives_each_body_only_its_own_rules(tree, rule_sets):
    for name in ("national", "jiangsu", "societies", "plan2025"):
        assign(rule_sets, name, tree.js)
    for org, kind in ((tree.js, BodyKind.CONGRESS), (tree.xw, BodyKind.COMMITTEE), (tree.soc, BodyKind.CONGRESS), (tree.soc, BodyKind.COUNCIL)):
        fill(make_term(org, kind), 3, f"{org.code}{kind}", frontline=True)
    sets = {(r.body.organization.code, r.body.kind): {x.ruleset for x in r.results} for r in subtree_compliance(tree.js, today=TODAY)}
    assert sets == {
        ("JS", "congress"): {"jiangsu", "plan2025"},
        ("XW", "committee"): {"jiangsu", "plan2025"},
        ("SOC", "congress"): {"societies"},
        ("SOC", "council"): {"societies"},
    }


def test_rule_set_page_names_the_policy_text_in_words_and_explains_local_ages(client, tree, rule_sets):
    from kejia.governance.tests.test_views import login, text, url

    page = text(login(client, tree.worker).get(url("ruleset", rule_sets["societies"].pk)))
    assert "seeds/" not in page and "003_" not in page
    assert "《江苏省科协系统深化改革实施方案》" in page
    assert "59 岁为本地设定" in page  # 中青年: the age is not in the seeds
    assert "&gt; 1/2" in page and "≥ 3/4" in page and "≥ 2/3" in page
    national = text(client.get(url("ruleset", rule_sets["national"].pk)))
    assert "≥ 65% · 起点 58%" in national and "≥ 75% · 起点 56%" in national


def test_body_page_shows_a_target_as_progress_from_its_baseline(client, tree, rule_sets):
    """左右 (000 二.1): the congress's front-line share is shown from the baseline 58 % toward about
    65 %, not as a floor passed or failed; the progress is rounded down like the shares."""
    from kejia.governance.tests.test_views import login, text, url
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    assign(rule_sets, "national", cast)
    congress = make_term(cast, BodyKind.CONGRESS)
    fill(congress, 6, "一线", frontline=True, birth=birth_for_age(40))
    fill(congress, 4, "机关", birth=birth_for_age(40))
    page = text(login(client, tree.platform).get(url("body", congress.body.pk)))
    assert "由 58% 向 65%：已完成 28%" in page  # 60 %: 2/7 of the way
    assert "未达预期目标" in page and "不符合规则" not in page
    seat(congress, "机关新", birth=birth_for_age(40))  # 6/11 = 54.5 %: below the baseline, 49.35 % of the span back
    page = text(client.get(url("body", congress.body.pk)))
    assert re.findall(r"由 58% 向 65%：已完成 -?[0-9]+%", page) == ["由 58% 向 65%：已完成 -50%"]  # -49.35 %, not -49 %


def test_api_and_command_give_a_target_with_its_baseline_and_progress(tree, rule_sets):
    """The same 左右 verdict through the two other doors: the API and `check_compliance --json`."""
    import io
    import json

    from django.core.management import call_command

    from kejia.governance.tests.test_api import Api
    from kejia.organizations.services import create_organization

    cast = create_organization(actor=tree.platform, parent=None, name="中国科学技术协会", code="CAST", kind="national_assoc")
    assign(rule_sets, "national", cast)
    congress = make_term(cast, BodyKind.CONGRESS)
    fill(congress, 6, "一线", frontline=True, birth=birth_for_age(40))
    fill(congress, 4, "机关", birth=birth_for_age(40))
    expected = {"threshold_text": "65%", "measured_text": "6/10", "baseline": 0.58, "outcome": "target_missed", "is_target": True}
    response = Api(tree.platform).get(f"/api/governance/bodies/{congress.body.pk}/compliance", today=TODAY.isoformat())
    assert response.status_code == 200, response.content
    (front,) = [r for r in response.json()["results"] if r["measure"] == "frontline_share"]
    assert {k: front[k] for k in expected} == expected and front["progress"] == pytest.approx(2 / 7)
    out = io.StringIO()
    call_command("check_compliance", org="CAST", json=True, today=TODAY.isoformat(), stdout=out)
    (body,) = json.loads(out.getvalue())
    (front,) = [r for r in body["results"] if r["measure"] == "frontline_share"]
    assert {k: front[k] for k in expected} == expected and front["progress"] == pytest.approx(2 / 7)
