"""python manage.py run_dues_cycle [--today YYYY-MM-DD] [--json]

The daily dues cycle (kejia.memberships.dues.run_dues_cycle): lapse memberships past their grace
period, send renewal reminders. Idempotent; schedule it once a day (cron, or the task
`kejia.memberships.tasks.dues_cycle_task`)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from kejia.memberships.dues import run_dues_cycle


class Command(BaseCommand):
    help = "Lapse memberships whose dues are unpaid after the grace period and send renewal reminders."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, today: str | None = None, json: bool = False, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: not a date: {today}") from None
        counts = run_dues_cycle(today=day)
        if json:
            self.stdout.write(_json(counts))
        else:
            self.stdout.write(f"lapsed: {counts['lapsed']}, reminded: {counts['reminded']}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
