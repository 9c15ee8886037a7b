"""Stored expert review: rounds, items, invitations, conflicts, the assignment, score sheets,
closing and reminders. Every state change is audited (kejia.core.audit) in its transaction;
refusals are kejia.core.errors domain errors, so pages and the API answer the same.

Who acts: the staff of the round's owner (kejia.accounts.scope.can_manage) run the round; a
reviewer is a person of the talent database who agreed to review (`Person.willing_to_review`),
invited, and acting through the account linked to that person (`Person.user`).

The affinity of an item to a reviewer comes from the expert-search engine
(`kejia.search.affinity.score_pairs`), named by the setting REVIEW_AFFINITY: kejia.review sits
beside kejia.search in the layers (docs/architecture.md) and does not import it."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.notify import notify
from kejia.people.choices import ListingRole
from kejia.people.models import Achievement, Listing, Person
from kejia.review import assignment as engine
from kejia.review import conflicts as rules
from kejia.review import selectors
from kejia.review.models import (
    Assignment,
    ConflictReport,
    ConflictSource,
    DeclaredRelation,
    Invitation,
    InvitationStatus,
    ReviewItem,
    ReviewRound,
    RoundStatus,
    ScoreSheet,
)
from kejia.review.scoring import Rubric, rubric_from_data

R = RoundStatus
# The listing roles that make a person one of an organization's "own people" (conflict rules
# applicant_organization / recommending_organization).
OWN_PEOPLE_ROLES = (ListingRole.STAFF, ListingRole.LEADER)


# ---- helpers ----------------------------------------------------------------------------------


def require_owner(round_: ReviewRound, actor) -> None:
    """The owner's staff; a 404 for those who cannot even see the owner, else a 403."""
    if not scope.can_manage(actor, round_.owner):
        raise NotFound() if not scope.can_view(actor, round_.owner) else PermissionDenied()


def rubric_of(round_: ReviewRound) -> Rubric:
    return rubric_from_data(round_.criteria)


def _locked(round_: ReviewRound) -> ReviewRound:
    return ReviewRound.objects.select_for_update(of=("self",)).select_related("owner").get(pk=round_.pk)


def _require_status(round_: ReviewRound, *allowed: str) -> None:
    if round_.status not in allowed:
        raise IllegalTransition("round_state", gettext("Not possible while the review round is “%(status)s”.") % {"status": RoundStatus(round_.status).label})


def _tell_owner(round_: ReviewRound, subject: str, body: str = "") -> None:
    for role in Role.objects.filter(organization=round_.owner, kind__in=scope.MANAGE_KINDS).select_related("user"):
        notify(kind="review", subject=subject[:200], body=body, user=role.user, link=f"/review/rounds/{round_.pk}/")


def _tell_person(person: Person, subject: str, body: str = "", link: str = "/review/") -> None:
    if person.user_id:
        notify(kind="review", subject=subject[:200], body=body, user=person.user, email=person.email or person.user.email, link=link)
    elif person.email:
        notify(kind="review", subject=subject[:200], body=body, email=person.email, link=link)


def _now(now):
    return now or timezone.now()


# ---- rounds and items -------------------------------------------------------------------------


def _check_settings(*, criteria, conflict_rules, per_item, max_load, min_load, min_on_time_rate, candidates_per_item=200) -> None:
    rubric_from_data(criteria)
    rules.policy_from_data(conflict_rules or {})
    if not isinstance(per_item, int) or per_item < 1:
        raise DomainError("invalid_per_application", _("The number of reviewers per item must be at least 1."), field="per_item")
    if not isinstance(max_load, int) or max_load < 1:
        raise DomainError("invalid_max_load", _("The maximum load of a reviewer must be at least 1."), field="max_load")
    if not isinstance(min_load, int) or not 0 <= min_load <= max_load:
        raise DomainError("invalid_min_load", _("The minimum load must be between 0 and the maximum load."), field="min_load")
    if min_on_time_rate is not None and not 0 <= min_on_time_rate <= 1:
        raise DomainError("invalid_rate", _("The rate must be between 0 and 1."), field="min_on_time_rate")
    if not isinstance(candidates_per_item, int) or candidates_per_item < 1:
        raise DomainError("invalid_candidates", _("The number of candidate reviewers per item must be at least 1."), field="candidates_per_item")


