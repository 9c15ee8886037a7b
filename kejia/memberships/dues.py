"""Dues: one payment per calendar year, paid in order; arrears; the grace period after which a
membership lapses; renewal reminders before expiry (seed 003 三.1: 确保会费正常收缴).

A member's dues are paid through `paid_through` (31 December of the last year paid). A new
member owes the year they joined. Past `paid_through` (or the joining date, when nothing is paid
yet) plus the society's grace days, the daily cycle lapses the membership; paying the owed years
renews it."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kejia.core.audit import record_event
from kejia.core.errors import DomainError
from kejia.memberships import transitions, workflow
from kejia.memberships.choices import MembershipStatus, PaymentMethod, PaymentStatus, Transition
from kejia.memberships.models import DuesPayment, Membership, MembershipRules
from kejia.memberships.periods import (  # noqa: F401 (this module's API too)
    PAYABLE_STATUSES,
    arrears,
    certificate_validity,
    expiry_base,
    grace_ends,
    next_year_due,
    year_end,
)

S = MembershipStatus


def _check_year(membership: Membership, year: Any, today: datetime.date) -> int:
    due = next_year_due(membership, today)
    if due is None:
        raise DomainError("no_dues", _("This member class has no dues."), field="year")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("invalid_year", _("Enter a year, e.g. %(year)s.") % {"year": due}, field="year") from None
    if year != due:
        raise DomainError("wrong_year", _("Dues are paid year by year: the next year to pay is %(year)s.") % {"year": due}, field="year")
    if year > today.year + 1:
        raise DomainError("wrong_year", _("Dues can be paid at most one year ahead."), field="year")
    return year


def _check_amount(membership: Membership, amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("invalid_amount", _("Enter an amount in yuan."), field="amount") from None
    if not value.is_finite() or value < membership.member_class.annual_dues or value >= Decimal("100000000"):
        raise DomainError("invalid_amount", _("The dues of this class are %(amount)s yuan.") % {"amount": membership.member_class.annual_dues}, field="amount")
    return value


def _payable(membership: Membership) -> None:
    if membership.status not in PAYABLE_STATUSES:
        raise DomainError("not_payable", _("Dues are paid only by members (active, lapsed or suspended)."))


def _credit(membership: Membership, payment: DuesPayment, *, actor, today: datetime.date) -> None:
    """A confirmed payment moves paid_through; a lapsed member who is paid up again is renewed."""
    membership.paid_through = year_end(payment.year)
    membership.reminded_for = None
    membership.save(update_fields=["paid_through", "reminded_for", "updated_at"])
    if membership.status == S.LAPSED and membership.paid_through >= today:
        membership.ended_on = None
        membership.reason = ""
        workflow.move(membership, Transition.RENEW, actor=actor, note=gettext("Dues paid for %(year)s") % {"year": payment.year})
        workflow.tell(membership, gettext("Membership renewed"), gettext("Thank you. Your dues are paid through %(date)s.") % {"date": membership.paid_through})


def _save_payment(payment: DuesPayment) -> DuesPayment:
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:
        if payment.receipt_no and DuesPayment.objects.filter(society=payment.society, receipt_no=payment.receipt_no).exists():
            raise DomainError(
                "duplicate_receipt", _("Receipt number %(no)s is already used in this society.") % {"no": payment.receipt_no}, field="receipt_no"
            ) from None
        raise DomainError(
            "already_paid", _("A payment for %(year)s is already recorded or waiting for confirmation.") % {"year": payment.year}, field="year"
        ) from None
    return payment


def _parse_date(value: Any, field: str, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.date):
        day = value
    else:
        try:
            day = datetime.date.fromisoformat(str(value or today.isoformat()).strip())
        except ValueError:
            raise DomainError("invalid_date", _("Enter a date as YYYY-MM-DD."), field=field) from None
    if day > today:
        raise DomainError("invalid_date", _("The payment date cannot be in the future."), field=field)
    return day


@transaction.atomic
def record_payment(
    membership: Membership,
    *,
    actor,
    year: Any,
    amount: Any,
    paid_on: Any = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    receipt_no: str = "",
    reference: str = "",
    today: datetime.date | None = None,
) -> DuesPayment:
    """Staff record dues received (cash at a meeting, a transfer seen on the account)."""
    today = today or workflow.today()
    membership = workflow.locked(membership)
    workflow.require_manager(membership.society, actor)
    _payable(membership)
    if method not in PaymentMethod.values:
        raise DomainError("invalid_method", _("Choose a payment method from the list."), field="method")
    payment = DuesPayment(
        society=membership.society,
        membership=membership,
        year=_check_year(membership, year, today),
        amount=_check_amount(membership, amount),
        paid_on=_parse_date(paid_on, "paid_on", today),
        method=method,
        receipt_no=(receipt_no or "").strip()[:40],
        reference=(reference or "").strip()[:64],
        status=PaymentStatus.CONFIRMED,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    _save_payment(payment)
    record_event(
        actor=actor,
        action="dues.recorded",
        obj=membership,
        organization=membership.society,
        new={"year": payment.year, "amount": payment.amount, "method": method, "receipt_no": payment.receipt_no},
    )
    _credit(membership, payment, actor=actor, today=today)
    return payment


@transaction.atomic
def report_payment(
    membership: Membership,
    *,
    actor,
    year: Any,
    paid_on: Any = None,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    today: datetime.date | None = None,
) -> DuesPayment:
    """The member reports a payment they made (a transfer); staff confirm it when it arrives."""
    today = today or workflow.today()
    membership = workflow.locked(membership)
    workflow.require_own(membership, actor)
    _payable(membership)
    reference = (reference or "").strip()[:64]
    if not reference:
        raise DomainError("reference_required", _("Give the transfer's reference so staff can find it."), field="reference")
    payment = DuesPayment(
        society=membership.society,
        membership=membership,
        year=_check_year(membership, year, today),
        amount=membership.member_class.annual_dues,
        paid_on=_parse_date(paid_on, "paid_on", today),
        method=method if method in PaymentMethod.values else PaymentMethod.OTHER,
        reference=reference,
        status=PaymentStatus.PENDING,
        recorded_by=actor,
    )
    _save_payment(payment)
    record_event(
        actor=actor,
        action="dues.reported",
        obj=membership,
        organization=membership.society,
        new={"year": payment.year, "amount": payment.amount, "reference": reference},
    )
    return payment


def _locked_payment(payment: DuesPayment) -> DuesPayment:
    return DuesPayment.objects.select_for_update(of=("self",)).select_related("membership").get(pk=payment.pk)


@transaction.atomic
def confirm_payment(payment: DuesPayment, *, actor, receipt_no: str = "", today: datetime.date | None = None) -> DuesPayment:
    today = today or workflow.today()
    payment = _locked_payment(payment)
    membership = workflow.locked(payment.membership)
    if actor is not None:
        workflow.require_manager(membership.society, actor)
    if payment.status != PaymentStatus.PENDING:
        raise DomainError("not_pending", _("This payment is not waiting for confirmation."))
    if next_year_due(membership, today) != payment.year:
        raise DomainError("wrong_year", _("Dues for %(year)s are already paid.") % {"year": payment.year})
    payment.status = PaymentStatus.CONFIRMED
    payment.receipt_no = (receipt_no or payment.receipt_no or "").strip()[:40]
    _save_payment(payment)
    record_event(
        actor=actor,
        action="dues.confirmed",
        obj=membership,
        organization=membership.society,
        new={"year": payment.year, "amount": payment.amount, "receipt_no": payment.receipt_no, "reference": payment.reference},
    )
    _credit(membership, payment, actor=actor, today=today)
    workflow.tell(
        membership,
        gettext("Dues received"),
        gettext("Dues for %(year)s: %(amount)s yuan, receipt %(no)s.") % {"year": payment.year, "amount": payment.amount, "no": payment.receipt_no or "-"},
    )
    return payment


@transaction.atomic
def reject_payment(payment: DuesPayment, *, actor, reason: str) -> DuesPayment:
    payment = _locked_payment(payment)
    membership = payment.membership
    workflow.require_manager(membership.society, actor)
    reason = workflow.required_reason(reason)
    if payment.status != PaymentStatus.PENDING:
        raise DomainError("not_pending", _("This payment is not waiting for confirmation."))
    payment.status = PaymentStatus.REJECTED
    payment.save(update_fields=["status", "updated_at"])
    record_event(actor=actor, action="dues.rejected", obj=membership, organization=membership.society, new={"year": payment.year, "reason": reason})
    workflow.tell(membership, gettext("Dues payment not found"), reason)
    return payment


# ---- online payment ---------------------------------------------------------------------------


class OfflineGateway:
    """No online payment: the member reports a transfer (`report_payment`)."""

    online = False

    def start(self, payment: DuesPayment) -> str:  # pragma: no cover - not reachable when online is False
        raise NotImplementedError


class SandboxGateway:
    """A stand-in for a payment provider, for the demo and tests: it accepts every payment at
    once. A real adapter (WeChat Pay, Alipay, UnionPay) implements `start`, returns the
    provider's transaction reference, and calls `confirm_payment` from its notification view."""

    online = True

    def start(self, payment: DuesPayment) -> str:
        return f"SANDBOX-{payment.pk:08d}"


