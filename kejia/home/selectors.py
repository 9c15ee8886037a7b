"""Public reads for "find an association near me" and an association's public page (seed 002
§(20): "let S&T workers find the association online and take part in its activities").

Public means: active organizations only, and only what an organization shows the world — name,
kind, region, address, website, introduction, disciplines, public-facing children and public
events. Never its staff, roles, people, credit code, staffing or party-organization data.

The reads of other apps (events, volunteer hours, voice, surveys, memberships, people) go
through their selectors."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext

from kejia.accounts import scope
from kejia.activities import selectors as activities
from kejia.activities.choices import EventStatus
from kejia.calls import cases as calls_cases
from kejia.calls import selectors as calls
from kejia.core.errors import NotFound
from kejia.governance import selectors as governance
from kejia.governance.choices import Measure
from kejia.grassroots import selectors as grassroots
from kejia.imports import selectors as imports
from kejia.memberships import selectors as memberships
from kejia.organizations import selectors as organizations
from kejia.organizations.kinds import SOCIETY_KINDS, TERRITORIAL_LEVEL, OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.people import review_selectors as review
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
GRASSROOTS_KINDS = frozenset(
    {
        OrgKind.TOWNSHIP_ASSOCIATION,
        OrgKind.COMMUNITY_ASSOCIATION,
        OrgKind.ENTERPRISE_ASSOCIATION,
        OrgKind.PARK_ASSOCIATION,
        OrgKind.UNIVERSITY_ASSOCIATION,
        OrgKind.INSTITUTE_ASSOCIATION,
        OrgKind.RURAL_TECH_ASSOCIATION,
        OrgKind.VOLUNTEER_TEAM,
        OrgKind.SURVEY_STATION,
        OrgKind.SERVICE_STATION,
        OrgKind.EXPERT_WORKSTATION,
    }
)
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
    org = (
        public_organizations()
        .select_related("region", "parent")
        .prefetch_related(Prefetch("disciplines", queryset=Discipline.objects.order_by("code")))
        .filter(pk=pk)
        .first()
    )
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
        found.chain = list(
            base.filter(Q(kind__in=TERRITORIAL_KINDS, region_id__in=chain_codes) | Q(kind=OrgKind.NATIONAL_ASSOCIATION)).order_by("depth", "path")
        )
        grassroots = base.filter(kind__in=GRASSROOTS_KINDS, region__path__descends=region.path).exclude(pk__in=[o.pk for o in found.chain]).order_by("path")
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
    events = (
        activities.public_events()
        .filter(status=EventStatus.PUBLISHED, starts_at__gte=timezone.now(), organization__in=pks)
        .annotate(rank_in_org=Window(RowNumber(), partition_by=F("organization_id"), order_by=soonest))
        .filter(rank_in_org__lte=per_org)
        .order_by(*soonest)
    )
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
    children, total = _shown(public_organizations().filter(parent=org).select_related("region").order_by("kind", "name"), CHILDREN_SHOWN)
    return PublicPage(
        org=org,
        parent=parent,
        disciplines=list(org.disciplines.all()),
        children=children,
        children_total=total,
        events=list(activities.upcoming_public_events(organizations=[org], limit=EVENTS_ON_PAGE)),
        volunteers=_volunteer_totals(org),
        answers=_public_answers(org),
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
OPEN_CALLS_SHOWN = 5


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
    open_calls: list = field(default_factory=list)


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
        open_calls=calls.soonest_open_calls(limit=OPEN_CALLS_SHOWN),
    )


def open_calls() -> list:
    """The calls for projects open now, for the dashboard's block (one query)."""
    return calls.soonest_open_calls(limit=OPEN_CALLS_SHOWN)


# ---- A staff member's to-do (the dashboard at /, and GET /api/me/home) --------------------------
#
# What waits for the user across the modules, read through each module's own selector (the scope
# rule is theirs): applications, filings and possible duplicates to decide, suggestions and appeals
# due or overdue, leadership terms ending and bodies failing a rule, this week's events, imports
# with bad rows, key-staff targets not met. Only what the user's roles can act on: the staff and
# administrators' sections need a staff or administrator role; a leader gets the questions to answer
# (any role answers) and their own contact duties. Each section reads its first rows with its totals
# in one query (`_counted`): a fixed number of queries whatever the data.

