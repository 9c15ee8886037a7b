"""Importing a spreadsheet of S&T workers into an organization's list.

start_import: the staff member's request — scope checked, the file checked enough to refuse a
  non-spreadsheet at once, a batch recorded; small files run inline, large ones are queued for
  the task worker (enqueued after commit) with the file kept sealed until it has run.
run_batch: the work — every row checked and reported; then, unless it is a dry run or the mode
  is "all" and a row is bad, the good rows are written in ONE transaction together with the one
  audit event of the batch. Any failure rolls everything back and marks the batch failed.

A batch of another kind than "people" (a society's member list) goes through the same reading,
checks, matching and writing, plus an extension (see EXTENSIONS) that knows its extra columns:
it checks them per row and, in the same transaction, writes what the rows stand for once the
people are written. Rows it refuses at that point (RowsRejected) are reported like any bad row;
the transaction is rolled back and, in "good rows" mode, the write runs again without them."""

import base64
import datetime
import hashlib
import io
import logging
import os
import re
import socket
import zipfile
import zlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kejia.accounts import scope
from kejia.core import pii
from kejia.core.audit import record_event
from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.grassroots import services as key_staff
from kejia.imports import progress, reading
from kejia.imports.models import BatchStatus, ImportBatch, ImportKind, ImportMode
from kejia.imports.people import Report, RowWriter, Written, check_rows, check_workers
from kejia.people.choices import ThreeChiefs
from kejia.search.tasks import index_people_on_commit

log = logging.getLogger(__name__)

# Above this a file is imported only by the task worker (about 500 rows below it: answered within
# the request, in a second or two). Process tuning (the cycle collector) is the worker's (tasks.py).
INLINE_MAX_BYTES = 64 * 1024
# kind → the extension class, built with the batch. An extension has `headers` (header key → field
# of its extra columns), `prepare(table)` (may refuse the file), `check_row(number, extra, cleaned,
# table, report) -> errors`, `write(rows, *, table, report) -> count` and `audit_action`.
EXTENSIONS = {ImportKind.MEMBERS: "kejia.memberships.importing.MemberListImport"}
WRITE_ATTEMPTS = 3


class RowsRejected(Exception):
    """Raised by an extension's write: these rows cannot be written; [(row, column, reason)]."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__(f"{len(problems)} rows rejected")
        self.problems = problems


def extension_for(batch: ImportBatch):
    path = EXTENSIONS.get(batch.kind)
    return import_string(path)(batch) if path else None


def _open(content: bytes, file_name: str, batch: ImportBatch, *, formulas: bool = True):
    extension = extension_for(batch)
    table = reading.open_table(content, file_name, formulas=formulas, extra_headers=extension.headers if extension else None)
    if extension is not None:
        extension.prepare(table)
    return table, extension


def start_import(
    organization,
    *,
    actor,
    file_name: str,
    content: bytes,
    mode: str = ImportMode.ALL,
    dry_run: bool = False,
    background: bool | None = None,
    kind: str = ImportKind.PEOPLE,
) -> ImportBatch:
    if not scope.can_manage(actor, organization):
        raise (
            NotFound()
            if not scope.can_view(actor, organization)
            else PermissionDenied(_("Importing people needs a staff role in this organization or one above it."))
        )
    if mode not in ImportMode.values:
        mode = ImportMode.ALL
    if background is None:
        background = len(content) > INLINE_MAX_BYTES
    kind = kind if kind in ImportKind.values else ImportKind.PEOPLE
    table = None
    if background:
        # Never parsed in the web request: only what needs no row (size, kind, the zip's limits);
        # the worker reads the rows and refuses the file there if it must (the batch says why).
        reading.check_file(content)
    else:
        # A small file that is not a talent sheet (or the extension's kind of sheet) is refused at once.
        probe = ImportBatch(organization=organization, actor=actor, kind=kind, mode=mode, dry_run=dry_run)
        table, _extension = _open(content, file_name, probe)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            organization=organization,
            org_path=organization.path,
            actor=actor,
            file_name=(file_name or "upload")[-255:],
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            mode=mode,
            dry_run=dry_run,
            kind=kind,
        )
        if background:
            # The file holds plaintext personal data: sealed like every identifier, deleted after the run.
            batch.sealed_path = _seal(batch, content)
            batch.save(update_fields=["sealed_path"])
            from kejia.imports.tasks import run_import

            transaction.on_commit(lambda: run_import.enqueue(batch.pk))
    if not background:
        run_batch(batch, content, table=table)
    return batch


def import_as_system(
    organization, *, file_name: str, content: bytes, mode: str = ImportMode.ALL, dry_run: bool = False, kind: str = ImportKind.PEOPLE
) -> ImportBatch:
    """The management command's door: an operator with shell access, no user account; inline."""
    batch = ImportBatch(
        organization=organization,
        org_path=organization.path,
        actor=None,
        file_name=file_name[-255:],
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        mode=mode if mode in ImportMode.values else ImportMode.ALL,
        dry_run=dry_run,
        kind=kind if kind in ImportKind.values else ImportKind.PEOPLE,
    )
    table, _extension = _open(content, file_name, batch)
    batch.save()
    return run_batch(batch, content, table=table)


