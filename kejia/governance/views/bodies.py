"""The governance home, an organization's bodies, and one body: its current term and seats, its
compliance, its past terms and draft slates (a term, a seat, a slate is started from here)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError
from kejia.governance import access, compliance, forms, selectors, services
from kejia.governance.choices import OfficialStatus
from kejia.governance.views.common import chosen_person, people_search, person_in_reach, result_rows, submit
from kejia.organizations import selectors as org_selectors
from kejia.organizations import view_helpers


@login_required
@require_GET
def home(request):
    user = request.user
    has_role = scope.has_any_role(user)
    return render(
        request,
        "governance/home.html",
        {
            "has_role": has_role,
            "alerts": selectors.term_alerts(user) if has_role else None,
            "roots": list(view_helpers.tree_roots(user)[:20]) if has_role else [],
            "duties": list(selectors.my_contact_duties(user)),
            "can_edit_rules": access.can_edit_rules(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def org_bodies(request, pk: int):
    user = request.user
    org = org_selectors.get_organization_for(user, pk, manage=request.method == "POST")
    manage = scope.can_manage(user, org)
    form = forms.BodyForm(request.POST or None) if manage else None
    status = 200
    if request.method == "POST":
        response, status = submit(
            request,
            form,
            lambda d: services.create_body(org, actor=user, **d),
            lambda b: _("The body %(name)s was created; start its first term.") % {"name": b},
            lambda b: redirect("governance:body", pk=b.pk),
        )
        if response:
            return response
    bodies = list(selectors.bodies_of(org))
    reports = {r.body.pk: r for r in compliance.reports_for_terms(compliance.current_terms(selectors.bodies_of(org)))}
    today = timezone.localdate()
    rows = [{"body": b, "report": reports.get(b.pk), "term": reports[b.pk].term if b.pk in reports else None} for b in bodies]
    return render(
        request,
        "governance/org.html",
        {
            "org": org,
            "rows": rows,
            "form": form,
            "manage": manage,
            "today": today,
            "breadcrumb": org_selectors.ancestors_visible(user, org),
        },
        status=status,
    )


def _body_context(request, body, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, body.organization)
    term = selectors.current_term(body)
    today = timezone.localdate()
    seats = list(selectors.seats_of(term, today=today)) if term else []
    f: dict[str, Any] = {}
    search, found, searched = None, [], True
    if manage:
        f["term"] = forms.TermForm(prefix="term")
        if term is not None:
            f["seat"] = forms.SeatForm(prefix="seat", initial={"person": chosen_person(request)})
        f["slate"] = forms.SlateForm(prefix="slate")
        search, found, searched = people_search(request)
    f.update(bound)
    report = compliance.body_compliance(body, today=today) if term else None
    return {
        "body": body,
        "org": body.organization,
        "term": term,
        "manage": manage,
        "f": f,
        "today": today,
        "seats": [{"seat": s, "age": compliance.age_on(s.birth_date, s.start)} for s in seats],
        "results": result_rows(report),
        "past_terms": [t for t in selectors.terms_of(body) if t.actual_end is not None],
        "slates": list(selectors.slates_of(body)),
        "search": search,
        "found": found,
        "search_status": 200 if searched else 400,
        "vacate_errors": bound["vacate"].errors if "vacate" in bound else None,
    }


def _render_body(request, body, status: int = 200, **bound):
    context = _body_context(request, body, **bound)
    return render(request, "governance/body.html", context, status=status if status != 200 else context["search_status"])


@login_required
@require_GET
def body(request, pk: int):
    return _render_body(request, selectors.get_body_for(request.user, pk))


@login_required
@require_POST
def term_start(request, pk: int):
    item = selectors.get_body_for(request.user, pk, manage=True)
    form = forms.TermForm(request.POST, prefix="term")
    response, status = submit(
        request,
        form,
        lambda d: services.start_term(item, actor=request.user, **d),
        lambda t: _("Term %(n)s has started.") % {"n": t.number},
        lambda t: redirect("governance:body", pk=item.pk),
    )
    return response or _render_body(request, item, status, term=form)


def _seat(user, item, d):
    term = selectors.current_term(item)
    if term is None:
        raise DomainError("no_current_term", _("Start a term first."))
    return services.seat_person(
        term, actor=user, person=person_in_reach(user, d["person"], "person"), role=d["role"], start=d["start"], official=d["official"] or OfficialStatus.NONE
    )


@login_required
@require_POST
def seat_add(request, pk: int):
    item = selectors.get_body_for(request.user, pk, manage=True)
    form = forms.SeatForm(request.POST, prefix="seat")
    response, status = submit(
        request,
        form,
        lambda d: _seat(request.user, item, d),
        lambda s: _("%(name)s was seated.") % {"name": s.person.name},
        lambda s: redirect("governance:body", pk=item.pk),
    )
    return response or _render_body(request, item, status, seat=form)


@login_required
@require_POST
def seat_vacate(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.VacateForm(request.POST, prefix="vacate")
    item = seat.term.body
    response, status = submit(
        request,
        form,
        lambda d: services.unseat(seat, actor=request.user, end=d["end"], reason=d["reason"]),
        lambda s: _("The seat of %(name)s was vacated.") % {"name": s.person.name},
        lambda s: redirect("governance:body", pk=item.pk),
    )
    return response or _render_body(request, item, status, vacate=form)


@login_required
@require_POST
def slate_create(request, pk: int):
    item = selectors.get_body_for(request.user, pk, manage=True)
    form = forms.SlateForm(request.POST, prefix="slate")
    response, status = submit(
        request,
        form,
        lambda d: services.create_slate(item, actor=request.user, **d),
        lambda s: _("The draft slate %(name)s was created.") % {"name": s.name},
        lambda s: redirect("governance:slate", pk=s.pk),
    )
    return response or _render_body(request, item, status, slate=form)


@login_required
@require_GET
def term(request, pk: int):
    item = selectors.get_term_for(request.user, pk)
    seats = selectors.seats_of(item, include_ended=True)
    return render(
        request,
        "governance/term.html",
        {
            "term": item,
            "body": item.body,
            "org": item.body.organization,
            "seats": [{"seat": s, "age": compliance.age_on(s.birth_date, s.start)} for s in seats],
        },
    )
