"""Reads that depend on who asks. The organization running a call manages it and sees all its
applications; a recommending organization sees the applications of its subtree it recommends;
an applicant sees its own (its organization's subtree, or its own as a person). Anything else is
NotFound, so scope does not leak existence."""

import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.calls.choices import ApplicationStatus, CallStatus, Eligibility
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


def announced_applications(call: Call) -> QuerySet[Application]:
    """The results announced for a call (public: title, applying organization, amount), by rank."""
    return (
        Application.objects.filter(call=call, status__in=ANNOUNCED, announced_until__isnull=False)
        .select_related("call", "call__owner", "applicant", "applicant_user", "recommender", "project")
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


def soonest_open_calls(*, limit: int = 5) -> list[Call]:
    """Published calls whose deadline has not passed, the soonest first (one query)."""
    return list(Call.objects.select_related("owner").filter(status=CallStatus.PUBLISHED, deadline__gt=timezone.now()).order_by("deadline", "pk")[:limit])


def get_project(project_id: int, user) -> Project:
    project = visible_projects(user).select_related("call__owner", "application__recommender").filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project


def application_for_objection(application_id: int, user) -> Application:
    """An announced application is public; any other is found only in the user's scope (its
    state is then refused by the service)."""
    announced = Application.objects.select_related("call", "call__owner", "applicant").filter(pk=application_id, status=ApplicationStatus.ANNOUNCED).first()
    return announced or get_application(application_id, user)


def objection_of(objection_id: int, user) -> Objection:
    """An objection, for those who see its application (the service lets only the owner handle it)."""
    objection = Objection.objects.filter(pk=objection_id, application__in=visible_applications(user).values("pk")).select_related("application").first()
    if objection is None:
        raise NotFound()
    return objection


def open_calls(user, *, now: datetime.datetime | None = None) -> list[dict]:
    """The published calls still before their deadline that the user may apply to: as a person
    (calls open to individuals) or for an organization in which the user holds a managing role
    whose kind the call admits. Each with `apply_as` (those organizations) and `individual`."""
    if not getattr(user, "is_authenticated", False):
        return []
    calls = list(Call.objects.select_related("owner").filter(status=CallStatus.PUBLISHED, deadline__gt=now or timezone.now()).order_by("deadline", "pk"))
    orgs = [r.organization for r in Role.objects.filter(user=user, kind__in=scope.MANAGE_KINDS).select_related("organization").order_by("organization__path")]
    orgs = list({o.pk: o for o in orgs}.values())
    out = []
    for call in calls:
        if call.eligibility == Eligibility.INDIVIDUALS:
            out.append({"call": call, "apply_as": [], "individual": True})
            continue
        fits = [o for o in orgs if not call.applicant_kinds or o.kind in call.applicant_kinds]
        if fits or scope.is_unrestricted(user):
            out.append({"call": call, "apply_as": fits, "individual": False})
    return out
