"""The review queue of uncertain profile matches after self-registration (LinkRequest, made by
kejia.people.linking.link_after_registration). Staff who manage an organization (or one above it)
listing the profile see the request and approve it (the account is linked) or refuse it; both are
audited and the person is told. Outside that scope a request answers "not found"."""

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound, ValidationFailed
from kejia.core.notify import notify
from kejia.people.choices import PersonStatus
from kejia.people.linking import listing_organization
from kejia.people.models import LinkRequest, LinkRequestStatus, Listing, Person


def visible_link_requests(user, *, status: str | None = LinkRequestStatus.PENDING) -> QuerySet[LinkRequest]:
    qs = LinkRequest.objects.select_related("user", "person", "decided_by").order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    if scope.is_unrestricted(user):
        return qs
    if not scope.role_paths(user, scope.MANAGE_KINDS):
        return qs.none()
    managed = scope.restrict(Listing.objects.filter(person=OuterRef("person")), user, "organization__path", scope.MANAGE_KINDS)
    return qs.filter(Exists(managed))


def get_link_request_for(user, pk: int) -> LinkRequest:
    item = visible_link_requests(user, status=None).filter(pk=pk).first()
    if item is None:
        raise NotFound()
    return item


def decide(item: LinkRequest, *, actor, approve: bool, note: str = "", ip: str | None = None) -> LinkRequest:
    """Approve (link the account to the profile; a link to another account is undone) or refuse
    (a note saying why is required). Only a pending request is decided."""
    item = get_link_request_for(actor, item.pk)  # scope, whichever door called
    note = " ".join((note or "").split())[:200]
    if not approve and not note:
        raise ValidationFailed({"note": [str(_("Say why the request is refused: the person reads it."))]})
    with transaction.atomic():
        item = LinkRequest.objects.select_for_update().select_related("user").get(pk=item.pk)
        if item.status != LinkRequestStatus.PENDING:
            raise DomainError("decided", _("This request was already decided."))
        person = Person.objects.select_for_update().get(pk=item.person_id)
        organization = listing_organization(person)
        now = timezone.now()
        if approve:
            if person.status != PersonStatus.ACTIVE:
                raise DomainError("inactive", _("This profile is no longer active: refuse the request."))
            if Person.objects.filter(user=item.user, status=PersonStatus.ACTIVE).exclude(pk=person.pk).exists():
                raise DomainError("already_linked", _("This account is already linked to another profile: refuse the request."))
            previous = person.user_id
            if previous and previous != item.user_id:
                record_event(
                    actor=actor,
                    action="person.account_unlinked",
                    obj=person,
                    organization=organization,
                    old={"user": previous},
                    new={"user": None, "reason": "link_request_approved"},
                    ip=ip,
                )
                notify(
                    kind="people.account_unlinked",
                    user=person.user,
                    subject=_("Your account was unlinked from the profile %(name)s by the organization that lists it.") % {"name": person.name},
                )
            person.user = item.user
            person.save(update_fields=["user", "updated_at"])
            record_event(
                actor=actor,
                action="person.account_linked",
                obj=person,
                organization=organization,
                new={"user": item.user_id, "proof": "staff_review", "request": item.pk, "previous_user": previous},
                ip=ip,
            )
            # The account's other candidates are moot now.
            LinkRequest.objects.filter(user=item.user, status=LinkRequestStatus.PENDING).exclude(pk=item.pk).update(
                status=LinkRequestStatus.CLOSED, decided_at=now
            )
            notify(kind="people.link_approved", user=item.user, link="/people/me/", subject=_("Your account is now linked to your profile."))
        else:
            notify(
                kind="people.link_refused",
                user=item.user,
                link="/people/me/",
                body=note,
                subject=_("A profile was not linked to your account. The organization that lists it says why below."),
            )
        item.status = LinkRequestStatus.APPROVED if approve else LinkRequestStatus.REFUSED
        item.decided_by, item.decided_at, item.note = actor, now, note
        item.save(update_fields=["status", "decided_by", "decided_at", "note"])
        record_event(
            actor=actor,
            action="person.link_request_approved" if approve else "person.link_request_refused",
            obj=person,
            organization=organization,
            new={"request": item.pk, "user": item.user_id, "note": note},
            ip=ip,
        )
    return item


def pending_for_account(user) -> QuerySet[LinkRequest]:
    """The account's own requests waiting for review (what its profile page shows)."""
    if not getattr(user, "pk", None):
        return LinkRequest.objects.none()
    return LinkRequest.objects.filter(user=user, status=LinkRequestStatus.PENDING)
