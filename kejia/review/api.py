"""The JSON door onto expert review: a round, the reviewer's invitations and score sheets, the
owner's assignment (run, list, swap), the start of scoring and the close, the results and the
reviewers' credibility record. Thin: scope is the selectors' job, rules the services'."""

import datetime
from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import NotFound
from kejia.organizations.api_schemas import ObjectId
from kejia.people.models import Person
from kejia.review import selectors, services
from kejia.review.models import Assignment

router = Router(tags=["review"])


class ReviewRoundOut(Schema):
    id: int
    owner_id: int
    subject: str
    title: str
    status: str
    blind: bool
    per_item: int
    max_load: int
    min_load: int
    candidates_per_item: int = Field(..., description="Each item's best this many reviewers by affinity are the assignment's candidates (widened if needed)")
    min_on_time_rate: float | None
    score_deadline: datetime.datetime | None
    criteria: list[dict[str, Any]] = Field(..., description='[{"code", "label", "weight", "max_score"}]')
    closed_at: datetime.datetime | None


class ReviewInvitationOut(Schema):
    id: int
    round_id: int
    round_title: str
    status: str
    reason: str
    responded_at: datetime.datetime | None

    @staticmethod
    def resolve_round_title(obj):
        return obj.round.title


class ReviewInvitationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewInvitationOut]


class ReviewInviteIn(Schema):
    person_id: int = Field(..., ge=1, le=2**53, description="A person of the talent database who agreed to review")


class ReviewConflictFoundIn(Schema):
    item_id: int = Field(..., ge=1, le=2**53)
    person_id: int = Field(..., ge=1, le=2**53, description="The reviewer")
    reason: str = Field(..., max_length=2000, description="What was found (required)")


class ReviewConflictFoundOut(Schema):
    id: int
    item_id: int
    person_id: int
    source: str
    reason: str
    created_at: datetime.datetime


class ReviewDeclineIn(Schema):
    reason: str = Field(..., max_length=2000, description="Why you decline (required)")


class ReviewAssignmentOut(Schema):
    id: int
    item_id: int
    item_ref: str
    item_title: str
    person_id: int
    person_name: str
    affinity: float
    manual: bool
    conflict_declared: bool
    submitted_at: datetime.datetime | None
    total: float | None

    @staticmethod
    def resolve_item_ref(obj):
        return obj.item.ref

    @staticmethod
    def resolve_item_title(obj):
        return obj.item.title

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name

    @staticmethod
    def resolve_submitted_at(obj):
        return obj.sheet.submitted_at

    @staticmethod
    def resolve_total(obj):
        return obj.sheet.total


class ReviewAssignmentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewAssignmentOut]


class ReviewSwapIn(Schema):
    person_id: int = Field(..., ge=1, le=2**53, description="The reviewer (a person id) who takes the item over")


class ReviewItemOut(Schema):
    id: int
    ref: str
    title: str
    text: str
    applicant_name: str = Field(..., description="Empty in a blind round")


class ReviewOtherSheetOut(Schema):
    scores: dict[str, float]
    total: float | None
    comments: str


class ReviewSheetOut(Schema):
    id: int = Field(..., description="The assignment's id")
    round_id: int
    round_status: str
    deadline: datetime.datetime | None
    criteria: list[dict[str, Any]]
    item: ReviewItemOut
    scores: dict[str, float]
    comments: str
    total: float | None
    submitted_at: datetime.datetime | None
    conflict_declared: bool
    others: list[ReviewOtherSheetOut] = Field(..., description="The other reviewers' sheets of this item, once the round is closed (no names)")


class ReviewSheetSummaryOut(Schema):
    id: int
    round_id: int
    round_title: str
    item_title: str
    deadline: datetime.datetime | None
    submitted_at: datetime.datetime | None

    @staticmethod
    def resolve_round_title(obj):
        return obj.round.title

    @staticmethod
    def resolve_item_title(obj):
        return obj.item.title

    @staticmethod
    def resolve_deadline(obj):
        return obj.round.score_deadline

    @staticmethod
    def resolve_submitted_at(obj):
        return obj.sheet.submitted_at


class ReviewSheetPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewSheetSummaryOut]


class ReviewSheetIn(Schema):
    scores: dict[str, float | None] = Field(..., description="Score per criterion code, 0 to the criterion's highest score")
    comments: str = Field("", max_length=20000)
    submit: bool = Field(False, description="Submit (every criterion scored, comments written); else save a draft")


