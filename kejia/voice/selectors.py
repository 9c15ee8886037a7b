"""Scoped reads of voice.

Scope: a sender sees their own items, never another sender's. Anyone with a role (staff, leader,
administrator) sees the items whose *current* handling organization lies in their subtree; an
item forwarded or escalated above them leaves their view (it is the parent's now), one forwarded
down stays in it. The public sees only answers published in public on items whose sender allowed
it, without anything naming the sender."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from kejia.accounts import scope
from kejia.core.errors import NotFound
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import Organization
from kejia.voice.choices import OPEN_STATUSES, ItemKind, ItemStatus
from kejia.voice.models import Answer, CalendarDay, DeadlineRule, Item, ItemEvent

ORG_SUGGESTIONS = 20


def items_of_sender(user) -> QuerySet[Item]:
    """The items the user sent, newest first (each has `get_absolute_url()`)."""
    if not getattr(user, "is_authenticated", False):
        return Item.objects.none()
    return Item.objects.filter(sender=user).select_related("organization", "origin").order_by("-created_at", "-id")


def visible_items(user) -> QuerySet[Item]:
    """Items handled in the user's scope (roles of any kind)."""
    if not getattr(user, "is_authenticated", False):
        return Item.objects.none()
    return scope.restrict(Item.objects.select_related("organization", "origin", "assignee"), user, "organization__path")


def can_see(user, item: Item) -> bool:
    return (getattr(user, "pk", None) is not None and item.sender_id == user.pk) or scope.can_view(user, item.organization)


def get_item_for(user, pk) -> Item:
    """The item if the user sent it or handles it in their scope; NotFound otherwise."""
    item = Item.objects.select_related("organization__parent", "origin", "sender", "assignee").filter(pk=pk).first()
    if item is None or not getattr(user, "is_authenticated", False) or not can_see(user, item):
        raise NotFound()
    return item


def get_answer_for(user, pk) -> Answer:
    answer = Answer.objects.select_related("item__organization", "item__sender").filter(pk=pk).first()
    if answer is None or not getattr(user, "is_authenticated", False) or not can_see(user, answer.item):
        raise NotFound()
    return answer


def is_handler(user, item: Item) -> bool:
    return scope.can_view(user, item.organization)


def timeline(item: Item, *, staff: bool) -> list[ItemEvent]:
    """The item's history; assignments and internal notes are for the staff only."""
    qs = item.events.select_related("actor", "from_org", "to_org")
    if not staff:
        qs = qs.filter(internal=False)
    return list(qs.order_by("created_at", "id"))


def answers_of(item: Item) -> list[Answer]:
    return list(item.answers.select_related("author", "organization").order_by("created_at", "id"))


def inbox(
    user,
    *,
    status: str = "open",
    kind: str = "",
    root: Organization | None = None,
    overdue: bool = False,
    mine: bool = False,
    text: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Item]:
    today = today or timezone.localdate()
    qs = visible_items(user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in ItemStatus.values:
        qs = qs.filter(status=status)
    if kind in ItemKind.values:
        qs = qs.filter(kind=kind)
    if root is not None:
        qs = qs.filter(organization__path__descends=root.path)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    if mine:
        qs = qs.filter(assignee=user)
    if text:
        qs = qs.filter(Q(title__icontains=text.strip()) | Q(body__icontains=text.strip()))
    return qs.order_by("due_on", "id")


def items_due(user, *, within_days: int = 7, today: datetime.date | None = None) -> QuerySet[Item]:
    """Open items handled in the user's scope that are overdue or due within `within_days`, the
    most overdue first (the user's to-do; any role answers, see `services.answer_item`)."""
    today = today or timezone.localdate()
    return inbox(user, status="open", today=today).filter(due_on__lte=today + datetime.timedelta(days=within_days))


@dataclass
class Dashboard:
    today: datetime.date
    open: int = 0
    overdue: int = 0
    escalated: int = 0
    answered_30d: int = 0
    mean_rating: float | None = None
    by_kind: list[dict] = field(default_factory=list)
    by_org: list[dict] = field(default_factory=list)
    overdue_items: list[Item] = field(default_factory=list)


def dashboard(user, *, root: Organization | None = None, today: datetime.date | None = None, org_rows: int = 50, overdue_rows: int = 20) -> Dashboard:
    """Open and overdue items of the user's scope (or of `root`'s subtree), per kind and per
    handling organization (the organizations with the most overdue first)."""
    today = today or timezone.localdate()
    qs = visible_items(user)
    if root is not None:
        qs = qs.filter(organization__path__descends=root.path)
    is_open = Q(status__in=OPEN_STATUSES)
    late = is_open & Q(due_on__lt=today)
    since = timezone.now() - datetime.timedelta(days=30)
    totals = qs.aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=late),
        escalated=Count("pk", filter=is_open & Q(escalation_level__gt=0)),
        answered=Count("pk", filter=Q(answered_at__gte=since)),
        rating=Avg("rating"),
    )
    board = Dashboard(
        today=today,
        open=totals["open"],
        overdue=totals["overdue"],
        escalated=totals["escalated"],
        answered_30d=totals["answered"],
        mean_rating=totals["rating"],
    )
    kinds = {row["kind"]: row for row in qs.values("kind").annotate(open=Count("pk", filter=is_open), overdue=Count("pk", filter=late))}
    board.by_kind = [
        {"kind": k, "label": str(label), "open": kinds.get(k, {}).get("open", 0), "overdue": kinds.get(k, {}).get("overdue", 0)}
        for k, label in ItemKind.choices
    ]
    rows = (
        qs.filter(is_open)
        .values("organization_id", "organization__name", "organization__code")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by("-overdue", "-open", "organization__code")
    )
    board.by_org = [
        {"id": r["organization_id"], "name": r["organization__name"], "code": r["organization__code"], "open": r["open"], "overdue": r["overdue"]}
        for r in rows[:org_rows]
    ]
    board.overdue_items = list(qs.filter(late).order_by("due_on", "id")[:overdue_rows])
    return board


