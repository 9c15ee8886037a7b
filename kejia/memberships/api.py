"""Society membership as JSON: member classes and rules, applications, the named transitions,
dues, certificates, public verification and figures. The same services and selectors as the pages.

Scope: a society's staff (and staff of the associations above it) see its members; a member sees
their own memberships. Outside the scope a membership is a 404; in scope without a staff role, or
a member trying a staff action, a 403. An illegal transition is a 409 with code
`illegal_transition`. Ids in a body that name nothing the caller may use are a 400 naming the
field; an id in a query filter outside the scope is a 404. Applications and supplied information
carry files, so they are sent as multipart/form-data; every other body is JSON."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from kejia.core.api import PageParams, caller, fields_named, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, IllegalTransition, NotFound
from kejia.core.sources import in_words
from kejia.memberships import applications, certificates, dues, member_classes, selectors, transitions, workflow
from kejia.memberships.api_schemas import (
    ApplicationIn,
    CertificateOut,
    ConfirmIn,
    GroupApplicationIn,
    KeysOut,
    MemberClassIn,
    MemberClassOut,
    MemberClassPatch,
    MembershipDetailOut,
    MembershipFilters,
    MembershipPage,
    NoteIn,
    ObjectId,
    OptionalReasonIn,
    OverviewFilters,
    OverviewPage,
    PaymentFilters,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    PaymentReportIn,
    QueueFilters,
    ReasonIn,
    RepresentativeIn,
    RepresentativeOut,
    RulesOut,
    RulesPatch,
    SupplyIn,
    TransferIn,
    VerdictOut,
)
from kejia.memberships.models import GroupRepresentative, MemberClass, Membership
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Institution, Organization
from kejia.people import selectors as people_selectors
from kejia.people.models import Person

router = Router(tags=["memberships"])


def _anonymous(request):
    """The last of the optional-auth callbacks: no credentials is fine (a public read)."""
    return request.user


PUBLIC = [*AUTH, _anonymous]  # a token or a session when given, else anonymous


# ---- Input helpers -------------------------------------------------------------------------

# Services name model fields (`member_class`); bodies name ids (`class_id`).
FIELD_NAMES = {"member_class": "class_id", "society": "society_id", "unit": "unit_id", "contact_person": "contact_person_id", "person": "person_id"}


def _society(pk: int, *, field: str = "society_id") -> Organization:
    """A society named in a body: societies are public (anyone may apply)."""
    try:
        return selectors.get_society(pk)
    except NotFound:
        raise DomainError("unknown_society", _("No learned society has this id."), field=field) from None


def _class_of(society: Organization, pk: int, *, field: str = "class_id") -> MemberClass:
    item = selectors.classes_of(society).filter(pk=pk).first()
    if item is None:
        raise DomainError("unknown_class", _("This society has no member class with this id."), field=field)
    return item


def _person(user, pk: int, *, field: str) -> Person:
    """A person named in a body: one's own profile or one in one's scope."""
    try:
        return people_selectors.get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this id is within your reach."), field=field) from None


def _filter_society(user, pk: int | None, *, field: str = "society_id") -> Organization | None:
    """A society in a query filter: outside the scope it is a 404, as on the pages."""
    if pk is None:
        return None
    org = selectors.visible_societies(user).filter(pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def _documents(names: list[str], files: list[UploadedFile] | None) -> list[tuple[str, Any]]:
    files = files or []
    if len(names) != len(files):
        raise DomainError("document_names", _("Give one document name per file, in the same order."), field="document_names")
    return list(zip(names, files, strict=True))


def _without_nulls(data: dict[str, Any], nullable: set[str] = frozenset()) -> dict[str, Any]:
    for key, value in data.items():
        if value is None and key not in nullable:
            raise DomainError("required", _("This field cannot be empty."), field=key)
    return data


def _membership(request, pk: int, *, manage: bool = False) -> Membership:
    return selectors.get_membership_for(caller(request), pk, manage=manage)


# ---- Member classes and rules --------------------------------------------------------------


@router.get("/societies/{id}/member-classes", response=list[MemberClassOut], auth=PUBLIC, summary="A society's member classes")
def list_member_classes(request, id: ObjectId):
    """Public: the classes open for applications, with dues, eligibility, documents, rights and
    duties. The society's staff see the closed ones too."""
    user = caller(request)
    society = selectors.get_society(id)
    return list(selectors.classes_of(society, open_only=not workflow.can_manage_members(user, society)))


