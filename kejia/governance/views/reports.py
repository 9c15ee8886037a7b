"""Compliance of a subtree (a sortable table, exported as XLSX) and the term alerts across the
user's scope."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from kejia.core.sheets import Book, cell
from kejia.core.web import page_of
from kejia.governance import access, compliance, forms, selectors
from kejia.governance.views.common import kind_label, measure_label
from kejia.organizations import selectors as org_selectors


def _compliance_rows(user, org, ruleset: str | None) -> list[dict]:
    today = timezone.localdate()
    rows = []
    labels: dict[tuple, str] = {}  # a label per kind and per measure, not per row (a province has ~1 000 bodies)

    def measure(r) -> str:
        key = (r.measure, r.param)
        if key not in labels:
            labels[key] = measure_label(r.measure, r.param)
        return labels[key]

    def kind(k: str) -> str:
        if k not in labels:
            labels[k] = kind_label(k)
        return labels[k]

    for report in compliance.subtree_compliance(org, today=today, ruleset=ruleset):
        t, b = report.term, report.body
        rows.append(
            {
                "org": b.organization,
                "body": b,
                "kind": kind(b.kind),
                "term": t,
                "planned_end": t.planned_end,
                "overdue": t.planned_end < today,
                "seats": report.seats,
                "failures": [measure(r) for r in report.failures],
                "targets": [measure(r) for r in report.targets_missed],
            }
        )
    # Bodies without a current term are listed too: one row per body.
    for b in selectors.idle_bodies(user, org):
        rows.append(
            {
                "org": b.organization,
                "body": b,
                "kind": kind(b.kind),
                "term": None,
                "planned_end": None,
                "overdue": False,
                "seats": 0,
                "failures": [],
                "targets": [],
            }
        )
    return rows


SORTS = {
    "org": lambda r: (r["org"].name, r["kind"]),
    "body": lambda r: (r["kind"], r["org"].name),
    "term": lambda r: (r["term"].number if r["term"] else -1, r["org"].name),
    "planned_end": lambda r: (r["planned_end"] is None, r["planned_end"] or timezone.localdate(), r["org"].name),
    "seats": lambda r: (r["seats"], r["org"].name),
    "failures": lambda r: (len(r["failures"]), r["org"].name),
    "targets": lambda r: (len(r["targets"]), r["org"].name),
}


def _sorted(rows: list[dict], sort: str) -> list[dict]:
    key = sort.lstrip("-")
    if key not in SORTS:
        return sorted(rows, key=lambda r: (r["org"].path, r["kind"]))
    return sorted(rows, key=SORTS[key], reverse=sort.startswith("-"))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(rows: list[dict], org) -> HttpResponse:
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("Compliance"))
    sheet.append(
        [
            str(h)
            for h in (
                _("organization"),
                _("code"),
                _("body"),
                _("term"),
                _("planned end"),
                _("seats"),
                _("failures"),
                _("failed rules"),
                _("targets missed"),
                _("targets not reached"),
            )
        ]
    )
    for r in rows:
        sheet.append(
            [
                cell(r["org"].name),
                cell(r["org"].code),
                cell(r["kind"]),
                r["term"].number if r["term"] else None,
                r["planned_end"],
                r["seats"],
                len(r["failures"]),
                cell("; ".join(r["failures"])),
                len(r["targets"]),
                cell("; ".join(r["targets"])),
            ]
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(book.save(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="kejia-compliance-{org.pk}-{stamp}.xlsx"'
    return response


# A province subtree has thousands of bodies: the page shows them 100 at a time (the XLSX has all).
COMPLIANCE_PAGE_SIZE = 25  # a phone screen's worth of stacked rows per page


@login_required
@require_GET
def subtree(request, pk: int):
    org = org_selectors.get_organization_for(request.user, pk)
    form = forms.ComplianceFilterForm(request.GET, rulesets=[r.name for r in selectors.rulesets()])
    if not form.is_valid():
        return render(request, "governance/compliance.html", {"org": org, "form": form, "rows": None, "sort": ""}, status=400)
    cd = form.cleaned_data
    rows = _sorted(_compliance_rows(request.user, org, cd["ruleset"] or None), cd["sort"])
    if cd["format"] == "xlsx":
        return _xlsx(rows, org)
    query = request.GET.copy()
    for key in ("sort", "format", "page"):
        query.pop(key, None)
    page = page_of(request, rows, COMPLIANCE_PAGE_SIZE)
    return render(
        request,
        "governance/compliance.html",
        {
            "org": org,
            "form": form,
            "rows": page.object_list,
            "page": page,
            "total": len(rows),
            "sort": cd["sort"],
            "query": query.urlencode(),
            "columns": [
                ("org", _("Organization")),
                ("body", _("Body")),
                ("term", _("Term")),
                ("planned_end", _("Planned end")),
                ("seats", _("Seats")),
                ("failures", _("Failures")),
                ("targets", _("Targets missed")),
            ],
            "failing_bodies": sum(1 for r in rows if r["failures"]),
        },
    )


@login_required
@require_GET
def alerts(request):
    access.require_staff_role(request.user)
    form = forms.AlertsForm(request.GET)
    if not form.is_valid():
        return render(request, "governance/alerts.html", {"form": form, "alerts": None, "root": None}, status=400)
    cd = form.cleaned_data
    root = org_selectors.get_organization_for(request.user, cd["org"]) if cd["org"] else None
    data = selectors.term_alerts(request.user, root=root, within_days=cd["within"] or 90)
    return render(request, "governance/alerts.html", {"form": form, "alerts": data, "root": root})
