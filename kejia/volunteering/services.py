"""Writes of volunteer service: teams and their members, service demands and their transitions.
Services given (with the hours of each participant) are written in `records.py`. Each write runs
in one transaction, checks who acts (`access.py`), writes an audit event and sends its notices
after commit. Rules: seed 002 §(7) (三长 lead volunteer teams) and §(11) (科技志愿服务工作机制,
精准开展科技为民志愿服务)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.organizations.services import create_organization
from kejia.people.choices import ListingRole, PersonStatus
from kejia.people.models import Listing
from kejia.volunteering import access
from kejia.volunteering.choices import POSTER_KINDS, DemandStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, TeamMember
from kejia.volunteering.workflow import EARLIEST, clean_text, link, parse_date, require_active_team, require_team, today  # noqa: F401 (EARLIEST, parse_date, today: this module's API too)

TEXT_MAX = 5000


# ---- Teams and members ------------------------------------------------------------------------


@transaction.atomic
def create_team(parent: Organization, *, actor, name: str, code: str, region=None, founded_on: Any = None, description: str = "") -> Organization:
    """A volunteer team guided by `parent` (a county association, a university association, a
    society …): an organization of kind `volunteer_team` in the tree."""
    if not scope.can_manage(actor, parent):
        raise PermissionDenied(_("Only the organization's staff may do this."))
    if parent.kind == OrgKind.VOLUNTEER_TEAM:
        raise DomainError("team_under_team", _("A volunteer team is formed by an association or a society, not by another team."), field="parent")
    name = clean_text(name, "name", limit=128, required=True)
    code = clean_text(code, "code", limit=32, required=True)
    if Organization.objects.filter(code=code).exists():
        raise DomainError("duplicate_code", _("An organization with this code exists already."), field="code")
    team = create_organization(
        actor=actor,
        parent=parent,
        name=name,
        code=code,
        kind=OrgKind.VOLUNTEER_TEAM,
        region=region or parent.region,
        founded_on=parse_date(founded_on, "founded_on", required=False),
        description=clean_text(description, "description", limit=TEXT_MAX),
    )
    return team


@transaction.atomic
def add_member(team: Organization, *, actor, person, role: str = TeamRole.MEMBER, joined_on: Any = None) -> TeamMember:
    """A person of the talent database joins the team (listed by it as a volunteer, so the team's
    staff find them)."""
    require_active_team(team)
    if not access.can_manage_team(actor, team):
        raise PermissionDenied(_("Only the team's staff may change its members."))
    if role not in TeamRole.values:
        raise DomainError("invalid_role", _("Choose a role from the list."), field="role")
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("person_inactive", _("This profile is no longer active."), field="person")
    joined_on = parse_date(joined_on, "joined_on", required=False) or today()
    if joined_on > today():
        raise DomainError("future_date", _("The date cannot be in the future."), field="joined_on")
    member = TeamMember(team=team, person=person, role=role, joined_on=joined_on)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise DomainError("already_member", _("This person is already a member of this team."), field="person") from None
    if not Listing.objects.filter(person=person, organization=team, role=ListingRole.VOLUNTEER).exists():
        Listing.objects.create(person=person, organization=team, role=ListingRole.VOLUNTEER)
    record_event(actor=actor, action="team_member.added", obj=member, organization=team, new={"person": person.pk, "role": role, "joined_on": joined_on})
    if person.user_id:
        notify(
            kind="volunteering.member_added",
            user=person.user,
            link=link("team", team.pk),
            subject=_("You joined the volunteer team %(team)s") % {"team": team.name},
        )
    return member


@transaction.atomic
def change_member_role(member: TeamMember, *, actor, role: str) -> TeamMember:
    if not access.can_manage_team(actor, member.team):
        raise PermissionDenied(_("Only the team's staff may change its members."))
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise IllegalTransition("member_left", _("This person has left the team."))
    if role not in TeamRole.values:
        raise DomainError("invalid_role", _("Choose a role from the list."), field="role")
    old = member.role
    if old == role:
        return member
    member.role = role
    member.save(update_fields=["role", "updated_at"])
    record_event(actor=actor, action="team_member.role_changed", obj=member, organization=member.team, old={"role": old}, new={"role": role})
    return member


@transaction.atomic
def remove_member(member: TeamMember, *, actor, left_on: Any = None) -> TeamMember:
    """The person leaves the team; their hours stay in the ledger."""
    if not access.can_manage_team(actor, member.team):
        raise PermissionDenied(_("Only the team's staff may change its members."))
    member = TeamMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise IllegalTransition("member_left", _("This person has left the team."))
    left_on = parse_date(left_on, "left_on", required=False) or today()
    if left_on < member.joined_on:
        raise DomainError("invalid_dates", _("A member leaves after joining (%(date)s).") % {"date": member.joined_on}, field="left_on")
    if left_on > today():
        raise DomainError("future_date", _("The date cannot be in the future."), field="left_on")
    member.left_on = left_on
    member.save(update_fields=["left_on", "updated_at"])
    record_event(actor=actor, action="team_member.removed", obj=member, organization=member.team, new={"left_on": left_on})
    return member


# ---- Service demands --------------------------------------------------------------------------


def reach_of(org: Organization) -> str:
    """The path of the county subtree whose teams may take a demand of `org`: the nearest county
    association at or above it (the organization itself when none is)."""
    if org.kind == OrgKind.COUNTY_ASSOCIATION:
        return org.path
    county = Organization.objects.filter(pk__in=org.ancestor_ids, kind=OrgKind.COUNTY_ASSOCIATION).order_by("-depth").values_list("path", flat=True).first()
    return county or org.path


def can_take_for(user, demand: ServiceDemand, team: Organization) -> bool:
    """A team takes a demand of its own county subtree, run by its staff or leader; staff whose
    scope covers both the demand's poster and the team may send any of their teams (a society's
    team to a township, say)."""
    return access.is_team(team) and access.can_run_team(user, team) and reaches(user, demand, team)


def reaches(user, demand: ServiceDemand, team: Organization) -> bool:
    """The demand is within the team's reach for this user (who already runs the team)."""
    if team.path.startswith(demand.reach_path):
        return True
    return scope.can_manage(user, team) and scope.can_view(user, demand.organization)


