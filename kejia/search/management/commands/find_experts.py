"""Search the talent database from the shell: `manage.py find_experts "光学成像" --json`.
Without --user the search runs with the platform's view (an operator on the server)."""

import json

from django.core.management.base import BaseCommand, CommandError

from kejia.core.errors import DomainError
from kejia.search.services import ExpertFilters, affinity, find_experts


class _Platform:
    """The operator's view: unrestricted, like a platform administrator."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None


class Command(BaseCommand):
    help = "Find experts by free text (Chinese or English), with filters; prints the ranked list."

    def add_arguments(self, parser):
        parser.add_argument("query")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--offset", type=int, default=0)
        parser.add_argument("--json", action="store_true", help="print a JSON array")
        parser.add_argument("--user", help="search with this user's scope")
        parser.add_argument("--affinity", action="store_true", help="treat QUERY as a pasted text: any of its key terms")
        parser.add_argument("--sector", action="append", default=[])
        parser.add_argument("--title-level", action="append", default=[])
        parser.add_argument("--region", help="division code: the region and below")
        parser.add_argument("--discipline", action="append", default=[], help="GB/T 13745 code")
        parser.add_argument("--organization", help="organization code: it and its sub-organizations")
        parser.add_argument("--frontline", action="store_true", default=None)
        parser.add_argument("--age-min", type=int)
        parser.add_argument("--age-max", type=int)

    def handle(self, *args, **o):
        user = _Platform()
        if o["user"]:
            from kejia.accounts.models import User

            user = User.objects.filter(username=o["user"]).first()
            if user is None:
                raise CommandError(f"no user {o['user']!r}")
        filters = ExpertFilters(
            sector=o["sector"],
            title_level=o["title_level"],
            region=o["region"],
            discipline=o["discipline"],
            organization=o["organization"],
            frontline=o["frontline"],
            age_min=o["age_min"],
            age_max=o["age_max"],
        )
        try:
            if o["affinity"]:
                found = affinity(o["query"], user=user, limit=o["limit"], offset=o["offset"], filters=filters)
            else:
                found = find_experts(user, text=o["query"], filters=filters, limit=o["limit"], offset=o["offset"])
        except DomainError as exc:
            raise CommandError(json.dumps(exc.as_dict(), ensure_ascii=False))
        rows = [{"id": e.id, "name": e.name, "employer": e.employer, "title": e.title, "score": e.score, "matched": e.matched} for e in found.experts]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for i, r in enumerate(rows, 1 + o["offset"]):
            self.stdout.write(f"{i:>3}. {r['name']}  {r['employer']}  {r['title']}  {r['score']:.2f}  [{' '.join(r['matched'])}]")
        self.stdout.write(f"({found.total} in all)")
