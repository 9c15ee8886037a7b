"""The steps every voice workflow takes — the item's history, handing it to another
organization, the notices to its handlers and to its sender — shared by the services (send,
assign, forward, answer …) and the escalation of overdue items, which both import them from here."""

import datetime

from kejia.accounts import scope
from kejia.accounts.models import Role
from kejia.core.notify import notify
from kejia.organizations.models import PATH_SEGMENT, Organization
from kejia.voice.choices import ItemStatus
from kejia.voice.models import Item, ItemEvent


def log_event(item: Item, kind: str, *, actor, now: datetime.datetime, note: str = "", internal: bool = False, from_org=None, to_org=None, **data) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        internal=internal,
        from_org=from_org,
        to_org=to_org,
        data=data,
        created_at=now,
    )


def ancestor_paths(org: Organization) -> list[str]:
    """The paths of the organization and those above it."""
    return [org.path[:i] for i in range(PATH_SEGMENT, len(org.path) + 1, PATH_SEGMENT)]


def handlers_of(org: Organization) -> list:
    """The people told of an item arriving: the staff and administrators of the organization, or of
    the nearest one above it that has any (a small association may have no account yet)."""
    paths = ancestor_paths(org)
    roles = list(Role.objects.filter(organization__path__in=paths, kind__in=scope.MANAGE_KINDS, user__is_active=True).select_related("user", "organization"))
    for path in reversed(paths):
        users = {r.user.pk: r.user for r in roles if r.organization.path == path}
        if users:
            return list(users.values())
    return []


def tell_handlers(item: Item, org: Organization, subject: str, body: str = "") -> None:
    for user in handlers_of(org):
        notify(kind="voice_arrived", subject=subject, body=body, user=user, email=user.email, link=item.get_absolute_url())


def tell_sender(item: Item, kind: str, subject: str, body: str = "") -> None:
    notify(kind=kind, subject=subject, body=body, user=item.sender, email=item.sender.email, link=item.get_absolute_url())


def hand_over(item: Item, to: Organization) -> None:
    """Another organization handles the item: nobody there has it yet."""
    item.organization, item.assignee = to, None
    if item.status == ItemStatus.ASSIGNED:
        item.status = ItemStatus.SUBMITTED
