"""Answering a survey: who may answer, saving a draft to continue later, submitting (validated
against the version, one answer per person), and entering answers at a survey station.

Anonymity (an anonymous survey): the response row has no person, no user, no date and a random
UUID key; its answer rows carry nothing else. That the user answered is kept apart, in a
`Receipt` holding only HMAC(secret, survey, user). The answer itself waits in the pool and is
written later with a shuffled batch of others (kejia.surveys.pool), so that the order of rows does
not pair it with its receipt. A draft is a response row with no owner,
found again through a signed cookie (the page) or the id the API returns — never through the
session, which the database keeps beside the user's id. No audit event or notice is written for
an anonymous answer (an event's actor and time would join the person to it)."""

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from kejia.core.text import whole_number
from kejia.people.selectors import my_person
from kejia.surveys import pool
from kejia.surveys import questions as qlib
from kejia.surveys.anonymity import receipt_digest
from kejia.surveys.choices import Channel, ResponseStatus, SurveyKind, TargetKind
from kejia.surveys.models import Answer, Invitation, Receipt, Response, Survey, Target
from kejia.surveys.services import is_answerable


def link_target(survey: Survey, token: str) -> Target | None:
    if not token:
        return None
    return Target.objects.filter(survey=survey, kind=TargetKind.LINK, token=str(token)[:32]).first()


def may_answer(survey: Survey, user, *, token: str = "") -> bool:
    """Invited people (a people or members target), anyone signed in holding the survey's open
    link, and the staff of the survey's organization (trying it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if link_target(survey, token) is not None or scope.can_manage(user, survey.organization):
        return True
    person = my_person(user)
    return person is not None and Invitation.objects.filter(survey=survey, person=person).exists()


def own_response(survey: Survey, user, *, draft_id: Any = None) -> Response | None:
    """The caller's response: by person/user for an identified survey; for an anonymous one,
    only the draft the caller holds the id of."""
    if survey.anonymous:
        try:
            pk = uuid.UUID(str(draft_id)) if draft_id else None
        except ValueError:
            return None
        if pk is None:
            return None
        return Response.objects.filter(pk=pk, survey=survey, status=ResponseStatus.DRAFT, user__isnull=True, person__isnull=True).first()
    return Response.objects.filter(survey=survey, user=user).first()


def has_answered(survey: Survey, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if survey.anonymous:
        return Receipt.objects.filter(digest=receipt_digest(survey.pk, user.pk)).exists()
    return Response.objects.filter(survey=survey, user=user, status=ResponseStatus.SUBMITTED).exists()


def _subject(survey: Survey, subject: Any, *, required: bool):
    if survey.kind != SurveyKind.EVALUATION:
        return None
    if subject in (None, ""):
        if required:
            raise ValidationFailed({"subject": [str(_("Choose the organization you evaluate."))]})
        return None
    pk = getattr(subject, "pk", subject)
    pk = whole_number(pk)
    org = survey.subjects.filter(pk=pk).first() if pk is not None else None
    if org is None:
        raise ValidationFailed({"subject": [str(_("Choose one of the organizations this survey evaluates."))]})
    return org


def _check_open(survey: Survey, today: datetime.date | None = None) -> None:
    if not is_answerable(survey, today):
        raise IllegalTransition("not_open", _("This survey is not open for answers."))


def _write_answers(response: Response, questions: list[dict], clean: dict[str, Any]) -> None:
    rows = qlib.answer_rows(questions, clean)
    Answer.objects.bulk_create(
        [
            Answer(
                response=response, survey_id=response.survey_id, version_id=response.version_id, question=q, option=option, row=row, number=number, text=text
            )
            for q, option, row, number, text in rows
        ]
    )


@transaction.atomic
def save_draft(survey: Survey, *, actor, data: dict[str, Any], token: str = "", draft_id: Any = None, subject: Any = None) -> Response:
    """Keep what parses of the answers so far; nothing is required yet."""
    _check_open(survey)
    if not may_answer(survey, actor, token=token):
        raise PermissionDenied(_("This survey is not addressed to you."))
    if has_answered(survey, actor):
        raise IllegalTransition("already_answered", _("You have already answered this survey."))
    version = survey.current_version
    clean, _errors = qlib.validate_submission(version.questions, data, partial=True)
    subject_org = _subject(survey, subject, required=False)
    response = own_response(survey, actor, draft_id=draft_id)
    if response is None:
        response = Response(survey=survey, version=version)
        if not survey.anonymous:
            response.user = actor
            response.person = my_person(actor)
    response.version = version
    response.draft = clean
    response.subject = subject_org
    response.save()
    return response


@transaction.atomic
def submit_response(
    survey: Survey, *, actor, data: dict[str, Any], token: str = "", draft_id: Any = None, subject: Any = None, today: datetime.date | None = None
) -> Response | None:
    """Validate against the current version and store; one answer per person. An anonymous
    answer goes to the pool (None is returned: it has no response row yet)."""
    _check_open(survey, today)
    if not may_answer(survey, actor, token=token):
        raise PermissionDenied(_("This survey is not addressed to you."))
    version = survey.current_version
    clean, errors = qlib.validate_submission(version.questions, data)
    if errors:
        raise ValidationFailed(errors)
    subject_org = _subject(survey, subject, required=True)
    if survey.anonymous:
        try:
            with transaction.atomic():
                Receipt.objects.create(digest=receipt_digest(survey.pk, actor.pk), survey=survey)
        except IntegrityError:
            raise IllegalTransition("already_answered", _("You have already answered this survey.")) from None
        draft = own_response(survey, actor, draft_id=draft_id)
        if draft is not None:
            draft.delete()  # the draft's id was handed to the browser
        # Not written as a response now: into the pool, released later in a shuffled batch (kejia.surveys.pool).
        pool.add_to_pool(survey, version=version, clean=clean, subject_id=subject_org.pk if subject_org else None)
        return None
    response = Response.objects.select_for_update().filter(survey=survey, user=actor).first()
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        raise IllegalTransition("already_answered", _("You have already answered this survey."))
    person = my_person(actor)
    if response is None:
        if person is not None and Response.objects.filter(survey=survey, person=person, status=ResponseStatus.SUBMITTED).exists():
            raise IllegalTransition("already_answered", _("You have already answered this survey."))
        response = Response(survey=survey, user=actor, person=person)
    response.version = version
    response.status = ResponseStatus.SUBMITTED
    response.submitted_on = today or timezone.localdate()
    response.draft = {}
    response.subject = subject_org
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise IllegalTransition("already_answered", _("An answer for you has already been entered.")) from None
    _write_answers(response, version.questions, clean)
    record_event(actor=actor, action="survey.answered", obj=survey, organization=survey.organization, new={"response": response.pk, "version": version.number})
    return response


def stations_of(survey: Survey, user) -> list:
    """The survey's stations whose answers the user may enter (a staff role covering the station)."""
    targets = Target.objects.filter(survey=survey, kind=TargetKind.STATION).select_related("organization")
    return [t.organization for t in targets if scope.can_manage(user, t.organization)]


