"""The named transitions of a membership after the application: the approval steps (and the
member number), rejection, a request for more information; class transfer, suspension,
reinstatement, termination, resignation, lapse and readmission. Each runs in one transaction,
writes an audit event and a membership event, and notifies the person after commit."""

import datetime

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError, PermissionDenied
from kejia.memberships import numbering, workflow
from kejia.memberships.certificates import revoke_certificates
from kejia.memberships.choices import LIVE_STATUSES, MembershipStatus, Transition
from kejia.memberships.models import MemberClass, Membership, MembershipRules
from kejia.memberships.workflow import (
    check_eligibility,
    is_own,
    locked,
    missing_documents,
    move,
    require_manager,
    require_own,
    required_reason,
    rules_of,
    tell,
)

S = MembershipStatus


def assign_number(membership: Membership, *, year: int) -> str:
    """The society's next member number, skipping any already taken (e.g. by an import)."""
    rules = MembershipRules.objects.select_for_update().filter(pk=rules_of(membership.society).pk).get()
    while True:
        number = numbering.format_number(
            rules.number_format, code=membership.society.code, year=year, class_code=membership.member_class.code, seq=rules.next_seq
        )
        rules.next_seq += 1
        if len(number) > numbering.MAX_LENGTH:
            raise DomainError(
                "number_too_long",
                _("The society's member number format gives numbers longer than %(n)s characters: shorten it in the membership rules.")
                % {"n": numbering.MAX_LENGTH},
            )
        if not Membership.objects.filter(society=membership.society, number=number).exists():
            break
    rules.save(update_fields=["next_seq", "updated_at"])
    return number


@transaction.atomic
def approve_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    """Pass the current approval step; the last step makes the person a member with a number."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    if membership.status == S.APPLIED and is_own(membership, actor):
        raise PermissionDenied(_("Nobody decides their own application."))
    steps = membership.member_class.approval_steps or [gettext("Approval")]
    step_name = steps[min(membership.step, len(steps) - 1)]
    if membership.status == S.APPLIED and membership.step < len(steps) - 1:
        membership.step += 1
        move(membership, Transition.APPROVE_STEP, actor=actor, note=note, step_name=step_name)
        return membership
    if membership.status == S.APPLIED:
        missing = missing_documents(membership) if membership.person_id else []
        if missing:
            raise DomainError("documents_missing", _("Documents still missing: %(names)s") % {"names": "、".join(missing)})
        today = workflow.today()
        membership.joined_on = today
        membership.ended_on = None
        membership.reason = ""
        if not membership.number:
            membership.number = assign_number(membership, year=today.year)
    move(membership, Transition.APPROVE, actor=actor, note=note, step_name=step_name)
    body = gettext("Welcome. Your member number is %(number)s.") % {"number": membership.number}
    if membership.member_class.has_dues:
        body += " " + gettext("Dues for %(year)s: %(amount)s yuan.") % {"year": membership.joined_on.year, "amount": membership.member_class.annual_dues}
    tell(membership, gettext("Membership approved"), body)
    return membership


def _decide_with_reason(membership: Membership, actor, reason: str, transition: str, subject: str) -> Membership:
    """A decision on an application that the applicant is told the reason of (reject, ask for more)."""
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    if is_own(membership, actor):
        raise PermissionDenied(_("Nobody decides their own application."))
    membership.reason = reason
    move(membership, transition, actor=actor, note=reason)
    tell(membership, subject, reason)
    return membership


@transaction.atomic
def reject_membership(membership: Membership, *, actor, reason: str) -> Membership:
    return _decide_with_reason(membership, actor, reason, Transition.REJECT, gettext("Application not accepted"))


@transaction.atomic
def request_more_information(membership: Membership, *, actor, reason: str) -> Membership:
    return _decide_with_reason(membership, actor, reason, Transition.ASK_MORE, gettext("More information needed for your application"))


@transaction.atomic
def transfer_membership(membership: Membership, *, actor, member_class: MemberClass, note: str = "") -> Membership:
    """Move an active member to another class of the same society (e.g. student → full on
    graduation). The member number stays; eligibility of the new class is checked."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    if member_class.society_id != membership.society_id or member_class.for_groups != membership.member_class.for_groups:
        raise DomainError("wrong_class", _("Choose another class of this society for the same kind of member."), field="member_class")
    if member_class.pk == membership.member_class_id:
        raise DomainError("same_class", _("The member is already in this class."), field="member_class")
    if membership.person_id:
        check_eligibility(member_class, membership.person, is_student=member_class.requires_student, years_in_field=membership.years_in_field)
    old_class = membership.member_class
    membership.member_class = member_class
    membership.is_student = member_class.requires_student
    move(membership, Transition.TRANSFER, actor=actor, note=note or f"{old_class.name} → {member_class.name}")
    _revoke(membership, gettext("Class changed"))
    tell(membership, gettext("Member class changed"), f"{old_class.name} → {member_class.name}")
    return membership