def _seal(batch: ImportBatch, content: bytes) -> str:
    """The file kept for the batch, sealed like every identifier (it holds plaintext personal data)."""
    blob = pii.encrypt(base64.b64encode(content).decode()).encode()
    return default_storage.save(f"imports/batch-{batch.pk}.sealed", ContentFile(blob))


def keep_seconds() -> int:
    return int(getattr(settings, "IMPORT_KEEP_SECONDS", 24 * 3600))


def _keep_for_good_rows(batch: ImportBatch, content: bytes) -> None:
    """An "all or nothing" import refused for its bad rows keeps its file (sealed) for
    IMPORT_KEEP_SECONDS, so that its good rows can be imported without uploading it again."""
    if not (
        batch.mode == ImportMode.ALL
        and not batch.dry_run
        and batch.status == BatchStatus.DONE
        and not batch.committed
        and batch.good
        and batch.bad
        and keep_seconds() > 0
    ):
        return
    path = batch.sealed_path or _seal(batch, content)
    _progress(batch, sealed_path=path, kept_until=timezone.now() + datetime.timedelta(seconds=keep_seconds()))


def keeps_file(batch: ImportBatch) -> bool:
    return batch.kept_until is not None


def discard_expired_files() -> int:
    """Delete the kept files whose time is up (called by the pages and the worker)."""
    expired = ImportBatch.objects.filter(kept_until__lt=timezone.now()).exclude(sealed_path="")
    count = 0
    for batch in expired:
        discard_sealed(batch)
        ImportBatch.objects.filter(pk=batch.pk).update(kept_until=None)
        count += 1
    return count


def import_good_rows(batch: ImportBatch, *, actor) -> ImportBatch:
    """The good rows of a batch refused as a whole ("all or nothing") imported now, from its kept
    file, as a new batch in "good rows" mode (every row checked again: the database may have changed).
    Only staff who may import into its organization; once per batch; audited on both batches."""
    organization = batch.organization
    if not scope.can_manage(actor, organization):
        raise (
            NotFound()
            if not scope.can_view(actor, organization)
            else PermissionDenied(_("Importing people needs a staff role in this organization or one above it."))
        )
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not locked.offers_good_rows or locked.retries.exists():
            raise DomainError("not_available", _("The good rows of this import can no longer be imported from the kept file: upload the file again."))
        content = load_sealed(locked)
        background = len(content) > INLINE_MAX_BYTES
        new = ImportBatch.objects.create(
            organization=organization,
            org_path=organization.path,
            actor=actor,
            file_name=locked.file_name,
            sha256=locked.sha256,
            size=locked.size,
            mode=ImportMode.GOOD,
            dry_run=False,
            kind=locked.kind,
            retry_of=locked,
        )
        # The sealed file passes to the new batch: the worker deletes it after the run, as for an upload.
        ImportBatch.objects.filter(pk=locked.pk).update(kept_until=None, sealed_path="" if background else locked.sealed_path)
        if background:
            ImportBatch.objects.filter(pk=new.pk).update(sealed_path=locked.sealed_path)
            new.sealed_path = locked.sealed_path
        record_event(
            actor=actor,
            action="people.import_good_rows",
            obj=locked,
            organization=organization,
            new={"file_name": locked.file_name, "sha256": locked.sha256, "batch": new.pk, "good": locked.good, "bad": locked.bad},
        )
        if background:
            from kejia.imports.tasks import run_import

            transaction.on_commit(lambda: run_import.enqueue(new.pk))
    batch.kept_until = None
    if not background:
        try:
            run_batch(new, content)
        finally:
            discard_sealed(locked)
    return new


