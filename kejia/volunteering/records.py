"""Writes of services given: a team records a service (date, place, people served) with the hours
of each participant. Recorded by the team's staff or leader it is confirmed at once; reported by a
member it waits for them to confirm (or reject) it. Only confirmed services count in the ledger.
A correction is a new audited change with its reason, old and new values side by side."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.organizations.models import Organization
from kejia.volunteering import access
from kejia.volunteering.choices import MAX_HOURS_PER_DAY, DemandStatus, ServiceStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, ServiceHours, ServiceRecord, TeamMember
from kejia.volunteering.workflow import clean_text, link, parse_date, require_team, today

MAX_PEOPLE_SERVED = 1_000_000
MAX_PARTICIPANTS = 500
CENT = Decimal("0.01")


def parse_hours(value: Any) -> Decimal:
    """Hours as a number with at most two decimals, more than 0 and at most 24 (one day)."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(gettext("Enter the hours as a number, e.g. 2 or 3.5.")) from None
    if not hours.is_finite():
        raise ValueError(gettext("Enter the hours as a number, e.g. 2 or 3.5."))
    if hours <= 0:
        raise ValueError(gettext("Hours must be more than 0."))
    if hours > MAX_HOURS_PER_DAY:
        raise ValueError(gettext("At most %(n)s hours in one day.") % {"n": MAX_HOURS_PER_DAY})
    if hours != hours.quantize(CENT):
        raise ValueError(gettext("Give the hours to at most two decimals."))
    return hours.quantize(CENT)


def _people_served(value: Any) -> int:
    try:
        served = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError):
        raise DomainError("invalid", _("Enter a whole number."), field="people_served") from None
    if not 0 <= served <= MAX_PEOPLE_SERVED:
        raise DomainError("invalid", _("Enter a whole number from 0 to %(n)s.") % {"n": MAX_PEOPLE_SERVED}, field="people_served")
    return served


def _participants(team: Organization, date, rows: Iterable[tuple[Any, Any]], *, exclude_record: int | None = None) -> dict[int, Decimal]:
    """{person id: hours}, checked row by row: each a member of the team on the date, hours
    plausible, and no person over 24 hours on one day across all their services."""
    rows = list(rows)
    errors: list[str] = []
    if not rows:
        raise ValidationFailed({"hours": [gettext("Give the hours of at least one participant.")]})
    if len(rows) > MAX_PARTICIPANTS:
        raise ValidationFailed({"hours": [gettext("At most %(n)s participants in one service.") % {"n": MAX_PARTICIPANTS}]})
    out: dict[int, Decimal] = {}
    for row, (person, value) in enumerate(rows, start=1):
        pid = getattr(person, "pk", person)
        try:
            pid = int(pid)
        except (TypeError, ValueError):
            errors.append(gettext("Row %(row)s: give the person's number.") % {"row": row})
            continue
        try:
            hours = parse_hours(value)
        except ValueError as exc:
            errors.append(gettext("Row %(row)s: %(problem)s") % {"row": row, "problem": exc})
            continue
        if pid in out:
            errors.append(gettext("Row %(row)s: this person is listed twice.") % {"row": row})
            continue
        out[pid] = hours
    members = dict(
        TeamMember.objects.filter(team=team, person_id__in=list(out), joined_on__lte=date)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=date))
        .values_list("person_id", "person__name")
    )
    others = dict(
        ServiceHours.objects.filter(person_id__in=list(members), record__date=date)
        .exclude(record__status=ServiceStatus.REJECTED)
        .exclude(record_id=exclude_record)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "total")
    )
    for row, pid in enumerate(out, start=1):
        if pid not in members:
            errors.append(gettext("Row %(row)s: person %(id)s is not a member of this team on %(date)s.") % {"row": row, "id": pid, "date": date})
        elif others.get(pid, 0) + out[pid] > MAX_HOURS_PER_DAY:
            errors.append(
                gettext("Row %(row)s: %(name)s would have more than %(n)s hours on %(date)s (%(other)s in other services).")
                % {"row": row, "name": members[pid], "n": MAX_HOURS_PER_DAY, "date": date, "other": others[pid]}
            )
    if errors:
        raise ValidationFailed({"hours": errors})
    return out


