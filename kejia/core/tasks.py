"""Background work of the core app: handing a stored notice to its senders (SMS, e-mail, console)
in the task worker (`manage.py db_worker`), never inside the request that wrote it."""

from django_tasks import task


@task()
def deliver_notice(notice_id: int, phone_sealed: str = "") -> list[str]:
    """Send notice `notice_id` through settings.NOTICE_SENDERS. The phone travels sealed (the task
    queue is a table: no phone number in clear in it) and is opened only here."""
    from kejia.core import pii
    from kejia.core.notify import deliver

    phone = pii.decrypt(phone_sealed) if phone_sealed else ""
    return deliver(notice_id, phone)
