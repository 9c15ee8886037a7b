"""The steps every membership workflow takes — who may act, locking the row, a legal transition
with both logs, a notice to the member, a required reason, the eligibility of a class and the
documents still missing — shared by the classes (classes.py), the applications
(applications.py), the transitions (transitions.py) and the dues (dues.py), which import them
from here."""

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.notify import notify
from kejia.memberships.choices import TRANSITIONS, MembershipStatus, Transition
from kejia.memberships.models import MemberClass, Membership, MembershipEvent, MembershipRules
from kejia.organizations.kinds import MEMBERSHIP_KINDS
from kejia.people.choices import TitleLevel

S = MembershipStatus

# Title levels from highest to lowest; eligibility asks for "this level or higher".
TITLE_ORDER = [TitleLevel.SENIOR, TitleLevel.VICE_SENIOR, TitleLevel.INTERMEDIATE, TitleLevel.JUNIOR, TitleLevel.NONE]


# ---- who may do what --------------------------------------------------------------------------


def can_manage_members(user, society) -> bool:
    return scope.can_manage(user, society)


def require_manager(society, actor) -> None:
    if not can_manage_members(actor, society):
        raise PermissionDenied(_("Only the society's staff may do this."))


def require_society(org) -> None:
    if org.kind not in MEMBERSHIP_KINDS:
        raise DomainError("not_a_society", _("Only learned societies and university associations have members."), field="society")


def is_own(membership: Membership, user) -> bool:
    """The member themselves: the person's account, or a group member's contact person."""
    uid = getattr(user, "pk", None)
    if uid is None:
        return False
    if membership.person_id and membership.person.user_id == uid:
        return True
    return bool(membership.contact_person_id and membership.contact_person.user_id == uid)


def is_user(person, actor) -> bool:
    """The actor is this person's account (an anonymous actor is nobody's, not that of a person without one)."""
    uid = getattr(actor, "pk", None)
    return uid is not None and person.user_id == uid


def require_own(membership: Membership, actor) -> None:
    if not is_own(membership, actor):
        raise PermissionDenied(_("Only the member may do this."))


def today() -> datetime.date:
    return timezone.localdate()


def rules_of(society) -> MembershipRules:
    rules, _created = MembershipRules.objects.get_or_create(society=society)
    return rules


# ---- what an application needs ----------------------------------------------------------------


def check_eligibility(member_class: MemberClass, person, *, is_student: bool, years_in_field: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if member_class.min_title_level:
        need = TITLE_ORDER.index(member_class.min_title_level)
        have = TITLE_ORDER.index(person.title_level) if person.title_level in TITLE_ORDER else len(TITLE_ORDER)
        if have > need:
            errors["member_class"] = [
                gettext("This class needs a professional title of level “%(level)s” or higher; the profile says “%(have)s”.")
                % {"level": TitleLevel(member_class.min_title_level).label, "have": TitleLevel(person.title_level).label if person.title_level else "-"}
            ]
    if member_class.min_years_in_field is not None and (years_in_field or 0) < member_class.min_years_in_field:
        errors.setdefault("years_in_field", []).append(
            ngettext(
                "This class needs at least %(n)s year in the field.", "This class needs at least %(n)s years in the field.", member_class.min_years_in_field
            )
            % {"n": member_class.min_years_in_field}
        )
    if member_class.requires_student and not is_student:
        errors.setdefault("is_student", []).append(gettext("This class is for students only."))
    if errors:
        raise ValidationFailed(errors)


def missing_documents(membership: Membership) -> list[str]:
    have = set(membership.documents.values_list("name", flat=True))
    return [name for name in membership.member_class.required_documents if name not in have]


# ---- transitions ------------------------------------------------------------------------------


def locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",)).select_related("society", "member_class", "person", "unit", "contact_person").get(pk=membership.pk)
    )


def move(membership: Membership, transition: str, *, actor, note: str = "", step_name: str = "") -> str:
    """Check a transition is legal from the current state, apply the end state, write both logs."""
    starts, end = TRANSITIONS[transition]
    before = membership.status
    if before not in starts:
        raise IllegalTransition(
            "illegal_transition",
            _("A membership that is “%(status)s” cannot be %(action)s.") % {"status": S(before).label, "action": Transition(transition).label.lower()},
        )
    if end is not None:
        membership.status = end
    membership.save()
    MembershipEvent.objects.create(
        membership=membership,
        transition=transition,
        from_status=before,
        to_status=membership.status,
        step_name=step_name,
        note=note,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    record_event(
        actor=actor,
        action=f"membership.{transition}",
        obj=membership,
        organization=membership.society,
        old={"status": before},
        new={"status": membership.status, "note": note, "step": step_name, "number": membership.number, "class": membership.member_class_id},
    )
    return before


def tell(membership: Membership, subject, body: str = "") -> None:
    """A notice to the member (the person, or a group member's contact)."""
    person = membership.person if membership.person_id else membership.contact_person
    if person is None:
        return
    phone = ""
    if person.phone_sealed and "sms" in settings.NOTICE_SENDERS:
        from kejia.core import pii

        phone = pii.decrypt(person.phone_sealed)
    notify(
        kind="membership",
        subject=f"{membership.society.name}: {subject}",
        body=body,
        user=person.user,
        email=person.email,
        phone=phone,
        link=reverse("memberships:detail", args=[membership.pk]),
    )


def required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("Give a reason; the person will read it."), field="reason")
    return reason[:500]
