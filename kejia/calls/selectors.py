"""Reads that depend on who asks. The organization running a call manages it and sees all its
applications; a recommending organization sees the applications of its subtree it recommends;
an applicant sees its own (its organization's subtree, or its own as a person). Anything else is
NotFound, so scope does not leak existence."""

from django.db.models import F, Q, QuerySet

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


# ---- the public announcement (公示) -------------------------------------------------------------

# Announced and not taken out by an upheld objection: the list a 公示 shows, during and after it.
ANNOUNCED = (ApplicationStatus.ANNOUNCED, ApplicationStatus.APPROVED)


def announced_applications(call: Call) -> list[Application]:
    """The results announced for a call (public: title, applying organization, amount), by rank."""
    return list(
        Application.objects.filter(call=call, status__in=ANNOUNCED, announced_until__isnull=False)
        .select_related("applicant", "applicant_user", "project")
        .order_by("rank", "pk")
    )


def call_objections(user, *, call: Call | None = None, open_only: bool = False) -> QuerySet[Objection]:
    """The objections to the applications of the calls the user manages (the owner's staff), the
    unhandled first; the name and contact of who objects are in them, so nobody else sees them."""
    qs = Objection.objects.filter(application__call__in=managed_calls(user).values("pk")).select_related("application", "application__call", "submitted_by")
    if call is not None:
        qs = qs.filter(application__call=call)
    if open_only:
        qs = qs.filter(handled_at__isnull=True)
    return qs.order_by(F("handled_at").asc(nulls_first=True), "received_at", "pk")
