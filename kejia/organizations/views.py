"""The organization pages. Each view parses its input with a form, calls one selector or
service, and renders; scope is applied by the selectors (NotFound outside it) and every rule
by the services, whose DomainErrors become messages next to the field at fault."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.accounts import services as account_services
from kejia.core import audit_labels
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.core.web import form_error, page_of
from kejia.organizations import selectors, services, view_helpers
from kejia.organizations.forms import (
    ApproveForm,
    AuditFilterForm,
    CoverageForm,
    FilingForm,
    GrantRoleForm,
    MoveForm,
    OrganizationForm,
    PrefillForm,
    ReturnForm,
    RevokeRoleForm,
    SearchForm,
    StatusForm,
)
from kejia.organizations.kinds import SOCIETY_KINDS, STRUCTURED_KINDS, OrgStatus
from kejia.organizations.models import FilingStatus

PAGE_SIZE = 50
CHILDREN_SHOWN = 300


# ---- Dashboard, tree, search ---------------------------------------------------------------


@login_required
@require_GET
def tree(request):
    nodes = list(view_helpers.tree_roots(request.user))
    # A single root (the usual case: one role) opens at once.
    return render(request, "organizations/tree.html", {"nodes": nodes, "expand": len(nodes) == 1})


@login_required
@require_GET
def children(request, pk: int):
    org = selectors.get_organization_for(request.user, pk)
    nodes = list(selectors.children_of(request.user, org)[: CHILDREN_SHOWN + 1])
    return render(request, "organizations/_tree_nodes.html", {"nodes": nodes[:CHILDREN_SHOWN], "more": len(nodes) > CHILDREN_SHOWN, "parent": org})


@login_required
@require_GET
def search(request):
    form = SearchForm(request.GET)
    status, page, within = 200, None, None
    if form.is_valid():
        data = form.cleaned_data
        if data["within"]:
            within = selectors.get_organization_for(request.user, data["within"])
        results = selectors.search_organizations(request.user, text=data["q"], kind=data["kind"], status=data["status"], region=data["region"], within=within)
        page = page_of(request, results, PAGE_SIZE)
    else:
        status = 400
    template = "organizations/_search_results.html" if request.htmx else "organizations/search.html"
    return render(request, template, {"form": form, "page": page, "within": within}, status=status)


# ---- One organization ------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, pk: int):
    user = request.user
    org = selectors.get_organization_for(user, pk)
    can_manage = scope.can_manage(user, org)
    nodes = list(selectors.children_of(user, org)[: CHILDREN_SHOWN + 1])
    return render(
        request,
        "organizations/detail.html",
        {
            "org": org,
            "breadcrumb": selectors.ancestors_visible(user, org),
            "children": nodes[:CHILDREN_SHOWN],
            "more_children": len(nodes) > CHILDREN_SHOWN,
            "counts": view_helpers.kind_counts(selectors.subtree_counts(org, include_self=False)),
            "disciplines": list(org.disciplines.all()),
            "events": [(e, audit_labels.action_label(e.action)) for e in view_helpers.recent_events(user, org)] if can_manage else [],
            "can_manage": can_manage,
            "can_administer": scope.can_administer(user, org),
            "can_guide": can_manage and org.kind in view_helpers.TERRITORIAL_KINDS and org.status == OrgStatus.ACTIVE,
            "today": timezone.localdate(),
            "is_society": org.kind in SOCIETY_KINDS,
            "is_structured": org.kind in STRUCTURED_KINDS,
        },
    )


def _organization_changes(org, data: dict) -> dict:
    """Only what differs, so the service re-checks placement only when kind or region change."""
    changes = {}
    for key, value in data.items():
        if key == "disciplines":
            continue
        current = org.region if key == "region" else getattr(org, key)
        if value != current:
            changes[key] = value
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def create(request, pk: int):
    parent = selectors.get_organization_for(request.user, pk, manage=True)
    form = OrganizationForm(request.POST or None, initial={"region": parent.region_id})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                org = services.create_organization(actor=request.user, parent=parent, **data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The organization was created."))
                return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/org_form.html", {"form": form, "parent": parent, "org": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    org = selectors.get_organization_for(request.user, pk, manage=True)
    initial = {name: getattr(org, name) for name in OrganizationForm.base_fields if name not in ("region", "disciplines")}
    initial["region"] = org.region_id
    initial["disciplines"] = " ".join(org.disciplines.values_list("code", flat=True))
    form = OrganizationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            disciplines = data.pop("disciplines")
            try:
                services.update_organization(org, actor=request.user, disciplines=disciplines, **_organization_changes(org, data))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/org_form.html", {"form": form, "parent": org.parent, "org": org}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request, pk: int):
    org = selectors.get_organization_for(request.user, pk, manage=True)
    form = StatusForm(request.POST or None, initial={"status": org.status})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_organization_status(org, actor=request.user, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The status was changed."))
                return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/status.html", {"form": form, "org": org}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def move(request, pk: int):
    org = selectors.get_organization_for(request.user, pk, manage=True)
    form = MoveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new_parent = view_helpers.visible_by_code(request.user, form.cleaned_data["parent"])
            except NotFound:
                form.add_error("parent", _("No organization in your scope has this code."))
            else:
                try:
                    services.move_organization(org, actor=request.user, new_parent=new_parent)
                except DomainError as exc:
                    status = form_error(form, exc)
                else:
                    messages.success(request, _("The organization was moved."))
                    return redirect("organizations:detail", pk=org.pk)
    return render(request, "organizations/move.html", {"form": form, "org": org}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def roles(request, pk: int):
    org = selectors.get_organization_for(request.user, pk)
    can_administer = scope.can_administer(request.user, org)
    grant_form = GrantRoleForm(request.POST if "username" in request.POST else None)
    status = 200
    if request.method == "POST":
        if not can_administer:
            raise PermissionDenied(_("Only an administrator of this organization can grant or revoke roles."))
        status = 400
        if "revoke" in request.POST:
            revoke_form = RevokeRoleForm(request.POST)
            if revoke_form.is_valid():
                role = view_helpers.role_in(org, revoke_form.cleaned_data["revoke"])
                account_services.revoke_role(role, actor=request.user)
                messages.success(request, _("The role was revoked."))
                return redirect("organizations:roles", pk=org.pk)
        elif grant_form.is_valid():
            data = grant_form.cleaned_data
            person = view_helpers.active_user(data["username"])
            if person is None:
                grant_form.add_error("username", _("There is no active user with this username."))
            else:
                try:
                    account_services.grant_role(person, actor=request.user, organization=org, kind=data["kind"], title=data["title"])
                except DomainError as exc:
                    status = form_error(grant_form, exc)
                else:
                    messages.success(request, _("The role was granted."))
                    return redirect("organizations:roles", pk=org.pk)
    return render(
        request,
        "organizations/roles.html",
        {"org": org, "roles": view_helpers.roles_in(org), "form": grant_form, "can_administer": can_administer},
        status=status,
    )


# ---- Coverage --------------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request):
    user = request.user
    choices = list(selectors.coverage_regions(user).order_by("code")[:50])
    # The picker's controls when sent; otherwise (first visit, a link) the code or the first region.
    sent = any(key.startswith("region") and value for key, value in request.GET.items())
    form = CoverageForm(request.GET if sent else {"region": choices[0].code if choices else ""})
    summary, children, status = None, [], 200
    if not form.is_valid():
        status = 400
    elif form.cleaned_data["region"] is not None:
        region = form.cleaned_data["region"]
        summary = view_helpers.coverage_summary(selectors.coverage(user, region))
        children = list(region.children.all()) if region.level < 3 else []
    return render(request, "organizations/coverage.html", {"form": form, "choices": choices, "summary": summary, "children": children}, status=status)


# ---- Filings (备案) --------------------------------------------------------------------------


@login_required
@require_GET
def filing_list(request):
    user = request.user
    # Filings are decided by staff of the guiding association (services.can_decide_filing): a
    # S&T worker or a leader has no such section.
    may_decide = scope.is_unrestricted(user) or bool(scope.role_paths(user, scope.MANAGE_KINDS))
    return render(
        request,
        "organizations/filing_list.html",
        {
            "may_decide": may_decide,
            "to_decide": selectors.filings_to_decide(user).filter(status=FilingStatus.SUBMITTED).exclude(submitted_by=user)[:200] if may_decide else [],
            "mine": selectors.my_filings(user)[:200],
        },
    )


def _filing_form(request, data=None, **kwargs) -> FilingForm:
    return FilingForm(data, guiding=view_helpers.guiding_associations(request.user), find_parent=view_helpers.find_guiding_association, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def filing_new(request):
    initial = {}
    prefill = PrefillForm(request.GET)
    if request.method == "GET" and prefill.is_valid() and prefill.cleaned_data["parent"]:
        parent = selectors.get_organization_for(request.user, prefill.cleaned_data["parent"])
        initial = {"parent": parent.code, "region": parent.region_id}
    form = _filing_form(request, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                filing = services.submit_filing(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The filing was submitted to the guiding association."))
                return redirect("organizations:filing_detail", pk=filing.pk)
    return render(request, "organizations/filing_form.html", {"form": form, "filing": None}, status=status)


def _filing_page(request, filing, *, status=200, approve_form=None, return_form=None, error=None):
    user = request.user
    open_for_decision = filing.status == FilingStatus.SUBMITTED and services.can_decide_filing(user, filing)
    return render(
        request,
        "organizations/filing_detail.html",
        {
            "filing": filing,
            "can_decide": open_for_decision,
            "can_withdraw": services.can_edit_filing(user, filing),
            "can_resubmit": filing.submitted_by_id == user.pk and filing.status == FilingStatus.RETURNED,
            "approve_form": approve_form or ApproveForm(),
            "return_form": return_form or ReturnForm(),
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def filing_detail(request, pk: int):
    return _filing_page(request, selectors.get_filing_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def filing_edit(request, pk: int):
    filing = selectors.get_filing_for(request.user, pk)
    if filing.submitted_by_id != request.user.pk:
        raise NotFound()
    if filing.status != FilingStatus.RETURNED:
        return _filing_page(request, filing, status=409, error=_("Only a returned filing can be changed and sent again."))
    initial = {
        "name": filing.name,
        "kind": filing.kind,
        "parent": filing.parent.code,
        "region": filing.region_id,
        "host_name": filing.host_name,
        "host_uscc": filing.host_uscc,
        "founded_on": filing.founded_on,
        "member_count": filing.member_count,
        "chair_name": filing.chair_name,
        "contact_name": filing.contact_name,
        "charter_summary": filing.charter_summary,
    }
    form = _filing_form(request, request.POST or None, initial=initial, keep_phone=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["contact_phone"] = data["contact_phone"] or view_helpers.filing_contact_phone(filing)
            try:
                services.resubmit_filing(filing, actor=request.user, **data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The filing was sent again."))
                return redirect("organizations:filing_detail", pk=filing.pk)
    return render(request, "organizations/filing_form.html", {"form": form, "filing": filing}, status=status)


@login_required
@require_POST
def filing_approve(request, pk: int):
    filing = selectors.get_filing_for(request.user, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            filing = services.approve_filing(filing, actor=request.user, code=form.cleaned_data["code"].strip())
        except DomainError as exc:
            return _filing_page(request, filing, status=form_error(form, exc), approve_form=form)
        messages.success(request, _("The filing was approved and the association created."))
        return redirect("organizations:filing_detail", pk=filing.pk)
    return _filing_page(request, filing, status=400, approve_form=form)


@login_required
@require_POST
def filing_return(request, pk: int):
    filing = selectors.get_filing_for(request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_filing(filing, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            return _filing_page(request, filing, status=form_error(form, exc), return_form=form)
        messages.success(request, _("The filing was returned to its submitter."))
        return redirect("organizations:filing_detail", pk=filing.pk)
    return _filing_page(request, filing, status=400, return_form=form)


@login_required
@require_POST
def filing_withdraw(request, pk: int):
    filing = selectors.get_filing_for(request.user, pk)
    try:
        services.withdraw_filing(filing, actor=request.user)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        return _filing_page(request, filing, status=exc.status, error=exc.message)
    messages.success(request, _("The filing was withdrawn."))
    return redirect("organizations:filing_detail", pk=filing.pk)


# ---- Audit log -------------------------------------------------------------------------------


@login_required
@require_GET
def audit(request):
    user = request.user
    form = AuditFilterForm(request.GET)
    page, org, status = None, None, 200
    if form.is_valid():
        events = selectors.visible_audit_events(user)
        action = form.cleaned_data["action"].strip()
        if action:
            events = events.filter(action__startswith=action) if "." not in action.rstrip(".") else events.filter(action=action)
        if form.cleaned_data["organization"]:
            org = selectors.get_organization_for(user, form.cleaned_data["organization"])
            events = events.filter(org_path__descends=org.path)
        page = page_of(request, events, PAGE_SIZE)
        page.rows = [(event, audit_labels.action_label(event.action), audit_labels.event_changes(event)) for event in AuditEvent.with_organizations(page)]
    else:
        status = 400
    return render(request, "organizations/audit.html", {"form": form, "page": page, "org": org}, status=status)
