"""Public reads for "find an association near me" and an association's public page (seed 002
§(20): "let S&T workers find the association online and take part in its activities").

Public means: active organizations only, and only what an organization shows the world — name,
kind, region, address, website, introduction, disciplines, public-facing children and public
events. Never its staff, roles, people, credit code, staffing or party-organization data.

The reads of other apps (events, volunteer hours, voice, surveys, memberships, people) go
through their selectors."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from kejia.activities import selectors as activities
from kejia.activities.choices import EventStatus
from kejia.core.errors import NotFound
from kejia.memberships import selectors as memberships
from kejia.organizations.kinds import SOCIETY_KINDS, TERRITORIAL_LEVEL, OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.people import selectors as people
from kejia.reference.models import Discipline, Region
from kejia.surveys import selectors as surveys
from kejia.voice import selectors as voice
from kejia.volunteering import selectors as volunteering

# Territorial associations: the chain from the national association down to the township one.
TERRITORIAL_KINDS = frozenset(TERRITORIAL_LEVEL)
# Bodies below the county association that a worker of a division can walk into: township and
# community associations, associations of enterprises, parks, universities and institutes, rural
# technical associations, volunteer teams and stations.
GRASSROOTS_KINDS = frozenset({
    OrgKind.TOWNSHIP_ASSOCIATION, OrgKind.COMMUNITY_ASSOCIATION, OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.PARK_ASSOCIATION,
    OrgKind.UNIVERSITY_ASSOCIATION, OrgKind.INSTITUTE_ASSOCIATION, OrgKind.RURAL_TECH_ASSOCIATION, OrgKind.VOLUNTEER_TEAM,
    OrgKind.SURVEY_STATION, OrgKind.SERVICE_STATION, OrgKind.EXPERT_WORKSTATION,
})
SOCIETIES_SHOWN = 30
GRASSROOTS_SHOWN = 40
CHILDREN_SHOWN = 60
EVENTS_PER_ORG = 3
EVENTS_ON_PAGE = 10
ANSWERS_SHOWN = 5


def public_organizations() -> QuerySet[Organization]:
    """Every organization with a public face: the active ones."""
    return Organization.objects.filter(status=OrgStatus.ACTIVE)


def get_public_organization(pk) -> Organization:
    """An active organization by id, for its public page; anything else (dissolved, dormant,
    exiting, unknown) is a 404."""
    org = (public_organizations().select_related("region", "parent")
           .prefetch_related(Prefetch("disciplines", queryset=Discipline.objects.order_by("code"))).filter(pk=pk).first())
    if org is None:
        raise NotFound()
    return org


def region_chain(region: Region) -> list[Region]:
    """The division and its ancestors, province first (one query: the path's prefixes)."""
    step = len(Region.path_segment(""))
    prefixes = [region.path[:i] for i in range(step, len(region.path) + 1, step)]
    return list(Region.objects.filter(path__in=prefixes).order_by("level"))


def discipline_q(discipline: Discipline, prefix: str = "") -> Q:
    """Tagged with the discipline or one below it (GB/T 13745 codes extend their parent's)."""
    return Q(**{f"{prefix}disciplines__code__startswith": discipline.code})


@dataclass
class Finding:
    """What "find an association near me" shows for a division and/or a discipline."""

    region: Region | None = None
    discipline: Discipline | None = None
    chain: list[Organization] = field(default_factory=list)
    societies: list[Organization] = field(default_factory=list)
    societies_total: int = 0
    grassroots: list[Organization] = field(default_factory=list)
    grassroots_total: int = 0
    events: dict[int, list] = field(default_factory=dict)

    @property
    def searched(self) -> bool:
        return self.region is not None or self.discipline is not None

    @property
    def organizations(self) -> list[Organization]:
        return [*self.chain, *self.societies, *self.grassroots]

    def events_of(self, org: Organization) -> list:
        return self.events.get(org.pk, [])


def _shown(qs: QuerySet[Organization], limit: int) -> tuple[list[Organization], int]:
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], qs.count()


def find_associations(*, region: Region | None = None, discipline: Discipline | None = None) -> Finding:
    """The territorial associations of the division's chain (the township's, the county's above
    it, the city's, the province's), the learned societies of the discipline (located in that
    chain or inside the division, or national ones, when a division is given), and the grassroots
    bodies inside the division; each with its upcoming public events, read in one query."""
    found = Finding(region=region, discipline=discipline)
    if not found.searched:
        return found
    base = public_organizations().select_related("region")
    chain_codes: list[str] = []
    if region is not None:
        chain_codes = [r.code for r in region_chain(region)]
        found.chain = list(base.filter(Q(kind__in=TERRITORIAL_KINDS, region_id__in=chain_codes)
                                       | Q(kind=OrgKind.NATIONAL_ASSOCIATION)).order_by("depth", "path"))
        grassroots = (base.filter(kind__in=GRASSROOTS_KINDS, region__path__descends=region.path)
                      .exclude(pk__in=[o.pk for o in found.chain]).order_by("path"))
        found.grassroots, found.grassroots_total = _shown(grassroots, GRASSROOTS_SHOWN)
    societies = base.filter(kind__in=SOCIETY_KINDS)
    if discipline is not None:
        matching = Organization.objects.filter(discipline_q(discipline)).values("pk")
        societies = societies.filter(pk__in=matching)
    if region is not None:
        societies = societies.filter(Q(region_id__in=chain_codes) | Q(region__path__descends=region.path) | Q(region__isnull=True))
    found.societies, found.societies_total = _shown(societies.order_by("depth", "name"), SOCIETIES_SHOWN)
    found.events = upcoming_events_by_organization(found.organizations, per_org=EVENTS_PER_ORG)
    return found