@transaction.atomic
def enter_station_response(
    survey: Survey, *, actor, station, data: dict[str, Any], person=None, subject: Any = None, today: datetime.date | None = None
) -> Response | None:
    """A station's staff enter one respondent's answers (a paper form, an interview). For an
    identified survey they name the person from the talent database; for an anonymous one nobody
    is named and no receipt is kept (the respondent may have no account): the station answers
    for not entering a person twice."""
    _check_open(survey, today)
    if station is None or station.pk not in {s.pk for s in stations_of(survey, actor)}:
        raise PermissionDenied(_("Only the staff of one of the survey's stations enter answers."))
    version = survey.current_version
    clean, errors = qlib.validate_submission(version.questions, data)
    if not survey.anonymous and person is None:
        errors = {"person": [str(_("Choose the person who answers."))], **errors}
    if errors:
        raise ValidationFailed(errors)
    subject_org = _subject(survey, subject, required=True)
    if survey.anonymous:
        pool.add_to_pool(
            survey, version=version, clean=clean, subject_id=subject_org.pk if subject_org else None, channel=Channel.STATION, station_id=station.pk
        )
        record_event(actor=actor, action="survey.station_entry", obj=survey, organization=station, new={"anonymous": True})
        return None
    existing = Response.objects.select_for_update().filter(survey=survey, person=person).first()
    if existing is not None and existing.status == ResponseStatus.SUBMITTED:
        raise IllegalTransition("already_answered", _("This person has already answered the survey."))
    response = existing or Response(survey=survey, person=person, user=person.user if person.user_id else None)
    response.version, response.status, response.submitted_on = version, ResponseStatus.SUBMITTED, today or timezone.localdate()
    response.channel, response.station, response.subject, response.draft = Channel.STATION, station, subject_org, {}
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise IllegalTransition("already_answered", _("This person has already answered the survey.")) from None
    _write_answers(response, version.questions, clean)
    record_event(actor=actor, action="survey.station_entry", obj=survey, organization=station, new={"response": response.pk, "person": person.pk})
    return response


def get_survey_to_answer(pk: Any, user, *, token: str = "") -> Survey:
    """A survey the user may answer (or has answered): NotFound otherwise, so that ids of
    surveys not addressed to the user do not tell whether they exist."""
    survey = Survey.objects.select_related("organization", "current_version").filter(pk=pk).first()
    if survey is None or survey.current_version_id is None or not may_answer(survey, user, token=token):
        raise NotFound()
    return survey
