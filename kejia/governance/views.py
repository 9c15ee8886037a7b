"""The governance pages: an organization's leadership bodies, their terms and seats, compliance
with the rule sets (per body, per subtree with an XLSX export, and what-if for a draft slate), term
alerts, concurrent posts, leaders' contact duties, and the rule sets themselves.

Each view parses its input with a form, reads through a scoped selector (NotFound outside the
caller's scope, PermissionDenied for a role that may only read) and calls one service; a service's
refusal comes back next to the field at fault with 400, or 409 when the object's state forbids it."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.accounts.models import RoleKind
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.ratios import fraction_text
from kejia.core.sheets import Book, cell
from kejia.core.web import failed, page_of, submit
from kejia.governance import compliance, forms, selectors, services
from kejia.governance.choices import SHARE_MEASURES, BodyKind, Comparison, Measure, OfficialStatus, Outcome
from kejia.governance.models import Term
from kejia.governance.rulesets import TITLES
from kejia.organizations import selectors as org_selectors
from kejia.organizations import view_helpers
from kejia.organizations.kinds import OrgKind
from kejia.people import selectors as people_selectors

# Refusals because of the object's state (an ended term, a vacated seat, an ended duty): 409.
ILLEGAL_STATE = frozenset({"term_ended", "seat_ended", "ended", "no_current_term"})
PEOPLE_SHOWN = 10
PERCENT_MEASURES = SHARE_MEASURES
OUTCOME_CLASS = {Outcome.PASS: "status-approved", Outcome.FAIL: "status-failed", Outcome.TARGET_MISSED: "status-returned"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- Helpers ----------------------------------------------------------------------------------

def _failed(form, exc: DomainError) -> int:
    return failed(form, exc, ILLEGAL_STATE)


def _submit(request, form, run, done: str | Any, success):
    """Validate, run one service, say so and redirect; or return the status to render the page with."""
    return submit(request, form, run, done, success, illegal_state=ILLEGAL_STATE)


def _person(user, pk: int, field: str):
    """A person of the talent database the user may see, or an error next to the field."""
    try:
        return people_selectors.get_person_for(user, pk)
    except NotFound:
        raise DomainError("unknown_person", _("No person with this number in the talent database you can see."), field=field) from None


def _org_by_code(user, code: str, field: str):
    org = org_selectors.visible_organizations(user).filter(code=code).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this code in your scope."), field=field)
    return org


def _require_role(user) -> None:
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))


def _can_assign_rulesets(user) -> bool:
    return scope.is_unrestricted(user) or bool(scope.role_paths(user, (RoleKind.ADMIN,)))


def _people_search(request) -> tuple[forms.PersonSearchForm, list, bool]:
    """The small search box beside a form asking for a person: names from the talent database."""
    form = forms.PersonSearchForm(request.GET)
    if not form.is_valid():
        return form, [], False
    text = form.cleaned_data["q"].strip()
    found = list(people_selectors.search_people(request.user, text=text)[:PEOPLE_SHOWN]) if text else []
    return form, found, True


def _chosen_person(request) -> int | None:
    value = request.GET.get("person", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _percent_down(k: int, n: int) -> str:
    """A share as a percentage rounded down to two decimals: 1 402 of 2 003 reads 69.99 %, never
    70.0 % beside a 70 % it does not reach."""
    hundredths = k * 10000 // n
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def _measured_text(r) -> str:
    if r.measured is None:
        return "—"
    if r.measure in PERCENT_MEASURES and "/" in r.measured_text:
        k, n = (int(x) for x in r.measured_text.split("/"))
        return f"{_percent_down(k, n)} ({k}/{n})"
    return r.measured_text or f"{r.measured:g}"


COMPARISON_SIGN = {Comparison.AT_LEAST: "≥", Comparison.AT_MOST: "≤", Comparison.MORE_THAN: ">"}


def _threshold_text(r) -> str:
    sign = COMPARISON_SIGN.get(r.comparison, r.comparison)
    if r.against_previous:
        if r.measured is None:
            return _("%(sign)s the previous term") % {"sign": sign}
        k, n = (int(x) for x in r.threshold_text.split("/"))
        return _("%(sign)s the previous term (%(share)s)") % {"sign": sign, "share": f"{_percent_down(k, n)} ({k}/{n})"}
    return f"{sign} {r.threshold_text}"


def _progress_text(r) -> str:
    """A target with a baseline: how far from the baseline to the target the body has come."""
    if r.baseline is None or r.progress is None:
        return ""
    return _("from %(baseline)s toward %(target)s: %(progress)s of the way") % {
        "baseline": f"{r.baseline * 100:g}%", "target": r.threshold_text, "progress": f"{int(r.progress * 100)}%"}


def _measure_label(measure: str, param) -> str:
    label = str(Measure(measure).label) if measure in Measure.values else measure
    return f"{label} (N = {param})" if param is not None else label


def _outcome_label(outcome: str) -> str:
    return str(Outcome(outcome).label) if outcome in Outcome.values else outcome


def _result_row(r) -> dict:
    return {"result": r, "measure": _measure_label(r.measure, r.param), "measured": _measured_text(r), "threshold": _threshold_text(r),
            "outcome": _outcome_label(r.outcome), "badge": OUTCOME_CLASS.get(r.outcome, ""), "failing": r.failing,
            "progress": _progress_text(r)}


def _result_rows(report) -> list[dict]:
    return [_result_row(r) for r in report.results] if report is not None else []


def _kind_label(kind: str) -> str:
    return str(BodyKind(kind).label) if kind in BodyKind.values else kind


def _org_kind_label(kind: str) -> str:
    return str(OrgKind(kind).label) if kind in OrgKind.values else kind


# ---- Home, an organization's bodies ------------------------------------------------------------

@login_required
@require_GET
def home(request):
    user = request.user
    has_role = scope.has_any_role(user)
    return render(request, "governance/home.html", {
        "has_role": has_role,
        "alerts": selectors.term_alerts(user) if has_role else None,
        "roots": list(view_helpers.tree_roots(user)[:20]) if has_role else [],
        "duties": list(selectors.my_contact_duties(user)),
        "can_edit_rules": services.can_edit_rules(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def org_bodies(request, pk: int):
    user = request.user
    org = org_selectors.get_organization_for(user, pk, manage=request.method == "POST")
    manage = scope.can_manage(user, org)
    form = forms.BodyForm(request.POST or None) if manage else None
    status = 200
    if request.method == "POST":
        response, status = _submit(request, form, lambda d: services.create_body(org, actor=user, **d),
                                   lambda b: _("The body %(name)s was created; start its first term.") % {"name": b},
                                   lambda b: redirect("governance:body", pk=b.pk))
        if response:
            return response
    bodies = list(selectors.bodies_of(org))
    reports = {r.body.pk: r for r in compliance.reports_for_terms(compliance.current_terms(selectors.bodies_of(org)))}
    today = timezone.localdate()
    rows = [{"body": b, "report": reports.get(b.pk), "term": reports[b.pk].term if b.pk in reports else None} for b in bodies]
    return render(request, "governance/org.html", {
        "org": org, "rows": rows, "form": form, "manage": manage, "today": today,
        "breadcrumb": org_selectors.ancestors_visible(user, org),
    }, status=status)


# ---- One body: current term, seats, compliance, past terms, slates ------------------------------

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
            f["seat"] = forms.SeatForm(prefix="seat", initial={"person": _chosen_person(request)})
        f["slate"] = forms.SlateForm(prefix="slate")
        search, found, searched = _people_search(request)
    f.update(bound)
    report = compliance.body_compliance(body, today=today) if term else None
    return {
        "body": body, "org": body.organization, "term": term, "manage": manage, "f": f, "today": today,
        "seats": [{"seat": s, "age": compliance.age_on(s.birth_date, s.start)} for s in seats],
        "results": _result_rows(report),
        "past_terms": [t for t in selectors.terms_of(body) if t.actual_end is not None],
        "slates": list(selectors.slates_of(body)),
        "search": search, "found": found, "search_status": 200 if searched else 400,
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
    response, status = _submit(request, form, lambda d: services.start_term(item, actor=request.user, **d),
                               lambda t: _("Term %(n)s has started.") % {"n": t.number}, lambda t: redirect("governance:body", pk=item.pk))
    return response or _render_body(request, item, status, term=form)


def _seat(user, item, d):
    term = selectors.current_term(item)
    if term is None:
        raise DomainError("no_current_term", _("Start a term first."))
    return services.seat_person(term, actor=user, person=_person(user, d["person"], "person"), role=d["role"], start=d["start"],
                                official=d["official"] or OfficialStatus.NONE)


@login_required
@require_POST
def seat_add(request, pk: int):
    item = selectors.get_body_for(request.user, pk, manage=True)
    form = forms.SeatForm(request.POST, prefix="seat")
    response, status = _submit(request, form, lambda d: _seat(request.user, item, d),
                               lambda s: _("%(name)s was seated.") % {"name": s.person.name}, lambda s: redirect("governance:body", pk=item.pk))
    return response or _render_body(request, item, status, seat=form)


@login_required
@require_POST
def seat_vacate(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.VacateForm(request.POST, prefix="vacate")
    item = seat.term.body
    response, status = _submit(request, form, lambda d: services.unseat(seat, actor=request.user, end=d["end"], reason=d["reason"]),
                               lambda s: _("The seat of %(name)s was vacated.") % {"name": s.person.name},
                               lambda s: redirect("governance:body", pk=item.pk))
    return response or _render_body(request, item, status, vacate=form)


@login_required
@require_POST
def slate_create(request, pk: int):
    item = selectors.get_body_for(request.user, pk, manage=True)
    form = forms.SlateForm(request.POST, prefix="slate")
    response, status = _submit(request, form, lambda d: services.create_slate(item, actor=request.user, **d),
                               lambda s: _("The draft slate %(name)s was created.") % {"name": s.name},
                               lambda s: redirect("governance:slate", pk=s.pk))
    return response or _render_body(request, item, status, slate=form)


@login_required
@require_GET
def term(request, pk: int):
    item = selectors.get_term_for(request.user, pk)
    seats = selectors.seats_of(item, include_ended=True)
    return render(request, "governance/term.html", {
        "term": item, "body": item.body, "org": item.body.organization,
        "seats": [{"seat": s, "age": compliance.age_on(s.birth_date, s.start)} for s in seats],
    })


# ---- An official's posts: approval (经批准) and posts declared outside the tree ------------------

def _posts_context(request, seat, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, seat.term.body.organization)
    f: dict[str, Any] = {}
    if manage:
        f["approval"] = forms.ApprovalForm(prefix="approval", initial={"approved_on": seat.approved_on, "approved_by": seat.approved_by})
        f["declare"] = forms.DeclaredPostForm(prefix="declare")
    f.update(bound)
    declared = list(selectors.declared_posts_of(seat.person_id))
    return {"seat": seat, "person": seat.person, "body": seat.term.body, "org": seat.term.body.organization, "manage": manage, "f": f,
            "society_posts": list(selectors.society_posts_of(seat.person_id)), "declared": declared,
            "declared_forms": {d.pk: {"approval": forms.ApprovalForm(prefix=f"approve{d.pk}"), "end": forms.EndPostForm(prefix=f"end{d.pk}")}
                               for d in declared if manage and d.end is None and scope.can_manage(user, d.declared_by)}}


def _render_posts(request, seat, status: int = 200, **bound):
    return render(request, "governance/posts.html", _posts_context(request, seat, **bound), status=status)


@login_required
@require_GET
def seat_posts(request, pk: int):
    return _render_posts(request, selectors.get_seat_for(request.user, pk))


@login_required
@require_POST
def seat_approval(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.ApprovalForm(request.POST, prefix="approval")
    response, status = _submit(request, form, lambda d: services.record_post_approval(seat, actor=request.user, **d),
                               _("The approval was recorded."), lambda s: redirect("governance:seat_posts", pk=seat.pk))
    return response or _render_posts(request, seat, status, approval=form)


@login_required
@require_POST
def post_declare(request, pk: int):
    seat = selectors.get_seat_for(request.user, pk, manage=True)
    form = forms.DeclaredPostForm(request.POST, prefix="declare")
    response, status = _submit(request, form, lambda d: services.declare_post(seat, actor=request.user, **d),
                               _("The post was declared."), lambda p: redirect("governance:seat_posts", pk=seat.pk))
    return response or _render_posts(request, seat, status, declare=form)


def _form_errors_text(form) -> str:
    return "; ".join(f"{form.fields[name].label if name in form.fields else name}: {e}" for name, errors in form.errors.items() for e in errors)


def _back_to_posts(request, declared):
    """The page the form was posted from (a seat of the person), or the concurrent-posts page."""
    value = request.POST.get("seat", "")
    if value.isdigit() and len(value) < 10:
        return redirect("governance:seat_posts", pk=int(value))
    return redirect("governance:concurrent")


@login_required
@require_POST
def declared_post_approval(request, pk: int):
    declared = selectors.get_declared_post_for(request.user, pk, manage=True)
    form = forms.ApprovalForm(request.POST, prefix=f"approve{declared.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors_text(form))
        return _back_to_posts(request, declared)
    try:
        services.approve_declared_post(declared, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        label = forms.ApprovalForm.base_fields[exc.field].label if exc.field in forms.ApprovalForm.base_fields else ""
        messages.error(request, f"{label}: {exc.message}" if label else str(exc.message))
        return _back_to_posts(request, declared)
    messages.success(request, _("The approval was recorded."))
    return _back_to_posts(request, declared)


@login_required
@require_POST
def declared_post_end(request, pk: int):
    declared = selectors.get_declared_post_for(request.user, pk, manage=True)
    form = forms.EndPostForm(request.POST, prefix=f"end{declared.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors_text(form))
        return _back_to_posts(request, declared)
    try:
        services.end_declared_post(declared, actor=request.user, end=form.cleaned_data["end"])
    except DomainError as exc:
        label = forms.ApprovalForm.base_fields[exc.field].label if exc.field in forms.ApprovalForm.base_fields else ""
        messages.error(request, f"{label}: {exc.message}" if label else str(exc.message))
        return _back_to_posts(request, declared)
    messages.success(request, _("The post has ended."))
    return _back_to_posts(request, declared)


# ---- What-if: a draft slate against the rules, beside the current term --------------------------

def _slate_context(request, slate, **bound) -> dict:
    user = request.user
    manage = scope.can_manage(user, slate.body.organization)
    f: dict[str, Any] = {}
    search, found, searched = None, [], True
    if manage:
        f["entry"] = forms.SlateEntryForm(prefix="entry", initial={"person": _chosen_person(request)})
        search, found, searched = _people_search(request)
    f.update(bound)
    today = timezone.localdate()
    proposed = compliance.slate_compliance(slate, today=today)
    current = compliance.body_compliance(slate.body, today=today)
    now_by_rule = {r.rule_id: r for r in current.results}
    pairs = [{"slate": _result_row(r), "now": _result_row(now_by_rule[r.rule_id]) if r.rule_id in now_by_rule else None}
             for r in proposed.results]
    entries = slate.entries.select_related("person").order_by("role", "person__name", "id")
    return {
        "slate": slate, "body": slate.body, "org": slate.body.organization, "manage": manage, "f": f,
        "entries": entries, "pairs": pairs, "proposed": proposed, "current": current,
        "search": search, "found": found, "search_status": 200 if searched else 400,
    }


def _render_slate(request, slate, status: int = 200, **bound):
    context = _slate_context(request, slate, **bound)
    return render(request, "governance/slate.html", context, status=status if status != 200 else context["search_status"])


@login_required
@require_GET
def slate(request, pk: int):
    return _render_slate(request, selectors.get_slate_for(request.user, pk))


@login_required
@require_POST
def slate_add(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    form = forms.SlateEntryForm(request.POST, prefix="entry")

    def run(d):
        return services.add_slate_entry(item, actor=request.user, person=_person(request.user, d["person"], "person"), role=d["role"],
                                        official=d["official"] or OfficialStatus.NONE)

    response, status = _submit(request, form, run, lambda e: _("%(name)s is on the slate.") % {"name": e.person.name},
                               lambda e: redirect("governance:slate", pk=item.pk))
    return response or _render_slate(request, item, status, entry=form)


@login_required
@require_POST
def slate_remove(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    value = request.POST.get("entry", "")
    entry = item.entries.select_related("person").filter(pk=int(value)).first() if value.isdigit() and len(value) < 10 else None
    if entry is None:
        raise NotFound()
    services.remove_slate_entry(entry, actor=request.user)
    messages.success(request, _("%(name)s was taken off the slate.") % {"name": entry.person.name})
    return redirect("governance:slate", pk=item.pk)


@login_required
@require_POST
def slate_delete(request, pk: int):
    item = selectors.get_slate_for(request.user, pk, manage=True)
    body_pk = item.body_id
    services.delete_slate(item, actor=request.user)
    messages.success(request, _("The draft slate was deleted."))
    return redirect("governance:body", pk=body_pk)


# ---- Compliance of a subtree: a sortable table, exported as XLSX -------------------------------

def _compliance_rows(user, org, ruleset: str | None) -> list[dict]:
    today = timezone.localdate()
    rows = []
    labels: dict[tuple, str] = {}  # a label per kind and per measure, not per row (a province has ~1 000 bodies)

    def measure(r) -> str:
        key = (r.measure, r.param)
        if key not in labels:
            labels[key] = _measure_label(r.measure, r.param)
        return labels[key]

    def kind(k: str) -> str:
        if k not in labels:
            labels[k] = _kind_label(k)
        return labels[k]

    for report in compliance.subtree_compliance(org, today=today, ruleset=ruleset):
        t, b = report.term, report.body
        rows.append({"org": b.organization, "body": b, "kind": kind(b.kind), "term": t, "planned_end": t.planned_end,
                     "overdue": t.planned_end < today, "seats": report.seats,
                     "failures": [measure(r) for r in report.failures],
                     "targets": [measure(r) for r in report.targets_missed]})
    # Bodies without a current term are listed too: one row per body.
    running = Term.objects.filter(actual_end__isnull=True, body__organization__path__descends=org.path).values("body_id")
    idle = (selectors.visible_bodies(user).filter(organization__path__descends=org.path).exclude(pk__in=running)
            .order_by("organization__path", "kind"))
    for b in idle:
        rows.append({"org": b.organization, "body": b, "kind": kind(b.kind), "term": None, "planned_end": None, "overdue": False,
                     "seats": 0, "failures": [], "targets": []})
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



def _xlsx(rows: list[dict], org) -> HttpResponse:
    book = Book()  # every cell through kejia.core.sheets.cell: no formula, no character XML cannot hold
    sheet = book.sheet(_("Compliance"))
    sheet.append([str(h) for h in (_("organization"), _("code"), _("body"), _("term"), _("planned end"), _("seats"),
                                   _("failures"), _("failed rules"), _("targets missed"), _("targets not reached"))])
    for r in rows:
        sheet.append([cell(r["org"].name), cell(r["org"].code), cell(r["kind"]), r["term"].number if r["term"] else None,
                      r["planned_end"], r["seats"], len(r["failures"]), cell("; ".join(r["failures"])), len(r["targets"]),
                      cell("; ".join(r["targets"]))])
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
    return render(request, "governance/compliance.html", {
        "org": org, "form": form, "rows": page.object_list, "page": page, "total": len(rows), "sort": cd["sort"], "query": query.urlencode(),
        "columns": [("org", _("Organization")), ("body", _("Body")), ("term", _("Term")), ("planned_end", _("Planned end")),
                    ("seats", _("Seats")), ("failures", _("Failures")), ("targets", _("Targets missed"))],
        "failing_bodies": sum(1 for r in rows if r["failures"]),
    })


# ---- Term alerts, concurrent posts ------------------------------------------------------------

@login_required
@require_GET
def alerts(request):
    _require_role(request.user)
    form = forms.AlertsForm(request.GET)
    if not form.is_valid():
        return render(request, "governance/alerts.html", {"form": form, "alerts": None, "root": None}, status=400)
    cd = form.cleaned_data
    root = org_selectors.get_organization_for(request.user, cd["org"]) if cd["org"] else None
    data = selectors.term_alerts(request.user, root=root, within_days=cd["within"] or 90)
    return render(request, "governance/alerts.html", {"form": form, "alerts": data, "root": root})


@login_required
@require_GET
def concurrent(request):
    _require_role(request.user)
    form = forms.ConcurrentForm(request.GET)
    if not form.is_valid():
        return render(request, "governance/concurrent.html", {"form": form, "rows": None, "root": None}, status=400)
    cd = form.cleaned_data
    root = org_selectors.get_organization_for(request.user, cd["org"]) if cd["org"] else None
    limits = {k: cd[k] if cd[k] is not None else form.fields[k].initial for k in ("max_posts", "max_age", "max_terms")}
    rows = selectors.concurrent_posts(request.user, root=root, **limits)
    return render(request, "governance/concurrent.html", {"form": form, "rows": rows, "root": root, "limits": limits})


# ---- Contact duties ---------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def contacts(request, pk: int):
    user = request.user
    org = org_selectors.get_organization_for(user, pk, manage=request.method == "POST")
    manage = scope.can_manage(user, org)
    assign = forms.ContactAssignForm(request.POST or None, prefix="assign", initial={"leader": _chosen_person(request)}) if manage else None
    status = 200
    if request.method == "POST":
        def run(d):
            return services.assign_contact(actor=user, assigned_by=org, leader=_person(user, d["leader"], "leader"),
                                           organization=_org_by_code(user, d["organization"], "organization"), since=d["since"])

        response, status = _submit(request, assign, run,
                                   lambda duty: _("%(leader)s now keeps contact with %(org)s.") % {"leader": duty.leader.name,
                                                                                                    "org": duty.organization.name},
                                   lambda duty: redirect("governance:contacts", pk=org.pk))
        if response:
            return response
    months_form = forms.CoverageForm(request.GET)
    months = 6
    if months_form.is_valid():
        months = months_form.cleaned_data["months"] or 6
    elif status == 200:
        status = 400
    search, found, searched = _people_search(request) if manage else (None, [], True)
    if not searched and status == 200:
        status = 400
    rows = selectors.contact_coverage(user, org, months=months)
    return render(request, "governance/contacts.html", {
        "org": org, "rows": rows, "months": months, "months_form": months_form, "manage": manage, "assign": assign,
        "search": search, "found": found, "gaps": sum(1 for r in rows if r["gap"]),
    }, status=status)


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

    response, status = _submit(request, form, run, _("The contact was logged."), lambda v: redirect("governance:contact", pk=duty.pk))
    return response or render(request, "governance/contact.html", _contact_context(request, duty, visit=form), status=status)


@login_required
@require_POST
def contact_end(request, pk: int):
    duty = selectors.get_contact_for(request.user, pk, manage=True)
    form = forms.EndContactForm(request.POST, prefix="end")
    response, status = _submit(request, form, lambda d: services.end_contact(duty, actor=request.user, until=d["until"]),
                               _("The contact duty has ended."), lambda v: redirect("governance:contact", pk=duty.pk))
    return response or render(request, "governance/contact.html", _contact_context(request, duty, end=form), status=status)


# ---- Rule sets, rules, where they apply -------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def rulesets(request):
    user = request.user
    editor = services.can_edit_rules(user)
    if request.method == "POST" and not editor:
        raise PermissionDenied(_("Only administrators of the federation edit rule sets."))
    form = forms.RuleSetForm(request.POST or None, prefix="ruleset") if editor else None
    status = 200
    if request.method == "POST":
        response, status = _submit(request, form, lambda d: services.create_ruleset(actor=user, **d),
                                   lambda r: _("The rule set %(name)s was created; add its rules.") % {"name": r.name},
                                   lambda r: redirect("governance:ruleset", pk=r.pk))
        if response:
            return response
    return render(request, "governance/rulesets.html", {"rulesets": selectors.rulesets(), "form": form, "editor": editor,
                                                        "assignments": selectors.assignments_in_scope(user).order_by("organization__path")},
                  status=status)


def _rule_initial(rule) -> dict:
    initial = {name: getattr(rule, name) for name in services.RULE_INPUTS if name not in ("threshold", "baseline")}
    initial["threshold"] = f"{rule.threshold_num}/{rule.threshold_den}" if rule.threshold_den != 1 else str(rule.threshold_num)
    initial["baseline"] = f"{rule.baseline_num}/{rule.baseline_den}" if rule.baseline_num is not None else ""
    return initial


def _ruleset_context(request, ruleset, **bound) -> dict:
    user = request.user
    editor = services.can_edit_rules(user)
    assigner = _can_assign_rulesets(user)
    f: dict[str, Any] = {}
    if editor:
        f["rule"] = forms.RuleForm(prefix="rule")
        f["edit"] = forms.RuleSetForm(prefix="edit", initial={n: getattr(ruleset, n) for n in ("name", "jurisdiction", "source", "document",
                                                                                              "description")},
                                      shipped=ruleset.name in TITLES)
    if assigner:
        f["assign"] = forms.AssignRuleSetForm(prefix="assign")
    f.update(bound)
    rules = [{"rule": r, "kinds": [_kind_label(k) for k in r.body_kinds or []], "org_kinds": [_org_kind_label(k) for k in r.org_kinds or []],
              "measure": _measure_label(r.measure, r.param), "threshold": _rule_threshold(r)} for r in ruleset.rules.order_by("sort", "id")]
    return {"ruleset": ruleset, "rules": rules, "editor": editor, "assigner": assigner, "f": f,
            "assignments": selectors.assignments_in_scope(user).filter(ruleset=ruleset).order_by("organization__path")}


def _rule_threshold(rule) -> str:
    sign = COMPARISON_SIGN.get(rule.comparison, rule.comparison)
    if rule.against_previous:
        return _("%(sign)s the previous term") % {"sign": sign}
    share = rule.measure in PERCENT_MEASURES
    text = f"{sign} {fraction_text(rule.threshold_num, rule.threshold_den, share=share)}"
    if rule.baseline_num is not None and rule.baseline_den:
        text += " · " + _("from %(baseline)s") % {"baseline": fraction_text(rule.baseline_num, rule.baseline_den, share=share)}
    return text


@login_required
@require_GET
def ruleset(request, pk: int):
    return render(request, "governance/ruleset.html", _ruleset_context(request, selectors.get_ruleset(pk)))


def _require_rule_editor(user) -> None:
    if not services.can_edit_rules(user):
        raise PermissionDenied(_("Only administrators of the federation edit rule sets."))


@login_required
@require_POST
def ruleset_edit(request, pk: int):
    _require_rule_editor(request.user)
    item = selectors.get_ruleset(pk)
    form = forms.RuleSetForm(request.POST, prefix="edit", shipped=item.name in TITLES)
    response, status = _submit(request, form, lambda d: services.update_ruleset(item, actor=request.user, **d),
                               _("The changes were saved."), lambda r: redirect("governance:ruleset", pk=item.pk))
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, edit=form), status=status)


@login_required
@require_POST
def rule_add(request, pk: int):
    _require_rule_editor(request.user)
    item = selectors.get_ruleset(pk)
    form = forms.RuleForm(request.POST, prefix="rule")
    response, status = _submit(request, form, lambda d: services.add_rule(item, actor=request.user, **d),
                               _("The rule was added."), lambda r: redirect("governance:ruleset", pk=item.pk))
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, rule=form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    _require_rule_editor(request.user)
    rule = selectors.get_rule(pk)
    form = forms.RuleForm(request.POST or None, initial=_rule_initial(rule))
    status = 200
    if request.method == "POST":
        response, status = _submit(request, form, lambda d: services.update_rule(rule, actor=request.user, **d),
                                   _("The rule was saved."), lambda r: redirect("governance:ruleset", pk=rule.ruleset_id))
        if response:
            return response
    return render(request, "governance/rule_edit.html", {"rule": rule, "ruleset": rule.ruleset, "form": form}, status=status)


@login_required
@require_POST
def rule_delete(request, pk: int):
    _require_rule_editor(request.user)
    rule = selectors.get_rule(pk)
    ruleset_pk = rule.ruleset_id
    services.delete_rule(rule, actor=request.user)
    messages.success(request, _("The rule was deleted."))
    return redirect("governance:ruleset", pk=ruleset_pk)


@login_required
@require_POST
def ruleset_assign(request, pk: int):
    user = request.user
    if not _can_assign_rulesets(user):
        raise PermissionDenied(_("Only the organization's administrators assign rule sets."))
    item = selectors.get_ruleset(pk)
    form = forms.AssignRuleSetForm(request.POST, prefix="assign")

    def run(d):
        return services.assign_ruleset(item, _org_by_code(user, d["organization"], "organization"), actor=user,
                                       include_subtree=d["include_subtree"])

    response, status = _submit(request, form, run, lambda a: _("The rule set now applies to %(org)s.") % {"org": a.organization.name},
                               lambda a: redirect("governance:ruleset", pk=item.pk))
    return response or render(request, "governance/ruleset.html", _ruleset_context(request, item, assign=form), status=status)


@login_required
@require_POST
def ruleset_unassign(request, pk: int):
    assignment = selectors.get_assignment_for(request.user, pk)
    ruleset_pk, name = assignment.ruleset_id, assignment.organization.name
    services.unassign_ruleset(assignment, actor=request.user)
    messages.success(request, _("The rule set no longer applies to %(org)s.") % {"org": name})
    return redirect("governance:ruleset", pk=ruleset_pk)
