import datetime
from decimal import Decimal

import pytest

from kejia.core import notify
from kejia.core.errors import DomainError
from kejia.core.models import Notice
from kejia.memberships import dues
from kejia.memberships.choices import MembershipStatus, PaymentStatus, Transition
from kejia.memberships.models import Membership, MembershipEvent
from kejia.memberships.tests.conftest import make_person

pytestmark = pytest.mark.django_db

D = datetime.date
S = MembershipStatus


JOINED = D(2024, 3, 1)


def member(society, person, *, cls: str = "full", joined: datetime.date = JOINED, paid_through: datetime.date | None = None, number: str = "") -> Membership:
    """An active member as approval leaves one (number, joining date), with dues paid through a date."""
    n = Membership.objects.filter(society=society.org).count() + 1
    return Membership.objects.create(
        society=society.org,
        person=person,
        member_class=society.classes[cls],
        status=S.ACTIVE,
        number=number or f"SOC-T-{n:05d}",
        joined_on=joined,
        paid_through=paid_through,
    )


class FakeGateway(notify.SmsGateway):
    sent: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        FakeGateway.sent.append((phone, text))


def test_next_year_due_and_arrears(tree, society, applicant):
    m = member(society, applicant)
    assert dues.next_year_due(m, D(2026, 11, 23)) == 2024
    assert dues.arrears(m, D(2026, 11, 23)) == [(2024, Decimal("100.00")), (2025, Decimal("100.00")), (2026, Decimal("100.00"))]
    m.paid_through = D(2025, 12, 31)
    assert dues.next_year_due(m) == 2026
    assert dues.arrears(m, D(2026, 11, 23)) == [(2026, Decimal("100.00"))]
    student = member(society, make_person(tree, name="周八"), cls="student")
    assert dues.next_year_due(student) is None and dues.arrears(student, D(2026, 11, 23)) == []


def test_record_payment_in_order(tree, society, applicant):
    m = member(society, applicant)
    today = D(2026, 11, 23)
    with pytest.raises(DomainError) as err:
        dues.record_payment(m, actor=tree.society_secretary, year=2025, amount="100", today=today)
    assert err.value.code == "wrong_year"
    dues.record_payment(m, actor=tree.society_secretary, year=2024, amount="100", receipt_no="R-1", today=today)
    dues.record_payment(m, actor=tree.society_secretary, year=2025, amount="100", receipt_no="R-2", today=today)
    m.refresh_from_db()
    assert m.paid_through == D(2025, 12, 31)
    assert [p.year for p in m.payments.all()] == [2025, 2024]


def test_record_payment_wrong_year_or_amount(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2026, 12, 31))
    today = D(2026, 11, 23)
    with pytest.raises(DomainError) as err:
        dues.record_payment(m, actor=tree.society_secretary, year=2027, amount="50", today=today)
    assert err.value.code == "invalid_amount"
    with pytest.raises(DomainError) as err:
        dues.record_payment(m, actor=tree.society_secretary, year="next", amount="100", today=today)
    assert err.value.code == "invalid_year"
    with pytest.raises(DomainError) as err:
        dues.record_payment(m, actor=tree.society_secretary, year=2027, amount="100", method="barter", today=today)
    assert err.value.code == "invalid_method"
    p = dues.record_payment(m, actor=tree.society_secretary, year=2027, amount="100", today=today)  # one year ahead is fine
    with pytest.raises(DomainError) as err:
        dues.record_payment(m, actor=tree.society_secretary, year=2028, amount="100", today=today)
    assert err.value.code == "wrong_year" and p.amount == Decimal("100.00")


def test_record_payment_duplicate_receipt(tree, society, applicant):
    a = member(society, applicant)
    b = member(society, make_person(tree, name="吴九"))
    dues.record_payment(a, actor=tree.society_secretary, year=2024, amount="100", receipt_no="R-7", today=D(2026, 1, 5))
    with pytest.raises(DomainError) as err:
        dues.record_payment(b, actor=tree.society_secretary, year=2024, amount="100", receipt_no="R-7", today=D(2026, 1, 5))
    assert err.value.code == "duplicate_receipt" and err.value.field == "receipt_no"


