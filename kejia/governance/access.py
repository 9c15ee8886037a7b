"""Who may do what in governance beyond the scope rule: edit the rule sets (shared by the
federation), assign them, open the pages across one's scope. The services check these before a
write (so the API and the pages refuse alike); the pages ask them to decide what to show."""

from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role, RoleKind
from kejia.core.errors import PermissionDenied


def can_edit_rules(user) -> bool:
    """Rule sets are shared by the federation: platform administrators and administrators of a
    top-level organization (a provincial or the national association) edit them."""
    if scope.is_unrestricted(user):
        return True
    return (
        Role.objects.filter(user=user, kind=RoleKind.ADMIN, organization__parent__isnull=True).exists() if getattr(user, "is_authenticated", False) else False
    )


def require_rule_editor(user) -> None:
    if not can_edit_rules(user):
        raise PermissionDenied(_("Only administrators of the federation edit rule sets."))


def can_assign_rulesets(user) -> bool:
    """An administrator of some organization (the service then checks the organization itself)."""
    return scope.is_unrestricted(user) or bool(scope.role_paths(user, (RoleKind.ADMIN,)))


def require_rule_assigner(user) -> None:
    if not can_assign_rulesets(user):
        raise PermissionDenied(_("Only the organization's administrators assign rule sets."))


def require_staff_role(user) -> None:
    """The pages across one's scope (term alerts, concurrent posts) are for organizations' staff."""
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))
