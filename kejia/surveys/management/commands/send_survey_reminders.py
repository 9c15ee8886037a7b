"""`manage.py send_survey_reminders`: remind, once a day, the invited who have not answered each
open survey that closes within --within days (for a daily cron job)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kejia.accounts.models import User
from kejia.surveys.choices import SurveyStatus
from kejia.surveys.distribution import send_reminders
from kejia.surveys.models import Survey


class Command(BaseCommand):
    help = "Send the day's reminders for open surveys closing soon (idempotent per day)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--within", type=int, default=7, help="Surveys closing within this many days (default 7).")
        parser.add_argument("--as", dest="username", default="", help="Acting user (default: the first platform administrator).")

    def handle(self, *args, within: int, username: str, **options) -> None:
        actor = User.objects.filter(username=username).first() if username else User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("No acting user: create a platform administrator or pass --as.")
        today = timezone.localdate()
        horizon = today + datetime.timedelta(days=within)
        total = 0
        for survey in Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__gte=today, closes_on__lte=horizon).order_by("pk"):
            sent = send_reminders(survey, actor=actor, today=today)
            total += sent
            if sent:
                self.stdout.write(f"survey {survey.pk}: {sent} reminders")
        self.stdout.write(f"{total} reminders sent.")