GATEWAYS = {"offline": OfflineGateway, "sandbox": SandboxGateway}


def gateway():
    name = settings.PAYMENT_GATEWAY
    return GATEWAYS[name]() if name in GATEWAYS else import_string(name)()


def pay_online(membership: Membership, *, actor, today: datetime.date | None = None) -> DuesPayment:
    """The member pays the next year due through the configured gateway."""
    gw = gateway()
    if not gw.online:
        raise DomainError("no_online_payment", _("Online payment is not available; report your bank transfer instead."))
    today = today or workflow.today()
    with transaction.atomic():
        membership = workflow.locked(membership)
        workflow.require_own(membership, actor)
        _payable(membership)
        payment = _save_payment(
            DuesPayment(
                society=membership.society,
                membership=membership,
                year=_check_year(membership, next_year_due(membership, today), today),
                amount=membership.member_class.annual_dues,
                paid_on=today,
                method=PaymentMethod.ONLINE,
                status=PaymentStatus.PENDING,
                recorded_by=actor,
            )
        )
        payment.reference = gw.start(payment)[:64]
        payment.save(update_fields=["reference", "updated_at"])
        record_event(
            actor=actor,
            action="dues.online_started",
            obj=membership,
            organization=membership.society,
            new={"year": payment.year, "amount": payment.amount, "reference": payment.reference},
        )
    if isinstance(gw, SandboxGateway):
        payment = confirm_payment(payment, actor=None, receipt_no=payment.reference, today=today)
    return payment


