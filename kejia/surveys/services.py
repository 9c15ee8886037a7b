"""Writes of the survey builder: surveys, their questions, publishing (freezing a version),
closing and reopening, the organizations an evaluation survey evaluates. Each runs in one
transaction and writes an audit event. Distribution and reminders are in `distribution.py`,
answering in `answering.py`."""

import datetime
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import changed, record_event, snapshot
from kejia.core.errors import DomainError, IllegalTransition, ValidationFailed
from kejia.core.rows import max_length_of, update_row
from kejia.surveys import questions as qlib
from kejia.surveys.choices import MEASURES, QuestionRole, ResponseStatus, SurveyKind, SurveyStatus
from kejia.surveys.distribution import refresh_invitations
from kejia.surveys.models import Question, Response, Survey, SurveyVersion
from kejia.surveys.pool import release_answers
from kejia.surveys.workflow import require_manager  # noqa: F401 (this module's API too)

SURVEY_FIELDS = ["title", "description", "kind", "anonymous", "opens_on", "closes_on", "period", "index_weights", "min_responses"]
QUESTION_FIELDS = [
    "kind",
    "text",
    "help",
    "required",
    "options",
    "rows",
    "scale_min",
    "scale_max",
    "min_label",
    "max_label",
    "max_choices",
    "condition_key",
    "condition_options",
    "role",
    "scores",
]


