"""The states, kinds and named transitions of a membership (seed 003 三.1: classes with their own
duties, rights and approval procedure)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kejia.core.signing import CertificateState  # noqa: F401 (the certificate states are shared by every kind)


class ClassKind(models.TextChoices):
    SENIOR = "senior", _("Senior member (资深会员)")
    FULL = "full", _("Full member (正会员)")
    STUDENT = "student", _("Student member (学生会员)")
    HONORARY = "honorary", _("Honorary member")
    FOREIGN = "foreign", _("Foreign member")
    GROUP = "group", _("Group (unit) member")


class MembershipStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, under review")
    NEEDS_INFO = "needs_info", _("More information asked")
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed (dues unpaid)")
    SUSPENDED = "suspended", _("Suspended")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Application withdrawn")
    RESIGNED = "resigned", _("Resigned")
    TERMINATED = "terminated", _("Terminated")


# A person holds at most one membership in one of these states per society.
LIVE_STATUSES = (MembershipStatus.APPLIED, MembershipStatus.NEEDS_INFO, MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.SUSPENDED)
PENDING_STATUSES = (MembershipStatus.APPLIED, MembershipStatus.NEEDS_INFO)
# States in which a member number has been given and is kept.
MEMBER_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.LAPSED, MembershipStatus.SUSPENDED, MembershipStatus.RESIGNED, MembershipStatus.TERMINATED)


class Transition(models.TextChoices):
    APPLY = "apply", _("Applied")
    APPROVE_STEP = "approve_step", _("Approval step passed")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    ASK_MORE = "ask_more", _("More information asked")
    SUPPLY = "supply", _("Information supplied")
    WITHDRAW = "withdraw", _("Application withdrawn")
    TRANSFER = "transfer", _("Class changed")
    SUSPEND = "suspend", _("Suspended")
    REINSTATE = "reinstate", _("Reinstated")
    LAPSE = "lapse", _("Lapsed")
    RENEW = "renew", _("Renewed")
    RESIGN = "resign", _("Resigned")
    TERMINATE = "terminate", _("Terminated")
    READMIT = "readmit", _("Readmitted")


S = MembershipStatus
# transition -> (states it may start from, state it ends in; None = unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Transition.APPROVE_STEP: (frozenset({S.APPLIED}), S.APPLIED),
    Transition.APPROVE: (frozenset({S.APPLIED}), S.ACTIVE),
    Transition.REJECT: (frozenset({S.APPLIED, S.NEEDS_INFO}), S.REJECTED),
    Transition.ASK_MORE: (frozenset({S.APPLIED}), S.NEEDS_INFO),
    Transition.SUPPLY: (frozenset({S.NEEDS_INFO}), S.APPLIED),
    Transition.WITHDRAW: (frozenset({S.APPLIED, S.NEEDS_INFO}), S.WITHDRAWN),
    Transition.TRANSFER: (frozenset({S.ACTIVE}), None),
    Transition.SUSPEND: (frozenset({S.ACTIVE}), S.SUSPENDED),
    Transition.REINSTATE: (frozenset({S.SUSPENDED}), S.ACTIVE),
    Transition.LAPSE: (frozenset({S.ACTIVE}), S.LAPSED),
    Transition.RENEW: (frozenset({S.LAPSED}), S.ACTIVE),
    Transition.RESIGN: (frozenset({S.ACTIVE, S.SUSPENDED, S.LAPSED}), S.RESIGNED),
    Transition.TERMINATE: (frozenset({S.ACTIVE, S.SUSPENDED, S.LAPSED}), S.TERMINATED),
    Transition.READMIT: (frozenset({S.LAPSED, S.RESIGNED, S.TERMINATED}), S.ACTIVE),
}
del S


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ONLINE = "online", _("Online payment")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CASH = "cash", _("Cash")
    PAYROLL = "payroll", _("Paid by employer")
    OTHER = "other", _("Other")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not received")
