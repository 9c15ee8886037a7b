"""The generator's helpers and the host units (institutions) of the demo province."""

import datetime
import math
import random
from collections import Counter

from kejia.core.validators import uscc_check_char
from kejia.demo import names
from kejia.demo.bulk import BulkTree
from kejia.demo.common import ANCHOR, add_years, org_code_check, stem
from kejia.demo.plan import Plan, Skeleton
from kejia.organizations.kinds import InstitutionKind, OrgStatus, PartyCoverage
from kejia.organizations.models import Institution, Organization
from kejia.reference.models import Region, RegionLevel

_ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet (no I, O, Z, S, V)


class DemoUnits:
    """State and helpers of the generator (one random stream, unique names and codes, dates),
    and the host units: universities, parks, institutes, hospitals and firms."""

    def __init__(self, skeleton: Skeleton, plan: Plan, seed: int) -> None:
        self.sk, self.plan = skeleton, plan
        self.rng = random.Random(seed)
        self.tree = BulkTree()
        self.usccs: set[str] = set()
        self.names_used: set[str] = set()
        self.counters: Counter[str] = Counter()
        self.prov_name = skeleton.province.name
        self.city_of = {county.code: city for city in skeleton.cities for county in skeleton.counties[city.code]}
        self.institutions: dict[str, list[Institution]] = {}
        # Filled while building: region code → its territorial association.
        self.territorial: dict[str, Organization] = {}
        self.hosted: dict[str, list[Organization]] = {}
        self.town_orgs: list[Organization] = []
        self.societies: list[Organization] = []

    # -- small helpers --
    def code(self, prefix: str, width: int = 4) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]:0{width}d}"

    def unique(self, make, tries: int = 200) -> str:
        for _ in range(tries):
            name = make()
            if name not in self.names_used:
                self.names_used.add(name)
                return name
        raise RuntimeError("ran out of distinct demo names")

    def uscc(self, head: str, division: str, style: str) -> str:
        rng = self.rng
        while True:
            if style == "enterprise":
                body = "MA" + "".join(rng.choice(_ALNUM) for _ in range(6))
            elif style == "society":
                body = "MJ" + "".join(rng.choice("0123456789") for _ in range(6))
            else:  # public institutions and people's organizations: a numeric code
                body = rng.choice("0145") + "".join(rng.choice("0123456789") for _ in range(7))
            first17 = head + division[:6] + body + org_code_check(body)
            code = first17 + uscc_check_char(first17)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def date_between(self, first_year: int, last_year: int) -> datetime.date:
        start = datetime.date(first_year, 1, 1)
        end = min(datetime.date(last_year, 12, 31), ANCHOR - datetime.timedelta(days=30))
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def term(self, founded: datetime.date, years: int, overdue: float = 0.08) -> dict:
        rng = self.rng
        if rng.random() < overdue:  # the term ended and no congress has renewed it yet
            end = ANCHOR - datetime.timedelta(days=rng.randint(20, 720))
            start = add_years(end, -years)
        else:
            start = ANCHOR - datetime.timedelta(days=rng.randint(0, years * 365 - 40))
            end = add_years(start, years)
        start = max(start, founded)
        end = max(end, start)
        return {"term_start": start, "term_end": end}

    def pick(self, weighted: dict[str, float]) -> str:
        return self.rng.choices(list(weighted), weights=list(weighted.values()))[0]

    def status(self, dormant: float = 0.0, exiting: float = 0.0) -> str:
        x = self.rng.random()
        return OrgStatus.DORMANT if x < dormant else OrgStatus.EXITING if x < dormant + exiting else OrgStatus.ACTIVE

    def address(self, region: Region) -> str:
        if region.level == RegionLevel.PROVINCE:  # provincial bodies sit in the capital
            region = self.sk.counties[self.sk.cities[0].code][0]
        return f"{region.full_name}{self.rng.choice(names.ROADS)}{self.rng.randint(1, 899)}号"

    def county_or_city(self, county: Region) -> Organization:
        """The guiding association of a unit in `county`: its county's, else its city's."""
        org = self.territorial.get(county.code)
        return org if org is not None else self.territorial[self.city_of[county.code].code]

    def random_county(self, city: Region | None = None) -> Region:
        if city is None:
            code = self.pick(self.sk.weights)
            city = next(c for c in self.sk.cities if c.code == code)
        return self.rng.choice(self.sk.counties[city.code] or self.sk.all_counties)

    # -- institutions (host units of coverage analysis) --
    def unique_at(self, make, tries: int = 500) -> tuple[str, Region]:
        """Like `unique`, for a name tied to a place: `make()` returns (name, county)."""
        for _ in range(tries):
            name, county = make()
            if name not in self.names_used:
                self.names_used.add(name)
                return name, county
        raise RuntimeError("ran out of distinct demo names")

    def build_institutions(self, demo_counties: tuple[str, ...]) -> None:
        rng, plan = self.rng, self.plan
        made: dict[str, list[Institution]] = {k: [] for k in InstitutionKind.values}

        def add(kind: str, make, *, head: str, style: str, staff: tuple[int, int], large: bool = False) -> None:
            name, county = self.unique_at(make)
            made[kind].append(
                Institution(
                    name=name, kind=kind, region_id=county.code, uscc=self.uscc(head, county.code, style), is_large=large, staff_count=rng.randint(*staff)
                )
            )

        def city_stem(county: Region) -> str:
            return stem(self.city_of[county.code].name)

        def university() -> tuple[str, Region]:
            county = self.random_county()
            place = stem(county.name) if rng.random() < 0.2 and county.name.endswith("区") else city_stem(county)
            return place + rng.choice(names.UNIVERSITY_SUFFIXES), county

        def park() -> tuple[str, Region]:
            county = self.random_county()
            if rng.random() < 0.3:
                return rng.choice(names.PARK_PATTERNS_CITY).format(p=city_stem(county)), county
            return rng.choice(names.PARK_PATTERNS_COUNTY).format(p=stem(county.name)), county

        def provincial_institute() -> tuple[str, Region]:
            return self.prov_name + rng.choice(names.INSTITUTES_PROVINCE), self.random_county(self.sk.cities[0])

        def city_institute() -> tuple[str, Region]:
            county = self.random_county()
            return self.city_of[county.code].name + rng.choice(names.INSTITUTES_CITY), county

        def hospital() -> tuple[str, Region]:
            county = self.random_county()
            if rng.random() < 0.5:
                return rng.choice(names.HOSPITAL_PATTERNS_CITY).format(p=self.city_of[county.code].name), county
            return rng.choice(names.HOSPITAL_PATTERNS_COUNTY).format(p=county.name), county

        def firm(large: bool, county: Region | None) -> tuple[str, Region]:
            county = county or self.random_county()
            place = stem(county.name) if rng.random() < 0.5 else city_stem(county)
            brand = rng.choice(names.BRAND_CHARS) + rng.choice(names.BRAND_CHARS)
            form = rng.choice(names.LARGE_FORMS if large else names.SMALL_FORMS)
            return place + brand + rng.choice(names.INDUSTRIES) + form, county

        for _ in range(plan.universities):
            add(InstitutionKind.UNIVERSITY, university, head="12", style="public", staff=(600, 6000))
        for _ in range(plan.parks):
            add(InstitutionKind.PARK, park, head="12", style="public", staff=(300, 20000))
        provincial = min(max(1, round(plan.institutes * 0.3)), len(names.INSTITUTES_PROVINCE) - 3)
        for i in range(plan.institutes):
            add(InstitutionKind.RESEARCH_INSTITUTE, provincial_institute if i < provincial else city_institute, head="12", style="public", staff=(40, 1500))
        for _ in range(plan.hospitals):
            add(InstitutionKind.HOSPITAL, hospital, head="12", style="public", staff=(300, 3000))
        # Enterprises: 70 % of the enterprise associations sit in large firms (60 % of which have
        # one), the rest in small firms (half of which have one). A few spare small firms absorb
        # rounding elsewhere in the plan.
        large_assocs = round(plan.enterprise_assocs * 0.7)
        n_large = math.ceil(large_assocs / 0.6) + 1
        n_small = math.ceil((plan.enterprise_assocs - large_assocs) / 0.5) + 3 + plan.total // 200
        # The demo county always has a few large firms, so its staff have something to file.
        home = next((c for c in self.sk.all_counties if demo_counties and c.code == demo_counties[0]), None)
        for i in range(n_large + n_small):
            large = i < n_large
            add(
                InstitutionKind.ENTERPRISE,
                lambda large=large, i=i: firm(large, home if i < 3 else None),
                head="91",
                style="enterprise",
                staff=(200, 5000) if large else (8, 150),
                large=large,
            )
        rows = [inst for kind in InstitutionKind.values for inst in made[kind]]
        Institution.objects.bulk_create(rows, batch_size=1000)
        if rows and rows[0].pk is None:  # every supported database returns the ids (SQLite ≥ 3.35)
            raise RuntimeError("bulk_create did not return ids on this database")
        self.institutions = made

    # -- the organization tree --
    def org(
        self,
        parent: Organization | None,
        *,
        name: str,
        kind: str,
        region: Region,
        code: str,
        founded: datetime.date,
        term_years: int | None = 5,
        overdue: float = 0.08,
        status: str = OrgStatus.ACTIVE,
        staff: tuple[int, int] = (0, 0),
        party: dict[str, float] | None = None,
        short_name: str = "",
        uscc: str = "",
        host: Institution | None = None,
        disciplines: tuple[str, ...] = (),
        with_address: bool = True,
    ) -> Organization:
        fields = self.term(founded, term_years, overdue) if term_years else {}
        party = party or {PartyCoverage.NONE: 1.0}
        return self.tree.add(
            parent,
            disciplines=disciplines,
            name=name,
            short_name=short_name,
            code=code,
            kind=kind,
            region_id=region.code,
            status=status,
            founded_on=founded,
            fulltime_staff=self.rng.randint(*staff),
            party_coverage=self.pick(party),
            is_legal_person=bool(uscc),
            uscc=uscc,
            host_id=host.pk if host else None,
            address=self.address(region) if with_address else "",
            **fields,
        )
