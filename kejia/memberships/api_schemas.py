"""The shapes of the membership API (kejia/memberships/api.py). Bodies name related objects by id
(`society_id`, `class_id`); answers show persons as id and name only, never an identifier or a
phone, and documents as metadata without their content."""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from kejia.core.api import model_field
from kejia.memberships import dues, workflow
from kejia.memberships.choices import MembershipStatus, PaymentMethod, Transition
from kejia.memberships.models import DuesPayment, GroupRepresentative, MemberClass, Membership, MembershipRules
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef, PageParams, request_user

__all__ = ["Id", "ObjectId"]

Amount = Annotated[Decimal, Field(ge=0, lt=Decimal("100000000"), max_digits=10, decimal_places=2)]
Year = Annotated[int, Field(ge=1900, le=2999)]
Name64 = Annotated[str, Field(max_length=64)]


# ---- References ----------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class ClassRef(Schema):
    id: int
    code: str
    name: str
    kind: str
    annual_dues: Decimal


# ---- Member classes and rules --------------------------------------------------------------


class MemberClassOut(Schema):
    id: int
    society_id: int
    code: str
    name: str
    kind: str
    kind_label: str
    annual_dues: Decimal
    min_title_level: str
    min_years_in_field: int | None
    requires_student: bool
    eligibility_note: str
    required_documents: list[str]
    approval_steps: list[str]
    rights: str
    duties: str
    is_open: bool
    sort: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class MemberClassPatch(Schema):
    """Only the fields sent are changed. `required_documents` and `approval_steps` replace the list."""

    code: str | None = model_field(MemberClass, "code", None, description="Letters, digits, - or _; unique in the society")
    name: str | None = model_field(MemberClass, "name", None)
    kind: str | None = model_field(MemberClass, "kind", None, description="senior, full, student, honorary, foreign or group")
    annual_dues: Amount | None = Field(None, description="Yuan per calendar year; 0 for a class without dues")
    min_title_level: str | None = model_field(MemberClass, "min_title_level", None, description="Lowest professional title level, or empty")
    min_years_in_field: int | None = Field(None, ge=0, le=80)
    requires_student: bool | None = None
    eligibility_note: str | None = Field(None, max_length=5000)
    required_documents: list[Name64] | None = Field(None, max_length=20, description="Names of the documents an applicant uploads")
    approval_steps: list[Name64] | None = Field(None, max_length=20, description="The steps an application passes, in order")
    rights: str | None = Field(None, max_length=5000)
    duties: str | None = Field(None, max_length=5000)
    is_open: bool | None = None
    sort: int | None = Field(None, ge=0, le=80)


class MemberClassIn(MemberClassPatch):
    code: str = model_field(MemberClass, "code", ..., description="Letters, digits, - or _; unique in the society")
    name: str = model_field(MemberClass, "name", ...)
    kind: str = model_field(MemberClass, "kind", ..., description="senior, full, student, honorary, foreign or group")


class RulesOut(Schema):
    society_id: int
    number_format: str = Field(..., description="Tokens: {code} {year} {class} {seq} or {seq:05}")
    next_seq: int
    grace_days: int
    reminder_days: int
    growth_bands: list[list[int]] = Field(
        ...,
        description="[members at the start of the year, target % of new members in the year], "
        "sizes rising; a local setting (the seed gives 3 %–10 % or more by size)",
    )
    staff_bands: list[list[int]] = Field(
        ...,
        description="Comprehensive demonstration societies: [active members, target % of full-time "
        "staff], sizes rising; a local setting (the seed gives 1 %–5 % or more by size)",
    )
    source: str = Field(..., description="Where the rules come from (the policy text by its title, and the section)")


class RulesPatch(Schema):
    number_format: str | None = model_field(MembershipRules, "number_format", None)
    next_seq: int | None = None
    grace_days: int | None = None
    reminder_days: int | None = None
    growth_bands: list[list[int]] | None = Field(None, max_length=20)
    staff_bands: list[list[int]] | None = Field(None, max_length=20)


# ---- Memberships ---------------------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    society: OrgRef
    member_class: ClassRef
    person: PersonRef | None
    unit: UnitRef | None
    contact_person: PersonRef | None
    member_name: str
    status: str
    status_label: str
    step: int
    step_name: str = Field(..., description="The approval step an application waits for; empty once decided")
    number: str
    applied_at: datetime.datetime | None
    joined_on: datetime.date | None
    paid_through: datetime.date | None
    ended_on: datetime.date | None
    reason: str

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_step_name(obj) -> str:
        steps = obj.member_class.approval_steps or []
        if obj.status not in (MembershipStatus.APPLIED, MembershipStatus.NEEDS_INFO) or not steps:
            return ""
        return steps[min(obj.step, len(steps) - 1)]


class MembershipEventOut(Schema):
    id: int
    transition: str
    transition_label: str
    from_status: str
    to_status: str
    step_name: str
    note: str
    actor_name: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_transition_label(obj) -> str:
        return str(Transition(obj.transition).label) if obj.transition in Transition.values else obj.transition

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return str(obj.actor) if obj.actor_id else ""


class DocumentOut(Schema):
    id: int
    name: str
    original_name: str
    size: int
    created_at: datetime.datetime


class RepresentativeOut(Schema):
    person: PersonRef
    role: str