def load_sealed(batch: ImportBatch) -> bytes:
    with default_storage.open(batch.sealed_path, "rb") as fh:
        return base64.b64decode(pii.decrypt(fh.read().decode()))


def discard_sealed(batch: ImportBatch) -> None:
    if batch.sealed_path:
        default_storage.delete(batch.sealed_path)
        batch.sealed_path = ""
        ImportBatch.objects.filter(pk=batch.pk).update(sealed_path="")


def _progress(batch: ImportBatch, **fields) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now(), **fields)
    for key, value in fields.items():
        setattr(batch, key, value)


def run_batch(batch: ImportBatch, content: bytes, *, table: reading.Table | None = None) -> ImportBatch:
    """Check and (unless told not to) write one batch. Never raises for a bad file or a failed
    write: the batch records what happened."""
    with translation.override("zh-hans"):
        _progress(batch, status=BatchStatus.RUNNING, processed=0, worker=this_worker())
        report = Report()
        try:
            _run(batch, content, report, table)
        except reading.FileRefused as exc:
            _finish(batch, report, BatchStatus.FAILED, str(exc.message))
        except Exception:
            log.exception("import batch %s failed", batch.pk)
            _finish(
                batch,
                report,
                BatchStatus.FAILED,
                gettext("The import stopped on an unexpected error; nothing was written. Try again, or ask the platform administrators."),
            )
        else:
            _keep_for_good_rows(batch, content)
    return batch


class _NotWritten(Exception):
    """Rolls back what a batch wrote while its rows were checked: there is nothing it may keep."""


def _run(batch: ImportBatch, content: bytes, report: Report, table: reading.Table | None) -> None:
    if table is None:
        table, extension = _open(content, batch.file_name, batch)
    else:
        extension = extension_for(batch)
        if extension is not None:
            extension.prepare(table)
    hint = _count_hint(content, batch)
    _progress(batch, unknown_columns=table.unknown, total=hint)
    for header in table.unknown:
        report.add(table.header_row, header, _("Unknown column: it was ignored."), "notice")
    options = {"report": report, "extension": extension, "workers": check_workers(hint)}
    written = rejected = None
    if not batch.dry_run and getattr(settings, "IMPORT_WRITE_WHILE_CHECKING", True):
        # The good rows are written while the rest are checked, in the transaction that commits them;
        # the progress goes where others can read it before that commit (kejia.imports.progress).
        def check_and_write(writer: RowWriter) -> list | None:
            nonlocal checked
            checked = check_rows(
                table, prepare=True, progress=lambda n: progress.record(batch.pk, n), writer=writer, all_or_nothing=batch.mode == ImportMode.ALL, **options
            )
            return checked.good if _writable(batch, checked) else None

        checked = None
        try:
            written = _write(batch, table, report, extension, check_and_write)
        except _NotWritten:
            pass
        except RowsRejected as exc:
            rejected = exc
    else:
        checked = check_rows(table, prepare=not batch.dry_run, progress=lambda n: _progress(batch, processed=n), **options)
    bad = len(checked.bad_rows)
    _progress(batch, total=checked.total, processed=checked.total, good=len(checked.good), bad=bad)
    if checked.total == 0:
        _finish(batch, report, BatchStatus.FAILED, gettext("The file has a header row but no data rows."))
        return
    if written is None and rejected is None and not _writable(batch, checked):
        with transaction.atomic():
            _audit(batch, written=False)
        if batch.dry_run:
            message = gettext("Dry run: good rows: %(good)d, bad rows: %(bad)d; nothing was written.") % {"good": len(checked.good), "bad": bad}
        elif bad and batch.mode == ImportMode.ALL:
            message = _all_or_nothing_message(bad)
        else:
            message = gettext("No row is good enough to import.")
        _finish(batch, report, BatchStatus.DONE, message)
        return
    good = checked.good
    for _attempt in range(WRITE_ATTEMPTS):
        if written is None and rejected is None:

            def write_all(writer: RowWriter, rows: list = good) -> list:
                writer.write(rows)
                return rows

            try:
                written = _write(batch, table, report, extension, write_all)
            except RowsRejected as exc:
                rejected = exc
        if written is not None:
            break
        # Nothing of that attempt was written (its notes with it): the refused rows are reported as bad.
        refused = set()
        for row, column, reason in rejected.problems:
            report.add(row, column, reason)
            refused.add(row)
        rejected = None
        for row in good:
            row.saved = None
            if row.person is not None:
                row.person.pk = None
                row.person._state.adding = True
            if row.profile is not None:
                row.profile.pk = None
        good = [row for row in good if row.number not in refused]
        bad += len(refused)
        _progress(batch, good=len(good), bad=bad)
        if batch.mode == ImportMode.ALL or not good:
            with transaction.atomic():
                _audit(batch, written=False)
            message = _all_or_nothing_message(bad) if batch.mode == ImportMode.ALL else gettext("No row is good enough to import.")
            _finish(batch, report, BatchStatus.DONE, message)
            return
    else:
        raise RuntimeError("the import's rows kept being refused")
    message = gettext("Imported: people added: %(created)d, people updated: %(updated)d, listings added: %(listed)d; bad rows skipped: %(bad)d.") % {
        "created": written.created,
        "updated": written.updated,
        "listed": written.listed,
        "bad": bad,
    }
    if extension is not None:
        message += " " + gettext("Memberships added: %(n)d.") % {"n": batch.members_count}
    _finish(batch, report, BatchStatus.DONE, message)


