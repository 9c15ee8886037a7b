"""Scoped reads of volunteer service, and the ledger of hours.

Scope: staff see the teams, members, demands and services of their subtree (a demand by its
poster or by the team that took it); a team's members see their team; everyone sees the open
demands (no personal data in them); a S&T worker sees their own hours. The ledger counts the
confirmed services only, across every team of every organization; subtree totals group them by
the path of the team's organization, in one statement (SQLite and PostgreSQL alike)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.organizations.kinds import OrgKind
from kejia.organizations.models import PATH_SEGMENT, Organization
from kejia.people.models import Person
from kejia.reference import selectors as reference
from kejia.reference.models import Region
from kejia.volunteering import access
from kejia.volunteering.choices import DemandStatus, ServiceStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, ServiceHours, ServiceRecord, TeamMember

CENT = Decimal("0.01")


def _uid(user):
    return user.pk if getattr(user, "is_authenticated", False) else None


# ---- Teams and members ------------------------------------------------------------------------


def _teams() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=OrgKind.VOLUNTEER_TEAM)


def visible_teams(user) -> QuerySet[Organization]:
    """Teams in the user's scope, and the teams they are a member of."""
    q = scope.scope_q(user, "path")
    if q is None:
        return _teams()
    return _teams().filter(q | Q(Exists(TeamMember.objects.filter(team=OuterRef("pk"), person__user_id=_uid(user), left_on__isnull=True))))


def teams_user_runs(user) -> QuerySet[Organization]:
    """Teams whose demands and services the user handles: staff scope, or as the team's leader."""
    q = scope.scope_q(user, "path", scope.MANAGE_KINDS)
    led = Q(team_members__person__user_id=_uid(user), team_members__left_on__isnull=True, team_members__role=TeamRole.LEADER)
    if q is None:
        return _teams()
    return _teams().filter(pk__in=_teams().filter(q | led).values("pk"))


def get_team_for(user, pk, *, manage: bool = False, run: bool = False) -> Organization:
    """A team the user may see (404 otherwise); `manage` asks for its staff (members), `run` for
    its staff or leader (services, demands): 403 when seen without that role."""
    team = _teams().select_related("region", "parent").filter(pk=pk).first()
    if team is None or not access.can_see_team(user, team):
        raise NotFound()
    if manage and not access.can_manage_team(user, team):
        raise PermissionDenied()
    if run and not access.can_run_team(user, team):
        raise PermissionDenied()
    return team


def members_of(team: Organization, *, include_left: bool = False) -> QuerySet[TeamMember]:
    qs = TeamMember.objects.filter(team=team).select_related("person")
    if not include_left:
        qs = qs.filter(left_on__isnull=True)
    return qs.order_by("left_on", "role", "person__name", "id")


def get_member_for(user, pk, *, manage: bool = False) -> TeamMember:
    member = TeamMember.objects.select_related("team", "person").filter(pk=pk).first()
    if member is None or not access.can_see_team(user, member.team):
        raise NotFound()
    if manage and not access.can_manage_team(user, member.team):
        raise PermissionDenied()
    return member


def my_memberships(user) -> QuerySet[TeamMember]:
    if _uid(user) is None:
        return TeamMember.objects.none()
    return TeamMember.objects.filter(person__user_id=_uid(user)).select_related("team").order_by("left_on", "-joined_on")


# ---- Demands ------------------------------------------------------------------------------------


def _demands() -> QuerySet[ServiceDemand]:
    return ServiceDemand.objects.select_related("organization", "team", "region")


def visible_demands(user) -> QuerySet[ServiceDemand]:
    """Demands posted in the user's scope or taken by a team in it (or by one of their teams)."""
    posted = scope.scope_q(user, "organization__path")
    if posted is None:
        return _demands()
    taken = scope.scope_q(user, "team__path")
    mine = Q(Exists(TeamMember.objects.filter(team=OuterRef("team_id"), person__user_id=_uid(user), left_on__isnull=True)))
    return _demands().filter(posted | taken | mine)


def open_demands(*, text: str = "", region: str = "") -> QuerySet[ServiceDemand]:
    """The public list: open demands, soonest first."""
    qs = _demands().filter(status=DemandStatus.OPEN)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(requester__icontains=text) | Q(organization__name__icontains=text))
    if region:
        qs = qs.filter(region__path__startswith=region)
    return qs.order_by("wanted_from", "id")


def can_see_demand(user, demand: ServiceDemand) -> bool:
    if demand.status == DemandStatus.OPEN or scope.can_view(user, demand.organization):
        return True
    return demand.team_id is not None and access.can_see_team(user, demand.team)


