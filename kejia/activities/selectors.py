"""Reads of activities that depend on who asks.

- Staff see every event of the organizations in their scope (drafts too) with its registrations.
- Everyone, without logging in, sees published and finished events open to the public (the calendars).
- A members-only or invitation event is seen by the organizer's scope, by those who may come (a
  member of the organization, an invited person) and by anyone registered for it.
- A registration is seen by its holder and the organizer's scope."""

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.activities.choices import ACTIVE_STATUSES, Audience, EventStatus, RegistrationStatus
from kejia.activities.models import AttendanceCertificate, Event, Invitation, Registration
from kejia.core.errors import NotFound, PermissionDenied
from kejia.organizations.models import Organization
from kejia.people.choices import PersonStatus
from kejia.people.models import Listing, Person

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.FINISHED)
_EVENT_RELATED = ("organization", "region", "audience_organization")


def my_person(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user, status=PersonStatus.ACTIVE).first()


# ---- Who may come -------------------------------------------------------------------------------


def is_member_of(person: Person | None, org: Organization) -> bool:
    """An active membership of the society, or a listing by the organization or one below it."""
    if person is None:
        return False
    from kejia.memberships.choices import MembershipStatus
    from kejia.memberships.models import Membership

    if Membership.objects.filter(person=person, society=org, status=MembershipStatus.ACTIVE).exists():
        return True
    return Listing.objects.filter(person=person, organization__path__descends=org.path).exists()


def is_invited(event: Event, person: Person | None) -> bool:
    return person is not None and Invitation.objects.filter(event=event, person=person).exists()


def is_eligible(event: Event, *, person: Person | None) -> bool:
    if event.audience == Audience.PUBLIC:
        return True
    if event.audience == Audience.MEMBERS:
        return event.audience_organization_id is not None and is_member_of(person, event.audience_organization)
    return is_invited(event, person)


def audience_refusal(event: Event) -> str:
    if event.audience == Audience.MEMBERS:
        return _("This event is for members of %(org)s only.") % {"org": event.audience_organization}
    return _("This event is by invitation only.")


def active_registration(event: Event, *, person: Person | None = None, user=None) -> Registration | None:
    q = Q()
    if person is not None:
        q |= Q(person=person)
    if getattr(user, "pk", None):
        q |= Q(user=user)
    if not q:
        return None
    return Registration.objects.filter(q, event=event, status__in=ACTIVE_STATUSES).first()


def registration_of(event: Event, user) -> Registration | None:
    """The user's live registration for the event (by account or by profile)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return active_registration(event, person=my_person(user), user=user)


# ---- Events -------------------------------------------------------------------------------------


def visible_events(user) -> QuerySet[Event]:
    """Every event of the organizations in the user's scope (staff lists)."""
    return scope.restrict(Event.objects.select_related(*_EVENT_RELATED), user, "organization__path")


def public_events() -> QuerySet[Event]:
    return Event.objects.select_related(*_EVENT_RELATED).filter(status__in=PUBLIC_STATUSES, audience=Audience.PUBLIC)


def can_see(user, event: Event) -> bool:
    if scope.can_view(user, event.organization):
        return True
    if event.status == EventStatus.DRAFT:
        return False
    if event.audience == Audience.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if Registration.objects.filter(Q(user=user) | Q(person__user=user), event=event).exists():
        return True
    return is_eligible(event, person=my_person(user))


def get_event_for(user, pk, *, manage: bool = False) -> Event:
    """An event the user may see; `manage` asks for a staff role covering the organizer (in scope
    without one: 403; outside the scope: 404)."""
    event = Event.objects.select_related(*_EVENT_RELATED).filter(pk=pk).first()
    if event is None:
        raise NotFound()
    if manage:
        if not scope.can_view(user, event.organization):
            raise NotFound()
        if not scope.can_manage(user, event.organization):
            raise PermissionDenied()
        return event
    if not can_see(user, event):
        raise NotFound()
    return event


def search_events(
    user,
    *,
    organization: Organization | None = None,
    subtree: bool = True,
    status: str = "",
    kind: str = "",
    text: str = "",
    upcoming: bool | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Event]:
    qs = visible_events(user)
    if organization is not None:
        qs = qs.filter(organization__path__descends=organization.path) if subtree else qs.filter(organization=organization)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(address__icontains=text))
    if upcoming is not None:
        now = now or timezone.now()
        qs = qs.filter(ends_at__gte=now).order_by("starts_at", "id") if upcoming else qs.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    return qs


def events_this_week(user, *, now: datetime.datetime | None = None, days: int = 7) -> QuerySet[Event]:
    """Published events of organizations the user manages (staff or administrator) running now or
    starting within `days` days, soonest first: the registrations and check-in to run."""
    now = now or timezone.now()
    qs = scope.restrict(Event.objects.select_related(*_EVENT_RELATED), user, "organization__path", scope.MANAGE_KINDS)
    return qs.filter(status=EventStatus.PUBLISHED, ends_at__gte=now, starts_at__lt=now + datetime.timedelta(days=days)).order_by("starts_at", "id")


def calendar_events(
    org: Organization, *, subtree: bool = False, start: datetime.datetime | None = None, end: datetime.datetime | None = None
) -> QuerySet[Event]:
    """The public calendar of an association (and, with `subtree`, of every organization below it)."""
    qs = public_events()
    qs = qs.filter(organization__path__descends=org.path) if subtree else qs.filter(organization=org)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "id")


