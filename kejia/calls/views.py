"""Pages: the calls (public), a call with the applications in view and a button to apply, and the
application form rendered from its definition (save a draft, submit). Thin: scope is the
selectors', rules the services' and the workflow's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.calls import form_pages, selectors, services, workflow
from kejia.calls.choices import ApplicationStatus, CallStatus
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
    can_archive = request.user.is_authenticated and selectors.managed_calls(request.user).filter(pk=call.pk).exists()
    context = {"call": call, "orgs": orgs, "applications": applications, "attachments": call.attachments.all(), "can_archive": can_archive}
    return render(request, "calls/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application(request, pk: int):
    app = selectors.get_application(pk, request.user)
    data, errors, status = app.data, {}, 200
    editable = app.status in (ApplicationStatus.DRAFT, ApplicationStatus.RETURNED) and services.is_applicant(request.user, app)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied()
        data = form_pages.parse_post(app.form.spec, request.POST)
        try:
            app = services.save_draft(app, actor=request.user, data=data, title=request.POST.get("title"))
            if request.POST.get("action") == "submit":
                workflow.submit_application(app, actor=request.user, attest=request.POST.get("attest") == "on")
                messages.success(request, _("The application is submitted."))
            else:
                messages.success(request, _("Draft saved."))
            return redirect("calls:application", pk=app.pk)
        except ValidationFailed as exc:
            errors, status = {k: [str(m) for m in v] for k, v in exc.errors.items()}, 400
        except DomainError as exc:
            if exc.status != 400:
                raise
            errors, status = {exc.field or "": [str(exc.message)]}, 400
    sections = form_pages.view_model(app.form.spec, data, errors, services.facts(app))
    return render(
        request,
        "calls/application.html",
        {
            "app": app,
            "call": app.call,
            "sections": sections,
            "editable": editable,
            "errors": errors,
            "events": app.events.select_related("actor").order_by("created_at", "pk"),
        },
        status=status,
    )
