import datetime

import pytest

from kejia.governance import compliance, selectors, services
from kejia.governance.models import Rule, RuleSet
from kejia.governance.rulesets import load_rule_sets

pytestmark = pytest.mark.django_db


def test_body_term_seats_compliance_smoke(tree):
    from kejia.people.services import create_person

    load_rule_sets(RuleSet, Rule)
    services.assign_ruleset(RuleSet.objects.get(name="societies"), tree.js, actor=tree.platform)
    council = services.create_body(tree.soc, actor=tree.society_secretary, kind="council")
    term = services.start_term(council, actor=tree.society_secretary, start=datetime.date(2024, 1, 1))
    for i in range(4):
        p = create_person(actor=tree.platform, organization=tree.soc, name=f"理事{i}", is_frontline=i < 3, birth_date=datetime.date(1980, 1, 1))
        services.seat_person(term, actor=tree.society_secretary, person=p, start=datetime.date(2024, 1, 1), official="serving" if i == 0 else "")
    report = compliance.body_compliance(council, today=datetime.date(2026, 11, 23))
    outcomes = {r.measure: r.outcome for r in report.results}
    assert outcomes["frontline_share"] == "pass"
    assert selectors.term_alerts(tree.society_secretary, today=datetime.date(2026, 11, 23))["due"] == []
    assert services.send_term_reminders(today=datetime.date(2028, 12, 1)) == 1
    assert services.send_term_reminders(today=datetime.date(2028, 12, 2)) == 0
