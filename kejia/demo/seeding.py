"""The demo province: a realistic 科协 federation on the real administrative divisions, written
in bulk so that 2 500 organizations load in seconds and 20 000 in well under a minute.

`BulkTree` is the builder: it hands out ids itself (under a table lock), so each row's
materialized path is known before the row is written and one `bulk_create` suffices. Going
through `services.create_organization` row by row would cost an INSERT plus an UPDATE and an
audit row per organization; the seed instead writes one audit event that summarises it.

Everything is deterministic for a given seed: one `random.Random(seed)` drives every choice;
Faker (seeded the same) is used only for the names of the demo persons. The demo's "today" is
fixed (`ANCHOR`) so that the same seed gives the same dates on any day."""

import time
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from kejia.demo.bulk import BulkTree
from kejia.demo.common import ANCHOR, DEFAULT_ORGS, DEFAULT_SEED, DEMO_PASSWORD, MIN_ORGS, SEED_ACTION
from kejia.demo.plan import Plan, Skeleton, make_plan
from kejia.demo.province import DemoProvince
from kejia.organizations.models import Organization
from kejia.reference.data.disciplines_level2 import LEVEL2
from kejia.reference.models import Region

__all__ = [
    "ANCHOR",
    "DEFAULT_ORGS",
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "MIN_ORGS",
    "SEED_ACTION",
    "BulkTree",
    "Plan",
    "SeedResult",
    "build_tree",
    "make_plan",
    "seed_demo",
]


# ---- Entry point -----------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    organizations: int = 0
    institutions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    users: list[dict] = field(default_factory=list)
    filings: int = 0
    people: int = 0
    duplicates: int = 0
    seconds: float = 0.0


def ensure_reference(province: str) -> None:
    from kejia.reference.data.disciplines import LEVEL1
    from kejia.reference.models import Discipline
    from kejia.reference.services import load_disciplines, load_regions

    if not Region.objects.filter(code=f"{province}0000").exists():
        load_regions(provinces=[province])
    if Discipline.objects.count() < len(LEVEL1) + len(LEVEL2):
        load_disciplines()


def demo_counties(skeleton: Skeleton) -> tuple[str, ...]:
    """The capital's first two counties: the demo's county and its sibling (玄武区, 秦淮区)."""
    return tuple(c.code for c in skeleton.counties[skeleton.cities[0].code][:2])


def build_tree(*, seed: int = DEFAULT_SEED, orgs: int = DEFAULT_ORGS, province: str = "32") -> DemoProvince:
    """Only the institutions and the organization tree (no users, filings or audit): what the
    benchmark needs. Call inside a transaction."""
    ensure_reference(province)
    skeleton = Skeleton.load(province)
    plan = make_plan(orgs, cities=len(skeleton.cities), counties=len(skeleton.all_counties), townships=skeleton.township_count)
    demo = DemoProvince(skeleton, plan, seed)
    demo.build(demo_counties(skeleton))
    return demo


def seed_demo(*, seed: int = DEFAULT_SEED, orgs: int = DEFAULT_ORGS, province: str = "32", if_empty: bool = False, people: int = 0) -> SeedResult:
    if Organization.objects.exists():
        if if_empty:
            return _people_only(seed=seed, province=province, people=people)
        raise ValueError("The database already holds organizations; seed an empty database (or pass --if-empty).")
    if orgs < MIN_ORGS:
        raise ValueError(f"Use at least {MIN_ORGS} organizations.")
    # Imported here so that the --if-empty no-op stays fast (Faker and pypinyin load slowly).
    from kejia.core.audit import record_event
    from kejia.demo.people import create_demo_filings, create_demo_users
    from kejia.demo.talent import seed_people

    started = time.perf_counter()
    with transaction.atomic():
        demo = build_tree(seed=seed, orgs=orgs, province=province)
        admin, users = create_demo_users(demo, seed=seed)
        filings = create_demo_filings(demo, seed=seed)
        classify()
        by_kind = dict(sorted(Counter(o.kind for o in demo.tree.orgs).items()))
        institutions = sum(len(v) for v in demo.institutions.values())
        root = demo.territorial[demo.sk.province.code]
        record_event(
            actor=admin,
            action=SEED_ACTION,
            obj=root,
            organization=root,
            new={
                "seed": seed,
                "province": province,
                "organizations": len(demo.tree.orgs),
                "institutions": institutions,
                "by_kind": by_kind,
                "filings": filings,
                "users": users,
            },
        )
        crowd = seed_people(count=people, seed=seed, province=province, actor=admin)
    return SeedResult(
        created=True,
        organizations=len(demo.tree.orgs),
        institutions=institutions,
        by_kind=by_kind,
        users=users,
        filings=filings,
        people=crowd.people,
        duplicates=crowd.duplicates,
        seconds=time.perf_counter() - started,
    )


def classify() -> None:
    """Society classes and county structure, drawn from the order of the tree (no random draws, so
    the tree of a seed stays as it was): about one provincial society in five a comprehensive
    demonstration society and one in seven featured (003 三.3 plans about 50 and 30); most county
    associations independent units with a party group, a few not or not recorded."""
    from kejia.organizations.kinds import OrgKind, SocietyClass

    societies = list(Organization.objects.filter(kind=OrgKind.PROVINCIAL_SOCIETY).order_by("path").values_list("pk", flat=True))
    Organization.objects.filter(pk__in=societies[::5]).update(society_class=SocietyClass.DEMONSTRATION)
    Organization.objects.filter(pk__in=[pk for i, pk in enumerate(societies) if i % 7 == 3]).update(society_class=SocietyClass.FEATURED)
    counties = list(Organization.objects.filter(kind=OrgKind.COUNTY_ASSOCIATION).order_by("path").values_list("pk", flat=True))
    Organization.objects.filter(pk__in=[pk for i, pk in enumerate(counties) if i % 6]).update(
        is_independent_unit=True, has_party_group=True, leader_in_charge="县委副书记", leader_in_contact="副县长"
    )
    Organization.objects.filter(pk__in=counties[::12]).update(is_independent_unit=False, has_party_group=False)


def _people_only(*, seed: int, province: str, people: int) -> SeedResult:
    """`--if-empty` on a seeded province: add the people if asked and none are there yet."""
    from kejia.accounts.models import User
    from kejia.demo.talent import seed_people
    from kejia.people.models import Person

    if people <= 0 or Person.objects.exists():
        return SeedResult(created=False)
    started = time.perf_counter()
    crowd = seed_people(count=people, seed=seed, province=province, actor=User.objects.filter(username="admin").first())
    return SeedResult(created=False, people=crowd.people, duplicates=crowd.duplicates, seconds=time.perf_counter() - started)
