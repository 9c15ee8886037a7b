"""Drop rate-limit counters and one-time codes that no longer matter (run daily)."""

from django.core.management.base import BaseCommand

from kejia.core import codes, throttle


class Command(BaseCommand):
    help = "Delete stale rate-limit counters and used or expired one-time codes older than a day."

    def handle(self, *args, **options):
        counters, old_codes = throttle.purge(), codes.purge()
        self.stdout.write(f"removed {counters} counter(s) and {old_codes} code(s)")
