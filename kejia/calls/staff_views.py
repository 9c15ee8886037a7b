"""The pages that run a call: the owner's calls, creating and editing one, publishing, closing and
extending it, its application queue, the review meeting, the steps on an application and on a
project with its ledger; the recommending organization's queue; the applicant's applications.
Thin: scope is the selectors', every step one call of kejia.calls.workflow or services (the
registry in kejia.calls.actions), a refusal shown next to its field with its status."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.accounts.models import Role as OrgRole
from kejia.calls import actions, ledger, reviewing, selectors, services, workflow
from kejia.calls.choices import ApplicationStatus, Gate, Role
from kejia.calls.forms import CallTermsForm, CreateCallForm, HandleObjectionForm, MeetingForm, QueueFilterForm
from kejia.calls.models import ApplicationEvent
from kejia.calls.views import application_context
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.web import form_error, page_of
from kejia.review import selectors as review_selectors
from kejia.review.models import RoundStatus
from kejia.review.scoring import ApplicationResult

PAGE_SIZE = 50
S = ApplicationStatus


def _managed_call(user, pk: int):
    call = selectors.managed_calls(user).filter(pk=pk).first()
    if call is None:
        raise NotFound()
    return call


# ---- the owner's calls --------------------------------------------------------------------------


@login_required
@require_GET
def manage(request):
    calls = selectors.managed_calls(request.user).order_by("-deadline", "-pk")
    owners = _owners(request.user)
    return render(request, "calls/manage.html", {"page": page_of(request, calls, PAGE_SIZE), "can_create": bool(owners)})


def _owners(user) -> list:
    """The organizations in whose name the user may run a call: where they hold a managing role."""
    roles = OrgRole.objects.filter(user=user, kind__in=scope.MANAGE_KINDS).select_related("organization").order_by("organization__path")
    return list({r.organization.pk: r.organization for r in roles}.values())


def _templates() -> list[tuple[str, str]]:
    """Shipped templates by the title of their form (a code name is never shown)."""
    return [(code, services.load_template(code)["form"]["title"]) for code in services.template_codes()]


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    owners = _owners(request.user)
    if not owners:
        raise NotFound()
    form = CreateCallForm(request.POST or None, owners=owners, templates=_templates())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            overrides = {k: d[k] for k in ("title", "min_amount", "max_amount") if d[k] not in (None, "")}
            overrides.update(
                reference=d["reference"],
                budget=d["budget"],
                quota_per_recommender=d["quota_per_recommender"],
                announcement_days=d["announcement_days"],
                period_months=d["period_months"],
            )
            if not d["reference"]:
                overrides.pop("reference")
            try:
                call = services.create_call_from_template(d["owner"], actor=request.user, template=d["template"], deadline=d["deadline"], **overrides)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The call is created as a draft; publish it when it is ready."))
                return redirect("calls:call_admin", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "call": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    call = _managed_call(request.user, pk)
    form = CallTermsForm(request.POST or None, initial=CallTermsForm.initial_of(call))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_call(call, actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The call is saved."))
                return redirect("calls:call_admin", pk=call.pk)
    return render(request, "calls/call_form.html", {"form": form, "call": call}, status=status)


def _call_admin_context(call, failed=None) -> dict:
    counts = Counter(dict(call.applications.exclude(status=S.DRAFT).values_list("status").annotate(n=Count("pk")).values_list("status", "n")))
    review_round = reviewing.round_for(call)
    return {
        "call": call,
        "review_round": review_round,
        "attachments": call.attachments.order_by("position", "pk"),
        "steps": actions.panel(actions.CALL_ACTIONS, actions.offered_for_call(call, review_round), call, failed=failed),
        "counts": [(label, counts.get(value, 0), value) for value, label in S.choices if value != S.DRAFT],
    }


@login_required
@require_GET
def call_admin(request, pk: int):
    call = _managed_call(request.user, pk)
    return render(request, "calls/call_admin.html", _call_admin_context(call))


@login_required
@require_POST
def call_act(request, pk: int, action: str):
    call = _managed_call(request.user, pk)
    if action not in actions.CALL_ACTIONS:
        raise NotFound()
    form = actions.bound(actions.CALL_ACTIONS, action, call, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            actions.CALL_ACTIONS[action].run(call, request.user, form.cleaned_data, form)
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, actions.CALL_ACTIONS[action].done)
            return redirect("calls:call_admin", pk=call.pk)
    call.refresh_from_db()
    return render(request, "calls/call_admin.html", _call_admin_context(call, failed=(action, form)), status=status)


# ---- the owner's queue and review meeting -----------------------------------------------------


def _owner_held(application) -> set[str]:
    """On the owner's queue the user acts as the owner (and receives when nobody recommends)."""
    return {Role.OWNER} if application.recommender_id else {Role.OWNER, Role.RECOMMENDER}


