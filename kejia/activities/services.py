"""Writes of events: create, edit, publish, cancel, finish, invite. Each runs in one transaction,
checks that the actor manages the organizer, writes an audit event and notifies after commit.
Registrations, check-in and the waitlist live in `registration.py`; certificates in `certificates.py`."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.activities.choices import Audience, EventKind, EventStatus, RegistrationStatus
from kejia.activities.models import Event, Invitation, Registration
from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.core.text import whole_number
from kejia.organizations.models import Organization
from kejia.people.choices import PersonStatus
from kejia.reference.models import Discipline, Region
from kejia.reference.selectors import get_region

EVENT_FIELDS = [
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "region",
    "address",
    "online_url",
    "capacity",
    "registration_opens",
    "registration_closes",
    "audience",
    "audience_organization",
    "fee",
]
# Changes registrants are told about.
NOTICE_FIELDS = ("starts_at", "ends_at", "region", "address", "online_url")
MAX_CAPACITY = 1_000_000
MAX_FEE = Decimal("10000000")
MAX_INVITATIONS = 1000


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def require_manager(event_or_org, actor) -> None:
    org = event_or_org.organization if isinstance(event_or_org, Event) else event_or_org
    if not scope.can_manage(actor, org):
        raise PermissionDenied(_("Only the organizer's staff may do this."))


# ---- Parsing and validation ---------------------------------------------------------------------


def _datetime(value: Any) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = parse_datetime(str(value).strip().replace(" ", "T"))
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValueError(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class _Invalid(Exception):
    """A field's value refused; the message goes next to the field."""


def _kind(value):
    if value not in EventKind.values:
        raise _Invalid(gettext("Choose a kind of event from the list."))
    return value


def _audience(value):
    if value not in Audience.values:
        raise _Invalid(gettext("Choose an audience from the list."))
    return value


def _title(value):
    value = (value or "").strip()
    if not value:
        raise _Invalid(gettext("This field is required."))
    if len(value) > 200 or "|" in value:
        raise _Invalid(gettext("At most 200 characters, without “|”."))
    return value


def _text_of(limit: int):
    def clean(value):
        value = (value or "").strip()
        if len(value) > limit:
            raise _Invalid(gettext("At most %(n)s characters.") % {"n": limit})
        return value

    return clean


def _online_url(value):
    value = (value or "").strip()
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise _Invalid(gettext("Enter a web address starting with http:// or https://.")) from None
        if len(value) > 500:
            raise _Invalid(gettext("At most %(n)s characters.") % {"n": 500})
    return value


def _moment(*, required: bool):
    def clean(value):
        try:
            value = _datetime(value)
        except ValueError:
            raise _Invalid(gettext("Enter a date and time as YYYY-MM-DD HH:MM.")) from None
        if value is None and required:
            raise _Invalid(gettext("This field is required."))
        return value

    return clean


def _capacity(value):
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise _Invalid(gettext("Enter a whole number, or leave it empty for no limit.")) from None
    if not 1 <= value <= MAX_CAPACITY:
        raise _Invalid(gettext("Enter a number from 1 to %(n)s, or leave it empty for no limit.") % {"n": MAX_CAPACITY})
    return value


def _fee(value):
    try:
        value = Decimal(str(value if value not in (None, "") else 0).strip())
    except (InvalidOperation, ValueError):
        raise _Invalid(gettext("Enter an amount in yuan, e.g. 50 or 0.")) from None
    if not value.is_finite() or value < 0 or value > MAX_FEE:
        raise _Invalid(gettext("Enter an amount in yuan, e.g. 50 or 0."))
    return value.quantize(Decimal("0.01"))


def _region(value):
    if value not in (None, "") and not isinstance(value, Region):
        value = get_region(str(value))
        if value is None:
            raise _Invalid(gettext("No administrative division has this code."))
    return value or None


def _audience_organization(value):
    if value not in (None, "") and not isinstance(value, Organization):
        pk = whole_number(value)
        value = Organization.objects.filter(pk=pk).first() if pk is not None else None
        if value is None:
            raise _Invalid(gettext("No organization has this id."))
    return value or None