TODO_ROWS = 5
VOICE_WITHIN_DAYS = 7
TERMS_WITHIN_DAYS = 90
EVENTS_WITHIN_DAYS = 7
IMPORTS_WITHIN_DAYS = 30
CONTACT_MONTHS = 6


@dataclass
class TodoItem:
    """One thing to do. `due_on`: its deadline (an answer, a term's end) or the day it happens (an
    event: `happens` is set); `since`: the day it started waiting (an application, a filing)."""

    title: str
    url: str
    detail: str = ""
    today: datetime.date | None = None
    due_on: datetime.date | None = None
    since: datetime.date | None = None
    happens: bool = False
    note: str = ""

    @property
    def days_left(self) -> int | None:
        return None if self.due_on is None else (self.due_on - self.today).days

    @property
    def waiting_days(self) -> int | None:
        return None if self.since is None else max(0, (self.today - self.since).days)

    @property
    def overdue(self) -> bool:
        return not self.happens and self.days_left is not None and self.days_left < 0

    @property
    def when(self) -> str:
        """How urgent, in words: "3 days overdue", "due today", "2 days left", "today", "in 2
        days", "waiting 5 days" (or the item's own note)."""
        if self.note:
            return self.note
        n = self.days_left
        if n is not None and self.happens:
            return gettext("today") if n <= 0 else ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
        if n is not None:
            if n < 0:
                return ngettext("%(n)d day overdue", "%(n)d days overdue", -n) % {"n": -n}
            return gettext("due today") if n == 0 else ngettext("%(n)d day left", "%(n)d days left", n) % {"n": n}
        w = self.waiting_days
        if w is not None:
            return gettext("waiting since today") if w == 0 else ngettext("waiting %(n)d day", "waiting %(n)d days", w) % {"n": w}
        return ""


@dataclass
class TodoSection:
    key: str
    label: str
    count: int
    url: str
    items: list[TodoItem]
    overdue: int = 0


@dataclass
class TodoGroup:
    """The sections of one module, with the total and the most urgent deadline among its rows."""

    key: str
    label: str
    sections: list[TodoSection]

    @property
    def count(self) -> int:
        return sum(s.count for s in self.sections)

    @property
    def overdue(self) -> int:
        return sum(s.overdue for s in self.sections)

    @property
    def urgency(self) -> int | None:
        days = [i.days_left for s in self.sections for i in s.items if i.days_left is not None]
        return min(days) if days else None


@dataclass
class StaffTodo:
    groups: list[TodoGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.groups)


def _date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def _counted(qs: QuerySet, rows: int = TODO_ROWS, *, late: Q | None = None) -> tuple[int, int, list]:
    """The number of rows of `qs`, of those matching `late`, and its first `rows` rows, in one
    query: the totals are window aggregates over the whole filtered set, computed before the LIMIT."""
    totals = {"todo_total": Window(Count("pk"))}
    if late is not None:
        totals["todo_late"] = Window(Sum(Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField())))
    found = list(qs.annotate(**totals)[:rows])
    if not found:
        return 0, 0, []
    return found[0].todo_total, (found[0].todo_late or 0) if late is not None else 0, found


def _memberships(user, today) -> list[TodoSection]:
    count, _late, rows = _counted(memberships.applications_to_decide(user))
    applications = TodoSection(
        "applications",
        gettext("Membership applications to decide"),
        count,
        reverse("memberships:queue"),
        [
            TodoItem(
                m.person.name if m.person_id else (m.unit.name if m.unit_id else "?"),
                reverse("memberships:detail", args=[m.pk]),
                f"{m.society.name} · {m.member_class.name}",
                today,
                since=_date(m.applied_at),
            )
            for m in rows
        ],
    )
    count, _late, rows = _counted(memberships.pending_payments(user))
    payments = TodoSection(
        "payments",
        gettext("Dues payments to confirm"),
        count,
        reverse("memberships:payments"),
        [
            TodoItem(
                f"{p.membership.person.name if p.membership.person_id else (p.membership.unit.name if p.membership.unit_id else '?')} · {p.year} · ¥{p.amount}",
                reverse("memberships:detail", args=[p.membership_id]),
                p.society.name,
                today,
                since=_date(p.created_at),
            )
            for p in rows
        ],
    )
    return [applications, payments]


