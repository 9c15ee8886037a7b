"""Activities pages for the organizer's staff: the events of their scope, creating, editing,
publishing, cancelling and finishing an event, its registrations (with an XLSX export and
registering someone by profile number), invitations, the check-in page for a phone at the door,
undoing a check-in and revoking a certificate.

Reads go through `selectors.get_event_for(..., manage=True)` (404 outside the scope, 403 in scope
without a staff role); refusals of a service come back next to the field (400) or as a message
with 409 when the state forbids it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.activities import certificates, registration, selectors, services
from kejia.activities.choices import EventStatus, RegistrationStatus
from kejia.activities.forms import CancelEventForm, CheckInForm, EventFilterForm, EventForm, InviteForm, RegisterPersonForm, RequiredReasonForm
from kejia.activities.models import Event
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.sheets import Book, cell
from kejia.core.web import form_error, page_of
from kejia.organizations import selectors as org_selectors
from kejia.people import selectors as people_selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
R = RegistrationStatus


def _require_role(user) -> None:
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))


def _event_values(data: dict) -> dict:
    """The form's values as the services take them (an organization by code resolved by the caller)."""
    values = {k: v for k, v in data.items() if k not in ("disciplines", "audience_organization")}
    values["fee"] = data.get("fee") or 0
    return values


def _audience_org(form, code: str):
    code = (code or "").strip()
    if not code:
        return None
    from kejia.organizations.models import Organization

    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization has this code."), field="audience_organization")
    return org


def _initial(event: Event) -> dict:
    data = {name: getattr(event, name) for name in ("kind", "title", "description", "region", "address", "online_url", "capacity", "audience", "fee")}
    for name in ("starts_at", "ends_at", "registration_opens", "registration_closes"):
        value = getattr(event, name)
        data[name] = localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None
    data["audience_organization"] = event.audience_organization.code if event.audience_organization_id else ""
    data["disciplines"] = " ".join(event.disciplines.values_list("code", flat=True))
    return data


# ---- Lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def manage(request):
    user = request.user
    _require_role(user)
    form = EventFilterForm(request.GET or None)
    qs, status, org = selectors.visible_events(user).none(), 200, None
    if not form.is_bound or form.is_valid():
        cd = form.cleaned_data if form.is_bound else {"q": "", "kind": "", "status": "", "org": "", "when": "upcoming"}
        if cd["org"]:
            org = org_selectors.visible_organizations(user).filter(code=cd["org"].strip()).first()
            if org is None:
                form.add_error("org", _("No organization with this code in your scope."))
                status = 400
        if status == 200:
            when = cd["when"] or "upcoming"
            qs = selectors.search_events(
                user, organization=org, status=cd["status"], kind=cd["kind"], text=cd["q"], upcoming=None if when == "all" else when == "upcoming"
            )
            if when == "all":
                qs = qs.order_by("-starts_at", "-id")
    else:
        status = 400
    page = page_of(request, qs, PAGE_SIZE)
    for event in page.object_list:  # the check of the check-in page itself (a leader only looks on)
        event.can_manage = scope.can_manage(user, event.organization)
    orgs = list(org_selectors.root_organizations(user)[:20])
    if org is not None and scope.can_manage(user, org) and org not in orgs:
        orgs.insert(0, org)
    return render(request, "activities/manage.html", {"form": form, "page": page, "orgs": [o for o in orgs if scope.can_manage(user, o)]}, status=status)


