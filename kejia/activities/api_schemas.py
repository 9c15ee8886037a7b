"""The shapes of the activities API (kejia/activities/api.py). Events carry what the public page
shows; registrations name their holder by name only (the person's id for staff), never a phone
or an identifier."""

import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema

from kejia.activities import selectors
from kejia.activities.choices import ACTIVE_STATUSES, Audience, EventKind, EventStatus, RegistrationStatus
from kejia.activities.models import AttendanceCertificate, Event
from kejia.core.api import MAX_LIMIT, PageParams, model_field
from kejia.organizations.api_schemas import Id, ObjectId, OrgRef

__all__ = ["Id", "ObjectId"]

Text = Annotated[str, Field(max_length=20000)]


class EventOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    title: str
    description: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    region_code: str | None = Field(None, description="GB/T 2260 division code")
    region_name: str
    address: str
    online_url: str
    capacity: int | None = Field(None, description="null: no limit")
    seats_taken: int
    seats_left: int | None
    registration_opens: datetime.datetime | None
    registration_closes: datetime.datetime | None
    audience: str
    audience_organization: OrgRef | None
    fee: Decimal
    status: str
    disciplines: list[str]
    url: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        return obj.region_id

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.full_name if obj.region_id else ""

    @staticmethod
    def resolve_seats_taken(obj) -> int:
        return obj.confirmed_count

    @staticmethod
    def resolve_disciplines(obj) -> list[str]:
        return [d.code for d in obj.disciplines.all()]

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_online_url(obj, context) -> str:
        """Shown to those registered and to the organizer's scope (a meeting link is not for everyone)."""
        from kejia.accounts import scope

        request = context["request"]
        user = getattr(request, "auth", None) or request.user
        if not obj.online_url:
            return ""
        if scope.can_view(user, obj.organization) or obj.pk in _registered_event_ids(request, user):
            return obj.online_url
        return ""


def _registered_event_ids(request, user) -> set[int]:
    """The events the caller holds a live registration for, read once per request (an event list
    would otherwise ask twice per event)."""
    ids = getattr(request, "_activities_registered", None)
    if ids is None:
        ids = set(selectors.events_of_user(user).filter(status__in=ACTIVE_STATUSES).values_list("event_id", flat=True))
        request._activities_registered = ids
    return ids


class EventIn(Schema):
    kind: EventKind
    title: str = model_field(Event, "title")
    description: Text = ""
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    region: str | None = Field(None, max_length=12, description="GB/T 2260 division code")
    address: str = model_field(Event, "address", "")
    online_url: str = model_field(Event, "online_url", "")
    capacity: int | None = Field(None, ge=1, le=1_000_000, description="null: no limit")
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    audience: Audience = Audience.PUBLIC
    audience_organization_id: Id | None = Field(None, description="For a members-only event")
    fee: Decimal = Field(Decimal("0"), ge=0, le=10_000_000, max_digits=10, decimal_places=2)
    disciplines: list[Annotated[str, Field(max_length=8)]] = Field(default_factory=list, max_length=50)


class EventPatch(Schema):
    kind: EventKind | None = None
    title: str | None = model_field(Event, "title", None)
    description: Text | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    region: str | None = Field(None, max_length=12)
    address: str | None = model_field(Event, "address", None)
    online_url: str | None = model_field(Event, "online_url", None)
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    audience: Audience | None = None
    audience_organization_id: Id | None = None
    fee: Decimal | None = Field(None, ge=0, le=10_000_000, max_digits=10, decimal_places=2)
    disciplines: list[Annotated[str, Field(max_length=8)]] | None = Field(None, max_length=50)


class EventFilters(PageParams):
    org: Id | None = Field(None, description="Events of this organization")
    subtree: bool = Field(False, description="With org: also the organizations below it")
    kind: EventKind | None = None
    region: str | None = Field(None, max_length=12, description="Events in this division or below")
    starts_from: datetime.datetime | None = Field(None, description="Default: now")
    starts_before: datetime.datetime | None = None


class StaffEventFilters(PageParams):
    subtree: bool = True
    status: EventStatus | None = None
    kind: EventKind | None = None
    q: str = Field("", max_length=100)
    upcoming: bool | None = None


class EventPage(Schema):
    count: int
    items: list[EventOut]


class EventReasonIn(Schema):
    reason: str = model_field(Event, "cancel_reason", "")


class EventRequiredReasonIn(Schema):
    reason: str = model_field(AttendanceCertificate, "revoke_reason", min_length=1)


class RegisterIn(Schema):
    person_id: Id | None = Field(None, description="Staff only: register this person of the talent database")


class RegistrationOut(Schema):
    id: int
    event_id: int
    event_title: str
    person_id: int | None
    name: str
    status: str
    status_label: str
    waitlist_position: int | None = Field(None, description="The number taken in the waiting line")
    place_in_line: int | None = Field(None, description="1 = next to be promoted (waitlisted only)")
    registered_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    cancel_reason: str
    url: str
    ticket_url: str | None = Field(None, description="The holder only: what the ticket's QR code carries")

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.event.title

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_place_in_line(obj) -> int | None:
        return selectors.place_in_line(obj)

    @staticmethod
    def resolve_registered_at(obj) -> datetime.datetime:
        return obj.created_at

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()

    @staticmethod
    def resolve_ticket_url(obj, context) -> str | None:
        from kejia.activities.views import ticket_url

        request = context["request"]
        return ticket_url(obj) if obj.belongs_to(getattr(request, "auth", None) or request.user) else None


class RegistrationPage(Schema):
    count: int
    counts: dict[str, int]
    items: list[RegistrationOut]


class MyRegistrationPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RegistrationOut]


class RegistrationFilters(PageParams):
    status: RegistrationStatus | None = None
    q: str = Field("", max_length=64)
    limit: int = Field(200, ge=1, le=MAX_LIMIT)


class CheckInIn(Schema):
    code: str = Field("", max_length=2000, description="The scanned ticket URL or its code")
    registration_id: Id | None = Field(None, description="Or a row of the list")


class CheckInOut(Schema):
    already_checked_in: bool = Field(..., description="true: it was done before (at checked_in_at); nothing changed")
    message: str
    registration: RegistrationOut


class InviteIn(Schema):
    person_ids: list[Id] = Field(..., min_length=1, max_length=1000)


class InviteOut(Schema):
    invited: int
    total: int


class EventCertificateOut(Schema):
    id: int
    serial: str
    token: str
    verify_url: str
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    revoke_reason: str

    @staticmethod
    def resolve_verify_url(obj) -> str:
        from kejia.activities.certificates import verification_url

        return verification_url(obj)

    @staticmethod
    def resolve_issued_at(obj) -> datetime.datetime:
        return obj.created_at


class EventCertificatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EventCertificateOut]


class EventVerdictOut(Schema):
    state: str = Field(..., description="valid, revoked or forged")
    label: str
    reason: str
    fields: dict[str, str] = Field(..., description="What the certificate says (name masked): serial, organizer, event, title, date")
