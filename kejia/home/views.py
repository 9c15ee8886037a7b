"""The public pages — the front page (/ for a visitor), find an association near me (/find/),
an association's public page (/a/<id>/) — and the S&T worker's online home (/me/). Public pages need no login and show only
public data of active organizations (kejia.home.selectors); the home shows the user's own things."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from kejia.accounts import scope
from kejia.home import selectors
from kejia.home.forms import FindForm
from kejia.organizations import selectors as org_selectors
from kejia.organizations import view_helpers
from kejia.organizations.kinds import SOCIETY_KINDS
from kejia.organizations.models import FilingStatus


@require_GET
def front(request):
    """`/`: the public front page of the online association for a visitor; a signed-in user
    keeps their home (staff: the organizations dashboard; a S&T worker: /me/)."""
    if request.user.is_authenticated:
        return dashboard(request)
    return render(request, "home/front.html", {"front": selectors.front_page(), "form": FindForm()})


def dashboard(request):
    """`/` for a signed-in user: a S&T worker goes to their online home; staff, leaders and
    administrators get the dashboard — their to-do across the modules first, then their
    organizations' figures. It lives here, above every module whose work it lists."""
    user = request.user
    if not scope.has_any_role(user):
        return redirect("home:me")
    cards = [
        {
            "org": org,
            "counts": view_helpers.kind_counts(org_selectors.subtree_counts(org, include_self=False)),
            # The coverage page answers for a territory the user may analyse (a society has none: 404).
            "coverage": bool(org.region_id) and org_selectors.can_analyse_region(user, org.region),
        }
        for org in view_helpers.tree_roots(user)[:6]
    ]
    return render(
        request,
        "organizations/home.html",
        {
            "cards": cards,
            "roles": user.roles.select_related("organization").order_by("organization__path"),
            "pending": org_selectors.pending_filing_count(user),
            "open_filings": org_selectors.my_filings(user).filter(status__in=[FilingStatus.SUBMITTED, FilingStatus.RETURNED]).count(),
            "todo": selectors.staff_todo(user),
            "open_calls": selectors.open_calls(),
        },
    )


@require_GET
def find(request):
    """Find by division and discipline. An htmx request (the form changed) gets the results only."""
    form = FindForm(request.GET or None)
    status, found = 200, selectors.Finding()
    if form.is_bound:
        if form.is_valid():
            found = selectors.find_associations(region=form.cleaned_data["region"], discipline=form.cleaned_data["discipline"])
        else:
            status = 400
    template = "home/_find_results.html" if request.htmx and not request.htmx.boosted else "home/find.html"
    return render(request, template, {"form": form, "found": found}, status=status)


@require_GET
def association(request, pk: int):
    page = selectors.public_page(selectors.get_public_organization(pk))
    return render(request, "home/association.html", {"page": page, "org": page.org, "is_society": page.org.kind in SOCIETY_KINDS})


@login_required
@require_GET
def home(request):
    return render(request, "home/home.html", {"home": selectors.worker_home(request.user)})
