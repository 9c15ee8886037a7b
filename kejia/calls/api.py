"""The JSON door onto calls for projects: every step of kejia/calls through the API — the owner's
call management (templates, drafts, publication, closing, a later deadline), the applicant's and
the recommending organization's steps, the formal check, the review meeting, the decision, the
public announcement and its objections, approval, and the projects with their mid-term review,
deliverables, final acceptance and payments. Thin: scope is the selectors' job, rules and
transitions the services' and the workflow's, so a refusal is the same as on a page."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from kejia.calls import ledger, reviewing, selectors, services, workflow
from kejia.calls.choices import Eligibility, Role
from kejia.core.api import PageParams, fields_named, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.organizations import selectors as org_selectors
from kejia.organizations.api_schemas import Id, ObjectId
from kejia.review.api import ReviewRoundOut
from kejia.review.scoring import ApplicationResult

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


class CallTemplateOut(Schema):
    code: str = Field(..., description="Give it as `template` to create a call")
    title: str = Field(..., description="The application form's title")
    call: dict[str, Any] = Field(..., description="The call's terms the template sets (each may be overridden)")


class CallCreateIn(Schema):
    owner_id: Id = Field(..., description="The organization running the call (you manage it)")
    template: str = Field(..., max_length=64)
    deadline: datetime.datetime = Field(..., description="With its time zone (Asia/Shanghai: +08:00)")
    title: str | None = Field(None, max_length=200)
    reference: str | None = Field(None, max_length=64)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    quota_per_recommender: int | None = Field(None, ge=1, le=10_000)
    announcement_days: int | None = Field(None, ge=1, le=365)


class CallTopicIn(Schema):
    code: str = Field(..., max_length=16)
    title: str = Field(..., max_length=200)


class CallTrancheIn(Schema):
    share: Decimal = Field(..., gt=0, le=100, description="Percent of the project's amount")
    gate: str = Field(..., description="approval, midterm_passed or concluded")


class CallUpdateIn(Schema):
    """Only the fields sent change; the call must still be a draft."""

    title: str | None = Field(None, max_length=200)
    reference: str | None = Field(None, max_length=64)
    notice: str | None = Field(None, max_length=200_000)
    guide: str | None = Field(None, max_length=200_000)
    topics: list[CallTopicIn] | None = Field(None, max_length=50)
    eligibility: Literal["organizations", "individuals"] | None = None
    applicant_kinds: list[str] | None = Field(None, max_length=50)
    recommender_kinds: list[str] | None = Field(None, max_length=50)
    min_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    max_amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    tranches: list[CallTrancheIn] | None = Field(None, max_length=10)
    period_months: int | None = Field(None, ge=1, le=120)
    deadline: datetime.datetime | None = None
    quota_per_recommender: int | None = Field(None, ge=1, le=10_000)
    announcement_days: int | None = Field(None, ge=1, le=365)


class CallDeadlineIn(Schema):
    deadline: datetime.datetime = Field(..., description="Later than the present deadline, with its time zone")
    reason: str = Field(..., max_length=2000, description="Told to everyone concerned")


class CallOrgOut(Schema):
    id: int
    name: str
    kind: str


class CallOpenOut(Schema):
    call: CallOut
    individual: bool = Field(..., description="Open to individuals: you apply as yourself")
    apply_as: list[CallOrgOut] = Field(..., description="The organizations you may apply for (a managing role in them, a kind the call admits)")


class CallOpenPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallOpenOut]


class CallApplicationCreateIn(Schema):
    applicant_id: Id | None = Field(None, description="The applying organization (you hold a managing role in it); omit in calls open to individuals")
    title: str = Field("", max_length=200)
    topic: str = Field("", max_length=16)


class CallRankingRowIn(Schema):
    application_id: Id
    score: float = Field(..., ge=0, le=100, description="The application's mean score, 0–100")


class CallReviewMeetingIn(Schema):
    minutes: str = Field(..., max_length=100_000)
    ranking: list[CallRankingRowIn] = Field(..., max_length=10_000, description="Every application under review, best first")


class CallDecisionIn(Schema):
    selected: bool
    reason: str = Field("", max_length=2000)


class CallAnnouncedOut(Schema):
    id: int
    title: str
    topic: str
    applicant_name: str
    rank: int | None
    score: float | None
    announced_until: datetime.datetime | None

    @staticmethod
    def resolve_applicant_name(obj):
        return obj.applicant.name if obj.applicant_id else ""


class CallAnnouncedPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallAnnouncedOut]


class CallObjectionIn(Schema):
    text: str = Field(..., max_length=10_000)


class CallObjectionOut(Schema):
    id: int
    application_id: int
    text: str
    received_at: datetime.datetime
    upheld: bool | None
    resolution: str
    handled_at: datetime.datetime | None


class CallObjectionHandleIn(Schema):
    upheld: bool
    resolution: str = Field(..., max_length=10_000)


class CallObjectionPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallObjectionOut]


class CallApproveIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2, description="Yuan, within the call's range and what is left of its budget")
    starts_on: datetime.date


class CallProjectOut(Schema):
    id: int
    call_id: int
    application_id: int
    title: str
    applicant_name: str
    amount: Decimal
    status: str
    midterm_passed: bool | None
    starts_on: datetime.date
    ends_on: datetime.date
    last_reason: str

    @staticmethod
    def resolve_title(obj):
        return obj.application.title

    @staticmethod
    def resolve_applicant_name(obj):
        return obj.application.applicant.name if obj.application.applicant_id else ""


class CallProjectDetailOut(CallProjectOut):
    tranches: list[dict[str, Any]]
    ledger: CallProjectLedgerOut

    @staticmethod
    def resolve_ledger(obj):
        return ledger.project_ledger(obj)


class CallProjectPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallProjectOut]


class CallProjectsFilter(PageParams):
    call: int | None = Field(None, ge=1, le=2**63 - 1, description="Only this call's projects")


class CallPaymentIn(Schema):
    tranche: int = Field(..., ge=1, le=20)
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)
    paid_on: datetime.date
    voucher: str = Field(..., max_length=64)


class CallPaymentOut(Schema):
    id: int
    project_id: int
    tranche: int
    paid_on: datetime.date
    amount: Decimal
    voucher: str


class CallMidtermIn(Schema):
    passed: bool
    reason: str = Field("", max_length=2000, description="Required to fail it (不予拨付尾款)")


class CallConclusionIn(Schema):
    concluded: bool
    reason: str = Field("", max_length=2000, description="Required to refuse it (不予结项)")


class CallDeliverableIn(Schema):
    title: str = Field(..., max_length=200)
    note: str = Field("", max_length=10_000)


class CallDeliverableOut(Schema):
    id: int
    project_id: int
    title: str
    note: str
    file: str | None = Field(None, description="The stored file's name, when one was handed in")
    created_at: datetime.datetime

    @staticmethod
    def resolve_file(obj):
        return obj.file.name or None


class CallDeliverablePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CallDeliverableOut]


# ---- the S&T worker's and the organization's view, templates, projects (before /calls/{id}) -----


@router.get("/calls/open", response=CallOpenPage, auth=AUTH, summary="Calls I may apply to")
def open_calls(request, params: Query[PageParams]):
    """Published calls before their deadline that you may apply to: as yourself (calls open to
    individuals) or for an organization in which you hold a managing role, of a kind the call
    admits (`apply_as`)."""
    rows = selectors.open_calls(request.auth)
    return {"count": len(rows), "limit": params.limit, "offset": params.offset, "items": rows[params.offset : params.offset + params.limit]}


@router.get("/calls/templates", response=list[CallTemplateOut], auth=AUTH, summary="Call templates")
def call_templates(request):
    """The shipped templates a call can be created from (the form and the call's terms)."""
    return services.templates()


@router.post("/calls", response={201: CallDetailOut}, auth=AUTH, summary="Create a call from a template")
def create_call(request, body: CallCreateIn):
    """A draft call of an organization you manage, its form installed from the template; the
    fields given override the template's terms. 404 for an organization outside your scope,
    403 without a managing role in it."""
    owner = org_selectors.get_organization_for(request.auth, body.owner_id)
    overrides = body.model_dump(exclude={"owner_id", "template", "deadline"}, exclude_none=True)
    with fields_named({"owner": "owner_id"}):
        call = services.create_call_from_template(owner, actor=request.auth, template=body.template, deadline=body.deadline, **overrides)
    return Status(201, call)


@router.get("/calls/projects", response=CallProjectPage, auth=AUTH, summary="Projects")
def list_projects(request, params: Query[CallProjectsFilter]):
    """The approved projects in your scope: the owner's staff, the recommending organization's,
    the applicant's own."""
    qs = selectors.visible_projects(request.auth).order_by("pk")
    if params.call is not None:
        qs = qs.filter(call_id=params.call)
    return page_of(qs, params)


@router.get("/calls/projects/{id}", response=CallProjectDetailOut, auth=AUTH, summary="A project")
def get_project(request, id: ObjectId):
    """The project with its tranches and its ledger (paid, payable, held by a gate, forfeited). 404 outside your scope."""
    return selectors.get_project(id, request.auth)


@router.post("/calls/projects/{id}/midterm", response=CallProjectDetailOut, auth=AUTH, summary="Mid-term review of a project")
def midterm(request, id: ObjectId, body: CallMidtermIn):
    """The owner: pass (the second tranche's gate opens) or fail, with the reason (不予拨付尾款)."""
    project = selectors.get_project(id, request.auth)
    if body.passed:
        return workflow.pass_midterm(project, actor=request.auth)
    return workflow.fail_midterm(project, actor=request.auth, reason=body.reason)


@router.post("/calls/projects/{id}/conclusion", response=CallProjectDetailOut, auth=AUTH, summary="Final acceptance of a project")
def conclusion(request, id: ObjectId, body: CallConclusionIn):
    """The owner: conclude (结项; needs a deliverable) or refuse, with the reason (不予结项)."""
    project = selectors.get_project(id, request.auth)
    if body.concluded:
        return workflow.conclude_project(project, actor=request.auth)
    return workflow.refuse_conclusion(project, actor=request.auth, reason=body.reason)


@router.get("/calls/projects/{id}/payments", response=list[CallPaymentOut], auth=AUTH, summary="Payments of a project")
def list_payments(request, id: ObjectId):
    """The ledger lines (tranche, date, amount, voucher). 404 outside your scope."""
    project = selectors.get_project(id, request.auth)
    return list(project.payments.order_by("paid_on", "pk"))


@router.post("/calls/projects/{id}/payments", response={201: CallPaymentOut}, auth=AUTH, summary="Record a payment")
def record_payment(request, id: ObjectId, body: CallPaymentIn):
    """The owner records a payment of a tranche: refused before the tranche's gate is met
    (409 gate_not_met), beyond what is left of it, or with a voucher number already used."""
    project = selectors.get_project(id, request.auth)
    payment = workflow.record_payment(project, actor=request.auth, tranche=body.tranche, amount=body.amount, paid_on=body.paid_on, voucher=body.voucher)
    return Status(201, payment)


@router.get("/calls/projects/{id}/deliverables", response=CallDeliverablePage, auth=AUTH, summary="Deliverables of a project")
def list_deliverables(request, id: ObjectId, params: Query[PageParams]):
    """Oldest first. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    project = selectors.get_project(id, request.auth)
    return page_of(project.deliverables.order_by("pk"), params)


@router.post("/calls/projects/{id}/deliverables", response={201: CallDeliverableOut}, auth=AUTH, summary="Hand in a deliverable")
def submit_deliverable(request, id: ObjectId, body: Form[CallDeliverableIn], file: File[UploadedFile] = None):
    """The applicant (multipart/form-data): a title, a note and optionally a file (PDF, PNG or
    JPG, at most 20 MB, checked by its content)."""
    project = selectors.get_project(id, request.auth)
    return Status(201, workflow.submit_deliverable(project, actor=request.auth, title=body.title, note=body.note, file=file))


@router.post("/calls/objections/{id}/handle", response=CallObjectionOut, auth=AUTH, summary="Handle an objection")
def handle_objection(request, id: ObjectId, body: CallObjectionHandleIn):
    """The owner records how an objection was handled; an upheld one takes the application out of the selection."""
    objection = selectors.objection_of(id, request.auth)
    return workflow.handle_objection(objection, actor=request.auth, upheld=body.upheld, resolution=body.resolution)


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


@router.post("/calls/applications/{id}/withdraw", response=CallApplicationDetailOut, auth=AUTH, summary="Withdraw an application")
def withdraw_application(request, id: ObjectId, body: CallReasonIn):
    """The applicant withdraws a draft, a submitted or a returned application."""
    application = selectors.get_application(id, request.auth)
    return workflow.withdraw_application(application, actor=request.auth, reason=body.reason)


@router.post("/calls/applications/{id}/decision", response=CallApplicationDetailOut, auth=AUTH, summary="Select or reject an application")
def decide(request, id: ObjectId, body: CallDecisionIn):
    """The owner, after the review meeting: selected (to be announced) or not selected."""
    application = selectors.get_application(id, request.auth)
    if body.selected:
        return workflow.select_application(application, actor=request.auth)
    return workflow.reject_application(application, actor=request.auth, reason=body.reason)


@router.post("/calls/applications/{id}/announce", response=CallApplicationDetailOut, auth=AUTH, summary="Announce an application publicly")
def announce(request, id: ObjectId):
    """The owner: the public announcement (公示) of a selected application, for the call's number of days."""
    application = selectors.get_application(id, request.auth)
    return workflow.announce_application(application, actor=request.auth)


@router.get("/calls/applications/{id}/objections", response=CallObjectionPage, auth=AUTH, summary="Objections to an application")
def list_objections(request, id: ObjectId, params: Query[PageParams]):
    """The objections received and how they were handled: for the owner's staff (403 for others who
    see the application). Oldest first; paginated with `limit`/`offset`, `count` is the total
    before pagination."""
    application = selectors.get_application(id, request.auth)
    if Role.OWNER not in workflow.roles(request.auth, application):
        raise PermissionDenied()
    return page_of(application.objections.order_by("pk"), params)


@router.post("/calls/applications/{id}/objections", response={201: CallObjectionOut}, auth=AUTH, summary="Object to an announced application")
def file_objection(request, id: ObjectId, body: CallObjectionIn):
    """Anyone logged in, during the public announcement (409 before or after it)."""
    application = selectors.application_for_objection(id, request.auth)
    return Status(201, workflow.record_objection(application, actor=request.auth, text=body.text))


@router.post("/calls/applications/{id}/approve", response={201: CallProjectDetailOut}, auth=AUTH, summary="Approve an application as a project")
def approve(request, id: ObjectId, body: CallApproveIn):
    """The owner, after the announcement with every objection handled: the project with its
    amount (within the call's range and budget), start date and tranches."""
    application = selectors.get_application(id, request.auth)
    project = workflow.approve_application(application, actor=request.auth, amount=body.amount, starts_on=body.starts_on)
    return Status(201, selectors.get_project(project.pk, request.auth))


class CallReviewIn(Schema):
    blind: bool = Field(False, description="Reviewers do not see the applicant's name")
    per_item: int = Field(3, ge=1, le=50, description="Reviewers per application")
    max_load: int = Field(6, ge=1, le=1000, description="Most applications per reviewer")
    min_load: int = Field(0, ge=0, le=1000, description="Fewest applications per reviewer")
    candidates_per_item: int = Field(
        200, ge=1, le=100_000, description="Candidates of the assignment: each application's best this many reviewers by affinity, widened if needed"
    )
    min_on_time_rate: float | None = Field(None, ge=0, le=1, description="Leave out reviewers whose on-time rate is lower")
    score_deadline: datetime.datetime | None = None
    criteria: list[dict[str, Any]] | None = Field(None, description='[{"code", "label", "weight", "max_score"}]; default the four of seed 004')
    conflict_rules: dict[str, Any] | None = Field(None, description='{"rules": [codes], "subtree_depth": n, "coauthor_since_year": year}')


class CallMinutesIn(Schema):
    minutes: str = Field(..., max_length=20000, description="Minutes of the review meeting")


def _owned_call(id: int, user):
    """A call whose owner the user manages (404 for everyone else)."""
    call = selectors.managed_calls(user).filter(pk=id).first()
    if call is None:
        raise NotFound()
    return call


@router.post("/calls/{id}/review", response=ReviewRoundOut, auth=AUTH, summary="Open the expert review of a call")
def open_review(request, id: ObjectId, body: CallReviewIn):
    """A review round with an item per application under review (see /api/review/...). The staff of the organization running the call."""
    return reviewing.open_review(_owned_call(id, request.auth), actor=request.auth, **body.dict())


@router.post("/calls/{id}/review/close", response=list[CallApplicationOut], auth=AUTH, summary="Close the expert review: the review meeting")
def close_review(request, id: ObjectId, body: CallMinutesIn):
    """Closes the call's review round and records the review meeting (会评): each application's score (raw mean) and rank."""
    return reviewing.close_review(_owned_call(id, request.auth), actor=request.auth, minutes=body.minutes)


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


def _managed_call(request, id: int):
    """A call the user may see (404 otherwise); the services refuse those who do not manage its
    owner (404 when they cannot see the owner either, else 403)."""
    return selectors.get_call(id, request.auth)


@router.patch("/calls/{id}", response=CallDetailOut, auth=AUTH, summary="Edit a draft call")
def update_call(request, id: ObjectId, body: CallUpdateIn):
    """Only the fields sent change; only while the call is a draft (409 after publication: extend the deadline instead)."""
    call = _managed_call(request, id)
    changes = body.model_dump(exclude_unset=True)
    for key in ("topics", "tranches"):
        if changes.get(key) is not None:
            changes[key] = [{k: str(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in changes[key]]
    return services.update_call(call, actor=request.auth, **changes)


@router.post("/calls/{id}/publish", response=CallDetailOut, auth=AUTH, summary="Publish a call")
def publish_call(request, id: ObjectId):
    """A draft call becomes public and open for applications until its deadline."""
    return services.publish_call(_managed_call(request, id), actor=request.auth)


@router.post("/calls/{id}/close", response=CallDetailOut, auth=AUTH, summary="Close a call")
def close_call(request, id: ObjectId):
    """A published call takes no more applications."""
    return services.close_call(_managed_call(request, id), actor=request.auth)


@router.post("/calls/{id}/extend-deadline", response=CallDetailOut, auth=AUTH, summary="Extend a call's deadline")
def extend_deadline(request, id: ObjectId, body: CallDeadlineIn):
    """A later deadline for a published call, with the reason: audited, and the applicants with
    applications under way and their recommending organizations are told."""
    return services.extend_deadline(_managed_call(request, id), actor=request.auth, deadline=body.deadline, reason=body.reason)


@router.post("/calls/{id}/applications", response={201: CallApplicationDetailOut}, auth=AUTH, summary="Start an application")
def create_application(request, id: ObjectId, body: CallApplicationCreateIn):
    """A draft for an organization in which you hold a managing role (`applicant_id`), of a kind
    the call admits, or for yourself in a call open to individuals; while the call is open."""
    call = selectors.get_call(id, request.auth)
    applicant = None
    if call.eligibility == Eligibility.ORGANIZATIONS:
        if body.applicant_id is None:
            raise DomainError("required", _("Choose the applying organization."), field="applicant_id")
        applicant = org_selectors.get_organization_for(request.auth, body.applicant_id)
    with fields_named({"applicant": "applicant_id"}):
        application = services.create_application(call, actor=request.auth, applicant=applicant, title=body.title, topic=body.topic)
    return Status(201, application)


@router.post("/calls/{id}/review-meeting", response=list[CallApplicationOut], auth=AUTH, summary="Record the review meeting")
def review_meeting(request, id: ObjectId, body: CallReviewMeetingIn):
    """The owner records the review meeting (会评): its minutes and the ranking of every application
    under review, best first, with its score."""
    call = _managed_call(request, id)
    results = [
        ApplicationResult(application=row.application_id, reviews=0, raw_mean=row.score, normalised_mean=0.0, spread=0.0, disagreement=False)
        for row in body.ranking
    ]
    with fields_named({"results": "ranking"}):
        return workflow.record_review_meeting(call, actor=request.auth, minutes=body.minutes, results=results)


@router.get("/calls/{id}/announcement", response=CallAnnouncedPage, auth=AUTH, summary="Public announcement of a call")
def announcement(request, id: ObjectId, params: Query[PageParams]):
    """The applications under public announcement (公示), with the end of the announcement: anyone
    logged in may object to one (POST /calls/applications/{id}/objections)."""
    call = selectors.get_call(id, request.auth)
    return page_of(selectors.announced_applications(call).order_by("rank", "pk"), params)