def get_demand_for(user, pk, *, poster: bool = False) -> ServiceDemand:
    """A demand the user may see; `poster` asks for the posting organization's staff (403 else)."""
    demand = _demands().filter(pk=pk).first()
    if demand is None or not can_see_demand(user, demand):
        raise NotFound()
    if poster and not scope.can_manage(user, demand.organization):
        raise PermissionDenied()
    return demand


def teams_for_demand(user, demand: ServiceDemand) -> list[Organization]:
    """The active teams the user may take this demand for."""
    from kejia.organizations.kinds import OrgStatus
    from kejia.volunteering.services import reaches

    if demand.status != DemandStatus.OPEN:
        return []
    # `teams_user_runs` already holds only teams the user runs: no query per team.
    candidates = teams_user_runs(user).filter(status=OrgStatus.ACTIVE).order_by("path")[:200]
    return [team for team in candidates if reaches(user, demand, team)]


def search_demands(user, *, status: str = "", org: Organization | None = None, text: str = "") -> QuerySet[ServiceDemand]:
    qs = visible_demands(user)
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(Q(organization__path__descends=org.path) | Q(team__path__descends=org.path))
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(requester__icontains=text) | Q(organization__name__icontains=text))
    return qs.order_by("-wanted_from", "-id")


# ---- Services -----------------------------------------------------------------------------------


def _records() -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.select_related("team", "demand", "region")


def can_see_service(user, record: ServiceRecord) -> bool:
    if access.can_see_team(user, record.team):
        return True
    uid = _uid(user)
    return uid is not None and record.hours.filter(person__user_id=uid).exists()


def get_service_for(user, pk, *, run: bool = False) -> ServiceRecord:
    record = _records().filter(pk=pk).first()
    if record is None or not can_see_service(user, record):
        raise NotFound()
    if run and not access.can_run_team(user, record.team):
        raise PermissionDenied()
    return record


def services_of_team(team: Organization) -> QuerySet[ServiceRecord]:
    return _records().filter(team=team).annotate(participants=Count("hours"), total_hours=Sum("hours__hours")).order_by("-date", "-id")


def hours_rows(record: ServiceRecord) -> QuerySet[ServiceHours]:
    return record.hours.select_related("person").order_by("person__name", "id")


def pending_services(user) -> QuerySet[ServiceRecord]:
    """Services reported by members, waiting for the user (staff or leader) to confirm them."""
    return (
        _records()
        .filter(status=ServiceStatus.REPORTED, team__in=teams_user_runs(user))
        .annotate(participants=Count("hours"), total_hours=Sum("hours__hours"))
        .order_by("date", "id")
    )


# ---- The ledger ---------------------------------------------------------------------------------


def hours_of_person(person: Person) -> Decimal:
    """All confirmed volunteer hours of a person, across every team and organization."""
    total = ServiceHours.objects.filter(person=person, record__status=ServiceStatus.CONFIRMED).aggregate(total=Sum("hours"))["total"]
    return (total or Decimal("0")).quantize(CENT)


def services_of_person(person: Person) -> QuerySet[ServiceRecord]:
    """The confirmed services a person took part in, newest first, each with `my_hours`."""
    mine = ServiceHours.objects.filter(record=OuterRef("pk"), person=person).values("hours")[:1]
    return _records().filter(status=ServiceStatus.CONFIRMED, hours__person=person).annotate(my_hours=Subquery(mine)).order_by("-date", "-id")


@dataclass
class Ledger:
    person: Person
    total: Decimal
    services: int
    by_team: list[dict] = field(default_factory=list)
    shown: list = field(default_factory=list)  # the services the viewer may see
    hidden: int = 0  # services of teams outside the viewer's scope (counted in the total)


def person_ledger(user, person: Person, *, limit: int = 200) -> Ledger:
    """The person's ledger as `user` may see it: the total and the per-team sums always (one
    ledger across all teams); the services themselves only of teams in the viewer's scope,
    unless the viewer is the person."""
    rows = list(
        ServiceHours.objects.filter(person=person, record__status=ServiceStatus.CONFIRMED)
        .values("record__team_id", "record__team__name", "record__team__path")
        .annotate(hours=Sum("hours"), services=Count("record"))
        .order_by("-hours")
    )
    own = person.user_id is not None and person.user_id == _uid(user)
    services = list(services_of_person(person)[:limit])
    shown = services if own else [s for s in services if scope.can_view(user, s.team)]
    by_team = [
        {
            "team_id": r["record__team_id"],
            "name": r["record__team__name"],
            "hours": r["hours"].quantize(CENT),
            "services": r["services"],
            "visible": own or scope.covers(user, r["record__team__path"]),
        }
        for r in rows
    ]
    return Ledger(
        person=person, total=hours_of_person(person), services=sum(r["services"] for r in rows), by_team=by_team, shown=shown, hidden=len(services) - len(shown)
    )


