"""The review queue and merges as JSON: the same selectors and services as the pages.
A pair or merge outside the caller's scope is a 404; personal data is masked."""

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Path, Query, Router, Schema, Status

from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError
from kejia.core.http import client_ip
from kejia.people import link_requests, merging, review_selectors
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


# ---- Account link requests (uncertain matches after self-registration) --------------------


class LinkRequestOut(Schema):
    id: int
    status: str
    reason: str
    reason_label: str
    created_at: datetime.datetime
    account_name: str
    account_phone: str = Field(description="Masked")
    account_email: str = Field(description="Masked")
    person_id: int
    person_name: str
    person_phone: str = Field(description="Masked")
    decided_at: datetime.datetime | None
    note: str


class LinkRequestPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[LinkRequestOut]


class LinkRequestFilter(PageParams):
    status: str = Field("pending", pattern="^(pending|approved|refused|closed)$")


class LinkDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200, description="Required to refuse: the person reads it")


def _link_request_out(item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "status": item.status,
        "reason": item.reason,
        "reason_label": str(item.get_reason_display()),
        "created_at": item.created_at,
        "account_name": item.user.display_name,
        "account_phone": item.user.phone_masked,
        "account_email": review_selectors.mask_email(item.user.email),
        "person_id": item.person_id,
        "person_name": item.person.name,
        "person_phone": item.person.phone_masked,
        "decided_at": item.decided_at,
        "note": item.note,
    }


@router.get("/people/link-requests", response=LinkRequestPageOut, auth=AUTH, summary=str(_("Account link requests")))
def list_link_requests(request, params: Query[LinkRequestFilter]):
    """Registered accounts that may be profiles your organizations list (uncertain matches)."""
    page = page_of(link_requests.visible_link_requests(request.auth, status=params.status), params)
    return {**page, "items": [_link_request_out(item) for item in page["items"]]}


@router.post("/people/link-requests/{id}/decide", response=LinkRequestOut, auth=AUTH, summary=str(_("Decide an account link request")))
def decide_link_request(request, id: ObjectId, payload: LinkDecisionIn):  # noqa: A002 - the path is /{id}
    """Approve (the account is linked to the profile) or refuse (with a note). Outside your scope: 404."""
    item = link_requests.get_link_request_for(request.auth, id)
    item = link_requests.decide(item, actor=request.auth, approve=payload.approve, note=payload.note, ip=client_ip(request))
    return _link_request_out(link_requests.get_link_request_for(request.auth, item.pk))
