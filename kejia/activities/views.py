"""Activities pages for everyone: the public list and calendars (no login), an event's page,
registering and cancelling, one's registrations with their QR codes, certificates of attendance,
and the ticket page a QR code opens. The staff pages are in staff_views.py.

Each view reads through a scoped selector (NotFound outside the reader's reach) and calls one
service; a refusal is shown on the page it came from, 400 for bad input, 403 or 409 for a rule."""

import datetime
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.activities import certificates, ical, registration, selectors
from kejia.activities.choices import EventStatus, RegistrationStatus
from kejia.activities.forms import PublicFilterForm, ReasonForm
from kejia.core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from kejia.core.web import page_of
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Organization

PAGE_SIZE = 30
R = RegistrationStatus


def qr_svg(url: str, *, title: str) -> str:
    return segno.make(url, error="m", micro=False).svg_inline(scale=4, border=2, omitsize=True, title=title)


def ticket_url(reg) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse("activities:ticket", args=[reg.checkin_code])


def event_context(request, event, **extra) -> dict:
    """What an event's page shows to this reader: their registration, whether they may register, staff links."""
    user = request.user
    reg = selectors.registration_of(event, user)
    refusal = registration.registration_refusal(event)
    eligible = selectors.is_eligible(event, person=selectors.my_person(user)) if user.is_authenticated else None
    return {
        "event": event,
        "reg": reg,
        "place": selectors.place_in_line(reg) if reg else None,
        "refusal": refusal,
        "eligible": eligible,
        "audience_refusal": selectors.audience_refusal(event) if eligible is False else "",
        "manage": scope.can_manage(user, event.organization),
        "view_scope": scope.can_view(user, event.organization),
        "opens_closes": registration.registration_window(event),
        **extra,
    }


# ---- Public: list, event, calendars -----------------------------------------------------------------


@require_GET
def home(request):
    user = request.user
    form = PublicFilterForm(request.GET or None)
    qs = selectors.public_events().filter(status=EventStatus.PUBLISHED, ends_at__gte=timezone.now()).order_by("starts_at", "id")
    status = 200
    if form.is_bound:
        if form.is_valid():
            if form.cleaned_data["kind"]:
                qs = qs.filter(kind=form.cleaned_data["kind"])
            region = form.cleaned_data["region"]
            if region is not None:
                qs = qs.filter(region__path__descends=region.path)
        else:
            status = 400
    page = page_of(request, qs, PAGE_SIZE)
    mine = (
        list(selectors.events_of_user(user).filter(status__in=(R.CONFIRMED, R.WAITLISTED), event__ends_at__gte=timezone.now())[:10])
        if user.is_authenticated
        else []
    )
    roots = list(org_selectors.root_organizations(user)[:10]) if scope.has_any_role(user) else []
    return render(request, "activities/home.html", {"page": page, "form": form, "mine": mine, "roots": roots, "staff": scope.has_any_role(user)}, status=status)


@require_GET
def event(request, pk: int):
    event = selectors.get_event_for(request.user, pk)
    return render(request, "activities/event.html", event_context(request, event))


@require_GET
def event_ics(request, pk: int):
    """One event as an iCalendar file ("add to my calendar")."""
    event = selectors.get_event_for(request.user, pk)
    if event.status == EventStatus.DRAFT:
        raise NotFound()
    return _ics(ical.calendar([event], name=event.title), f"kejia-event-{event.pk}.ics")


def _calendar_org(pk: int) -> Organization:
    """Calendars are public: any organization's public events, whoever asks."""
    org = Organization.objects.select_related("region").filter(pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def _month(text: str) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in text.split("-", 1))
        return datetime.date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except (ValueError, TypeError):
        return today.replace(day=1)


@require_GET
def calendar(request, pk: int):
    org = _calendar_org(pk)
    subtree = request.GET.get("subtree") == "1"
    month = _month(request.GET.get("month", ""))
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(following, datetime.time.min, tzinfo=tz)
    events = list(selectors.calendar_events(org, subtree=subtree, start=start, end=end))
    days: dict[datetime.date, list] = {}
    for item in events:
        days.setdefault(max(timezone.localtime(item.starts_at).date(), month), []).append(item)
    upcoming = [] if events else list(selectors.calendar_events(org, subtree=subtree, start=timezone.now())[:10])
    return render(
        request,
        "activities/calendar.html",
        {
            "org": org,
            "subtree": subtree,
            "month": month,
            "next": following,
            "previous": previous,
            "days": sorted(days.items()),
            "upcoming": upcoming,
            "count": len(events),
        },
    )


@require_GET
def calendar_ics(request, pk: int):
    org = _calendar_org(pk)
    subtree = request.GET.get("subtree") == "1"
    since = timezone.now() - datetime.timedelta(days=180)  # a feed of the recent past and everything ahead
    events = selectors.calendar_events(org, subtree=subtree, start=since)[:2000]
    name = org.name + (_(" and below") if subtree else "")
    return _ics(ical.calendar(events, name=name), f"kejia-{org.code}{'-all' if subtree else ''}.ics")


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    return response


