"""python manage.py review_reminders [--now YYYY-MM-DDTHH:MM] [--json]

Reminders of score sheets not in (kejia.review.services.send_reminders): each reviewer of a round
being scored whose sheet is not submitted gets a notice from the round's `remind_days` before the
deadline until the deadline, once per sheet, so it is safe to run daily (cron, or the task
`kejia.review.tasks.review_reminders_task`)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kejia.review.services import send_reminders


class Command(BaseCommand):
    help = "Remind reviewers of score sheets not submitted as the deadline nears."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="run as if it were this moment (ISO date-time)")
        parser.add_argument("--json", action="store_true", help="print the count as JSON")

    def handle(self, *args, now: str | None = None, json: bool = False, **options):
        moment = None
        if now:
            try:
                moment = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: not a date-time: {now}") from None
            moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        reminded = send_reminders(now=moment)
        self.stdout.write(_json({"reminded": reminded}) if json else f"reminded: {reminded}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
