"""python manage.py escalate_voice [--now YYYY-MM-DD[THH:MM]] [--json]

Moves every voice item still open after its due date to the parent of its handling organization,
with a new due date, and tells the parent's staff and the sender (kejia.voice.escalation). Safe to
run more than once a day (cron, or the task `kejia.voice.tasks.escalate_voice_task`)."""

import json

from django.core.management.base import BaseCommand, CommandError

from kejia.voice.escalation import escalate_overdue
from kejia.voice.tasks import parse_now


class Command(BaseCommand):
    help = "Escalate overdue voice items to the parent organization."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="run as if it were this date or date-time (ISO)")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, now: str | None = None, json: bool = False, **options):
        try:
            moment = parse_now(now)
        except ValueError as exc:
            raise CommandError(f"--now: {exc}") from None
        run = escalate_overdue(now=moment)
        if json:
            self.stdout.write(_json(run.as_dict()))
        else:
            self.stdout.write(f"escalated: {run.escalated}, overdue at the top: {run.at_top}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False)