def _date(value: Any, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("invalid_date", _("Enter a date as YYYY-MM-DD."), field=field) from None


def _weights(value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or set(value) - {str(m) for m in MEASURES}:
        raise DomainError("invalid_weights", _("Give weights for awareness, participation, benefit and satisfaction."), field="index_weights")
    clean = {}
    for measure in MEASURES:
        w = value.get(str(measure), 0)
        if isinstance(w, bool) or not isinstance(w, int | float) or w < 0 or w > 100:
            raise DomainError("invalid_weights", _("Each weight is a number from 0 to 100."), field="index_weights")
        clean[str(measure)] = w
    if not sum(clean.values()):
        raise DomainError("invalid_weights", _("At least one weight must be above 0."), field="index_weights")
    return clean


def _clean_survey(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "title" in out:
        out["title"] = str(out["title"] or "").strip()[: max_length_of(Survey, "title")]
        if not out["title"]:
            raise DomainError("required", _("Give the survey a title."), field="title")
    if "kind" in out and out["kind"] not in SurveyKind.values:
        raise DomainError("invalid_kind", _("Choose a kind of survey from the list."), field="kind")
    for field in ("opens_on", "closes_on"):
        if field in out:
            out[field] = _date(out[field], field)
    if "index_weights" in out:
        out["index_weights"] = _weights(out["index_weights"])
    if "min_responses" in out:
        n = out["min_responses"]
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 1000:
            raise DomainError("invalid_min_responses", _("Give a whole number from 1 to 1000."), field="min_responses")
    if "period" in out:
        out["period"] = str(out["period"] or "").strip()[: max_length_of(Survey, "period")]
    if "description" in out:
        out["description"] = str(out["description"] or "").strip()
    return out


def _check_dates(survey: Survey) -> None:
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        raise DomainError("invalid_dates", _("A survey closes after it opens."), field="closes_on")


@transaction.atomic
def create_survey(
    org,
    *,
    actor,
    title: str,
    kind: str = SurveyKind.GENERAL,
    description: str = "",
    anonymous: bool = False,
    opens_on: Any = None,
    closes_on: Any = None,
    period: str = "",
    template: str = "",
) -> Survey:
    require_manager(org, actor)
    data = _clean_survey({"title": title, "kind": kind, "description": description, "opens_on": opens_on, "closes_on": closes_on, "period": period})
    survey = Survey(organization=org, anonymous=bool(anonymous), template=template, **data)
    _check_dates(survey)
    survey.save()
    record_event(
        actor=actor, action="survey.created", obj=survey, organization=org, new={"title": survey.title, "kind": survey.kind, "anonymous": survey.anonymous}
    )
    return survey


class SurveyChanges(TypedDict, total=False):
    """What `update_survey` may change (SURVEY_FIELDS): each key only when it is sent. Dates may
    come as text from a page (parsed by `_clean_survey`)."""

    title: str
    description: str
    kind: str
    anonymous: bool
    opens_on: datetime.date | str | None
    closes_on: datetime.date | str | None
    period: str
    index_weights: dict[str, Any]
    min_responses: int


def _write_survey(survey: Survey, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(survey, key, bool(value) if key == "anonymous" else value)


def _survey_audit_view(survey: Survey) -> dict[str, Any]:
    return snapshot(survey, SURVEY_FIELDS)


@transaction.atomic
def update_survey(survey: Survey, *, actor, **fields: Unpack[SurveyChanges]) -> Survey:
    require_manager(survey, actor)
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise DomainError("invalid", _("These fields cannot be changed here."), field=sorted(unknown)[0])
    data = _clean_survey(fields)
    if "anonymous" in data and bool(data["anonymous"]) != survey.anonymous and survey.versions.exists():
        raise DomainError("anonymity_fixed", _("Whether a survey is anonymous cannot change once it has been published."), field="anonymous")
    if "kind" in data and data["kind"] != survey.kind and survey.versions.exists():
        raise DomainError("kind_fixed", _("The kind of a survey cannot change once it has been published."), field="kind")
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    # The model's own rules judge the values this change alters (docs/architecture.md, "Rules declared once").
    old, new = update_row(survey, data, audit_view=_survey_audit_view, write=_write_survey, check=_check_dates, only_changed=True)
    if new:
        record_event(actor=actor, action="survey.updated", obj=survey, organization=survey.organization, old=old, new=new)
    return survey


@transaction.atomic
def set_subjects(survey: Survey, *, actor, organizations: list) -> Survey:
    """The organizations an evaluation survey evaluates: in the survey organization's subtree
    and within the actor's scope."""
    require_manager(survey, actor)
    for org in organizations:
        if not (org.path.startswith(survey.organization.path) and scope.can_view(actor, org)):
            raise DomainError("unknown_organization", _("%(name)s is not below the survey's organization.") % {"name": org.name}, field="subjects")
    before = sorted(survey.subjects.values_list("pk", flat=True))
    survey.subjects.set(organizations)
    record_event(
        actor=actor,
        action="survey.subjects_set",
        obj=survey,
        organization=survey.organization,
        old={"subjects": before},
        new={"subjects": sorted(o.pk for o in organizations)},
    )
    return survey


# ---- Questions ---------------------------------------------------------------------------------


def _lines(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _clean_question(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for field in ("options", "rows"):
        if field in out:
            out[field] = _lines(out[field])
    for field in ("scale_min", "scale_max", "max_choices"):
        if field in out and out[field] not in (None, ""):
            try:
                out[field] = int(out[field])
            except (TypeError, ValueError):
                raise DomainError("invalid", _("Enter a whole number."), field=field) from None
        elif field in out:
            out[field] = None if field == "max_choices" else {"scale_min": 1, "scale_max": 5}[field]
    if "condition_options" in out:
        values = out["condition_options"]
        if isinstance(values, str):
            values = values.replace("，", ",").split(",")
        try:
            out["condition_options"] = sorted({int(v) for v in values if str(v).strip() != ""})
        except (TypeError, ValueError):
            raise DomainError("invalid", _("Give option numbers separated by commas."), field="condition_options") from None
    if "scores" in out:
        values = out["scores"]
        if isinstance(values, str):
            values = values.replace("，", ",").split(",")
        try:
            out["scores"] = [float(v) if float(v) % 1 else int(float(v)) for v in values if str(v).strip() != ""]
        except (TypeError, ValueError):
            raise DomainError("invalid", _("Give scores as numbers separated by commas."), field="scores") from None
    for field in ("text", "help", "min_label", "max_label", "condition_key"):
        if field in out:
            out[field] = str(out[field] or "").strip()
    if "role" in out:
        out["role"] = out["role"] or ""
        if out["role"] not in QuestionRole.values:
            raise DomainError("invalid_role", _("Choose a meaning from the list."), field="role")
    if "required" in out:
        out["required"] = bool(out["required"])
    return out


def _check_all(survey: Survey, edited: Question | None, drafts: list[Question]) -> None:
    """Check every question in order (a change to one may break a condition of a later one)."""
    frozen_before: list[dict] = []
    published_kinds = {}
    for version in survey.versions.all():
        for q in version.questions:
            published_kinds.setdefault(q["key"], q["kind"])
    for q in drafts:
        f = qlib.frozen(q)
        errors = qlib.check_definition(f, frozen_before)
        if published_kinds.get(q.key, q.kind) != q.kind:
            errors.setdefault("kind", []).append(gettext("A published question keeps its kind; add a new question instead."))
        if errors:
            if edited is not None and q.key == edited.key:
                raise ValidationFailed(errors)
            raise DomainError(
                "breaks_condition", _("This change breaks question %(key)s: %(problem)s") % {"key": q.key, "problem": next(iter(errors.values()))[0]}
            )
        frozen_before.append(f)


@transaction.atomic
def add_question(survey: Survey, *, actor, kind: str, text: str, position: int | None = None, **fields: Any) -> Question:
    require_manager(survey, actor)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed."))
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise DomainError("invalid", _("Unknown field."), field=sorted(unknown)[0])
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    data = _clean_question({"kind": kind, "text": text, **fields})
    drafts = list(survey.questions.order_by("position", "id"))
    Survey.objects.filter(pk=survey.pk).update(question_seq=F("question_seq") + 1)
    survey.refresh_from_db(fields=["question_seq"])
    question = Question(survey=survey, key=f"q{survey.question_seq}", **data)
    index = len(drafts) if position is None else max(0, min(int(position), len(drafts)))
    drafts.insert(index, question)
    _check_all(survey, question, drafts)
    question.position = index
    question.save()
    _renumber(drafts)
    record_event(
        actor=actor,
        action="survey.question_added",
        obj=survey,
        organization=survey.organization,
        new={"key": question.key, "kind": question.kind, "text": question.text},
    )
    return question


def _renumber(drafts: list[Question]) -> None:
    for i, q in enumerate(drafts):
        if q.position != i or q.pk is None:
            q.position = i
    Question.objects.bulk_update([q for q in drafts if q.pk], ["position"])


@transaction.atomic
def update_question(question: Question, *, actor, **fields: Any) -> Question:
    survey = question.survey
    require_manager(survey, actor)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed."))
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise DomainError("invalid", _("Unknown field."), field=sorted(unknown)[0])
    data = _clean_question(fields)
    old = snapshot(question, QUESTION_FIELDS)
    drafts = list(survey.questions.order_by("position", "id"))
    target = next(q for q in drafts if q.pk == question.pk)
    for key, value in data.items():
        setattr(target, key, value)
    _check_all(survey, target, drafts)
    target.save()
    old, new = changed(old, snapshot(target, QUESTION_FIELDS))
    if new:
        record_event(
            actor=actor,
            action="survey.question_changed",
            obj=survey,
            organization=survey.organization,
            old={"key": target.key, **old},
            new={"key": target.key, **new},
        )
    return target


@transaction.atomic
def delete_question(question: Question, *, actor) -> None:
    survey = question.survey
    require_manager(survey, actor)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed."))
    dependent = survey.questions.filter(condition_key=question.key).values_list("key", flat=True).first()
    if dependent:
        raise DomainError("has_dependents", _("Question %(key)s is shown depending on this one: change its condition first.") % {"key": dependent})
    key, text = question.key, question.text
    question.delete()
    _renumber(list(survey.questions.order_by("position", "id")))
    record_event(actor=actor, action="survey.question_deleted", obj=survey, organization=survey.organization, old={"key": key, "text": text})


@transaction.atomic
def move_question(question: Question, *, actor, offset: int) -> Question:
    """Move up (offset -1) or down (+1); a condition must still look back."""
    survey = question.survey
    require_manager(survey, actor)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed."))
    drafts = list(survey.questions.order_by("position", "id"))
    index = next(i for i, q in enumerate(drafts) if q.pk == question.pk)
    new_index = max(0, min(len(drafts) - 1, index + int(offset)))
    if new_index == index:
        return question
    drafts.insert(new_index, drafts.pop(index))
    _check_all(survey, None, drafts)
    _renumber(drafts)
    record_event(
        actor=actor,
        action="survey.question_moved",
        obj=survey,
        organization=survey.organization,
        old={"key": question.key, "position": index},
        new={"position": new_index},
    )
    return question


def draft_questions(survey: Survey) -> list[dict]:
    return [qlib.frozen(q) for q in survey.questions.order_by("position", "id")]


# ---- Publishing, closing ---------------------------------------------------------------------


def _copy_state(fresh: Survey, stale: Survey) -> None:
    """The caller's object follows the change made on the locked row."""
    for field in ("status", "current_version", "opens_on", "closes_on", "updated_at"):
        setattr(stale, field, getattr(fresh, field))


@transaction.atomic
def publish_survey(survey: Survey, *, actor, today: datetime.date | None = None) -> SurveyVersion:
    """Freeze the questions into the next version and open the survey (a draft) or keep it open
    with the new version (answers already given keep theirs)."""
    require_manager(survey, actor)
    original, survey = survey, Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed: reopen it first."))
    questions = draft_questions(survey)
    if not questions:
        raise DomainError("no_questions", _("Add at least one question before publishing."))
    _check_all(survey, None, list(survey.questions.order_by("position", "id")))
    if survey.kind == SurveyKind.EVALUATION:
        if not survey.subjects.exists():
            raise DomainError("no_subjects", _("Choose the organizations this survey evaluates."), field="subjects")
        if not any(q["role"] in MEASURES for q in questions):
            raise DomainError("no_measures", _("An evaluation survey needs questions marked as its measures."))
    current = survey.current_version
    if current is not None and current.questions == questions:
        raise DomainError("unchanged", _("Nothing has changed since the last version."))
    number = (current.number if current else 0) + 1
    version = SurveyVersion.objects.create(survey=survey, number=number, questions=questions, published_by=actor)
    old_status = survey.status
    survey.current_version = version
    if survey.status == SurveyStatus.DRAFT:
        survey.status = SurveyStatus.OPEN
        survey.opens_on = survey.opens_on or today or timezone.localdate()
    survey.save(update_fields=["current_version", "status", "opens_on", "updated_at"])
    _copy_state(survey, original)
    record_event(
        actor=actor,
        action="survey.published",
        obj=survey,
        organization=survey.organization,
        old={"status": old_status},
        new={"status": survey.status, "version": number, "questions": len(questions)},
    )
    if old_status == SurveyStatus.DRAFT:
        refresh_invitations(survey, actor=actor, today=today)
    return version


def _switch_status(survey: Survey, *, actor, expect: str, to: str, error: IllegalTransition, action: str, reopen: bool = False) -> Survey:
    """Close or reopen: lock the row, check the state, save, follow on the caller's object, audit."""
    require_manager(survey, actor)
    original, survey = survey, Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.status != expect:
        raise error
    survey.status = to
    fields = ["status", "updated_at"]
    if reopen and survey.closes_on and survey.closes_on < timezone.localdate():
        survey.closes_on = None
        fields.append("closes_on")
    survey.save(update_fields=fields)
    _copy_state(survey, original)
    record_event(actor=actor, action=action, obj=survey, organization=survey.organization, old={"status": expect}, new={"status": to})
    return survey


@transaction.atomic
def close_survey(survey: Survey, *, actor) -> Survey:
    """No more answers. Drafts of an anonymous survey are deleted (nobody can finish them); its
    answers still in the pool are written (kejia.surveys.pool)."""
    survey = _switch_status(
        survey,
        actor=actor,
        expect=SurveyStatus.OPEN,
        to=SurveyStatus.CLOSED,
        action="survey.closed",
        error=IllegalTransition("not_open", _("Only an open survey can be closed.")),
    )
    if survey.anonymous:
        Response.objects.filter(survey=survey, status=ResponseStatus.DRAFT).delete()
        release_answers(survey, force=True)
    return survey


@transaction.atomic
def reopen_survey(survey: Survey, *, actor) -> Survey:
    """Answers again; a closing date already past is cleared."""
    return _switch_status(
        survey,
        actor=actor,
        expect=SurveyStatus.CLOSED,
        to=SurveyStatus.OPEN,
        action="survey.reopened",
        reopen=True,
        error=IllegalTransition("not_closed", _("Only a closed survey can be reopened.")),
    )


def is_answerable(survey: Survey, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        survey.status == SurveyStatus.OPEN
        and survey.current_version_id is not None
        and (survey.opens_on is None or survey.opens_on <= today)
        and (survey.closes_on is None or today <= survey.closes_on)
    )