@router.post("/societies/{id}/member-classes", response={201: MemberClassOut}, auth=AUTH, summary="Add a member class")
def create_member_class(request, id: ObjectId, payload: MemberClassIn):
    """Needs a staff role covering the society. Errors name the field."""
    user = caller(request)
    society = selectors.get_managed_society(user, id)
    data = _without_nulls(payload.model_dump(mode="json", exclude_unset=True), {"min_years_in_field"})
    return Status(201, member_classes.create_member_class(society, actor=user, **data))


@router.post(
    "/societies/{id}/member-classes/defaults", response={201: list[MemberClassOut]}, auth=AUTH, summary="Add the standard classes (senior, full, student)"
)
def create_default_classes(request, id: ObjectId):
    """Adds the classes of seed 003 三.1 the society does not have yet (by code); answers those added."""
    user = caller(request)
    society = selectors.get_managed_society(user, id)
    return Status(201, member_classes.create_default_classes(society, actor=user))


@router.patch("/member-classes/{id}", response=MemberClassOut, auth=AUTH, summary="Change a member class")
def update_member_class(request, id: ObjectId, payload: MemberClassPatch):
    """Only the fields sent change; the audit log keeps old and new values. A class with members
    cannot switch between persons and units."""
    user = caller(request)
    item = selectors.get_class_for(user, id, manage=True)
    data = _without_nulls(payload.model_dump(mode="json", exclude_unset=True), {"min_years_in_field"})
    return member_classes.update_member_class(item, actor=user, **data)


def _rules_out(society: Organization) -> dict[str, Any]:
    rules = workflow.rules_of(society)
    return {
        "society_id": society.pk,
        "number_format": rules.number_format,
        "next_seq": rules.next_seq,
        "grace_days": rules.grace_days,
        "reminder_days": rules.reminder_days,
        "growth_bands": rules.growth_bands,
        "staff_bands": rules.staff_bands,
        "source": in_words(rules.source),
    }


@router.get("/societies/{id}/membership-rules", response=RulesOut, auth=AUTH, summary="A society's membership rules")
def get_membership_rules(request, id: ObjectId):
    """Member-number format, dues grace and reminder days, growth targets by size. Anyone whose
    scope covers the society may read them."""
    society = _filter_society(caller(request), id)
    return _rules_out(society)


@router.patch("/societies/{id}/membership-rules", response=RulesOut, auth=AUTH, summary="Change a society's membership rules")
def update_membership_rules(request, id: ObjectId, payload: RulesPatch):
    """Only the fields sent change (a staff role covering the society); each error names its field."""
    user = caller(request)
    society = selectors.get_managed_society(user, id)
    member_classes.update_membership_rules(society, actor=user, **_without_nulls(payload.model_dump(exclude_unset=True)))
    return _rules_out(society)


# ---- Applications (before /memberships/{id}) ----------------------------------------------


@router.post("/memberships/applications", response={201: MembershipDetailOut}, auth=AUTH, summary="Apply for membership")
def apply(request, payload: Form[ApplicationIn], documents: File[list[UploadedFile]] = None):
    """An S&T worker applies for themselves (their account must be linked to their profile:
    POST /people/me/link). multipart/form-data: the fields, then each required document as a
    `documents` file with its name in `document_names` (same order). Eligibility (title level,
    years in the field, student) is checked; a failure names the field."""
    user = caller(request)
    person = people_selectors.my_person(user)
    if person is None:
        raise DomainError("no_profile", _("Link your account to your profile first."), field="person_id")
    society = _society(payload.society_id)
    member_class = _class_of(society, payload.class_id)
    with fields_named(FIELD_NAMES):
        membership = applications.apply_for_membership(
            actor=user,
            society=society,
            member_class=member_class,
            person=person,
            statement=payload.statement,
            is_student=payload.is_student,
            years_in_field=payload.years_in_field,
            documents=_documents(payload.document_names, documents),
        )
    return Status(201, membership)


@router.post("/memberships/group-applications", response={201: MembershipDetailOut}, auth=AUTH, summary="Apply for a unit's (group) membership")
def apply_for_group(request, payload: GroupApplicationIn):
    """The unit's contact person (their own profile) or the society's staff apply for a unit,
    naming its representatives (people in the caller's reach)."""
    user = caller(request)
    society = _society(payload.society_id)
    member_class = _class_of(society, payload.class_id)
    unit = Institution.objects.filter(pk=payload.unit_id).first()  # institutions are public: the base of coverage
    if unit is None:
        raise DomainError("unknown_unit", _("No institution has this id."), field="unit_id")
    contact = _person(user, payload.contact_person_id, field="contact_person_id")
    representatives = [_person(user, pk, field="representative_ids") for pk in dict.fromkeys(payload.representative_ids)]
    with fields_named(FIELD_NAMES):
        membership = applications.apply_for_group_membership(
            actor=user,
            society=society,
            member_class=member_class,
            unit=unit,
            contact_person=contact,
            statement=payload.statement,
            representatives=representatives,
        )
    return Status(201, membership)