def test_report_payment_then_confirm(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2025, 12, 31))
    today = D(2026, 2, 1)
    with pytest.raises(DomainError):
        dues.report_payment(m, actor=tree.worker, year=2026, reference="", today=today)
    p = dues.report_payment(m, actor=tree.worker, year=2026, reference="TX-42", today=today)
    m.refresh_from_db()
    assert p.status == PaymentStatus.PENDING and m.paid_through == D(2025, 12, 31)
    with pytest.raises(DomainError) as err:
        dues.report_payment(m, actor=tree.worker, year=2026, reference="TX-43", today=today)
    assert err.value.code == "already_paid"
    dues.confirm_payment(p, actor=tree.society_secretary, receipt_no="R-9", today=today)
    p.refresh_from_db()
    m.refresh_from_db()
    assert p.status == PaymentStatus.CONFIRMED and p.receipt_no == "R-9" and m.paid_through == D(2026, 12, 31)
    with pytest.raises(DomainError) as err:
        dues.confirm_payment(p, actor=tree.society_secretary, today=today)
    assert err.value.code == "not_pending"


def test_reject_payment_lets_the_member_report_again(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2025, 12, 31))
    p = dues.report_payment(m, actor=tree.worker, year=2026, reference="TX-1", today=D(2026, 2, 1))
    with pytest.raises(DomainError):
        dues.reject_payment(p, actor=tree.society_secretary, reason="")
    dues.reject_payment(p, actor=tree.society_secretary, reason="未到账")
    p.refresh_from_db()
    m.refresh_from_db()
    assert p.status == PaymentStatus.REJECTED and m.paid_through == D(2025, 12, 31)
    again = dues.report_payment(m, actor=tree.worker, year=2026, reference="TX-2", today=D(2026, 2, 3))
    assert again.status == PaymentStatus.PENDING


def test_dues_cycle_lapses_exactly_after_grace(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2025, 12, 31))
    assert society.rules.grace_days == 90
    last_day = D(2025, 12, 31) + datetime.timedelta(days=90)
    assert dues.run_dues_cycle(today=last_day)["lapsed"] == 0
    m.refresh_from_db()
    assert m.status == S.ACTIVE
    assert dues.run_dues_cycle(today=last_day + datetime.timedelta(days=1)) == {"lapsed": 1, "reminded": 0}
    m.refresh_from_db()
    assert m.status == S.LAPSED and m.ended_on == last_day + datetime.timedelta(days=1)
    assert MembershipEvent.objects.filter(membership=m, transition=Transition.LAPSE).count() == 1
    assert dues.run_dues_cycle(today=last_day + datetime.timedelta(days=2)) == {"lapsed": 0, "reminded": 0}


def test_dues_cycle_never_paid_member_lapses_from_joining(tree, society, applicant):
    m = member(society, applicant, joined=D(2026, 1, 10))
    assert dues.run_dues_cycle(today=D(2026, 1, 9) + datetime.timedelta(days=90))["lapsed"] == 0
    assert dues.run_dues_cycle(today=D(2026, 1, 9) + datetime.timedelta(days=91))["lapsed"] == 1
    m.refresh_from_db()
    assert m.status == S.LAPSED


def test_dues_cycle_reminds_once_per_expiry(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2026, 12, 31))
    assert dues.run_dues_cycle(today=D(2026, 11, 30)) == {"lapsed": 0, "reminded": 0}  # 31 days before: not yet
    assert dues.run_dues_cycle(today=D(2026, 12, 1)) == {"lapsed": 0, "reminded": 1}
    assert dues.run_dues_cycle(today=D(2026, 12, 1)) == {"lapsed": 0, "reminded": 0}
    assert dues.run_dues_cycle(today=D(2026, 12, 20)) == {"lapsed": 0, "reminded": 0}
    m.refresh_from_db()
    assert m.reminded_for == D(2026, 12, 31)
    assert Notice.objects.filter(user=tree.worker, kind="membership").count() == 1
    # Paying the next year moves the expiry: the next reminder is for the new one.
    dues.record_payment(m, actor=tree.society_secretary, year=2027, amount="100", today=D(2026, 12, 20))
    assert dues.run_dues_cycle(today=D(2027, 12, 5)) == {"lapsed": 0, "reminded": 1}


