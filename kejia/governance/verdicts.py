"""The evaluated compliance of a subtree, kept in Django's cache (settings CACHES) per subtree, day
and rule-set filter, under a data version that changes whenever anything the verdict reads changes.

The version is a random token in the cache, replaced (never counted up, so it cannot come back to
an old value) after the commit of every write to what compliance reads: bodies, terms, seats,
declared posts, rule sets, rules, rule-set assignments (post_save / post_delete, connected in
`GovernanceConfig.ready`), people (a seat shows its holder's name) and organizations (a society's
kind counts its posts). Writes that send no signal (`QuerySet.update`, `bulk_create`) call
`inputs_changed()` themselves: `services.start_term` / `end_term`, the demo seed.

Readers take the version before reading the data, so a result is stored under a version that is
already outdated if a write committed meanwhile, never under the next one. A reader inside a
transaction that has itself written inputs not yet committed neither reads nor stores (its data is
not what others see, and it may roll back). The terms of the subtree are always read afresh (names
shown on the page are never cached); their identity, dates, body kind and organization path and
kind also go into the key."""

import hashlib
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction

VERSION_KEY = "kejia:governance:compliance:version"
TIMEOUT = 24 * 60 * 60  # a day: the key names the day anyway
_PENDING = "_kejia_governance_inputs_pending"  # on the connection: the bump waiting for its transaction's commit


def version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(VERSION_KEY) or "evicted"
    return token


class Bump:
    """Replaces the version once the transaction that wrote commits (dropped if it rolls back)."""

    def __init__(self, index: int = 0):
        self.ran = False
        self.index = index  # its place in the connection's on-commit list

    def __call__(self) -> None:
        self.ran = True
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _queued(conn) -> bool:
    """The last bump registered on this connection still waits for the commit (a rollback drops it
    from the connection's list). Looked up where it was put, else searched (a savepoint rolled back
    since shifts the list)."""
    bump = getattr(conn, _PENDING, None)
    if bump is None or bump.ran or not conn.in_atomic_block:
        return False
    waiting = conn.run_on_commit
    if bump.index < len(waiting) and waiting[bump.index][1] is bump:
        return True
    return any(f is bump for _s, f, _r in waiting)


def inputs_changed(*_args, using: str = DEFAULT_DB_ALIAS, **_kwargs) -> None:
    """Something compliance reads changed: the version changes after the commit (at once outside a
    transaction). One bump per transaction. Also a signal receiver."""
    conn = connections[using]
    if _queued(conn):
        return
    bump = Bump(len(conn.run_on_commit))
    setattr(conn, _PENDING, bump)
    transaction.on_commit(bump, using=using)


def person_changed(sender, instance=None, update_fields=None, **kwargs) -> None:
    """A person saved: only the name is read (from the seat, for the seats that fail a rule)."""
    if update_fields is not None and "name" not in update_fields:
        return
    inputs_changed()


def usable(using: str = DEFAULT_DB_ALIAS) -> bool:
    """False inside a transaction that wrote inputs and has not committed: one of its bumps is
    still in the connection's list of what runs on commit (Django drops those of a rolled-back
    savepoint or transaction, and empties the list on commit)."""
    conn = connections[using]
    return not conn.in_atomic_block or not any(isinstance(f, Bump) and not f.ran for _s, f, _r in conn.run_on_commit)


def key(org, terms: list, today, ruleset: str | None, token: str) -> str:
    digest = hashlib.sha256()
    digest.update(repr((org.pk, org.path, str(today), ruleset or "")).encode())
    for t in terms:
        o = t.body.organization
        digest.update(repr((t.pk, t.number, t.start, t.planned_end, t.body_id, t.body.kind, o.pk, o.path, o.kind)).encode())
    return f"kejia:governance:compliance:{token}:{digest.hexdigest()}"


def get(cache_key: str):
    return cache.get(cache_key)


def put(cache_key: str, value) -> None:
    cache.set(cache_key, value, timeout=TIMEOUT)
