"""Membership figures as pages: the societies in the user's scope, and one society in detail.
Staff only: a society outside the user's scope is a 404, in scope without a staff role a 403."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kejia.accounts import scope
from kejia.core.errors import PermissionDenied
from kejia.core.text import whole_number
from kejia.memberships import selectors, stats
from kejia.memberships.choices import MembershipStatus
from kejia.organizations.selectors import get_organization_for

# The columns of the overview, in the order of a member's life.
OVERVIEW_STATUSES = [MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.SUSPENDED, MembershipStatus.RESIGNED, MembershipStatus.TERMINATED]


# New-member bars are drawn on a 0–20 % scale, so the 3–10 % band is visible.
GROWTH_SCALE = 5


def _bar(value, scale: float = 1) -> float:
    """A percentage as a CSS width, clamped to the bar."""
    return 0.0 if value is None else round(max(0.0, min(100.0, float(value) * scale)), 1)


@login_required
@require_GET
def overview(request):
    if not scope.is_unrestricted(request.user) and not scope.role_paths(request.user, scope.MANAGE_KINDS):
        raise PermissionDenied()
    root = None
    if (root_pk := whole_number(request.GET.get("root", ""))) is not None:
        root = get_organization_for(request.user, root_pk)
    rows = stats.societies_overview(request.user, root=root)
    for row in rows:
        row["status_counts"] = [row["counts"].get(s, 0) for s in OVERVIEW_STATUSES]
        row["status_cells"] = [(s.label, row["counts"].get(s, 0)) for s in OVERVIEW_STATUSES]  # labelled: the rows stack on a phone
        row["growth_bar"] = _bar(row["new_rate"], GROWTH_SCALE)
        row["dues_bar"] = _bar(row["dues_rate"])
    band = {"left": _bar(stats.BAND[0], GROWTH_SCALE), "width": _bar(stats.BAND[1] - stats.BAND[0], GROWTH_SCALE)}
    totals = {
        "members": sum(r["members"] for r in rows),
        "waiting": sum(r["applicants_waiting"] for r in rows),
        "active": sum(r["active_now"] for r in rows),
        "on_target": sum(1 for r in rows if r["on_target"]),
    }
    return render(
        request,
        "memberships/stats.html",
        {
            "rows": rows,
            "root": root,
            "totals": totals,
            "band": band,
            "statuses": [s.label for s in OVERVIEW_STATUSES],
            "year": rows[0]["year"] if rows else None,
        },
    )


@login_required
@require_GET
def society_stats(request, pk: int):
    society = selectors.get_managed_society(request.user, pk)
    figures = stats.society_figures(society)
    statuses = [s for s in MembershipStatus if figures["totals"].get(s.value)]
    for item in figures["by_class"]:
        item["row"] = [item["counts"].get(s.value, 0) for s in statuses]
        item["total"] = sum(item["counts"].values())
    context = {
        "society": society,
        "f": figures,
        "statuses": statuses,
        "status_totals": [figures["totals"].get(s.value, 0) for s in statuses],
        "growth_bar": _bar(figures["new_rate"], GROWTH_SCALE),
        "target_at": _bar(figures["target_rate"], GROWTH_SCALE),
        "band_left": _bar(figures["band"][0], GROWTH_SCALE),
        "band_width": _bar(figures["band"][1] - figures["band"][0], GROWTH_SCALE),
        "dues_bar": _bar(figures["dues_rate"]),
    }
    return render(request, "memberships/stats_society.html", context)
