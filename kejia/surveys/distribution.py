"""Distribution and tracking: targets (people filtered from the talent database, the people an
organization lists, survey stations, open links), the invitations they produce, the response
rate, non-respondents and reminders (once a day at most per person)."""

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition
from kejia.core.notify import notify
from kejia.core.text import whole_number
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import Membership
from kejia.organizations.kinds import OrgKind
from kejia.organizations.models import Organization
from kejia.people.choices import PersonStatus, TitleLevel
from kejia.people.models import Listing, Person
from kejia.reference.choices import Sector
from kejia.reference.selectors import get_region
from kejia.surveys import pool
from kejia.surveys.anonymity import receipt_digest
from kejia.surveys.choices import ResponseStatus, SurveyStatus, TargetKind
from kejia.surveys.models import Invitation, Receipt, Response, Survey, Target
from kejia.surveys.workflow import require_manager

FILTER_KEYS = ("region", "sector", "title_level", "age_min", "age_max", "discipline", "organization")
BATCH = 2000


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def clean_filters(survey: Survey, actor, raw: dict[str, Any] | None) -> dict[str, Any]:
    """The filters of a people target, checked; the organization listing the people must be in
    the actor's scope."""
    raw = {k: v for k, v in (raw or {}).items() if v not in (None, "")}
    unknown = set(raw) - set(FILTER_KEYS)
    if unknown:
        raise DomainError("invalid_filter", _("Unknown filter."), field=sorted(unknown)[0])
    out: dict[str, Any] = {}
    if "region" in raw:
        if get_region(str(raw["region"])) is None:
            raise DomainError("unknown_region", _("No region has this division code."), field="region")
        out["region"] = str(raw["region"]).strip()
    if "sector" in raw:
        if raw["sector"] not in Sector.values:
            raise DomainError("invalid", _("Choose a sector from the list."), field="sector")
        out["sector"] = raw["sector"]
    if "title_level" in raw:
        if raw["title_level"] not in TitleLevel.values:
            raise DomainError("invalid", _("Choose a title level from the list."), field="title_level")
        out["title_level"] = raw["title_level"]
    for key in ("age_min", "age_max"):
        if key in raw:
            try:
                out[key] = int(raw[key])
            except (TypeError, ValueError):
                raise DomainError("invalid", _("Enter a whole number."), field=key) from None
            if not 16 <= out[key] <= 100:
                raise DomainError("invalid", _("An age from 16 to 100."), field=key)
    if "age_min" in out and "age_max" in out and out["age_min"] > out["age_max"]:
        raise DomainError("invalid", _("The lowest age is above the highest."), field="age_max")
    if "discipline" in raw:
        out["discipline"] = str(raw["discipline"]).strip()[:8]
    if "organization" in raw:
        org = _org(actor, raw["organization"], "organization")
        if not org.path.startswith(survey.organization.path):
            raise DomainError("unknown_organization", _("Choose an organization below the survey's organization."), field="organization")
        out["organization"] = org.pk
    return out


def _org(actor, value: Any, field: str) -> Organization:
    org = None
    if isinstance(value, Organization):
        org = value
    elif (pk := whole_number(value)) is not None:
        org = Organization.objects.filter(pk=pk).first()
    else:
        org = Organization.objects.filter(code=str(value).strip()).first()
    if org is None or not scope.can_view(actor, org):
        raise DomainError("unknown_organization", _("No organization with this id or code in your scope."), field=field)
    return org


def people_matching(survey: Survey, filters: dict[str, Any], *, today: datetime.date | None = None) -> QuerySet[Person]:
    """Active people listed in the survey organization's subtree, narrowed by the filters."""
    today = today or timezone.localdate()
    listed = Listing.objects.filter(person=OuterRef("pk"), organization__path__descends=survey.organization.path)
    qs = Person.objects.filter(status=PersonStatus.ACTIVE).filter(Exists(listed))
    if "region" in filters:
        region = get_region(filters["region"])
        if region is not None:
            qs = qs.filter(region__path__descends=region.path)
    if "sector" in filters:
        qs = qs.filter(sector=filters["sector"])
    if "title_level" in filters:
        qs = qs.filter(title_level=filters["title_level"])
    if "age_min" in filters:
        qs = qs.filter(birth_date__lte=_years_before(today, filters["age_min"]))
    if "age_max" in filters:
        qs = qs.filter(birth_date__gt=_years_before(today, filters["age_max"] + 1))
    if "discipline" in filters:
        through = Person.disciplines.through
        qs = qs.filter(Exists(through.objects.filter(person_id=OuterRef("pk"), discipline__code__startswith=filters["discipline"])))
    if "organization" in filters:
        org = Organization.objects.filter(pk=filters["organization"]).first()
        if org is not None:
            qs = qs.filter(Exists(Listing.objects.filter(person=OuterRef("pk"), organization__path__descends=org.path)))
    return qs