def _organizations(user, today) -> list[TodoSection]:
    count, _late, rows = _counted(organizations.filings_waiting(user))
    return [
        TodoSection(
            "filings",
            gettext("Filings of new associations to decide"),
            count,
            reverse("organizations:filing_list"),
            [TodoItem(f.name, reverse("organizations:filing_detail", args=[f.pk]), f.parent.name, today, since=_date(f.submitted_at)) for f in rows],
        )
    ]


def _people(user, today) -> list[TodoSection]:
    count, _late, rows = _counted(review.visible_candidates(user))
    return [
        TodoSection(
            "duplicates",
            gettext("Possible duplicate records to review"),
            count,
            reverse("people:review_list"),
            [
                TodoItem(
                    f"{c.person_a.name} ~ {c.person_b.name}",
                    reverse("people:review_detail", args=[c.pk]),
                    pgettext("to-do", "match score %(score)s") % {"score": f"{c.score:.2f}"},
                    today,
                    since=_date(c.created_at),
                )
                for c in rows
            ],
        )
    ]


def _voice(user, today) -> list[TodoSection]:
    count, late, rows = _counted(voice.items_due(user, within_days=VOICE_WITHIN_DAYS, today=today), late=Q(due_on__lt=today))
    return [
        TodoSection(
            "questions",
            gettext("Suggestions and appeals to answer"),
            count,
            reverse("voice:inbox"),
            [TodoItem(i.title, reverse("voice:item", args=[i.pk]), f"{i.get_kind_display()} · {i.organization.name}", today, due_on=i.due_on) for i in rows],
            overdue=late,
        )
    ]


def _measures(results) -> str:
    return "; ".join(str(Measure(r.measure).label) if r.measure in Measure.values else r.measure for r in results[:3])


def _governance(user, today, *, manager: bool) -> list[TodoSection]:
    sections = []
    if manager:
        count, late, rows = _counted(governance.terms_ending(user, within_days=TERMS_WITHIN_DAYS, today=today), late=Q(planned_end__lt=today))
        sections.append(
            TodoSection(
                "terms",
                gettext("Terms ending or past their end"),
                count,
                reverse("governance:alerts"),
                [
                    TodoItem(
                        str(t.body),
                        reverse("governance:body", args=[t.body_id]),
                        pgettext("to-do", "term %(number)s, planned end %(date)s") % {"number": t.number, "date": t.planned_end.isoformat()},
                        today,
                        due_on=t.planned_end,
                    )
                    for t in rows
                ],
                overdue=late,
            )
        )
        reports = governance.failing_bodies(user, today=today)
        sections.append(
            TodoSection(
                "bodies",
                gettext("Leadership bodies failing a rule"),
                len(reports),
                reverse("governance:home"),
                [
                    TodoItem(
                        str(r.body),
                        reverse("governance:body", args=[r.body.pk]),
                        ngettext("%(n)d rule failed", "%(n)d rules failed", len(r.failures)) % {"n": len(r.failures)},
                        today,
                        note=_measures(r.failures),
                    )
                    for r in reports[:TODO_ROWS]
                ],
            )
        )
    duties = list(governance.contact_duties_due(user, months=CONTACT_MONTHS, today=today))  # a leader's own: a handful
    sections.append(
        TodoSection(
            "contacts",
            gettext("Contact duties without a recent visit"),
            len(duties),
            reverse("governance:home"),
            [
                TodoItem(
                    d.organization.name,
                    reverse("governance:contact", args=[d.pk]),
                    d.assigned_by.name,
                    today,
                    note=(gettext("last contact on %(date)s") % {"date": d.last_contact.isoformat()}) if d.last_contact else gettext("no contact logged"),
                )
                for d in duties[:TODO_ROWS]
            ],
        )
    )
    return sections


