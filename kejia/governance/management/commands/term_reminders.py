"""python manage.py term_reminders [--today YYYY-MM-DD] [--within-days 90] [--json]

Term-change reminders (kejia.governance.services.send_term_reminders): the staff and
administrators of each organization whose body's current term ends within the days given, or is
overdue, get a notice (督促按时换届). Once per planned end, so it is safe to run daily (cron, or
the task `kejia.governance.tasks.term_reminders_task`)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from kejia.governance.services import send_term_reminders


class Command(BaseCommand):
    help = "Remind organizations of leadership terms ending soon or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--within-days", type=int, default=90, help="remind of terms ending within this many days (default 90)")
        parser.add_argument("--json", action="store_true", help="print the count as JSON")

    def handle(self, *args, today: str | None = None, within_days: int = 90, json: bool = False, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today: not a date: {today}") from None
        if not 0 <= within_days <= 3650:
            raise CommandError("--within-days: between 0 and 3650")
        reminded = send_term_reminders(today=day, within_days=within_days)
        if json:
            self.stdout.write(_json({"reminded": reminded}))
        else:
            self.stdout.write(f"reminded: {reminded}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
