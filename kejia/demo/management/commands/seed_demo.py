"""`manage.py seed_demo`: a demo province (Jiangsu by default) on the real divisions."""

from django.core.management.base import BaseCommand, CommandError

from kejia.demo import seeding as demo


class Command(BaseCommand):
    help = "Build a realistic demo province: the organization tree, host units, demo users and open filings."
    # `make demo` runs `migrate` (which checks) just before; skipping the checks keeps a second
    # `make demo` from spending a second on them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed; the same seed gives the same tree.")
        parser.add_argument(
            "--orgs", type=int, default=demo.DEFAULT_ORGS, help=f"Total number of organizations (at least {demo.MIN_ORGS}; 20000 for benchmarks)."
        )
        parser.add_argument("--province", default="32", help="Two-digit GB/T 2260 province code (default 32, Jiangsu).")
        parser.add_argument("--if-empty", action="store_true", help="Leave existing organizations as they are (only add --people if there are none yet).")
        parser.add_argument("--people", type=int, default=0, help="Also add this many S&T workers (about 6%% of them duplicates across societies).")

    def handle(self, *args, seed: int, orgs: int, province: str, if_empty: bool, people: int, **options) -> None:
        if people < 0:
            raise CommandError("--people must be 0 or more.")
        try:
            result = demo.seed_demo(seed=seed, orgs=orgs, province=province, if_empty=if_empty, people=people)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if result.people:
            # The demo people were written in bulk: build the derived search index from them.
            from kejia.search.indexing import rebuild_index

            indexed = rebuild_index()
            self.stdout.write(f"Search index rebuilt: {indexed}")
        self._seed_memberships(seed)
        self._seed_governance(seed)
        self._seed_home(seed)
        if not result.created:
            if result.people:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Organizations already exist; added {result.people} people ({result.duplicates} duplicates) in {result.seconds:.1f} s (seed {seed})."
                    )
                )
            else:
                self.stdout.write("Organizations already exist; demo data left as it is.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.organizations} organizations, {result.institutions} host units, {len(result.users)} users "
                f"and {result.filings} open filings"
                + (f", {result.people} people ({result.duplicates} duplicates)" if result.people else "")
                + f" in {result.seconds:.1f} s (seed {seed})."
            )
        )
        if options["verbosity"] > 1:
            for kind, n in result.by_kind.items():
                self.stdout.write(f"  {kind:<20} {n:>6}")

    def _seed_memberships(self, seed: int) -> None:
        """Society memberships from the seeded people (once; a no-op when there are some)."""
        from kejia.accounts.models import User
        from kejia.demo.memberships import seed_memberships

        made = seed_memberships(seed=seed, actor=User.objects.filter(username="admin").first())
        if made.memberships:
            self.stdout.write(f"Memberships: {made.memberships} in {made.societies} societies, {made.payments} dues payments.")

    def _seed_governance(self, seed: int) -> None:
        """Leadership bodies, terms and seats from the seeded people, rule sets and contact duties (once)."""
        from kejia.accounts.models import User
        from kejia.demo.governance import seed_governance

        made = seed_governance(seed=seed, actor=User.objects.filter(username="admin").first())
        if made.bodies:
            self.stdout.write(
                f"Governance: {made.bodies} bodies, {made.terms} terms ({made.overdue} overdue, {made.ending_soon} ending "
                f"within 90 days), {made.seats} seats, {made.duties} contact duties, {made.visits} visits."
            )

    def _seed_home(self, seed: int) -> None:
        """Events, volunteer teams and hours, voice items with answers, surveys with answers (each once)."""
        from importlib import import_module

        from kejia.accounts.models import User

        actor = User.objects.filter(username="admin").first()
        for app, label in (
            ("activities", "Activities"),
            ("volunteering", "Volunteer service"),
            ("voice", "Voice"),
            ("surveys", "Surveys"),
            ("grassroots", "Grassroots key staff"),
            ("calls", "Calls for projects"),
        ):
            made = getattr(import_module(f"kejia.demo.{app}"), f"seed_{app}")(seed=seed, actor=actor)
            if made:
                self.stdout.write(f"{label}: " + ", ".join(f"{count} {name}" for name, count in made.items()) + ".")
