"""Volunteer service as JSON: teams and members, service demands and their transitions, services
with the hours of each participant, the ledger of a person and the totals of a subtree (and its
services as XLSX). The same services and selectors as the pages.

Scope: a team, a member, a service belong to the team's organization; a demand to its poster (and
to the team that took it); outside the caller's reach they are a 404, seen without the role a write
needs a 403, a transition the state forbids a 409. The open demands are public
(`GET /api/volunteering/demands/open`, no sign-in). Ids in a body that name nothing the caller may
use are a 400 naming the field."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.core.api import PageParams, caller, page_of, window
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound, ValidationFailed
from kejia.organizations import selectors as org_selectors
from kejia.people.selectors import my_person
from kejia.volunteering import access, records, selectors, services
from kejia.volunteering.api_schemas import (
    CorrectionIn,
    DemandFilters,
    DemandIn,
    DemandOut,
    Id,
    LeaveIn,
    LedgerOut,
    MemberIn,
    MemberOut,
    MemberPage,
    MemberPatch,
    ObjectId,
    OpenDemandFilters,
    PeriodFilters,
    ServiceIn,
    ServiceListItem,
    ServiceOut,
    SubtreeOut,
    TakeIn,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    VolunteeringReasonIn,
    VolunteeringRequiredReasonIn,
)
from kejia.volunteering.views import XLSX, services_xlsx

router = Router(tags=["volunteering"])
V = "/volunteering"


def _participants(rows) -> list[tuple[int, str]]:
    return [(row.person_id, str(row.hours)) for row in rows]


def _named(exc: DomainError, mapping: dict[str, str]) -> DomainError:
    if isinstance(exc, ValidationFailed):
        exc.errors = {mapping.get(k, k): v for k, v in exc.errors.items()}
    exc.field = mapping.get(exc.field, exc.field)
    return exc


# ---- Teams and members ------------------------------------------------------------------------


@router.get(f"{V}/teams", response=list[TeamOut], auth=AUTH, summary="Volunteer teams in your scope (and your own)")
def list_teams(request, page: Query[PageParams], org_id: Id | None = None):
    qs = selectors.visible_teams(caller(request)).select_related("parent").order_by("path")
    if org_id:
        org = org_selectors.get_organization_for(caller(request), org_id)
        qs = qs.filter(path__descends=org.path)
    return window(qs, page)


@router.post(f"{V}/orgs/{{id}}/teams", response={201: TeamOut}, auth=AUTH, summary="Form a volunteer team under an organization")
def create_team(request, id: ObjectId, payload: TeamIn):
    user = caller(request)
    parent = org_selectors.get_organization_for(user, id, manage=True)
    return Status(
        201, services.create_team(parent, actor=user, name=payload.name, code=payload.code, founded_on=payload.founded_on, description=payload.description)
    )


@router.get(f"{V}/teams/{{id}}", response=TeamDetailOut, auth=AUTH, summary="A team and its current members")
def get_team(request, id: ObjectId):
    team = selectors.get_team_for(caller(request), id)
    team.members = list(selectors.members_of(team))
    return team


@router.get(f"{V}/teams/{{id}}/members", response=MemberPage, auth=AUTH, summary="A team's members, past ones too")
def list_members(request, id: ObjectId, page: Query[PageParams]):
    """Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(selectors.members_of(selectors.get_team_for(caller(request), id), include_left=True), page)


@router.post(f"{V}/teams/{{id}}/members", response={201: MemberOut}, auth=AUTH, summary="Add a member (the team's staff)")
def add_member(request, id: ObjectId, payload: MemberIn):
    user = caller(request)
    team = selectors.get_team_for(user, id, manage=True)
    person = selectors.person_named_in_input(user, payload.person_id, field="person_id")
    try:
        return Status(201, services.add_member(team, actor=user, person=person, role=payload.role.value, joined_on=payload.joined_on))
    except DomainError as exc:
        raise _named(exc, {"person": "person_id"}) from None


@router.patch(f"{V}/members/{{id}}", response=MemberOut, auth=AUTH, summary="Change a member's role (leader or member)")
def change_member(request, id: ObjectId, payload: MemberPatch):
    user = caller(request)
    return services.change_member_role(selectors.get_member_for(user, id, manage=True), actor=user, role=payload.role.value)


@router.post(f"{V}/members/{{id}}/remove", response=MemberOut, auth=AUTH, summary="A member leaves the team (hours stay in the ledger)")
def remove_member(request, id: ObjectId, payload: LeaveIn | None = None):
    user = caller(request)
    payload = payload or LeaveIn()
    return services.remove_member(selectors.get_member_for(user, id, manage=True), actor=user, left_on=payload.left_on)


