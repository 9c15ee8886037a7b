"""Notices are sent by the task worker after the commit, not in the request: the request writes the
Notice row and queues a task (the database backend here, as in production); nothing reaches the
SMS gateway until the worker runs the task. Only the gateway is replaced."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from kejia.core import notify
from kejia.core.models import Notice
from kejia.core.testing.notices import FakeSmsGateway

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def db_queue(settings):
    notify._senders.cache_clear()
    FakeSmsGateway.sent = []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.NOTICE_SENDERS = ["console", "sms"]
    settings.SMS_GATEWAY = "kejia.core.testing.notices.FakeSmsGateway"
    yield settings
    notify._senders.cache_clear()


def test_notice_is_queued_after_commit_and_sent_by_the_worker(db_queue):
    with transaction.atomic():
        notice = notify.notify(kind="test", subject="Code 123456", phone="13912340009")
        # Inside the transaction: the row is written, nothing is queued yet.
        assert Notice.objects.filter(pk=notice.pk).exists()
        assert not DBTaskResult.objects.exists()
    task = DBTaskResult.objects.get()
    assert task.task_path == "kejia.core.notify.deliver_notice"
    # The queue is a table: the phone number is not in it in clear.
    assert "13912340009" not in str(task.args_kwargs)
    assert FakeSmsGateway.sent == []
    notice.refresh_from_db()
    assert notice.sent_via == []

    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert FakeSmsGateway.sent == [("13912340009", "Code 123456")]
    notice.refresh_from_db()
    assert notice.sent_via == ["console", "sms"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_rolled_back_change_queues_nothing(db_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify.notify(kind="test", subject="Hi", phone="13912340009")
        raise RuntimeError("the change failed")
    assert not DBTaskResult.objects.exists() and not Notice.objects.exists()
