"""Results pages: per-question counts and shares with SVG charts, rating means, matrix tables,
free texts (paged), a cross-tab; tracking with the response rate, non-respondents and reminders;
XLSX exports; the evaluation index of an organization's children compared and over periods."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from kejia.accounts import scope
from kejia.core.errors import DomainError
from kejia.core.web import page_of
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Organization
from kejia.surveys import charts, distribution, exports, forms, selectors
from kejia.surveys import results as res
from kejia.surveys.choices import MEASURES, Channel, QuestionKind, QuestionRole, SurveyKind

TEXTS_SHOWN = 5
TEXT_PAGE = 50
NON_RESPONDENTS_PAGE = 50


def _crosstab(survey, layout, params) -> tuple[forms.CrosstabForm, dict | None, int]:
    form = forms.CrosstabForm(params or None, questions=layout.questions, dimensions=res.dimension_choices(survey, layout))
    if not params or not form.is_valid() or not form.cleaned_data["question"] or not form.cleaned_data["by"]:
        return form, None, 400 if params and form.is_bound and not form.is_valid() else 200
    try:
        return form, res.crosstab(survey, form.cleaned_data["question"], form.cleaned_data["by"], layout=layout), 200
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return form, None, 400


def _subject_names(rows) -> dict[int, str]:
    return dict(Organization.objects.filter(pk__in={r.subject_id for r in rows}).values_list("pk", "name"))


@login_required
@require_GET
def results(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk)
    layout = res.Layout(survey)
    items = []
    for r in res.question_results(survey, layout):
        item = {"result": r, "q": r.question, "chart": charts.bar_chart(r.bars, title=r.question["text"]) if r.bars else ""}
        if r.question["kind"] == QuestionKind.TEXT:
            item["texts"] = list(res.texts(survey, r.question["key"])[:TEXTS_SHOWN])
        items.append(item)
    params = {k: request.GET[k] for k in ("question", "by") if request.GET.get(k)}
    form, table, status = _crosstab(survey, layout, params)
    text_key = request.GET.get("text", "")
    text_page = None
    if text_key in layout.by_key and layout.by_key[text_key]["kind"] == QuestionKind.TEXT:
        text_page = page_of(request, res.texts(survey, text_key), TEXT_PAGE)
    index_rows = res.evaluation_index([survey]) if survey.kind == SurveyKind.EVALUATION else []
    names = _subject_names(index_rows)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "manage": scope.can_manage(request.user, survey.organization),
            "items": items,
            "submitted": res.submitted_count(survey),
            "form": form,
            "table": table,
            "text_key": text_key,
            "text_page": text_page,
            "text_question": layout.by_key.get(text_key),
            "measures": [(str(m), QuestionRole(m).label) for m in MEASURES],
            "index_rows": [{"row": r, "name": names.get(r.subject_id, "")} for r in index_rows],
            "index_chart": charts.bar_chart(
                [res.Bar(names.get(r.subject_id, ""), r.respondents, r.index or 0) for r in index_rows if r.enough], title=str(_("Evaluation index")), unit=""
            ),
        },
        status=status,
    )


@login_required
@require_GET
def export(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if request.GET.get("what") == "raw":
        content, name = exports.raw_xlsx(survey), f"kejia-survey-{survey.pk}-answers-{stamp}.xlsx"
    else:
        layout = res.Layout(survey)
        params = {k: request.GET[k] for k in ("question", "by") if request.GET.get(k)}
        _form, table, status = _crosstab(survey, layout, params)
        if status != 200:
            return render(request, "error.html", {"error": DomainError("invalid", _("Choose a question and a dimension of the list."))}, status=400)
        index_rows = res.evaluation_index([survey]) if survey.kind == SurveyKind.EVALUATION else []
        content = exports.results_xlsx(survey, crosstab=table, index_rows=index_rows, names=_subject_names(index_rows))
        name = f"kejia-survey-{survey.pk}-results-{stamp}.xlsx"
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def tracking(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk)
    page = page_of(request, distribution.non_respondents(survey), NON_RESPONDENTS_PAGE)
    tracking = distribution.tracking(survey)
    channels = [(Channel(code).label if code in Channel.values else code, n) for code, n in tracking["by_channel"].items()]
    return render(
        request,
        "surveys/tracking.html",
        {
            "survey": survey,
            "manage": scope.can_manage(request.user, survey.organization),
            "tracking": tracking,
            "channels": channels,
            "page": page,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def remind(request, pk: int):
    survey = selectors.get_survey_for(request.user, pk, manage=True)
    try:
        sent = distribution.send_reminders(survey, actor=request.user)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(request, "error.html", {"error": exc}, status=exc.status)
    messages.success(request, _("%(n)s reminders sent (each person at most once a day).") % {"n": sent})
    return redirect("surveys:tracking", pk=survey.pk)


@login_required
@require_GET
def evaluation(request, pk: int):
    """The organization's own index over the periods, and its children's compared."""
    user = request.user
    org = org_selectors.get_organization_for(user, pk)
    children = list(org_selectors.children_of(user, org))
    ids = [org.pk] + [c.pk for c in children]
    rows = res.evaluation_index(selectors.evaluation_surveys(ids), subjects=ids)
    periods = sorted({r.period for r in rows})
    names = {org.pk: org.name, **{c.pk: c.name for c in children}}
    table = []
    for subject in [org, *children]:
        mine = {r.period: r for r in rows if r.subject_id == subject.pk}
        if mine:
            table.append({"org": subject, "cells": [mine.get(p) for p in periods], "own": subject.pk == org.pk})
    latest = periods[-1] if periods else None
    siblings = [r for r in rows if r.period == latest and r.subject_id != org.pk and r.enough]
    siblings.sort(key=lambda r: -(r.index or 0))
    # The trend: the organization itself and the five children with the most answers.
    shown = sorted(table, key=lambda t: (not t["own"], -sum(c.respondents for c in t["cells"] if c)))[:6]
    trend_series = {names[t["org"].pk]: [(p, c.index if c and c.enough else None) for p, c in zip(periods, t["cells"], strict=True)] for t in shown}
    return render(
        request,
        "surveys/evaluation.html",
        {
            "org": org,
            "periods": periods,
            "table": table,
            "latest": latest,
            "minimum": minima.pop() if len(minima := {r.minimum for r in rows}) == 1 else None,
            "measures": [(str(m), QuestionRole(m).label) for m in MEASURES],
            "compare_chart": charts.bar_chart(
                [res.Bar(names[r.subject_id], r.respondents, r.index or 0) for r in siblings], title=str(_("Index of the organizations below")), unit=""
            ),
            "trend_chart": charts.trend_chart(trend_series, title=str(_("Index over the periods"))),
            "breadcrumb": org_selectors.ancestors_visible(user, org),
        },
    )
