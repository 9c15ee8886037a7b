"""Notices to people, through pluggable senders.

`notify()` stores a Notice (the person reads it in Kejia, in the inbox behind the bell) in the
surrounding transaction and, once that commits, queues a background task
(deliver_notice below, django-tasks) that hands it to each sender named in
settings.NOTICE_SENDERS in the task worker: a slow or failing gateway never holds up a request. Senders are small classes
with `send(notice, *, phone="")`: the console sender logs, the e-mail sender uses Django's mail
backend, and an SMS sender is any class implementing `SmsGateway.send_sms` (a provider's API is
outside the system; tests replace it)."""

import logging
from functools import lru_cache

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

from kejia.core import pii
from kejia.core.models import Notice

log = logging.getLogger("kejia.notices")


class ConsoleSender:
    name = "console"

    def send(self, notice: Notice, *, phone: str = "") -> bool:
        # A one-time code (kinds ending in "code") is what a developer or a demo needs to see even
        # at the default log level; with the console sender alone it reaches nobody else.
        level = logging.WARNING if notice.kind.endswith("code") else logging.INFO
        log.log(level, "notice to user=%s email=%s: %s", notice.user_id, notice.email or "-", notice.subject)
        return True


class EmailSender:
    name = "email"

    def send(self, notice: Notice, *, phone: str = "") -> bool:
        address = notice.email or (notice.user.email if notice.user_id else "")
        if not address:
            return False
        body = notice.body + (f"\n\n{settings.SITE_URL}{notice.link}" if notice.link else "")
        send_mail(notice.subject, body, None, [address], fail_silently=True)
        return True


class SmsGateway:
    """The interface an SMS provider adapter implements."""

    def send_sms(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SmsSender:
    name = "sms"

    def __init__(self, gateway: SmsGateway | None = None):
        self.gateway = gateway or import_string(settings.SMS_GATEWAY)()

    def send(self, notice: Notice, *, phone: str = "") -> bool:
        if not phone:
            return False
        self.gateway.send_sms(phone, notice.subject)
        return True


SENDERS = {"console": ConsoleSender, "email": EmailSender, "sms": SmsSender}


@lru_cache(maxsize=4)
def _senders(names: tuple[str, ...]) -> list:
    built = []
    for name in names:
        try:
            built.append(SENDERS[name]() if name in SENDERS else import_string(name)())
        except Exception:  # a misconfigured sender (bad gateway path) must not silence the others
            log.exception("notice sender %s cannot be built", name)
    return built


def senders() -> list:
    return _senders(tuple(settings.NOTICE_SENDERS))


def deliver(notice_id: int, phone: str) -> list[str]:
    """Hand notice `notice_id` to every sender; the names of those that took it (also stored in
    Notice.sent_via). Runs in the task worker (deliver_notice)."""
    notice = Notice.objects.select_related("user").filter(pk=notice_id).first()
    if notice is None:
        return []
    used = []
    for sender in senders():
        try:
            if sender.send(notice, phone=phone):
                used.append(sender.name)
        except Exception:  # a gateway failing must not undo the change the notice is about
            log.exception("notice %s: sender %s failed", notice_id, getattr(sender, "name", sender))
    if used:
        Notice.objects.filter(pk=notice_id).update(sent_via=used)
    return used


@task()
def deliver_notice(notice_id: int, phone_sealed: str = "") -> list[str]:
    """The background task: send notice `notice_id` through settings.NOTICE_SENDERS. The phone
    travels sealed (the task queue is a table: no phone number in clear in it) and is opened
    only here."""
    phone = pii.decrypt(phone_sealed) if phone_sealed else ""
    return deliver(notice_id, phone)


def _enqueue(notice_id: int, phone_sealed: str) -> None:
    try:
        deliver_notice.enqueue(notice_id, phone_sealed)
    except Exception:  # the change the notice is about is committed: a queue failure must not turn it into a 500
        log.exception("notice %s could not be queued for sending", notice_id)


def notify(*, kind: str, subject: str, body: str = "", user=None, email: str = "", phone: str = "", link: str = "") -> Notice:
    """Store a notice and, after commit, queue its sending. `phone` is plaintext, used only by SMS
    senders; it is never stored on the notice and travels to the worker sealed."""
    notice = Notice.objects.create(
        user=user if getattr(user, "pk", None) else None, email=email, subject=str(subject)[:200], body=str(body), link=link, kind=kind
    )
    sealed = pii.encrypt(phone) if phone else ""
    transaction.on_commit(lambda: _enqueue(notice.pk, sealed))
    return notice
