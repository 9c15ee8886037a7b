"""How big each part of the demo province is, and the divisions it is built on."""

from dataclasses import dataclass, field

from kejia.demo import names
from kejia.demo.common import MIN_ORGS
from kejia.reference.data.disciplines_level2 import LEVEL2
from kejia.reference.models import Region, RegionLevel

_SKIP_TOPIC_ENDINGS = ("其他学科", "基础学科", "史")


@dataclass
class Plan:
    """How many of each kind a tree of `total` organizations gets. Shares are of the part above
    the fixed territorial skeleton; enterprise associations take whatever is left, which is how
    a 20 000-organization province grows (with more townships, branches and communities)."""

    total: int
    missing_counties: int
    townships: int
    communities: int
    societies: int
    branches: int
    unions: int
    city_societies: int
    universities: int
    parks: int
    institutes: int
    hospitals: int
    rural: int
    volunteers: int
    surveys: int
    workstations: int
    service_stations: int
    university_assocs: int = 0
    park_assocs: int = 0
    institute_assocs: int = 0
    enterprise_assocs: int = 0


def society_topics(disciplines: tuple[str, ...]) -> list[tuple[str, str]]:
    topics: list[tuple[str, str]] = []
    for code in disciplines:
        if len(code) != 3:
            continue
        topics += [(c, n) for c, n, _ in LEVEL2 if c[:3] == code and not n.endswith(_SKIP_TOPIC_ENDINGS)]
    return topics


def make_plan(total: int, *, cities: int, counties: int, townships: int) -> Plan:
    missing = max(2, round(counties * 0.04))
    rest = total - (1 + cities + counties - missing)

    def share(p: float, lo: int = 0) -> int:
        return max(lo, round(rest * p))

    societies = min(len(names.SOCIETIES), share(0.065, 5))
    branch_capacity = sum(len(society_topics(d)) + len(names.WORKING_COMMITTEES) for _, d, _ in names.SOCIETIES[:societies])
    city_level = sum(1 for *_, at_city in names.SOCIETIES if at_city)
    town_count = min(round(townships * 0.85), share(0.18))
    universities = min(170, share(0.04, 3))
    parks = min(150, share(0.03, 3))
    institutes = min(100, share(0.025, 2))
    plan = Plan(
        total=total,
        missing_counties=missing,
        townships=town_count,
        communities=min(town_count * 3, share(0.08)),
        societies=societies,
        branches=min(branch_capacity, share(0.15)),
        unions=min(len(names.SOCIETY_UNIONS), max(1, rest // 600)),
        city_societies=min(cities * city_level, share(0.02)),
        universities=universities,
        parks=parks,
        institutes=institutes,
        hospitals=min(cities * 4, share(0.01, 3)),
        rural=share(0.03, 2),
        volunteers=share(0.03, 2),
        surveys=share(0.015, 2),
        workstations=share(0.025, 2),
        service_stations=min(town_count, share(0.01)),
    )
    plan.university_assocs = _covered(universities, 0.65)
    plan.park_assocs = _covered(parks, 0.40)
    plan.institute_assocs = _covered(institutes, 0.50)
    others = (
        plan.townships
        + plan.communities
        + plan.societies
        + plan.branches
        + plan.unions
        + plan.city_societies
        + plan.university_assocs
        + plan.park_assocs
        + plan.institute_assocs
        + plan.rural
        + plan.volunteers
        + plan.surveys
        + plan.workstations
        + plan.service_stations
    )
    plan.enterprise_assocs = rest - others
    if plan.enterprise_assocs < 1:
        raise ValueError(f"{total} organizations is too few for a province; use at least {MIN_ORGS}.")
    return plan


def _covered(n: int, share: float) -> int:
    """How many of n host units have an association: about `share`, never all (gaps must show)."""
    return min(max(1, round(n * share)), max(0, n - 1))


@dataclass
class Skeleton:
    province: Region
    cities: list[Region]
    counties: dict[str, list[Region]]  # city code → counties
    townships: dict[str, list[Region]]  # county code → townships
    weights: dict[str, float] = field(default_factory=dict)  # city code → share of units

    @classmethod
    def load(cls, province_code: str) -> "Skeleton":
        rows = list(Region.objects.filter(code__startswith=province_code).order_by("code"))
        province = next((r for r in rows if r.level == RegionLevel.PROVINCE), None)
        cities = [r for r in rows if r.level == RegionLevel.CITY]
        if province is None:
            raise ValueError(f"No divisions for province {province_code}: is it a GB/T 2260 province code?")
        if not cities:  # Beijing, Tianjin, Shanghai, Chongqing: districts directly under the province
            raise ValueError(f"{province.name} has no city-level divisions; the demo needs a province with cities.")
        counties: dict[str, list[Region]] = {c.code: [] for c in cities}
        townships: dict[str, list[Region]] = {}
        for r in rows:
            if r.level == RegionLevel.COUNTY and r.parent_id in counties:
                counties[r.parent_id].append(r)
                townships[r.code] = []
        for r in rows:
            if r.level == RegionLevel.TOWNSHIP and r.parent_id in townships:
                townships[r.parent_id].append(r)
        skeleton = cls(province, cities, counties, townships)
        # Units (universities, firms) follow the size of a city; the capital counts double.
        raw = {c.code: max(1, len(counties[c.code])) * (2 if i == 0 else 1) for i, c in enumerate(cities)}
        skeleton.weights = {k: v / sum(raw.values()) for k, v in raw.items()}
        return skeleton

    @property
    def all_counties(self) -> list[Region]:
        return [c for city in self.cities for c in self.counties[city.code]]

    @property
    def township_count(self) -> int:
        return sum(len(t) for t in self.townships.values())
