"""Writes of voice items: send, assign, forward, answer (in public under a real name), publish,
rate, reopen, close, change publicity. Each runs in one transaction, writes the item's history
(`ItemEvent`) and an audit event, and sends its notices after commit (kejia.core.notify).

The workflow (docs/voice.md): submitted → assigned → answered → closed; an answered or closed
item may be reopened once by its sender (reopened → assigned/answered …). Forwarding and
escalation move an open item to another organization: the assignee is cleared and an assigned item
is "submitted" again there."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.accounts.models import Role, RoleKind
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.core.rows import max_length_of
from kejia.organizations.kinds import OrgStatus
from kejia.organizations.models import Organization
from kejia.voice import deadlines
from kejia.voice.choices import OPEN_STATUSES, EventKind, ItemKind, ItemStatus
from kejia.voice.models import Answer, Item
from kejia.voice.workflow import ancestor_paths, hand_over, handlers_of, log_event, tell_handlers, tell_sender  # noqa: F401 (ancestor_paths, handlers_of: this module's API too)

TITLE_MAX = max_length_of(Item, "title")
BODY_MAX = 5000
ANSWER_MAX = 10000
SIGNER_KINDS = (RoleKind.LEADER, RoleKind.ADMIN)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def _is_sender(user, item: Item) -> bool:
    return getattr(user, "pk", None) is not None and item.sender_id == user.pk


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("organization", "sender").get(pk=item.pk)


def _text(value, field: str, limit: int, errors: dict) -> str:
    text = (value or "").strip()
    if not text:
        errors[field] = [gettext("This field is required.")]
    elif len(text) > limit:
        errors[field] = [gettext("At most %(n)s characters.") % {"n": limit}]
    return text


def _require_open(item: Item) -> None:
    if item.status not in OPEN_STATUSES:
        raise IllegalTransition("not_open", _("This item is not waiting for an answer (it is %(status)s).") % {"status": item.get_status_display()})


def require_staff(item: Item, actor) -> None:
    if not scope.can_manage(actor, item.organization):
        raise PermissionDenied(_("Only the staff of the handling organization may do this."))


def _require_sender(item: Item, actor) -> None:
    if not _is_sender(actor, item):
        raise PermissionDenied(_("Only the sender may do this."))


def signer_role(user, org: Organization) -> Role | None:
    """The leader or administrator role of `user` nearest to `org`, at it or above it. A platform
    administrator without such a role cannot sign: a public answer carries a real person's post."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Role.objects.filter(user=user, kind__in=SIGNER_KINDS, organization__path__in=ancestor_paths(org))
        .select_related("organization")
        .order_by("-organization__depth", "kind")
        .first()
    )


def can_sign(user, item: Item) -> bool:
    return signer_role(user, item.organization) is not None


def signer_identity(user, role: Role) -> tuple[str, str]:
    """Real name and title as shown under a public answer (实名): the name of the linked profile or
    of the account, and the post in the organization (江苏省科协副主席)."""
    person = getattr(user, "person", None)  # the reverse one-to-one raises when there is none
    name = (person.name if person else "") or user.display_name or user.get_full_name() or user.username
    post = role.title or str(role.get_kind_display())
    return name[:64], f"{role.organization.name}{post}"[:160]


def _sign(answer: Answer, actor, item: Item, now: datetime.datetime) -> None:
    role = signer_role(actor, item.organization)
    if role is None:
        raise PermissionDenied(_("Only a leader or administrator of the handling organization or above answers in public."))
    if not item.allow_public:
        raise DomainError("not_public", _("The sender did not allow this question to be published."), field="public")
    answer.is_public, answer.signed_by, answer.published_at = True, actor, now
    answer.signer_name, answer.signer_title = signer_identity(actor, role)


# ---- The sender ---------------------------------------------------------------------------------


