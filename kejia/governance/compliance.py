"""Composition compliance: each rule's measured value for a body's current term, its threshold,
the outcome, and the seats that make it fail.

The evaluation itself (`evaluate`) is pure: it reads `TermFacts` (seats with the attributes copied
at seating) and a `Context` of federation-wide counts (society posts per person, terms per person
and body). `subtree_compliance` builds them for every body of a subtree in a fixed number of
queries; `body_compliance` for one body; `slate_compliance` for a draft slate (what-if).

Full-time staff against members (003 三.3) is not a composition rule: it is judged once, on the
membership figures (kejia.memberships.stats), by the society's size bands."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, F, Q
from django.utils import timezone

from kejia.core.ratios import fraction_text, reaches
from kejia.governance import verdicts
from kejia.governance.choices import (
    PERSON_MEASURES,
    POST_ROLES,
    SHARE_MEASURES,
    TERM_GROUPS,
    Comparison,
    Measure,
    Outcome,
    SeatRole,
)
from kejia.governance.models import Body, DeclaredPost, Rule, RuleSetAssignment, Seat, Term
from kejia.organizations.kinds import SOCIETY_KINDS
from kejia.people.choices import Gender


def age_on(birth: datetime.date | None, day: datetime.date) -> int | None:
    """Completed years on `day` (a person is a year older on their birthday; 29 February birthdays
    count from 1 March in other years)."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def post_of(role: str) -> str:
    """The post a role is, for counting terms in the same post: both kinds of vice-chair are one."""
    return "vice_chair" if role in (SeatRole.VICE_CHAIR_FULL, SeatRole.VICE_CHAIR_PART) else role


def term_group(body_kind: str) -> str:
    return TERM_GROUPS.get(body_kind, body_kind)


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
    org_kind: str = ""
    previous: list[SeatFact] | None = None  # the previous term's seats held when it ended (None: no previous term)


@dataclass
class Context:
    posts: dict[int, int] = field(default_factory=dict)  # person → posts held in social organizations (tree and declared)
    unapproved: dict[int, int] = field(default_factory=dict)  # person → those posts without a recorded approval
    # (organization, body group, person, post) → term numbers held in it
    terms: dict[tuple[int, str, int, str], set[int]] = field(default_factory=dict)
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
    threshold_text: str = ""  # exact: "2/3", "70%", "70"
    measured_text: str = ""  # exact: "1402/2003"
    baseline: float | None = None
    progress: float | None = None  # of a target with a baseline: 0 at the baseline, 1 at the target
    against_previous: bool = False
    param_local: bool = False


def _share(seats: list[SeatFact], test) -> tuple[tuple[int, int] | None, list[SeatFact]]:
    if not seats:
        return None, []
    misses = [s for s in seats if not test(s)]  # one pass: the test of an age share computes an age per seat
    return (len(seats) - len(misses), len(seats)), misses


def _share_test(rule: Rule):
    if rule.measure == Measure.FRONTLINE_SHARE:
        return lambda s: s.is_frontline
    if rule.measure == Measure.WOMEN_SHARE:
        return lambda s: s.gender == Gender.FEMALE
    limit = rule.param if rule.param is not None else 45
    return lambda s: (a := age_on(s.birth_date, s.start)) is not None and a <= limit


def _person_values(facts: TermFacts, rule: Rule, ctx: Context) -> list[tuple[SeatFact, int]]:
    officials = [s for s in facts.seats if s.official]
    if rule.measure == Measure.OFFICIAL_AGE:
        # Held for as long as the official is in office: the age on the day of the check (a draft
        # slate: its planned start, when later).
        return [(s, age) for s in officials if (age := age_on(s.birth_date, max(s.start, ctx.today))) is not None]
    if rule.measure == Measure.OFFICIAL_POSTS:
        return [(s, ctx.posts.get(s.person_id, 0)) for s in officials]
    if rule.measure == Measure.OFFICIAL_UNAPPROVED:
        return [(s, ctx.unapproved.get(s.person_id, 0)) for s in officials]
    # Terms in the same post of the organization, the council and standing council counted as one.
    group = term_group(facts.body_kind)
    out = []
    for s in officials:
        numbers = ctx.terms.get((facts.organization_id, group, s.person_id, post_of(s.role)), set())
        out.append((s, len(numbers | {facts.term_number}) if facts.term_number is not None else len(numbers) + 1))
    return out


def _ratio_text(k: int, n: int) -> str:
    return f"{k}/{n}"