def _revoke(membership: Membership, reason: str) -> None:
    revoke_certificates(membership, reason=reason)


def _end(membership: Membership, transition: str, *, actor, reason: str, subject) -> Membership:
    membership.reason = reason
    membership.ended_on = workflow.today()
    move(membership, transition, actor=actor, note=reason)
    _revoke(membership, str(Transition(transition).label))
    tell(membership, subject, reason)
    return membership


@transaction.atomic
def suspend_membership(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    membership.reason = reason
    move(membership, Transition.SUSPEND, actor=actor, note=reason)
    _revoke(membership, gettext("Suspended"))
    tell(membership, gettext("Membership suspended"), reason)
    return membership


@transaction.atomic
def reinstate_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    membership = locked(membership)
    require_manager(membership.society, actor)
    membership.reason = ""
    move(membership, Transition.REINSTATE, actor=actor, note=note)
    tell(membership, gettext("Membership reinstated"), note)
    return membership


@transaction.atomic
def terminate_membership(membership: Membership, *, actor, reason: str) -> Membership:
    reason = required_reason(reason)
    membership = locked(membership)
    require_manager(membership.society, actor)
    return _end(membership, Transition.TERMINATE, actor=actor, reason=reason, subject=gettext("Membership terminated"))


@transaction.atomic
def resign_membership(membership: Membership, *, actor, reason: str = "") -> Membership:
    membership = locked(membership)
    require_own(membership, actor)
    return _end(membership, Transition.RESIGN, actor=actor, reason=(reason or "").strip()[:500], subject=gettext("Resignation received"))


@transaction.atomic
def lapse_membership(membership: Membership, *, actor=None, today: datetime.date | None = None) -> Membership:
    """Dues unpaid past the grace period (run by the daily dues cycle, `dues.run_dues_cycle`)."""
    membership = locked(membership)
    membership.ended_on = today or workflow.today()
    membership.reason = gettext("Dues unpaid after the grace period")
    move(membership, Transition.LAPSE, actor=actor, note=membership.reason)
    _revoke(membership, gettext("Lapsed"))
    tell(membership, gettext("Membership lapsed"), gettext("Your dues are unpaid after the grace period. Pay them to renew your membership."))
    return membership


@transaction.atomic
def readmit_membership(membership: Membership, *, actor, note: str = "") -> Membership:
    """Take back a former member with their old number (a lapsed member may instead renew by paying)."""
    membership = locked(membership)
    require_manager(membership.society, actor)
    member = {"person": membership.person_id} if membership.person_id else {"unit": membership.unit_id}
    if Membership.objects.filter(society=membership.society, status__in=LIVE_STATUSES, **member).exclude(pk=membership.pk).exists():
        raise DomainError("already_member", _("This person already has another application or membership of this society."))
    membership.ended_on = None
    membership.reason = ""
    membership.joined_on = membership.joined_on or workflow.today()
    membership.dues_clock_from = workflow.today()  # unpaid dues are owed again, with a fresh grace period
    membership.reminded_for = None
    move(membership, Transition.READMIT, actor=actor, note=note)
    tell(membership, gettext("Membership restored"), note)
    return membership