class ReviewConflictIn(Schema):
    reason: str = Field("", max_length=2000)


class ReviewResultOut(Schema):
    item_id: int
    ref: str
    title: str
    applicant_name: str
    reviews: int
    raw_mean: float = Field(..., description="Mean weighted total, 0–100")
    normalised_mean: float = Field(..., description="Mean of the reviewers' z-scores")
    spread: float
    disagreement: bool
    rank: int


class ReviewCredibilityOut(Schema):
    person_id: int
    invited: int
    declined: int
    sheets_due: int
    on_time: int
    on_time_rate: float | None
    deviation: float | None
    conflicts_found_after: int


def _sheet(a: Assignment) -> dict:
    round_ = a.round
    item = selectors.item_for_reviewer(a.item, round_)
    return {
        "id": a.pk,
        "round_id": round_.pk,
        "round_status": round_.status,
        "deadline": round_.score_deadline,
        "criteria": round_.criteria,
        "item": vars(item),
        "scores": a.sheet.scores,
        "comments": a.sheet.comments,
        "total": a.sheet.total,
        "submitted_at": a.sheet.submitted_at,
        "conflict_declared": a.conflict_declared,
        "others": [{"scores": s.scores, "total": s.total, "comments": s.comments} for s in selectors.other_sheets(a)],
    }


def _owned_assignment(pk: int, user) -> Assignment:
    a = Assignment.objects.select_related("round__owner").filter(pk=pk).first()
    if a is None or not selectors.is_owner(user, a.round):
        raise NotFound()
    return a


@router.get("/review/rounds/{id}", response=ReviewRoundOut, auth=AUTH, summary="A review round")
def get_round(request, id: ObjectId):
    """For the staff of the organization running it and the reviewers invited to it; 404 for others."""
    return selectors.get_round(id, request.auth)


@router.get("/review/invitations", response=ReviewInvitationPage, auth=AUTH, summary="My invitations to review")
def my_invitations(request, params: Query[PageParams]):
    return page_of(selectors.my_invitations(request.auth), params)


@router.post("/review/rounds/{id}/invitations", response=ReviewInvitationOut, auth=AUTH, summary="Invite a reviewer")
def invite(request, id: ObjectId, body: ReviewInviteIn):
    """The owner's staff invite a person they can see who agreed to review (Person.willing_to_review); the person is notified."""
    round_ = selectors.get_managed_round(id, request.auth)
    person = selectors.person_to_invite(request.auth, body.person_id)
    if person is None:
        raise NotFound()
    return services.invite(round_, person, actor=request.auth)


@router.post("/review/invitations/{id}/accept", response=ReviewInvitationOut, auth=AUTH, summary="Accept an invitation to review")
def accept_invitation(request, id: ObjectId):
    return services.respond(selectors.get_my_invitation(id, request.auth), actor=request.auth, accept=True)


@router.post("/review/invitations/{id}/decline", response=ReviewInvitationOut, auth=AUTH, summary="Decline an invitation to review")
def decline_invitation(request, id: ObjectId, body: ReviewDeclineIn):
    return services.respond(selectors.get_my_invitation(id, request.auth), actor=request.auth, accept=False, reason=body.reason)


@router.post("/review/rounds/{id}/assignment", response=list[ReviewAssignmentOut], auth=AUTH, summary="Run the assignment of reviewers")
def run_assignment(request, id: ObjectId):
    """k reviewers per item, loads within bounds, no conflicted pair, largest total affinity. Replaces an earlier run until scoring starts."""
    round_ = selectors.get_managed_round(id, request.auth)
    services.run_assignment(round_, actor=request.auth)
    return list(round_.assignments.select_related("item", "person", "sheet"))


@router.get("/review/rounds/{id}/assignments", response=ReviewAssignmentPage, auth=AUTH, summary="Assignments of a review round")
def list_assignments(request, id: ObjectId, params: Query[PageParams]):
    round_ = selectors.get_managed_round(id, request.auth)
    return page_of(round_.assignments.select_related("item", "person", "sheet").order_by("item_id", "pk"), params)