def test_lapsed_member_renews_by_paying(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2025, 12, 31))
    dues.run_dues_cycle(today=D(2026, 4, 1))
    m.refresh_from_db()
    assert m.status == S.LAPSED
    assert dues.arrears(m, D(2026, 5, 1)) == [(2026, Decimal("100.00"))]
    dues.record_payment(m, actor=tree.society_secretary, year=2026, amount="100", today=D(2026, 5, 1))
    m.refresh_from_db()
    assert m.status == S.ACTIVE and m.ended_on is None and m.paid_through == D(2026, 12, 31)
    assert MembershipEvent.objects.filter(membership=m, transition=Transition.RENEW).count() == 1


def test_lapsed_member_paying_an_old_year_stays_lapsed(tree, society, applicant):
    m = member(society, applicant, paid_through=D(2024, 12, 31))
    dues.run_dues_cycle(today=D(2026, 4, 1))
    dues.record_payment(m, actor=tree.society_secretary, year=2025, amount="100", today=D(2026, 5, 1))
    m.refresh_from_db()
    assert m.status == S.LAPSED  # still owes 2026
    dues.record_payment(m, actor=tree.society_secretary, year=2026, amount="100", today=D(2026, 5, 1))
    m.refresh_from_db()
    assert m.status == S.ACTIVE


def test_classes_without_dues_never_lapse(tree, society, applicant):
    m = member(society, applicant, cls="student", joined=D(2018, 9, 1))
    assert dues.run_dues_cycle(today=D(2026, 11, 23)) == {"lapsed": 0, "reminded": 0}
    m.refresh_from_db()
    assert m.status == S.ACTIVE
    assert dues.grace_ends(m) is None


def test_dues_cycle_sends_sms_through_the_gateway(tree, society, settings, django_capture_on_commit_callbacks):
    settings.NOTICE_SENDERS = ["console", "sms"]
    settings.SMS_GATEWAY = "kejia.memberships.tests.test_dues.FakeGateway"
    notify._senders.cache_clear()
    FakeGateway.sent = []
    try:
        person = make_person(tree, name="郑十", user=tree.worker, phone="13905140009")
        member(society, person, paid_through=D(2026, 12, 31))
        with django_capture_on_commit_callbacks(execute=True):
            assert dues.run_dues_cycle(today=D(2026, 12, 10))["reminded"] == 1
    finally:
        notify._senders.cache_clear()
    assert len(FakeGateway.sent) == 1
    phone, text = FakeGateway.sent[0]
    assert phone == "13905140009" and tree.soc.name in text
    notice = Notice.objects.get(user=tree.worker, kind="membership")
    assert notice.sent_via == ["console", "sms"]
    assert "13905140009" not in notice.body + notice.subject


def test_run_dues_cycle_command(tree, society, applicant, capsys):
    from django.core.management import call_command

    member(society, applicant, paid_through=D(2025, 12, 31))
    call_command("run_dues_cycle", "--today", "2026-04-01", "--json")
    assert '"lapsed": 1' in capsys.readouterr().out
    call_command("run_dues_cycle", "--today", "2026-04-02")
    assert "lapsed: 0" in capsys.readouterr().out


def test_dues_cycle_task(tree, society, applicant):
    from kejia.memberships.tasks import dues_cycle_task

    member(society, applicant, paid_through=D(2025, 12, 31))
    result = dues_cycle_task.enqueue("2026-04-01")
    assert result.return_value == {"lapsed": 1, "reminded": 0}