# ---- Reading memberships (before /memberships/{id}) ---------------------------------------


@router.get("/memberships/mine", response=MembershipPage, auth=AUTH, summary="My memberships")
def my_memberships(request, page: Query[PageParams]):
    """Your own memberships and applications in every society, and those of units you are the
    contact person for. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(selectors.my_memberships(caller(request)), page)


@router.get("/memberships", response=MembershipPage, auth=AUTH, summary="Search members")
def list_memberships(request, filters: Query[MembershipFilters]):
    """Memberships of the societies in your scope, by society and member number. Filter by
    society, status, class code, kind and text (number or name). Paginated with limit/offset."""
    user = caller(request)
    qs = selectors.search_memberships(
        user,
        society=_filter_society(user, filters.society_id),
        status=filters.status.value if filters.status else "",
        member_class=filters.member_class,
        text=filters.q,
        kind=filters.kind or "",
    )
    return page_of(qs, filters)


@router.get("/memberships/queue", response=MembershipPage, auth=AUTH, summary="Applications waiting for a decision")
def approval_queue(request, filters: Query[QueueFilters]):
    """Applied and more-information-asked applications of the societies you manage, oldest first."""
    user = caller(request)
    qs = selectors.approval_queue(user, society=_filter_society(user, filters.society_id))
    return page_of(qs, filters)


@router.get("/memberships/stats", response=OverviewPage, auth=AUTH, summary="Membership figures of the societies in your scope")
def membership_overview(request, filters: Query[OverviewFilters]):
    """One row per society in your scope (or in the subtree of `root`): members by class and
    status, new and lapsed this year, net growth against the target band, dues collected.
    Paginated with `limit`/`offset`; `count` is the total before pagination."""
    from kejia.memberships.stats import societies_overview

    user = caller(request)
    root = org_selectors.get_organization_for(user, filters.root) if filters.root else None
    return page_of(societies_overview(user, root=root), filters)


@router.get("/memberships/{id}", response=MembershipDetailOut, auth=AUTH, summary="One membership")
def get_membership(request, id: ObjectId):
    """With its events, documents (metadata), representatives, payments, arrears and the next
    year due."""
    return _membership(request, id)


# ---- Transitions ---------------------------------------------------------------------------


@router.post("/memberships/{id}/approve", response=MembershipDetailOut, auth=AUTH, summary="Pass the current approval step")
def approve(request, id: ObjectId, payload: NoteIn | None = None):
    """Each call passes one step of the class's approval steps; the last one makes the applicant
    a member with a number. Nobody decides their own application."""
    user = caller(request)
    membership = _membership(request, id, manage=True)
    return transitions.approve_membership(membership, actor=user, note=payload.note if payload else "")


@router.post("/memberships/{id}/reject", response=MembershipDetailOut, auth=AUTH, summary="Reject an application")
def reject(request, id: ObjectId, payload: ReasonIn):
    """Staff refuse an applied or more-information-asked application; the applicant reads the reason."""
    user = caller(request)
    return transitions.reject_membership(_membership(request, id, manage=True), actor=user, reason=payload.reason)


@router.post("/memberships/{id}/request-info", response=MembershipDetailOut, auth=AUTH, summary="Ask the applicant for more information")
def request_info(request, id: ObjectId, payload: ReasonIn):
    """The application waits for the applicant (POST /memberships/{id}/supply); they read the reason."""
    user = caller(request)
    return transitions.request_more_information(_membership(request, id, manage=True), actor=user, reason=payload.reason)


@router.post("/memberships/{id}/supply", response=MembershipDetailOut, auth=AUTH, summary="Answer a request for more information")
def supply(request, id: ObjectId, payload: Form[SupplyIn], documents: File[list[UploadedFile]] = None):
    """The applicant adds a statement and files (multipart/form-data, as for an application);
    the application goes back to the queue."""
    user = caller(request)
    membership = _membership(request, id)
    return applications.supply_information(membership, actor=user, statement=payload.statement, documents=_documents(payload.document_names, documents))


@router.post("/memberships/{id}/withdraw", response=MembershipDetailOut, auth=AUTH, summary="Withdraw my application")
def withdraw(request, id: ObjectId):
    """The applicant withdraws an application not decided yet."""
    user = caller(request)
    return applications.withdraw_application(_membership(request, id), actor=user)


@router.post("/memberships/{id}/transfer", response=MembershipDetailOut, auth=AUTH, summary="Move a member to another class")
def transfer(request, id: ObjectId, payload: TransferIn):
    """The member number stays; the new class's eligibility is checked; certificates are reissued."""
    user = caller(request)
    membership = _membership(request, id, manage=True)
    member_class = _class_of(membership.society, payload.class_id)
    with fields_named(FIELD_NAMES):
        return transitions.transfer_membership(membership, actor=user, member_class=member_class, note=payload.note)