@router.post("/review/assignments/{id}/swap", response=ReviewAssignmentOut, auth=AUTH, summary="Swap a reviewer")
def swap(request, id: ObjectId, body: ReviewSwapIn):
    """Another reviewer of the round's pool takes the item over; a conflicted pair is refused."""
    a = _owned_assignment(id, request.auth)
    person = Person.objects.filter(pk=body.person_id).first()
    if person is None:
        raise NotFound()
    new = services.swap(a, actor=request.auth, new_person=person)
    return Assignment.objects.select_related("item", "person", "sheet").get(pk=new.pk)


@router.post("/review/rounds/{id}/start-scoring", response=ReviewRoundOut, auth=AUTH, summary="Start scoring")
def start_scoring(request, id: ObjectId):
    return services.start_scoring(selectors.get_managed_round(id, request.auth), actor=request.auth)


@router.post("/review/rounds/{id}/close", response=ReviewRoundOut, auth=AUTH, summary="Close a review round")
def close_round(request, id: ObjectId):
    return services.close_round(selectors.get_managed_round(id, request.auth), actor=request.auth)


@router.get("/review/sheets", response=ReviewSheetPage, auth=AUTH, summary="My score sheets")
def my_sheets(request, params: Query[PageParams]):
    """Your assignments in rounds being scored or closed."""
    return page_of(selectors.my_assignments(request.auth), params)


@router.get("/review/sheets/{id}", response=ReviewSheetOut, auth=AUTH, summary="A score sheet of mine")
def get_sheet(request, id: ObjectId):
    """The item (no applicant name in a blind round), the criteria, your scores; the others' once the round is closed."""
    return _sheet(selectors.get_my_assignment(id, request.auth))


@router.put("/review/sheets/{id}", response=ReviewSheetOut, auth=AUTH, summary="Save or submit a score sheet")
def save_sheet(request, id: ObjectId, body: ReviewSheetIn):
    a = selectors.get_my_assignment(id, request.auth)
    services.save_sheet(a.sheet, actor=request.auth, scores=body.scores, comments=body.comments, submit=body.submit)
    return _sheet(selectors.get_my_assignment(id, request.auth))


@router.post("/review/sheets/{id}/conflict", response=ReviewSheetOut, auth=AUTH, summary="Declare a conflict of interest")
def declare_conflict(request, id: ObjectId, body: ReviewConflictIn):
    a = selectors.get_my_assignment(id, request.auth)
    services.declare_conflict(a, actor=request.auth, reason=body.reason)
    return _sheet(selectors.get_my_assignment(id, request.auth))


@router.get("/review/rounds/{id}/results", response=list[ReviewResultOut], auth=AUTH, summary="Results of a review round")
def results(request, id: ObjectId):
    """The owner's staff: every item, at any time. A reviewer: the items they reviewed, once the round is closed (no applicant name in a blind round)."""
    round_ = selectors.get_round(id, request.auth)
    owner = selectors.is_owner(request.auth, round_)
    return [
        {
            "item_id": r.item.pk,
            "ref": r.item.ref,
            "title": r.item.title,
            "applicant_name": r.item.applicant_name if owner or not round_.blind else "",
            "reviews": r.reviews,
            "raw_mean": r.raw_mean,
            "normalised_mean": r.normalised_mean,
            "spread": r.spread,
            "disagreement": r.disagreement,
            "rank": r.rank,
        }
        for r in selectors.results_for(request.auth, round_)
    ]


@router.post("/review/rounds/{id}/conflicts", response=ReviewConflictFoundOut, auth=AUTH, summary="Record a conflict found after the fact")
def record_conflict(request, id: ObjectId, body: ReviewConflictFoundIn):
    """The owner's staff record a conflict of interest between a reviewer and an item found after the fact: the pair is barred
    from then on and it counts in the reviewer's credibility record."""
    round_ = selectors.get_managed_round(id, request.auth)
    item = round_.items.filter(pk=body.item_id).first()
    person = Person.objects.filter(pk=body.person_id).first()
    if item is None or person is None:
        raise NotFound()
    return services.record_conflict_found(item, person, actor=request.auth, reason=body.reason)


@router.get("/review/rounds/{id}/credibility", response=list[ReviewCredibilityOut], auth=AUTH, summary="Credibility of the round's reviewers")
def credibility(request, id: ObjectId):
    """评审专家信誉记录 of the invited reviewers: on-time rate, declines, deviation from the panel, conflicts found after the fact. The owner's staff only."""
    round_ = selectors.get_managed_round(id, request.auth)
    return [{**vars(c), "on_time_rate": c.on_time_rate} for c in selectors.round_credibility(request.auth, round_)]
