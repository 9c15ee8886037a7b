"""Pages: the calls (public), a call with the applications in view and a button to apply, and the
application form rendered from its definition (save a draft, submit). Thin: scope is the
selectors', rules the services' and the workflow's."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.calls import actions, files, form_pages, selectors, services, workflow
from kejia.calls.choices import ApplicationStatus, CallStatus
from kejia.calls.choices import Role as CallRole
from kejia.calls.forms import HandleObjectionForm
from kejia.core.api import PageParams, window
from kejia.core.errors import DomainError, PermissionDenied, ValidationFailed


@require_http_methods(["GET"])
def call_list(request):
    calls = selectors.visible_calls(request.user).order_by("-deadline", "-pk")
    return render(request, "calls/list.html", {"calls": window(calls, PageParams(limit=100, offset=0))})


def _may_apply_for(user, call):
    """The organizations the user acts for that may apply to the call."""
    if call.status != CallStatus.PUBLISHED or not user.is_authenticated:
        return []
    roles = Role.objects.filter(user=user, kind__in=scope.MANAGE_KINDS).select_related("organization")
    return [r.organization for r in roles if not call.applicant_kinds or r.organization.kind in call.applicant_kinds]


@require_http_methods(["GET", "POST"])
def call_detail(request, pk: int):
    call = selectors.get_call(pk, request.user)
    orgs = _may_apply_for(request.user, call)
    if request.method == "POST":
        if not request.user.is_authenticated:
            raise PermissionDenied()
        chosen = next((o for o in orgs if str(o.pk) == request.POST.get("applicant")), None)
        if chosen is None:
            raise PermissionDenied(_("Apply in the name of an organization in which you hold a role."))
        application = services.create_application(call, actor=request.user, applicant=chosen, title=request.POST.get("title", ""))
        return redirect("calls:application", pk=application.pk)
    applications = selectors.visible_applications(request.user, call=call).order_by("pk")[:200] if request.user.is_authenticated else []
    manages = request.user.is_authenticated and scope.can_manage(request.user, call.owner)
    context = {"call": call, "orgs": orgs, "applications": applications, "attachments": call.attachments.all(), "manages": manages, "can_archive": manages}
    return render(request, "calls/detail.html", context)


def _version(raw: str | None) -> datetime.datetime | None:
    """The version of the application the editor's page was built from (see services.save_draft)."""
    try:
        return datetime.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _autosave(request, app):
    """Save as you type (htmx): a line saying what happened, and the new version for the next save."""
    data = form_pages.parse_post(app.form.spec, request.POST)
    try:
        app = services.save_draft(app, actor=request.user, data=data, title=request.POST.get("title"), based_on=_version(request.POST.get("version")))
        note, ok = _("Saved automatically at %(time)s.") % {"time": timezone.localtime(app.updated_at).strftime("%H:%M:%S")}, True
    except ValidationFailed as exc:
        note, ok = _("Not saved yet: %(n)s answers need correcting (they are marked when you save).") % {"n": len(exc.errors)}, False
    except DomainError as exc:
        note, ok = str(exc.message), False
    return render(request, "calls/_autosave.html", {"note": note, "ok": ok, "app": app})


@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk: int):
    app = selectors.get_application(pk, request.user)
    data, errors, status = app.data, {}, 200
    editable = app.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED) and services.is_applicant(request.user, app)
    version = app.updated_at
    if request.method == "POST":
        if not editable:
            raise PermissionDenied()
        if request.htmx and request.POST.get("action") == "autosave":
            return _autosave(request, app)
        data = form_pages.parse_post(app.form.spec, request.POST)
        version = _version(request.POST.get("version")) or app.updated_at
        try:
            app = services.save_draft(app, actor=request.user, data=data, title=request.POST.get("title"), based_on=_version(request.POST.get("version")))
            if request.POST.get("action") == "submit":
                workflow.submit_application(app, actor=request.user, attest=request.POST.get("attest") == "on")
                messages.success(request, _("The application is submitted."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("calls:application", pk=app.pk)
        except ValidationFailed as exc:
            errors, status = {k: [str(m) for m in v] for k, v in exc.errors.items()}, 400
        except DomainError as exc:
            if exc.status not in (400, 409):
                raise
            errors, status = {exc.field or "": [str(exc.message)]}, exc.status
    context = application_context(request, app, data=data, errors=errors)
    context["editable"] = editable
    context["version"] = version.isoformat() if version else ""
    return render(request, "calls/application.html", context, status=status)


def application_context(request, app, *, data=None, errors=None, failed=None, objection_forms=None) -> dict:
    """The application page: the form, the steps the user may take from its state (the failed one
    with its errors), the objections during the announcement, the history."""
    held = workflow.roles(request.user, app)
    editable = app.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED) and CallRole.APPLICANT in held
    objections = list(app.objections.order_by("received_at", "pk")) if CallRole.OWNER in held else []
    for objection in objections:
        form = (objection_forms or {}).get(objection.pk)
        objection.form = form if form is not None else (HandleObjectionForm(prefix=f"o{objection.pk}") if objection.handled_at is None else None)
    return {
        "app": app,
        "call": app.call,
        "sections": form_pages.view_model(app.form.spec, app.data if data is None else data, errors or {}, services.facts(app)),
        "editable": editable,
        "errors": errors or {},
        "steps": actions.panel(actions.APPLICATION_ACTIONS, actions.offered_for_application(app, held), app, failed=failed),
        "objections": objections,
        "project": getattr(app, "project", None) if app.status == ApplicationStatus.APPROVED else None,
        "events": app.events.select_related("actor").order_by("created_at", "pk"),
        "version": app.updated_at.isoformat(),
        "uploads": files.upload_slots(app, services.facts(app)),
    }
