"""Surveys as JSON: the same services and selectors as the pages.

Staff (a role covering the survey's organization) read surveys, results, cross-tabs, tracking
and exports; staff or admin roles write (404 outside the scope, 403 in scope without the role).
A S&T worker reads the form of a survey addressed to them (invited, or through its open link's
token) and answers it; station staff enter answers at their station."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.accounts import scope
from kejia.core.api import PageParams, caller, page_of, window
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.organizations import selectors as org_selectors
from kejia.organizations.models import Organization
from kejia.people import selectors as people_selectors
from kejia.surveys import answering, distribution, exports, selectors, services
from kejia.surveys import results as res
from kejia.surveys.api_schemas import (
    AnswerIn,
    AnswerOut,
    CrosstabOut,
    CrosstabQuery,
    EvaluationOut,
    ExportQuery,
    FormOut,
    InstallIn,
    ListFilters,
    ObjectId,
    QuestionIn,
    QuestionMoveIn,
    QuestionOut,
    QuestionPatch,
    RemindedOut,
    ResultsOut,
    StationAnswerIn,
    SubjectsIn,
    SurveyIn,
    SurveyOut,
    SurveyPage,
    SurveyPatch,
    TargetIn,
    TargetOut,
    TargetPage,
    TrackingDetailOut,
    VersionOut,
)
from kejia.surveys.choices import ResponseStatus, SurveyKind
from kejia.surveys.models import Survey
from kejia.surveys.templates_data import install_template

router = Router(tags=["surveys"])
S = "/surveys"


def _org_in_body(user, pk, field: str = "org_id") -> Organization:
    org = org_selectors.visible_organizations(user).filter(pk=pk).first()
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field=field)
    return org


# ---- Surveys -----------------------------------------------------------------------------------


@router.get(f"{S}/waiting", response=SurveyPage, auth=AUTH, summary="Surveys waiting for my answers")
def waiting(request, page: Query[PageParams]):
    """Open surveys addressed to the caller's profile that they have not answered, the first to
    close first. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(selectors.surveys_waiting_for(caller(request)), page)


@router.get(S, response=list[SurveyOut], auth=AUTH, summary="Surveys in my scope")
def list_surveys(request, filters: Query[ListFilters]):
    qs = selectors.surveys_in_scope(caller(request), status=filters.status.value if filters.status else "", kind=filters.kind.value if filters.kind else "")
    return window(qs, filters)


@router.post(S, response={201: SurveyOut}, auth=AUTH, summary="Create a survey (a draft)")
def create_survey(request, payload: SurveyIn):
    user = caller(request)
    org = _org_in_body(user, payload.org_id)
    data = payload.dict(exclude={"org_id"})
    data["kind"] = payload.kind.value
    return Status(201, services.create_survey(org, actor=user, **data))


@router.post(f"{S}/install", response={201: SurveyOut}, auth=AUTH, summary="Install a shipped template as a draft survey")
def install(request, payload: InstallIn):
    """`status`: the status survey of S&T workers; `evaluation`: the evaluation of organizations
    on awareness, participation, benefit and satisfaction (evaluating the organizations below)."""
    user = caller(request)
    org = _org_in_body(user, payload.org_id)
    services.require_manager(org, user)
    return Status(201, install_template(org, actor=user, template=payload.template, period=payload.period))


@router.get(f"{S}/{{id}}", response=SurveyOut, auth=AUTH, summary="One survey")
def get_survey(request, id: ObjectId):
    return selectors.get_survey_for(caller(request), id)


@router.patch(f"{S}/{{id}}", response=SurveyOut, auth=AUTH, summary="Change a survey's settings")
def update_survey(request, id: ObjectId, payload: SurveyPatch):
    """Anonymity and kind are fixed once the survey has been published."""
    user = caller(request)
    survey = selectors.get_survey_for(user, id, manage=True)
    data = payload.dict(exclude_unset=True)
    for key, value in list(data.items()):
        if value is None and key not in ("opens_on", "closes_on"):
            raise DomainError("required", _("This field cannot be empty."), field=key)
        if key == "kind":
            data[key] = payload.kind.value
    return services.update_survey(survey, actor=user, **data)


