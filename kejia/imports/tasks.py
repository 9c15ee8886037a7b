"""The background side of an import: the worker (`manage.py db_worker`) runs queued batches.

Process tuning belongs here, in the worker's entry point, never in the service: a batch run
inline by a web request (a small file) leaves the server's process as it found it."""

import contextlib
import gc
import threading

from django_tasks import task

from kejia.imports.models import BatchStatus, ImportBatch

_pause_lock = threading.Lock()
_pauses = 0  # batches running with the collector paused (threads of one worker process)
_collector_was_enabled = False


@contextlib.contextmanager
def cycles_uncollected():
    """Python's cycle collector paused while the worker runs a batch: the rows, people and profiles
    an import builds all live until it ends, and the collector kept walking them — about a sixth of
    a 100 000-row import. Reference counting still frees everything else.

    The switch is process-wide, so batches running at once in a threaded worker share one pause:
    the first to start pauses (remembering whether the collector ran), the last to end restores it,
    on every path out (exceptions included). A per-batch "was it enabled?" would race: a batch that
    looked while another was paused would never switch it back on."""
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


@task()
def run_import(batch_id: int) -> str:
    from kejia.imports.services import discard_expired_files, fail_stale_batches, keeps_file, load_sealed, run_batch

    fail_stale_batches()  # a worker that starts again after a crash finds what the last one left running
    discard_expired_files()
    batch = ImportBatch.objects.select_related("organization", "actor").filter(pk=batch_id).first()
    if batch is None or batch.status != BatchStatus.QUEUED:
        return "skipped"
    try:
        with cycles_uncollected():
            run_batch(batch, load_sealed(batch))
    finally:
        if not keeps_file(batch):
            discard_sealed_file(batch)
    return batch.status


def discard_sealed_file(batch: ImportBatch) -> None:
    from kejia.imports.services import discard_sealed

    discard_sealed(batch)
