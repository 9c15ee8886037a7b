"""What both halves of the surveys workflow check — the survey's (or organization's) staff — shared
by the building and publishing of surveys (services.py) and their distribution (distribution.py),
which both import it from here."""

from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.errors import PermissionDenied


def require_manager(survey_or_org, actor) -> None:
    org = getattr(survey_or_org, "organization", survey_or_org)
    if not scope.can_manage(actor, org):
        raise PermissionDenied(_("Only the staff of the survey's organization may do this."))
