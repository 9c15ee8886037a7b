"""Leaders' contact duties: an organization's coverage, one duty, its visits, its end."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.governance import forms, selectors, services
from kejia.governance.views.common import chosen_person, org_by_code, people_search, person_in_reach, submit
from kejia.organizations import selectors as org_selectors


@login_required
@require_http_methods(["GET", "POST"])
def contacts(request, pk: int):
    user = request.user
    org = org_selectors.get_organization_for(user, pk, manage=request.method == "POST")
    manage = scope.can_manage(user, org)
    assign = forms.ContactAssignForm(request.POST or None, prefix="assign", initial={"leader": chosen_person(request)}) if manage else None
    status = 200
    if request.method == "POST":

        def run(d):
            return services.assign_contact(
                actor=user,
                assigned_by=org,
                leader=person_in_reach(user, d["leader"], "leader"),
                organization=org_by_code(user, d["organization"], "organization"),
                since=d["since"],
            )

        response, status = submit(
            request,
            assign,
            run,
            lambda duty: _("%(leader)s now keeps contact with %(org)s.") % {"leader": duty.leader.name, "org": duty.organization.name},
            lambda duty: redirect("governance:contacts", pk=org.pk),
        )
        if response:
            return response
    months_form = forms.CoverageForm(request.GET)
    months = 6
    if months_form.is_valid():
        months = months_form.cleaned_data["months"] or 6
    elif status == 200:
        status = 400
    search, found, searched = people_search(request) if manage else (None, [], True)
    if not searched and status == 200:
        status = 400
    rows = selectors.contact_coverage(user, org, months=months)
    return render(
        request,
        "governance/contacts.html",
        {
            "org": org,
            "rows": rows,
            "months": months,
            "months_form": months_form,
            "manage": manage,
            "assign": assign,
            "search": search,
            "found": found,
            "gaps": sum(1 for r in rows if r["gap"]),
        },
        status=status,
    )


def _contact_context(request, duty, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, duty.assigned_by)
    own = duty.leader.user_id is not None and duty.leader.user_id == user.pk
    f: dict[str, Any] = {}
    if (manage or own) and duty.until is None:
        f["visit"] = forms.VisitForm(prefix="visit", initial={"date": timezone.localdate()})
    if manage and duty.until is None:
        f["end"] = forms.EndContactForm(prefix="end")
    f.update(bound)
    return {"duty": duty, "manage": manage, "own": own, "f": f, "visits": selectors.visits_of(duty)}


@login_required
@require_GET
def contact(request, pk: int):
    duty = selectors.get_contact_for(request.user, pk)
    return render(request, "governance/contact.html", _contact_context(request, duty))


@login_required
@require_POST
def contact_visit(request, pk: int):
    duty = selectors.get_contact_for(request.user, pk)
    form = forms.VisitForm(request.POST, prefix="visit")

    def run(d):
        return services.log_visit(duty, actor=request.user, date=d["date"], form=d["kind"], notes=d["notes"], issues=d["issues"])

    response, status = submit(request, form, run, _("The contact was logged."), lambda v: redirect("governance:contact", pk=duty.pk))
    return response or render(request, "governance/contact.html", _contact_context(request, duty, visit=form), status=status)


@login_required
@require_POST
def contact_end(request, pk: int):
    duty = selectors.get_contact_for(request.user, pk, manage=True)
    form = forms.EndContactForm(request.POST, prefix="end")
    response, status = submit(
        request,
        form,
        lambda d: services.end_contact(duty, actor=request.user, until=d["until"]),
        _("The contact duty has ended."),
        lambda v: redirect("governance:contact", pk=duty.pk),
    )
    return response or render(request, "governance/contact.html", _contact_context(request, duty, end=form), status=status)