# ---- Demands ------------------------------------------------------------------------------------


@router.get(f"{V}/demands/open", response=list[DemandOut], summary="Open service demands (public, no sign-in)")
def open_demands(request, filters: Query[OpenDemandFilters]):
    qs = selectors.open_demands(text=filters.q, region=filters.region)
    return window(qs, filters)


@router.get(f"{V}/demands", response=list[DemandOut], auth=AUTH, summary="Demands posted or taken in your scope")
def list_demands(request, filters: Query[DemandFilters]):
    user = caller(request)
    org = org_selectors.get_organization_for(user, filters.org_id) if filters.org_id else None
    qs = selectors.search_demands(user, status=filters.status.value if filters.status else "", org=org, text=filters.q)
    return window(qs, filters)


@router.post(f"{V}/orgs/{{id}}/demands", response={201: DemandOut}, auth=AUTH, summary="Post a service demand (a grassroots body's staff)")
def post_demand(request, id: ObjectId, payload: DemandIn):
    user = caller(request)
    org = org_selectors.get_organization_for(user, id, manage=True)
    data = payload.dict()
    data["region"] = selectors.get_region(data["region"])
    return Status(201, services.post_demand(org, actor=user, **data))


@router.get(f"{V}/demands/{{id}}", response=DemandOut, auth=AUTH, summary="One demand")
def get_demand(request, id: ObjectId):
    return selectors.get_demand_for(caller(request), id)


@router.post(f"{V}/demands/{{id}}/take", response=DemandOut, auth=AUTH, summary="Take an open demand for a team (open → taken)")
def take_demand(request, id: ObjectId, payload: TakeIn):
    """The team's staff or leader; a team of the demand's county, or any team of staff whose scope
    also covers the poster."""
    user = caller(request)
    demand = selectors.get_demand_for(user, id)
    try:
        team = selectors.get_team_for(user, payload.team_id)
    except NotFound:
        raise DomainError("unknown_team", _("No team with this id is within your reach."), field="team_id") from None
    try:
        return services.take_demand(demand, actor=user, team=team)
    except DomainError as exc:
        raise _named(exc, {"team": "team_id"}) from None


@router.post(f"{V}/demands/{{id}}/withdraw", response=DemandOut, auth=AUTH, summary="The team withdraws (taken → open)")
def withdraw_demand(request, id: ObjectId, payload: VolunteeringReasonIn | None = None):
    user = caller(request)
    return services.withdraw_demand(selectors.get_demand_for(user, id), actor=user, reason=(payload or VolunteeringReasonIn()).reason)


@router.post(f"{V}/demands/{{id}}/complete", response=DemandOut, auth=AUTH, summary="Mark a taken demand done (taken → done)")
def complete_demand(request, id: ObjectId):
    user = caller(request)
    return services.complete_demand(selectors.get_demand_for(user, id), actor=user)


@router.post(f"{V}/demands/{{id}}/cancel", response=DemandOut, auth=AUTH, summary="Cancel a demand (the poster's staff)")
def cancel_demand(request, id: ObjectId, payload: VolunteeringReasonIn | None = None):
    user = caller(request)
    return services.cancel_demand(selectors.get_demand_for(user, id, poster=True), actor=user, reason=(payload or VolunteeringReasonIn()).reason)


# ---- Services -----------------------------------------------------------------------------------


@router.get(f"{V}/teams/{{id}}/services", response=list[ServiceListItem], auth=AUTH, summary="A team's services, newest first")
def list_services(request, id: ObjectId, page: Query[PageParams]):
    team = selectors.get_team_for(caller(request), id)
    return window(selectors.services_of_team(team), page)


@router.post(f"{V}/teams/{{id}}/services", response={201: ServiceOut}, auth=AUTH, summary="Record (staff, leader) or report (member) a service")
def record_service(request, id: ObjectId, payload: ServiceIn):
    """Recorded by the team's staff or leader it is confirmed at once; reported by a member it waits
    for their confirmation. Each participant a member of the team on the date, hours more than 0,
    at most 24 a day per person across all services."""
    user = caller(request)
    team = selectors.get_team_for(user, id)
    demand = None
    if payload.demand_id:
        demand = team.taken_demands.filter(pk=payload.demand_id).first()
        if demand is None:
            raise DomainError("unknown_demand", _("No demand with this id was taken by this team."), field="demand_id")
    try:
        record = records.record_service(
            team,
            actor=user,
            date=payload.date,
            address=payload.address,
            people_served=payload.people_served,
            region=selectors.get_region(payload.region),
            note=payload.note,
            demand=demand,
            participants=_participants(payload.participants),
        )
    except DomainError as exc:
        raise _named(exc, {"hours": "participants", "demand": "demand_id"}) from None
    return Status(201, record)


