"""The full-time staff rule (003 三.3) judges comprehensive demonstration societies only: an
ordinary or featured society's secretariat is not judged by it."""

import datetime

import pytest

from kejia.governance.choices import BodyKind, Measure, Outcome, SeatRole
from kejia.governance.compliance import body_compliance
from kejia.governance.models import Body, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.memberships.models import MemberClass, Membership
from kejia.people.models import Person

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(("society_class", "outcome"), [
    ("ordinary", Outcome.NOT_APPLICABLE), ("featured", Outcome.NOT_APPLICABLE), ("demonstration", Outcome.TARGET_MISSED),
])
def test_staff_share_only_for_demonstration_societies(tree, society_class, outcome):
    load_rule_sets(RuleSet, Rule)
    RuleSetAssignment.objects.create(ruleset=RuleSet.objects.get(name="societies"), organization=tree.soc, include_subtree=True)
    tree.soc.society_class = society_class
    tree.soc.save(update_fields=["society_class"])
    body = Body.objects.create(organization=tree.soc, kind=BodyKind.SECRETARIAT)
    term = Term.objects.create(body=body, number=1, start=datetime.date(2024, 1, 1), planned_end=datetime.date(2029, 1, 1))
    Seat.objects.create(term=term, person=Person.objects.create(name="专职一"), role=SeatRole.STAFF, start=term.start)
    klass = MemberClass.objects.create(society=tree.soc, code="full", name="正会员", kind="full")
    people = Person.objects.bulk_create([Person(name=f"会员{i}") for i in range(200)])
    Membership.objects.bulk_create([Membership(society=tree.soc, person=p, member_class=klass, status="active") for p in people])
    [res] = [r for r in body_compliance(body, today=TODAY).results if r.measure == Measure.STAFF_SHARE]
    assert res.outcome == outcome  # 1 staff for 200 members: 0.5 %