def _writable(batch: ImportBatch, checked) -> bool:
    """Whether the checked rows may be written: not a dry run, some good row, and no bad one in "all" mode."""
    return not batch.dry_run and bool(checked.good) and not (batch.mode == ImportMode.ALL and checked.bad_rows)


def _write(batch: ImportBatch, table: reading.Table, report: Report, extension, feed) -> Written:
    """One write of the batch in its own transaction: `feed(writer)` gives a RowWriter its rows and
    returns them (None: nothing may be kept — rolled back by _NotWritten); then the extension's part
    (it may refuse rows: RowsRejected, rolled back too), the counts and the audit event. What the
    write noted joins the report once it has committed."""
    with transaction.atomic():
        writer = RowWriter(organization=batch.organization, actor=batch.actor, table=table)
        good = feed(writer)
        if good is None:
            raise _NotWritten
        batch.members_count = extension.write(good, table=table, report=writer.notes) if extension is not None else 0
        _record_key_staff(batch, table, good, writer.notes)
        result = writer.result
        batch.created_count, batch.updated_count = result.created, result.updated
        batch.listed_count, batch.review_count, batch.committed = result.listed, result.review, True
        _audit(batch, written=True, action=getattr(extension, "audit_action", None))
        # Expert search: every person the batch wrote or listed, re-indexed by ONE task once this commits.
        index_people_on_commit(row.saved.pk for row in good if row.saved is not None)
    report.extend(writer.notes)
    return result