def _service_out(user, record):
    if not access.can_see_team(user, record.team):  # a former member: their own hours only
        record.shown_hours = list(record.hours.filter(person__user_id=user.pk).select_related("person"))
    return record


@router.get(f"{V}/services/{{id}}", response=ServiceOut, auth=AUTH, summary="One service and its hours")
def get_service(request, id: ObjectId):
    user = caller(request)
    return _service_out(user, selectors.get_service_for(user, id))


@router.post(f"{V}/services/{{id}}/confirm", response=ServiceOut, auth=AUTH, summary="Confirm a reported service (reported → confirmed)")
def confirm_service(request, id: ObjectId):
    user = caller(request)
    return records.confirm_service(selectors.get_service_for(user, id, run=True), actor=user)


@router.post(f"{V}/services/{{id}}/reject", response=ServiceOut, auth=AUTH, summary="Reject a reported service (reported → rejected)")
def reject_service(request, id: ObjectId, payload: VolunteeringRequiredReasonIn):
    user = caller(request)
    return records.reject_service(selectors.get_service_for(user, id, run=True), actor=user, reason=payload.reason)


@router.post(f"{V}/services/{{id}}/correct", response=ServiceOut, auth=AUTH, summary="Correct a service (audited, with a reason)")
def correct_service(request, id: ObjectId, payload: CorrectionIn):
    user = caller(request)
    record = selectors.get_service_for(user, id, run=True)
    changes = payload.dict(exclude_unset=True, exclude={"reason", "participants"})
    if payload.participants is not None:
        changes["participants"] = _participants(payload.participants)
    try:
        return records.correct_service(record, actor=user, reason=payload.reason, **changes)
    except DomainError as exc:
        raise _named(exc, {"hours": "participants"}) from None


# ---- Ledger and totals --------------------------------------------------------------------------


def _ledger_out(ledger) -> dict:
    return {
        "person": ledger.person,
        "total_hours": ledger.total,
        "services": ledger.services,
        "hidden": ledger.hidden,
        "shown": ledger.shown,
        "by_team": [
            {"team_id": r["team_id"] if r["visible"] else None, "name": r["name"] if r["visible"] else None, "hours": r["hours"], "services": r["services"]}
            for r in ledger.by_team
        ],
    }


@router.get(f"{V}/me/ledger", response=LedgerOut, auth=AUTH, summary="My volunteer hours across all teams")
def my_ledger(request):
    user = caller(request)
    person = my_person(user)
    if person is None:
        raise NotFound(_("Your account is not linked to a profile in the talent database."))
    return _ledger_out(selectors.person_ledger(user, person))


@router.get(f"{V}/people/{{id}}/ledger", response=LedgerOut, auth=AUTH, summary="A person's volunteer hours (themselves, or staff in scope)")
def person_ledger(request, id: ObjectId):
    user = caller(request)
    return _ledger_out(selectors.person_ledger(user, selectors.get_ledger_person_for(user, id)))


def _totals_out(t) -> dict:
    return {"org": t.org, "teams": t.teams, "services": t.services, "hours": t.hours, "people_served": t.people_served, "volunteers": t.volunteers}


@router.get(f"{V}/orgs/{{id}}/totals", response=SubtreeOut, auth=AUTH, summary="Totals of a subtree and of each child")
def subtree_totals(request, id: ObjectId, filters: Query[PeriodFilters]):
    """Confirmed services of the teams in the organization's subtree: teams, services, hours,
    people served, distinct volunteers; one row per child (a sibling's teams never counted)."""
    org = org_selectors.get_organization_for(caller(request), id)
    period = {"since": filters.since, "until": filters.until}
    return {"totals": _totals_out(selectors.subtree_totals(org, **period)), "children": [_totals_out(t) for t in selectors.child_breakdown(org, **period)]}


@router.get(
    f"{V}/orgs/{{id}}/services/export",
    auth=AUTH,
    summary="The subtree's services as XLSX",
    openapi_extra={"responses": {200: {"description": "An XLSX workbook", "content": {XLSX: {}}}}},
)
def export_services(request, id: ObjectId, filters: Query[PeriodFilters]):
    org = org_selectors.get_organization_for(caller(request), id)
    response = HttpResponse(services_xlsx(org, selectors.subtree_services(org, since=filters.since, until=filters.until)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kejia-volunteering-{org.pk}.xlsx"'
    return response