@login_required
@require_GET
def queue(request, pk: int):
    call = _managed_call(request.user, pk)
    form = QueueFilterForm(request.GET or None)
    rows = call.applications.select_related("applicant", "recommender", "applicant_user").exclude(status=S.DRAFT).order_by("rank", "submitted_at", "pk")
    status = 200
    if form.is_bound and not form.is_valid():
        status, rows = 400, rows.none()
    elif form.is_bound and form.cleaned_data["status"]:
        rows = rows.filter(status=form.cleaned_data["status"])
    page = page_of(request, rows, PAGE_SIZE)
    items = [
        {"app": a, "steps": actions.panel(actions.APPLICATION_ACTIONS, actions.offered_for_application(a, _owner_held(a)), a, auto_id=f"a{a.pk}-%s")}
        for a in page
    ]
    template = "calls/_queue_rows.html" if request.htmx and not request.htmx.boosted else "calls/queue.html"
    return render(request, template, {"call": call, "form": form, "page": page, "items": items}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request, pk: int):
    call = _managed_call(request.user, pk)
    under_review = list(call.applications.select_related("applicant").filter(status=S.UNDER_REVIEW).order_by("pk"))
    form = MeetingForm(request.POST or None, applications=under_review, initial={"minutes": call.meeting_minutes})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            results = [
                ApplicationResult(application=app_id, reviews=0, raw_mean=score, normalised_mean=0.0, spread=0.0, disagreement=False)
                for app_id, score in form.ranking()
            ]
            try:
                workflow.record_review_meeting(call, actor=request.user, minutes=form.cleaned_data["minutes"], results=results)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("The review meeting is recorded with its ranking."))
                return redirect(f"{reverse('calls:queue', args=[call.pk])}?status={S.REVIEWED}")
    ranked = call.applications.select_related("applicant").filter(rank__isnull=False).order_by("rank", "pk")
    context = {"call": call, "form": form, "ranked": ranked, **_review_results(call)}
    return render(request, "calls/meeting.html", context, status=status)


def _review_results(call) -> dict:
    """The expert review's results beside the ranking form, once its round is closed: raw mean,
    normalised mean (z-scores), spread and the disagreement flag, by the round's rank."""
    review_round = reviewing.round_for(call)
    if review_round is None or review_round.status != RoundStatus.CLOSED:
        return {"review_round": review_round, "review_results": []}
    return {"review_round": review_round, "review_results": review_selectors.results(review_round)}


# ---- steps on one application -----------------------------------------------------------------

BACK = {"queue", "recommend", "mine"}


