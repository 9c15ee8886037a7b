"""One-time codes that prove a person controls a phone or an e-mail address.

`issue` makes a six-digit code for (purpose, subject) — e.g. ("people.link", "user:12") — and
voids the ones issued before; the caller sends it (kejia.core.notify) to the contact it proves.
`redeem` accepts it once, within settings.CODE_TTL_SECONDS, and at most settings.CODE_MAX_TRIES
wrong guesses void it. Only a keyed hash of the code is stored. `redeem` commits on its own, so
a wrong guess counts even when the caller then refuses the request."""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kejia.core.models import OneTimeCode


def _hash(purpose: str, subject: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{purpose}|{subject}|{code}".encode(), hashlib.sha256).hexdigest()


def issue(*, purpose: str, subject: str, target: str = "", channel: str = "") -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, used_at__isnull=True).update(used_at=now)
        OneTimeCode.objects.create(
            purpose=purpose,
            subject=subject,
            target=target,
            channel=channel,
            code_hash=_hash(purpose, subject, code),
            expires_at=now + datetime.timedelta(seconds=settings.CODE_TTL_SECONDS),
        )
    return code


def pending(*, purpose: str, subject: str) -> OneTimeCode | None:
    """The open code of (purpose, subject), if any: what a confirmation page shows."""
    return (
        OneTimeCode.objects.filter(purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=timezone.now(), attempts__lt=settings.CODE_MAX_TRIES)
        .order_by("-created_at", "-pk")
        .first()
    )


def redeem(*, purpose: str, subject: str, code: str) -> str | None:
    """The target of the open code when `code` is it (the code is then used); None otherwise."""
    code = "".join((code or "").split())
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(purpose=purpose, subject=subject, used_at__isnull=True, expires_at__gt=timezone.now(), attempts__lt=settings.CODE_MAX_TRIES)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            return None
        if code and hmac.compare_digest(row.code_hash, _hash(purpose, subject, code)):
            row.used_at = timezone.now()
            row.save(update_fields=["used_at"])
            return row.target
        row.attempts += 1
        row.save(update_fields=["attempts"])
        return None


def void(*, purpose: str, subject: str) -> None:
    OneTimeCode.objects.filter(purpose=purpose, subject=subject, used_at__isnull=True).update(used_at=timezone.now())


def purge(*, before: datetime.datetime | None = None) -> int:
    """Drop codes used or expired before `before` (default: a day ago)."""
    before = before or timezone.now() - datetime.timedelta(days=1)
    return (OneTimeCode.objects.filter(expires_at__lt=before) | OneTimeCode.objects.filter(used_at__lt=before)).delete()[0]
