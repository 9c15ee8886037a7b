"""What each user may see of expert review, and the computed views: results and the reviewers'
credibility record.

- The owner's staff (a managing role covering the round's owner) see the whole round.
- A reviewer (through the account linked to their person) sees their invitations, and their own
  assignments once scoring has started; never another reviewer's items. The other reviewers'
  scores of an item they reviewed only once the round is closed, without the reviewers' names.
- In a blind round a reviewer never sees the applicant's name (`ItemView.applicant_name` is empty).
Everything else is a 404, as if it did not exist."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.people.models import Person
from kejia.people.selectors import visible_people
from kejia.review import scoring
from kejia.review.models import Assignment, ConflictReport, ConflictSource, Invitation, InvitationStatus, ReviewItem, ReviewRound, RoundStatus, ScoreSheet

R = RoundStatus


def people_to_invite(user, round_: ReviewRound, *, name: str = "", discipline: str = "", employer: str = "") -> QuerySet[Person]:
    """People `user` may see (kejia.people.selectors.visible_people) who agreed to review and are
    not invited to the round yet, narrowed by a part of the name, of a discipline's name (Chinese
    or English) or code, and of the employer's name; by name."""
    qs = visible_people(user).filter(willing_to_review=True).exclude(review_invitations__round=round_)
    if name.strip():
        qs = qs.filter(name__icontains=name.strip())
    if employer.strip():
        qs = qs.filter(employer_name__icontains=employer.strip())
    if discipline.strip():
        d = discipline.strip()
        matching = Person.disciplines.through.objects.filter(
            Q(discipline__name__icontains=d) | Q(discipline__name_en__icontains=d) | Q(discipline__code__startswith=d)
        ).values("person_id")
        qs = qs.filter(pk__in=matching)
    return qs.order_by("name", "pk")


def person_to_invite(user, pk) -> Person | None:
    """The person `user` may see with this id (the invitation's own rules are the service's)."""
    try:
        return visible_people(user).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def managed_rounds(user) -> QuerySet[ReviewRound]:
    return scope.restrict(ReviewRound.objects.select_related("owner"), user, "owner__path", scope.MANAGE_KINDS)


def get_managed_round(pk: int, user) -> ReviewRound:
    round_ = managed_rounds(user).filter(pk=pk).first()
    if round_ is None:
        raise NotFound()
    return round_


def is_owner(user, round_: ReviewRound) -> bool:
    return scope.can_manage(user, round_.owner)


def visible_rounds(user) -> QuerySet[ReviewRound]:
    """The rounds the user runs, and those they are invited to."""
    if not getattr(user, "is_authenticated", False):
        return ReviewRound.objects.none()
    q = scope.scope_q(user, "owner__path", scope.MANAGE_KINDS)
    if q is None:
        return ReviewRound.objects.select_related("owner")
    return ReviewRound.objects.select_related("owner").filter(q | Q(invitations__person__user=user)).distinct()


def get_round(pk: int, user) -> ReviewRound:
    round_ = visible_rounds(user).filter(pk=pk).first()
    if round_ is None:
        raise NotFound()
    return round_


def my_invitations(user) -> QuerySet[Invitation]:
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return Invitation.objects.filter(person__user=user).select_related("round", "round__owner").order_by("-created_at", "-pk")


def get_my_invitation(pk: int, user) -> Invitation:
    invitation = my_invitations(user).filter(pk=pk).first()
    if invitation is None:
        raise NotFound()
    return invitation


def my_assignments(user) -> QuerySet[Assignment]:
    """The user's own assignments in rounds being scored or closed."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(person__user=user, round__status__in=(R.SCORING, R.CLOSED))
        .select_related("round", "item", "sheet")
        .order_by("round__score_deadline", "round_id", "item_id")
    )


def get_my_assignment(pk: int, user) -> Assignment:
    a = my_assignments(user).filter(pk=pk).first()
    if a is None:
        raise NotFound()
    return a


@dataclass
class ItemView:
    """An item as a reviewer sees it (no applicant name in a blind round)."""

    id: int
    ref: str
    title: str
    text: str
    applicant_name: str


def item_for_reviewer(item: ReviewItem, round_: ReviewRound) -> ItemView:
    return ItemView(item.pk, item.ref, item.title, item.text, "" if round_.blind else item.applicant_name)


def other_sheets(assignment: Assignment) -> list[ScoreSheet]:
    """The other reviewers' submitted sheets of the same item: only once the round is closed."""
    if assignment.round.status != R.CLOSED:
        return []
    return list(
        ScoreSheet.objects.filter(assignment__item_id=assignment.item_id, submitted_at__isnull=False).exclude(assignment=assignment).order_by("assignment_id")
    )


# ---- results ----------------------------------------------------------------------------------