def members_of(org: Organization) -> QuerySet[Person]:
    """The people an organization lists, and its active members."""
    listed = Listing.objects.filter(person=OuterRef("pk"), organization=org)
    member = Membership.objects.filter(person=OuterRef("pk"), society=org, status=MembershipStatus.ACTIVE)
    return Person.objects.filter(status=PersonStatus.ACTIVE).filter(Exists(listed) | Exists(member))


def target_people(target: Target, *, today: datetime.date | None = None) -> QuerySet[Person] | None:
    if target.kind == TargetKind.PEOPLE:
        return people_matching(target.survey, target.filters, today=today)
    if target.kind == TargetKind.MEMBERS:
        return members_of(target.organization)
    return None


@transaction.atomic
def add_target(survey: Survey, *, actor, kind: str, organization: Any = None, filters: dict | None = None, today: datetime.date | None = None) -> Target:
    require_manager(survey, actor)
    if survey.status == SurveyStatus.CLOSED:
        raise IllegalTransition("closed", _("The survey is closed."))
    if kind not in TargetKind.values:
        raise DomainError("invalid_kind", _("Choose how to distribute the survey."), field="kind")
    target = Target(survey=survey, kind=kind)
    if kind == TargetKind.PEOPLE:
        target.filters = clean_filters(survey, actor, filters)
    elif kind == TargetKind.MEMBERS:
        if organization in (None, ""):
            raise DomainError("required", _("Choose the organization whose people are asked."), field="organization")
        org = _org(actor, organization, "organization")
        if not org.path.startswith(survey.organization.path):
            raise DomainError("unknown_organization", _("Choose an organization below the survey's organization."), field="organization")
        target.organization = org
    elif kind == TargetKind.STATION:
        if organization in (None, ""):
            raise DomainError("required", _("Choose the survey station."), field="organization")
        org = _org(actor, organization, "organization")
        if org.kind != OrgKind.SURVEY_STATION:
            raise DomainError("not_a_station", _("This organization is not a survey station."), field="organization")
        if Target.objects.filter(survey=survey, kind=kind, organization=org).exists():
            raise DomainError("duplicate", _("This station already collects answers to the survey."), field="organization")
        target.organization = org
    else:
        target.token = secrets.token_urlsafe(16)
    target.save()
    record_event(
        actor=actor,
        action="survey.target_added",
        obj=survey,
        organization=survey.organization,
        new={"target": target.pk, "kind": kind, "organization": target.organization_id, "filters": target.filters},
    )
    if survey.status == SurveyStatus.OPEN and kind in (TargetKind.PEOPLE, TargetKind.MEMBERS):
        _invite(target, today=today)
    return target


def _invite(target: Target, *, today: datetime.date | None = None) -> int:
    """Invitations for the target's people (those already invited keep theirs); notices to
    those with an account."""
    today = today or timezone.localdate()
    people = target_people(target, today=today)
    if people is None:
        return 0
    survey = target.survey
    already = Invitation.objects.filter(survey=survey, person=OuterRef("pk"))
    fresh = list(people.exclude(Exists(already)).values_list("pk", "user_id"))
    for start in range(0, len(fresh), BATCH):
        Invitation.objects.bulk_create(
            [Invitation(survey=survey, person_id=pk, target=target, invited_on=today) for pk, _user in fresh[start : start + BATCH]], ignore_conflicts=True
        )
    target.invited = people.count()
    target.save(update_fields=["invited", "updated_at"])
    link = reverse("surveys:answer", args=[survey.pk])
    for _pk, user_id in fresh:
        if user_id:
            notify(
                kind="survey.invitation",
                subject=_("Survey: %(title)s") % {"title": survey.title},
                body=str(_("%(org)s asks for your answers.")) % {"org": survey.organization.name},
                user=_user(user_id),
                link=link,
            )
    return len(fresh)


def _user(pk: int):
    from kejia.accounts.models import User

    return User(pk=pk)