def upcoming_events_by_organization(orgs: Iterable[Organization], *, per_org: int) -> dict[int, list]:
    """The `per_org` soonest upcoming public events of each organization (one query: events
    numbered per organization by start, the first `per_org` of each kept), so an organization
    with many events does not crowd out the others' (a province association with hundreds of
    events would otherwise fill a shared limit alone)."""
    pks = [org.pk for org in orgs]
    if not pks:
        return {}
    soonest = (F("starts_at").asc(), F("id").asc())
    # The filter of activities.upcoming_public_events (published, not yet started), which limits
    # the whole list rather than each organization's part of it.
    events = (activities.public_events().filter(status=EventStatus.PUBLISHED, starts_at__gte=timezone.now(), organization__in=pks)
              .annotate(rank_in_org=Window(RowNumber(), partition_by=F("organization_id"), order_by=soonest))
              .filter(rank_in_org__lte=per_org).order_by(*soonest))
    grouped: dict[int, list] = defaultdict(list)
    for event in events:
        grouped[event.organization_id].append(event)
    return dict(grouped)


@dataclass
class PublicPage:
    """An association's public page."""

    org: Organization
    parent: Organization | None
    disciplines: list[Discipline]
    children: list[Organization]
    children_total: int
    events: list
    volunteers: object | None = None  # kejia.volunteering.selectors.Totals
    answers: list = field(default_factory=list)


def public_page(org: Organization) -> PublicPage:
    """What anyone may read about an active organization."""
    parent = org.parent if org.parent_id and org.parent.status == OrgStatus.ACTIVE else None
    children, total = _shown(public_organizations().filter(parent=org).select_related("region").order_by("kind", "name"),
                             CHILDREN_SHOWN)
    return PublicPage(
        org=org, parent=parent, disciplines=list(org.disciplines.all()), children=children, children_total=total,
        events=list(activities.upcoming_public_events(organizations=[org], limit=EVENTS_ON_PAGE)),
        volunteers=_volunteer_totals(org), answers=_public_answers(org),
    )


def _volunteer_totals(org: Organization):
    """Volunteer teams, services and hours of the organization's subtree; None when it has no team."""
    totals = volunteering.subtree_totals(org)
    return totals if totals.teams else None


def _public_answers(org: Organization) -> list:
    """Questions sent to the organization (or handled by it) that were answered in public."""
    return list(voice.public_items().filter(Q(organization=org) | Q(origin=org))[:ANSWERS_SHOWN])


# ---- The S&T worker's online home ------------------------------------------------------------

MEMBERSHIPS_SHOWN = 10
EVENTS_SHOWN = 10
SERVICES_SHOWN = 5
VOICE_SHOWN = 10
SURVEYS_SHOWN = 10
RECOMMENDED_SHOWN = 6


@dataclass
class WorkerHome:
    """The sections of /me/. Without a linked profile only the memberships and what the account
    itself sent or was asked are read; the rest needs the Person."""

    person: object | None
    memberships: list
    registrations: list
    volunteer_hours: object
    services: list
    voice_items: list
    surveys: list
    recommended: list


def worker_home(user) -> WorkerHome:
    """Everything of the signed-in user's own, each section bounded."""
    person = people.my_person(user)
    return WorkerHome(
        person=person,
        memberships=list(memberships.my_memberships(user)[:MEMBERSHIPS_SHOWN]),
        registrations=list(activities.events_of_user(user)[:EVENTS_SHOWN]),
        volunteer_hours=volunteering.hours_of_person(person) if person else Decimal("0.00"),
        services=list(volunteering.services_of_person(person)[:SERVICES_SHOWN]) if person else [],
        voice_items=list(voice.items_of_sender(user)[:VOICE_SHOWN]),
        surveys=list(surveys.surveys_waiting_for(user)[:SURVEYS_SHOWN]),
        recommended=list(activities.recommended_events(person, limit=RECOMMENDED_SHOWN)) if person else [],
    )


# ---- The public front page -------------------------------------------------------------------

FRONT_EVENTS = 6
FRONT_ANSWERS = 4


@dataclass
class FrontPage:
    """What a visitor who is not logged in sees at /: public events and public answers only."""

    events: list
    answers: list


def front_page() -> FrontPage:
    """The soonest public events of any organization and the latest questions answered in
    public (only those whose sender allowed it). Three queries."""
    return FrontPage(
        events=list(activities.upcoming_public_events(limit=FRONT_EVENTS)),
        answers=list(voice.public_items()[:FRONT_ANSWERS]),
    )