class PaymentOut(Schema):
    id: int
    membership_id: int
    society_id: int
    year: int
    amount: Decimal
    paid_on: datetime.date
    method: str
    method_label: str
    receipt_no: str
    reference: str
    status: str
    status_label: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_method_label(obj) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class PendingPaymentOut(PaymentOut):
    member_name: str
    member_number: str
    society_name: str

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.membership.member_name

    @staticmethod
    def resolve_member_number(obj) -> str:
        return obj.membership.number

    @staticmethod
    def resolve_society_name(obj) -> str:
        return obj.society.name


class ArrearOut(Schema):
    year: int
    amount: Decimal


class MembershipDetailOut(MembershipOut):
    statement: str
    is_student: bool
    years_in_field: int | None
    approval_steps: list[str]
    events: list[MembershipEventOut]
    documents: list[DocumentOut]
    representatives: list[RepresentativeOut]
    payments: list[PaymentOut]
    arrears: list[ArrearOut]
    next_year_due: int | None = Field(..., description="The first calendar year not yet paid; null for a class without dues")
    can_manage: bool
    is_own: bool

    @staticmethod
    def resolve_approval_steps(obj) -> list[str]:
        return list(obj.member_class.approval_steps or [])

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_documents(obj) -> list:
        return list(obj.documents.all())

    @staticmethod
    def resolve_representatives(obj) -> list[GroupRepresentative]:
        return list(obj.representatives.select_related("person").order_by("id"))

    @staticmethod
    def resolve_payments(obj) -> list:
        return list(obj.payments.order_by("-year", "-id"))

    @staticmethod
    def resolve_arrears(obj) -> list[dict[str, Any]]:
        return [{"year": year, "amount": amount} for year, amount in dues.arrears(obj)]

    @staticmethod
    def resolve_next_year_due(obj) -> int | None:
        return dues.next_year_due(obj)

    @staticmethod
    def resolve_can_manage(obj, context) -> bool:
        return workflow.can_manage_members(request_user(context), obj.society)

    @staticmethod
    def resolve_is_own(obj, context) -> bool:
        return workflow.is_own(obj, request_user(context))


class MembershipPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MembershipOut]


class MembershipFilters(PageParams):
    society_id: Id | None = Field(None, description="Only this society (404 outside your scope)")
    status: MembershipStatus | None = None
    member_class: str = Field("", max_length=24, description="A class code, e.g. full")
    kind: Literal["individual", "group"] | None = None
    q: str = Field("", max_length=64, description="Part of the member number or the member's name")


class QueueFilters(PageParams):
    society_id: Id | None = Field(None, description="Only this society (404 outside your scope)")


class ApplicationIn(Schema):
    """Sent as multipart/form-data with the files: `documents` (repeated) and `document_names`
    (repeated, in the same order: the name of the required document each file is)."""

    society_id: Id
    class_id: Id
    statement: str = Field("", max_length=5000)
    is_student: bool = False
    years_in_field: int | None = Field(None, ge=0, le=80)
    document_names: list[Name64] = Field(default_factory=list, max_length=20)


class SupplyIn(Schema):
    """Sent as multipart/form-data, with optional files as for an application."""

    statement: str = Field("", max_length=5000)
    document_names: list[Name64] = Field(default_factory=list, max_length=20)


class GroupApplicationIn(Schema):
    society_id: Id
    class_id: Id
    unit_id: Id = Field(..., description="Id of the institution that joins")
    contact_person_id: Id = Field(..., description="Id of the unit's contact person (your own profile, or one in your scope)")
    statement: str = Field("", max_length=5000)
    representative_ids: list[Id] = Field(default_factory=list, max_length=100)


class NoteIn(Schema):
    note: str = Field("", max_length=2000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class OptionalReasonIn(Schema):
    reason: str = model_field(Membership, "reason", "")


class TransferIn(Schema):
    class_id: Id
    note: str = Field("", max_length=2000)


class RepresentativeIn(Schema):
    person_id: Id
    role: str = model_field(GroupRepresentative, "role", "")


# ---- Dues ----------------------------------------------------------------------------------


class PaymentIn(Schema):
    year: Year = Field(..., description="Must be the next year due (dues are paid year by year)")
    amount: Amount
    paid_on: datetime.date | None = Field(None, description="Default today; never in the future")
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    receipt_no: str = model_field(DuesPayment, "receipt_no", "")
    reference: str = model_field(DuesPayment, "reference", "")


class PaymentReportIn(Schema):
    year: Year
    paid_on: datetime.date | None = None
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    reference: str = model_field(DuesPayment, "reference", ..., description="The transfer's reference, so staff can find it")


class ConfirmIn(Schema):
    receipt_no: str = model_field(DuesPayment, "receipt_no", "")


class PaymentFilters(PageParams):
    society_id: Id | None = Field(None, description="Only this society (404 outside your scope)")


class PaymentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PendingPaymentOut]


# ---- Certificates --------------------------------------------------------------------------


class CertificateOut(Schema):
    serial: str
    kid: str
    token: str
    verification_url: str = Field(..., description="What the QR code carries; opens the public check page")
    valid_from: datetime.date
    valid_until: datetime.date
    society: OrgRef
    number: str
    member_class: str


class VerdictOut(Schema):
    state: str = Field(..., description="valid, expired, revoked or forged")
    label: str
    reason: str
    fields: dict[str, str] = Field(..., description="What the certificate says (name masked): serial, society, number, …")


class KeysOut(Schema):
    algorithm: str
    format: str
    keys: dict[str, str] = Field(..., description="kid → raw Ed25519 public key, urlsafe base64 without padding")


# ---- Figures -------------------------------------------------------------------------------


class OverviewPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[dict[str, Any]]


class OverviewFilters(PageParams):
    root: Id | None = Field(None, description="Organization id: only societies in its subtree (404 outside your scope)")
