"""Activities as JSON: the same services and selectors as the pages.

Public (no login): the list of published public events and one event's details (members-only and
invitation events to those who may come). Staff: an organization's events (drafts too), create,
edit, publish, cancel, finish, the registrations, invitations and check-in. An S&T worker:
register, their registrations (with the ticket's code) and cancelling one, their certificates.

Scope: outside the caller's scope an event or registration is a 404; in scope without a staff role
a write is a 403; a state that forbids the change is a 409 (`illegal_transition`,
`registration_closed`, `already_registered` …). Checking someone in twice answers 200 with
`already_checked_in: true`."""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.accounts import scope
from kejia.activities import certificates, registration, selectors, services
from kejia.activities.api_schemas import (
    CheckInIn,
    CheckInOut,
    EventCertificateOut,
    EventCertificatePage,
    EventFilters,
    EventIn,
    EventOut,
    EventPage,
    EventPatch,
    EventReasonIn,
    EventRequiredReasonIn,
    EventVerdictOut,
    InviteIn,
    InviteOut,
    MyRegistrationPage,
    ObjectId,
    RegisterIn,
    RegistrationFilters,
    RegistrationOut,
    RegistrationPage,
    StaffEventFilters,
)
from kejia.activities.models import Event
from kejia.core.api import PageParams, caller, page_of, window
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, IllegalTransition, NotFound
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Organization
from kejia.people import selectors as people_selectors
from kejia.reference.selectors import get_region

router = Router(tags=["activities"])
A = "/activities"


def _anonymous(request):
    return AnonymousUser()


# Public operations still recognise a token or a session (a member sees a members-only event).
OPTIONAL_AUTH = [*AUTH, _anonymous]


def _audience_org(pk):
    if pk is None:
        return None
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization has this id."), field="audience_organization_id")
    return org


def _renamed(exc: DomainError) -> DomainError:
    """Services name the model field (`audience_organization`); bodies name the id."""

    def name(field):
        return "audience_organization_id" if field == "audience_organization" else field

    exc.field = name(exc.field)
    if hasattr(exc, "errors"):
        exc.errors = {name(k): v for k, v in exc.errors.items()}
    return exc


def _event_out(event):
    return Event.objects.prefetch_related("disciplines").select_related("organization", "region", "audience_organization").get(pk=event.pk)


# ---- Public ---------------------------------------------------------------------------------


@router.get(f"{A}/events", response=EventPage, auth=OPTIONAL_AUTH, summary="Published public events (no login)")
def list_events(request, filters: Query[EventFilters]):
    """Upcoming by default (`starts_from` = now); by organization (with `subtree`), kind and division."""
    qs = selectors.public_events().prefetch_related("disciplines")
    if filters.org is not None:
        org = Organization.objects.filter(pk=filters.org).first()
        if org is None:
            raise NotFound()
        qs = qs.filter(organization__path__descends=org.path) if filters.subtree else qs.filter(organization=org)
    if filters.kind:
        qs = qs.filter(kind=filters.kind.value)
    if filters.region:
        region = get_region(filters.region)
        if region is None:
            raise DomainError("unknown_region", _("No administrative division has this code."), field="region")
        qs = qs.filter(region__path__descends=region.path)
    qs = qs.filter(starts_at__gte=filters.starts_from or timezone.now())
    if filters.starts_before:
        qs = qs.filter(starts_at__lt=filters.starts_before)
    qs = qs.order_by("starts_at", "id")
    return {"count": qs.count(), "items": window(qs, filters)}


@router.get(f"{A}/events/{{id}}", response=EventOut, auth=OPTIONAL_AUTH, summary="An event")
def get_event(request, id: ObjectId):
    return _event_out(selectors.get_event_for(caller(request), id))


@router.get(f"{A}/certificates/verify", response=EventVerdictOut, auth=None, summary="Verify a certificate of attendance (public)")
def verify_certificate(request, t: str = Query(..., max_length=2000)):
    verdict = certificates.check_token(t)
    return {"state": verdict.state, "label": verdict.label, "reason": str(verdict.reason), "fields": verdict.fields}


# ---- Staff: events ----------------------------------------------------------------------------


