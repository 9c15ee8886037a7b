"""The background side of an import: the worker (`manage.py db_worker`) runs queued batches."""

from django_tasks import task

from kejia.imports.models import BatchStatus, ImportBatch


@task()
def run_import(batch_id: int) -> str:
    from kejia.imports.services import discard_sealed, fail_stale_batches, load_sealed, run_batch

    fail_stale_batches()  # a worker that starts again after a crash finds what the last one left running
    batch = ImportBatch.objects.select_related("organization", "actor").filter(pk=batch_id).first()
    if batch is None or batch.status != BatchStatus.QUEUED:
        return "skipped"
    try:
        run_batch(batch, load_sealed(batch))
    finally:
        discard_sealed(batch)
    return batch.status