# ---- the daily cycle --------------------------------------------------------------------------


def run_dues_cycle(*, today: datetime.date | None = None) -> dict[str, int]:
    """Lapse memberships past their grace period and send renewal reminders. Idempotent: run it
    daily (`manage.py run_dues_cycle`); a second run the same day does nothing."""
    today = today or workflow.today()
    lapsed = reminded = 0
    rules_by_society = {r.society_id: r for r in MembershipRules.objects.all()}
    default_rules = MembershipRules()
    candidates = (
        Membership.objects.filter(status=S.ACTIVE, member_class__annual_dues__gt=0)
        .filter(Q(paid_through__isnull=True) | Q(paid_through__lt=today + datetime.timedelta(days=400)))
        .select_related("member_class", "society", "person", "contact_person")
        .order_by("pk")
    )
    for membership in candidates.iterator(chunk_size=500):
        rules = rules_by_society.get(membership.society_id, default_rules)
        base = expiry_base(membership)
        if base is None:
            continue
        if today > base + datetime.timedelta(days=rules.grace_days):
            lapse = transitions.lapse_membership(membership, today=today)
            lapsed += lapse.status == S.LAPSED
            continue
        if today >= base - datetime.timedelta(days=rules.reminder_days) and membership.reminded_for != base:
            with transaction.atomic():
                updated = Membership.objects.filter(pk=membership.pk, status=S.ACTIVE).exclude(reminded_for=base).update(reminded_for=base)
                if updated:
                    due = next_year_due(membership, today)
                    workflow.tell(
                        membership,
                        gettext("Dues reminder"),
                        gettext("Your dues for %(year)s (%(amount)s yuan) are due by %(date)s.")
                        % {"year": due, "amount": membership.member_class.annual_dues, "date": base + datetime.timedelta(days=rules.grace_days)},
                    )
                    reminded += 1
    return {"lapsed": lapsed, "reminded": reminded}