def evaluate_rule(facts: TermFacts, rule: Rule, ctx: Context, ruleset_name: str = "") -> RuleResult:
    p, q = rule.threshold_num, rule.threshold_den or 1
    share = rule.measure in SHARE_MEASURES
    ratio: tuple[int, int] | None = None
    failing: list[SeatFact] = []
    person_values: list[tuple[SeatFact, int]] = []
    threshold_text = fraction_text(p, q, share=share)
    if share:
        test = _share_test(rule)
        ratio, failing = _share(facts.seats, test)
        if rule.against_previous:
            # A measure of the body as a whole against its previous term: no seat is "failing".
            failing = []
            previous, _misses = _share(facts.previous or [], test)
            if previous is None:
                ratio = None
            else:
                p, q = previous
                threshold_text = _ratio_text(p, q)
    elif rule.measure in PERSON_MEASURES:
        person_values = _person_values(facts, rule, ctx)
        if person_values:
            # The body's value is its worst official's: the highest against "at most", the lowest otherwise.
            worst = max if rule.comparison == Comparison.AT_MOST else min
            ratio = (worst(v for _s, v in person_values), 1)
        failing = [s for s, v in person_values if not reaches(v, 1, rule.comparison, p, q)]
    elif rule.measure == Measure.DAYS_OVERDUE:
        # In days, as the alerts: one day past the planned end without a new term is overdue.
        ratio = (max((ctx.today - facts.planned_end).days, 0), 1)
    if ratio is None:
        outcome, failing = Outcome.NOT_APPLICABLE, []
    elif rule.measure in PERSON_MEASURES:
        outcome = Outcome.PASS if not failing else (Outcome.TARGET_MISSED if rule.is_target else Outcome.FAIL)
    elif reaches(ratio[0], ratio[1], rule.comparison, p, q):
        outcome, failing = Outcome.PASS, []
    else:
        outcome = Outcome.TARGET_MISSED if rule.is_target else Outcome.FAIL
    if rule.measure not in SHARE_MEASURES:
        failing = failing if rule.measure in PERSON_MEASURES else []
    baseline = rule.baseline if rule.is_target and not rule.against_previous else None
    progress = None
    if baseline is not None and ratio is not None and Fraction(p, q) != baseline:
        progress = float((Fraction(*ratio) - baseline) / (Fraction(p, q) - baseline))
    return RuleResult(
        rule_id=rule.pk,
        ruleset=ruleset_name or getattr(rule.ruleset, "name", ""),
        measure=rule.measure,
        param=rule.param,
        comparison=rule.comparison,
        threshold=p / q,
        is_target=rule.is_target,
        measured=ratio[0] / ratio[1] if ratio else None,
        outcome=outcome,
        failing=failing,
        note=rule.note,
        threshold_text=threshold_text,
        measured_text=_ratio_text(*ratio) if ratio and ratio[1] != 1 else (str(ratio[0]) if ratio else ""),
        baseline=float(baseline) if baseline is not None else None,
        progress=progress,
        against_previous=rule.against_previous,
        param_local=rule.param_local,
    )


def applies(rule: Rule, body_kind: str, org_kind: str) -> bool:
    """A rule judges a body of one of its body kinds held by an organization of one of its kinds."""
    return body_kind in (rule.body_kinds or []) and org_kind in (rule.org_kinds or [])


def evaluate(facts: TermFacts, rules: Iterable[Rule], ctx: Context) -> list[RuleResult]:
    return [evaluate_rule(facts, rule, ctx) for rule in rules if applies(rule, facts.body_kind, facts.org_kind)]


# ---- Which rules apply ------------------------------------------------------------------------


def applicable_rules(paths: Iterable[str], *, ruleset: str | None = None) -> dict[str, list[Rule]]:
    """organization path → the rules of the rule sets assigned to it or above it (with subtree)."""
    paths = list(set(paths))
    assignments = RuleSetAssignment.objects.filter(ruleset__is_active=True).select_related("ruleset", "organization")
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


