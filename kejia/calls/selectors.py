"""Reads that depend on who asks. The organization running a call manages it and sees all its
applications; a recommending organization sees the applications of its subtree it recommends;
an applicant sees its own (its organization's subtree, or its own as a person). Anything else is
NotFound, so scope does not leak existence."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.calls.choices import ApplicationStatus, CallStatus
from kejia.calls.models import Application, Call, Objection, Project
from kejia.core.errors import NotFound


def visible_calls(user) -> QuerySet[Call]:
    """Published and closed calls are public; drafts only to the owner's staff."""
    qs = Call.objects.select_related("owner")
    public = Q(status__in=[CallStatus.PUBLISHED, CallStatus.CLOSED])
    managed = scope.scope_q(user, "owner__path", scope.MANAGE_KINDS)
    if managed is None:
        return qs
    return qs.filter(public | managed)


def managed_calls(user) -> QuerySet[Call]:
    return scope.restrict(Call.objects.select_related("owner"), user, "owner__path", scope.MANAGE_KINDS)


def get_call(call_id: int, user) -> Call:
    call = visible_calls(user).filter(pk=call_id).first()
    if call is None:
        raise NotFound()
    return call


def _application_q(user) -> Q | None:
    owner = scope.scope_q(user, "call__owner__path", scope.MANAGE_KINDS)
    if owner is None:
        return None
    submitted = ~Q(status=ApplicationStatus.DRAFT)
    recommender = scope.scope_q(user, "recommender_path", scope.MANAGE_KINDS)
    q = (owner & submitted) | (recommender & submitted)
    if getattr(user, "pk", None):
        # an applicant's own: the organizations the user holds a role in (not those below), or as a person
        q |= Q(applicant__in=Role.objects.filter(user=user).values("organization")) | Q(applicant_user=user)
    return q


def visible_applications(user, *, call: Call | None = None) -> QuerySet[Application]:
    qs = Application.objects.select_related("call", "call__owner", "applicant", "recommender")
    if call is not None:
        qs = qs.filter(call=call)
    q = _application_q(user)
    return qs if q is None else qs.filter(q)


def get_application(application_id: int, user) -> Application:
    application = visible_applications(user).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    return application


def visible_projects(user) -> QuerySet[Project]:
    q = _application_q(user)
    qs = Project.objects.select_related("call", "application", "application__applicant")
    if q is None:
        return qs
    return qs.filter(application__in=Application.objects.filter(q).values("pk"))


def my_applications(user) -> QuerySet[Application]:
    """The applications the user makes: in the organizations where they hold a role (not those
    below them), or their own as a person; drafts included."""
    if not getattr(user, "pk", None):
        return Application.objects.none()
    own = Q(applicant__in=Role.objects.filter(user=user, kind__in=scope.MANAGE_KINDS).values("organization")) | Q(applicant_user=user)
    return Application.objects.select_related("call", "applicant").filter(own)


def recommendation_queue(user) -> QuerySet[Application]:
    """Submitted applications waiting for a recommending organization the user manages."""
    qs = Application.objects.select_related("call", "applicant", "recommender").filter(status=ApplicationStatus.SUBMITTED, recommender__isnull=False)
    return scope.restrict(qs, user, "recommender_path", scope.MANAGE_KINDS)


def open_calls(*, limit: int = 5) -> list[Call]:
    """Published calls whose deadline has not passed, the soonest first (one query)."""
    return list(Call.objects.select_related("owner").filter(status=CallStatus.PUBLISHED, deadline__gt=timezone.now()).order_by("deadline", "pk")[:limit])


def get_project(project_id: int, user) -> Project:
    project = visible_projects(user).select_related("call__owner", "application__recommender").filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project


def get_objection(objection_id: int, user) -> Objection:
    """An objection, through the application it is about (NotFound outside the caller's scope)."""
    objection = Objection.objects.filter(pk=objection_id, application__in=visible_applications(user).values("pk")).select_related("application").first()
    if objection is None:
        raise NotFound()
    return objection