@transaction.atomic
def create_round(
    owner,
    *,
    actor,
    title: str,
    criteria: Sequence[Mapping] | None = None,
    conflict_rules: Mapping | None = None,
    blind: bool = False,
    per_item: int = 3,
    max_load: int = 6,
    min_load: int = 0,
    min_on_time_rate: float | None = None,
    score_deadline: datetime.datetime | None = None,
    remind_days: int = 3,
    subject: str = "",
    candidates_per_item: int = 200,
) -> ReviewRound:
    if not scope.can_manage(actor, owner):
        raise PermissionDenied()
    if not title.strip():
        raise DomainError("required", _("Give the round a title."), field="title")
    round_ = ReviewRound(owner=owner, title=title.strip()[:200], subject=subject, blind=blind, per_item=per_item, max_load=max_load, min_load=min_load)
    if criteria is not None:
        round_.criteria = [dict(c) for c in criteria]
    _check_settings(
        criteria=round_.criteria,
        conflict_rules=conflict_rules,
        per_item=per_item,
        max_load=max_load,
        min_load=min_load,
        min_on_time_rate=min_on_time_rate,
        candidates_per_item=candidates_per_item,
    )
    round_.candidates_per_item = candidates_per_item
    round_.conflict_rules = dict(conflict_rules or {})
    round_.min_on_time_rate, round_.score_deadline, round_.remind_days = min_on_time_rate, score_deadline, remind_days
    round_.save()
    record_event(
        actor=actor,
        action="review.create_round",
        obj=round_,
        organization=owner,
        new={
            "title": round_.title,
            "blind": blind,
            "per_item": per_item,
            "max_load": max_load,
            "min_load": min_load,
            "subject": subject,
            "candidates_per_item": candidates_per_item,
        },
    )
    return round_


@transaction.atomic
def add_item(
    round_: ReviewRound,
    *,
    actor,
    ref: str,
    title: str,
    text: str = "",
    applicant_name: str = "",
    applicant_org=None,
    recommender_org=None,
    people: Iterable[int] = (),
    employers: Iterable[str] = (),
) -> ReviewItem:
    """An item to review, before the assignment runs. `ref` names it where it comes from
    ("calls.application:12"), unique in the round."""
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.OPEN)
    if not ref or not title.strip():
        raise DomainError("required", _("An item needs a reference and a title."), field="ref" if not ref else "title")
    if round_.items.filter(ref=ref).exists():
        raise DomainError("duplicate_item", _("This item is already in the round."), field="ref")
    item = ReviewItem.objects.create(
        round=round_,
        ref=ref[:64],
        title=title.strip()[:200],
        text=text,
        applicant_name=applicant_name[:200],
        applicant_org=applicant_org,
        applicant_path=getattr(applicant_org, "path", "") or "",
        recommender_org=recommender_org,
        recommender_path=getattr(recommender_org, "path", "") or "",
        people=sorted({int(p) for p in people}),
        employers=sorted({e for e in employers if e}),
    )
    record_event(actor=actor, action="review.add_item", obj=round_, organization=round_.owner, new={"item": item.pk, "ref": item.ref})
    return item


@transaction.atomic
def set_deadline(round_: ReviewRound, *, actor, score_deadline: datetime.datetime) -> ReviewRound:
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.OPEN, R.ASSIGNING, R.SCORING)
    before = round_.score_deadline
    round_.score_deadline = score_deadline
    round_.save(update_fields=["score_deadline", "updated_at"])
    record_event(actor=actor, action="review.set_deadline", obj=round_, organization=round_.owner, old={"deadline": before}, new={"deadline": score_deadline})
    return round_


# ---- invitations ------------------------------------------------------------------------------