def _record_key_staff(batch: ImportBatch, table: reading.Table, good: list, notes: Report) -> None:
    """The 三长 column (three_chiefs) also makes a grassroots key staff record per person, so the
    counts per county and township include imported people (kejia.grassroots)."""
    if "three_chiefs" not in table.fields:
        return
    roles = {
        row.saved.pk: row.data.get("three_chiefs") for row in good if row.saved is not None and row.data.get("three_chiefs") not in (None, "", ThreeChiefs.NONE)
    }
    made = key_staff.record_imported_key_staff(actor=batch.actor, organization=batch.organization, roles=roles)
    if made and not key_staff.takes_in_key_staff(batch.organization):
        notes.add(
            table.header_row,
            table.column_of("three_chiefs"),
            _(
                "%(n)d people were recorded as key staff (三长) without a grassroots body: they are counted once a township or "
                "community association takes them in."
            )
            % {"n": made},
            "notice",
        )


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def _worker_alive(worker: str) -> bool:
    """Whether the process that runs a batch is known to live: only a process of this machine can
    be asked; one elsewhere (or unrecorded) is judged by its progress alone."""
    host, _sep, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def fail_stale_batches() -> int:
    """Mark failed the batches left "running" by a worker that is gone (killed, the machine
    restarted): no progress recorded for settings.IMPORT_STALE_SECONDS — neither on the batch's
    row nor in the progress cache — and its process, when it ran on this machine, no longer
    exists. Such a batch wrote nothing (its one transaction died with it). Called when the task
    worker takes a batch and when the pages or the API read batches. Returns how many."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.IMPORT_STALE_SECONDS)
    failed = 0
    for batch in ImportBatch.objects.filter(status=BatchStatus.RUNNING, updated_at__lt=cutoff).select_related("organization"):
        seen = progress.last_seen(batch.pk)
        if (seen is not None and seen > cutoff.timestamp()) or (batch.worker and _worker_alive(batch.worker)):
            continue
        with transaction.atomic():
            changed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING, updated_at=batch.updated_at).update(
                status=BatchStatus.FAILED,
                finished_at=now,
                updated_at=now,
                committed=False,
                message=gettext(
                    "The import stopped: the process running it ended before it finished (a restart or a crash), so nothing was written. Upload the file again."
                ),
            )
            if changed:
                batch.status = BatchStatus.FAILED
                record_event(
                    actor=None,
                    action="people.import_abandoned",
                    obj=batch,
                    organization=batch.organization,
                    new={"file_name": batch.file_name, "worker": batch.worker, "last_progress": batch.updated_at.isoformat()},
                )
                failed += 1
        progress.clear(batch.pk)
    if failed:
        log.warning("%d import batches left running by a gone worker were marked failed", failed)
    return failed


HINT_SAMPLE = 1 << 20  # sheet XML bytes read to estimate the rows of a sheet that does not declare them


def _count_hint(content: bytes, batch: ImportBatch | None = None) -> int:
    """A row estimate for the progress bar (and for whether to check in parallel) before the rows
    are read: CSV, its lines; XLSX, the sheet's declared dimension, or — when the writer left it
    out, as streaming writers do — the rows in the sheet XML's first MiB scaled to its size."""
    if content[:4] != b"PK\x03\x04":
        return max(content.count(b"\n") - 1, 0)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = next(i for i in archive.infolist() if i.filename.startswith("xl/worksheets/sheet"))
            with archive.open(info) as fh:
                head = fh.read(HINT_SAMPLE)
    except (zipfile.BadZipFile, StopIteration, OSError, EOFError, zlib.error):
        return 0
    match = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head[:4096])
    if match:
        return max(int(match.group(1)) - 1, 0)
    rows = len(re.findall(rb"<(?:\w+:)?row[\s>/]", head))
    if len(head) < HINT_SAMPLE or not rows:
        return max(rows - 1, 0)
    return max(round(rows * info.file_size / len(head)) - 1, 0)


def _audit(batch: ImportBatch, *, written: bool, action: str | None = None) -> None:
    action = action or ("people.imported" if written else "people.import_checked")
    record_event(
        actor=batch.actor,
        action=action,
        obj=batch,
        organization=batch.organization,
        new={
            "file_name": batch.file_name,
            "sha256": batch.sha256,
            "mode": batch.mode,
            "dry_run": batch.dry_run,
            "retry_of": batch.retry_of_id,
            "good": batch.good,
            "bad": batch.bad,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "listed": batch.listed_count,
            "review": batch.review_count,
            "kind": batch.kind,
            "members": batch.members_count,
        },
    )


def _all_or_nothing_message(bad: int) -> str:
    return ngettext(
        "%(bad)d row is bad, so nothing was imported (mode: import nothing if any row is bad). Correct it and upload again, or import only the good rows.",
        "%(bad)d rows are bad, so nothing was imported (mode: import nothing if any row is bad). Correct them and upload again, or import only the good rows.",
        bad,
    ) % {"bad": bad}


def _finish(batch: ImportBatch, report: Report, status: str, message: str) -> None:
    entries = sorted(report.entries, key=lambda e: (e["row"], e["level"] != "error"))
    if report.more:
        more = ngettext("%(n)d more problem is not listed.", "%(n)d more problems are not listed.", report.more) % {"n": report.more}
        entries.append({"row": 0, "column": "", "reason": more, "level": "notice"})
    fields = {
        "status": status,
        "message": message,
        "report": entries,
        "finished_at": timezone.now(),
        "created_count": batch.created_count,
        "updated_count": batch.updated_count,
        "listed_count": batch.listed_count,
        "review_count": batch.review_count,
        "members_count": batch.members_count,
        "committed": batch.committed and status == BatchStatus.DONE,
    }
    if status == BatchStatus.FAILED or not fields["committed"]:
        fields.update(created_count=0, updated_count=0, listed_count=0, review_count=0, members_count=0, committed=False)
    _progress(batch, **fields)
    progress.clear(batch.pk)  # the batch's row now says it all
