"""Registration with capacity and a waiting list, cancellation that promotes the waiting list,
and check-in at the door.

A seat is never oversold, on SQLite or PostgreSQL, without a table lock: a seat is taken by one
conditional UPDATE of the event row (`confirmed_count < capacity`), which the database applies
atomically; 1 row changed = confirmed, 0 = waitlisted with the next place in line (another UPDATE
of the same row, read back in the same transaction, where the row lock keeps it ours). The
CheckConstraint `event_seats_within_capacity` refuses an over-full event as a last guard. Whoever
frees a seat (cancellation, a larger capacity) locks the event row first (SELECT … FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions serialize writers) and promotes the first in line in
the same transaction."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.activities import selectors
from kejia.activities.choices import CHECKIN_CLOSES_AFTER, CHECKIN_OPENS_BEFORE, EventStatus, RegistrationStatus
from kejia.activities.models import Event, Registration
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.notify import notify
from kejia.people.choices import PersonStatus

R = RegistrationStatus


def new_code() -> str:
    return secrets.token_urlsafe(16)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _seat_free():
    return Q(capacity__isnull=True) | Q(confirmed_count__lt=F("capacity"))


def _take_seat(event_id: int) -> bool:
    """One conditional UPDATE: True when a seat was taken."""
    return Event.objects.filter(_seat_free(), pk=event_id, status=EventStatus.PUBLISHED).update(confirmed_count=F("confirmed_count") + 1) == 1


def _next_in_line(event_id: int) -> int | None:
    if not Event.objects.filter(pk=event_id, status=EventStatus.PUBLISHED).update(waitlist_seq=F("waitlist_seq") + 1):
        return None
    return Event.objects.filter(pk=event_id).values_list("waitlist_seq", flat=True).get()


def registration_window(event: Event) -> tuple[datetime.datetime | None, datetime.datetime]:
    """When registration opens (None: on publication) and closes (default: at the start)."""
    return event.registration_opens or event.published_at, event.registration_closes or event.starts_at


def registration_refusal(event: Event, *, now: datetime.datetime | None = None) -> DomainError | None:
    """Why nobody may register now, or None (the state and the window; not the audience)."""
    now = _now(now)
    if event.status == EventStatus.CANCELLED:
        return IllegalTransition("event_cancelled", _("This event was cancelled."))
    if event.status != EventStatus.PUBLISHED:
        return IllegalTransition("not_open", _("This event is not open for registration."))
    opens, closes = registration_window(event)
    if opens is not None and now < opens:
        return IllegalTransition("registration_not_open", _("Registration opens on %(when)s.") % {"when": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M")})
    if now > closes:
        return IllegalTransition("registration_closed", _("Registration is closed."))
    return None


@transaction.atomic
def register_for_event(event: Event, *, actor, person=None, now: datetime.datetime | None = None) -> Registration:
    """Register the actor (their own profile, if they have one), or — by the organizer's staff —
    a person of the talent database. Confirmed while seats are left, else waitlisted. Staff may
    register someone outside the window and the audience; never beyond the capacity."""
    now = _now(now)
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to register."))
    own_person = selectors.my_person(actor)
    on_behalf = person is not None and (own_person is None or person.pk != own_person.pk)
    if on_behalf:
        if not scope.can_manage(actor, event.organization):
            raise PermissionDenied(_("Only the organizer's staff may register someone else."))
        if person.status != PersonStatus.ACTIVE:
            raise DomainError("person_inactive", _("This profile is no longer active."), field="person")
        user = person.user
    else:
        person, user = own_person, actor
    refusal = registration_refusal(event, now=now)
    if refusal is not None and not (on_behalf and refusal.code in ("registration_not_open", "registration_closed")):
        raise refusal
    if not on_behalf and not selectors.is_eligible(event, person=person):
        raise PermissionDenied(selectors.audience_refusal(event))
    if selectors.active_registration(event, person=person, user=user) is not None:
        raise IllegalTransition("already_registered", _("Already registered for this event."))
    name = (person.name if person is not None else (getattr(user, "display_name", "") or user.get_username()))[:64]
    try:
        with transaction.atomic():
            if _take_seat(event.pk):
                status, position = R.CONFIRMED, None
            else:
                position = _next_in_line(event.pk)
                if position is None:  # cancelled or finished a moment ago
                    raise IllegalTransition("not_open", _("This event is not open for registration."))
                status = R.WAITLISTED
            reg = Registration.objects.create(
                event=event,
                person=person,
                user=user,
                name=name,
                status=status,
                waitlist_position=position,
                checkin_code=new_code(),
                confirmed_at=now if status == R.CONFIRMED else None,
            )
    except IntegrityError:  # the same person twice at once: the second one's seat is given back with its rollback
        raise IllegalTransition("already_registered", _("Already registered for this event.")) from None
    record_event(
        actor=actor,
        action="registration.created",
        obj=reg,
        organization=event.organization,
        new={"event": event.pk, "status": status, "waitlist_position": position, "person": reg.person_id, "on_behalf": on_behalf},
    )
    if user is not None:
        if status == R.CONFIRMED:
            subject = gettext("Registered: %(title)s") % {"title": event.title}
            body = gettext("Your place is confirmed. Show the QR code of your registration at the door.")
        else:
            subject = gettext("Waiting list: %(title)s") % {"title": event.title}
            body = gettext("The event is full; you are on the waiting list and will be told if a place frees up.")
        notify(kind="activities.registered", user=user, subject=subject, body=body, link=reg.get_absolute_url())
    return reg


@transaction.atomic
def cancel_registration(reg: Registration, *, actor, reason: str = "", now: datetime.datetime | None = None) -> Registration:
    """The holder (until the start) or the organizer's staff (until the event is finished) cancels
    a confirmed or waitlisted registration; a freed seat goes to the first in line."""
    now = _now(now)
    staff = scope.can_manage(actor, reg.event.organization)
    if not (reg.belongs_to(actor) or staff):
        raise PermissionDenied(_("Only the registered person or the organizer's staff may cancel."))
    event = Event.objects.select_for_update().get(pk=reg.event_id)
    reg = Registration.objects.select_for_update(of=("self",)).select_related("person__user", "user").get(pk=reg.pk)
    if reg.status == R.CANCELLED:
        raise IllegalTransition("illegal_transition", _("This registration is already cancelled."))
    if reg.status == R.ATTENDED:
        raise IllegalTransition("illegal_transition", _("Attendance is recorded: the registration cannot be cancelled."))
    if event.status != EventStatus.PUBLISHED:
        raise IllegalTransition("illegal_transition", _("The event is over or cancelled."))
    if not staff and now >= event.starts_at:
        raise IllegalTransition("started", _("The event has started: ask the organizer."))
    old = reg.status
    reg.status, reg.cancelled_at, reg.cancel_reason = R.CANCELLED, now, (reason or "").strip()[:200]
    reg.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    if old == R.CONFIRMED:
        Event.objects.filter(pk=event.pk).update(confirmed_count=F("confirmed_count") - 1)
    record_event(
        actor=actor,
        action="registration.cancelled",
        obj=reg,
        organization=event.organization,
        old={"status": old},
        new={"status": reg.status, "reason": reg.cancel_reason, "by_staff": not reg.belongs_to(actor)},
    )
    if old == R.CONFIRMED:
        promote_waitlist(event, actor=actor, now=now)
    return reg


def promote_waitlist(event: Event, *, actor, now: datetime.datetime | None = None) -> list[Registration]:
    """Give free seats to the first in line, in order. Runs inside the caller's transaction, which
    holds the event row; nobody is promoted once the event has started."""
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    promoted = []
    while True:
        nxt = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("user", "person__user")
            .filter(event=event, status=R.WAITLISTED)
            .order_by("waitlist_position", "id")
            .first()
        )
        if nxt is None or not _take_seat(event.pk):
            break
        nxt.status, nxt.confirmed_at = R.CONFIRMED, now
        nxt.save(update_fields=["status", "confirmed_at", "updated_at"])
        record_event(
            actor=actor,
            action="registration.promoted",
            obj=nxt,
            organization=event.organization,
            old={"status": R.WAITLISTED, "waitlist_position": nxt.waitlist_position},
            new={"status": R.CONFIRMED},
        )
        user = nxt.user or (nxt.person.user if nxt.person_id else None)
        if user is not None:
            notify(
                kind="activities.promoted",
                user=user,
                subject=gettext("A place is yours: %(title)s") % {"title": event.title},
                body=gettext("A place freed up and your registration is now confirmed."),
                link=nxt.get_absolute_url(),
            )
        promoted.append(nxt)
    return promoted


# ---- Check-in ---------------------------------------------------------------------------------


@dataclass
class CheckIn:
    registration: Registration
    already: bool  # checked in before: a message, not an error


def code_from(text: str) -> str:
    """The code inside what a scanner read: the bare code or the whole ticket URL."""
    text = (text or "").strip()
    if "/ticket/" in text:
        text = text.rsplit("/ticket/", 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")[:64]


def checkin_refusal(event: Event, *, now: datetime.datetime | None = None) -> DomainError | None:
    now = _now(now)
    if event.status not in (EventStatus.PUBLISHED, EventStatus.FINISHED):
        return IllegalTransition("not_open", _("Check-in is only for a published event."))
    if now < event.starts_at - CHECKIN_OPENS_BEFORE:
        return IllegalTransition("checkin_not_open", _("Check-in opens a day before the start."))
    if now > event.ends_at + CHECKIN_CLOSES_AFTER:
        return IllegalTransition("checkin_closed", _("Check-in closed a week after the end."))
    return None


@transaction.atomic
def check_in(event: Event, *, actor, code: str = "", registration: Registration | None = None, now: datetime.datetime | None = None) -> CheckIn:
    """Mark attendance from a scanned code (or a row of the list). Twice is not an error: the
    answer says when and by whom it was done."""
    now = _now(now)
    if not scope.can_manage(actor, event.organization):
        raise PermissionDenied(_("Only the organizer's staff may check people in."))
    if registration is None:
        code = code_from(code)
        if not code:
            raise DomainError("required", _("Scan the QR code or type the code."), field="code")
        registration = Registration.objects.filter(checkin_code=code).first()
        if registration is None:
            raise DomainError("unknown_code", _("No registration has this code."), field="code")
    if registration.event_id != event.pk:
        raise DomainError("other_event", _("This ticket is for another event."), field="code")
    refusal = checkin_refusal(event, now=now)
    if refusal is not None:
        raise refusal
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
    if reg.status == R.ATTENDED:
        return CheckIn(reg, already=True)
    if reg.status == R.WAITLISTED:
        raise IllegalTransition("waitlisted", _("%(name)s is on the waiting list, without a confirmed place.") % {"name": reg.name})
    if reg.status == R.CANCELLED:
        raise IllegalTransition("cancelled", _("The registration of %(name)s was cancelled.") % {"name": reg.name})
    reg.status, reg.checked_in_at, reg.checked_in_by = R.ATTENDED, now, actor if getattr(actor, "pk", None) else None
    reg.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    record_event(
        actor=actor,
        action="registration.checked_in",
        obj=reg,
        organization=event.organization,
        old={"status": R.CONFIRMED},
        new={"status": R.ATTENDED, "at": now},
    )
    return CheckIn(reg, already=False)


@transaction.atomic
def undo_check_in(reg: Registration, *, actor, now: datetime.datetime | None = None) -> Registration:
    """A check-in made by mistake: back to confirmed, and any certificate of attendance revoked."""
    from kejia.activities.certificates import revoke_certificates

    if not scope.can_manage(actor, reg.event.organization):
        raise PermissionDenied(_("Only the organizer's staff may do this."))
    reg = Registration.objects.select_for_update(of=("self",)).select_related("event__organization").get(pk=reg.pk)
    if reg.status != R.ATTENDED:
        raise IllegalTransition("illegal_transition", _("This person is not checked in."))
    old_at = reg.checked_in_at
    reg.status, reg.checked_in_at, reg.checked_in_by = R.CONFIRMED, None, None
    reg.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    revoked = revoke_certificates(reg, reason=gettext("The check-in was undone."), now=now)
    record_event(
        actor=actor,
        action="registration.checkin_undone",
        obj=reg,
        organization=reg.event.organization,
        old={"status": R.ATTENDED, "at": old_at},
        new={"status": R.CONFIRMED, "certificates_revoked": revoked},
    )
    return reg


def registration_by_code(code: str) -> Registration:
    reg = Registration.objects.select_related("event__organization", "person", "user").filter(checkin_code=code_from(code)).first()
    if reg is None:
        raise NotFound()
    return reg
