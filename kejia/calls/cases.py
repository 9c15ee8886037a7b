"""The public case library (seed 004 二.3: 凝练宣传试点成果): the deliverables of concluded projects
that the owner's staff publish, for anyone to read without logging in, searchable by the call's
topic and by the region of the organization that ran the project."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.calls import services
from kejia.calls.choices import CallStatus, ProjectStatus
from kejia.calls.models import Call, Deliverable
from kejia.core.audit import record_event
from kejia.core.errors import IllegalTransition, NotFound
from kejia.reference.models import Region, RegionLevel

FRONT_CASES = 3


@transaction.atomic
def publish_deliverable(deliverable: Deliverable, *, actor, public: bool = True, now: datetime.datetime | None = None) -> Deliverable:
    """Put a concluded project's deliverable into the public case library (or take it out), by
    the call owner's staff; audited."""
    deliverable = Deliverable.objects.select_for_update(of=("self",)).select_related("project__call__owner").get(pk=deliverable.pk)
    call = deliverable.project.call
    services.require_owner(call, actor)
    if public and deliverable.project.status != ProjectStatus.CONCLUDED:
        raise IllegalTransition("not_concluded", _("Only the deliverables of a concluded project can be published."))
    if deliverable.public == public:
        return deliverable
    deliverable.public = public
    deliverable.published_at = (now or timezone.now()) if public else None
    deliverable.published_by = actor if public else None
    deliverable.save(update_fields=["public", "published_at", "published_by", "updated_at"])
    record_event(
        actor=actor,
        action="calls.publish_deliverable" if public else "calls.unpublish_deliverable",
        obj=deliverable.project,
        organization=call.owner,
        old={"public": not public},
        new={"deliverable": deliverable.pk, "title": deliverable.title, "public": public},
    )
    return deliverable


def public_cases() -> QuerySet[Deliverable]:
    """Published deliverables of concluded projects of public calls, newest first."""
    return (
        Deliverable.objects.filter(public=True, project__status=ProjectStatus.CONCLUDED, project__call__status__in=[CallStatus.PUBLISHED, CallStatus.CLOSED])
        .select_related("project__call", "project__application__applicant__region", "project__application__applicant_user")
        .order_by("-published_at", "-pk")
    )


def latest_cases(limit: int = FRONT_CASES) -> list[Deliverable]:
    """For the front page: one query."""
    return list(public_cases()[:limit])


def get_public_case(pk: int) -> Deliverable:
    case = public_cases().filter(pk=pk).first()
    if case is None:
        raise NotFound()
    return case


def topic_title(call: Call, code: str) -> str:
    return next((str(t.get("title", "")) for t in call.topics or [] if str(t.get("code")) == str(code)), "")


@dataclass
class CaseSearch:
    cases: list[Deliverable]
    topics: list[str]
    provinces: list[Region]


def search_cases(*, topic: str = "", region: str = "", q: str = "", limit: int = 100) -> CaseSearch:
    """The public cases matching a topic (by its title, across calls), a province (the running
    organization's region) and words in the title or the note. Four queries."""
    qs = public_cases()
    calls = list(Call.objects.filter(projects__deliverables__in=qs.values("pk")).distinct().only("pk", "topics"))
    topics = sorted({str(t.get("title", "")) for c in calls for t in c.topics or [] if t.get("title")})
    if topic:
        match = Q(pk__in=[])
        for call in calls:
            codes = [str(t.get("code")) for t in call.topics or [] if str(t.get("title", "")) == topic]
            if codes:
                match |= Q(project__call=call, project__application__topic__in=codes)
        qs = qs.filter(match)
    if region:
        picked = Region.objects.filter(code=region).first()
        qs = qs.filter(project__application__applicant__region__path__startswith=picked.path) if picked else qs.none()
    if q.strip():
        words = q.strip()[:100]
        qs = qs.filter(Q(title__icontains=words) | Q(note__icontains=words) | Q(project__application__title__icontains=words))
    provinces = list(Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code"))
    return CaseSearch(cases=list(qs[:limit]), topics=topics, provinces=provinces)