@transaction.atomic
def invite(round_: ReviewRound, person: Person, *, actor) -> Invitation:
    """Invite a person of the talent database who agreed to review."""
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.OPEN, R.ASSIGNING)
    if not person.willing_to_review:
        raise DomainError("not_willing", _("This person has not agreed to review."), field="person")
    invitation, created = Invitation.objects.get_or_create(round=round_, person=person)
    if not created:
        raise DomainError("already_invited", _("This person is already invited."), field="person")
    record_event(actor=actor, action="review.invite", obj=invitation, organization=round_.owner, new={"round": round_.pk, "person": person.pk})
    _tell_person(person, gettext("Invitation to review: %(title)s") % {"title": round_.title}, link="/review/")
    return invitation


@transaction.atomic
def respond(invitation: Invitation, *, actor, accept: bool, reason: str = "", now: datetime.datetime | None = None) -> Invitation:
    """The invited person accepts, or declines with a reason; once."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("round__owner", "person").get(pk=invitation.pk)
    if not invitation.person.user_id or invitation.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied()
    _require_status(invitation.round, R.OPEN, R.ASSIGNING)
    if invitation.status != InvitationStatus.INVITED:
        raise IllegalTransition("already_answered", _("This invitation has already been answered."))
    if not accept and not reason.strip():
        raise DomainError("reason_required", _("Give a reason."), field="reason")
    invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
    invitation.reason, invitation.responded_at = reason.strip(), _now(now)
    invitation.save()
    record_event(
        actor=actor,
        action="review.accept_invitation" if accept else "review.decline_invitation",
        obj=invitation,
        organization=invitation.round.owner,
        old={"status": InvitationStatus.INVITED},
        new={"status": invitation.status, "reason": invitation.reason},
    )
    _tell_owner(invitation.round, f"{invitation.round.title}: {invitation.person} — {InvitationStatus(invitation.status).label}", invitation.reason)
    return invitation


# ---- conflicts --------------------------------------------------------------------------------


@transaction.atomic
def declare_relation(person: Person, other: Person, *, actor, kind: str = "") -> DeclaredRelation:
    """A person declares a relation with another (supervisor, student, relative…) that bars either
    from reviewing the other; the person themself or a platform administrator."""
    if not (scope.is_unrestricted(actor) or (person.user_id and person.user_id == getattr(actor, "pk", None))):
        raise PermissionDenied()
    if person.pk == other.pk:
        raise DomainError("invalid", _("A relation needs two different people."), field="other")
    relation, _created = DeclaredRelation.objects.update_or_create(person=person, other=other, defaults={"kind": kind[:64], "declared_by": actor})
    record_event(actor=actor, action="review.declare_relation", obj=relation, new={"person": person.pk, "other": other.pk, "kind": kind})
    return relation


@transaction.atomic
def declare_conflict(assignment: Assignment, *, actor, reason: str = "") -> Assignment:
    """The reviewer declares a conflict with an item assigned to them: the sheet can no longer be
    filled, and the owner is told to swap in another reviewer."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("round__owner", "person", "item", "sheet").get(pk=assignment.pk)
    if not assignment.person.user_id or assignment.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied()
    _require_status(assignment.round, R.ASSIGNING, R.SCORING)
    if assignment.sheet.submitted_at is not None:
        raise IllegalTransition("sheet_submitted", _("The score sheet has already been submitted."))
    assignment.conflict_declared = True
    assignment.save(update_fields=["conflict_declared", "updated_at"])
    ConflictReport.objects.get_or_create(
        round=assignment.round,
        item=assignment.item,
        person=assignment.person,
        source=ConflictSource.DECLARED,
        defaults={"reason": reason.strip(), "recorded_by": actor},
    )
    record_event(actor=actor, action="review.declare_conflict", obj=assignment, organization=assignment.round.owner, new={"reason": reason.strip()})
    _tell_owner(assignment.round, gettext("%(round)s: a reviewer declared a conflict of interest") % {"round": assignment.round.title}, reason)
    return assignment