@router.put(f"{S}/{{id}}/subjects", response=list[int], auth=AUTH, summary="Set the organizations an evaluation survey evaluates")
def set_subjects(request, id: ObjectId, payload: SubjectsIn):
    user = caller(request)
    survey = selectors.get_survey_for(user, id, manage=True)
    orgs = [_org_in_body(user, pk, "org_ids") for pk in dict.fromkeys(payload.org_ids)]
    services.set_subjects(survey, actor=user, organizations=orgs)
    return sorted(o.pk for o in orgs)


@router.get(f"{S}/{{id}}/versions", response=list[VersionOut], auth=AUTH, summary="A survey's published versions")
def versions(request, id: ObjectId):
    return list(selectors.get_survey_for(caller(request), id).versions.all())


@router.post(f"{S}/{{id}}/publish", response={201: VersionOut}, auth=AUTH, summary="Publish (freeze) the questions as the next version")
def publish(request, id: ObjectId):
    """A draft opens; an open survey gets a new version (answers already given keep theirs)."""
    user = caller(request)
    return Status(201, services.publish_survey(selectors.get_survey_for(user, id, manage=True), actor=user))


@router.post(f"{S}/{{id}}/close", response=SurveyOut, auth=AUTH, summary="Close a survey")
def close(request, id: ObjectId):
    user = caller(request)
    return services.close_survey(selectors.get_survey_for(user, id, manage=True), actor=user)


@router.post(f"{S}/{{id}}/reopen", response=SurveyOut, auth=AUTH, summary="Reopen a closed survey")
def reopen(request, id: ObjectId):
    user = caller(request)
    return services.reopen_survey(selectors.get_survey_for(user, id, manage=True), actor=user)


# ---- Questions -----------------------------------------------------------------------------------


@router.get(f"{S}/{{id}}/questions", response=list[QuestionOut], auth=AUTH, summary="The questions being edited")
def list_questions(request, id: ObjectId):
    return list(selectors.get_survey_for(caller(request), id).questions.order_by("position", "id"))


@router.post(f"{S}/{{id}}/questions", response={201: QuestionOut}, auth=AUTH, summary="Add a question")
def add_question(request, id: ObjectId, payload: QuestionIn):
    user = caller(request)
    survey = selectors.get_survey_for(user, id, manage=True)
    data = payload.dict()
    data["kind"], data["role"] = payload.kind.value, payload.role.value
    return Status(201, services.add_question(survey, actor=user, **data))


@router.patch("/survey-questions/{id}", response=QuestionOut, auth=AUTH, summary="Change a question")
def update_question(request, id: ObjectId, payload: QuestionPatch):
    user = caller(request)
    question = selectors.get_question_for(user, id, manage=True)
    data = payload.dict(exclude_unset=True)
    for key, value in list(data.items()):
        if value is None and key != "max_choices":
            raise DomainError("required", _("This field cannot be empty."), field=key)
        if hasattr(value, "value"):
            data[key] = value.value
    return services.update_question(question, actor=user, **data)


@router.post("/survey-questions/{id}/move", response=QuestionOut, auth=AUTH, summary="Move a question up (-1) or down (+1)")
def move_question(request, id: ObjectId, payload: QuestionMoveIn):
    user = caller(request)
    question = selectors.get_question_for(user, id, manage=True)
    services.move_question(question, actor=user, offset=payload.offset)
    question.refresh_from_db()
    return question


@router.delete("/survey-questions/{id}", response={204: None}, auth=AUTH, summary="Delete a question")
def delete_question(request, id: ObjectId):
    user = caller(request)
    services.delete_question(selectors.get_question_for(user, id, manage=True), actor=user)
    return Status(204, None)


# ---- Distribution and tracking -------------------------------------------------------------------


@router.get(f"{S}/{{id}}/targets", response=TargetPage, auth=AUTH, summary="Where a survey is distributed")
def list_targets(request, id: ObjectId, page: Query[PageParams]):
    """Oldest first. Paginated with `limit`/`offset`; `count` is the total before pagination."""
    return page_of(selectors.get_survey_for(caller(request), id).targets.select_related("organization").order_by("id"), page)


