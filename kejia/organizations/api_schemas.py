"""The shapes of the organization API (kejia/organizations/api.py): what it reads and what it
answers. Bodies name related objects by id or code (`parent_id`, `region`); answers never carry
personal data beyond what the pages show (a filing's contact phone only masked)."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Path, Schema

from kejia.accounts import scope
from kejia.core.api import PageParams, model_field
from kejia.organizations import selectors, services
from kejia.organizations.kinds import OrgKind, OrgStatus, PartyCoverage, SocietyClass
from kejia.organizations.models import Filing, FilingStatus, Organization

MAX_ID = 2**62  # above this an integer cannot be a primary key (and would overflow SQLite)
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="The object's id")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def request_user(context):
    """The caller, in a resolver: the token's user or the session's."""
    return context["request"].auth


# ---- Organizations -------------------------------------------------------------------------


class RegionRef(Schema):
    code: str
    name: str
    full_name: str
    level: int


class OrgRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class OrgOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    parent_id: int | None
    depth: int
    region: RegionRef | None
    founded_on: datetime.date | None
    term_start: datetime.date | None
    term_end: datetime.date | None
    fulltime_staff: int
    party_coverage: str
    society_class: str
    is_independent_unit: bool | None
    has_party_group: bool | None
    leader_in_charge: str
    leader_in_contact: str
    is_legal_person: bool
    uscc: str
    host_id: int | None
    address: str
    website: str
    description: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class OrgChildOut(OrgOut):
    child_count: int


class OrgDetailOut(OrgOut):
    disciplines: list[str]
    ancestors: list[OrgRef]
    can_manage: bool

    @staticmethod
    def resolve_disciplines(obj) -> list[str]:
        return [d.code for d in obj.disciplines.all()]

    @staticmethod
    def resolve_ancestors(obj, context) -> list[Organization]:
        return selectors.ancestors_visible(request_user(context), obj)

    @staticmethod
    def resolve_can_manage(obj, context) -> bool:
        return scope.can_manage(request_user(context), obj)


class OrgPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgOut]


class OrgChildPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgChildOut]


class KindCount(Schema):
    kind: str
    kind_label: str
    count: int


class SubtreeCountsOut(Schema):
    organization_id: int
    total: int
    kinds: list[KindCount]


class OrgRoleOut(Schema):
    id: int
    user_id: int
    display_name: str
    kind: str
    kind_label: str
    title: str

    @staticmethod
    def resolve_display_name(obj) -> str:
        return str(obj.user)

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class OrgRolePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgRoleOut]


class OrgFilters(PageParams):
    q: str = Field("", max_length=128, description="Part of the name or short name, or the exact code or USCC")
    kind: OrgKind | None = None
    status: OrgStatus | None = None
    region: str = Field("", max_length=12, description="Administrative division code: organizations in it or below")
    within: Id | None = Field(None, description="Organization id: only its subtree (404 outside your scope)")


class OrgCreateIn(Schema):
    name: str = model_field(Organization, "name", ...)
    code: str = model_field(Organization, "code", ...)
    kind: OrgKind
    short_name: str = model_field(Organization, "short_name", "")
    region: str | None = Field(None, max_length=12, description="Administrative division code (GB/T 2260)")
    disciplines: list[str] = Field(default_factory=list, max_length=50, description="Discipline codes (GB/T 13745)")
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    fulltime_staff: int = Field(0, ge=0, le=1_000_000)
    party_coverage: PartyCoverage = PartyCoverage.NONE
    society_class: SocietyClass = SocietyClass.ORDINARY
    is_independent_unit: bool | None = Field(None, description="Provincial, municipal and county associations: independent unit (独立建制)")
    has_party_group: bool | None = Field(None, description="Provincial, municipal and county associations: has a leading party group (党组)")
    leader_in_charge: str = model_field(Organization, "leader_in_charge", "", description="Party committee leader in charge (分管)")
    leader_in_contact: str = model_field(Organization, "leader_in_contact", "", description="Government leader in contact (联系)")
    is_legal_person: bool = False
    uscc: str = Field("", max_length=32, description="Unified social credit code (GB 32100)")
    host_id: Id | None = Field(None, description="Id of the host unit (institution)")
    address: str = model_field(Organization, "address", "")
    website: str = model_field(Organization, "website", "")
    description: str = Field("", max_length=20_000)


class OrgPatchIn(Schema):
    """Only the fields sent are changed."""

    name: str | None = model_field(Organization, "name", None)
    code: str | None = model_field(Organization, "code", None)
    kind: OrgKind | None = None
    short_name: str | None = model_field(Organization, "short_name", None)
    region: str | None = Field(None, max_length=12)
    disciplines: list[str] | None = Field(None, max_length=50)
    founded_on: datetime.date | None = None
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    fulltime_staff: int | None = Field(None, ge=0, le=1_000_000)
    party_coverage: PartyCoverage | None = None
    society_class: SocietyClass | None = None
    is_independent_unit: bool | None = Field(None, description="null clears it (unknown)")
    has_party_group: bool | None = Field(None, description="null clears it (unknown)")
    leader_in_charge: str | None = model_field(Organization, "leader_in_charge", None)
    leader_in_contact: str | None = model_field(Organization, "leader_in_contact", None)
    is_legal_person: bool | None = None
    uscc: str | None = Field(None, max_length=32)
    host_id: Id | None = None
    address: str | None = model_field(Organization, "address", None)
    website: str | None = model_field(Organization, "website", None)
    description: str | None = Field(None, max_length=20_000)


class StatusIn(Schema):
    status: OrgStatus
    reason: str = Field("", max_length=1000)


class MoveIn(Schema):
    new_parent_id: Id


# ---- Coverage ------------------------------------------------------------------------------


class CoverageLevelOut(Schema):
    total: int
    gap_count: int
    gaps: list[RegionRef]


class InstitutionRef(Schema):
    id: int
    name: str
    kind: str
    region_code: str
    region_name: str
    is_large: bool

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.full_name or obj.region.name


class InstitutionGapsOut(Schema):
    kind: str
    kind_label: str
    total: int
    gap_count: int
    gaps: list[InstitutionRef]


class CoverageOut(Schema):
    region: RegionRef
    counties: CoverageLevelOut
    townships: CoverageLevelOut
    institutions: list[InstitutionGapsOut]


# ---- Filings -------------------------------------------------------------------------------


class FilingOut(Schema):
    id: int
    status: str
    status_label: str
    name: str
    kind: str
    kind_label: str
    parent: OrgRef
    region: RegionRef
    host_name: str
    host_uscc: str
    founded_on: datetime.date
    member_count: int
    chair_name: str
    contact_name: str
    contact_phone_masked: str = Field(..., description="The contact's phone, masked (PIPL); never the full number")
    charter_summary: str
    submitted_by_id: int
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    return_reason: str
    organization_id: int | None
    can_edit: bool
    can_decide: bool

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_can_edit(obj, context) -> bool:
        return services.can_edit_filing(request_user(context), obj)

    @staticmethod
    def resolve_can_decide(obj, context) -> bool:
        return obj.status == FilingStatus.SUBMITTED and services.can_decide_filing(request_user(context), obj)


class FilingPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[FilingOut]


class FilingFilters(PageParams):
    box: Literal["decide", "mine"] | None = Field(None, description="`decide`: filings to associations you manage; `mine`: filings you submitted; none: both")
    status: FilingStatus | None = None


class FilingIn(Schema):
    name: str = model_field(Filing, "name", ..., description="Name of the new association")
    kind: OrgKind = Field(..., description="enterprise_assoc or park_assoc")
    parent_id: Id = Field(..., description="Id of the guiding territorial association")
    region: str = Field(..., max_length=12, description="Administrative division code of the host")
    host_name: str = model_field(Filing, "host_name", ...)
    host_uscc: str = Field(..., max_length=32, description="Host's unified social credit code (GB 32100)")
    founded_on: datetime.date
    member_count: int = Field(..., ge=1, le=10_000_000)
    chair_name: str = model_field(Filing, "chair_name", ...)
    contact_name: str = model_field(Filing, "contact_name", ...)
    contact_phone: str = Field(..., max_length=20, description="Mobile phone; stored encrypted, shown masked")
    charter_summary: str = Field("", max_length=20_000)


class ApproveIn(Schema):
    code: str = Field("", max_length=32, description="Code of the new organization (default F + the filing number)")


class ReturnIn(Schema):
    reason: str = Field(..., max_length=2000)


# ---- Audit log -----------------------------------------------------------------------------


class AuditFilters(PageParams):
    action: str = Field("", max_length=64, description="e.g. organization.updated")
    organization: Id | None = Field(None, description="Organization id: events of it and its subtree (404 outside your scope)")


class AuditOut(Schema):
    id: int
    created_at: datetime.datetime
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    organization_id: int | None
    old: dict
    new: dict

    @staticmethod
    def resolve_actor_name(obj) -> str:
        return str(obj.actor) if obj.actor_id else ""


class AuditPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuditOut]