def _demand_of(team: Organization, demand: ServiceDemand | None) -> ServiceDemand | None:
    if demand is None:
        return None
    taken = ServiceDemand.objects.filter(pk=demand.pk, team=team, status__in=(DemandStatus.TAKEN, DemandStatus.DONE)).first()
    if taken is None:
        raise DomainError("demand_not_taken", _("The service answers a demand this team took."), field="demand")
    return taken


def _date(value: Any):
    date = parse_date(value, "date")
    if date > today():
        raise DomainError("future_date", _("A service is recorded once it has been given: the date cannot be in the future."), field="date")
    return date


def _hours_view(hours: dict[int, Decimal]) -> dict[str, str]:
    return {str(pid): str(h) for pid, h in sorted(hours.items())}


def _tell_participants(record: ServiceRecord, hours: dict[int, Decimal]) -> None:
    from kejia.people.models import Person

    for person in Person.objects.filter(pk__in=list(hours), user__isnull=False).select_related("user"):
        notify(
            kind="volunteering.hours_confirmed",
            user=person.user,
            link=link("service", record.pk),
            subject=_("%(hours)s volunteer hours of %(date)s are in your ledger") % {"hours": hours[person.pk], "date": record.date},
        )


@transaction.atomic
def record_service(
    team: Organization,
    *,
    actor,
    date: Any,
    address: str,
    participants: Iterable[tuple[Any, Any]],
    people_served: Any = 0,
    region=None,
    note: str = "",
    demand: ServiceDemand | None = None,
) -> ServiceRecord:
    """`participants`: (person or person id, hours) pairs, members of the team on the date."""
    require_team(team)
    runs = access.can_run_team(actor, team)
    if not runs and not access.is_member(actor, team):
        raise PermissionDenied(_("Only the team's members, leader or staff may record its services."))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("date", lambda: _date(date)),
        ("address", lambda: clean_text(address, "address", limit=255, required=True)),
        ("people_served", lambda: _people_served(people_served)),
        ("note", lambda: clean_text(note, "note", limit=5000)),
        ("demand", lambda: _demand_of(team, demand)),
    ):
        try:
            values[name] = check()
        except DomainError as exc:
            errors[name] = [str(exc.message)]
    if region is not None and team.region_id and not region.path.startswith(team.region.path[:9]):
        errors["region"] = [gettext("The place lies outside the team's province.")]
    if errors:
        raise ValidationFailed(errors)
    hours = _participants(team, values["date"], participants)
    now = timezone.now()
    record = ServiceRecord.objects.create(
        team=team,
        region=region or team.region,
        status=ServiceStatus.CONFIRMED if runs else ServiceStatus.REPORTED,
        reported_by=actor,
        confirmed_by=actor if runs else None,
        confirmed_at=now if runs else None,
        **values,
    )
    ServiceHours.objects.bulk_create([ServiceHours(record=record, person_id=pid, hours=h) for pid, h in hours.items()])
    record_event(
        actor=actor,
        action="service.recorded",
        obj=record,
        organization=team,
        new={
            "date": record.date,
            "address": record.address,
            "people_served": record.people_served,
            "status": record.status,
            "demand": record.demand_id,
            "hours": _hours_view(hours),
        },
    )
    if runs:
        _tell_participants(record, hours)
    else:
        for member in TeamMember.objects.filter(team=team, role=TeamRole.LEADER, left_on__isnull=True, person__user__isnull=False).select_related(
            "person__user"
        ):
            notify(
                kind="volunteering.service_reported",
                user=member.person.user,
                link=link("service", record.pk),
                subject=_("A service of %(date)s waits for your confirmation") % {"date": record.date},
            )
    return record


def _locked(record: ServiceRecord) -> ServiceRecord:
    return ServiceRecord.objects.select_for_update(of=("self",)).select_related("team").get(pk=record.pk)


def _require_runner(actor, record: ServiceRecord) -> None:
    if not access.can_run_team(actor, record.team):
        raise PermissionDenied(_("Only the team's leader or staff may do this."))


def illegal(record: ServiceRecord, action) -> IllegalTransition:
    return IllegalTransition(
        "illegal_transition", _("A service that is %(status)s cannot be %(action)s.") % {"status": record.get_status_display(), "action": action}
    )


