"""The subtree compliance reads only what the applicable rules need (seat counts in the database,
previous terms and officials' posts only where a rule reads them): on the demo province it gives
exactly what reading everything for every body gave."""

import datetime
import io
from collections import defaultdict

from django.core.management import call_command

from kejia.governance import compliance
from kejia.governance.compliance import SEAT_VALUES, TermFacts, _open_seats, _seat_fact, context_for, evaluate, previous_seats
from kejia.governance.models import Seat, Term
from kejia.organizations.models import Organization


def _read_everything(terms, today):
    """reports_for_terms as it was: every seat, context and previous term of every body."""
    seats_by_term = defaultdict(list)
    for row in Seat.objects.filter(_open_seats(today), term_id__in=[t.pk for t in terms]).values_list("term_id", *SEAT_VALUES):
        seats_by_term[row[0]].append(_seat_fact(row[1:]))
    person_ids = {s.person_id for seats in seats_by_term.values() for s in seats if s.official}
    ctx = context_for(person_ids, {t.body_id for t in terms}, {t.body.organization_id for t in terms}, today)
    rules = compliance.applicable_rules({t.body.organization.path for t in terms})
    previous = previous_seats(terms)
    out = {}
    for t in terms:
        facts = TermFacts(
            t.body_id,
            t.body.organization_id,
            t.body.kind,
            t.number,
            t.start,
            t.planned_end,
            seats_by_term.get(t.pk, []),
            org_kind=t.body.organization.kind,
            previous=previous.get(t.body_id),
        )
        out[t.pk] = (len(facts.seats), _key(evaluate(facts, rules[t.body.organization.path], ctx)))
    return out


def _key(results):
    return [(r.rule_id, str(r.outcome), r.measured, r.measured_text, r.threshold_text, r.progress, [s.seat_id for s in r.failing]) for r in results]


def test_subtree_compliance_same_as_reading_everything(reference):
    call_command("seed_demo", orgs=400, people=800, stdout=io.StringIO())  # bodies are seated from the people
    root = Organization.objects.get(
        parent__isnull=True, kind="provincial_assoc"
    )  # the province (the demo calls add the national association as a root of its own)
    terms = list(Term.objects.filter(actual_end__isnull=True).select_related("body__organization"))
    assert len({t.body.kind for t in terms}) >= 6
    for today in (datetime.date(2026, 11, 23), datetime.date(2027, 6, 30)):
        expected = _read_everything(terms, today)
        got = {r.term.pk: (r.seats, _key(r.results)) for r in compliance.subtree_compliance(root, today=today)}
        assert got == expected
        outcomes = {o for _n, results in got.values() for (_id, o, *_rest) in results}
        assert {"fail", "pass"} <= outcomes  # bodies failing and passing were compared
        assert any(n and not results for n, results in got.values())  # bodies no rule judges: counted in the database