# ---- Registering ------------------------------------------------------------------------------------


@login_required
@require_POST
def register(request, pk: int):
    event = selectors.get_event_for(request.user, pk)
    try:
        reg = registration.register_for_event(event, actor=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return render(request, "activities/event.html", event_context(request, event, error=exc), status=exc.status)
    if reg.status == R.CONFIRMED:
        messages.success(request, _("You are registered: your place is confirmed."))
    else:
        messages.warning(request, _("The event is full: you are on the waiting list, place %(n)s.") % {"n": selectors.place_in_line(reg)})
    return redirect("activities:registration", pk=reg.pk)


@login_required
@require_GET
def mine(request):
    regs = list(selectors.events_of_user(request.user)[:200])
    now = timezone.now()
    return render(
        request,
        "activities/mine.html",
        {
            "upcoming": [r for r in regs if r.event.ends_at >= now and r.status != R.CANCELLED],
            "past": [r for r in regs if r.event.ends_at < now or r.status == R.CANCELLED],
            "person": selectors.my_person(request.user),
        },
    )


@login_required
@require_GET
def registration_detail(request, pk: int):
    reg = selectors.get_registration_for(request.user, pk)
    own = reg.belongs_to(request.user)
    context = {
        "reg": reg,
        "event": reg.event,
        "own": own,
        "place": selectors.place_in_line(reg),
        "manage": scope.can_manage(request.user, reg.event.organization),
        "cancel_form": ReasonForm(),
    }
    if own and reg.status in (R.CONFIRMED, R.ATTENDED):
        context["qr_svg"] = qr_svg(ticket_url(reg), title=_("Show at the door"))
    if reg.status == R.ATTENDED:
        context["cert"] = reg.certificates.filter(revoked_at__isnull=True).first()
    return render(request, "activities/registration.html", context)


@login_required
@require_POST
def registration_cancel(request, pk: int):
    reg = selectors.get_registration_for(request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        registration.cancel_registration(reg, actor=request.user, reason=reason)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        context = {
            "reg": reg,
            "event": reg.event,
            "own": reg.belongs_to(request.user),
            "error": exc,
            "cancel_form": form,
            "manage": scope.can_manage(request.user, reg.event.organization),
            "place": selectors.place_in_line(reg),
        }
        return render(request, "activities/registration.html", context, status=exc.status)
    messages.success(request, _("The registration is cancelled."))
    if reg.belongs_to(request.user):
        return redirect("activities:mine")
    return redirect("activities:registrations", pk=reg.event_id)


@require_http_methods(["GET", "POST"])
def ticket(request, code: str):
    """What a ticket's QR code opens. The organizer's staff see who it is and check them in; the
    holder sees their ticket; anyone else finds nothing."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    reg = registration.registration_by_code(code)
    manage = scope.can_manage(request.user, reg.event.organization)
    if not manage:
        if reg.belongs_to(request.user) and request.method == "GET":
            return redirect("activities:registration", pk=reg.pk)
        if scope.can_view(request.user, reg.event.organization) or reg.belongs_to(request.user):
            raise PermissionDenied(_("Only the organizer's staff may check people in."))
        raise NotFound()
    result, error, status = None, None, 200
    if request.method == "POST":
        try:
            result = registration.check_in(reg.event, actor=request.user, registration=reg)
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            reg = result.registration
    return render(
        request,
        "activities/ticket.html",
        {"reg": reg, "event": reg.event, "result": result, "error": error, "refusal": registration.checkin_refusal(reg.event)},
        status=status,
    )


# ---- Certificates -------------------------------------------------------------------------------


@login_required
@require_GET
def my_certificates(request):
    certificates.issue_missing(request.user)  # attended registrations get their certificate on first need
    return render(request, "activities/certificates.html", {"certs": list(selectors.my_certificates(request.user)[:200])})


@login_required
@require_GET
def certificate(request, pk: int):
    """The certificate of attendance of a registration, with its verification QR code."""
    reg = selectors.get_registration_for(request.user, pk)
    cert = certificates.certificate_for(reg)
    if cert is None:
        raise IllegalTransition("not_attended", _("There is no certificate: attendance was not recorded."))
    url = certificates.verification_url(cert)
    if request.GET.get("download") == "svg":
        buffer = io.BytesIO()
        segno.make(url, error="m", micro=False).save(buffer, kind="svg", scale=8, border=4, title=url)
        response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="kejia-attendance-{cert.serial}.svg"'
        return response
    return render(
        request,
        "activities/certificate.html",
        {"reg": reg, "event": reg.event, "cert": cert, "verify_url": url, "qr_svg": qr_svg(url, title=_("Scan to verify"))},
    )
