"""Voice as JSON: the same services and selectors as the pages.

Scope: a sender reads and acts on their own items; anyone with a role reads the items handled in
their subtree, staff and administrators assign and forward them, any role answers, leaders and
administrators publish in public. Outside that an item is a 404; in sight but not one's to act
on, a 403; in a state that forbids the step, a 409. Ids in a body naming nothing the caller may
use are a 400 naming the field. The public answers need no login."""

from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kejia.core.api import caller, page_of
from kejia.core.api_auth import AUTH
from kejia.core.errors import DomainError
from kejia.organizations import selectors as org_selectors
from kejia.voice import deadlines, selectors, services
from kejia.voice.api_schemas import (
    AssignIn,
    CalendarDayOut,
    CalendarFilters,
    CalendarIn,
    DashboardFilters,
    DashboardOut,
    ForwardIn,
    InboxFilters,
    ItemDetailOut,
    ItemIn,
    ItemOut,
    ItemPage,
    ObjectId,
    PageParams,
    PublicFilters,
    PublicityIn,
    PublicPage,
    RateIn,
    ReopenIn,
    VoiceAnswerIn,
    VoiceAnswerOut,
    VoiceRuleIn,
    VoiceRuleOut,
    VoiceRulePage,
)

router = Router(tags=["voice"])
V = "/voice"


def _org_in_body(user, pk: int, field: str, *, scoped: bool):
    """An organization named in a body: any one still in being (sending), or one the caller sees."""
    org = org_selectors.visible_organizations(user).filter(pk=pk).first() if scoped else selectors.receiving_organization(pk=pk)
    if org is None:
        raise DomainError("unknown_organization", _("No organization with this id is within your reach."), field=field)
    return org


# ---- The sender ---------------------------------------------------------------------------------


@router.get(f"{V}/items", response=ItemPage, auth=AUTH, summary="My items")
def my_items(request, page: Query[PageParams]):
    """The items you sent, newest first."""
    return page_of(selectors.items_of_sender(caller(request)), page)


@router.post(f"{V}/items", response={201: ItemDetailOut}, auth=AUTH, summary="Send an item")
def send_item(request, payload: ItemIn):
    """A suggestion, appeal, rights-protection request or policy question to any organization; the
    answer is due within the working days of its deadline rule."""
    user = caller(request)
    org = _org_in_body(user, payload.organization_id, "organization_id", scoped=False)
    item = services.send_item(actor=user, organization=org, kind=payload.kind.value, title=payload.title, body=payload.body, allow_public=payload.allow_public)
    return Status(201, selectors.get_item_for(user, item.pk))


@router.get(f"{V}/items/{{id}}", response=ItemDetailOut, auth=AUTH, summary="One item")
def get_item(request, id: ObjectId):
    """With its answers and history. The sender's, or one handled in your scope."""
    user = caller(request)
    return selectors.get_item_for(user, id)


@router.post(f"{V}/items/{{id}}/rate", response=ItemDetailOut, auth=AUTH, summary="Rate the answer")
def rate_item(request, id: ObjectId, payload: RateIn):
    """The sender rates the answer 1–5; the item closes. Once per answer."""
    user = caller(request)
    item = services.rate_item(selectors.get_item_for(user, id), actor=user, rating=payload.rating)
    return selectors.get_item_for(user, item.pk)


@router.post(f"{V}/items/{{id}}/reopen", response=ItemDetailOut, auth=AUTH, summary="Reopen the item (once)")
def reopen_item(request, id: ObjectId, payload: ReopenIn):
    """The sender reopens an answered or closed item once; it gets a new due date. A second time is a 409."""
    user = caller(request)
    item = services.reopen_item(selectors.get_item_for(user, id), actor=user, reason=payload.reason)
    return selectors.get_item_for(user, item.pk)


@router.post(f"{V}/items/{{id}}/publicity", response=ItemDetailOut, auth=AUTH, summary="Allow publication of the question")
def set_publicity(request, id: ObjectId, payload: PublicityIn):
    """The sender allows (or withdraws) publication of the question with a public answer."""
    user = caller(request)
    item = services.set_item_publicity(selectors.get_item_for(user, id), actor=user, allow_public=payload.allow_public)
    return selectors.get_item_for(user, item.pk)


@router.post(f"{V}/items/{{id}}/close", response=ItemDetailOut, auth=AUTH, summary="Close an answered item")
def close_item(request, id: ObjectId):
    """The sender, or the handling staff, close an answered item without a rating."""
    user = caller(request)
    item = services.close_item(selectors.get_item_for(user, id), actor=user)
    return selectors.get_item_for(user, item.pk)


# ---- The handling organization --------------------------------------------------------------------


@router.get(f"{V}/inbox", response=ItemPage, auth=AUTH, summary="Items handled in your scope")
def inbox(request, filters: Query[InboxFilters]):
    """Open items by default, the earliest due first; filter by status, kind, organization subtree,
    overdue, assigned to you and text."""
    user = caller(request)
    root = org_selectors.get_organization_for(user, filters.org_id) if filters.org_id else None
    status = filters.status if isinstance(filters.status, str) else filters.status.value
    qs = selectors.inbox(
        user, status=status, kind=filters.kind.value if filters.kind else "", root=root, overdue=filters.overdue, mine=filters.mine, text=filters.q
    )
    return page_of(qs, filters)


