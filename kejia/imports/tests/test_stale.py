"""A batch left "running" by a worker that died (kill -9 mid-import) is marked failed once it has
made no progress for IMPORT_STALE_SECONDS and its process is gone; a live one is left alone."""

import datetime
import subprocess
import sys

from django.urls import reverse
from django.utils import timezone

from kejia.core.models import AuditEvent
from kejia.imports import progress, services
from kejia.imports.models import BatchStatus, ImportBatch


def dead_worker() -> str:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return services.this_worker().rsplit(":", 1)[0] + f":{child.pid}"


def running_batch(tree, *, worker: str, minutes: int) -> ImportBatch:
    batch = ImportBatch.objects.create(
        organization=tree.xw, org_path=tree.xw.path, actor=tree.county_staff, file_name="p.xlsx", sha256="0" * 64, status=BatchStatus.RUNNING, worker=worker
    )
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=minutes))
    return batch


def test_stale_batch_of_dead_worker_marked_failed_when_page_reads_it(client, tree):
    batch = running_batch(tree, worker=dead_worker(), minutes=30)
    client.force_login(tree.county_staff)
    response = client.get(reverse("imports:detail", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and batch.finished_at and not batch.committed
    assert batch.message in response.content.decode()
    assert AuditEvent.objects.filter(action="people.import_abandoned").count() == 1


def test_stale_batches_left_alone_while_alive_or_recent(tree):
    running_batch(tree, worker=services.this_worker(), minutes=30)  # this process: alive
    running_batch(tree, worker=dead_worker(), minutes=1)
    reported = running_batch(tree, worker=dead_worker(), minutes=30)
    progress.record(reported.pk, 5000)  # progress seen in the cache a moment ago
    assert services.fail_stale_batches() == 0
    assert set(ImportBatch.objects.values_list("status", flat=True)) == {BatchStatus.RUNNING}
    progress.clear(reported.pk)


def test_stale_batch_of_unknown_worker_failed_by_time_alone(tree):
    batch = running_batch(tree, worker="another-host:123", minutes=30)
    assert services.fail_stale_batches() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
