"""The subtree's compliance is kept in the cache (kejia.governance.verdicts) and is never stale:
each kind of input changed through its service (or a signal-less bulk write that bumps the version
itself) shows at once on the compliance page, the cached result equals the uncached one on the demo
data, and a write rolled back leaves nothing behind in the cache."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kejia.governance import compliance, services, verdicts
from kejia.governance.models import Body, DeclaredPost, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.governance.rulesets import load_rule_sets
from kejia.organizations.models import Organization
from kejia.people.services import create_person, update_person

pytestmark = pytest.mark.django_db
START = datetime.date(2024, 1, 1)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the test cache lives as long as the process; the databases roll back under it
    yield
    cache.clear()


def committed() -> None:
    """What the commit of the test's transaction does for the cache: the waiting version bump runs
    (the test's own transaction never commits)."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, verdicts.Bump) and not callback.ran:
            callback()


def person(tree, name, **kw):
    kw.setdefault("birth_date", datetime.date(1980, 1, 1))
    return create_person(actor=tree.platform, organization=tree.soc, name=name, **kw)


@pytest.fixture
def council(tree):
    """The society's council under the society rules: four seats, three from the front line (3/4
    passes 三.3's three quarters), one official whose post is not yet approved."""
    load_rule_sets(RuleSet, Rule)
    services.assign_ruleset(RuleSet.objects.get(name="societies"), tree.js, actor=tree.platform)
    body = services.create_body(tree.soc, actor=tree.society_secretary, kind="council")
    term = services.start_term(body, actor=tree.society_secretary, start=START)
    for i in range(4):
        services.seat_person(
            term,
            actor=tree.society_secretary,
            person=person(tree, f"理事{i}", is_frontline=i < 3),
            start=START,
            role="chair" if i == 0 else "member",
            official="serving" if i == 0 else "",
        )
    committed()
    return body


def verdict(client, tree) -> dict:
    """The page's rows: (organization, body kind) → (term number, seats, failures)."""
    response = client.get(reverse("governance:compliance", args=[tree.js.pk]))
    assert response.status_code == 200
    return {(r["org"].name, r["body"].kind): (r["term"].number if r["term"] else None, r["seats"], sorted(r["failures"])) for r in response.context["rows"]}


def seat_queries(client, tree) -> int:
    with CaptureQueriesContext(connection) as queries:
        verdict(client, tree)
    return sum('"governance_seat"' in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def page(client, tree, council):
    """The province's page, seen once so that its evaluation is in the cache."""
    client.force_login(tree.province_staff)
    before = verdict(client, tree)
    assert seat_queries(client, tree) == 0  # served from the cache: what the tests below change must show anyway
    return before


def row(tree, data):
    return data[(tree.soc.name, "council")]


def term_of(body):
    return Term.objects.get(body=body, actual_end__isnull=True)


def test_seat_added_and_vacated(client, tree, council, page):
    number, seats, failures = row(tree, page)
    assert seats == 4
    new = services.seat_person(term_of(council), actor=tree.society_secretary, person=person(tree, "理事新"), start=START)
    committed()
    _n, seats, after = row(tree, verdict(client, tree))
    assert seats == 5 and len(after) == len(failures) + 1  # 3/5 from the front line: below three quarters
    services.unseat(new, actor=tree.society_secretary, end=datetime.date.today())
    committed()
    assert row(tree, verdict(client, tree)) == (number, 4, failures)


def test_post_approved_and_posts_declared(client, tree, council, page):
    _n, _s, failures = row(tree, page)
    official = Seat.objects.get(term__body=council, official="serving")
    services.record_post_approval(official, actor=tree.society_secretary, approved_on=START, approved_by="省委组织部")
    committed()
    _n, _s, approved = row(tree, verdict(client, tree))
    assert len(approved) == len(failures) - 1  # the unapproved post was the failure
    services.declare_post(official, actor=tree.society_secretary, organization_name="某协会", post="理事长")
    committed()
    _n, _s, declared = row(tree, verdict(client, tree))
    assert len(declared) == len(approved) + 2  # two posts, the second unapproved
    services.end_declared_post(DeclaredPost.objects.get(), actor=tree.society_secretary)
    committed()
    assert row(tree, verdict(client, tree))[2] == approved


def test_term_started_and_ended(client, tree, council, page):
    """start_term and end_term vacate the seats with a signal-less update()."""
    services.start_term(council, actor=tree.society_secretary, start=datetime.date(2025, 1, 1))
    committed()
    assert row(tree, verdict(client, tree)) == (2, 0, [])
    services.end_term(term_of(council), actor=tree.society_secretary, actual_end=datetime.date(2025, 6, 1))
    committed()
    assert row(tree, verdict(client, tree)) == (None, 0, [])


def test_rules_rule_sets_and_assignments(client, tree, council, page):
    _n, _s, failures = row(tree, page)
    assert failures
    rule = Rule.objects.get(ruleset__name="societies", measure="official_unapproved")
    services.update_rule(rule, actor=tree.platform, threshold="1")
    committed()
    assert len(row(tree, verdict(client, tree))[2]) == len(failures) - 1
    services.delete_rule(Rule.objects.get(ruleset__name="societies", measure="official_posts"), actor=tree.platform)
    services.update_rule(rule, actor=tree.platform, threshold="0")
    committed()
    assert row(tree, verdict(client, tree))[2] == failures
    services.update_ruleset(RuleSet.objects.get(name="societies"), actor=tree.platform, is_active=False)
    committed()
    assert row(tree, verdict(client, tree))[2] == []
    services.update_ruleset(RuleSet.objects.get(name="societies"), actor=tree.platform, is_active=True)
    committed()
    assert row(tree, verdict(client, tree))[2] == failures
    services.unassign_ruleset(RuleSetAssignment.objects.get(ruleset__name="societies"), actor=tree.platform)
    committed()
    assert row(tree, verdict(client, tree))[2] == []


def test_body_and_organization_changes(client, tree, council, page):
    services.create_body(tree.soc, actor=tree.society_secretary, kind="standing_council")
    committed()
    assert (None, 0, []) == verdict(client, tree)[(tree.soc.name, "standing_council")]
    Organization.objects.filter(pk=tree.soc.pk).update(name="改名学会")  # names are read afresh, never cached
    assert ("改名学会", "council") in verdict(client, tree)
    Body.objects.filter(pk=council.pk).delete()
    committed()
    assert ("改名学会", "council") not in verdict(client, tree)


def test_person_renamed_shows_in_the_failing_seats(tree, council):
    def failing_names():
        report = next(r for r in compliance.subtree_compliance(tree.js) if r.body == council)
        return {s.name for r in report.results for s in r.failing}

    assert failing_names() == {"理事0"}
    official = Seat.objects.get(term__body=council, official="serving").person
    update_person(official, actor=tree.platform, name="理事甲")
    committed()
    assert failing_names() == {"理事甲"}


def test_in_a_transaction_that_wrote_the_cache_is_neither_read_nor_written(client, tree, council, page):
    """Before the commit, the writer sees its own data; a rollback leaves the cached verdict as it was."""
    with transaction.atomic():
        services.seat_person(term_of(council), actor=tree.society_secretary, person=person(tree, "理事新"), start=START)
        assert not verdicts.usable()
        assert row(tree, verdict(client, tree))[1] == 5
        transaction.set_rollback(True)
    assert verdicts.usable()
    assert row(tree, verdict(client, tree)) == row(tree, page)
    assert seat_queries(client, tree) == 0


def test_without_the_commit_hook_the_page_is_fresh_too(client, tree, council, page):
    """A write in the test's own (never committed) transaction: the page reads afresh."""
    services.seat_person(term_of(council), actor=tree.society_secretary, person=person(tree, "理事新"), start=START)
    assert row(tree, verdict(client, tree))[1] == 5


def _key(reports):
    return {
        r.term.pk: (
            r.seats,
            [(x.rule_id, str(x.outcome), x.measured_text, x.threshold_text, x.progress, [(s.seat_id, s.name) for s in x.failing]) for x in r.results],
        )
        for r in reports
    }


def test_cached_equals_uncached_on_the_demo(reference):
    call_command("seed_demo", orgs=400, people=800, stdout=io.StringIO())
    committed()
    root = Organization.objects.get(
        parent__isnull=True, kind="provincial_assoc"
    )  # the province (the demo calls add the national association as a root of its own)
    for day in (datetime.date(2026, 11, 23), datetime.date(2027, 6, 30)):
        terms = list(Term.objects.filter(actual_end__isnull=True, body__organization__path__descends=root.path).select_related("body__organization"))
        uncached = _key(compliance.reports_for_terms(terms, today=day))
        first = _key(compliance.subtree_compliance(root, today=day))
        with CaptureQueriesContext(connection) as queries:
            second = compliance.subtree_compliance(root, today=day)
        assert not [q for q in queries.captured_queries if '"governance_seat"' in q["sql"]]  # from the cache
        assert first == uncached and _key(second) == uncached
        assert len(uncached) > 100
        for ruleset in ("societies", "plan2025"):
            assert _key(compliance.subtree_compliance(root, today=day, ruleset=ruleset)) == _key(
                compliance.reports_for_terms(terms, today=day, ruleset=ruleset)
            )


def test_a_write_after_a_rollback_bumps_again(client, tree, council, page):
    """The bump of a rolled-back savepoint is gone with it: the next write registers its own."""
    with transaction.atomic():
        services.seat_person(term_of(council), actor=tree.society_secretary, person=person(tree, "理事甲"), start=START)
        transaction.set_rollback(True)
    services.seat_person(term_of(council), actor=tree.society_secretary, person=person(tree, "理事乙"), start=START)
    assert not verdicts.usable()
    committed()
    assert verdicts.usable()
    assert row(tree, verdict(client, tree))[1] == 5
