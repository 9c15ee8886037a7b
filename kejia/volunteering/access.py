"""Who may do what in volunteer service, in one place (services and selectors both ask here).

- Staff (a staff or admin role) of an organization manage the teams in its subtree: members,
  services, demands taken by those teams; staff of a grassroots body post and close its demands.
- A team's leader (an active `TeamMember` with the leader role, linked to the user's account)
  runs the team like its staff: takes and withdraws demands, records and confirms services.
- A team's member reports a service (it waits for confirmation) and sees the team.
- Anyone, signed in or not, sees the open demands (no personal data in them)."""

from kejia.accounts import scope
from kejia.organizations.kinds import OrgKind
from kejia.volunteering.choices import TeamRole
from kejia.volunteering.models import TeamMember


def _active(user, team):
    if not getattr(user, "is_authenticated", False):
        return TeamMember.objects.none()
    return TeamMember.objects.filter(team=team, person__user=user, left_on__isnull=True)


def is_team(org) -> bool:
    return org is not None and org.kind == OrgKind.VOLUNTEER_TEAM


def is_leader(user, team) -> bool:
    return _active(user, team).filter(role=TeamRole.LEADER).exists()


def is_member(user, team) -> bool:
    return _active(user, team).exists()


def can_manage_team(user, team) -> bool:
    """Members and the team's own settings: staff covering the team."""
    return scope.can_manage(user, team)


def can_run_team(user, team) -> bool:
    """Demands and services of the team: its staff or its leader."""
    return scope.can_manage(user, team) or is_leader(user, team)


def can_see_team(user, team) -> bool:
    return scope.can_view(user, team) or is_member(user, team)