def hours_of(record: ServiceRecord) -> dict[int, Decimal]:
    return dict(record.hours.values_list("person_id", "hours"))


@transaction.atomic
def confirm_service(record: ServiceRecord, *, actor) -> ServiceRecord:
    """reported → confirmed: the hours enter the ledger."""
    _require_runner(actor, record)
    record = _locked(record)
    if record.status != ServiceStatus.REPORTED:
        raise illegal(record, _("confirmed"))
    record.status, record.confirmed_by, record.confirmed_at = ServiceStatus.CONFIRMED, actor, timezone.now()
    record.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    record_event(
        actor=actor, action="service.confirmed", obj=record, organization=record.team, old={"status": ServiceStatus.REPORTED}, new={"status": record.status}
    )
    _tell_participants(record, hours_of(record))
    return record


@transaction.atomic
def reject_service(record: ServiceRecord, *, actor, reason: str) -> ServiceRecord:
    """reported → rejected (not given, or given otherwise): the reporter is told why."""
    _require_runner(actor, record)
    reason = clean_text(reason, "reason", limit=255, required=True)
    record = _locked(record)
    if record.status != ServiceStatus.REPORTED:
        raise illegal(record, _("rejected"))
    record.status, record.reject_reason = ServiceStatus.REJECTED, reason
    record.save(update_fields=["status", "reject_reason", "updated_at"])
    record_event(
        actor=actor,
        action="service.rejected",
        obj=record,
        organization=record.team,
        old={"status": ServiceStatus.REPORTED},
        new={"status": record.status, "reason": reason},
    )
    if record.reported_by_id and record.reported_by_id != getattr(actor, "pk", None):
        notify(
            kind="volunteering.service_rejected",
            user=record.reported_by,
            link=link("service", record.pk),
            body=reason,
            subject=_("Your service report of %(date)s was not confirmed") % {"date": record.date},
        )
    return record


CORRECTABLE = ("date", "address", "region", "people_served", "note", "participants")


@transaction.atomic
def correct_service(record: ServiceRecord, *, actor, reason: str, **changes: Any) -> ServiceRecord:
    """Change a reported or confirmed service (its date, place, people served, note, or the hours:
    `participants` replaces them all). The audit event keeps the old and new values and the reason."""
    _require_runner(actor, record)
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
    reason = clean_text(reason, "reason", limit=255, required=True)
    record = _locked(record)
    if record.status == ServiceStatus.REJECTED:
        raise illegal(record, _("corrected"))
    old_hours = hours_of(record)
    old = {
        "date": record.date,
        "address": record.address,
        "region": record.region_id,
        "people_served": record.people_served,
        "note": record.note,
        "hours": _hours_view(old_hours),
    }
    errors: dict[str, list[str]] = {}
    for name, check in (
        ("date", _date),
        ("address", lambda v: clean_text(v, "address", limit=255, required=True)),
        ("people_served", _people_served),
        ("note", lambda v: clean_text(v, "note", limit=5000)),
    ):
        if name in changes and changes[name] is not None:
            try:
                setattr(record, name, check(changes[name]))
            except DomainError as exc:
                errors[name] = [str(exc.message)]
    if changes.get("region") is not None:
        record.region = changes["region"]
    if errors:
        raise ValidationFailed(errors)
    rows = changes.get("participants")
    rows = list(rows) if rows is not None else list(old_hours.items())
    hours = _participants(record.team, record.date, rows, exclude_record=record.pk)
    record.save()
    if hours != old_hours:
        record.hours.all().delete()
        ServiceHours.objects.bulk_create([ServiceHours(record=record, person_id=pid, hours=h) for pid, h in hours.items()])
    new = {
        "date": record.date,
        "address": record.address,
        "region": record.region_id,
        "people_served": record.people_served,
        "note": record.note,
        "hours": _hours_view(hours),
    }
    keys = [k for k in new if str(old[k]) != str(new[k])]
    if not keys:
        raise DomainError("no_change", _("Nothing was changed."))
    record_event(
        actor=actor,
        action="service.corrected",
        obj=record,
        organization=record.team,
        old={k: old[k] for k in keys},
        new={**{k: new[k] for k in keys}, "reason": reason},
    )
    return record