@router.post("/memberships/{id}/suspend", response=MembershipDetailOut, auth=AUTH, summary="Suspend a member")
def suspend(request, id: ObjectId, payload: ReasonIn):
    """Revokes the member's certificates."""
    user = caller(request)
    return transitions.suspend_membership(_membership(request, id, manage=True), actor=user, reason=payload.reason)


@router.post("/memberships/{id}/reinstate", response=MembershipDetailOut, auth=AUTH, summary="Reinstate a suspended member")
def reinstate(request, id: ObjectId, payload: NoteIn | None = None):
    """A suspended member becomes active again."""
    user = caller(request)
    return transitions.reinstate_membership(_membership(request, id, manage=True), actor=user, note=payload.note if payload else "")


@router.post("/memberships/{id}/terminate", response=MembershipDetailOut, auth=AUTH, summary="Terminate a membership")
def terminate(request, id: ObjectId, payload: ReasonIn):
    """Staff end an active, suspended or lapsed membership; its certificates are revoked."""
    user = caller(request)
    return transitions.terminate_membership(_membership(request, id, manage=True), actor=user, reason=payload.reason)


@router.post("/memberships/{id}/resign", response=MembershipDetailOut, auth=AUTH, summary="Resign my membership")
def resign(request, id: ObjectId, payload: OptionalReasonIn | None = None):
    """The member ends their own membership; its certificates are revoked."""
    user = caller(request)
    return transitions.resign_membership(_membership(request, id), actor=user, reason=payload.reason if payload else "")


@router.post("/memberships/{id}/readmit", response=MembershipDetailOut, auth=AUTH, summary="Take back a former member")
def readmit(request, id: ObjectId, payload: NoteIn | None = None):
    """A lapsed, resigned or terminated member becomes active again with the old number."""
    user = caller(request)
    return transitions.readmit_membership(_membership(request, id, manage=True), actor=user, note=payload.note if payload else "")


# ---- Group representatives -----------------------------------------------------------------


@router.post("/memberships/{id}/representatives", response={201: RepresentativeOut}, auth=AUTH, summary="Add a unit's representative")
def add_representative(request, id: ObjectId, payload: RepresentativeIn):
    """The society's staff or the unit's contact person; the person must be in the caller's reach."""
    user = caller(request)
    membership = _membership(request, id)
    person = _person(user, payload.person_id, field="person_id")
    return Status(201, applications.add_representative(membership, actor=user, person=person, role=payload.role))


@router.delete("/memberships/{id}/representatives/{person_id}", response={204: None}, auth=AUTH, summary="Remove a unit's representative")
def remove_representative(request, id: ObjectId, person_id: ObjectId):
    """The society's staff or the unit's contact person; an unknown representative is a 404."""
    user = caller(request)
    membership = _membership(request, id)
    rep = GroupRepresentative.objects.select_related("membership").filter(membership=membership, person_id=person_id).first()
    if rep is None:
        raise NotFound()
    applications.remove_representative(rep, actor=user)
    return Status(204, None)


# ---- Dues ----------------------------------------------------------------------------------


@router.get("/payments/pending", response=PaymentPage, auth=AUTH, summary="Payments waiting for confirmation")
def pending_payments(request, filters: Query[PaymentFilters]):
    """Reported transfers of the societies you manage, oldest first."""
    user = caller(request)
    qs = selectors.pending_payments(user, society=_filter_society(user, filters.society_id))
    return page_of(qs, filters)


@router.get("/memberships/{id}/payments", response=list[PaymentOut], auth=AUTH, summary="A membership's dues payments")
def list_payments(request, id: ObjectId):
    """Every payment of the membership, newest year first: confirmed, pending and rejected."""
    return list(selectors.payments_of(_membership(request, id)))