@dataclass
class ItemResult:
    item: ReviewItem
    reviews: int
    raw_mean: float
    normalised_mean: float
    spread: float
    disagreement: bool
    rank: int


def results(round_: ReviewRound, *, threshold: float = scoring.DISAGREEMENT_THRESHOLD) -> list[ItemResult]:
    """Every item with at least one submitted sheet, ranked (kejia.review.scoring: raw mean,
    per-reviewer z-scores, disagreement flag); items without a sheet are left out."""
    rubric = scoring.rubric_from_data(round_.criteria)
    sheets = ScoreSheet.objects.filter(assignment__round=round_, submitted_at__isnull=False).values_list(
        "assignment__item_id", "assignment__person_id", "scores"
    )
    reviews = [scoring.Review(item_id, person_id, scores) for item_id, person_id, scores in sheets]
    items = {i.pk: i for i in round_.items.all()}
    return [
        ItemResult(items[r.application], r.reviews, r.raw_mean, r.normalised_mean, r.spread, r.disagreement, r.rank)
        for r in scoring.results(rubric, reviews, threshold=threshold)
    ]


def results_for(user, round_: ReviewRound) -> list[ItemResult]:
    """The owner's staff: every result, at any time. A reviewer: the results of the items they
    reviewed, once the round is closed. Others: 404."""
    if is_owner(user, round_):
        return results(round_)
    mine = set(my_assignments(user).filter(round=round_).values_list("item_id", flat=True))
    if not mine or round_.status != R.CLOSED:
        raise NotFound()
    return [r for r in results(round_) if r.item.pk in mine]


# ---- credibility (评审专家信誉记录) --------------------------------------------------------------


@dataclass
class Credibility:
    person_id: int
    invited: int = 0
    declined: int = 0
    sheets_due: int = 0  # sheets of rounds past their deadline or closed
    on_time: int = 0
    deviation: float | None = None  # mean |own z − the rest of the panel's mean z| over closed rounds
    conflicts_found_after: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.sheets_due if self.sheets_due else None


def credibility(person_ids: Iterable[int], *, now: datetime.datetime | None = None) -> dict[int, Credibility]:
    """The credibility record of each reviewer, from every round: invitations declined, the share
    of due score sheets submitted by the deadline, the deviation from the panel (on closed rounds:
    the mean distance between the reviewer's z-score of an item and the mean z-score of the item's
    other reviewers), conflicts of interest found after the fact."""
    now = now or timezone.now()
    ids = sorted(set(person_ids))
    out = {pk: Credibility(pk) for pk in ids}
    for pk, status in Invitation.objects.filter(person_id__in=ids).values_list("person_id", "status"):
        out[pk].invited += 1
        out[pk].declined += status == InvitationStatus.DECLINED
    due = ScoreSheet.objects.filter(assignment__person_id__in=ids, assignment__conflict_declared=False).filter(
        Q(assignment__round__status=R.CLOSED) | Q(assignment__round__score_deadline__lt=now)
    )
    for pk, submitted, deadline in due.values_list("assignment__person_id", "submitted_at", "assignment__round__score_deadline"):
        out[pk].sheets_due += 1
        out[pk].on_time += submitted is not None and (deadline is None or submitted <= deadline)
    for pk in ConflictReport.objects.filter(person_id__in=ids, source=ConflictSource.FOUND_AFTER).values_list("person_id", flat=True):
        out[pk].conflicts_found_after += 1
    distances: dict[int, list[float]] = defaultdict(list)
    rounds = ReviewRound.objects.filter(status=R.CLOSED, assignments__person_id__in=ids).distinct()
    for round_ in rounds:
        rubric = scoring.rubric_from_data(round_.criteria)
        sheets = ScoreSheet.objects.filter(assignment__round=round_, submitted_at__isnull=False).values_list(
            "assignment__item_id", "assignment__person_id", "scores"
        )
        z = scoring.z_scores(scoring.totals(rubric, [scoring.Review(i, p, s) for i, p, s in sheets]))
        per_item: dict[int, dict[int, float]] = defaultdict(dict)
        for (item, person), value in z.items():
            per_item[item][person] = value
        for panel in per_item.values():
            for person, value in panel.items():
                others = [v for p, v in panel.items() if p != person]
                if person in out and others:
                    distances[person].append(abs(value - math.fsum(others) / len(others)))
    for pk, values in distances.items():
        out[pk].deviation = round(math.fsum(values) / len(values), 4)
    return out


def round_credibility(user, round_: ReviewRound) -> list[Credibility]:
    """The credibility record of the round's invited reviewers, for the owner's staff."""
    if not is_owner(user, round_):
        raise NotFound()
    ids = list(round_.invitations.values_list("person_id", flat=True))
    return list(credibility(ids).values())