def _organizations_q(organizations) -> Q:
    if isinstance(organizations, QuerySet):
        return Q(organization__in=organizations.values("pk"))
    return Q(organization__in=[getattr(o, "pk", o) for o in organizations])


def upcoming_public_events(
    *, organizations: Iterable[Organization] | QuerySet | None = None, region=None, limit: int = 20, now: datetime.datetime | None = None
) -> list[Event]:
    """Published public events not yet started, soonest first: of the given organizations (None:
    all), in the region's subtree of divisions (the event's division, or the organizer's when the
    event has none, e.g. an online event)."""
    now = now or timezone.now()
    qs = public_events().filter(status=EventStatus.PUBLISHED, starts_at__gte=now)
    if organizations is not None:
        qs = qs.filter(_organizations_q(organizations))
    if region is not None:
        qs = qs.filter(Q(region__path__descends=region.path) | Q(region__isnull=True, organization__region__path__descends=region.path))
    return list(qs.order_by("starts_at", "id")[:limit])


def events_of_user(user) -> QuerySet[Registration]:
    """The user's registrations (by account or by profile) with their events, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.none()
    return (
        Registration.objects.filter(Q(user=user) | Q(person__user=user))
        .select_related("event__organization", "event__region")
        .order_by("-event__starts_at", "-id")
    )


def recommended_events(person: Person | None, *, limit: int = 6, now: datetime.datetime | None = None) -> list[Event]:
    """Upcoming public events in the person's disciplines or region, without those they registered for."""
    if person is None:
        return []
    now = now or timezone.now()
    q = Q()
    codes = list(person.disciplines.values_list("code", flat=True))
    if codes:
        q |= Q(disciplines__code__in=codes)
    if person.region_id:
        # The city of the person's division, so a county's people also see the events of the next county.
        path = person.region.path[:18] if len(person.region.path) > 18 else person.region.path
        q |= Q(region__path__descends=path) | Q(region__isnull=True, organization__region__path__descends=path)
    if not q:
        return []
    registered = Registration.objects.filter(event=OuterRef("pk"), status__in=ACTIVE_STATUSES).filter(
        Q(person=person) | (Q(user_id=person.user_id) if person.user_id else Q(pk__in=[]))
    )
    qs = public_events().filter(q, status=EventStatus.PUBLISHED, starts_at__gte=now).exclude(Exists(registered)).distinct().order_by("starts_at", "id")
    return list(qs[:limit])


# ---- Registrations ------------------------------------------------------------------------------


def registrations_of(event: Event, *, status: str = "", text: str = "") -> QuerySet[Registration]:
    """The registrations of an event the caller reached through `get_event_for(..., manage)` or a
    view check: the confirmed first, then the waiting list in order, then the cancelled."""
    qs = event.registrations.select_related("person", "user", "checked_in_by")
    if status:
        qs = qs.filter(status=status)
    text = (text or "").strip()
    if text:
        qs = qs.filter(name__icontains=text)
    return qs.order_by("status", "waitlist_position", "name", "id")


def get_registration_for(user, pk, *, manage: bool = False) -> Registration:
    """The holder's own registration, or one of an event in the user's scope; `manage` asks for a
    staff role (in scope without one, or the holder: 403; anyone else: 404)."""
    reg = Registration.objects.select_related("event__organization", "event__region", "person", "user").filter(pk=pk).first()
    if reg is None:
        raise NotFound()
    in_scope = scope.can_view(user, reg.event.organization)
    if not in_scope and not reg.belongs_to(user):
        raise NotFound()
    if manage and not scope.can_manage(user, reg.event.organization):
        raise PermissionDenied()
    return reg


def place_in_line(reg: Registration) -> int | None:
    """1 for the first on the waiting list."""
    if reg.status != RegistrationStatus.WAITLISTED:
        return None
    return Registration.objects.filter(event_id=reg.event_id, status=RegistrationStatus.WAITLISTED, waitlist_position__lt=reg.waitlist_position).count() + 1


def invitations_of(event: Event) -> QuerySet[Invitation]:
    return event.invitations.select_related("person").order_by("person__name", "id")


def counts_of(event: Event) -> dict[str, int]:
    from django.db.models import Count

    rows = event.registrations.values("status").annotate(n=Count("id"))
    counts = {s: 0 for s in RegistrationStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


# ---- Certificates -------------------------------------------------------------------------------


def my_certificates(user) -> QuerySet[AttendanceCertificate]:
    if not getattr(user, "is_authenticated", False):
        return AttendanceCertificate.objects.none()
    return (
        AttendanceCertificate.objects.filter(Q(registration__user=user) | Q(registration__person__user=user), revoked_at__isnull=True)
        .select_related("registration__event__organization")
        .order_by("-registration__event__starts_at", "-id")
    )


def get_certificate_for(user, pk, *, manage: bool = False) -> AttendanceCertificate:
    cert = AttendanceCertificate.objects.select_related("registration__event__organization", "registration__person", "registration__user").filter(pk=pk).first()
    if cert is None:
        raise NotFound()
    get_registration_for(user, cert.registration_id, manage=manage)
    return cert
