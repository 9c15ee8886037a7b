"""Install the application forms of the shipped call templates (idempotent)."""

from django.core.management.base import BaseCommand

from kejia.calls.services import install_form, template_codes


class Command(BaseCommand):
    help = "Install the application forms of the shipped call templates."

    def handle(self, *args, **options):
        for code in template_codes():
            form = install_form(code)
            self.stdout.write(f"{code}: {form.title} v{form.version}")
