"""How far a running batch has got, readable by other processes while its transaction is open.

A batch that writes its good rows while the rest are still checked (kejia.imports.services) does
both inside the one transaction that commits them, and nothing written there — its own batch row
included — can be seen by another connection before the commit; on SQLite no other connection can
even write until then. So the rows checked go to Django's cache (settings.CACHES: files under
KEJIA_VAR_DIR on one machine, Redis where CACHE_URL names one), and the pages and the API read the
batch through selectors.get_batch_for, which shows the larger of the two. The cache is a
convenience: if it fails, the import goes on and the bar moves at the end."""

import logging
import time

from django.core.cache import cache

log = logging.getLogger(__name__)
TIMEOUT = 24 * 3600  # a crashed worker's figure does not outlive a day


def _key(batch_pk: int) -> str:
    return f"kejia:imports:processed:{batch_pk}"


def record(batch_pk: int, processed: int) -> None:
    """The rows checked so far, with when (what tells a live batch from one whose worker died)."""
    try:
        cache.set(_key(batch_pk), (processed, time.time()), TIMEOUT)
    except Exception:  # noqa: BLE001 — a progress figure never stops an import
        log.warning("import progress not recorded for batch %s", batch_pk, exc_info=True)


def _get(batch_pk: int) -> tuple[int, float | None]:
    try:
        value = cache.get(_key(batch_pk))
    except Exception:  # noqa: BLE001
        log.warning("import progress not read for batch %s", batch_pk, exc_info=True)
        return 0, None
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0] or 0), float(value[1])
    return int(value or 0), None


def read(batch_pk: int) -> int:
    return _get(batch_pk)[0]


def last_seen(batch_pk: int) -> float | None:
    """When the batch last recorded progress here (a Unix time), None if never."""
    return _get(batch_pk)[1]


def clear(batch_pk: int) -> None:
    try:
        cache.delete(_key(batch_pk))
    except Exception:  # noqa: BLE001
        log.warning("import progress not cleared for batch %s", batch_pk, exc_info=True)