# How each field is read; a field not named here is taken as it is.
_CLEANERS = {
    "kind": _kind,
    "audience": _audience,
    "title": _title,
    "description": _text_of(20000),
    "address": _text_of(255),
    "online_url": _online_url,
    "starts_at": _moment(required=True),
    "ends_at": _moment(required=True),
    "registration_opens": _moment(required=False),
    "registration_closes": _moment(required=False),
    "capacity": _capacity,
    "fee": _fee,
    "region": _region,
    "audience_organization": _audience_organization,
}


def _clean(values: dict[str, Any], *, current: Event | None = None) -> dict[str, Any]:
    """Turn input into field values and check the rules across fields; every problem at once,
    each named by its field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EVENT_FIELDS:
            raise DomainError("unknown_field", _("Unknown field: %(name)s") % {"name": name}, field=name)
        cleaner = _CLEANERS.get(name)
        try:
            out[name] = cleaner(value) if cleaner else value
        except _Invalid as exc:
            errors.setdefault(name, []).append(str(exc))
    _check_across(out, current, errors)
    if errors:
        raise ValidationFailed(errors)
    return out


def _check_across(out: dict[str, Any], current: Event | None, errors: dict[str, list[str]]) -> None:
    """The rules across fields, on the values the event will have (a field already in error is not
    checked again)."""

    def fail(field: str, message: str) -> None:
        if field not in errors:
            errors.setdefault(field, []).append(message)

    merged = {name: getattr(current, name) for name in EVENT_FIELDS} if current else {}
    merged.update(out)
    starts, ends = merged.get("starts_at"), merged.get("ends_at")
    if starts and ends and ends < starts:
        fail("ends_at", gettext("The event cannot end before it starts."))
    opens, closes = merged.get("registration_opens"), merged.get("registration_closes")
    if opens and closes and closes <= opens:
        fail("registration_closes", gettext("Registration must close after it opens."))
    if closes and ends and closes > ends:
        fail("registration_closes", gettext("Registration cannot close after the event ends."))
    if not merged.get("region") and not merged.get("online_url") and "online_url" not in errors:
        fail("region", gettext("Give the place (division and address) or an online link."))
    audience = merged.get("audience") or Audience.PUBLIC
    if audience == Audience.MEMBERS and not merged.get("audience_organization"):
        fail("audience_organization", gettext("Name the organization whose members may come."))
    if audience != Audience.MEMBERS and "audience" in out:
        out["audience_organization"] = None
    capacity = out.get("capacity")
    if current is not None and capacity is not None and capacity < current.confirmed_count:
        errors.setdefault("capacity", []).append(
            ngettext(
                "%(n)s seat is already taken: the capacity cannot be smaller.",
                "%(n)s seats are already taken: the capacity cannot be smaller.",
                current.confirmed_count,
            )
            % {"n": current.confirmed_count}
        )


def _disciplines(codes) -> list[Discipline]:
    codes = [str(c).strip() for c in (codes or []) if str(c).strip()]
    found = list(Discipline.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        raise DomainError("unknown_discipline", _("Unknown discipline code: %(codes)s") % {"codes": ", ".join(missing)}, field="disciplines")
    return found


# ---- Events -----------------------------------------------------------------------------------


@transaction.atomic
def create_event(
    org: Organization,
    *,
    actor,
    kind: str,
    title: str,
    starts_at: Any,
    ends_at: Any,
    description: str = "",
    region: Any = None,
    address: str = "",
    online_url: str = "",
    capacity: Any = None,
    registration_opens: Any = None,
    registration_closes: Any = None,
    audience: str = Audience.PUBLIC,
    audience_organization: Any = None,
    fee: Any = 0,
    disciplines: list | None = None,
) -> Event:
    """A draft event of the organization; publish it to open registration."""
    require_manager(org, actor)
    values = _clean(
        {
            "kind": kind,
            "title": title,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "description": description,
            "region": region,
            "address": address,
            "online_url": online_url,
            "capacity": capacity,
            "registration_opens": registration_opens,
            "registration_closes": registration_closes,
            "audience": audience,
            "audience_organization": audience_organization,
            "fee": fee,
        }
    )
    found = _disciplines(disciplines)
    event = Event.objects.create(organization=org, created_by=actor if getattr(actor, "pk", None) else None, **values)
    if found:
        event.disciplines.set(found)
    record_event(
        actor=actor,
        action="event.created",
        obj=event,
        organization=org,
        new={**snapshot(event, ["kind", "title", "starts_at", "ends_at", "capacity", "audience"]), "disciplines": [d.code for d in found]},
    )
    return event


class EventChanges(TypedDict, total=False):
    """What `update_event` may change (EVENT_FIELDS), each key only when it is sent; the values as
    `create_event` takes them (text from a page or values from the API, parsed by `_clean`)."""

    kind: str
    title: str
    description: str
    starts_at: Any
    ends_at: Any
    region: Any
    address: str
    online_url: str
    capacity: Any
    registration_opens: Any
    registration_closes: Any
    audience: str
    audience_organization: Any
    fee: Any


@transaction.atomic
def update_event(event: Event, *, actor, disciplines: list | None = None, now: datetime.datetime | None = None, **changes: Unpack[EventChanges]) -> Event:
    """Edit a draft or published event. A larger capacity promotes people from the waiting list;
    registrants hear of a new time or place."""
    require_manager(event, actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise IllegalTransition("illegal_transition", _("A cancelled or finished event cannot be edited."))
    values = _clean(dict(changes), current=event)
    old = snapshot(event, list(values))
    for name, value in values.items():
        setattr(event, name, value)
    event.save()
    new = snapshot(event, list(values))
    old, new = changed(old, new)
    if disciplines is not None:
        found = _disciplines(disciplines)
        before = sorted(event.disciplines.values_list("code", flat=True))
        event.disciplines.set(found)
        after = sorted(d.code for d in found)
        if before != after:
            old["disciplines"], new["disciplines"] = before, after
    if old or new:
        record_event(actor=actor, action="event.updated", obj=event, organization=event.organization, old=old, new=new)
    if event.status == EventStatus.PUBLISHED and "capacity" in new:
        from kejia.activities.registration import promote_waitlist

        promote_waitlist(event, actor=actor, now=now)
    if event.status == EventStatus.PUBLISHED and any(name in new for name in NOTICE_FIELDS):
        _tell_registrants(
            event,
            subject=gettext("Changed: %(title)s") % {"title": event.title},
            body=gettext("The time or place of the event has changed. Please check the details."),
        )
    return event


@transaction.atomic
def publish_event(event: Event, *, actor, now: datetime.datetime | None = None) -> Event:
    require_manager(event, actor)
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.DRAFT:
        raise IllegalTransition("illegal_transition", _("Only a draft can be published."))
    if event.starts_at <= now:
        raise DomainError("starts_in_past", _("The event has already started: change its dates before publishing."), field="starts_at")
    event.status, event.published_at = EventStatus.PUBLISHED, now
    event.save(update_fields=["status", "published_at", "updated_at"])
    record_event(
        actor=actor, action="event.published", obj=event, organization=event.organization, old={"status": EventStatus.DRAFT}, new={"status": event.status}
    )
    return event


@transaction.atomic
def cancel_event(event: Event, *, actor, reason: str = "", now: datetime.datetime | None = None) -> Event:
    """Cancel a draft or published event; every registration still waiting or confirmed is
    cancelled and its holder told (attendance already recorded stays)."""
    require_manager(event, actor)
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise IllegalTransition("illegal_transition", _("Only a draft or published event can be cancelled."))
    reason = (reason or "").strip()[:200]
    if event.status == EventStatus.PUBLISHED and not reason:
        raise DomainError("required", _("Say why the event is cancelled: the people registered will read it."), field="reason")
    old_status = event.status
    recipients = _recipients(event)
    waiting = Registration.objects.filter(event=event, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED))
    released = waiting.filter(status=RegistrationStatus.CONFIRMED).count()
    count = waiting.update(status=RegistrationStatus.CANCELLED, cancelled_at=now, cancel_reason=str(gettext("The event was cancelled.")), updated_at=now)
    event.status, event.cancel_reason = EventStatus.CANCELLED, reason
    event.confirmed_count = max(event.confirmed_count - released, 0)
    event.save(update_fields=["status", "cancel_reason", "confirmed_count", "updated_at"])
    record_event(
        actor=actor,
        action="event.cancelled",
        obj=event,
        organization=event.organization,
        old={"status": old_status},
        new={"status": event.status, "reason": reason, "registrations_cancelled": count},
    )
    for user in recipients:
        notify(
            kind="activities.event_cancelled",
            user=user,
            subject=gettext("Cancelled: %(title)s") % {"title": event.title},
            body=reason,
            link=event.get_absolute_url(),
        )
    return event


@transaction.atomic
def finish_event(event: Event, *, actor, now: datetime.datetime | None = None) -> Event:
    """Close a published event once it has started: registration and cancellation end; those
    confirmed but never checked in are no-shows."""
    require_manager(event, actor)
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.PUBLISHED:
        raise IllegalTransition("illegal_transition", _("Only a published event can be finished."))
    if event.starts_at > now:
        raise IllegalTransition("not_started", _("The event has not started yet."))
    event.status = EventStatus.FINISHED
    event.save(update_fields=["status", "updated_at"])
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).update(
        status=RegistrationStatus.CANCELLED, cancelled_at=now, cancel_reason=str(gettext("The event is over.")), updated_at=now
    )
    record_event(
        actor=actor,
        action="event.finished",
        obj=event,
        organization=event.organization,
        old={"status": EventStatus.PUBLISHED},
        new={"status": event.status, "waitlist_closed": waiting},
    )
    return event


# ---- Invitations ------------------------------------------------------------------------------


@transaction.atomic
def invite_people(event: Event, *, actor, people: list) -> int:
    """Invite people of the talent database (the caller resolved them through its scope); returns
    how many were newly invited."""
    require_manager(event, actor)
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        raise IllegalTransition("illegal_transition", _("Invitations are sent for a draft or published event only."))
    if not people:
        raise DomainError("required", _("Choose at least one person."), field="people")
    if len(people) > MAX_INVITATIONS:
        raise DomainError("too_many", _("At most %(n)s people at a time.") % {"n": MAX_INVITATIONS}, field="people")
    inactive = [p.pk for p in people if p.status != PersonStatus.ACTIVE]
    if inactive:
        raise DomainError("person_inactive", _("This profile is no longer active: %(ids)s") % {"ids": inactive[:10]}, field="people")
    known = set(Invitation.objects.filter(event=event, person__in=people).values_list("person_id", flat=True))
    new = [p for p in {p.pk: p for p in people}.values() if p.pk not in known]
    Invitation.objects.bulk_create([Invitation(event=event, person=p, invited_by=actor if getattr(actor, "pk", None) else None) for p in new])
    if new:
        record_event(
            actor=actor, action="event.invited", obj=event, organization=event.organization, new={"people": [p.pk for p in new][:200], "count": len(new)}
        )
    if event.status == EventStatus.PUBLISHED:
        for person in new:
            if person.user_id:
                notify(
                    kind="activities.invited",
                    user=person.user,
                    subject=gettext("Invitation: %(title)s") % {"title": event.title},
                    link=event.get_absolute_url(),
                )
    return len(new)


def _recipients(event: Event) -> list:
    """The accounts of everyone still holding or waiting for a place."""
    regs = Registration.objects.filter(event=event, status__in=(RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)).select_related(
        "user", "person__user"
    )
    users = {}
    for reg in regs:
        user = reg.user or (reg.person.user if reg.person_id else None)
        if user is not None:
            users[user.pk] = user
    return list(users.values())


def _tell_registrants(event: Event, *, subject: str, body: str) -> None:
    for user in _recipients(event):
        notify(kind="activities.event_changed", user=user, subject=subject, body=body, link=event.get_absolute_url())
