"""Volunteer service pages: the home (one's teams and hours, or one's scope), service demands
(public list of open ones, posting, taking, withdrawing, completing, cancelling), an
organization's subtree totals with the per-child breakdown and the XLSX export of its services,
and a person's ledger. Teams, members and services are in `team_views.py`.

Each view parses with a form, reads through a scoped selector (NotFound outside the caller's
scope, PermissionDenied for a role that may only read) and calls one service; a refusal comes
back next to the field with 400, or 409 when the object's state forbids it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.sheets import Book, cell
from kejia.core.web import page_of, submit
from kejia.organizations import selectors as org_selectors
from kejia.organizations import view_helpers
from kejia.people.selectors import my_person
from kejia.volunteering import access, forms, selectors, services
from kejia.volunteering.choices import POSTER_KINDS, DemandStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


# ---- Home ---------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    person = my_person(user)
    has_role = scope.has_any_role(user)
    return render(
        request,
        "volunteering/home.html",
        {
            "person": person,
            "hours": selectors.hours_of_person(person) if person else None,
            "services": list(selectors.services_of_person(person)[:5]) if person else [],
            "memberships": list(selectors.my_memberships(user).filter(left_on__isnull=True)),
            "has_role": has_role,
            "roots": list(view_helpers.tree_roots(user)[:12]) if has_role else [],
            "pending": list(selectors.pending_services(user)[:10]),
            "open_demands": list(selectors.open_demands()[:5]),
        },
    )


@login_required
@require_GET
def my_ledger(request):
    person = my_person(request.user)
    if person is None:
        return render(request, "volunteering/ledger.html", {"ledger": None, "own": True})
    return render(request, "volunteering/ledger.html", {"ledger": selectors.person_ledger(request.user, person), "own": True})


@login_required
@require_GET
def ledger(request, pk: int):
    """A person's ledger: the person themselves, or staff whose talent database holds them."""
    person = selectors.get_ledger_person_for(request.user, pk)
    own = person.user_id == request.user.pk
    return render(request, "volunteering/ledger.html", {"ledger": selectors.person_ledger(request.user, person), "own": own})


# ---- Demands ------------------------------------------------------------------------------------


@require_GET
def demands(request):
    """Open demands for everyone (no personal data); signed-in staff also filter their scope's."""
    form = forms.DemandFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "volunteering/demands.html", {"form": form, "page": None}, status=400)
    cd = form.cleaned_data
    staff = request.user.is_authenticated and scope.has_any_role(request.user)
    if staff and cd["status"] != DemandStatus.OPEN and (cd["status"] or request.GET.get("mine")):
        qs = selectors.search_demands(request.user, status=cd["status"], text=cd["q"])
    else:
        qs = selectors.open_demands(text=cd["q"])
    page = page_of(request, qs, PAGE_SIZE)
    return render(request, "volunteering/demands.html", {"form": form, "page": page, "staff": staff})


def _demand_context(request, demand, **bound) -> dict:
    user = request.user
    teams = selectors.teams_for_demand(user, demand) if user.is_authenticated else []
    poster = scope.can_manage(user, demand.organization)
    runs = demand.team_id is not None and access.can_run_team(user, demand.team)
    f = {}
    if teams:
        f["take"] = forms.TakeForm(teams=teams, prefix="take")
    if runs and demand.status == DemandStatus.TAKEN:
        f["withdraw"] = forms.ReasonForm(prefix="withdraw")
    if poster and demand.status in (DemandStatus.OPEN, DemandStatus.TAKEN):
        f["cancel"] = forms.ReasonForm(prefix="cancel")
    f.update(bound)
    # The poster's people and the team's services are for those who see the demand beyond the public list.
    private = scope.can_view(user, demand.organization) or (demand.team_id is not None and access.can_see_team(user, demand.team))
    return {
        "demand": demand,
        "f": f,
        "teams": teams,
        "poster": poster,
        "runs": runs,
        "private": private,
        "can_complete": demand.status == DemandStatus.TAKEN and (poster or runs),
        "services": list(demand.services.select_related("team").order_by("-date")) if private else [],
    }


def _render_demand(request, demand, status: int = 200, **bound):
    return render(request, "volunteering/demand.html", _demand_context(request, demand, **bound), status=status)