@router.post("/memberships/{id}/payments", response={201: PaymentOut}, auth=AUTH, summary="Record dues received")
def record_payment(request, id: ObjectId, payload: PaymentIn):
    """Staff record a confirmed payment: the next year due, at least the class's dues. A lapsed
    member paid up again is renewed."""
    user = caller(request)
    membership = _membership(request, id, manage=True)
    return Status(
        201,
        dues.record_payment(
            membership,
            actor=user,
            year=payload.year,
            amount=payload.amount,
            paid_on=payload.paid_on,
            method=payload.method.value,
            receipt_no=payload.receipt_no,
            reference=payload.reference,
        ),
    )


@router.post("/memberships/{id}/payments/report", response={201: PaymentOut}, auth=AUTH, summary="Report a transfer I made")
def report_payment(request, id: ObjectId, payload: PaymentReportIn):
    """The member reports a bank transfer; staff confirm it when it arrives (POST /payments/{id}/confirm)."""
    user = caller(request)
    return Status(
        201,
        dues.report_payment(
            _membership(request, id), actor=user, year=payload.year, paid_on=payload.paid_on, method=payload.method.value, reference=payload.reference
        ),
    )


@router.post("/memberships/{id}/payments/online", response={201: PaymentOut}, auth=AUTH, summary="Pay the next year due online")
def pay_online(request, id: ObjectId):
    """Through the configured payment gateway; without one, a 400 with code `no_online_payment`."""
    user = caller(request)
    return Status(201, dues.pay_online(_membership(request, id), actor=user))


@router.post("/payments/{id}/confirm", response=PaymentOut, auth=AUTH, summary="Confirm a reported payment")
def confirm_payment(request, id: ObjectId, payload: ConfirmIn | None = None):
    """Staff confirm a reported transfer has arrived; the dues count from then and a lapsed member is renewed."""
    user = caller(request)
    payment = selectors.get_payment_for(user, id)
    return dues.confirm_payment(payment, actor=user, receipt_no=payload.receipt_no if payload else "")


@router.post("/payments/{id}/reject", response=PaymentOut, auth=AUTH, summary="Mark a reported payment as not received")
def reject_payment(request, id: ObjectId, payload: ReasonIn):
    """Staff mark a reported transfer as not received; the member reads the reason and may report again."""
    user = caller(request)
    return dues.reject_payment(selectors.get_payment_for(user, id), actor=user, reason=payload.reason)


# ---- Certificates and public verification --------------------------------------------------


@router.get("/memberships/{id}/certificate", response=CertificateOut, auth=AUTH, summary="The membership certificate")
def get_certificate(request, id: ObjectId):
    """The signed certificate of an active membership for its current validity (issued on first
    need). Not active: a 409 with code `not_active`."""
    membership = _membership(request, id)
    cert = certificates.current_certificate(membership)
    if cert is None:
        raise IllegalTransition("not_active", _("Only an active membership has a certificate."))
    return {
        "serial": cert.serial,
        "kid": cert.key.kid,
        "token": cert.token,
        "verification_url": certificates.verification_url(cert),
        "valid_from": cert.valid_from,
        "valid_until": cert.valid_until,
        "society": membership.society,
        "number": membership.number,
        "member_class": membership.member_class.code,
    }


@router.get("/verify", response=VerdictOut, auth=None, summary="Verify a membership certificate (public)")
def verify(request, token: str = Query(..., max_length=2000, description="The token, or the whole URL the QR code carries")):
    """No login: the signature, the validity dates and the registry (revocation, the membership's
    state). `state` is valid, expired, revoked or forged; the fields carry the name masked."""
    verdict = certificates.check_certificate(token)
    return {"state": verdict.state, "label": verdict.label, "reason": str(verdict.reason), "fields": verdict.fields}


@router.get("/verify/keys", response=KeysOut, auth=None, summary="The published certificate keys (public)")
def verification_keys(request):
    """Every key ever used, so a certificate verifies offline (docs/memberships.md)."""
    return {"algorithm": "Ed25519", "format": "KJ1", "keys": certificates.published_keys()}


# ---- Figures -------------------------------------------------------------------------------


@router.get("/societies/{id}/membership-stats", response=dict[str, Any], auth=AUTH, summary="A society's membership figures")
def society_stats(request, id: ObjectId):
    """Needs a staff role covering the society."""
    from kejia.memberships.stats import society_figures

    society = selectors.get_managed_society(caller(request), id)
    return society_figures(society)
