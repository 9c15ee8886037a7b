"""Composition compliance: each rule's measured value for a body's current term, its threshold,
the outcome, and the seats that make it fail.

The evaluation itself (`evaluate`) is pure: it reads `TermFacts` (seats with the attributes copied
at seating) and a `Context` of federation-wide counts (society posts per person, terms per person
and body, active members and full-time staff per organization). `subtree_compliance` builds them
for every body of a subtree in a fixed number of queries; `body_compliance` for one body;
`slate_compliance` for a draft slate (what-if)."""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from kejia.governance.choices import (
    PERSON_MEASURES,
    POST_ROLES,
    Comparison,
    Measure,
    Outcome,
    SeatRole,
)
from kejia.governance.models import Body, Rule, RuleSetAssignment, Seat, Term
from kejia.organizations.kinds import SOCIETY_KINDS, SocietyClass
from kejia.people.choices import Gender

# Thresholds are stored to four decimals (1/3 → 0.3333): a share within half a unit of the last
# decimal counts as reaching it, so 2 of 3 meets "at least 0.6667" and exactly 3/4 meets 0.75.
TOLERANCE = 0.00005


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    """Completed years on `day` (a person is a year older on their birthday; 29 February birthdays
    count from 1 March in other years)."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class SeatFact:
    seat_id: int | None
    person_id: int
    name: str
    role: str
    start: datetime.date
    is_frontline: bool
    birth_date: datetime.date | None
    gender: str
    official: str


@dataclass
class TermFacts:
    body_id: int | None
    organization_id: int
    body_kind: str
    term_number: int | None
    start: datetime.date
    planned_end: datetime.date
    seats: list[SeatFact]


@dataclass
class Context:
    posts: dict[int, int] = field(default_factory=dict)  # person → current society posts (POST_ROLES)
    terms: dict[tuple[int, int], int] = field(default_factory=dict)  # (body, person) → terms with a seat
    members: dict[int, int] = field(default_factory=dict)  # organization → active memberships
    demonstration: set[int] = field(default_factory=set)  # comprehensive demonstration societies (the staff rule's scope)
    today: datetime.date = field(default_factory=timezone.localdate)


@dataclass
class RuleResult:
    rule_id: int | None
    ruleset: str
    measure: str
    param: int | None
    comparison: str
    threshold: float
    is_target: bool
    measured: float | None
    outcome: str
    failing: list[SeatFact] = field(default_factory=list)
    note: str = ""


def _meets(value: float, comparison: str, threshold: float) -> bool:
    if comparison == Comparison.AT_LEAST:
        return value >= threshold - TOLERANCE
    return value <= threshold + TOLERANCE


def _months_after(start: datetime.date, day: datetime.date) -> int:
    """Whole months from `start` to `day`. A month after the 31st (or 29th, 30th) is reached on the
    last day of a shorter month: 31 January + 1 month is 28 February, as a calendar reads it."""
    months = (day.year - start.year) * 12 + day.month - start.month
    if day.day < start.day and day.day != calendar.monthrange(day.year, day.month)[1]:
        months -= 1
    return months


def _share(seats: list[SeatFact], test) -> tuple[float | None, list[SeatFact]]:
    if not seats:
        return None, []
    hits = [s for s in seats if test(s)]
    return len(hits) / len(seats), [s for s in seats if not test(s)]


def _person_values(facts: TermFacts, rule: Rule, ctx: Context) -> list[tuple[SeatFact, int]]:
    officials = [s for s in facts.seats if s.official]
    if rule.measure == Measure.OFFICIAL_AGE:
        return [(s, age) for s in officials if (age := age_on(s.birth_date, s.start)) is not None]
    if rule.measure == Measure.OFFICIAL_POSTS:
        return [(s, ctx.posts.get(s.person_id, 0)) for s in officials]
    # Terms held in this body, counting the one being evaluated (a draft slate adds one).
    extra = 1 if facts.body_id is None or facts.term_number is None else 0
    return [(s, ctx.terms.get((facts.body_id, s.person_id), 0) + extra) for s in officials]


def evaluate_rule(facts: TermFacts, rule: Rule, ctx: Context, ruleset_name: str = "") -> RuleResult:
    threshold = float(rule.threshold)
    measured: float | None
    failing: list[SeatFact] = []
    if rule.measure == Measure.FRONTLINE_SHARE:
        measured, misses = _share(facts.seats, lambda s: s.is_frontline)
        failing = misses
    elif rule.measure == Measure.WOMEN_SHARE:
        measured, misses = _share(facts.seats, lambda s: s.gender == Gender.FEMALE)
        failing = misses
    elif rule.measure == Measure.AGED_AT_MOST_SHARE:
        limit = rule.param if rule.param is not None else 45
        measured, misses = _share(facts.seats, lambda s: (a := age_on(s.birth_date, s.start)) is not None and a <= limit)
        failing = misses
    elif rule.measure in PERSON_MEASURES:
        values = _person_values(facts, rule, ctx)
        # The body's value is its worst official's: the highest against "at most", the lowest against "at least".
        worst = max if rule.comparison == Comparison.AT_MOST else min
        measured = float(worst(v for _s, v in values)) if values else None
        failing = [s for s, v in values if not _meets(v, rule.comparison, threshold)]
    elif rule.measure == Measure.STAFF_SHARE and facts.organization_id not in ctx.demonstration:
        measured = None  # 003 三.3 asks full-time staff of comprehensive demonstration societies only
    elif rule.measure == Measure.STAFF_SHARE:
        members = ctx.members.get(facts.organization_id, 0)
        staff = sum(1 for s in facts.seats if s.role == SeatRole.STAFF)
        measured = staff / members if members else None
    elif rule.measure == Measure.MONTHS_OVERDUE:
        measured = float(max(_months_after(facts.planned_end, ctx.today), 0))
    else:  # an unknown measure (a newer rule set read by older code): not judged
        measured = None
    if measured is None:
        outcome = Outcome.NOT_APPLICABLE
        failing = []
    elif rule.measure in PERSON_MEASURES:
        outcome = Outcome.PASS if not failing else (Outcome.TARGET_MISSED if rule.is_target else Outcome.FAIL)
    elif _meets(measured, rule.comparison, threshold):
        outcome, failing = Outcome.PASS, []
    else:
        outcome = Outcome.TARGET_MISSED if rule.is_target else Outcome.FAIL
    return RuleResult(rule_id=rule.pk, ruleset=ruleset_name or getattr(rule.ruleset, "name", ""), measure=rule.measure, param=rule.param,
                      comparison=rule.comparison, threshold=threshold, is_target=rule.is_target, measured=measured, outcome=outcome,
                      failing=failing, note=rule.note)


def evaluate(facts: TermFacts, rules: Iterable[Rule], ctx: Context) -> list[RuleResult]:
    return [evaluate_rule(facts, rule, ctx) for rule in rules if facts.body_kind in (rule.body_kinds or [])]


# ---- Which rules apply ------------------------------------------------------------------------

def applicable_rules(paths: Iterable[str], *, ruleset: str | None = None) -> dict[str, list[Rule]]:
    """organization path → the rules of the rule sets assigned to it or above it (with subtree)."""
    paths = list(set(paths))
    assignments = (RuleSetAssignment.objects.filter(ruleset__is_active=True).select_related("ruleset", "organization"))
    if ruleset:
        assignments = assignments.filter(ruleset__name=ruleset)
    assignments = list(assignments)
    rules_by_set: dict[int, list[Rule]] = defaultdict(list)
    for rule in Rule.objects.filter(ruleset_id__in={a.ruleset_id for a in assignments}).select_related("ruleset").order_by("ruleset_id", "sort", "id"):
        rules_by_set[rule.ruleset_id].append(rule)
    out: dict[str, list[Rule]] = {}
    for path in paths:
        sets = []
        for a in assignments:
            top = a.organization.path
            if path == top or (a.include_subtree and path.startswith(top)):
                if a.ruleset_id not in sets:
                    sets.append(a.ruleset_id)
        out[path] = [rule for set_id in sorted(sets) for rule in rules_by_set[set_id]]
    return out


# ---- Building facts ---------------------------------------------------------------------------

def _open_seats(today: datetime.date) -> Q:
    """Seats held on `today`: seated by then and not yet left (a seat taken later is not counted
    when checking an earlier day)."""
    return Q(start__lte=today) & (Q(end__isnull=True) | Q(end__gt=today))


def _seat_fact(row: tuple) -> SeatFact:
    seat_id, person_id, name, role, start, frontline, birth, gender, official = row
    return SeatFact(seat_id, person_id, name, role, start, frontline, birth, gender, official)


SEAT_VALUES = ("id", "person_id", "person__name", "role", "start", "is_frontline", "birth_date", "gender", "official")


def context_for(person_ids: set[int], body_ids: set[int], org_ids: set[int], today: datetime.date, *,
                other_than: int | None = None) -> Context:
    """Federation-wide counts for the evaluation; with `other_than` (an organization), society posts
    held there are left out (a draft slate replaces them with the posts it gives)."""
    from kejia.memberships.models import Membership

    ctx = Context(today=today)
    if person_ids:
        posts = Seat.objects.filter(_open_seats(today), person_id__in=person_ids, role__in=POST_ROLES, term__actual_end__isnull=True,
                                    term__body__organization__kind__in=SOCIETY_KINDS)
        if other_than is not None:
            posts = posts.exclude(term__body__organization_id=other_than)
        posts = posts.values("person_id").annotate(n=Count("term__body__organization", distinct=True))
        ctx.posts = {row["person_id"]: row["n"] for row in posts}
        terms = (Seat.objects.filter(person_id__in=person_ids, term__body_id__in=body_ids)
                 .values("term__body_id", "person_id").annotate(n=Count("term", distinct=True)))
        ctx.terms = {(row["term__body_id"], row["person_id"]): row["n"] for row in terms}
    if org_ids:
        members = (Membership.objects.filter(society_id__in=org_ids, status="active").values("society_id").annotate(n=Count("id")))
        ctx.members = {row["society_id"]: row["n"] for row in members}
    return ctx


@dataclass
class BodyReport:
    body: Body
    term: Term | None
    seats: int
    results: list[RuleResult]

    @property
    def failures(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == Outcome.FAIL]

    @property
    def targets_missed(self) -> list[RuleResult]:
        return [r for r in self.results if r.outcome == Outcome.TARGET_MISSED]


def current_terms(bodies_qs) -> list[Term]:
    return list(Term.objects.filter(body__in=bodies_qs, actual_end__isnull=True).select_related("body__organization"))


def reports_for_terms(terms: list[Term], *, today: datetime.date | None = None, ruleset: str | None = None) -> list[BodyReport]:
    """Compliance of the given current terms, in a fixed number of queries whatever their number."""
    today = today or timezone.localdate()
    seats_by_term: dict[int, list[SeatFact]] = defaultdict(list)
    term_ids = [t.pk for t in terms]
    for start in range(0, len(term_ids), 5000):
        chunk = term_ids[start:start + 5000]
        for row in Seat.objects.filter(_open_seats(today), term_id__in=chunk).values_list("term_id", *SEAT_VALUES).iterator(chunk_size=5000):
            seats_by_term[row[0]].append(_seat_fact(row[1:]))
    person_ids = {s.person_id for seats in seats_by_term.values() for s in seats if s.official}
    ctx = context_for(person_ids, {t.body_id for t in terms}, {t.body.organization_id for t in terms}, today)
    ctx.demonstration = {t.body.organization_id for t in terms if t.body.organization.society_class == SocietyClass.DEMONSTRATION}
    rules = applicable_rules({t.body.organization.path for t in terms}, ruleset=ruleset)
    reports = []
    for term in terms:
        facts = TermFacts(term.body_id, term.body.organization_id, term.body.kind, term.number, term.start, term.planned_end,
                          seats_by_term.get(term.pk, []))
        reports.append(BodyReport(term.body, term, len(facts.seats), evaluate(facts, rules[term.body.organization.path], ctx)))
    return reports


def subtree_compliance(org, *, today: datetime.date | None = None, ruleset: str | None = None) -> list[BodyReport]:
    terms = list(Term.objects.filter(actual_end__isnull=True, body__organization__path__descends=org.path)
                 .select_related("body__organization").order_by("body__organization__path", "body__kind"))
    return reports_for_terms(terms, today=today, ruleset=ruleset)


def body_compliance(body: Body, *, today: datetime.date | None = None, ruleset: str | None = None) -> BodyReport:
    term = Term.objects.filter(body=body, actual_end__isnull=True).select_related("body__organization").first()
    if term is None:
        return BodyReport(body, None, 0, [])
    return reports_for_terms([term], today=today, ruleset=ruleset)[0]


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def slate_compliance(slate, *, today: datetime.date | None = None, ruleset: str | None = None) -> BodyReport:
    """What-if: the draft slate as if seated on its planned start, people's attributes as they are now."""
    today = today or timezone.localdate()
    body = slate.body
    organization = body.organization
    entries = list(slate.entries.select_related("person"))
    seats = [SeatFact(None, e.person_id, e.person.name, e.role, slate.planned_start, e.person.is_frontline, e.person.birth_date,
                      e.person.gender, e.official) for e in entries]
    facts = TermFacts(body.pk, body.organization_id, body.kind, None, slate.planned_start, _years_after(slate.planned_start, body.term_years),
                      seats)
    officials = {s.person_id for s in seats if s.official}
    # An official's posts in this society become the ones the slate gives (the current term ends);
    # their posts in other societies stay.
    ctx = context_for(officials, {body.pk}, {body.organization_id}, today, other_than=body.organization_id)
    if organization.society_class == SocietyClass.DEMONSTRATION:
        ctx.demonstration.add(organization.pk)
    if organization.kind in SOCIETY_KINDS:
        for s in seats:
            if s.official and s.role in POST_ROLES:
                ctx.posts[s.person_id] = ctx.posts.get(s.person_id, 0) + 1
    rules = applicable_rules([organization.path], ruleset=ruleset)[organization.path]
    return BodyReport(body, None, len(seats), evaluate(facts, rules, ctx))


def threshold_text(result: RuleResult) -> str:
    value = Decimal(str(result.threshold))
    # `:f` keeps 70 as "70" (a bare normalize() gives "7E+1").
    return f"{'≥' if result.comparison == Comparison.AT_LEAST else '≤'} {value.normalize():f}"