@transaction.atomic
def send_item(*, actor, organization: Organization, kind: str, title: str, body: str, allow_public: bool = False, now: datetime.datetime | None = None) -> Item:
    """A S&T worker sends an item to an organization; its deadline is set from the rules."""
    from kejia.people.selectors import my_person

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in first."))
    now = _now(now)
    errors: dict[str, list[str]] = {}
    if kind not in ItemKind.values:
        errors["kind"] = [gettext("Choose a kind from the list.")]
    title = _text(title, "title", TITLE_MAX, errors)
    body = _text(body, "body", BODY_MAX, errors)
    if organization is None or organization.status == OrgStatus.DISSOLVED:
        errors["organization"] = [gettext("Choose an organization that is still active.")]
    if errors:
        raise ValidationFailed(errors)
    days, due = deadlines.due_date(kind, organization, _today(now))
    item = Item.objects.create(
        kind=kind,
        title=title,
        body=body,
        sender=actor,
        sender_person=my_person(actor),
        organization=organization,
        origin=organization,
        allow_public=bool(allow_public),
        deadline_days=days,
        due_on=due,
    )
    Item.objects.filter(pk=item.pk).update(created_at=now)
    item.created_at = now
    log_event(item, EventKind.SUBMITTED, actor=actor, now=now, to_org=organization, due_on=str(due))
    record_event(
        actor=actor,
        action="voice.item_sent",
        obj=item,
        organization=organization,
        new={"kind": kind, "organization": organization.pk, "due_on": due, "allow_public": item.allow_public},
    )
    tell_handlers(
        item,
        organization,
        gettext("New %(kind)s: %(title)s") % {"kind": item.get_kind_display(), "title": title},
        gettext("Answer by %(date)s.") % {"date": due},
    )
    return item


@transaction.atomic
def rate_item(item: Item, *, actor, rating, now: datetime.datetime | None = None) -> Item:
    """The sender rates the answer (1–5); the item closes. After a reopening and a new answer the
    sender rates again; the history keeps each rating."""
    item = _locked(item)
    _require_sender(item, actor)
    if item.status != ItemStatus.ANSWERED:
        raise IllegalTransition("not_answered", _("Only an answered item can be rated, once per answer."))
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise DomainError("invalid_rating", _("Rate from 1 to 5."), field="rating") from None
    if not 1 <= rating <= 5:
        raise DomainError("invalid_rating", _("Rate from 1 to 5."), field="rating")
    now = _now(now)
    item.rating, item.rated_at, item.status, item.closed_at = rating, now, ItemStatus.CLOSED, now
    item.save(update_fields=["rating", "rated_at", "status", "closed_at", "updated_at"])
    log_event(item, EventKind.RATED, actor=actor, now=now, rating=rating)
    record_event(
        actor=actor,
        action="voice.item_rated",
        obj=item,
        organization=item.organization,
        old={"status": ItemStatus.ANSWERED},
        new={"rating": rating, "status": ItemStatus.CLOSED},
    )
    return item


@transaction.atomic
def reopen_item(item: Item, *, actor, reason: str, now: datetime.datetime | None = None) -> Item:
    """The sender reopens an answered or closed item, once; it gets a new due date."""
    item = _locked(item)
    _require_sender(item, actor)
    if item.reopened_at is not None:
        raise IllegalTransition("reopened_once", _("This item was already reopened once; it cannot be reopened again. Send a new item instead."))
    if item.status not in (ItemStatus.ANSWERED, ItemStatus.CLOSED):
        raise IllegalTransition("not_answered", _("Only an answered item can be reopened."))
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", BODY_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    now = _now(now)
    old = {"status": item.status, "rating": item.rating}
    days, due = deadlines.due_date(item.kind, item.organization, _today(now))
    item.status, item.reopened_at, item.closed_at, item.rating, item.rated_at = ItemStatus.REOPENED, now, None, None, None
    item.deadline_days, item.due_on = days, due
    item.save(update_fields=["status", "reopened_at", "closed_at", "rating", "rated_at", "deadline_days", "due_on", "updated_at"])
    log_event(item, EventKind.REOPENED, actor=actor, now=now, note=reason, due_on=str(due))
    record_event(
        actor=actor, action="voice.item_reopened", obj=item, organization=item.organization, old=old, new={"status": ItemStatus.REOPENED, "due_on": due}
    )
    subject = gettext("Reopened: %(title)s") % {"title": item.title}
    if item.assignee_id and item.assignee.is_active:
        notify(kind="voice_arrived", subject=subject, body=reason, user=item.assignee, email=item.assignee.email, link=item.get_absolute_url())
    else:
        tell_handlers(item, item.organization, subject, reason)
    return item


