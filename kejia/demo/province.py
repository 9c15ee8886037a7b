"""The organization tree of the demo province, built on `DemoUnits`."""

import math
from collections import Counter

from kejia.demo import names
from kejia.demo.common import stem
from kejia.demo.plan import society_topics
from kejia.demo.units import DemoUnits
from kejia.organizations.kinds import InstitutionKind, OrgKind, OrgStatus, PartyCoverage
from kejia.organizations.models import Organization
from kejia.reference.models import Region


class DemoProvince(DemoUnits):
    """Generates the institutions and the organization tree of one province."""

    def build_territorial(self, demo_counties: tuple[str, ...]) -> None:
        rng, sk, plan = self.rng, self.sk, self.plan
        independent = {PartyCoverage.INDEPENDENT: 1.0}
        prov = self.org(
            None,
            name=f"{sk.province.name}科学技术协会",
            short_name=f"{sk.province.name}科协",
            kind=OrgKind.PROVINCIAL_ASSOCIATION,
            region=sk.province,
            code=f"KX{sk.province.code}",
            founded=self.date_between(1958, 1958),
            overdue=0,
            staff=(70, 95),
            party=independent,
            uscc=self.uscc("13", sk.province.code, "public"),
        )
        self.territorial[sk.province.code] = prov
        for city in sk.cities:
            self.territorial[city.code] = self.org(
                prov,
                name=f"{city.name}科学技术协会",
                short_name=f"{city.name}科协",
                kind=OrgKind.MUNICIPAL_ASSOCIATION,
                region=city,
                code=f"KX{city.code}",
                founded=self.date_between(1958, 1983),
                overdue=0.1,
                staff=(12, 45),
                party=independent,
                uscc=self.uscc("13", city.code, "public"),
            )
        candidates = [c for c in sk.all_counties if c.code not in demo_counties]
        missing = set(c.code for c in rng.sample(candidates, min(plan.missing_counties, len(candidates))))
        present = [c for c in sk.all_counties if c.code not in missing]
        dormant = rng.choice([c for c in present if c.code not in demo_counties]).code
        for county in present:
            self.territorial[county.code] = self.org(
                self.territorial[self.city_of[county.code].code],
                name=f"{county.name}科学技术协会",
                short_name=f"{county.name}科协",
                kind=OrgKind.COUNTY_ASSOCIATION,
                region=county,
                code=f"KX{county.code}",
                founded=self.date_between(1960, 1995),
                overdue=0.12,
                status=OrgStatus.DORMANT if county.code == dormant else OrgStatus.ACTIVE,
                staff=(3, 12),
                party=independent,
                uscc=self.uscc("13", county.code, "public"),
            )
        self.build_townships(present, demo_counties)

    def build_townships(self, present: list[Region], demo_counties: tuple[str, ...]) -> None:
        rng, plan = self.rng, self.plan
        present_codes = {c.code for c in present}
        pools = {city.code: [t for c in self.sk.counties[city.code] if c.code in present_codes for t in self.sk.townships[c.code]] for city in self.sk.cities}
        # Spread over the cities in proportion, at least one per city, never all of a city.
        total_pool = sum(len(p) for p in pools.values()) or 1
        quota = {k: min(max(1, round(plan.townships * len(p) / total_pool)), math.floor(len(p) * 0.85)) for k, p in pools.items()}
        chosen: list[Region] = []
        for city in self.sk.cities:
            chosen += rng.sample(pools[city.code], min(quota[city.code], len(pools[city.code])))
        # Rounding leaves the count a little off the plan; trim or top up from what is left.
        rng.shuffle(chosen)
        chosen = chosen[: plan.townships]
        if len(chosen) < plan.townships:
            taken = {t.code for t in chosen}
            rest = [t for p in pools.values() for t in p if t.code not in taken]
            chosen += rng.sample(rest, min(len(rest), plan.townships - len(chosen)))
        self.plan.townships = len(chosen)
        chosen.sort(key=lambda t: t.code)
        towns: list[Organization] = []
        for town in chosen:
            org = self.org(
                self.territorial[town.parent_id],
                name=f"{town.name}科学技术协会",
                short_name=f"{town.name}科协",
                kind=OrgKind.TOWNSHIP_ASSOCIATION,
                region=town,
                code=f"KX{town.code}",
                founded=self.date_between(1995, 2023),
                overdue=0.15,
                status=self.status(dormant=0.04),
                staff=(0, 2),
                party={PartyCoverage.JOINT: 0.6, PartyCoverage.NONE: 0.3, PartyCoverage.INDEPENDENT: 0.1},
            )
            self.territorial[town.code] = org
            towns.append(org)
        regions = {t.code: t for t in chosen}
        self.town_orgs = towns
        per_town: Counter[int] = Counter()
        for _ in range(plan.communities if towns else 0):
            town = rng.choice(towns)
            region = regions[town.region_id]
            if per_town[town.pk] >= 3:
                town = min(towns, key=lambda t: (per_town[t.pk], t.pk))
                region = regions[town.region_id]
            per_town[town.pk] += 1
            unit = "社区" if region.name.endswith("街道") else "村"
            name = self.unique(lambda r=region, u=unit: f"{r.name}{rng.choice(names.COMMUNITY_WORDS)}{u}科普协会")
            self.org(
                town,
                name=name,
                kind=OrgKind.COMMUNITY_ASSOCIATION,
                region=region,
                code=self.code("SQ", 5),
                founded=self.date_between(2008, 2025),
                term_years=None,
                status=self.status(dormant=0.06),
                with_address=False,
            )

    def build_societies(self) -> None:
        rng, plan, sk = self.rng, self.plan, self.sk
        prov = self.territorial[sk.province.code]
        chosen = names.SOCIETIES[: plan.societies]
        topics = [rng.sample(t, len(t)) for t in (society_topics(d) for _, d, _ in chosen)]
        caps = [len(t) + len(names.WORKING_COMMITTEES) for t in topics]
        counts = [1 if plan.branches >= len(chosen) else 0 for _ in chosen]
        left = plan.branches - sum(counts)
        while left > 0:
            open_ = [i for i in range(len(chosen)) if counts[i] < caps[i]]
            i = rng.choices(open_, weights=[caps[j] for j in open_])[0]
            counts[i] += 1
            left -= 1
        inactive = {
            i: s
            for i, s in zip(
                rng.sample(range(len(chosen)), min(5, len(chosen) // 10)),
                (OrgStatus.DORMANT, OrgStatus.DORMANT, OrgStatus.EXITING, OrgStatus.DORMANT, OrgStatus.EXITING),
                strict=False,
            )
        }
        self.societies = []
        for i, (suffix, disciplines, _) in enumerate(chosen):
            society = self.org(
                prov,
                name=f"{self.prov_name}{suffix}",
                kind=OrgKind.PROVINCIAL_SOCIETY,
                region=sk.province,
                code=self.code("XH", 3),
                founded=self.date_between(1950, 2016),
                overdue=0.12,
                status=inactive.get(i, OrgStatus.ACTIVE),
                staff=(0, 8),
                party={PartyCoverage.INDEPENDENT: 0.35, PartyCoverage.JOINT: 0.45, PartyCoverage.NONE: 0.2},
                uscc=self.uscc("51", sk.province.code, "society"),
                disciplines=disciplines,
            )
            self.societies.append(society)
            style = "分会" if suffix in names.BRANCH_STYLE_SOCIETIES else "专业委员会"
            picks = topics[i] + [("", w) for w in rng.sample(names.WORKING_COMMITTEES, len(names.WORKING_COMMITTEES))]
            for k, (discipline, topic) in enumerate(picks[: counts[i]], start=1):
                if discipline:
                    name, kind = f"{society.name}{topic}{style}", (OrgKind.SOCIETY_BRANCH if style == "分会" else OrgKind.SPECIALIZED_COMMITTEE)
                else:
                    name, kind = f"{society.name}{topic}", OrgKind.SPECIALIZED_COMMITTEE
                self.org(
                    society,
                    name=name,
                    kind=kind,
                    region=sk.province,
                    code=f"{society.code}-{k:02d}",
                    founded=max(society.founded_on, self.date_between(1985, 2024)),
                    overdue=0.1,
                    status=OrgStatus.DORMANT if society.status != OrgStatus.ACTIVE else self.status(dormant=0.05),
                    party={PartyCoverage.NONE: 0.7, PartyCoverage.JOINT: 0.3},
                    disciplines=(discipline,) if discipline else (),
                    with_address=False,
                )
        for union in names.SOCIETY_UNIONS[: plan.unions]:
            self.org(
                prov,
                name=f"{self.prov_name}{union}",
                kind=OrgKind.SOCIETY_UNION,
                region=sk.province,
                code=self.code("LHT", 2),
                founded=self.date_between(2018, 2024),
                term_years=3,
                overdue=0.05,
                staff=(0, 2),
                party={PartyCoverage.JOINT: 0.7, PartyCoverage.NONE: 0.3},
                with_address=False,
            )
        at_city = [(c, s) for c in sk.cities for s in names.SOCIETIES if s[2]]
        picked = sorted(rng.sample(range(len(at_city)), plan.city_societies))
        for idx in picked:
            city, (suffix, disciplines, _) = at_city[idx]
            self.org(
                self.territorial[city.code],
                name=f"{city.name}{suffix}",
                kind=OrgKind.MUNICIPAL_SOCIETY,
                region=city,
                code=self.code(f"SXH{city.code[:4]}-", 2),
                founded=self.date_between(1978, 2020),
                overdue=0.15,
                status=self.status(dormant=0.08, exiting=0.02),
                staff=(0, 2),
                party={PartyCoverage.JOINT: 0.5, PartyCoverage.NONE: 0.4, PartyCoverage.INDEPENDENT: 0.1},
                uscc=self.uscc("51", city.code, "society"),
                disciplines=disciplines,
            )

    def build_hosted(self) -> None:
        rng, plan = self.rng, self.plan
        regions = {r.code: r for r in self.sk.all_counties}
        prov = self.territorial[self.sk.province.code]

        def hosted(kind: str, inst_kind: str, count: int, prefix: str, guide) -> None:
            units = self.institutions[inst_kind]
            out = self.hosted.setdefault(kind, [])
            for inst in sorted(rng.sample(units, count), key=lambda u: u.pk):
                region = regions[inst.region_id]
                out.append(
                    self.org(
                        guide(inst, region),
                        name=f"{inst.name}科学技术协会",
                        short_name=f"{inst.name}科协",
                        kind=kind,
                        region=region,
                        code=self.code(prefix),
                        founded=self.date_between(2003, 2025),
                        term_years=rng.choice((3, 5)),
                        overdue=0.1,
                        status=self.status(dormant=0.05),
                        staff=(0, 3),
                        host=inst,
                        party={PartyCoverage.JOINT: 0.5, PartyCoverage.INDEPENDENT: 0.2, PartyCoverage.NONE: 0.3},
                    )
                )

        def university_guide(inst, region):
            vocational = "职业" in inst.name or "专科" in inst.name
            return self.territorial[self.city_of[region.code].code] if vocational else prov

        def park_guide(inst, region):
            city = self.city_of[region.code]
            return self.territorial[city.code] if inst.name.startswith(stem(city.name)) else self.county_or_city(region)

        def institute_guide(inst, region):
            return prov if inst.name.startswith(self.prov_name) else self.territorial[self.city_of[region.code].code]

        hosted(OrgKind.UNIVERSITY_ASSOCIATION, InstitutionKind.UNIVERSITY, plan.university_assocs, "GX", university_guide)
        hosted(OrgKind.PARK_ASSOCIATION, InstitutionKind.PARK, plan.park_assocs, "YQ", park_guide)
        hosted(OrgKind.INSTITUTE_ASSOCIATION, InstitutionKind.RESEARCH_INSTITUTE, plan.institute_assocs, "YS", institute_guide)

    def build_grassroots(self) -> None:
        """Rural technical associations, volunteer teams, survey stations, expert workstations and
        service stations: the small units that bring the federation to the front line."""
        rng, plan, sk = self.rng, self.plan, self.sk
        counties = [c for c in sk.all_counties if c.code in self.territorial]
        towns_by_county: dict[str, list[Organization]] = {}
        for town in self.town_orgs:
            towns_by_county.setdefault(town.region_id[:6], []).append(town)
        town_regions = {t.code: t for ts in sk.townships.values() for t in ts}
        for _ in range(plan.rural):
            county = rng.choice(counties)
            towns = [t for t in towns_by_county.get(county.code, []) if not town_regions[t.region_id].name.endswith("街道")]
            if towns and rng.random() < 0.3:
                parent = rng.choice(towns)
                region, place = town_regions[parent.region_id], town_regions[parent.region_id].name
            else:
                parent, region, place = self.territorial[county.code], county, stem(county.name)
            registered = rng.random() < 0.4
            self.org(
                parent,
                name=self.unique(lambda p=place: f"{p}{rng.choice(names.RURAL_PRODUCTS)}专业技术协会"),
                kind=OrgKind.RURAL_TECH_ASSOCIATION,
                region=region,
                code=self.code("NJX"),
                founded=self.date_between(1985, 2022),
                overdue=0.2,
                status=self.status(dormant=0.08, exiting=0.02),
                staff=(0, 1),
                uscc=self.uscc("51", county.code, "society") if registered else "",
            )
        # Volunteer teams are formed by counties, universities, societies and cities.
        bases = [self.territorial[c.code] for c in counties] + self.hosted.get(OrgKind.UNIVERSITY_ASSOCIATION, [])
        bases += [o for o in self.societies if o.status == OrgStatus.ACTIVE] + [self.territorial[c.code] for c in sk.cities]
        get_region = {r.code: r for r in [sk.province, *sk.cities, *sk.all_counties]}
        for _ in range(plan.volunteers):
            parent = rng.choice(bases)
            base = parent.name.removesuffix("科学技术协会")
            region = get_region.get(parent.region_id) or town_regions[parent.region_id]
            name = self.unique(lambda b=base: f"{b}{rng.choice(names.VOLUNTEER_TOPICS)}科技志愿服务队")
            self.org(
                parent,
                name=name,
                kind=OrgKind.VOLUNTEER_TEAM,
                region=region,
                code=self.code("ZYD"),
                founded=self.date_between(2014, 2025),
                term_years=None,
                status=self.status(dormant=0.06),
                with_address=False,
            )
        prov = self.territorial[sk.province.code]
        hosts = (
            self.institutions[InstitutionKind.UNIVERSITY]
            + self.institutions[InstitutionKind.RESEARCH_INSTITUTE]
            + self.institutions[InstitutionKind.HOSPITAL]
            + [e for e in self.institutions[InstitutionKind.ENTERPRISE] if e.is_large]
        )
        for inst in sorted(rng.sample(hosts, min(plan.surveys, len(hosts))), key=lambda u: u.pk):
            self.org(
                prov,
                name=f"{inst.name}科技工作者状况调查站",
                kind=OrgKind.SURVEY_STATION,
                region=get_region[inst.region_id],
                code=self.code("DCZ", 3),
                founded=self.date_between(2009, 2023),
                term_years=None,
                host=inst,
                with_address=False,
            )
        large = [e for e in self.institutions[InstitutionKind.ENTERPRISE] if e.is_large]
        for inst in sorted(rng.sample(large, min(plan.workstations, len(large))), key=lambda u: u.pk):
            region = get_region[inst.region_id]
            kind_name = "院士专家工作站" if rng.random() < 0.3 else "专家工作站"
            self.org(
                self.county_or_city(region),
                name=f"{inst.name}{kind_name}",
                kind=OrgKind.EXPERT_WORKSTATION,
                region=region,
                code=self.code("ZJZ"),
                founded=self.date_between(2008, 2024),
                term_years=3,
                overdue=0.2,
                status=self.status(dormant=0.05, exiting=0.03),
                host=inst,
                with_address=False,
            )
        for town in sorted(rng.sample(self.town_orgs, min(plan.service_stations, len(self.town_orgs))), key=lambda t: t.pk):
            region = town_regions[town.region_id]
            self.org(
                town,
                name=f"{region.name}科技工作者服务站",
                kind=OrgKind.SERVICE_STATION,
                region=region,
                code=self.code("FWZ"),
                founded=self.date_between(2015, 2025),
                term_years=None,
                with_address=False,
            )

    def build_enterprise_associations(self) -> None:
        rng = self.rng
        remaining = self.plan.total - len(self.tree.orgs)
        firms = self.institutions[InstitutionKind.ENTERPRISE]
        large = [f for f in firms if f.is_large]
        small = [f for f in firms if not f.is_large]
        n_large = min(round(remaining * 0.7), len(large) - 1)
        hosts = rng.sample(large, n_large) + rng.sample(small, min(len(small), remaining - n_large))
        hosts.sort(key=lambda f: f.pk)
        regions = {r.code: r for r in self.sk.all_counties}
        out = self.hosted.setdefault(OrgKind.ENTERPRISE_ASSOCIATION, [])
        for inst in hosts:
            region = regions[inst.region_id]
            out.append(
                self.org(
                    self.county_or_city(region),
                    name=f"{inst.name}科学技术协会",
                    kind=OrgKind.ENTERPRISE_ASSOCIATION,
                    region=region,
                    code=self.code("QY", 5),
                    founded=self.date_between(2000, 2025),
                    term_years=rng.choice((3, 5)),
                    overdue=0.12,
                    status=self.status(dormant=0.06, exiting=0.015),
                    staff=(0, 2),
                    host=inst,
                    party={PartyCoverage.NONE: 0.5, PartyCoverage.JOINT: 0.4, PartyCoverage.INDEPENDENT: 0.1},
                )
            )
        # A couple dissolved: leaves only, so no active organization hangs under a dissolved one.
        for org in rng.sample(out, min(len(out), max(2, self.plan.total // 1500))):
            org.status = OrgStatus.DISSOLVED

    def build(self, demo_counties: tuple[str, ...]) -> None:
        self.build_institutions(demo_counties)
        self.tree.reserve()
        self.build_territorial(demo_counties)
        self.build_societies()
        self.build_hosted()
        self.build_grassroots()
        self.build_enterprise_associations()
        if len(self.tree.orgs) != self.plan.total:
            raise RuntimeError(f"planned {self.plan.total} organizations, built {len(self.tree.orgs)}")
        self.tree.save()
