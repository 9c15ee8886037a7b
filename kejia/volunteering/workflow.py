"""The steps both halves of volunteering take — today's date, a checked date or text from a
form, a team that must be one (and active), a link to a page — shared by the teams and demands
(services.py) and the services given (records.py), which both import them from here."""

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import Organization
from kejia.volunteering import access

EARLIEST = datetime.date(2000, 1, 1)


def today() -> datetime.date:
    return timezone.localdate()


def parse_date(value: Any, field: str, *, required: bool = True) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        day = value
    elif value in (None, ""):
        if required:
            raise DomainError("required", _("Enter a date."), field=field)
        return None
    else:
        try:
            day = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError("invalid_date", _("Enter a date as YYYY-MM-DD."), field=field) from None
    if day < EARLIEST:
        raise DomainError("invalid_date", _("Enter a date from 2000 on."), field=field)
    return day


def clean_text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError("required", _("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError("too_long", _("At most %(n)s characters.") % {"n": limit}, field=field)
    return text


def require_team(team: Organization) -> None:
    if not access.is_team(team):
        raise DomainError("not_a_team", _("This organization is not a volunteer team."), field="team")


def require_active_team(team: Organization) -> None:
    require_team(team)
    if team.status != OrgStatus.ACTIVE:
        raise DomainError("team_inactive", _("This team is not active."), field="team")


def link(name: str, pk: int) -> str:
    return reverse(f"volunteering:{name}", args=[pk])
