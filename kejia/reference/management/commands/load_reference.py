from django.core.management.base import BaseCommand

from kejia.reference.services import load_disciplines, load_regions


class Command(BaseCommand):
    help = "Load administrative divisions (GB/T 2260, from the installed MCA table) and disciplines (GB/T 13745)."

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=[], help="Two-digit province prefix to load (e.g. 32); repeat for more; default all.")

    def handle(self, *args, province, **options):
        regions = load_regions(provinces=province or None)
        disciplines = load_disciplines()
        self.stdout.write(
            f"regions: {regions['created']} created, {regions['updated']} updated; disciplines: {disciplines['total']} ({disciplines['created']} new)"
        )