DEMAND_FIELDS = ("requester", "title", "description", "region", "address", "wanted_from", "wanted_until", "people_needed")


def _clean_demand(org: Organization, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    unknown = set(data) - set(DEMAND_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
    checks = {
        "title": lambda v: clean_text(v, "title", limit=128, required=True),
        "requester": lambda v: clean_text(v, "requester", limit=128),
        "description": lambda v: clean_text(v, "description", limit=TEXT_MAX),
        "address": lambda v: clean_text(v, "address", limit=255, required=True),
        "wanted_from": lambda v: parse_date(v, "wanted_from"),
        "wanted_until": lambda v: parse_date(v, "wanted_until", required=False),
    }
    for name, check in checks.items():
        try:
            out[name] = check(data.get(name))
        except DomainError as exc:
            errors[name] = [str(exc.message)]
    raw = data.get("people_needed")
    try:
        needed = 1 if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        needed = 0
    if not 1 <= needed <= 500:
        errors["people_needed"] = [str(_("Enter a whole number from 1 to 500."))]
    out["people_needed"] = needed
    region = data.get("region") or org.region
    if region is not None and org.region_id and not region.path.startswith(org.region.path):
        errors["region"] = [str(_("The place lies outside the region of the posting organization."))]
    out["region"] = region
    if out.get("wanted_from") and out.get("wanted_until") and out["wanted_until"] < out["wanted_from"]:
        errors["wanted_until"] = [str(_("The last day comes on or after the first."))]
    if errors:
        raise ValidationFailed(errors)
    return out


@transaction.atomic
def post_demand(org: Organization, *, actor, **data: Any) -> ServiceDemand:
    """A grassroots body (county, township, community association; a rural technical association
    or a service station) asks for volunteer service, for itself or for a school or village it names."""
    if not scope.can_manage(actor, org):
        raise PermissionDenied(_("Only the organization's staff may do this."))
    if org.kind not in POSTER_KINDS:
        raise DomainError("not_grassroots", _("Service demands are posted by county, township and community associations."), field="organization")
    if org.status != OrgStatus.ACTIVE:
        raise DomainError("org_inactive", _("This organization is not active."), field="organization")
    clean = _clean_demand(org, data)
    demand = ServiceDemand.objects.create(organization=org, reach_path=reach_of(org), posted_by=actor if actor.pk else None, **clean)
    record_event(actor=actor, action="demand.posted", obj=demand, organization=org, new={k: v for k, v in clean.items() if k != "description"})
    return demand


def _locked(demand: ServiceDemand) -> ServiceDemand:
    return ServiceDemand.objects.select_for_update(of=("self",)).select_related("organization", "team").get(pk=demand.pk)


def illegal(demand: ServiceDemand, action: str) -> IllegalTransition:
    return IllegalTransition(
        "illegal_transition", _("A demand that is %(status)s cannot be %(action)s.") % {"status": demand.get_status_display(), "action": action}
    )


def _require_poster_staff(actor, demand: ServiceDemand) -> None:
    if not scope.can_manage(actor, demand.organization):
        raise PermissionDenied(_("Only the staff of the organization that posted the demand may do this."))


@transaction.atomic
def take_demand(demand: ServiceDemand, *, actor, team: Organization) -> ServiceDemand:
    """open → taken: a team commits to the service."""
    require_active_team(team)
    if not access.can_run_team(actor, team):
        raise PermissionDenied(_("Only the team's staff or leader may take a demand for it."))
    if not can_take_for(actor, demand, team):
        raise DomainError("out_of_reach", _("This team may not take the demand: it is for the teams of %(org)s.") % {"org": _reach_name(demand)}, field="team")
    demand = _locked(demand)
    if demand.status != DemandStatus.OPEN:
        raise illegal(demand, _("taken"))
    demand.status, demand.team, demand.taken_by, demand.taken_at = DemandStatus.TAKEN, team, actor, timezone.now()
    demand.save(update_fields=["status", "team", "taken_by", "taken_at", "updated_at"])
    record_event(
        actor=actor,
        action="demand.taken",
        obj=demand,
        organization=demand.organization,
        old={"status": DemandStatus.OPEN},
        new={"status": demand.status, "team": team.pk},
    )
    if demand.posted_by_id:
        notify(
            kind="volunteering.demand_taken",
            user=demand.posted_by,
            link=link("demand", demand.pk),
            subject=_("%(team)s took your demand “%(title)s”") % {"team": team.name, "title": demand.title},
        )
    return demand


def _reach_name(demand: ServiceDemand) -> str:
    org = Organization.objects.filter(path=demand.reach_path).only("name").first()
    return org.name if org else demand.organization.name


@transaction.atomic
def withdraw_demand(demand: ServiceDemand, *, actor, reason: str = "") -> ServiceDemand:
    """taken → open: the team cannot serve after all; the demand is open to others again."""
    demand = _locked(demand)
    if demand.status != DemandStatus.TAKEN:
        raise illegal(demand, _("withdrawn"))
    team = demand.team
    if not access.can_run_team(actor, team):
        raise PermissionDenied(_("Only the staff or leader of the team that took the demand may withdraw it."))
    reason = clean_text(reason, "reason", limit=255)
    demand.status, demand.team, demand.taken_by, demand.taken_at = DemandStatus.OPEN, None, None, None
    demand.save(update_fields=["status", "team", "taken_by", "taken_at", "updated_at"])
    record_event(
        actor=actor,
        action="demand.withdrawn",
        obj=demand,
        organization=demand.organization,
        old={"status": DemandStatus.TAKEN, "team": team.pk},
        new={"status": demand.status, "reason": reason},
    )
    if demand.posted_by_id:
        notify(
            kind="volunteering.demand_withdrawn",
            user=demand.posted_by,
            link=link("demand", demand.pk),
            body=reason,
            subject=_("%(team)s withdrew from your demand “%(title)s”") % {"team": team.name, "title": demand.title},
        )
    return demand


@transaction.atomic
def complete_demand(demand: ServiceDemand, *, actor) -> ServiceDemand:
    """taken → done: said by the poster's staff, or the team's staff or leader."""
    demand = _locked(demand)
    if demand.status != DemandStatus.TAKEN:
        raise illegal(demand, _("marked done"))
    if not (scope.can_manage(actor, demand.organization) or access.can_run_team(actor, demand.team)):
        raise PermissionDenied(_("Only the poster's staff or the team's staff or leader may mark the demand done."))
    demand.status, demand.closed_at = DemandStatus.DONE, timezone.now()
    demand.save(update_fields=["status", "closed_at", "updated_at"])
    record_event(
        actor=actor, action="demand.done", obj=demand, organization=demand.organization, old={"status": DemandStatus.TAKEN}, new={"status": demand.status}
    )
    return demand


@transaction.atomic
def cancel_demand(demand: ServiceDemand, *, actor, reason: str = "") -> ServiceDemand:
    """open or taken → cancelled, by the poster's staff; a team that took it is told."""
    demand = _locked(demand)
    _require_poster_staff(actor, demand)
    if demand.status not in (DemandStatus.OPEN, DemandStatus.TAKEN):
        raise illegal(demand, _("cancelled"))
    old = demand.status
    demand.status, demand.closed_at, demand.close_reason = DemandStatus.CANCELLED, timezone.now(), clean_text(reason, "reason", limit=255)
    demand.save(update_fields=["status", "closed_at", "close_reason", "updated_at"])
    record_event(
        actor=actor,
        action="demand.cancelled",
        obj=demand,
        organization=demand.organization,
        old={"status": old},
        new={"status": demand.status, "reason": demand.close_reason},
    )
    if old == DemandStatus.TAKEN and demand.taken_by_id:
        notify(
            kind="volunteering.demand_cancelled",
            user=demand.taken_by,
            link=link("demand", demand.pk),
            body=demand.close_reason,
            subject=_("The demand “%(title)s” was cancelled") % {"title": demand.title},
        )
    return demand