@router.post(f"{S}/{{id}}/targets", response={201: TargetOut}, auth=AUTH, summary="Distribute a survey")
def add_target(request, id: ObjectId, payload: TargetIn):
    """people (filters), members (org_id: the organization listing them), station (org_id: a
    survey station) or link (an open link with a random token)."""
    user = caller(request)
    survey = selectors.get_survey_for(user, id, manage=True)
    org = _org_in_body(user, payload.org_id) if payload.org_id else None
    return Status(201, distribution.add_target(survey, actor=user, kind=payload.kind.value, organization=org, filters=payload.filters))


@router.delete("/survey-targets/{id}", response={204: None}, auth=AUTH, summary="Stop a distribution")
def delete_target(request, id: ObjectId):
    user = caller(request)
    distribution.remove_target(selectors.get_target_for(user, id, manage=True), actor=user)
    return Status(204, None)


@router.get(f"{S}/{{id}}/tracking", response=TrackingDetailOut, auth=AUTH, summary="Response rate and non-respondents")
def tracking(request, id: ObjectId):
    survey = selectors.get_survey_for(caller(request), id)
    data = distribution.tracking(survey)
    data["non_respondents"] = [
        {"person_id": i.person_id, "name": i.person.name, "invited_on": i.invited_on, "reminded_on": i.reminded_on}
        for i in distribution.non_respondents(survey)[:1000]
    ]
    return data


@router.post(f"{S}/{{id}}/reminders", response=RemindedOut, auth=AUTH, summary="Remind the invited who have not answered")
def remind(request, id: ObjectId):
    """Each person at most once a day (a second call the same day reminds nobody again)."""
    user = caller(request)
    return {"reminded": distribution.send_reminders(selectors.get_survey_for(user, id, manage=True), actor=user)}


# ---- Results -----------------------------------------------------------------------------------


def _index_out(rows) -> list[dict]:
    orgs = Organization.objects.in_bulk({r.subject_id for r in rows})
    return [
        {
            "organization": orgs[r.subject_id],
            "period": r.period,
            "survey_id": r.survey_id,
            "respondents": r.respondents,
            "measures": r.measures,
            "index": r.index,
            "enough": r.enough,
        }
        for r in rows
        if r.subject_id in orgs
    ]


@router.get(f"{S}/{{id}}/results", response=ResultsOut, auth=AUTH, summary="Counts and shares of every question")
def results(request, id: ObjectId):
    survey = selectors.get_survey_for(caller(request), id)
    questions = [
        {
            "key": r.question["key"],
            "kind": r.question["kind"],
            "text": r.question["text"],
            "respondents": r.respondents,
            "bars": r.bars,
            "mean": r.mean,
            "matrix": r.matrix,
            "texts": r.texts,
        }
        for r in res.question_results(survey)
    ]
    index = _index_out(res.evaluation_index([survey])) if survey.kind == SurveyKind.EVALUATION else []
    return {"submitted": res.submitted_count(survey), "questions": questions, "evaluation": index}


@router.get(f"{S}/{{id}}/crosstab", response=CrosstabOut, auth=AUTH, summary="Cross-tabulate a question")
def crosstab(request, id: ObjectId, query: Query[CrosstabQuery]):
    """By sector, age band or region (the respondents' profiles for an identified survey, the
    survey's own questions for an anonymous one) or by a single-choice question's key."""
    survey = selectors.get_survey_for(caller(request), id)
    return res.crosstab(survey, query.question, query.by)


@router.get(f"{S}/{{id}}/export", auth=AUTH, summary="Results or raw answers as XLSX")
def export(request, id: ObjectId, query: Query[ExportQuery]):
    survey = selectors.get_survey_for(caller(request), id)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if query.what == "raw":
        content = exports.raw_xlsx(survey)
    else:
        rows = res.evaluation_index([survey]) if survey.kind == SurveyKind.EVALUATION else []
        names = dict(Organization.objects.filter(pk__in={r.subject_id for r in rows}).values_list("pk", "name"))
        content = exports.results_xlsx(survey, index_rows=rows, names=names)
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="kejia-survey-{survey.pk}-{query.what}-{stamp}.xlsx"'
    return response


