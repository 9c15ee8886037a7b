"""python manage.py resolve_people [--dry-run] [--batch-size N] [--json]

Finds duplicate records among the active people already in the database: certain pairs are
merged (each merge recorded and undoable), uncertain ones go to the review queue."""

import json

from django.core.management.base import BaseCommand

from kejia.people.bulk_resolution import resolve_all


class Command(BaseCommand):
    help = "Merge certain duplicate people and queue uncertain pairs for staff review."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only report what would be merged or queued.")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, dry_run: bool = False, batch_size: int = 2000, **options):
        if batch_size < 1:
            batch_size = 2000
        # Each merge is its own transaction: an interrupted run leaves whole, undoable merges.
        report = resolve_all(batch_size=batch_size, dry_run=dry_run)
        summary = report.summary()
        if options.get("json"):
            self.stdout.write(json.dumps(summary))
            return
        verb = "would merge" if dry_run else "merged"
        self.stdout.write(
            f"scanned {summary['scanned']} people, compared {summary['compared']} pairs: "
            f"{summary['same_pairs']} certain pairs ({verb} {summary['merged'] if not dry_run else summary['same_pairs']}), "
            f"{summary['review_pairs']} uncertain pairs ({'queued ' + str(summary['queued']) if not dry_run else 'not queued'})"
            + (f", {summary['refused']} refused (conflicting resident IDs)" if summary["refused"] else "")
        )
