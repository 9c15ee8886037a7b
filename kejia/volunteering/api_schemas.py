"""The shapes of the volunteering API (kejia/volunteering/api.py). Bodies name related objects by
id (`person_id`, `team_id`, `demand_id`); answers show persons as id and name only. Hours are
decimal strings ("3.50"); in a body they may be a number or a string."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from kejia.core.api import PageParams
from kejia.core.rows import max_length_of
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef
from kejia.organizations.models import Organization
from kejia.volunteering.choices import DemandStatus, ServiceStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, ServiceRecord

__all__ = ["Id", "ObjectId"]

Text = Annotated[str, Field(max_length=5000)]
Line = Annotated[str, Field(max_length=255)]
Place = Annotated[str, Field(max_length=max_length_of(ServiceRecord, "address"))]
HoursIn = Annotated[float, Field(description="Hours, e.g. 3.5")] | Annotated[str, Field(max_length=16)]


class VolunteerPersonRef(Schema):
    id: int
    name: str


# ---- Teams and members ------------------------------------------------------------------------


class TeamOut(Schema):
    id: int
    code: str
    name: str
    status: str
    parent: OrgRef | None
    region: str | None = Field(None, alias="region_id")


class TeamIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=max_length_of(Organization, "name"))]
    code: Annotated[str, Field(min_length=1, max_length=max_length_of(Organization, "code"))]
    founded_on: datetime.date | None = None
    description: Text = ""


class MemberOut(Schema):
    id: int
    team_id: int
    person: VolunteerPersonRef
    role: TeamRole
    joined_on: datetime.date
    left_on: datetime.date | None


class MemberPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MemberOut]


class MemberIn(Schema):
    person_id: Id
    role: TeamRole = TeamRole.MEMBER
    joined_on: datetime.date | None = None


class MemberPatch(Schema):
    role: TeamRole


class LeaveIn(Schema):
    left_on: datetime.date | None = None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]


# ---- Demands ------------------------------------------------------------------------------------


class DemandOut(Schema):
    id: int
    organization: OrgRef
    requester: str
    title: str
    description: str
    region: str | None = Field(None, alias="region_id")
    address: str
    wanted_from: datetime.date
    wanted_until: datetime.date | None
    people_needed: int
    status: DemandStatus
    team: OrgRef | None


class DemandIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=max_length_of(ServiceDemand, "title"))]
    requester: Annotated[str, Field(max_length=max_length_of(ServiceDemand, "requester"))] = ""
    description: Text = ""
    region: Annotated[str, Field(max_length=9)] = Field("", description="Division code; empty: the organization's region")
    address: Annotated[str, Field(max_length=max_length_of(ServiceDemand, "address"))]
    wanted_from: datetime.date
    wanted_until: datetime.date | None = None
    people_needed: Annotated[int, Field(ge=1, le=500)] = 1


class DemandFilters(PageParams):
    status: DemandStatus | None = None
    org_id: Id | None = Field(None, description="Demands posted or taken in this organization's subtree")
    q: Annotated[str, Field(max_length=64)] = ""


class OpenDemandFilters(PageParams):
    q: Annotated[str, Field(max_length=64)] = ""
    region: Annotated[str, Field(max_length=40)] = Field("", description="Region path prefix")


class TakeIn(Schema):
    team_id: Id


class VolunteeringReasonIn(Schema):
    reason: Line = ""


class VolunteeringRequiredReasonIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=255)]


# ---- Services -----------------------------------------------------------------------------------


class HoursRow(Schema):
    person: VolunteerPersonRef
    hours: Decimal


class ParticipantIn(Schema):
    person_id: Id
    hours: HoursIn


class ServiceOut(Schema):
    id: int
    team: OrgRef
    demand_id: int | None
    date: datetime.date
    region: str | None = Field(None, alias="region_id")
    address: str
    people_served: int
    note: str
    status: ServiceStatus
    reject_reason: str
    hours: list[HoursRow]
    total_hours: Decimal

    @staticmethod
    def resolve_hours(obj) -> list:
        rows = getattr(obj, "shown_hours", None)
        return rows if rows is not None else list(obj.hours.select_related("person").order_by("person__name", "id"))

    @staticmethod
    def resolve_total_hours(obj) -> Decimal:
        return sum((h.hours for h in obj.hours.all()), Decimal("0"))


class ServiceIn(Schema):
    date: datetime.date
    address: Place
    people_served: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    region: Annotated[str, Field(max_length=9)] = ""
    note: Text = ""
    demand_id: Id | None = None
    participants: list[ParticipantIn] = Field(..., max_length=500)


class CorrectionIn(Schema):
    reason: Annotated[str, Field(min_length=1, max_length=255)]
    date: datetime.date | None = None
    address: Place | None = None
    people_served: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    note: Text | None = None
    participants: list[ParticipantIn] | None = Field(None, max_length=500, description="Replaces all the hours when given")


class ServiceListItem(Schema):
    id: int
    date: datetime.date
    address: str
    people_served: int
    status: ServiceStatus
    participants: int
    total_hours: Decimal

    @staticmethod
    def resolve_total_hours(obj) -> Decimal:
        return obj.total_hours or Decimal("0")


# ---- Ledger and totals --------------------------------------------------------------------------


class LedgerTeam(Schema):
    team_id: int | None
    name: str | None
    hours: Decimal
    services: int


class LedgerService(Schema):
    id: int
    date: datetime.date
    team: OrgRef
    address: str
    people_served: int
    hours: Decimal = Field(..., alias="my_hours")


class LedgerOut(Schema):
    person: VolunteerPersonRef
    total_hours: Decimal
    services: int
    by_team: list[LedgerTeam]
    shown: list[LedgerService]
    hidden: int = Field(..., description="Services of teams outside the caller's scope (counted in the totals)")


class TotalsOut(Schema):
    org: OrgRef | None
    teams: int
    services: int
    hours: Decimal
    people_served: int
    volunteers: int


class SubtreeOut(Schema):
    totals: TotalsOut
    children: list[TotalsOut]


class PeriodFilters(Schema):
    since: datetime.date | None = None
    until: datetime.date | None = None