def public_items(*, kind: str = "", text: str = "") -> QuerySet[Item]:
    """Items with at least one public answer, each with `public` (its public answers)."""
    published = Answer.objects.filter(item=OuterRef("pk"), is_public=True)
    qs = Item.objects.filter(allow_public=True).filter(Exists(published)).select_related("organization")
    if kind in ItemKind.values:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(Q(title__icontains=text.strip()) | Q(answers__text__icontains=text.strip(), answers__is_public=True)).distinct()
    return qs.prefetch_related(Prefetch("answers", queryset=Answer.objects.filter(is_public=True).order_by("published_at", "id"), to_attr="public")).order_by(
        "-answered_at", "-id"
    )


# ---- Choosing where to send ---------------------------------------------------------------------


def sender_organizations(user) -> list[Organization]:
    """The organizations a S&T worker belongs to: those listing their profile and the societies
    they are a member of."""
    from kejia.memberships.choices import MembershipStatus
    from kejia.people.selectors import my_person

    person = my_person(user)
    if person is None:
        return []
    live = Q(listings__person=person) | Q(memberships__person=person, memberships__status=MembershipStatus.ACTIVE)
    return list(Organization.objects.filter(live).exclude(status=OrgStatus.DISSOLVED).distinct().order_by("path")[:ORG_SUGGESTIONS])


def find_organizations(text: str) -> list[Organization]:
    """Any organization still in being, by name or code: every association receives voice items."""
    text = (text or "").strip()
    if not text:
        return []
    return list(
        Organization.objects.exclude(status=OrgStatus.DISSOLVED)
        .filter(Q(name__icontains=text) | Q(short_name__icontains=text) | Q(code__iexact=text))
        .order_by("depth", "path")[:ORG_SUGGESTIONS]
    )


def receiving_organization(*, pk: int | None = None, code: str = "") -> Organization | None:
    qs = Organization.objects.exclude(status=OrgStatus.DISSOLVED)
    if pk:
        return qs.filter(pk=pk).first()
    return qs.filter(code=(code or "").strip()).first() if code else None


def forward_targets(item: Item) -> list[Organization]:
    """The parent and the direct children (the form also takes any code below)."""
    here = item.organization
    children = list(Organization.objects.filter(parent=here).exclude(status=OrgStatus.DISSOLVED).order_by("kind", "name")[:100])
    return ([here.parent] if here.parent_id else []) + children


def assignees(item: Item) -> list:
    """People with a role in the handling organization or above, nearest first."""
    from kejia.accounts.models import Role
    from kejia.voice.workflow import ancestor_paths

    roles = (
        Role.objects.filter(organization__path__in=ancestor_paths(item.organization), user__is_active=True)
        .select_related("user", "organization")
        .order_by("-organization__depth", "user__username")
    )
    seen, out = set(), []
    for role in roles:
        if role.user_id not in seen:
            seen.add(role.user_id)
            out.append(role.user)
    return out[:50]


# ---- Rules and calendar (policy: read by everyone signed in) ----------------------------------------


def deadline_rules(user) -> list[DeadlineRule]:
    """The defaults and the rules of the organizations the user sees."""
    return [
        r
        for r in DeadlineRule.objects.select_related("organization").order_by("organization__path", "kind")
        if r.organization is None or scope.can_view(user, r.organization)
    ]


def calendar_days(year: int | None = None) -> QuerySet[CalendarDay]:
    qs = CalendarDay.objects.all()
    return qs.filter(date__year=year) if year else qs
