"""The survey pages for staff: the list, creating a survey (blank or from a shipped template),
its settings, the questionnaire builder (add, edit, reorder, conditions, preview), publishing,
closing and reopening, the organizations an evaluation evaluates, and distribution. Results,
tracking and exports are in results_views.py; answering in answer_views.py.

Each view parses with a form, reads through a scoped selector (NotFound outside the caller's
scope, PermissionDenied for a role that may only read) and calls one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError, PermissionDenied
from kejia.core.web import form_error, page_of
from kejia.organizations import selectors as org_selectors
from kejia.surveys import distribution, forms, selectors, services
from kejia.surveys import questions as qlib
from kejia.surveys.answer_views import shown
from kejia.surveys.choices import MEASURES, SurveyKind, SurveyStatus, TargetKind
from kejia.surveys.templates_data import install_template

PAGE_SIZE = 30


def _failed(form, exc: DomainError) -> int:
    return form_error(form, exc)  # the status of the refusal's registered code, as the API answers it


def _org_by_code(user, code: str, field: str, form):
    org = org_selectors.visible_organizations(user).filter(code=code.strip()).first()
    if org is None:
        form.add_error(field, _("No organization with this code in your scope."))
    return org


def _context(request, survey, **extra) -> dict:
    return {"survey": survey, "manage": scope.can_manage(request.user, survey.organization), **extra}


# ---- The list, creating ------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    user = request.user
    staff = scope.has_any_role(user)
    context = {"waiting": selectors.surveys_waiting_for(user), "stations": selectors.station_surveys(user), "staff": staff}
    if staff:
        status = request.GET.get("status", "")
        kind = request.GET.get("kind", "")
        text = request.GET.get("q", "")[:100]
        qs = selectors.surveys_in_scope(user, status=status if status in SurveyStatus.values else "", kind=kind if kind in SurveyKind.values else "", text=text)
        context.update(
            page=page_of(request, qs, PAGE_SIZE),
            status=status,
            kind=kind,
            q=text,
            statuses=SurveyStatus.choices,
            kinds=SurveyKind.choices,
            create_form=forms.SurveyForm(prefix="new"),
            install_form=forms.InstallForm(prefix="tpl"),
            roots=list(scope.role_paths(user)) and list(org_selectors.root_organizations(user)[:10]),
        )
    return render(request, "surveys/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    user = request.user
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))
    form = forms.SurveyForm(request.POST or None, prefix="new")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            org = _org_by_code(user, d.pop("organization"), "organization", form)
            if org is not None:
                try:
                    survey = services.create_survey(org, actor=user, **d)
                except DomainError as exc:
                    status = _failed(form, exc)
                else:
                    messages.success(request, _("The survey was created: add its questions."))
                    return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/create.html", {"form": form, "install_form": forms.InstallForm(prefix="tpl")}, status=status)


@login_required
@require_POST
def install(request):
    user = request.user
    if not scope.has_any_role(user):
        raise PermissionDenied(_("This page is for the staff of an organization."))
    form = forms.InstallForm(request.POST, prefix="tpl")
    if form.is_valid():
        d = form.cleaned_data
        org = _org_by_code(user, d["organization"], "organization", form)
        if org is not None:
            if not scope.can_manage(user, org):
                form.add_error("organization", _("Only the organization's staff may do this."))
            else:
                survey = install_template(org, actor=user, template=d["template"], period=d["period"])
                messages.success(request, _("The survey was installed as a draft: check it and publish it."))
                return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/create.html", {"form": forms.SurveyForm(prefix="new"), "install_form": form}, status=400)


# ---- One survey ---------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk)
    manage = scope.can_manage(request.user, survey.organization)
    subjects = list(survey.subjects.order_by("path")) if survey.kind == SurveyKind.EVALUATION else []
    return render(
        request,
        "surveys/detail.html",
        _context(
            request,
            survey,
            tracking=distribution.tracking(survey),
            versions=list(survey.versions.all()[:10]),
            targets=list(survey.targets.select_related("organization")),
            subjects=subjects,
            subjects_form=forms.SubjectsForm(initial={"codes": "\n".join(o.code for o in subjects)}) if manage else None,
            question_count=survey.questions.count(),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    user = request.user
    survey = selectors.get_survey_for(user, pk, manage=True)
    weights = survey.index_weights or {}
    initial = {
        "title": survey.title,
        "description": survey.description,
        "kind": survey.kind,
        "anonymous": survey.anonymous,
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
        "period": survey.period,
        "min_responses": survey.min_responses,
        **{f"weight_{m}": weights.get(str(m)) for m in MEASURES},
    }
    form = forms.SurveyEditForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = dict(form.cleaned_data)
            weights = {str(m): d.pop(f"weight_{m}") for m in MEASURES}
            if d["min_responses"] is None:  # left blank: unchanged
                del d["min_responses"]
            if survey.kind == SurveyKind.EVALUATION or d["kind"] == SurveyKind.EVALUATION:
                d["index_weights"] = {m: (w if w is not None else 0) for m, w in weights.items()}
            try:
                services.update_survey(survey, actor=user, **d)
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/edit.html", _context(request, survey, form=form), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def builder(request, pk: int):
    user = request.user
    survey = selectors.get_survey_for(user, pk, manage=request.method == "POST")
    drafts = list(survey.questions.order_by("position", "id"))
    earlier = [qlib.frozen(q) for q in drafts]
    form = forms.QuestionForm(request.POST or None, earlier=earlier, initial={"required": True, "scale_min": 1, "scale_max": 5})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.service_fields()
            try:
                services.add_question(survey, actor=user, **d)
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                messages.success(request, _("The question was added."))
                return redirect(f"{request.path}#questions")
    current = survey.current_version.questions if survey.current_version else None
    return render(
        request,
        "surveys/builder.html",
        _context(
            request, survey, questions=earlier, rows=list(zip(drafts, earlier, strict=True)), form=form, changed=current is not None and current != earlier
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    user = request.user
    question = selectors.get_question_for(user, pk, manage=True)
    survey = question.survey
    earlier = [qlib.frozen(q) for q in survey.questions.filter(position__lt=question.position).order_by("position", "id")]
    form = forms.QuestionForm(request.POST or None, earlier=earlier, initial=forms.QuestionForm.initial_of(question))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_question(question, actor=user, **form.service_fields())
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("surveys:builder", pk=survey.pk)
    return render(request, "surveys/question_edit.html", _context(request, survey, question=question, form=form), status=status)


def _one_action(request, run, done, back):
    try:
        result = run()
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "error.html", {"error": exc}, status=exc.status)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(back)


@login_required
@require_POST
def question_delete(request, pk: int):
    question = selectors.get_question_for(request.user, pk, manage=True)
    survey_pk = question.survey_id
    return _one_action(
        request, lambda: services.delete_question(question, actor=request.user), _("The question was deleted."), reverse("surveys:builder", args=[survey_pk])
    )


@login_required
@require_POST
def question_move(request, pk: int):
    question = selectors.get_question_for(request.user, pk, manage=True)
    offset = -1 if request.POST.get("direction") == "up" else 1
    return _one_action(
        request,
        lambda: services.move_question(question, actor=request.user, offset=offset),
        _("Moved."),
        reverse("surveys:builder", args=[question.survey_id]) + f"#q-{question.key}",
    )


@login_required
@require_GET
def preview(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk)
    questions = services.draft_questions(survey)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "questions": shown(questions, {}),
            "preview": True,
            "subjects": list(survey.subjects.order_by("path")) if survey.kind == SurveyKind.EVALUATION else [],
        },
    )


def _survey_action(request, pk: int, service, done):
    """Publish, close, reopen: one service call on a survey the caller manages, back to its page."""
    survey = selectors.get_survey_for(request.user, pk, manage=True)
    return _one_action(request, lambda: service(survey, actor=request.user), done, reverse("surveys:detail", args=[survey.pk]))


@login_required
@require_POST
def publish(request, pk: int):
    return _survey_action(request, pk, services.publish_survey, lambda v: _("Version %(n)s is published; the survey is open.") % {"n": v.number})


@login_required
@require_POST
def close(request, pk: int):
    return _survey_action(request, pk, services.close_survey, _("The survey is closed."))


@login_required
@require_POST
def reopen(request, pk: int):
    return _survey_action(request, pk, services.reopen_survey, _("The survey is open again."))


@login_required
@require_POST
def subjects(request, pk: int):
    user = request.user
    survey = selectors.get_survey_for(user, pk, manage=True)
    form = forms.SubjectsForm(request.POST)
    if form.is_valid():
        codes = [c.strip() for c in form.cleaned_data["codes"].replace(",", "\n").splitlines() if c.strip()]
        found = {o.code: o for o in org_selectors.visible_organizations(user).filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            form.add_error("codes", _("No organization with these codes in your scope: %(codes)s") % {"codes": ", ".join(missing[:10])})
        else:
            try:
                services.set_subjects(survey, actor=user, organizations=list(found.values()))
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("surveys:detail", pk=survey.pk)
    return render(
        request,
        "surveys/detail.html",
        _context(
            request,
            survey,
            tracking=distribution.tracking(survey),
            versions=list(survey.versions.all()[:10]),
            targets=list(survey.targets.select_related("organization")),
            subjects=list(survey.subjects.order_by("path")),
            subjects_form=form,
            question_count=survey.questions.count(),
        ),
        status=400,
    )


# ---- Distribution ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def distribution_page(request, pk: int):
    user = request.user
    survey = selectors.get_survey_for(user, pk, manage=request.method == "POST")
    form = forms.TargetForm(request.POST or None, initial={"kind": TargetKind.MEMBERS})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                distribution.add_target(survey, actor=user, kind=d["kind"], organization=d["organization"] or None, filters=form.filters())
            except DomainError as exc:
                status = _failed(form, exc)
            else:
                messages.success(request, _("Distribution added."))
                return redirect("surveys:distribution", pk=survey.pk)
    targets = list(survey.targets.select_related("organization"))
    return render(request, "surveys/distribution.html", _context(request, survey, form=form, targets=targets), status=status)


@login_required
@require_POST
def target_delete(request, pk: int):
    target = selectors.get_target_for(request.user, pk, manage=True)
    survey_pk = target.survey_id
    return _one_action(
        request, lambda: distribution.remove_target(target, actor=request.user), _("Distribution removed."), reverse("surveys:distribution", args=[survey_pk])
    )
