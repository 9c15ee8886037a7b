"""Scoped reads of memberships. A society's staff (and staff of the associations above it) see
its members; a member sees their own memberships; nobody else sees any."""

from django.db.models import Q, QuerySet

from kejia.accounts import scope
from kejia.core.errors import NotFound, PermissionDenied
from kejia.memberships.choices import PENDING_STATUSES, MembershipStatus
from kejia.memberships.models import Certificate, DuesPayment, MemberClass, Membership
from kejia.organizations.kinds import MEMBERSHIP_KINDS, OrgStatus
from kejia.organizations.models import Organization

_RELATED = ("society", "member_class", "person", "unit", "contact_person")


def visible_memberships(user) -> QuerySet[Membership]:
    return scope.restrict(Membership.objects.select_related(*_RELATED), user, "society__path")


def managed_memberships(user) -> QuerySet[Membership]:
    return scope.restrict(Membership.objects.select_related(*_RELATED), user, "society__path", scope.MANAGE_KINDS)


def my_memberships(user) -> QuerySet[Membership]:
    """Every membership of the user across all societies: their own, and units they are contact for."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return Membership.objects.select_related(*_RELATED).filter(Q(person__user=user) | Q(contact_person__user=user)).order_by("society__name", "-id")


def get_membership_for(user, pk, *, manage: bool = False) -> Membership:
    """A membership the user may see: their own, or one of a society in their scope. `manage`
    asks for a staff role; in scope without one is a 403, out of scope a 404."""
    membership = Membership.objects.select_related(*_RELATED).filter(pk=pk).first()
    if membership is None:
        raise NotFound()
    uid = getattr(user, "pk", None)
    own = uid is not None and (
        (membership.person_id and membership.person.user_id == uid) or (membership.contact_person_id and membership.contact_person.user_id == uid)
    )
    if scope.can_view(user, membership.society):
        if manage and not scope.can_manage(user, membership.society):
            raise PermissionDenied()
        return membership
    if own and not manage:
        return membership
    if own:
        raise PermissionDenied()
    raise NotFound()


def approval_queue(user, *, society: Organization | None = None) -> QuerySet[Membership]:
    qs = managed_memberships(user).filter(status__in=PENDING_STATUSES)
    if society is not None:
        qs = qs.filter(society=society)
    return qs.order_by("status", "applied_at", "id")


def applications_to_decide(user) -> QuerySet[Membership]:
    """Applications waiting for a decision of the user (staff of the society or above), oldest
    first; not those waiting for the applicant to supply information (that is the applicant's move)."""
    return managed_memberships(user).filter(status=MembershipStatus.APPLIED).order_by("applied_at", "id")


def search_memberships(
    user, *, society: Organization | None = None, status: str = "", member_class: str = "", text: str = "", kind: str = ""
) -> QuerySet[Membership]:
    qs = visible_memberships(user)
    if society is not None:
        qs = qs.filter(society=society)
    if status:
        qs = qs.filter(status=status)
    if member_class:
        qs = qs.filter(member_class__code=member_class)
    if kind == "group":
        qs = qs.filter(unit__isnull=False)
    elif kind == "individual":
        qs = qs.filter(person__isnull=False)
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(number__icontains=text) | Q(person__name__icontains=text) | Q(unit__name__icontains=text))
    return qs.order_by("society__path", "number", "id")


def societies(user=None) -> QuerySet[Organization]:
    """Learned societies open to applications: public, any S&T worker may apply."""
    return Organization.objects.filter(kind__in=MEMBERSHIP_KINDS, status=OrgStatus.ACTIVE, member_classes__is_open=True).distinct().order_by("path")


def managed_societies(user) -> QuerySet[Organization]:
    return scope.restrict(Organization.objects.filter(kind__in=MEMBERSHIP_KINDS), user, "path", scope.MANAGE_KINDS).order_by("path")


def visible_societies(user) -> QuerySet[Organization]:
    return scope.restrict(Organization.objects.filter(kind__in=MEMBERSHIP_KINDS), user, "path").order_by("path")


def get_society(pk) -> Organization:
    """A society's public face (name, classes): any visitor may read it."""
    org = Organization.objects.filter(pk=pk, kind__in=MEMBERSHIP_KINDS).first()
    if org is None:
        raise NotFound()
    return org


def get_managed_society(user, pk) -> Organization:
    org = Organization.objects.filter(pk=pk, kind__in=MEMBERSHIP_KINDS).first()
    if org is None or not scope.can_view(user, org):
        raise NotFound()
    if not scope.can_manage(user, org):
        raise PermissionDenied()
    return org


def classes_of(society: Organization, *, open_only: bool = False) -> QuerySet[MemberClass]:
    qs = MemberClass.objects.filter(society=society)
    return qs.filter(is_open=True) if open_only else qs


def get_class_for(user, pk, *, manage: bool = True) -> MemberClass:
    item = MemberClass.objects.select_related("society").filter(pk=pk).first()
    if item is None or not scope.can_view(user, item.society):
        raise NotFound()
    if manage and not scope.can_manage(user, item.society):
        raise PermissionDenied()
    return item


def payments_of(membership: Membership) -> QuerySet[DuesPayment]:
    return membership.payments.select_related("recorded_by").order_by("-year", "-id")


def pending_payments(user, *, society: Organization | None = None) -> QuerySet[DuesPayment]:
    qs = scope.restrict(
        DuesPayment.objects.filter(status="pending").select_related("membership__person", "membership__unit", "membership__member_class", "society"),
        user,
        "society__path",
        scope.MANAGE_KINDS,
    )
    if society is not None:
        qs = qs.filter(society=society)
    return qs.order_by("created_at", "id")


def get_payment_for(user, pk) -> DuesPayment:
    """A payment to decide on: staff of its society. In scope without a staff role, or the
    member's own payment, is a 403 (as for `get_membership_for`); anything else a 404."""
    payment = DuesPayment.objects.select_related("membership", "society", "membership__person", "membership__contact_person").filter(pk=pk).first()
    if payment is None:
        raise NotFound()
    uid = getattr(user, "pk", None)
    m = payment.membership
    own = uid is not None and ((m.person_id and m.person.user_id == uid) or (m.contact_person_id and m.contact_person.user_id == uid))
    if not scope.can_view(user, payment.society) and not own:
        raise NotFound()
    if not scope.can_manage(user, payment.society):
        raise PermissionDenied()
    return payment


def certificates_of(membership: Membership) -> QuerySet[Certificate]:
    return membership.certificates.select_related("key").order_by("-id")


def active_count(society: Organization) -> int:
    return Membership.objects.filter(society=society, status=MembershipStatus.ACTIVE).count()
