"""The JSON door onto calls for projects: the calls in view, an application's answers, saving a
draft, and the steps of the applicant and the recommending organization. Thin: scope is the
selectors' job, rules and transitions the services' and the workflow's."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Query, Router, Schema
from pydantic import Field

from kejia.calls import ledger, reviewing, selectors, services, workflow
from kejia.core.api import PageParams, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import NotFound
from kejia.organizations.api_schemas import ObjectId
from kejia.review.api import ReviewRoundOut

router = Router(tags=["calls"])


class CallOut(Schema):
    id: int
    title: str
    reference: str
    owner_id: int
    status: str
    deadline: datetime.datetime
    min_amount: Decimal
    max_amount: Decimal
    period_months: int
    topics: list[dict[str, Any]]


class CallDetailOut(CallOut):
    notice: str
    guide: str
    tranches: list[dict[str, Any]]
    form_id: int
    form_version: int = Field(..., description="Version of the application form")
    form: dict[str, Any] = Field(..., description="The form's sections and fields (see docs/calls.md)")

    @staticmethod
    def resolve_form_version(obj):
        return obj.form.version

    @staticmethod
    def resolve_form(obj):
        return obj.form.spec


class CallPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallOut]


class CallApplicationOut(Schema):
    id: int
    call_id: int
    title: str
    topic: str
    status: str
    applicant_id: int | None
    recommender_id: int | None
    submitted_at: datetime.datetime | None
    rank: int | None
    last_reason: str


class CallApplicationDetailOut(CallApplicationOut):
    data: dict[str, Any]
    form_id: int


class CallApplicationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallApplicationOut]


class CallDraftIn(Schema):
    data: dict[str, Any] = Field(..., description="Answers keyed by field (see the call's form)")
    title: str | None = Field(None, max_length=200)
    topic: str | None = Field(None, max_length=16)


class CallSubmitIn(Schema):
    attest: bool = Field(..., description="The applicant attests the application is true and accurate")


class CallReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class CallFormalCheckIn(Schema):
    decision: Literal["accept", "return", "refuse"] = Field(
        ..., description="accept: to expert review; return: for correction (while the call is open); refuse: not accepted"
    )
    reason: str = Field("", max_length=2000, description="Required to return or refuse")


class CallTrancheOut(Schema):
    tranche: int
    gate: str
    planned: Decimal
    paid: Decimal
    gate_met: bool
    gate_failed: bool
    payable: Decimal
    held: Decimal
    forfeited: Decimal


class CallProjectLedgerOut(Schema):
    project: int
    approved: Decimal
    paid: Decimal
    payable: Decimal
    held: Decimal
    forfeited: Decimal
    tranches: list[CallTrancheOut]


class CallLedgerOut(Schema):
    call: int
    budget: Decimal | None
    approved: Decimal
    paid: Decimal
    payable: Decimal
    held: Decimal
    forfeited: Decimal
    unallocated: Decimal | None
    projects: list[CallProjectLedgerOut]


@router.get("/calls", response=CallPage, auth=AUTH, summary="Calls for projects")
def list_calls(request, params: Query[PageParams]):
    """Published and closed calls, and the drafts of the organizations you manage."""
    return page_of(selectors.visible_calls(request.auth), params)


@router.get("/calls/applications/{id}", response=CallApplicationDetailOut, auth=AUTH, summary="An application")
def get_application(request, id: ObjectId):
    """An application with its answers. 404 outside your scope."""
    return selectors.get_application(id, request.auth)


@router.put("/calls/applications/{id}/draft", response=CallApplicationDetailOut, auth=AUTH, summary="Save a draft")
def save_draft(request, id: ObjectId, body: CallDraftIn):
    """Store the answers so far (only what is filled in is checked). The applicant only, before the deadline."""
    application = selectors.get_application(id, request.auth)
    return services.save_draft(application, actor=request.auth, data=body.data, title=body.title, topic=body.topic)


@router.post("/calls/applications/{id}/submit", response=CallApplicationDetailOut, auth=AUTH, summary="Submit an application")
def submit_application(request, id: ObjectId, body: CallSubmitIn):
    """Every blank filled ("/" for nothing), before the deadline, with the attestation. Errors name the field and row."""
    application = selectors.get_application(id, request.auth)
    return workflow.submit_application(application, actor=request.auth, attest=body.attest)


@router.post("/calls/applications/{id}/recommend", response=CallApplicationDetailOut, auth=AUTH, summary="Recommend an application")
def recommend_application(request, id: ObjectId, body: CallReasonIn):
    """The recommending organization forwards it, within its quota and before the deadline."""
    application = selectors.get_application(id, request.auth)
    return workflow.recommend_application(application, actor=request.auth, reason=body.reason)


@router.post("/calls/applications/{id}/return", response=CallApplicationDetailOut, auth=AUTH, summary="Return an application")
def return_application(request, id: ObjectId, body: CallReasonIn):
    """The recommending organization returns it to the applicant, with the reason."""
    application = selectors.get_application(id, request.auth)
    return workflow.return_to_applicant(application, actor=request.auth, reason=body.reason)


@router.post("/calls/applications/{id}/formal-check", response=CallApplicationDetailOut, auth=AUTH, summary="Formal check of an application")
def formal_check(request, id: ObjectId, body: CallFormalCheckIn):
    """The organization running the call: pass it to expert review, return it for correction, or refuse it (不予受理)."""
    application = selectors.get_application(id, request.auth)
    if body.decision == "accept":
        return workflow.accept_application(application, actor=request.auth)
    if body.decision == "return":
        return workflow.return_for_correction(application, actor=request.auth, reason=body.reason)
    return workflow.refuse_application(application, actor=request.auth, reason=body.reason)


class CallReviewIn(Schema):
    blind: bool = Field(False, description="Reviewers do not see the applicant's name")
    per_item: int = Field(3, ge=1, le=50, description="Reviewers per application")
    max_load: int = Field(6, ge=1, le=1000, description="Most applications per reviewer")
    min_load: int = Field(0, ge=0, le=1000, description="Fewest applications per reviewer")
    min_on_time_rate: float | None = Field(None, ge=0, le=1, description="Leave out reviewers whose on-time rate is lower")
    score_deadline: datetime.datetime | None = None
    criteria: list[dict[str, Any]] | None = Field(None, description='[{"code", "label", "weight", "max_score"}]; default the four of seed 004')
    conflict_rules: dict[str, Any] | None = Field(None, description='{"rules": [codes], "subtree_depth": n, "coauthor_since_year": year}')


class CallMinutesIn(Schema):
    minutes: str = Field(..., max_length=20000, description="Minutes of the review meeting")


def _managed_call(id: int, user):
    call = selectors.managed_calls(user).filter(pk=id).first()
    if call is None:
        raise NotFound()
    return call


@router.post("/calls/{id}/review", response=ReviewRoundOut, auth=AUTH, summary="Open the expert review of a call")
def open_review(request, id: ObjectId, body: CallReviewIn):
    """A review round with an item per application under review (see /api/review/...). The staff of the organization running the call."""
    return reviewing.open_review(_managed_call(id, request.auth), actor=request.auth, **body.dict())


@router.post("/calls/{id}/review/close", response=list[CallApplicationOut], auth=AUTH, summary="Close the expert review: the review meeting")
def close_review(request, id: ObjectId, body: CallMinutesIn):
    """Closes the call's review round and records the review meeting (会评): each application's score (raw mean) and rank."""
    return reviewing.close_review(_managed_call(id, request.auth), actor=request.auth, minutes=body.minutes)


@router.get("/calls/{id}/ledger", response=CallLedgerOut, auth=AUTH, summary="Funding ledger of a call")
def call_ledger(request, id: ObjectId):
    """Approved, paid, payable, held by a gate and forfeited, per project and in total, against the budget.
    Only for the staff of the organization running the call (404 for others)."""
    call = selectors.managed_calls(request.auth).filter(pk=id).first()
    if call is None:
        raise NotFound()
    return ledger.call_ledger(call)


@router.get("/calls/{id}", response=CallDetailOut, auth=AUTH, summary="A call for projects")
def get_call(request, id: ObjectId):
    """The call with its notice, guide, topics, payment plan and application form. 404 if not in view."""
    return selectors.get_call(id, request.auth)


@router.get("/calls/{id}/applications", response=CallApplicationPage, auth=AUTH, summary="Applications to a call")
def list_applications(request, id: ObjectId, params: Query[PageParams]):
    """The call's applications in your scope: the owner's staff, the recommending organization's, your own."""
    call = selectors.get_call(id, request.auth)
    return page_of(selectors.visible_applications(request.auth, call=call).order_by("pk"), params)