def _posts(person_ids: set[int], today: datetime.date, other_than: int | None) -> tuple[dict[int, int], dict[int, int]]:
    """Posts each person holds in social organizations: society posts in the tree (one per
    society, approved when any of its seats records the approval) and declared posts outside."""
    posts: dict[int, int] = defaultdict(int)
    unapproved: dict[int, int] = defaultdict(int)
    held = Seat.objects.filter(
        _open_seats(today), person_id__in=person_ids, role__in=POST_ROLES, term__actual_end__isnull=True, term__body__organization__kind__in=SOCIETY_KINDS
    )
    if other_than is not None:
        held = held.exclude(term__body__organization_id=other_than)
    approved: dict[tuple[int, int], bool] = {}
    for person_id, org_id, approved_on in held.values_list("person_id", "term__body__organization_id", "approved_on"):
        approved[(person_id, org_id)] = approved.get((person_id, org_id), False) or approved_on is not None
    for (person_id, _org), ok in approved.items():
        posts[person_id] += 1
        unapproved[person_id] += not ok
    declared = DeclaredPost.objects.filter(Q(end__isnull=True) | Q(end__gt=today), Q(start__isnull=True) | Q(start__lte=today), person_id__in=person_ids)
    for person_id, approved_on in declared.values_list("person_id", "approved_on"):
        posts[person_id] += 1
        unapproved[person_id] += approved_on is None
    return dict(posts), dict(unapproved)


def context_for(person_ids: set[int], body_ids: set[int], org_ids: set[int], today: datetime.date, *, other_than: int | None = None) -> Context:
    """Federation-wide counts for the evaluation; with `other_than` (an organization), society posts
    held there are left out (a draft slate replaces them with the posts it gives)."""
    ctx = Context(today=today)
    if person_ids:
        ctx.posts, ctx.unapproved = _posts(person_ids, today, other_than)
        terms: dict[tuple[int, str, int, str], set[int]] = defaultdict(set)
        rows = (
            Seat.objects.filter(person_id__in=person_ids, term__body__organization_id__in=org_ids)
            .values_list("term__body__organization_id", "term__body__kind", "person_id", "role", "term__number")
            .distinct()
        )
        for org_id, kind, person_id, role, number in rows:
            terms[(org_id, term_group(kind), person_id, post_of(role))].add(number)
        ctx.terms = dict(terms)
    return ctx


def previous_seats(terms: list[Term]) -> dict[int, list[SeatFact]]:
    """body → the seats of its previous term held on the day that term ended."""
    numbers = {t.body_id: t.number for t in terms}
    previous: dict[int, tuple[int, int]] = {}
    for body_id, term_id, number in Term.objects.filter(body_id__in=numbers, actual_end__isnull=False).values_list("body_id", "id", "number"):
        if number < numbers[body_id] and (body_id not in previous or number > previous[body_id][1]):
            previous[body_id] = (term_id, number)
    by_term = {term_id: body_id for body_id, (term_id, _n) in previous.items()}
    out: dict[int, list[SeatFact]] = {body_id: [] for body_id in previous}
    held = Seat.objects.filter(term_id__in=by_term, start__lt=F("term__actual_end")).filter(Q(end__isnull=True) | Q(end__gte=F("term__actual_end")))
    for row in held.values_list("term_id", *SEAT_VALUES).iterator(chunk_size=5000):
        out[by_term[row[0]]].append(_seat_fact(row[1:]))
    return out


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
    """Compliance of the given current terms, in a fixed number of queries whatever their number.

    Only what a term's applicable rules read is fetched: its seats when a rule measures them (a
    body judged by no rule, or only by days overdue, is counted in the database), the federation-
    wide counts for the officials of bodies with a rule on officials, the previous term's seats for
    bodies with a rule against the previous term. The results are the same as reading everything."""
    today = today or timezone.localdate()
    rules = applicable_rules({t.body.organization.path for t in terms}, ruleset=ruleset)
    applying: dict[int, list[Rule]] = {}
    chosen: dict[tuple[str, str], list[Rule]] = {}  # (path, body kind) → rules: bodies of one organization share them
    for t in terms:
        body = t.body
        org = body.organization
        key = (org.path, body.kind)
        if key not in chosen:
            chosen[key] = [r for r in rules[org.path] if applies(r, body.kind, org.kind)]
        applying[t.pk] = chosen[key]
    reads_seats = [t.pk for t in terms if any(r.measure in SHARE_MEASURES or r.measure in PERSON_MEASURES for r in applying[t.pk])]
    wanted = set(reads_seats)
    counted = [t.pk for t in terms if t.pk not in wanted]
    seats_by_term: dict[int, list[SeatFact]] = defaultdict(list)
    seat_counts: dict[int, int] = {}
    for start in range(0, len(reads_seats), 5000):
        chunk = reads_seats[start : start + 5000]
        for row in Seat.objects.filter(_open_seats(today), term_id__in=chunk).values_list("term_id", *SEAT_VALUES).iterator(chunk_size=5000):
            seats_by_term[row[0]].append(SeatFact(*row[1:]))
    for start in range(0, len(counted), 5000):
        chunk = counted[start : start + 5000]
        seat_counts.update(
            Seat.objects.filter(_open_seats(today), term_id__in=chunk).order_by().values("term_id").annotate(n=Count("id")).values_list("term_id", "n")
        )
    judged_officials = [t for t in terms if any(r.measure in PERSON_MEASURES for r in applying[t.pk])]
    person_ids = {s.person_id for t in judged_officials for s in seats_by_term.get(t.pk, []) if s.official}
    ctx = context_for(person_ids, {t.body_id for t in judged_officials}, {t.body.organization_id for t in judged_officials}, today)
    against_previous = [t for t in terms if any(r.against_previous and r.measure in SHARE_MEASURES for r in applying[t.pk])]
    previous = previous_seats(against_previous) if against_previous else {}
    reports = []
    for term in terms:
        seats = seats_by_term.get(term.pk, [])
        facts = TermFacts(
            term.body_id,
            term.body.organization_id,
            term.body.kind,
            term.number,
            term.start,
            term.planned_end,
            seats,
            org_kind=term.body.organization.kind,
            previous=previous.get(term.body_id),
        )
        count = len(seats) if term.pk in wanted else seat_counts.get(term.pk, 0)
        reports.append(BodyReport(term.body, term, count, [evaluate_rule(facts, rule, ctx) for rule in applying[term.pk]]))
    return reports


