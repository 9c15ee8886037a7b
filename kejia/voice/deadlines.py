"""Deadlines as data: working days per kind of item (`DeadlineRule`, the nearest organization's
rule or the federation's default) counted on a calendar where Monday to Friday are working days
except the exceptions stored in `CalendarDay` (public holidays, make-up working days 调休).

`add_working_days` is pure: the calendar is anything with `get(date) -> bool | None` (True a
working day, False a day off, None: the weekday decides)."""

import datetime
from typing import Protocol

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role, RoleKind
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed
from kejia.voice.choices import DayKind, ItemKind
from kejia.voice.models import CalendarDay, DeadlineRule

ONE_DAY = datetime.timedelta(days=1)

# Seeds the default rules (migration 0002, `load_default_rules`), which staff then edit; read
# otherwise only as the fallback of `working_days_for`. The seeds name no time limit (003 二.5 asks
# that leaders hear and answer online, 001 that rights be protected through lawful channels): these
# figures are placeholders every association sets for itself on the rules page.
DEFAULT_SOURCE = "默认值（政策文件未规定时限，由各级科协自行设定）；《江苏省科协系统深化改革实施方案》二.5"
DEFAULT_WORKING_DAYS = {
    ItemKind.SUGGESTION: 15,
    ItemKind.APPEAL: 15,
    ItemKind.RIGHTS: 15,
    ItemKind.POLICY_QUESTION: 10,
}


class Calendar(Protocol):
    def get(self, day: datetime.date, default=None) -> bool | None: ...


def is_working_day(day: datetime.date, calendar: Calendar) -> bool:
    exception = calendar.get(day)
    if exception is not None:
        return bool(exception)
    return day.weekday() < 5


def add_working_days(start_date: datetime.date, n: int, calendar: Calendar) -> datetime.date:
    """The n-th working day after `start_date` (the start itself does not count; n = 0 gives it back)."""
    if n < 0:
        raise ValueError("n must not be negative")
    day, left = start_date, n
    while left:
        day += ONE_DAY
        if is_working_day(day, calendar):
            left -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date, calendar: Calendar) -> int:
    """Working days in (start, end]; negative when end comes first."""
    if end < start:
        return -working_days_between(end, start, calendar)
    n, day = 0, start
    while day < end:
        day += ONE_DAY
        n += is_working_day(day, calendar)
    return n


class StoredCalendar:
    """The stored exceptions, loaded a year at a time when first asked for."""

    def __init__(self) -> None:
        self.years: dict[int, dict[datetime.date, bool]] = {}

    def get(self, day: datetime.date, default=None) -> bool | None:
        year = self.years.get(day.year)
        if year is None:
            year = self.years[day.year] = {d: k == DayKind.WORKDAY for d, k in CalendarDay.objects.filter(date__year=day.year).values_list("date", "kind")}
        return year.get(day, default)


# ---- Rules -------------------------------------------------------------------------------------


def rule_for(kind: str, org) -> DeadlineRule | None:
    """The rule of the nearest organization at or above `org`, else the default (`org` None: the default)."""
    ids = [*org.ancestor_ids, org.pk] if org is not None else []
    rules = {r.organization_id: r for r in DeadlineRule.objects.filter(kind=kind).filter(organization_id__in=ids)}
    for pk in reversed(ids):
        if pk in rules:
            return rules[pk]
    return DeadlineRule.objects.filter(kind=kind, organization__isnull=True).first()


def working_days_for(kind: str, org) -> int:
    """The working days of the applicable rule. The shipped figure is only a fallback for a default
    row deleted outside the app (the service refuses to remove it; docs/voice.md)."""
    rule = rule_for(kind, org)
    return rule.working_days if rule else DEFAULT_WORKING_DAYS[kind]


def due_date(kind: str, org, start: datetime.date, calendar: Calendar | None = None) -> tuple[int, datetime.date]:
    days = working_days_for(kind, org)
    return days, add_working_days(start, days, calendar if calendar is not None else StoredCalendar())