@transaction.atomic
def record_conflict_found(item: ReviewItem, person: Person, *, actor, reason: str) -> ConflictReport:
    """The owner records a conflict of interest found after the fact (it counts in the reviewer's
    credibility record)."""
    round_ = _locked(item.round)
    require_owner(round_, actor)
    if not reason.strip():
        raise DomainError("reason_required", _("Give a reason."), field="reason")
    report, created = ConflictReport.objects.get_or_create(
        round=round_, item=item, person=person, source=ConflictSource.FOUND_AFTER, defaults={"reason": reason.strip(), "recorded_by": actor}
    )
    if not created:
        raise DomainError("already_recorded", _("This conflict is already recorded."), field="person")
    record_event(
        actor=actor, action="review.record_conflict", obj=round_, organization=round_.owner, new={"item": item.pk, "person": person.pk, "reason": report.reason}
    )
    return report


def reviewer_facts(person_ids: Iterable[int]) -> dict[int, rules.ReviewerFacts]:
    """What the conflict rules read of each reviewer: employer, organizations whose own people
    they are (listed as staff or leadership, or holding a managing role through their account),
    home organizations' paths (every listing), works (achievements)."""
    ids = sorted(set(person_ids))
    employers: dict[int, set] = defaultdict(set)
    users: dict[int, int] = {}
    for pk, employer, user_id in Person.objects.filter(pk__in=ids).values_list("pk", "employer_name", "user_id"):
        if employer:
            employers[pk].add(rules.normalise_name(employer))
        if user_id:
            users[user_id] = pk
    own: dict[int, set] = defaultdict(set)
    paths: dict[int, set] = defaultdict(set)
    for pk, org_id, path, role in Listing.objects.filter(person_id__in=ids).values_list("person_id", "organization_id", "organization__path", "role"):
        paths[pk].add(path)
        if role in OWN_PEOPLE_ROLES:
            own[pk].add(org_id)
    for user_id, org_id, path in Role.objects.filter(user_id__in=users).values_list("user_id", "organization_id", "organization__path"):
        own[users[user_id]].add(org_id)
        paths[users[user_id]].add(path)
    works: dict[int, set] = defaultdict(set)
    for pk, title, year in Achievement.objects.filter(person_id__in=ids).values_list("person_id", "title", "year"):
        works[pk].add(rules.work_key(title, year))
    return {
        pk: rules.ReviewerFacts(
            id=pk,
            person=pk,
            employers=frozenset(employers[pk]),
            organizations=frozenset(own[pk]),
            organization_paths=frozenset(paths[pk]),
            works=frozenset(works[pk]),
        )
        for pk in ids
    }


def item_facts(items: Iterable[ReviewItem]) -> dict[int, rules.ApplicationFacts]:
    items = list(items)
    people = {p for item in items for p in item.people}
    works: dict[int, set] = defaultdict(set)
    for pk, title, year in Achievement.objects.filter(person_id__in=people).values_list("person_id", "title", "year"):
        works[pk].add(rules.work_key(title, year))
    return {
        item.pk: rules.ApplicationFacts(
            id=item.pk,
            applicant_people=frozenset(item.people),
            applicant_employers=frozenset(rules.normalise_name(e) for e in item.employers),
            applicant_organization=item.applicant_org_id,
            recommending_organization=item.recommender_org_id,
            organization_path=item.applicant_path,
            works=frozenset(w for p in item.people for w in works[p]),
        )
        for item in items
    }