# ---- Create, edit, publish, cancel, finish -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request, pk: int):
    org = org_selectors.get_organization_for(request.user, pk, manage=True)
    form = EventForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                event = services.create_event(
                    org,
                    actor=request.user,
                    audience_organization=_audience_org(form, form.cleaned_data["audience_organization"]),
                    disciplines=form.cleaned_data["disciplines"],
                    **_event_values(form.cleaned_data),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The event is saved as a draft. Publish it to open registration."))
                return redirect("activities:event", pk=event.pk)
    return render(request, "activities/event_form.html", {"form": form, "org": org, "event": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = selectors.get_event_for(request.user, pk, manage=True)
    form = EventForm(request.POST or None, initial=_initial(event))
    status = 200
    if event.status not in (EventStatus.DRAFT, EventStatus.PUBLISHED):
        status = 409
        form = None
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_event(
                    event,
                    actor=request.user,
                    disciplines=form.cleaned_data["disciplines"],
                    audience_organization=_audience_org(form, form.cleaned_data["audience_organization"]),
                    **_event_values(form.cleaned_data),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The event is saved."))
                return redirect("activities:event", pk=event.pk)
    return render(request, "activities/event_form.html", {"form": form, "org": event.organization, "event": event}, status=status)


def _event_action(request, pk: int, run, done: str, form_class=None):
    event = selectors.get_event_for(request.user, pk, manage=True)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return _action_failed(request, event, form, None, 400)
    try:
        run(event, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return _action_failed(request, event, form, exc, exc.status)
    messages.success(request, done)
    return redirect("activities:event", pk=event.pk)


def _action_failed(request, event, form, exc, status):
    from kejia.activities.views import event_context

    if form is not None and exc is not None:
        form_error(form, exc)
    return render(request, "activities/event.html", event_context(request, event, error=exc, action_form=form), status=status)


@login_required
@require_POST
def event_publish(request, pk: int):
    return _event_action(request, pk, lambda e, d: services.publish_event(e, actor=request.user), _("The event is published."))


@login_required
@require_POST
def event_cancel(request, pk: int):
    return _event_action(
        request,
        pk,
        lambda e, d: services.cancel_event(e, actor=request.user, reason=d["reason"]),
        _("The event is cancelled and the people registered are told."),
        CancelEventForm,
    )


@login_required
@require_POST
def event_finish(request, pk: int):
    return _event_action(request, pk, lambda e, d: services.finish_event(e, actor=request.user), _("The event is marked finished."))


# ---- Registrations --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registrations(request, pk: int):
    """The list (anyone whose scope covers the organizer); POST registers a person (staff)."""
    user = request.user
    event = selectors.get_event_for(user, pk, manage=request.method == "POST")
    if not scope.can_view(user, event.organization):
        raise NotFound()
    manage = scope.can_manage(user, event.organization)
    form = RegisterPersonForm(request.POST or None) if manage else None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                person = _person(user, form.cleaned_data["person"])
                reg = registration.register_for_event(event, actor=user, person=person)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("%(name)s is registered (%(status)s).") % {"name": reg.name, "status": reg.get_status_display()})
                return redirect("activities:registrations", pk=event.pk)
    status_filter = request.GET.get("status", "")
    status_filter = status_filter if status_filter in R.values else ""
    qs = selectors.registrations_of(event, status=status_filter, text=request.GET.get("q", "")[:64])
    page = page_of(request, qs, 100)
    return render(
        request,
        "activities/registrations.html",
        {
            "event": event,
            "page": page,
            "counts": selectors.counts_of(event),
            "manage": manage,
            "form": form,
            "status_filter": status_filter,
            "statuses": R.choices,
        },
        status=status,
    )


def _person(user, pk: int, *, field: str = "person"):
    try:
        return people_selectors.get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with the number %(n)s in the talent database you can see.") % {"n": pk}, field=field) from None


def _naive(value):
    return localtime(value).replace(tzinfo=None) if value else None


@login_required
@require_GET
def registrations_xlsx(request, pk: int):
    event = selectors.get_event_for(request.user, pk)
    if not scope.can_view(request.user, event.organization):
        raise NotFound()
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("Registrations"))
    sheet.append(
        [
            str(h)
            for h in (
                pgettext("person", "name"),
                _("profile number"),
                _("status"),
                _("place in line"),
                _("registered"),
                _("confirmed"),
                _("checked in"),
                _("checked in by"),
                _("cancelled"),
                _("reason"),
            )
        ]
    )
    for reg in selectors.registrations_of(event).iterator(chunk_size=2000):
        sheet.append(
            [
                cell(reg.name),
                reg.person_id,
                str(reg.get_status_display()),
                reg.waitlist_position,
                _naive(reg.created_at),
                _naive(reg.confirmed_at),
                _naive(reg.checked_in_at),
                cell(str(reg.checked_in_by or "")),
                _naive(reg.cancelled_at),
                cell(reg.cancel_reason),
            ]
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(book.save(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kejia-event-{event.pk}-registrations-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request, pk: int):
    user = request.user
    event = selectors.get_event_for(user, pk, manage=True)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                people = [_person(user, p, field="people") for p in form.cleaned_data["people"]]
                count = services.invite_people(event, actor=user, people=people)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("%(n)s people invited.") % {"n": count})
                return redirect("activities:invitations", pk=event.pk)
    return render(request, "activities/invitations.html", {"event": event, "form": form, "rows": list(selectors.invitations_of(event)[:500])}, status=status)


# ---- Check-in ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, pk: int):
    """The door: a field that takes the scanned address or code, and the list with a button per row."""
    user = request.user
    event = selectors.get_event_for(user, pk, manage=True)
    form = CheckInForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            reg = None
            if form.cleaned_data.get("registration"):
                reg = event.registrations.filter(pk=form.cleaned_data["registration"]).first()
                if reg is None:
                    form.add_error(None, _("No registration with this number for this event."))
            if not form.errors:
                try:
                    result = registration.check_in(event, actor=user, code=form.cleaned_data.get("code") or "", registration=reg)
                except DomainError as exc:
                    status = form_error(form, exc)
                else:
                    if result.already:
                        messages.warning(
                            request,
                            _("%(name)s was already checked in at %(when)s.")
                            % {"name": result.registration.name, "when": localtime(result.registration.checked_in_at).strftime("%Y-%m-%d %H:%M")},
                        )
                    else:
                        messages.success(request, _("%(name)s is checked in.") % {"name": result.registration.name})
                    return redirect(request.path + (f"?{urlencode({'q': request.GET['q']})}" if request.GET.get("q") else ""))
    text = request.GET.get("q", "")[:64]
    rows = selectors.registrations_of(event, text=text).filter(status__in=(R.CONFIRMED, R.ATTENDED))
    return render(
        request,
        "activities/checkin.html",
        {
            "event": event,
            "form": CheckInForm() if status == 200 else form,
            "rows": list(rows[:300]),
            "q": text,
            "counts": selectors.counts_of(event),
            "refusal": registration.checkin_refusal(event),
        },
        status=status,
    )


@login_required
@require_POST
def undo_checkin(request, pk: int):
    reg = selectors.get_registration_for(request.user, pk, manage=True)
    try:
        registration.undo_check_in(reg, actor=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return render(request, "error.html", {"error": exc}, status=exc.status)
    messages.success(request, _("The check-in of %(name)s is undone.") % {"name": reg.name})
    return redirect("activities:checkin", pk=reg.event_id)


@login_required
@require_POST
def certificate_revoke(request, pk: int):
    cert = selectors.get_certificate_for(request.user, pk, manage=True)
    form = RequiredReasonForm(request.POST)
    if not form.is_valid():
        return render(request, "error.html", {"error": DomainError("required", _("Say why the certificate is revoked."), field="reason")}, status=400)
    try:
        certificates.revoke_certificate(cert, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return render(request, "error.html", {"error": exc}, status=exc.status)
    messages.success(request, _("The certificate is revoked."))
    return redirect("activities:registration", pk=cert.registration_id)