@transaction.atomic
def set_item_publicity(item: Item, *, actor, allow_public: bool, now: datetime.datetime | None = None) -> Item:
    """The sender allows (or no longer allows) the question to be shown with a public answer."""
    item = _locked(item)
    _require_sender(item, actor)
    allow_public = bool(allow_public)
    if item.allow_public == allow_public:
        return item
    now = _now(now)
    item.allow_public = allow_public
    item.save(update_fields=["allow_public", "updated_at"])
    log_event(item, EventKind.PUBLICITY, actor=actor, now=now, allow_public=allow_public)
    record_event(
        actor=actor,
        action="voice.item_publicity",
        obj=item,
        organization=item.organization,
        old={"allow_public": not allow_public},
        new={"allow_public": allow_public},
    )
    return item


@transaction.atomic
def close_item(item: Item, *, actor, now: datetime.datetime | None = None) -> Item:
    """An answered item is closed without a rating: by its sender, or by the handling staff."""
    item = _locked(item)
    if not _is_sender(actor, item):
        require_staff(item, actor)
    if item.status != ItemStatus.ANSWERED:
        raise IllegalTransition("not_answered", _("Only an answered item can be closed."))
    now = _now(now)
    item.status, item.closed_at = ItemStatus.CLOSED, now
    item.save(update_fields=["status", "closed_at", "updated_at"])
    log_event(item, EventKind.CLOSED, actor=actor, now=now)
    record_event(
        actor=actor,
        action="voice.item_closed",
        obj=item,
        organization=item.organization,
        old={"status": ItemStatus.ANSWERED},
        new={"status": ItemStatus.CLOSED},
    )
    return item


# ---- The handling organization --------------------------------------------------------------------


@transaction.atomic
def assign_item(item: Item, *, actor, assignee, note: str = "", now: datetime.datetime | None = None) -> Item:
    """Staff give an open item to someone holding a role in the handling organization or above."""
    item = _locked(item)
    require_staff(item, actor)
    _require_open(item)
    if assignee is None or not assignee.is_active or not scope.role_paths(assignee) or not scope.can_view(assignee, item.organization):
        raise DomainError("invalid_assignee", _("Choose a person with a role in the handling organization."), field="assignee")
    now = _now(now)
    old = {"status": item.status, "assignee": item.assignee_id}
    item.assignee, item.status = assignee, ItemStatus.ASSIGNED
    item.save(update_fields=["assignee", "status", "updated_at"])
    log_event(
        item, EventKind.ASSIGNED, actor=actor, now=now, note=(note or "").strip()[:2000], internal=True, assignee=assignee.pk, assignee_name=str(assignee)
    )
    record_event(
        actor=actor, action="voice.item_assigned", obj=item, organization=item.organization, old=old, new={"status": item.status, "assignee": assignee.pk}
    )
    if assignee.pk != getattr(actor, "pk", None):
        notify(
            kind="voice_assigned",
            subject=gettext("Assigned to you: %(title)s") % {"title": item.title},
            body=gettext("Answer by %(date)s.") % {"date": item.due_on},
            user=assignee,
            email=assignee.email,
            link=item.get_absolute_url(),
        )
    return item