def find_conflicts(round_: ReviewRound, items: Iterable[ReviewItem], person_ids: Iterable[int]) -> dict[tuple[int, int], tuple[rules.Conflict, ...]]:
    """Every conflicted (item id, person id) pair among these, with its reasons: the round's rules
    over the stored facts, the declared relations, and the conflicts reported (declared by the
    reviewer or found after the fact: both bar the pair)."""
    items, person_ids = list(items), sorted(set(person_ids))
    policy = rules.policy_from_data(round_.conflict_rules or {})
    if rules.ConflictRule.SELF_DECLARED not in policy.rules:
        policy = rules.ConflictPolicy(
            rules=policy.rules | {rules.ConflictRule.SELF_DECLARED}, subtree_depth=policy.subtree_depth, coauthor_since_year=policy.coauthor_since_year
        )
    item_ids = [i.pk for i in items]
    everyone = set(person_ids) | {p for i in items for p in i.people}
    relations = [
        rules.DeclaredRelation(a, b, kind)
        for a, b, kind in DeclaredRelation.objects.filter(person_id__in=everyone, other_id__in=everyone).values_list("person_id", "other_id", "kind")
    ]
    reported = ConflictReport.objects.filter(item_id__in=item_ids, person_id__in=person_ids).values_list("item_id", "person_id")
    reported = list(reported) + list(Assignment.objects.filter(item_id__in=item_ids, conflict_declared=True).values_list("item_id", "person_id"))
    return rules.find_conflicts(item_facts(items).values(), reviewer_facts(person_ids).values(), policy, relations=relations, self_declared=reported)


# ---- assignment -------------------------------------------------------------------------------

Affinity = Callable[[Mapping, Iterable], Mapping]


def default_affinity() -> Affinity:
    """`score_pairs(applications: {key: text}, pairs: [(key, person id)]) → {pair: score}`, where
    a score is a number or has `.score` (kejia.search.affinity.PairScore)."""
    return import_string(settings.REVIEW_AFFINITY)