@router.get(f"{S}/orgs/{{id}}/evaluation", response=EvaluationOut, auth=AUTH, summary="Evaluation index of an organization and those below")
def evaluation(request, id: ObjectId):
    """Per period: the organization's own index and its children's (compared)."""
    user = caller(request)
    org = org_selectors.get_organization_for(user, id)
    ids = [org.pk, *org_selectors.children_of(user, org).values_list("pk", flat=True)]
    rows = res.evaluation_index(selectors.evaluation_surveys(ids), subjects=ids)
    return {"organization": org, "periods": sorted({r.period for r in rows}), "rows": _index_out(rows)}


# ---- Answering ---------------------------------------------------------------------------------


@router.get(f"{S}/{{id}}/form", response=FormOut, auth=AUTH, summary="The questions to answer, and my draft")
def form(request, id: ObjectId, token: str = "", draft_id: str = ""):
    user = caller(request)
    survey = answering.get_survey_to_answer(id, user, token=token[:32])
    mine = answering.own_response(survey, user, draft_id=draft_id[:40])
    return {
        "survey": survey,
        "version": survey.current_version.number,
        "questions": survey.current_version.questions,
        "subjects": list(survey.subjects.order_by("path")) if survey.kind == SurveyKind.EVALUATION else [],
        "answered": answering.has_answered(survey, user),
        "draft": mine.draft if mine else {},
        "draft_id": str(mine.pk) if mine is not None and survey.anonymous else None,
    }


@router.post(f"{S}/{{id}}/answer", response={200: AnswerOut, 201: AnswerOut}, auth=AUTH, summary="Answer a survey, or save a draft")
def answer(request, id: ObjectId, payload: AnswerIn):
    """`submit: false` keeps what parses to continue later (an anonymous survey answers with a
    `draft_id` to send back). A submission is checked against the current version: required
    questions shown under the conditions, options in range (errors by question key); answers to
    hidden questions are dropped. One answer per person (409 the second time)."""
    user = caller(request)
    survey = answering.get_survey_to_answer(id, user, token=payload.token)
    kwargs = {"actor": user, "data": payload.answers, "token": payload.token, "draft_id": payload.draft_id or None, "subject": payload.subject_id}
    if not payload.submit:
        saved = answering.save_draft(survey, **kwargs)
        return Status(200, {"status": ResponseStatus.DRAFT.value, "draft_id": str(saved.pk) if survey.anonymous else None})
    answering.submit_response(survey, **kwargs)
    return Status(201, {"status": ResponseStatus.SUBMITTED.value, "draft_id": None})


@router.post(f"{S}/{{id}}/station-answers", response={201: AnswerOut}, auth=AUTH, summary="Enter a respondent's answers at a survey station")
def station_answer(request, id: ObjectId, payload: StationAnswerIn):
    """For station staff (a staff role covering one of the survey's stations). An identified
    survey names the respondent (`person_id`, within your reach)."""
    user = caller(request)
    survey = Survey.objects.select_related("organization", "current_version").filter(pk=id).first()
    stations = answering.stations_of(survey, user) if survey is not None else []
    if not stations:
        if survey is not None and scope.can_view(user, survey.organization):
            raise PermissionDenied(_("Only the staff of one of the survey's stations enter answers."))
        raise NotFound()
    station = next((s for s in stations if s.pk == payload.station_id), None)
    if station is None:
        raise DomainError("unknown_station", _("Not one of the survey's stations you serve."), field="station_id")
    person = None
    if payload.person_id and not survey.anonymous:
        try:
            person = people_selectors.get_person_for(user, payload.person_id)
        except NotFound:
            raise DomainError("unknown_person", _("No person with this id is within your reach."), field="person_id") from None
    answering.enter_station_response(survey, actor=user, station=station, data=payload.answers, person=person, subject=payload.subject_id)
    return Status(201, {"status": ResponseStatus.SUBMITTED.value, "draft_id": None})
