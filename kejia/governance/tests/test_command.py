"""python manage.py check_compliance."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from kejia.governance.choices import BodyKind, Measure, OfficialStatus, Outcome, SeatRole
from kejia.governance.models import Body, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.people.models import Person
from kejia.people.services import create_person

TODAY = "2026-11-23"


@pytest.fixture
def bodies(tree):
    """JS congress at 60 % front-line (Jiangsu failed; the national rules, assigned to JS with its
    subtree, judge only the national association and so say nothing); the society's council meets
    every rule but its term is overdue from 2027."""
    load_rule_sets(RuleSet, Rule)
    for name, org in (("national", tree.js), ("jiangsu", tree.js), ("societies", tree.soc)):
        RuleSetAssignment.objects.create(ruleset=RuleSet.objects.get(name=name), organization=org)
    congress = Term.objects.create(
        body=Body.objects.create(organization=tree.js, kind=BodyKind.CONGRESS),
        number=10,
        start=datetime.date(2024, 1, 1),
        planned_end=datetime.date(2029, 1, 1),
    )
    # Registered with an ID number and phone: neither may appear in the output.
    named = create_person(actor=tree.platform, organization=tree.js, name="孙丽", resident_id="11010519491231002X", phone="13800138000")
    seats = [(named, False)] + [(Person.objects.create(name=f"代表{i}"), i < 6) for i in range(9)]
    for person, frontline in seats:
        Seat.objects.create(term=congress, person=person, start=congress.start, is_frontline=frontline, birth_date=datetime.date(1985, 1, 1))
    council = Term.objects.create(
        body=Body.objects.create(organization=tree.soc, kind=BodyKind.COUNCIL), number=3, start=datetime.date(2022, 6, 1), planned_end=datetime.date(2027, 6, 1)
    )
    for i in range(4):
        Seat.objects.create(
            term=council,
            person=Person.objects.create(name=f"理事{i}"),
            start=council.start,
            is_frontline=True,
            birth_date=datetime.date(1980, 1, 1),
            role=SeatRole.CHAIR if i == 0 else SeatRole.MEMBER,
            official=OfficialStatus.SERVING if i == 0 else "",
            approved_on=datetime.date(2022, 5, 1) if i == 0 else None,
            approved_by="省委组织部" if i == 0 else "",
        )
    return congress, council


def run(*args) -> str:
    out = io.StringIO()
    call_command("check_compliance", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def by_code(data):
    return {(b["organization"]["code"], b["body_kind"]): b for b in data}


def test_check_compliance_json_lists_bodies_results_and_failing_names(tree, bodies):
    data = json.loads(run("--org", "JS", "--json", "--today", TODAY))
    found = by_code(data)
    assert set(found) == {("JS", "congress"), ("SOC", "council")}
    congress = found["JS", "congress"]
    assert congress["organization"] == {"code": "JS", "name": "江苏省科学技术协会"}
    assert congress["term"] == {"number": 10, "start": "2024-01-01", "planned_end": "2029-01-01"}
    assert congress["seats"] == 10
    results = {(r["ruleset"], r["measure"]): r for r in congress["results"]}
    assert set(results) == {("jiangsu", "frontline_share"), ("jiangsu", "aged_at_most_share")}
    jiangsu = results["jiangsu", "frontline_share"]
    assert jiangsu == {
        "ruleset": "jiangsu",
        "measure": "frontline_share",
        "param": None,
        "comparison": "gte",
        "threshold": 0.7,
        "threshold_text": "70%",
        "is_target": False,
        "measured": 0.6,
        "measured_text": "6/10",
        "baseline": None,
        "progress": None,
        "against_previous": False,
        "outcome": "fail",
        "failing": jiangsu["failing"],
    }
    assert {f["name"] for f in jiangsu["failing"]} == {"孙丽", "代表6", "代表7", "代表8"}
    assert set(jiangsu["failing"][0]) == {"person_id", "name", "role"}
    assert results["jiangsu", "aged_at_most_share"]["param"] == 45
    assert results["jiangsu", "aged_at_most_share"]["failing"] == []
    council = found["SOC", "council"]
    assert {r["outcome"] for r in council["results"]} == {"pass"}


def test_check_compliance_never_prints_id_numbers_or_phones(tree, bodies):
    person = Person.objects.get(name="孙丽")
    assert person.id_masked and person.phone_masked
    for args in (("--json",), ()):
        out = run("--org", "JS", "--today", TODAY, *args)
        assert "孙丽" in out
        for secret in ("11010519491231002X", "13800138000", person.id_masked, person.phone_masked, "002X", "8000"):
            assert secret not in out


def test_check_compliance_ruleset_filters_results(tree, bodies):
    data = json.loads(run("--org", "JS", "--json", "--today", TODAY, "--ruleset", "jiangsu"))
    found = by_code(data)
    assert {r["ruleset"] for r in found["JS", "congress"]["results"]} == {"jiangsu"}
    assert found["SOC", "council"]["results"] == []


def test_check_compliance_unknown_ruleset_reports_nothing_and_exits_normally(tree, bodies):
    err = io.StringIO()
    out = io.StringIO()
    call_command("check_compliance", "--org", "JS", "--json", "--ruleset", "nope", stdout=out, stderr=err)
    assert all(b["results"] == [] for b in json.loads(out.getvalue()))
    assert "nope" in err.getvalue()


def test_check_compliance_failures_only_keeps_flagged_rules_and_their_bodies(tree, bodies):
    data = json.loads(run("--org", "JS", "--json", "--today", TODAY, "--failures-only"))
    assert [(b["organization"]["code"], b["body_kind"]) for b in data] == [("JS", "congress")]
    assert {(r["ruleset"], r["outcome"]) for r in data[0]["results"]} == {("jiangsu", "fail")}


def test_check_compliance_today_makes_the_overdue_term_fail(tree, bodies):
    data = json.loads(run("--org", "SOC", "--json", "--today", "2028-08-01", "--failures-only"))
    assert len(data) == 1
    (result,) = data[0]["results"]
    assert (result["measure"], result["measured"], result["outcome"]) == (Measure.DAYS_OVERDUE, 427.0, Outcome.FAIL)
    assert result["failing"] == []


def test_check_compliance_subtree_only(tree, bodies):
    data = json.loads(run("--org", "SOC", "--json", "--today", TODAY))
    assert [(b["organization"]["code"], b["body_kind"]) for b in data] == [("SOC", "council")]
    assert json.loads(run("--org", "NJ", "--json", "--today", TODAY)) == []


def test_check_compliance_human_output_one_line_per_body_then_flagged_rules(tree, bodies):
    from django.utils import translation

    with translation.override("en"):  # the command speaks the active language; zh-hans by default
        out = run("--org", "JS", "--today", TODAY)
    lines = out.splitlines()
    body_lines = [line for line in lines if not line.startswith("  ")]
    assert len(body_lines) == 2
    congress = next(line for line in body_lines if line.startswith("JS "))
    assert "10 seats" in congress and "1 failures" in congress and "0 targets missed" in congress
    assert "SOC " in out and "0 failures, 0 targets missed" in out
    flagged = [line for line in lines if line.startswith("  ")]
    assert len(flagged) == 1
    assert any("[jiangsu]" in line and "≥ 70%" in line and "6/10" in line and "孙丽" in line for line in flagged)


def test_check_compliance_unknown_org_is_an_error(tree, bodies):
    with pytest.raises(CommandError, match="NOPE"):
        run("--org", "NOPE")


def test_check_compliance_bad_date_is_an_error(tree, bodies):
    with pytest.raises(CommandError, match="--today"):
        run("--org", "JS", "--today", "2026-13-01")


def test_check_compliance_without_bodies_says_so(tree):
    assert run("--org", "LX", "--today", TODAY).strip() != ""
    assert json.loads(run("--org", "LX", "--json")) == []