def load_default_rules(DeadlineRule) -> int:  # noqa: N803 - also the historical model of a migration
    made = 0
    for kind, days in DEFAULT_WORKING_DAYS.items():
        _rule, created = DeadlineRule.objects.get_or_create(kind=kind.value, organization=None, defaults={"working_days": days, "source": DEFAULT_SOURCE})
        made += created
    return made


# ---- Editing the rules and the calendar ---------------------------------------------------------


def can_edit_defaults(user) -> bool:
    """The federation's defaults and the calendar: platform administrators and administrators of
    a top-level organization (as for governance rule sets)."""
    if scope.is_unrestricted(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Role.objects.filter(user=user, kind=RoleKind.ADMIN, organization__parent__isnull=True).exists()


def _days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Enter a whole number of working days."), field="working_days") from None
    if not 1 <= days <= 365:
        raise DomainError("invalid", _("Between 1 and 365 working days."), field="working_days")
    return days


@transaction.atomic
def set_deadline_rule(*, actor, kind: str, organization=None, working_days, source: str = "") -> DeadlineRule:
    """Create or change the rule of a kind for an organization (its administrators) or the default
    (the federation's). Items already sent keep their due date."""
    if kind not in ItemKind.values:
        raise DomainError("invalid_kind", _("Choose a kind from the list."), field="kind")
    if organization is None:
        if not can_edit_defaults(actor):
            raise PermissionDenied(_("Only administrators of the federation change the default deadlines."))
    elif not scope.can_administer(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators set its deadlines."))
    days = _days(working_days)
    rule = DeadlineRule.objects.select_for_update().filter(kind=kind, organization=organization).first()
    old = {"working_days": rule.working_days, "source": rule.source} if rule else {}
    if rule is None:
        rule = DeadlineRule(kind=kind, organization=organization)
    rule.working_days, rule.source = days, (source or "").strip()[:255] or rule.source
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise DomainError("duplicate", _("This rule was just changed by someone else; try again.")) from None
    record_event(
        actor=actor,
        action="voice.deadline_rule_set",
        obj=rule,
        organization=organization,
        old=old,
        new={"kind": kind, "working_days": days, "source": rule.source},
    )
    return rule


@transaction.atomic
def remove_deadline_rule(*, actor, kind: str, organization) -> None:
    """An organization's own rule goes; the one above it (or the default) applies again."""
    if organization is None:
        raise DomainError("default_rule", _("The default cannot be removed; change its number of days."), field="organization")
    if not scope.can_administer(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators set its deadlines."))
    rule = DeadlineRule.objects.filter(kind=kind, organization=organization).first()
    if rule is None:
        raise DomainError("no_rule", _("This organization has no rule of its own for this kind."), field="kind")
    record_event(actor=actor, action="voice.deadline_rule_removed", obj=rule, organization=organization, old={"kind": kind, "working_days": rule.working_days})
    rule.delete()


@transaction.atomic
def set_calendar_day(*, actor, date, kind: str, name: str = "") -> CalendarDay | None:
    """Mark a day as a public holiday or a make-up working day; an empty kind removes the exception."""
    if not can_edit_defaults(actor):
        raise PermissionDenied(_("Only administrators of the federation edit the calendar."))
    if not isinstance(date, datetime.date):
        try:
            date = datetime.date.fromisoformat(str(date).strip())
        except ValueError:
            raise ValidationFailed({"date": [gettext("Enter a date as YYYY-MM-DD.")]}) from None
    current = CalendarDay.objects.filter(date=date).first()
    old = {"kind": current.kind, "name": current.name} if current else {}
    if not kind:
        if current is None:
            raise DomainError("no_exception", _("This day is not an exception."), field="date")
        record_event(actor=actor, action="voice.calendar_day_removed", obj=current, old=old)
        current.delete()
        return None
    if kind not in DayKind.values:
        raise DomainError("invalid_kind", _("Choose a kind from the list."), field="kind")
    day, _created = CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": (name or "").strip()[:64]})
    record_event(actor=actor, action="voice.calendar_day_set", obj=day, old=old, new={"date": date, "kind": kind, "name": day.name})
    return day