def _score(affinity: Affinity | None, texts: Mapping[int, str], pairs: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    if not pairs:
        return {}
    scored = (affinity or default_affinity())(texts, pairs)
    return {pair: float(getattr(value, "score", value)) for pair, value in scored.items()}


def pool(round_: ReviewRound) -> list[int]:
    """The person ids of the reviewers who accepted, still willing to review, passing the round's
    credibility filter (a minimum on-time rate; a reviewer with nothing due yet passes)."""
    ids = list(
        Invitation.objects.filter(round=round_, status=InvitationStatus.ACCEPTED, person__willing_to_review=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    if round_.min_on_time_rate is not None and ids:
        records = selectors.credibility(ids)
        ids = [pk for pk in ids if records[pk].on_time_rate is None or records[pk].on_time_rate >= round_.min_on_time_rate]
    return ids


# The engine's refusals that more candidates may lift (the others depend on the counts only).
WIDEN_ON = frozenset({"too_few_candidates", "reviewer_too_few_candidates", "not_enough_reviewers", "min_load_unreachable"})

TopReviewers = Callable[..., Mapping]


def default_top_reviewers() -> TopReviewers:
    """`top_reviewers(applications: {key: text}, *, n, pool, reviewers, exclude) → {key: [(person
    id, score)]}`, best first, the scores comparable with REVIEW_AFFINITY's."""
    return import_string(settings.REVIEW_TOP_REVIEWERS)


class AssignmentRun(list):
    """The assignments made (a list of Assignment), and how the candidates were chosen:
    `candidates_per_item` the N used (None: every eligible pair was a candidate), `requested` the
    round's N, `widened` whether N had to grow for the assignment to exist."""

    def __init__(self, rows, *, requested: int, candidates_per_item: int | None, widened: bool):
        super().__init__(rows)
        self.requested, self.candidates_per_item, self.widened = requested, candidates_per_item, widened


def candidate_pairs(
    round_: ReviewRound,
    items: Sequence[ReviewItem],
    reviewers: Sequence[int],
    conflicted: Mapping[tuple[int, int], object],
    n: int,
    *,
    affinity: Affinity | None = None,
    top: TopReviewers | None = None,
) -> tuple[dict[tuple[int, int], float], bool]:
    """The candidate (item id, person id) pairs with their affinity, and whether they are every
    eligible pair: each item's best `n` reviewers of the pool by `top` (conflicted pairs excluded),
    or, when `n` covers the pool, every non-conflicted pair scored by `affinity`."""
    texts = {i.pk: f"{i.title}\n{i.text}" for i in items}
    if n >= len(reviewers):
        eligible = [(i.pk, p) for i in items for p in reviewers if (i.pk, p) not in conflicted]
        return _score(affinity, texts, eligible), True
    barred: dict[int, list[int]] = defaultdict(list)
    for item_id, person_id in conflicted:
        barred[item_id].append(person_id)
    # The engine retrieves at least `n` people per item before re-scoring them.
    found = (top or default_top_reviewers())(texts, n=n, pool=max(n, 300), reviewers=list(reviewers), exclude=dict(barred))
    allowed = set(reviewers)
    out: dict[tuple[int, int], float] = {}
    for item_id, ranked in found.items():
        for person_id, score in list(ranked)[:n]:
            pair = (item_id, person_id)
            if person_id in allowed and pair not in conflicted:
                out[pair] = float(getattr(score, "score", score))
    return out, False


@transaction.atomic
def run_assignment(round_: ReviewRound, *, actor, affinity: Affinity | None = None, top: TopReviewers | None = None) -> AssignmentRun:
    """Assign each item `per_item` reviewers from the pool, loads within bounds, no conflicted
    pair, maximising the total affinity (kejia.review.assignment) over the candidates: each item's
    best `candidates_per_item` reviewers by affinity. When those cannot give every item its
    reviewers within the loads, N is doubled and the assignment tried again, up to every eligible
    pair (N ≥ the pool) — so a round has an assignment whenever it would have one without the cut;
    the result says whether N was widened. Replaces an earlier run, as long as no score sheet has
    been submitted."""
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.OPEN, R.ASSIGNING)
    items = list(round_.items.all())
    if not items:
        raise DomainError("no_items", _("The round has no items to review."), field="items")
    reviewers = pool(round_)
    conflicted = find_conflicts(round_, items, reviewers)
    requested = n = max(1, round_.candidates_per_item)
    while True:
        scores, full = candidate_pairs(round_, items, reviewers, conflicted, n, affinity=affinity, top=top)
        problem = engine.AssignmentProblem(
            applications=[i.pk for i in items],
            reviewers=reviewers,
            candidates=scores,
            per_application=round_.per_item,
            max_load=round_.max_load,
            min_load=round_.min_load,
            conflicts=frozenset(conflicted),
        )
        try:
            result = engine.assign_reviewers(problem)
            break
        except engine.AssignmentError as exc:
            if full or exc.code not in WIDEN_ON:
                raise
            n = min(2 * n, len(reviewers))
    round_.assignments.all().delete()
    created = []
    for item_id, persons in result.reviewers_of.items():
        for person_id in persons:
            a = Assignment.objects.create(round=round_, item_id=item_id, person_id=person_id, affinity=problem.affinity(item_id, person_id))
            ScoreSheet.objects.create(assignment=a)
            created.append(a)
    round_.status = R.ASSIGNING
    round_.save(update_fields=["status", "updated_at"])
    used = None if full else n
    record_event(
        actor=actor,
        action="review.run_assignment",
        obj=round_,
        organization=round_.owner,
        new={
            "status": round_.status,
            "pairs": len(created),
            "reviewers": len(reviewers),
            "conflicts": len(conflicted),
            "candidates": len(scores),
            "candidates_per_item": used,
            "widened": n != requested,
            "total": round(result.total_affinity, 6),
        },
    )
    return AssignmentRun(created, requested=requested, candidates_per_item=used, widened=n != requested)


@transaction.atomic
def swap(assignment: Assignment, *, actor, new_person: Person, affinity: Affinity | None = None) -> Assignment:
    """A staff member's change: `new_person` reviews the item instead. The conflict rules still
    hold (a conflicted pair is refused, whatever the reason), loads stay within bounds (a reviewer
    who declared a conflict may fall below the minimum), the new reviewer must have accepted, and a
    submitted sheet is never thrown away."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("round", "item", "sheet").get(pk=assignment.pk)
    round_ = _locked(assignment.round)
    require_owner(round_, actor)
    _require_status(round_, R.ASSIGNING, R.SCORING)
    if assignment.sheet.submitted_at is not None:
        raise IllegalTransition("sheet_submitted", _("The score sheet has already been submitted."))
    if not Invitation.objects.filter(round=round_, person=new_person, status=InvitationStatus.ACCEPTED).exists():
        raise DomainError("not_in_pool", _("This person has not accepted to review in this round."), field="new_person")
    item, old = assignment.item, assignment.person_id
    rows = list(round_.assignments.values_list("item_id", "person_id"))
    reviewers = sorted({p for _i, p in rows} | {new_person.pk})
    conflicted = find_conflicts(round_, [item], [new_person.pk, old])
    by_item: dict[int, list[int]] = defaultdict(list)
    for i, p in rows:
        by_item[i].append(p)
    loads = Counter(p for _i, p in rows)
    problem = engine.AssignmentProblem(
        applications=sorted(by_item),
        reviewers=reviewers,
        candidates={},
        per_application=round_.per_item,
        max_load=round_.max_load,
        min_load=0 if assignment.conflict_declared else round_.min_load,
        conflicts=frozenset(pair for pair in conflicted if pair[0] == item.pk),
    )
    current = engine.Assignment(
        reviewers_of={i: tuple(ps) for i, ps in by_item.items()},
        loads={p: loads[p] for p in reviewers},
        total_affinity=0.0,
        scaled_total=0,
        scale=problem.scale,
    )
    engine.swap_reviewer(problem, current, application=item.pk, old=old, new=new_person.pk)
    score = _score(affinity, {item.pk: f"{item.title}\n{item.text}"}, [(item.pk, new_person.pk)]).get((item.pk, new_person.pk), 0.0)
    assignment.delete()
    new = Assignment.objects.create(round=round_, item=item, person=new_person, affinity=score, manual=True)
    ScoreSheet.objects.create(assignment=new)
    record_event(
        actor=actor,
        action="review.swap",
        obj=round_,
        organization=round_.owner,
        old={"item": item.pk, "person": old},
        new={"item": item.pk, "person": new_person.pk},
    )
    if round_.status == R.SCORING:
        _tell_person(new_person, gettext("New item to review: %(title)s") % {"title": round_.title}, link=f"/review/sheets/{new.pk}/")
    return new


@transaction.atomic
def start_scoring(round_: ReviewRound, *, actor) -> ReviewRound:
    """The assignment is final: reviewers see their items and fill their score sheets."""
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.ASSIGNING)
    if round_.score_deadline is None:
        raise DomainError("deadline_required", _("Set the deadline for scores first."), field="score_deadline")
    short = [i.pk for i in round_.items.all() if i.assignments.filter(conflict_declared=False).count() < round_.per_item]
    if short:
        raise DomainError("items_short", _("Some items have fewer reviewers than the round needs; swap in other reviewers first."), field="items")
    round_.status = R.SCORING
    round_.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, action="review.start_scoring", obj=round_, organization=round_.owner, old={"status": R.ASSIGNING}, new={"status": R.SCORING})
    for person in Person.objects.filter(review_assignments__round=round_).distinct().select_related("user"):
        _tell_person(person, gettext("Items to review: %(title)s") % {"title": round_.title}, link="/review/")
    return round_


# ---- score sheets -----------------------------------------------------------------------------


def _clean_scores(rubric: Rubric, scores: Mapping, *, complete: bool) -> dict[str, float]:
    """The scores as numbers within each criterion's range; on submission every criterion."""
    if not isinstance(scores, Mapping):
        raise DomainError("invalid_score", _("The scores must be an object keyed by criterion."), field="scores")
    codes = {c.code: c for c in rubric.criteria}
    out: dict[str, float] = {}
    for code, value in scores.items():
        if value in (None, ""):
            continue
        if code not in codes:
            raise DomainError("unknown_criterion", _("This is not one of the criteria."), field=str(code))
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DomainError("invalid_score", _("The score must be a number."), field=code) from None
        if isinstance(value, bool) or not 0 <= number <= codes[code].max_score:
            raise DomainError("invalid_score", gettext("The score must be between 0 and %(max)s.") % {"max": f"{codes[code].max_score:g}"}, field=code)
        out[code] = number
    if complete:
        rubric.total(out)  # names the first criterion missing
    return out


@transaction.atomic
def save_sheet(sheet: ScoreSheet, *, actor, scores: Mapping, comments: str = "", submit: bool = False, now: datetime.datetime | None = None) -> ScoreSheet:
    """The reviewer saves their scores and comments, and submits them once (every criterion
    scored; late submissions are taken and count against the on-time rate)."""
    sheet = ScoreSheet.objects.select_for_update(of=("self",)).select_related("assignment__round__owner", "assignment__person").get(pk=sheet.pk)
    a = sheet.assignment
    if not a.person.user_id or a.person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied()
    _require_status(a.round, R.SCORING)
    if a.conflict_declared:
        raise IllegalTransition("conflict_declared", _("You declared a conflict of interest with this item."))
    if sheet.submitted_at is not None:
        raise IllegalTransition("sheet_submitted", _("The score sheet has already been submitted."))
    rubric = rubric_of(a.round)
    sheet.scores = _clean_scores(rubric, scores, complete=submit)
    sheet.comments = comments.strip()
    if submit:
        if not sheet.comments:
            raise DomainError("comments_required", _("Write your comments."), field="comments")
        sheet.total = round(rubric.total(sheet.scores), 4)
        sheet.submitted_at = _now(now)
    sheet.save()
    record_event(
        actor=actor,
        action="review.submit_sheet" if submit else "review.save_sheet",
        obj=a,
        organization=a.round.owner,
        # Scores by the criterion's label (the round's data), so the audit log reads in words.
        new={"scores": {str(c.label): sheet.scores[c.code] for c in rubric.criteria if c.code in sheet.scores}, "total": sheet.total, "submitted": submit},
    )
    return sheet


@transaction.atomic
def close_round(round_: ReviewRound, *, actor, now: datetime.datetime | None = None) -> ReviewRound:
    """Scoring ends: the results are final, and each reviewer may see the other scores of the items
    they reviewed."""
    round_ = _locked(round_)
    require_owner(round_, actor)
    _require_status(round_, R.SCORING)
    round_.status, round_.closed_at = R.CLOSED, _now(now)
    round_.save(update_fields=["status", "closed_at", "updated_at"])
    missing = ScoreSheet.objects.filter(assignment__round=round_, submitted_at__isnull=True, assignment__conflict_declared=False).count()
    record_event(
        actor=actor, action="review.close_round", obj=round_, organization=round_.owner, old={"status": R.SCORING}, new={"status": R.CLOSED, "missing": missing}
    )
    return round_


# ---- reminders --------------------------------------------------------------------------------


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind each reviewer whose sheet is not in, in a round being scored, from `remind_days`
    before the deadline until the deadline; once per sheet. Answers the number of sheets reminded.
    Run daily (the task kejia.review.tasks.review_reminders_task)."""
    now = _now(now)
    sent = 0
    sheets = ScoreSheet.objects.filter(
        assignment__round__status=R.SCORING,
        assignment__round__score_deadline__gte=now,
        assignment__conflict_declared=False,
        submitted_at__isnull=True,
        reminded_at__isnull=True,
    ).select_related("assignment__round", "assignment__person__user")
    for sheet in sheets.iterator(chunk_size=500):
        round_ = sheet.assignment.round
        if now < round_.score_deadline - datetime.timedelta(days=round_.remind_days):
            continue
        with transaction.atomic():
            if not ScoreSheet.objects.filter(pk=sheet.pk, reminded_at__isnull=True, submitted_at__isnull=True).update(reminded_at=now):
                continue
            deadline = timezone.localtime(round_.score_deadline).strftime("%Y-%m-%d %H:%M")
            _tell_person(
                sheet.assignment.person,
                gettext("Reminder: scores due by %(deadline)s — %(title)s") % {"deadline": deadline, "title": round_.title},
                link=f"/review/sheets/{sheet.assignment_id}/",
            )
            sent += 1
    return sent
