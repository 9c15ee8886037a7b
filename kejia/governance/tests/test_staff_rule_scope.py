"""Full-time staff against members (003 三.3: 综合示范学会专职人员比例应达会员数的 1%—5% 以上) has
one verdict, the membership figures' (the organization's full-time staff against its active
members, by the society's size bands, for comprehensive demonstration societies only). The
governance rule sets no longer judge it a second way (secretariat seats against 1/100)."""

import datetime
import importlib

from django.apps import apps

from kejia.governance.choices import BodyKind, Measure, SeatRole
from kejia.governance.compliance import body_compliance
from kejia.governance.models import Body, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.governance.rulesets import RULE_SETS, load_rule_sets
from kejia.memberships.models import MemberClass, Membership
from kejia.memberships.stats import society_figures
from kejia.people.models import Person

TODAY = datetime.date(2026, 11, 23)


def test_shipped_rule_sets_do_not_judge_full_time_staff():
    assert "staff_share" not in Measure.values
    assert not [r for spec in RULE_SETS for r in spec.rules if r.measure == "staff_share"]


def test_migration_removes_staff_rules_and_the_shipped_description(db):
    migration = importlib.import_module("kejia.governance.migrations.0004_staff_rule_on_membership_figures")
    load_rule_sets(RuleSet, Rule)
    societies = RuleSet.objects.get(name="societies")
    RuleSet.objects.filter(pk=societies.pk).update(description=migration.OLD_DESCRIPTION)
    Rule.objects.create(
        ruleset=societies,
        body_kinds=["secretariat"],
        org_kinds=["provincial_society"],
        measure="staff_share",
        comparison="gte",
        threshold_num=1,
        threshold_den=100,
        is_target=True,
        sort=99,
    )
    kept = Rule.objects.count() - 1
    migration.remove_staff_rules(apps, None)
    assert not Rule.objects.filter(measure="staff_share").exists() and Rule.objects.count() == kept
    societies.refresh_from_db()
    assert "1%—5%" not in societies.description.split("（")[0] and societies.description == next(s.description for s in RULE_SETS if s.name == "societies")


def test_demonstration_society_staff_judged_once_on_membership_figures(tree):
    load_rule_sets(RuleSet, Rule)
    RuleSetAssignment.objects.create(ruleset=RuleSet.objects.get(name="societies"), organization=tree.soc, include_subtree=True)
    tree.soc.society_class = "demonstration"
    tree.soc.fulltime_staff = 1
    tree.soc.save(update_fields=["society_class", "fulltime_staff"])
    body = Body.objects.create(organization=tree.soc, kind=BodyKind.SECRETARIAT)
    term = Term.objects.create(body=body, number=1, start=datetime.date(2024, 1, 1), planned_end=datetime.date(2029, 1, 1))
    Seat.objects.create(term=term, person=Person.objects.create(name="专职一"), role=SeatRole.STAFF, start=term.start)
    klass = MemberClass.objects.create(society=tree.soc, code="full", name="正会员", kind="full")
    people = Person.objects.bulk_create([Person(name=f"会员{i}") for i in range(200)])
    Membership.objects.bulk_create([Membership(society=tree.soc, person=p, member_class=klass, status="active") for p in people])
    # The secretariat's composition has no staff verdict any more ...
    assert not [r for r in body_compliance(body, today=TODAY).results if "staff" in r.measure]
    # ... the membership figures hold the one: 1 staff for 200 members is below the 5 % band of a small society.
    figures = society_figures(tree.soc, today=TODAY)
    assert (figures["staff_rule_applies"], figures["staff_target"], figures["staff_on_target"]) == (True, 5, False)
