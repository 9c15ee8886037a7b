"""Notices: stored at once, handed to the senders after commit; the SMS provider is outside the
system, so a fake gateway class stands in for it."""

import pytest
from django.db import transaction

from kejia.core import notify
from kejia.core.models import Notice
from kejia.memberships import applications
from kejia.memberships.tests.conftest import make_person

pytestmark = pytest.mark.django_db

HERE = __name__


class FakeGateway:
    sent: list = []

    def send_sms(self, phone: str, text: str) -> None:
        FakeGateway.sent.append((phone, text))


class FailingGateway:
    def send_sms(self, phone: str, text: str) -> None:
        raise ConnectionError("provider down")


class BrokenSender:
    name = "broken"

    def send(self, notice, *, phone=""):
        raise RuntimeError("boom")


class UnbuildableSender:
    def __init__(self):
        raise RuntimeError("no credentials configured")


@pytest.fixture(autouse=True)
def senders(settings):
    FakeGateway.sent = []
    notify._senders.cache_clear()
    settings.NOTICE_SENDERS = ["console"]
    settings.SMS_GATEWAY = f"{HERE}.FakeGateway"
    yield settings
    notify._senders.cache_clear()


def test_notify_stores_notice_and_delivers_on_commit(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice = notify.notify(kind="test", subject="你好" * 150, body="Body", user=tree.worker, link="/x/")
    stored = Notice.objects.get(pk=notice.pk)
    assert (stored.user, stored.kind, stored.body, stored.link, stored.sent_via) == (tree.worker, "test", "Body", "/x/", [])
    assert len(stored.subject) == 200
    assert len(callbacks) == 1
    callbacks[0]()
    stored.refresh_from_db()
    assert stored.sent_via == ["console"]


def test_notify_without_user_keeps_email(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify.notify(kind="test", subject="Hi", user=None, email="a@example.cn")
    notice.refresh_from_db()
    assert (notice.user, notice.email, notice.sent_via) == (None, "a@example.cn", ["console"])


def test_notify_by_email_sender(tree, senders, mailoutbox, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = ["email"]
    senders.SITE_URL = "https://kejia.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify.notify(kind="test", subject="Hi", body="Body", email="a@example.cn", link="/m/1/")
        notify.notify(kind="test", subject="Nobody", body="Body")  # no address: not sent
    assert [(m.to, m.subject) for m in mailoutbox] == [(["a@example.cn"], "Hi")]
    assert mailoutbox[0].body == "Body\n\nhttps://kejia.example.cn/m/1/"
    assert list(Notice.objects.order_by("id").values_list("sent_via", flat=True)) == [["email"], []]


def test_notify_failing_sender_does_not_stop_others(tree, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = [f"{HERE}.BrokenSender", "console"]
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify.notify(kind="test", subject="Hi", user=tree.worker)
    notice.refresh_from_db()
    assert notice.sent_via == ["console"]


def test_notify_unbuildable_sender_does_not_stop_others(tree, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = [f"{HERE}.UnbuildableSender", "console", "sms"]
    senders.SMS_GATEWAY = f"{HERE}.NoSuchGateway"
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify.notify(kind="test", subject="Hi", user=tree.worker, phone="13912340009")
    notice.refresh_from_db()
    assert notice.sent_via == ["console"]


def test_notify_by_sms_through_gateway(tree, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = ["console", "sms"]
    with django_capture_on_commit_callbacks(execute=True):
        with_phone = notify.notify(kind="test", subject="Code 1234", user=tree.worker, phone="13912340009")
        without = notify.notify(kind="test", subject="No phone", user=tree.worker)
    with_phone.refresh_from_db()
    without.refresh_from_db()
    assert FakeGateway.sent == [("13912340009", "Code 1234")]
    assert (with_phone.sent_via, without.sent_via) == (["console", "sms"], ["console"])


def test_notify_failing_gateway_keeps_notice(tree, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = ["sms", "console"]
    senders.SMS_GATEWAY = f"{HERE}.FailingGateway"
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify.notify(kind="test", subject="Hi", user=tree.worker, phone="13912340009")
    notice.refresh_from_db()
    assert notice.sent_via == ["console"]


def test_notify_not_delivered_when_transaction_rolls_back(tree, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = ["sms"]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify.notify(kind="test", subject="Hi", user=tree.worker, phone="13912340009")
            raise RuntimeError("the change failed")
    assert callbacks == [] and FakeGateway.sent == [] and not Notice.objects.exists()


def test_membership_notice_reaches_phone_of_person(tree, society, senders, django_capture_on_commit_callbacks):
    senders.NOTICE_SENDERS = ["console", "sms"]
    person = make_person(tree, user=tree.worker, phone="13912340009")
    with django_capture_on_commit_callbacks(execute=True):
        m = applications.apply_for_membership(actor=tree.worker, society=tree.soc, member_class=society.classes["full"], person=person)
    notice = Notice.objects.get(user=tree.worker)
    assert notice.kind == "membership" and notice.subject.startswith(tree.soc.name)
    assert notice.link.endswith(f"/{m.pk}/")
    assert notice.sent_via == ["console", "sms"]
    assert FakeGateway.sent == [("13912340009", notice.subject)]