def refresh_invitations(survey: Survey, *, actor, today: datetime.date | None = None) -> int:
    """Invite the people the targets match now (new members, people added since)."""
    require_manager(survey, actor)
    made = 0
    with transaction.atomic():
        for target in survey.targets.filter(kind__in=(TargetKind.PEOPLE, TargetKind.MEMBERS)).select_related("organization", "survey"):
            made += _invite(target, today=today)
        if made:
            record_event(actor=actor, action="survey.invited", obj=survey, organization=survey.organization, new={"invited": made})
    return made


@transaction.atomic
def remove_target(target: Target, *, actor) -> None:
    survey = target.survey
    require_manager(survey, actor)
    Invitation.objects.filter(target=target).delete()
    pk, kind = target.pk, target.kind
    target.delete()
    record_event(actor=actor, action="survey.target_removed", obj=survey, organization=survey.organization, old={"target": pk, "kind": kind})


# ---- Tracking ----------------------------------------------------------------------------------


def _answered_users(survey: Survey, user_ids: list[int]) -> set[int]:
    """Which of these users hold a receipt of the anonymous survey (whether, never what)."""
    digests = {receipt_digest(survey.pk, uid): uid for uid in user_ids}
    found = set()
    keys = list(digests)
    for start in range(0, len(keys), BATCH):
        found.update(Receipt.objects.filter(survey=survey, digest__in=keys[start : start + BATCH]).values_list("digest", flat=True))
    return {digests[d] for d in found}


def responded_q(survey: Survey):
    return Exists(Response.objects.filter(survey=survey, person=OuterRef("person"), status=ResponseStatus.SUBMITTED))


def non_respondents(survey: Survey) -> QuerySet[Invitation]:
    """Invited people who have not submitted (identified surveys only: an anonymous survey
    shows no names)."""
    qs = Invitation.objects.filter(survey=survey).select_related("person", "person__region")
    if survey.anonymous:
        return qs.none()
    return qs.exclude(responded_q(survey)).order_by("person__name", "person_id")


def tracking(survey: Survey) -> dict[str, Any]:
    invited = Invitation.objects.filter(survey=survey).count()
    submitted = Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).count()
    drafts = Response.objects.filter(survey=survey, status=ResponseStatus.DRAFT).count()
    if survey.anonymous:
        users = list(Invitation.objects.filter(survey=survey, person__user__isnull=False).values_list("person__user_id", flat=True))
        answered = len(_answered_users(survey, users))
    else:
        answered = Invitation.objects.filter(survey=survey).filter(responded_q(survey)).count()
    by_channel = dict(
        Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED).values("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    waiting = pool.waiting(survey) if survey.anonymous else 0  # submitted, written with the next batch
    return {
        "invited": invited,
        "answered": answered,
        "submitted": submitted + waiting,
        "waiting": waiting,
        "drafts": drafts,
        "rate": round(answered * 100.0 / invited, 1) if invited else None,
        "by_channel": by_channel,
        "reminded_today": Invitation.objects.filter(survey=survey, reminded_on=timezone.localdate()).count(),
    }


@transaction.atomic
def send_reminders(survey: Survey, *, actor, today: datetime.date | None = None) -> int:
    """Remind the invited who have not answered and have an account, at most once a day each.
    For an anonymous survey the receipts tell who has answered; staff see only the count."""
    require_manager(survey, actor)
    if survey.status != SurveyStatus.OPEN:
        raise IllegalTransition("not_open", _("Reminders are sent while the survey is open."))
    today = today or timezone.localdate()
    pending = Invitation.objects.filter(survey=survey, person__user__isnull=False).exclude(reminded_on=today)
    if not survey.anonymous:
        pending = pending.exclude(responded_q(survey))
    rows = list(pending.values_list("pk", "person__user_id"))
    if survey.anonymous:
        answered = _answered_users(survey, [uid for _pk, uid in rows])
        rows = [(pk, uid) for pk, uid in rows if uid not in answered]
    link = reverse("surveys:answer", args=[survey.pk])
    for _pk, user_id in rows:
        notify(
            kind="survey.reminder",
            subject=_("Reminder: %(title)s") % {"title": survey.title},
            body=str(_("You have not answered this survey yet."))
            + (str(_(" It closes on %(date)s.")) % {"date": survey.closes_on} if survey.closes_on else ""),
            user=_user(user_id),
            link=link,
        )
    ids = [pk for pk, _uid in rows]
    for start in range(0, len(ids), BATCH):
        Invitation.objects.filter(pk__in=ids[start : start + BATCH]).update(reminded_on=today)
    if rows:
        record_event(actor=actor, action="survey.reminded", obj=survey, organization=survey.organization, new={"reminded": len(rows)})
    return len(rows)