@router.get(f"{A}/orgs/{{id}}/events", response=EventPage, auth=AUTH, summary="An organization's events (staff; drafts too)")
def list_org_events(request, id: ObjectId, filters: Query[StaffEventFilters]):
    user = caller(request)
    org = org_selectors.get_organization_for(user, id)
    qs = selectors.search_events(
        user,
        organization=org,
        subtree=filters.subtree,
        status=filters.status.value if filters.status else "",
        kind=filters.kind.value if filters.kind else "",
        text=filters.q,
        upcoming=filters.upcoming,
    )
    if filters.upcoming is None:
        qs = qs.order_by("-starts_at", "-id")
    qs = qs.prefetch_related("disciplines")
    return {"count": qs.count(), "items": window(qs, filters)}


@router.post(f"{A}/orgs/{{id}}/events", response={201: EventOut}, auth=AUTH, summary="Create an event (a draft)")
def create_event(request, id: ObjectId, payload: EventIn):
    user = caller(request)
    org = org_selectors.get_organization_for(user, id, manage=True)
    data = payload.dict()
    data["kind"], data["audience"] = payload.kind.value, payload.audience.value
    data["audience_organization"] = _audience_org(data.pop("audience_organization_id"))
    try:
        event = services.create_event(org, actor=user, **data)
    except DomainError as exc:
        raise _renamed(exc) from None
    return Status(201, _event_out(event))


@router.patch(f"{A}/events/{{id}}", response=EventOut, auth=AUTH, summary="Edit an event (draft or published)")
def update_event(request, id: ObjectId, payload: EventPatch):
    """Only the fields sent change. A larger capacity promotes the waiting list; a new time or place is told to the registrants."""
    user = caller(request)
    event = selectors.get_event_for(user, id, manage=True)
    data = payload.dict(exclude_unset=True)
    for name in ("kind", "audience"):
        if data.get(name) is not None:
            data[name] = getattr(payload, name).value
    for name in ("kind", "title", "starts_at", "ends_at", "audience", "fee"):
        if name in data and data[name] is None:
            raise DomainError("required", _("This field cannot be empty."), field=name)
    if "audience_organization_id" in data:
        data["audience_organization"] = _audience_org(data.pop("audience_organization_id"))
    disciplines = data.pop("disciplines", None)
    try:
        services.update_event(event, actor=user, disciplines=disciplines, **data)
    except DomainError as exc:
        raise _renamed(exc) from None
    return _event_out(event)


@router.post(f"{A}/events/{{id}}/publish", response=EventOut, auth=AUTH, summary="Publish a draft (opens registration)")
def publish_event(request, id: ObjectId):
    user = caller(request)
    return _event_out(services.publish_event(selectors.get_event_for(user, id, manage=True), actor=user))


@router.post(f"{A}/events/{{id}}/cancel", response=EventOut, auth=AUTH, summary="Cancel an event")
def cancel_event(request, id: ObjectId, payload: EventReasonIn):
    """A published event needs a reason; every waiting or confirmed registration is cancelled and told."""
    user = caller(request)
    return _event_out(services.cancel_event(selectors.get_event_for(user, id, manage=True), actor=user, reason=payload.reason))


@router.post(f"{A}/events/{{id}}/finish", response=EventOut, auth=AUTH, summary="Mark a started event finished")
def finish_event(request, id: ObjectId):
    user = caller(request)
    return _event_out(services.finish_event(selectors.get_event_for(user, id, manage=True), actor=user))


@router.post(f"{A}/events/{{id}}/invitations", response=InviteOut, auth=AUTH, summary="Invite people (invitation events)")
def invite(request, id: ObjectId, payload: InviteIn):
    user = caller(request)
    event = selectors.get_event_for(user, id, manage=True)
    people = []
    for pk in dict.fromkeys(payload.person_ids):
        try:
            people.append(people_selectors.get_person_for(user, pk))
        except NotFound:
            raise DomainError("unknown_person", _("No person with the id %(n)s is within your reach.") % {"n": pk}, field="person_ids") from None
    invited = services.invite_people(event, actor=user, people=people)
    return {"invited": invited, "total": selectors.invitations_of(event).count()}


# ---- Registrations ----------------------------------------------------------------------------


@router.post(f"{A}/events/{{id}}/register", response={201: RegistrationOut}, auth=AUTH, summary="Register (confirmed or waitlisted)")
def register(request, id: ObjectId, payload: RegisterIn | None = None):
    """Registers the caller; staff may register a person of the talent database with `person_id`.
    `status` says confirmed or waitlisted (then `place_in_line`)."""
    user = caller(request)
    event = selectors.get_event_for(user, id)
    person = None
    if payload is not None and payload.person_id is not None:
        try:
            person = people_selectors.get_person_for(user, payload.person_id)
        except NotFound:
            raise DomainError("unknown_person", _("No person with this id is within your reach."), field="person_id") from None
    return Status(201, registration.register_for_event(event, actor=user, person=person))


