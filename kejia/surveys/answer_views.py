"""Answering pages (phone first): the questionnaire with save-and-continue, the open link, and
the entry page of a survey station. Conditions are applied by the server (answers to hidden
questions are dropped); a small script hides them as one answers, and without it every question
shows with its condition in words."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from kejia.core.errors import DomainError, NotFound, ValidationFailed
from kejia.people import selectors as people_selectors
from kejia.surveys import answering, forms, services
from kejia.surveys import questions as qlib
from kejia.surveys.choices import QuestionKind, SurveyKind, TargetKind
from kejia.surveys.models import Survey, Target

DRAFT_SALT = "kejia.surveys.draft"
DRAFT_DAYS = 60


def draft_cookie(survey: Survey) -> str:
    return f"kejia_sd_{survey.pk}"


def shown(questions: list[dict], answers: dict, errors: dict | None = None) -> list[dict]:
    """The questions with what the template needs: their number, the answers so far (checked
    flags), errors and the condition in words (and as a data attribute for the script)."""
    by_key = {q["key"]: q for q in questions}
    numbers = {q["key"]: i for i, q in enumerate(questions, 1)}
    out = []
    for q in questions:
        value = answers.get(q["key"])
        kind = q["kind"]
        item = dict(q, number=numbers[q["key"]], errors=(errors or {}).get(q["key"], []), text_value="")
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = set(value) if isinstance(value, list) else {value}
            item["choices"] = [{"index": i, "label": label, "checked": i in picked} for i, label in enumerate(q["options"])]
        elif kind == QuestionKind.RATING:
            item["choices"] = [{"index": v, "label": str(v), "checked": v == value} for v in qlib.scale(q)]
        elif kind == QuestionKind.MATRIX:
            value = {int(k): v for k, v in (value or {}).items()} if isinstance(value, dict) else {}
            item["matrix"] = [
                {"index": r, "label": label, "cells": [{"index": c, "checked": value.get(r) == c} for c in range(len(q["options"]))]}
                for r, label in enumerate(q["rows"])
            ]
        else:
            item["text_value"] = value or ""
        c = q.get("condition")
        if c and c["question"] in by_key:
            source = by_key[c["question"]]
            labels = [
                str(v) if source["kind"] == QuestionKind.RATING else source["options"][v]
                for v in c["in"]
                if source["kind"] == QuestionKind.RATING or 0 <= v < len(source["options"])
            ]
            item["condition_text"] = {"number": numbers[c["question"]], "answers": "、".join(labels)}
            item["condition_attr"] = f"{c['question']}:{','.join(str(v) for v in c['in'])}"
        out.append(item)
    return out


def _subjects(survey: Survey) -> list:
    return list(survey.subjects.order_by("path")) if survey.kind == SurveyKind.EVALUATION else []


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    user = request.user
    token = (request.POST.get("t") or request.GET.get("t") or "")[:32]
    survey = answering.get_survey_to_answer(pk, user, token=token)
    context = {"survey": survey, "token": token, "subjects": _subjects(survey)}
    if answering.has_answered(survey, user):
        return render(request, "surveys/answered.html", context, status=409 if request.method == "POST" else 200)
    if not services.is_answerable(survey):
        return render(request, "surveys/answered.html", {**context, "closed": True}, status=409 if request.method == "POST" else 200)
    questions = survey.current_version.questions
    draft_id = request.get_signed_cookie(draft_cookie(survey), default=None, salt=DRAFT_SALT) if survey.anonymous else None
    mine = answering.own_response(survey, user, draft_id=draft_id)
    answers, errors, status = (mine.draft if mine else {}), {}, 200
    subject = mine.subject_id if mine else None
    if request.method == "POST":
        data = qlib.from_form(questions, request.POST)
        subject = request.POST.get("subject") or None
        try:
            if request.POST.get("action") == "save":
                saved = answering.save_draft(survey, actor=user, data=data, token=token, draft_id=draft_id, subject=subject)
                messages.success(request, _("Your answers are saved: come back to this page to continue."))
                response = redirect(_answer_url(survey, token))
                if survey.anonymous:
                    response.set_signed_cookie(
                        draft_cookie(survey),
                        str(saved.pk),
                        salt=DRAFT_SALT,
                        httponly=True,
                        samesite="Lax",
                        max_age=int(datetime.timedelta(days=DRAFT_DAYS).total_seconds()),
                    )
                return response
            answering.submit_response(survey, actor=user, data=data, token=token, draft_id=draft_id, subject=subject)
        except ValidationFailed as exc:
            errors, status = exc.errors, 400
            answers, _e = qlib.validate_submission(questions, data, partial=True)
        except DomainError as exc:
            if isinstance(exc, NotFound) or exc.status == 403:
                raise
            return render(request, "error.html", {"error": exc}, status=exc.status)
        else:
            messages.success(request, _("Thank you: your answers are submitted."))
            response = redirect(_answer_url(survey, token))
            response.delete_cookie(draft_cookie(survey))
            return response
    context.update(
        questions=shown(questions, answers, errors),
        errors=errors,
        subject=str(subject or ""),
        subject_errors=errors.get("subject", []),
        has_draft=mine is not None,
    )
    return render(request, "surveys/answer.html", context, status=status)


def _answer_url(survey: Survey, token: str) -> str:
    url = reverse("surveys:answer", args=[survey.pk])
    return f"{url}?t={token}" if token else url


@login_required
@require_GET
def link(request, token: str):
    target = Target.objects.filter(kind=TargetKind.LINK, token=token[:32]).select_related("survey").first()
    if target is None:
        raise Http404()
    return redirect(_answer_url(target.survey, target.token))


@login_required
@require_http_methods(["GET", "POST"])
def station(request, pk: int):
    """A station's staff enter one respondent's answers at a time."""
    user = request.user
    survey = Survey.objects.select_related("organization", "current_version").filter(pk=pk).first()
    stations = answering.stations_of(survey, user) if survey is not None else []
    if not stations:
        raise NotFound()
    form = forms.StationForm(request.POST or None, stations=stations, identified=not survey.anonymous)
    questions = survey.current_version.questions if survey.current_version else []
    answers, errors, status = {}, {}, 200
    if request.method == "POST":
        data = qlib.from_form(questions, request.POST)
        status = 400
        if form.is_valid():
            chosen = next(s for s in stations if str(s.pk) == form.cleaned_data["station"])
            person = None
            try:
                if not survey.anonymous and form.cleaned_data.get("person"):
                    try:
                        person = people_selectors.get_person_for(user, form.cleaned_data["person"])
                    except NotFound:
                        raise ValidationFailed({"person": [str(_("No person with this number in the talent database you can see."))]}) from None
                answering.enter_station_response(survey, actor=user, station=chosen, data=data, person=person, subject=request.POST.get("subject") or None)
            except ValidationFailed as exc:
                errors = exc.errors
                for field in ("person",):
                    if field in errors and field in form.fields:
                        form.add_error(field, errors[field][0])
                answers, _e = qlib.validate_submission(questions, data, partial=True)
            except DomainError as exc:
                if isinstance(exc, NotFound) or exc.status == 403:
                    raise
                return render(request, "error.html", {"error": exc}, status=exc.status)
            else:
                messages.success(request, _("Entered. The form is ready for the next respondent."))
                return redirect("surveys:station", pk=survey.pk)
    found = []
    query = request.GET.get("q", "").strip()[:64]
    if query and not survey.anonymous:
        found = list(people_selectors.search_people(user, text=query)[:10])
    return render(
        request,
        "surveys/station.html",
        {
            "survey": survey,
            "form": form,
            "questions": shown(questions, answers, errors),
            "errors": errors,
            "stations": stations,
            "subjects": _subjects(survey),
            "subject_errors": errors.get("subject", []),
            "found": found,
            "q": query,
            "open": services.is_answerable(survey),
        },
        status=status,
    )
