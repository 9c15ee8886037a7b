"""A person's notice inbox: the notices addressed to their account (kejia.core.Notice), newest
first, read and unread. Scope: an account sees and marks only its own notices; another account's
notice answers "not found", like an id that does not exist. Notices that carry a one-time code
belong to no account (kejia.core.notify), so they never appear here."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from kejia.core.errors import NotFound
from kejia.core.models import Notice


def notices_of(user, *, unread_only: bool = False) -> QuerySet[Notice]:
    if not getattr(user, "pk", None):
        return Notice.objects.none()
    qs = Notice.objects.filter(user=user).order_by("-created_at", "-pk")
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(user) -> int:
    return notices_of(user, unread_only=True).count()


def get_notice_for(user, pk: int) -> Notice:
    notice = notices_of(user).filter(pk=pk).first()
    if notice is None:
        raise NotFound()
    return notice


def mark_read(user, pk: int) -> Notice:
    notice = get_notice_for(user, pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=notice.read_at)
    return notice


def mark_unread(user, pk: int) -> Notice:
    notice = get_notice_for(user, pk)
    notice.read_at = None
    Notice.objects.filter(pk=notice.pk).update(read_at=None)
    return notice


def mark_all_read(user) -> int:
    """Mark every unread notice of the account read; how many were."""
    return notices_of(user, unread_only=True).update(read_at=timezone.now())


def safe_link(notice: Notice) -> str:
    """The notice's link when it is a path on this site; "" otherwise (never an open redirect)."""
    link = (notice.link or "").strip()
    if link.startswith("/") and not link.startswith("//") and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return link
    return ""