@router.get(f"{A}/events/{{id}}/registrations", response=RegistrationPage, auth=AUTH, summary="An event's registrations (staff)")
def list_registrations(request, id: ObjectId, filters: Query[RegistrationFilters]):
    user = caller(request)
    event = selectors.get_event_for(user, id)
    if not scope.can_view(user, event.organization):
        raise NotFound()
    qs = selectors.registrations_of(event, status=filters.status.value if filters.status else "", text=filters.q)
    return {"count": qs.count(), "counts": selectors.counts_of(event), "items": window(qs, filters)}


@router.post(f"{A}/events/{{id}}/checkin", response=CheckInOut, auth=AUTH, summary="Check someone in (scanned code or list row)")
def check_in(request, id: ObjectId, payload: CheckInIn):
    user = caller(request)
    event = selectors.get_event_for(user, id, manage=True)
    reg = None
    if payload.registration_id is not None:
        reg = event.registrations.filter(pk=payload.registration_id).first()
        if reg is None:
            raise DomainError("unknown_registration", _("No registration with this id for this event."), field="registration_id")
    elif not payload.code.strip():
        raise DomainError("required", _("Send the scanned code or a registration id."), field="code")
    result = registration.check_in(event, actor=user, code=payload.code, registration=reg)
    name, when = result.registration.name, timezone.localtime(result.registration.checked_in_at).strftime("%Y-%m-%d %H:%M")
    message = (gettext("%(name)s was already checked in at %(when)s.") if result.already else gettext("%(name)s is checked in.")) % {"name": name, "when": when}
    return {"already_checked_in": result.already, "message": message, "registration": result.registration}


@router.get(f"{A}/registrations", response=MyRegistrationPage, auth=AUTH, summary="My registrations, newest first")
def my_registrations(request, page: Query[PageParams]):
    """Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(selectors.events_of_user(caller(request)), page)


@router.get(f"{A}/registrations/{{id}}", response=RegistrationOut, auth=AUTH, summary="A registration")
def get_registration(request, id: ObjectId):
    """The holder's own (with the ticket's URL) or one of an event in the caller's scope."""
    return selectors.get_registration_for(caller(request), id)


@router.post(f"{A}/registrations/{{id}}/cancel", response=RegistrationOut, auth=AUTH, summary="Cancel a registration")
def cancel_registration(request, id: ObjectId, payload: EventReasonIn | None = None):
    """The holder (before the start) or the organizer's staff; a freed seat goes to the first in line."""
    user = caller(request)
    reg = selectors.get_registration_for(user, id)
    return registration.cancel_registration(reg, actor=user, reason=payload.reason if payload else "")


@router.post(f"{A}/registrations/{{id}}/undo-checkin", response=RegistrationOut, auth=AUTH, summary="Undo a check-in (staff)")
def undo_checkin(request, id: ObjectId):
    user = caller(request)
    reg = selectors.get_registration_for(user, id, manage=True)
    return registration.undo_check_in(reg, actor=user)


@router.get(f"{A}/registrations/{{id}}/certificate", response=EventCertificateOut, auth=AUTH, summary="The certificate of attendance")
def get_certificate(request, id: ObjectId):
    """Issued on first request once the holder is checked in; 409 before."""
    reg = selectors.get_registration_for(caller(request), id)
    cert = certificates.certificate_for(reg)
    if cert is None:
        raise IllegalTransition("not_attended", _("There is no certificate: attendance was not recorded."))
    return cert


@router.post(f"{A}/attendance-certificates/{{id}}/revoke", response=EventCertificateOut, auth=AUTH, summary="Revoke a certificate (staff)")
def revoke_certificate(request, id: ObjectId, payload: EventRequiredReasonIn):
    user = caller(request)
    cert = selectors.get_certificate_for(user, id, manage=True)
    return certificates.revoke_certificate(cert, actor=user, reason=payload.reason)


@router.get(f"{A}/certificates", response=EventCertificatePage, auth=AUTH, summary="My certificates of attendance")
def my_certificates(request, page: Query[PageParams]):
    """Newest event first. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    certificates.issue_missing(user)
    return page_of(selectors.my_certificates(user), page)
