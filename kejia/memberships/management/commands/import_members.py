"""python manage.py import_members FILE --society CODE [--dry-run] [--good-rows] [--actor USERNAME] [--json]

A society's existing member list through the talent-database importer (same checks, report and
matching as `import_people`), then an imported ACTIVE membership for each person. Without --actor
the import is recorded as made by the system; with it, the actor's scope is checked."""

import json
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from kejia.core.errors import DomainError
from kejia.core.uploads import read_upload
from kejia.imports import reading
from kejia.imports.models import BatchStatus, ImportMode
from kejia.memberships import importing
from kejia.organizations.models import Organization


class Command(BaseCommand):
    help = "Import a society's member list (XLSX or CSV): person columns plus 会员类别, 会员号, 入会日期, 会费缴至."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--society", required=True, help="the society's code")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--good-rows", action="store_true", help="import the good rows and skip the bad ones (default: all or nothing)")
        parser.add_argument("--actor", help="username the import is made as (scope checked)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, file, society, dry_run, good_rows, actor=None, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        org = Organization.objects.filter(code=society).first()
        if org is None:
            raise CommandError(f"No organization with code {society}")
        mode = ImportMode.GOOD if good_rows else ImportMode.ALL
        with path.open("rb") as fh:  # the size checked before the file is read (kejia.core.uploads)
            try:
                content = read_upload(File(fh, name=path.name), max_bytes=reading.MAX_BYTES)
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
        try:
            if actor:
                from kejia.accounts.models import User

                user = User.objects.filter(username=actor).first()
                if user is None:
                    raise CommandError(f"No user {actor}")
                batch = importing.import_member_list(org, actor=user, file_name=path.name, content=content, mode=mode, dry_run=dry_run, background=False)
            else:
                batch = importing.import_member_list_as_system(org, file_name=path.name, content=content, mode=mode, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        batch.refresh_from_db()
        summary = {
            "batch": batch.pk,
            "status": batch.status,
            "rows": batch.total,
            "good": batch.good,
            "bad": batch.bad,
            "people_created": batch.created_count,
            "people_updated": batch.updated_count,
            "members_added": batch.members_count,
            "review": batch.review_count,
            "committed": batch.committed,
            "message": batch.message,
        }
        if json:
            self.stdout.write(_json({**summary, "report": batch.report}))
        else:
            for entry in batch.report:
                self.stdout.write(f"{entry['level']}\t{entry['row']}\t{entry['column']}\t{entry['reason']}")
            self.stdout.write(_json(summary))
        if batch.status == BatchStatus.FAILED:
            raise CommandError(batch.message)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
