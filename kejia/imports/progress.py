"""How far a running batch has got, readable by other processes while its transaction is open.

A batch that writes its good rows while the rest are still checked (kejia.imports.services) does
both inside the one transaction that commits them, and nothing written there — its own batch row
included — can be seen by another connection before the commit; on SQLite no other connection can
even write until then. So the rows checked go to Django's cache (settings.CACHES: files under
KEJIA_VAR_DIR on one machine, Redis where CACHE_URL names one), and the pages and the API read the
batch through selectors.get_batch_for, which shows the larger of the two. The cache is a
convenience: if it fails, the import goes on and the bar moves at the end."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)
TIMEOUT = 24 * 3600  # a crashed worker's figure does not outlive a day


def _key(batch_pk: int) -> str:
    return f"kejia:imports:processed:{batch_pk}"


def record(batch_pk: int, processed: int) -> None:
    try:
        cache.set(_key(batch_pk), processed, TIMEOUT)
    except Exception:  # noqa: BLE001 — a progress figure never stops an import
        log.warning("import progress not recorded for batch %s", batch_pk, exc_info=True)


def read(batch_pk: int) -> int:
    try:
        return int(cache.get(_key(batch_pk)) or 0)
    except Exception:  # noqa: BLE001
        log.warning("import progress not read for batch %s", batch_pk, exc_info=True)
        return 0


def clear(batch_pk: int) -> None:
    try:
        cache.delete(_key(batch_pk))
    except Exception:  # noqa: BLE001
        log.warning("import progress not cleared for batch %s", batch_pk, exc_info=True)