@router.get(f"{V}/dashboard", response=DashboardOut, auth=AUTH, summary="Open and overdue items, per kind and organization")
def dashboard(request, filters: Query[DashboardFilters]):
    user = caller(request)
    root = org_selectors.get_organization_for(user, filters.org_id) if filters.org_id else None
    return selectors.dashboard(user, root=root)


@router.post(f"{V}/items/{{id}}/assign", response=ItemDetailOut, auth=AUTH, summary="Assign an item")
def assign_item(request, id: ObjectId, payload: AssignIn):
    """Staff of the handling organization give it to someone with a role there or above."""
    user = caller(request)
    item = selectors.get_item_for(user, id)
    services.require_staff(item, user)
    assignee = next((u for u in selectors.assignees(item) if u.pk == payload.assignee_id), None)
    if assignee is None:
        raise DomainError("invalid_assignee", _("Choose a person with a role in the handling organization."), field="assignee_id")
    services.assign_item(item, actor=user, assignee=assignee, note=payload.note)
    return selectors.get_item_for(user, id)


@router.post(f"{V}/items/{{id}}/forward", response=ItemOut, auth=AUTH, summary="Forward an item")
def forward_item(request, id: ObjectId, payload: ForwardIn):
    """Down the subtree, or up to the parent (after which it may leave your view: the answer is the
    item's summary, not its detail)."""
    user = caller(request)
    item = selectors.get_item_for(user, id)
    services.require_staff(item, user)
    to = selectors.receiving_organization(pk=payload.to_id)
    if to is None:
        raise DomainError("invalid_target", _("No organization with this id."), field="to_id")
    try:
        return services.forward_item(item, actor=user, to=to, note=payload.note)
    except DomainError as exc:
        if exc.field == "to":
            exc.field = "to_id"
        raise


@router.post(f"{V}/items/{{id}}/answer", response={201: VoiceAnswerOut}, auth=AUTH, summary="Answer an item")
def answer_item(request, id: ObjectId, payload: VoiceAnswerIn):
    """Anyone with a role covering the handling organization; `public` for leaders and
    administrators, signed with their real name and title, and only if the sender allowed it."""
    user = caller(request)
    return Status(201, services.answer_item(selectors.get_item_for(user, id), actor=user, text=payload.text, public=payload.public))


@router.post(f"{V}/answers/{{id}}/publish", response=VoiceAnswerOut, auth=AUTH, summary="Publish an answer under your real name")
def publish_answer(request, id: ObjectId):
    """A leader or administrator of the handling organization or above signs a private answer and
    publishes it (the sender must have allowed publication)."""
    user = caller(request)
    return services.publish_answer(selectors.get_answer_for(user, id), actor=user)


# ---- Public answers, rules, calendar ----------------------------------------------------------------


@router.get(f"{V}/public", response=PublicPage, summary="Public answers (no login)")
def public_answers(request, filters: Query[PublicFilters]):
    """Questions whose senders allowed publication, with the answers leaders published under their
    real names; nothing names the sender."""
    qs = selectors.public_items(kind=filters.kind.value if filters.kind else "", text=filters.q)
    return page_of(qs, filters)


@router.get(f"{V}/rules", response=VoiceRulePage, auth=AUTH, summary="Deadline rules")
def list_rules(request, page: Query[PageParams]):
    """The defaults and the rules of the organizations in your scope, in tree order. Paginated with
    `limit`/`offset`; `count` is the total before pagination."""
    user = caller(request)
    return page_of(selectors.deadline_rules(user), page)


@router.post(f"{V}/rules", response=list[VoiceRuleOut], auth=AUTH, summary="Set or remove a deadline rule")
def set_rule(request, payload: VoiceRuleIn):
    """An organization's administrators set its rule (`working_days` null removes it); the
    federation's administrators set the defaults (no `org_id`). Items already sent keep their due date."""
    user = caller(request)
    org = _org_in_body(user, payload.org_id, "org_id", scoped=True) if payload.org_id else None
    if payload.working_days is None:
        deadlines.remove_deadline_rule(actor=user, kind=payload.kind.value, organization=org)
    else:
        deadlines.set_deadline_rule(actor=user, kind=payload.kind.value, organization=org, working_days=payload.working_days, source=payload.source)
    return selectors.deadline_rules(user)


@router.get(f"{V}/calendar", response=list[CalendarDayOut], auth=AUTH, summary="Calendar exceptions")
def list_calendar(request, filters: Query[CalendarFilters]):
    """Public holidays on weekdays and make-up working days (调休) on weekends; other days follow the weekday."""
    return list(selectors.calendar_days(filters.year))


@router.post(f"{V}/calendar", response=list[CalendarDayOut], auth=AUTH, summary="Set or remove a calendar exception")
def set_calendar(request, payload: CalendarIn):
    """The federation's administrators; an empty `kind` removes the exception."""
    deadlines.set_calendar_day(actor=caller(request), date=payload.date, kind=payload.kind.value if payload.kind else "", name=payload.name)
    return list(selectors.calendar_days(payload.date.year))
