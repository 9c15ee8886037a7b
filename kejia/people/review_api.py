"""The review queue and merges as JSON: the same selectors and services as the pages.
A pair or merge outside the caller's scope is a 404; personal data is masked."""

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status

from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError
from kejia.people import merging, review_selectors
from kejia.people.models import CandidateStatus, MatchCandidate, MergeRecord

router = Router(tags=["people"])

MAX_ID = 2**62
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The object's id")]


class PersonBrief(Schema):
    id: int
    name: str
    status: str
    gender: str
    birth_date: datetime.date | None
    resident_id: str = Field(description="Masked")
    phone: str = Field(description="Masked")
    email: str = Field(description="Masked")
    employer: str
    title: str
    organizations: list[str]


class CandidateOut(Schema):
    id: int
    score: float
    status: str
    status_label: str
    person_a: PersonBrief
    person_b: PersonBrief
    details: dict[str, Any]
    decided_by: str | None
    decided_at: datetime.datetime | None
    merge_id: int | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_person_a(obj) -> dict:
        return review_selectors.person_summary(obj.person_a)

    @staticmethod
    def resolve_person_b(obj) -> dict:
        return review_selectors.person_summary(obj.person_b)

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None

    @staticmethod
    def resolve_merge_id(obj) -> int | None:
        merge = review_selectors.merge_of(obj)
        return merge.pk if merge else None


class MergeOut(Schema):
    id: int
    survivor_id: int
    duplicate_id: int
    candidate_id: int | None
    score: float | None
    merged_by: str | None
    created_at: datetime.datetime
    undone_at: datetime.datetime | None
    undone_by: str | None
    moved_listings: int
    moved_achievements: int
    filled_fields: list[str]

    @staticmethod
    def resolve_merged_by(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_undone_by(obj) -> str | None:
        return str(obj.undone_by) if obj.undone_by_id else None

    @staticmethod
    def resolve_moved_listings(obj) -> int:
        return len(obj.moved_listings)

    @staticmethod
    def resolve_moved_achievements(obj) -> int:
        return len(obj.moved_achievements)

    @staticmethod
    def resolve_filled_fields(obj) -> list[str]:
        return sorted(obj.survivor_filled)


class CandidatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CandidateOut]


class MergePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MergeOut]


class QueueParams(PageParams):
    status: CandidateStatus = CandidateStatus.OPEN


class MergeIn(Schema):
    survivor_id: int | None = Field(None, ge=1, le=MAX_ID, description="The record to keep (default: the older one)")


@router.get("/people/review", response=CandidatePage, auth=AUTH, summary="Pairs waiting for review (or decided)")
def review_queue(request, params: Query[QueueParams]):
    return page_of(review_selectors.visible_candidates(request.auth, status=params.status), params)


@router.get("/people/review/{id}", response=CandidateOut, auth=AUTH, summary="One pair, with its field comparisons")
def review_pair(request, id: ObjectId):
    return review_selectors.get_candidate_for(request.auth, id)


@router.post("/people/review/{id}/merge", response={201: MergeOut}, auth=AUTH, summary="Merge the pair (undoable)")
def review_merge(request, id: ObjectId, body: MergeIn | None = None):
    candidate: MatchCandidate = review_selectors.get_candidate_for(request.auth, id)
    survivor = None
    if body is not None and body.survivor_id is not None:
        survivor = {candidate.person_a_id: candidate.person_a, candidate.person_b_id: candidate.person_b}.get(body.survivor_id)
        if survivor is None:
            raise DomainError("invalid_survivor", _("The record to keep must be one of the pair."), field="survivor_id")
    return Status(201, merging.merge_candidate(candidate, actor=request.auth, survivor=survivor))


@router.post("/people/review/{id}/keep-apart", response=CandidateOut, auth=AUTH, summary="Keep the pair apart")
def review_keep_apart(request, id: ObjectId):
    return merging.keep_apart(review_selectors.get_candidate_for(request.auth, id), actor=request.auth)


@router.get("/people/merges", response=MergePage, auth=AUTH, summary="Merges in your scope")
def merges(request, params: Query[PageParams]):
    return page_of(review_selectors.visible_merges(request.auth), params)


@router.post("/people/merges/{id}/undo", response=MergeOut, auth=AUTH, summary="Undo a merge")
def undo_merge(request, id: ObjectId):
    record: MergeRecord = review_selectors.get_merge_for(request.auth, id)
    merging.unmerge(record, actor=request.auth)
    record.refresh_from_db()
    return record