@login_required
@require_POST
def application_act(request, pk: int, action: str):
    application = selectors.get_application(pk, request.user)
    spec = actions.APPLICATION_ACTIONS.get(action)
    if spec is None:
        raise NotFound()
    if action == "record_objection" and Role.OWNER not in workflow.roles(request.user, application):
        # The owner's staff record objections received by letter or telephone here; anyone else
        # objects on the public announcement page.
        raise PermissionDenied()
    form = actions.bound(actions.APPLICATION_ACTIONS, action, application, request.POST)
    status = 400
    if form.is_valid():
        try:
            spec.run(application, request.user, form.cleaned_data, form)
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, spec.done)
            back = request.POST.get("back", "")
            if back == "queue":
                return redirect(f"{reverse('calls:queue', args=[application.call_id])}?status={request.POST.get('status', '')}")
            if back in BACK:
                return redirect(f"calls:{back}")
            return redirect("calls:application", pk=application.pk)
    application = selectors.get_application(pk, request.user)
    return render(request, "calls/application.html", application_context(request, application, failed=(action, form)), status=status)


@login_required
@require_POST
def objection_handle(request, pk: int):
    objection = selectors.objection_of(pk, request.user)
    application = selectors.get_application(objection.application_id, request.user)
    form = HandleObjectionForm(request.POST, prefix=f"o{objection.pk}")
    status = 400
    if form.is_valid():
        try:
            workflow.handle_objection(objection, actor=request.user, upheld=form.cleaned_data["upheld"], resolution=form.cleaned_data["resolution"])
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("The objection is handled."))
            return redirect("calls:application", pk=application.pk)
    return render(request, "calls/application.html", application_context(request, application, objection_forms={objection.pk: form}), status=status)


# ---- projects and the ledger ------------------------------------------------------------------


@login_required
@require_GET
def projects(request, pk: int):
    call = _managed_call(request.user, pk)
    book = ledger.call_ledger(call)
    by_id = {p.pk: p for p in call.projects.select_related("application", "application__applicant")}
    lines = [(by_id[line["project"]], line) for line in book["projects"]]
    return render(request, "calls/projects.html", {"call": call, "book": book, "lines": lines})


def project_context(request, project, failed=None) -> dict:
    held = workflow.roles(request.user, project.application)
    return {
        "project": project,
        "call": project.call,
        "app": project.application,
        "is_owner": Role.OWNER in held,
        "gates": Gate.choices,
        "ledger": ledger.project_ledger(project),
        "payments": project.payments.order_by("paid_on", "pk"),
        "deliverables": project.deliverables.order_by("created_at", "pk"),
        "events": project.events.select_related("actor").order_by("created_at", "pk"),
        "steps": actions.panel(actions.PROJECT_ACTIONS, actions.offered_for_project(project, held), project, failed=failed),
        "can_publish": Role.OWNER in held and actions.publishable(project),
    }


@login_required
@require_GET
def project(request, pk: int):
    item = selectors.get_project(pk, request.user)
    return render(request, "calls/project.html", project_context(request, item))


@login_required
@require_POST
def project_act(request, pk: int, action: str):
    item = selectors.get_project(pk, request.user)
    spec = actions.PROJECT_ACTIONS.get(action)
    if spec is None:
        raise NotFound()
    form = actions.bound(actions.PROJECT_ACTIONS, action, item, request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            spec.run(item, request.user, form.cleaned_data, form)
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, spec.done)
            return redirect("calls:project", pk=item.pk)
    item = selectors.get_project(pk, request.user)
    return render(request, "calls/project.html", project_context(request, item, failed=(action, form)), status=status)


# ---- the recommending organization and the applicant ------------------------------------------


@login_required
@require_GET
def recommend_queue(request):
    rows = selectors.recommendation_queue(request.user).order_by("call__deadline", "submitted_at", "pk")
    page = page_of(request, rows, PAGE_SIZE)
    held = {Role.RECOMMENDER}
    items = [{"app": a, "steps": actions.panel(actions.APPLICATION_ACTIONS, actions.offered_for_application(a, held), a, auto_id=f"a{a.pk}-%s")} for a in page]
    return render(request, "calls/recommend.html", {"page": page, "items": items})


@login_required
@require_GET
def mine(request):
    events = Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "pk"))
    rows = selectors.my_applications(request.user).prefetch_related(events).select_related("project").order_by("-updated_at", "-pk")
    return render(request, "calls/mine.html", {"page": page_of(request, rows, PAGE_SIZE)})
