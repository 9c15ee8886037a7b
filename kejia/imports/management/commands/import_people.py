"""python manage.py import_people FILE --org ORG_CODE [--dry-run] [--mode all|good] [--actor USERNAME]

Runs the same import as the upload page, inline, and prints the report. Without --actor the
import is recorded as made by the system (an operator with shell access); with it, the actor's
scope is checked as on the page."""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from kejia.core.errors import DomainError
from kejia.core.uploads import read_upload
from kejia.imports import reading, services
from kejia.imports.models import BatchStatus, ImportBatch, ImportMode
from kejia.organizations.models import Organization


class Command(BaseCommand):
    help = "Import S&T workers from an XLSX or CSV file into an organization's list."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--org", required=True, help="the organization's code")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.ALL, help="all: import nothing if a row is bad; good: import the good rows")
        parser.add_argument("--actor", help="username the import is made as (scope checked)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, file, org, dry_run, mode, actor, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        organization = Organization.objects.filter(code=org).first()
        if organization is None:
            raise CommandError(f"No organization with code {org}")
        user = None
        if actor:
            from kejia.accounts.models import User

            user = User.objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user {actor}")
        with path.open("rb") as fh:  # the size checked before the file is read (kejia.core.uploads)
            try:
                content = read_upload(File(fh, name=path.name), max_bytes=reading.MAX_BYTES)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
        try:
            if user is not None:
                batch = services.start_import(organization, actor=user, file_name=path.name, content=content, mode=mode, dry_run=dry_run, background=False)
            else:
                batch = services.import_as_system(organization, file_name=path.name, content=content, mode=mode, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        batch.refresh_from_db()
        self._print(batch, as_json=json)
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.message)

    def _print(self, batch: ImportBatch, *, as_json: bool) -> None:
        summary = {
            "batch": batch.pk,
            "status": batch.status,
            "rows": batch.total,
            "good": batch.good,
            "bad": batch.bad,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "listed": batch.listed_count,
            "committed": batch.committed,
            "message": batch.message,
        }
        if as_json:
            self.stdout.write(_json({**summary, "report": batch.report}))
            return
        for entry in batch.report:
            self.stdout.write(f"{entry['level']}\t{entry['row']}\t{entry['column']}\t{entry['reason']}")
        self.stdout.write(_json(summary))


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
