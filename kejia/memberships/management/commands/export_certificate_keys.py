"""Print the published certificate keys (the /verify/keys.json document), for offline verifiers."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kejia.memberships import certificates


class Command(BaseCommand):
    help = "Print keys.json (every public key ever used to sign certificates), or write it to --output."

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="write to this file instead of standard output")

    def handle(self, *args, output: str | None, **options):
        document = certificates.keys_document()
        if output:
            Path(output).write_text(document + "\n", encoding="utf-8")
            self.stdout.write(f"{output}: {len(certificates.published_keys())} key(s)")
        else:
            self.stdout.write(document)
