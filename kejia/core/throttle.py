"""Refusing too many of one kind of event per key: failed logins, attempts to link a profile,
codes sent, password resets.

A counter is one database row per key, so every worker process and every server sees the same
count (SQLite and PostgreSQL alike; no cache that a restart or a second machine would miss).
Keys that contain what a person typed (an identifier, a name) are stored as keyed hashes.

Usage: name a `Limit` once (its settings are read when used, so tests and deployments change them),
build counters with `counter(limit, part, …)`, then `check(…)` before the work (raises `Throttled`),
`hit(…)` for each counted event and `clear(…)` after a success. `hit` commits on its own: call it
outside the transaction of a write that is about to be refused, or the count rolls back with it.
"""

import dataclasses
import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from kejia.core.errors import DomainError
from kejia.core.models import ThrottleCounter


class Throttled(DomainError):
    def __init__(self, until: datetime.datetime, code: str = "throttled"):
        minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
        super().__init__(
            code, ngettext("Too many attempts. Try again in %(m)d minute.", "Too many attempts. Try again in %(m)d minutes.", minutes) % {"m": minutes}
        )
        self.until = until


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most `max_setting` × `factor` events per `window_setting` seconds; reaching it locks
    the key for one window."""

    name: str
    max_setting: str
    window_setting: str
    factor: int = 1

    @property
    def max(self) -> int:
        return int(getattr(settings, self.max_setting)) * self.factor

    @property
    def window(self) -> datetime.timedelta:
        return datetime.timedelta(seconds=int(getattr(settings, self.window_setting)))


@dataclasses.dataclass(frozen=True)
class Counter:
    limit: Limit
    key: str


def digest(value: str) -> str:
    """A keyed hash of what a person typed, for a key: no name or identifier in the table."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def counter(limit: Limit, part: str | int) -> Counter:
    return Counter(limit, f"{limit.name}:{part}"[:160])


def locked_until(counters: list[Counter]) -> datetime.datetime | None:
    keys = [c.key for c in counters if c is not None]
    row = ThrottleCounter.objects.filter(key__in=keys, locked_until__gt=timezone.now()).order_by("-locked_until").first()
    return row.locked_until if row else None


def check(*counters: Counter | None, code: str = "throttled") -> None:
    """Raise Throttled (429, with `code` for API clients) while any of the counters is locked."""
    until = locked_until([c for c in counters if c is not None])
    if until:
        raise Throttled(until, code)


def hit(*counters: Counter | None) -> bool:
    """Count one event on each counter, in a transaction of its own; True when one is now locked."""
    now = timezone.now()
    locked = False
    with transaction.atomic():
        for c in counters:
            if c is None:
                continue
            row, _created = ThrottleCounter.objects.select_for_update().get_or_create(key=c.key)
            window = c.limit.window
            if row.window_start is None or now - row.window_start > window:
                row.count, row.window_start = 0, now
            row.count += 1
            if row.count >= c.limit.max:
                row.locked_until, row.count, row.window_start = now + window, 0, None
                locked = True
            row.save(update_fields=["count", "window_start", "locked_until"])
    return locked


def clear(*counters: Counter | None) -> None:
    ThrottleCounter.objects.filter(key__in=[c.key for c in counters if c is not None]).delete()


def purge(*, before: datetime.datetime | None = None) -> int:
    """Drop counters neither locked nor counting since `before` (default: a day ago)."""
    before = before or timezone.now() - datetime.timedelta(days=1)
    stale = ThrottleCounter.objects.filter(locked_until__isnull=True, window_start__lt=before) | ThrottleCounter.objects.filter(locked_until__lt=before)
    return stale.delete()[0]