@require_GET
def demand(request, pk: int):
    return _render_demand(request, selectors.get_demand_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def demand_new(request, pk: int):
    user = request.user
    org = org_selectors.get_organization_for(user, pk, manage=True)
    if org.kind not in POSTER_KINDS:
        raise DomainError("not_grassroots", _("Service demands are posted by county, township and community associations."))
    form = forms.DemandForm(request.POST or None, initial={"wanted_from": timezone.localdate()})
    status = 200
    if request.method == "POST":

        def run(d):
            return services.post_demand(org, actor=user, **{**d, "region": selectors.get_region(d["region"])})

        response, status = submit(
            request, form, run, _("The demand was posted; teams of the county can take it."), lambda dm: redirect("volunteering:demand", pk=dm.pk)
        )
        if response:
            return response
    return render(request, "volunteering/demand_form.html", {"org": org, "form": form}, status=status)


@login_required
@require_POST
def demand_take(request, pk: int):
    item = selectors.get_demand_for(request.user, pk)
    teams = selectors.teams_for_demand(request.user, item)
    if not teams:
        if item.status != DemandStatus.OPEN:
            raise services.illegal(item, _("taken"))
        raise PermissionDenied(_("You run no team that may take this demand."))
    form = forms.TakeForm(request.POST, teams=teams, prefix="take")
    team_of = {t.pk: t for t in teams}
    response, status = submit(
        request,
        form,
        lambda d: services.take_demand(item, actor=request.user, team=team_of[d["team"]]),
        _("Your team took the demand."),
        lambda dm: redirect("volunteering:demand", pk=dm.pk),
    )
    return response or _render_demand(request, item, status, take=form)


@login_required
@require_POST
def demand_withdraw(request, pk: int):
    item = selectors.get_demand_for(request.user, pk)
    form = forms.ReasonForm(request.POST, prefix="withdraw")
    response, status = submit(
        request,
        form,
        lambda d: services.withdraw_demand(item, actor=request.user, reason=d["reason"]),
        _("Your team withdrew; the demand is open again."),
        lambda dm: redirect("volunteering:demand", pk=dm.pk),
    )
    return response or _render_demand(request, item, status, withdraw=form)


@login_required
@require_POST
def demand_complete(request, pk: int):
    item = selectors.get_demand_for(request.user, pk)
    services.complete_demand(item, actor=request.user)
    messages.success(request, _("The demand is done."))
    return redirect("volunteering:demand", pk=item.pk)


@login_required
@require_POST
def demand_cancel(request, pk: int):
    item = selectors.get_demand_for(request.user, pk, poster=True)
    form = forms.ReasonForm(request.POST, prefix="cancel")
    response, status = submit(
        request,
        form,
        lambda d: services.cancel_demand(item, actor=request.user, reason=d["reason"]),
        _("The demand was cancelled."),
        lambda dm: redirect("volunteering:demand", pk=dm.pk),
    )
    return response or _render_demand(request, item, status, cancel=form)


# ---- An organization's subtree: totals, breakdown, export ----------------------------------------


@login_required
@require_GET
def org(request, pk: int):
    user = request.user
    item = org_selectors.get_organization_for(user, pk)
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "volunteering/org.html", {"org": item, "form": form, "totals": None}, status=400)
    period = {"since": form.cleaned_data["since"], "until": form.cleaned_data["until"]}
    manage = scope.can_manage(user, item)
    return render(
        request,
        "volunteering/org.html",
        {
            "org": item,
            "form": form,
            "period": period,
            "manage": manage,
            "totals": selectors.subtree_totals(item, **period),
            "rows": selectors.child_breakdown(item, **period),
            "teams": list(selectors.visible_teams(user).filter(parent=item).order_by("name")[:100]),
            "team_form": forms.TeamForm(prefix="team") if manage and not access.is_team(item) else None,
            "can_post": manage and item.kind in POSTER_KINDS,
            "breadcrumb": org_selectors.ancestors_visible(user, item),
            "query": request.GET.urlencode(),
        },
    )


def services_xlsx(item, records) -> bytes:
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("Services"))
    sheet.append(
        [
            str(h)
            for h in (
                _("date"),
                _("team"),
                _("team code"),
                _("status"),
                _("place"),
                _("region"),
                _("demand"),
                _("participants"),
                _("hours"),
                _("people served"),
                _("hours of each"),
                _("what was done"),
            )
        ]
    )
    for r in records:
        rows = list(r.hours.all())
        sheet.append(
            [
                r.date,
                cell(r.team.name),
                cell(r.team.code),
                str(r.get_status_display()),
                cell(r.address),
                r.region.full_name if r.region_id else "",
                cell(r.demand.title) if r.demand_id else "",
                len(rows),
                float(sum(h.hours for h in rows)),
                r.people_served,
                cell("; ".join(f"{h.person.name} {h.hours.normalize():f}" for h in rows)),
                cell(r.note),
            ]
        )
    return book.save()


def xlsx_response(item, records) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(services_xlsx(item, records), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kejia-volunteering-{item.pk}-{stamp}.xlsx"'
    return response


@login_required
@require_GET
def org_export(request, pk: int):
    item = org_selectors.get_organization_for(request.user, pk)
    form = forms.PeriodForm(request.GET)
    if not form.is_valid():
        return render(request, "volunteering/org.html", {"org": item, "form": form, "totals": None}, status=400)
    return xlsx_response(item, selectors.subtree_services(item, since=form.cleaned_data["since"], until=form.cleaned_data["until"]))