@transaction.atomic
def forward_item(item: Item, *, actor, to: Organization, note: str = "", now: datetime.datetime | None = None) -> Item:
    """Staff forward an open item down their subtree or up to the parent organization. The due
    date stays: forwarding does not give anybody more time."""
    item = _locked(item)
    require_staff(item, actor)
    _require_open(item)
    here = item.organization
    down = to is not None and to.path.startswith(here.path) and to.pk != here.pk
    up = to is not None and to.pk == here.parent_id
    if not (down or up):
        raise DomainError("invalid_target", _("Forward to an organization below this one or to its parent."), field="to")
    if to.status == OrgStatus.DISSOLVED:
        raise DomainError("invalid_target", _("This organization is dissolved."), field="to")
    now = _now(now)
    old = {"organization": here.pk, "status": item.status, "assignee": item.assignee_id}
    hand_over(item, to)
    item.save(update_fields=["organization", "assignee", "status", "updated_at"])
    note = (note or "").strip()[:2000]
    log_event(item, EventKind.FORWARDED, actor=actor, now=now, note=note, from_org=here, to_org=to)
    record_event(actor=actor, action="voice.item_forwarded", obj=item, organization=here, old=old, new={"organization": to.pk, "status": item.status})
    tell_handlers(item, to, gettext("Forwarded to you: %(title)s") % {"title": item.title}, note)
    tell_sender(
        item,
        "voice_forwarded",
        gettext("Your item was forwarded to %(org)s") % {"org": to.name},
        gettext("“%(title)s” is now handled by %(org)s.") % {"title": item.title, "org": to.name},
    )
    return item


@transaction.atomic
def answer_item(item: Item, *, actor, text: str, public: bool = False, now: datetime.datetime | None = None) -> Answer:
    """Anyone with a role covering the handling organization answers; in public only a leader or
    administrator (signed with their real name and title) and only if the sender allowed it."""
    item = _locked(item)
    if not scope.can_view(actor, item.organization):
        raise PermissionDenied(_("Only the handling organization answers."))
    _require_open(item)
    errors: dict[str, list[str]] = {}
    text = _text(text, "text", ANSWER_MAX, errors)
    if errors:
        raise ValidationFailed(errors)
    now = _now(now)
    answer = Answer(item=item, author=actor, organization=item.organization, text=text)
    if public:
        _sign(answer, actor, item, now)
    answer.save()
    old = {"status": item.status}
    item.status, item.answered_at = ItemStatus.ANSWERED, now
    item.save(update_fields=["status", "answered_at", "updated_at"])
    log_event(item, EventKind.ANSWERED, actor=actor, now=now, answer=answer.pk, public=answer.is_public)
    record_event(
        actor=actor,
        action="voice.item_answered",
        obj=item,
        organization=item.organization,
        old=old,
        new={"status": ItemStatus.ANSWERED, "answer": answer.pk, "public": answer.is_public},
    )
    tell_sender(
        item,
        "voice_answered",
        gettext("Your item was answered: %(title)s") % {"title": item.title},
        gettext("Rate the answer, or reopen the item once if it does not settle the matter."),
    )
    return answer


@transaction.atomic
def publish_answer(answer: Answer, *, actor, now: datetime.datetime | None = None) -> Answer:
    """A leader or administrator publishes an answer given in private, signing it with their real
    name and title (they need not have written it: they vouch for it)."""
    answer = Answer.objects.select_for_update(of=("self",)).select_related("item__organization", "item__sender").get(pk=answer.pk)
    item = answer.item
    if not scope.can_view(actor, item.organization):
        raise PermissionDenied(_("Only the handling organization publishes its answers."))
    if answer.is_public:
        raise IllegalTransition("already_public", _("This answer is already public."))
    now = _now(now)
    _sign(answer, actor, item, now)
    answer.save()
    log_event(item, EventKind.PUBLISHED, actor=actor, now=now, answer=answer.pk, signer=answer.signer_name)
    record_event(
        actor=actor,
        action="voice.answer_published",
        obj=item,
        organization=item.organization,
        new={"answer": answer.pk, "signer_name": answer.signer_name, "signer_title": answer.signer_title},
    )
    return answer