# Audit timestamps no report shows: not read (converting them was a tenth of the subtree page).
_UNREAD = ("created_at", "updated_at", "body__created_at", "body__updated_at", "body__organization__created_at", "body__organization__updated_at")


def subtree_compliance(org, *, today: datetime.date | None = None, ruleset: str | None = None) -> list[BodyReport]:
    """Every current term of the subtree. The evaluation (seat counts and rule results per term) is
    kept in the cache under the data version (kejia.governance.verdicts); the terms, their bodies and
    organizations are read afresh on every call."""
    today = today or timezone.localdate()
    token = verdicts.version()  # before reading anything: a write committed meanwhile outdates it
    terms = list(
        Term.objects.filter(actual_end__isnull=True, body__organization__path__descends=org.path)
        .select_related("body__organization")
        .defer(*_UNREAD)
        .order_by("body__organization__path", "body__kind")
    )
    if not verdicts.usable():
        return reports_for_terms(terms, today=today, ruleset=ruleset)
    cache_key = verdicts.key(org, terms, today, ruleset, token)
    kept = verdicts.get(cache_key)
    if kept is not None and len(kept) == len(terms) and all(t.pk in kept for t in terms):
        return [BodyReport(t.body, t, *kept[t.pk]) for t in terms]
    reports = reports_for_terms(terms, today=today, ruleset=ruleset)
    verdicts.put(cache_key, {r.term.pk: (r.seats, r.results) for r in reports})
    return reports


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
    seats = [
        SeatFact(None, e.person_id, e.person.name, e.role, slate.planned_start, e.person.is_frontline, e.person.birth_date, e.person.gender, e.official)
        for e in entries
    ]
    current = Term.objects.filter(body=body, actual_end__isnull=True).first()
    now = [_seat_fact(row) for row in Seat.objects.filter(_open_seats(today), term=current).values_list(*SEAT_VALUES)] if current else None
    facts = TermFacts(
        body.pk,
        body.organization_id,
        body.kind,
        None,
        slate.planned_start,
        _years_after(slate.planned_start, body.term_years),
        seats,
        org_kind=organization.kind,
        previous=now,
    )
    officials = {s.person_id for s in seats if s.official}
    # An official's posts in this society become the ones the slate gives (the current term ends);
    # their posts in other societies stay.
    # Approval of the slate's posts comes after the election: only posts elsewhere are checked for it.
    ctx = context_for(officials, {body.pk}, {body.organization_id}, today, other_than=body.organization_id)
    if organization.kind in SOCIETY_KINDS:
        for s in seats:
            if s.official and s.role in POST_ROLES:
                ctx.posts[s.person_id] = ctx.posts.get(s.person_id, 0) + 1
    rules = applicable_rules([organization.path], ruleset=ruleset)[organization.path]
    return BodyReport(body, None, len(seats), evaluate(facts, rules, ctx))


def threshold_text(result: RuleResult) -> str:
    sign = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤", Comparison.MORE_THAN: ">"}.get(result.comparison, result.comparison)
    return f"{sign} {result.threshold_text}"