def person_named_in_input(user, pk, *, field: str) -> Person:
    """A person of the talent database the user may see, named by number in a form or payload:
    an error next to `field` otherwise (views and API alike)."""
    from kejia.people.selectors import get_person_for

    try:
        return get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this number in the talent database you can see."), field=field) from None


def get_region(code: str, *, field: str = "region") -> Region | None:
    """The division with this code (None for a blank code), or an error next to `field`."""
    code = (code or "").strip()
    if not code:
        return None
    region = reference.get_region(code)
    if region is None:
        raise DomainError("unknown_region", _("No division has this code."), field=field)
    return region


def get_ledger_person_for(user, pk) -> Person:
    """The person themselves, or staff whose talent database holds them (a team lists its members)."""
    from kejia.people.selectors import get_person_for

    return get_person_for(user, pk)


# ---- Subtree totals -------------------------------------------------------------------------------


@dataclass
class Totals:
    key: str
    org: Organization | None = None
    teams: int = 0
    services: int = 0
    hours: Decimal = Decimal("0.00")
    people_served: int = 0
    volunteers: int = 0


def _grouped(org: Organization, width: int, *, since=None, until=None) -> dict[str, Totals]:
    """Teams, confirmed services, hours, people served and distinct volunteers of `org`'s subtree,
    grouped by the first `width` characters of the team's organization path: one statement of three
    grouped subqueries (teams, services, hours) joined on that prefix."""
    confirmed = Q(status=ServiceStatus.CONFIRMED)
    if since:
        confirmed &= Q(date__gte=since)
    if until:
        confirmed &= Q(date__lte=until)
    teams = _teams().filter(path__descends=org.path).annotate(prefix=Substr("path", 1, width)).values("prefix").annotate(teams=Count("id")).order_by()
    records = (
        ServiceRecord.objects.filter(confirmed, team__path__descends=org.path)
        .annotate(prefix=Substr("team__path", 1, width))
        .values("prefix")
        .annotate(services=Count("id"), served=Sum("people_served"))
        .order_by()
    )
    hours_q = Q(record__status=ServiceStatus.CONFIRMED, record__team__path__descends=org.path)
    if since:
        hours_q &= Q(record__date__gte=since)
    if until:
        hours_q &= Q(record__date__lte=until)
    hours = (
        ServiceHours.objects.filter(hours_q)
        .annotate(prefix=Substr("record__team__path", 1, width))
        .values("prefix")
        .annotate(hours=Sum("hours"), volunteers=Count("person_id", distinct=True))
        .order_by()
    )
    parts = [qs.query.sql_with_params() for qs in (teams, records, hours)]
    sql = (
        "SELECT t.prefix, t.teams, r.services, r.served, h.hours, h.volunteers "
        f"FROM ({parts[0][0]}) t LEFT JOIN ({parts[1][0]}) r ON r.prefix = t.prefix LEFT JOIN ({parts[2][0]}) h ON h.prefix = t.prefix"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parts[0][1], *parts[1][1], *parts[2][1]])
        rows = cursor.fetchall()
    out = {}
    for prefix, n_teams, services, served, hours_sum, volunteers in rows:
        out[prefix] = Totals(
            key=prefix,
            teams=n_teams or 0,
            services=services or 0,
            people_served=int(served or 0),
            hours=Decimal(str(hours_sum or 0)).quantize(CENT),
            volunteers=volunteers or 0,
        )
    return out


def subtree_totals(org: Organization, *, since=None, until=None) -> Totals:
    """The whole subtree of `org` (the org itself and everything below), in one statement."""
    found = _grouped(org, len(org.path), since=since, until=until)
    totals = found.get(org.path) or Totals(key=org.path)
    totals.org = org
    return totals


def child_breakdown(org: Organization, *, since=None, until=None) -> list[Totals]:
    """One row per child of `org` with volunteer teams in its subtree (and one for `org` itself
    when it is a team), in one statement; a child's row never counts a sibling's teams."""
    found = _grouped(org, len(org.path) + PATH_SEGMENT, since=since, until=until)
    orgs = {o.path: o for o in Organization.objects.filter(path__in=list(found)).only("pk", "name", "code", "kind", "path")}
    rows = []
    for prefix, totals in found.items():
        totals.org = orgs.get(prefix)
        if totals.org is not None:
            rows.append(totals)
    return sorted(rows, key=lambda t: (-t.hours, t.org.path))


def subtree_services(org: Organization, *, since=None, until=None) -> QuerySet[ServiceRecord]:
    """The services of the teams in `org`'s subtree (rejected ones left out), for the export."""
    qs = (
        _records()
        .filter(team__path__descends=org.path)
        .exclude(status=ServiceStatus.REJECTED)
        .prefetch_related("hours__person")
        .order_by("-date", "team__path", "id")
    )
    if since:
        qs = qs.filter(date__gte=since)
    if until:
        qs = qs.filter(date__lte=until)
    return qs
