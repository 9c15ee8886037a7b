"""Scoped reads of surveys: staff see the surveys of their organizations (and those below);
a S&T worker sees the surveys addressed to them; station staff the surveys their station collects."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.core.errors import NotFound, PermissionDenied
from kejia.people.selectors import my_person
from kejia.surveys.anonymity import receipt_digest
from kejia.surveys.choices import ResponseStatus, SurveyKind, SurveyStatus, TargetKind
from kejia.surveys.models import Invitation, Question, Receipt, Response, Survey, Target


def visible_surveys(user) -> QuerySet[Survey]:
    return scope.restrict(Survey.objects.select_related("organization", "current_version"), user, "organization__path")


def _checked(obj, user, org, manage: bool):
    if obj is None or not scope.can_view(user, org):
        raise NotFound()
    if manage and not scope.can_manage(user, org):
        raise PermissionDenied()
    return obj


def get_survey_for(user, pk, *, manage: bool = False) -> Survey:
    survey = Survey.objects.select_related("organization", "current_version").filter(pk=pk).first()
    return _checked(survey, user, survey.organization if survey else None, manage)


def get_question_for(user, pk, *, manage: bool = False) -> Question:
    question = Question.objects.select_related("survey__organization").filter(pk=pk).first()
    return _checked(question, user, question.survey.organization if question else None, manage)


def get_target_for(user, pk, *, manage: bool = False) -> Target:
    target = Target.objects.select_related("survey__organization", "organization").filter(pk=pk).first()
    return _checked(target, user, target.survey.organization if target else None, manage)


def surveys_in_scope(user, *, status: str = "", kind: str = "", text: str = "") -> QuerySet[Survey]:
    qs = visible_surveys(user).annotate(submitted=Count("responses", filter=Q(responses__status=ResponseStatus.SUBMITTED)))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(title__icontains=text.strip())
    return qs.order_by("-created_at", "-id")


def _open_now() -> Q:
    today = timezone.localdate()
    return (
        Q(status=SurveyStatus.OPEN, current_version__isnull=False)
        & (Q(opens_on__isnull=True) | Q(opens_on__lte=today))
        & (Q(closes_on__isnull=True) | Q(closes_on__gte=today))
    )


def surveys_waiting_for(user) -> list[Survey]:
    """Open surveys addressed to the user's person (invited through a people or members target)
    that they have not submitted; each with `answer_url`. Used by the online home."""
    person = my_person(user)
    if person is None:
        return []
    invited = Invitation.objects.filter(survey=OuterRef("pk"), person=person)
    submitted = Response.objects.filter(survey=OuterRef("pk"), status=ResponseStatus.SUBMITTED).filter(Q(person=person) | Q(user=user))
    candidates = list(
        Survey.objects.filter(_open_now()).filter(Exists(invited)).exclude(Exists(submitted)).select_related("organization").order_by("closes_on", "-id")
    )
    anonymous = [s for s in candidates if s.anonymous]
    if anonymous:
        digests = {receipt_digest(s.pk, user.pk): s.pk for s in anonymous}
        answered = {digests[d] for d in Receipt.objects.filter(digest__in=list(digests)).values_list("digest", flat=True)}
        candidates = [s for s in candidates if s.pk not in answered]
    for survey in candidates:
        survey.answer_url = survey.get_absolute_url()
    return candidates


def station_surveys(user) -> list[tuple[Survey, list]]:
    """Open surveys collected by stations the user is staff of, with those stations."""
    if not scope.has_any_role(user):
        return []
    targets = Target.objects.filter(kind=TargetKind.STATION, survey__in=Survey.objects.filter(_open_now())).select_related(
        "survey__organization", "organization"
    )
    out: dict[int, tuple[Survey, list]] = {}
    for t in targets:
        if scope.can_manage(user, t.organization):
            out.setdefault(t.survey_id, (t.survey, []))[1].append(t.organization)
    return list(out.values())


def evaluation_surveys(subject_ids: list[int]) -> list[Survey]:
    """Published evaluation surveys evaluating any of these organizations (their results are
    read as aggregates only, by the scope of the organization evaluated)."""
    return list(Survey.objects.filter(kind=SurveyKind.EVALUATION, current_version__isnull=False, subjects__in=subject_ids).distinct().order_by("period", "id"))