def _activities(user, today) -> list[TodoSection]:
    count, _late, rows = _counted(activities.events_this_week(user, days=EVENTS_WITHIN_DAYS))
    return [
        TodoSection(
            "events",
            gettext("Events this week"),
            count,
            reverse("activities:manage"),
            [
                TodoItem(
                    e.title,
                    reverse("activities:event", args=[e.pk]),
                    f"{e.organization.name} · {timezone.localtime(e.starts_at):%Y-%m-%d %H:%M}",
                    today,
                    due_on=max(timezone.localdate(e.starts_at), today),
                    happens=True,
                )
                for e in rows
            ],
        )
    ]


def _imports(user, today) -> list[TodoSection]:
    count, _late, rows = _counted(imports.batches_with_errors(user, days=IMPORTS_WITHIN_DAYS))
    return [
        TodoSection(
            "imports",
            gettext("Imports with bad rows"),
            count,
            reverse("imports:list"),
            [
                TodoItem(
                    b.file_name,
                    reverse("imports:detail", args=[b.pk]),
                    b.organization.name,
                    today,
                    since=_date(b.created_at),
                    note=(ngettext("%(n)d bad row", "%(n)d bad rows", b.bad) % {"n": b.bad}) if b.bad else gettext("the import failed"),
                )
                for b in rows
            ],
        )
    ]


def _grassroots(user, today) -> list[TodoSection]:
    rows = grassroots.targets_not_met(user)
    return [
        TodoSection(
            "targets",
            gettext("Key staff targets not met"),
            len(rows),
            "",
            [
                TodoItem(
                    r["organization"].name,
                    reverse("grassroots:area", args=[r["organization"].pk]),
                    "",
                    today,
                    note=gettext("%(total)d of %(target)d") % {"total": r["total"], "target": r["target"]},
                )
                for r in rows[:TODO_ROWS]
            ],
        )
    ]


MODULES = ("voice", "memberships", "organizations", "people", "governance", "activities", "imports", "grassroots")


def _module_label(key: str) -> str:
    return {
        "voice": pgettext("to-do", "Suggestions and appeals"),
        "memberships": pgettext("to-do", "Memberships"),
        "organizations": pgettext("to-do", "Organizations"),
        "people": pgettext("to-do", "Talent database"),
        "governance": pgettext("to-do", "Leadership bodies"),
        "activities": pgettext("to-do", "Events"),
        "imports": pgettext("to-do", "Imports"),
        "grassroots": pgettext("to-do", "Grassroots key staff"),
    }[key]


def staff_todo(user, *, today: datetime.date | None = None) -> StaffTodo:
    """What waits for the user, by module, the module with the most urgent row first (the most
    overdue; then the nearest deadline; modules without deadlines last, in a fixed order); empty
    sections are left out, and a user without a role gets nothing (a S&T worker's home is /me/)."""
    if not scope.has_any_role(user):
        return StaffTodo()
    today = today or timezone.localdate()
    manager = scope.is_unrestricted(user) or bool(scope.role_paths(user, scope.MANAGE_KINDS))
    parts = {"voice": _voice(user, today), "governance": _governance(user, today, manager=manager)}
    if manager:
        parts.update(
            memberships=_memberships(user, today),
            organizations=_organizations(user, today),
            people=_people(user, today),
            activities=_activities(user, today),
            imports=_imports(user, today),
            grassroots=_grassroots(user, today),
        )
    groups = [TodoGroup(key, _module_label(key), [s for s in parts[key] if s.count]) for key in MODULES if key in parts]
    groups = [g for g in groups if g.sections]
    groups.sort(key=lambda g: (g.urgency is None, g.urgency if g.urgency is not None else 0, MODULES.index(g.key)))
    return StaffTodo(groups)


# ---- The public front page -------------------------------------------------------------------

FRONT_EVENTS = 6
FRONT_ANSWERS = 4


@dataclass
class FrontPage:
    """What a visitor who is not logged in sees at /: public events and public answers only."""

    events: list
    answers: list
    cases: list = field(default_factory=list)


def front_page() -> FrontPage:
    """The soonest public events of any organization, the latest questions answered in public
    (only those whose sender allowed it) and the latest cases published from concluded projects.
    Four queries."""
    return FrontPage(
        events=list(activities.upcoming_public_events(limit=FRONT_EVENTS)),
        answers=list(voice.public_items()[:FRONT_ANSWERS]),
        cases=calls_cases.latest_cases(),
    )
