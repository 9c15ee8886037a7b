"""The demo's S&T workers (`seed_demo --people N`): realistic profiles on the demo province,
listed by its societies and associations, written in bulk.

The people are built in memory from the organizations and host units already in the database
(so the step also runs on a province seeded earlier) and written with `bulk_create`: each row's
identifiers are sealed, hashed and masked exactly as `people.services` would, but without a
query or an audit row per person; one audit event summarises the seed. About 6 % of the records
are the same person listed again by another society with the variations real lists have (a
space in the name, no ID number, another phone or none, the employer spelt differently), so
identity resolution has work to do. One `random.Random(seed)` and a seeded Faker drive every
choice: the same seed gives the same people (the sealed values differ, their nonces are random)."""

import datetime
import itertools
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from faker.providers.person.zh_CN import Provider as ZhNames

from kejia.core import pii
from kejia.core.validators import resident_id_check_char
from kejia.demo import talent_words as words
from kejia.demo.common import ANCHOR, stem
from kejia.organizations.kinds import InstitutionKind, OrgKind, OrgStatus
from kejia.organizations.models import Institution, Organization
from kejia.people.choices import AchievementKind, Education, ListingRole, OverseasStatus, PersonStatus, ThreeChiefs
from kejia.people.models import Achievement, Listing, Person
from kejia.people.resolution import block_key_of
from kejia.people.services import pinyin_of
from kejia.reference.models import Discipline, Region, RegionLevel

SEED_ACTION = "person.demo_seeded"
DUPLICATE_SHARE = 0.06
SOCIETY_KINDS = (OrgKind.PROVINCIAL_SOCIETY, OrgKind.MUNICIPAL_SOCIETY, OrgKind.SOCIETY_BRANCH, OrgKind.SPECIALIZED_COMMITTEE)
HOST_KIND = {
    "enterprise": InstitutionKind.ENTERPRISE,
    "university": InstitutionKind.UNIVERSITY,
    "research_institute": InstitutionKind.RESEARCH_INSTITUTE,
    "medical": InstitutionKind.HOSPITAL,
}
EDUCATION_BY_LEVEL = {
    "senior": {Education.DOCTORATE: 6, Education.MASTER: 3, Education.BACHELOR: 2},
    "vice_senior": {Education.DOCTORATE: 3, Education.MASTER: 5, Education.BACHELOR: 4},
    "intermediate": {Education.DOCTORATE: 1, Education.MASTER: 5, Education.BACHELOR: 6, Education.COLLEGE: 1},
    "junior": {Education.MASTER: 2, Education.BACHELOR: 6, Education.COLLEGE: 3},
    "none": {Education.MASTER: 1, Education.BACHELOR: 5, Education.COLLEGE: 4, Education.SECONDARY: 2},
}
FRONTLINE_SHARE = {
    "agriculture": 0.85,
    "education": 0.7,
    "medical": 0.45,
    "enterprise": 0.35,
    "government": 0.3,
    "social_organization": 0.5,
    "other": 0.3,
    "university": 0.05,
    "research_institute": 0.1,
}


@dataclass
class PeopleResult:
    people: int = 0
    duplicates: int = 0
    listings: int = 0
    achievements: int = 0
    seconds: float = 0.0


class _Row:
    """A row being built: attributes named as the model's attnames (and `_demo` for the builder)."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)


@dataclass
class _World:
    """What the people are placed in, read once from the database."""

    counties: list[Region]
    towns: dict[str, list[Region]]
    hosts: dict[str, list[Institution]]
    hosted_assoc: dict[int, Organization]
    workstations: dict[int, Organization]
    societies_by_major: dict[str, list[Organization]]
    all_societies: list[Organization]
    territorial: dict[str, Organization]
    volunteers_by_city: dict[str, list[Organization]]
    province: Organization
    majors: dict[str, list[str]] = field(default_factory=dict)  # major code → second-level codes

    @classmethod
    def load(cls, province: str) -> "_World":
        counties = list(Region.objects.filter(level=RegionLevel.COUNTY, code__startswith=province).order_by("code"))
        towns: dict[str, list[Region]] = defaultdict(list)
        for town in Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=province).order_by("code"):
            towns[town.parent_id].append(town)
        hosts: dict[str, list[Institution]] = defaultdict(list)
        for inst in Institution.objects.filter(region__code__startswith=province).order_by("pk"):
            hosts[inst.kind].append(inst)
        orgs = list(Organization.objects.filter(status=OrgStatus.ACTIVE).order_by("path"))
        links: dict[int, list[str]] = defaultdict(list)
        for org_id, code in (
            Organization.disciplines.through.objects.filter(organization__status=OrgStatus.ACTIVE)
            .order_by("id")
            .values_list("organization_id", "discipline_id")
        ):
            links[org_id].append(code)
        hosted, workstations, by_major, societies = {}, {}, defaultdict(list), []
        territorial, volunteers = {}, defaultdict(list)
        root = None
        for org in orgs:
            if org.parent_id is None:
                root = root or org
            if org.kind in (OrgKind.ENTERPRISE_ASSOCIATION, OrgKind.UNIVERSITY_ASSOCIATION, OrgKind.INSTITUTE_ASSOCIATION) and org.host_id:
                hosted[org.host_id] = org
            elif org.kind == OrgKind.EXPERT_WORKSTATION and org.host_id:
                workstations[org.host_id] = org
            elif org.kind in SOCIETY_KINDS:
                societies.append(org)
                for major in {code[:3] for code in links.get(org.pk, [])}:
                    by_major[major].append(org)
            elif org.kind in (OrgKind.COUNTY_ASSOCIATION, OrgKind.TOWNSHIP_ASSOCIATION, OrgKind.MUNICIPAL_ASSOCIATION) and org.region_id:
                territorial[org.region_id] = org
            elif org.kind == OrgKind.VOLUNTEER_TEAM and org.region_id:
                volunteers[org.region_id[:4]].append(org)
        if root is None:
            raise ValueError("Seed the organizations first (seed_demo without --people on an empty database).")
        majors: dict[str, list[str]] = defaultdict(list)
        for code in Discipline.objects.filter(code__regex=r"^\d{5}$").order_by("code").values_list("code", flat=True):
            majors[code[:3]].append(code)
        return cls(
            counties=counties,
            towns=dict(towns),
            hosts=dict(hosts),
            hosted_assoc=hosted,
            workstations=workstations,
            societies_by_major=dict(by_major),
            all_societies=societies,
            territorial=territorial,
            volunteers_by_city=dict(volunteers),
            province=root,
            majors=dict(majors),
        )


class _Builder:
    def __init__(self, world: _World, seed: int) -> None:
        self.w = world
        self.rng = random.Random(seed * 31 + 7)
        # Faker's zh_CN surnames (with their frequencies) and given-name characters, drawn by our
        # own seeded stream: calling Faker per name cost more than everything else in a person.
        self.surnames = list(ZhNames.last_names)
        self.surname_weights = list(itertools.accumulate(ZhNames.last_names.values()))
        self.given = {True: list(ZhNames.first_names_male), False: list(ZhNames.first_names_female)}
        self.single = {male: [c for c in names if len(c) == 1] for male, names in self.given.items()}
        self.pinyin_cache: dict[str, str] = {}
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.people: list[_Row] = []
        self.listings: list[_Row] = []
        self.achievements: list[_Row] = []
        self.links: list[tuple[int, str]] = []
        self.listed_by: dict[int, set[int]] = defaultdict(set)
        self.next_id = 0
        self.county_by_code = {c.code: c for c in world.counties}

    # ---- Identifiers -----------------------------------------------------------------------
    def resident_id(self, birth: datetime.date, male: bool, county: str) -> str:
        rng = self.rng
        for _ in range(50):
            seq = f"{rng.randint(0, 99):02d}{rng.choice('13579' if male else '02468')}"
            first17 = f"{county}{birth:%Y%m%d}{seq}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.ids:
                self.ids.add(number)
                return number
        return ""

    def phone(self) -> str:
        while True:
            number = "139" + "".join(self.rng.choice("0123456789") for _ in range(8))
            if number not in self.phones:
                self.phones.add(number)
                return number

    def name(self, male: bool) -> str:
        rng = self.rng
        given = self.given[male]
        surname = rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        first = rng.choice(given)
        if len(first) == 1 and rng.random() < 0.55:
            first += rng.choice(self.single[male])
        return surname + first

    def pinyin(self, name: str) -> str:
        """`pinyin_of` by parts (surname, given name), cached: the same few hundred characters recur."""
        parts = [name[:1], name[1:]] if len(name) > 1 and " " not in name and "\u3000" not in name else [name]
        out = []
        for part in parts:
            if part not in self.pinyin_cache:
                self.pinyin_cache[part] = pinyin_of(part)
            out.append(self.pinyin_cache[part])
        return " ".join(o for o in out if o)

    def weighted(self, table: dict) -> str:
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    # ---- One person --------------------------------------------------------------------------
    def employer(self, sector: str) -> tuple[str, str, Region | None, Institution | None, Region | None]:
        """(name, credit code, county, host unit, township) of a plausible employer."""
        rng, w = self.rng, self.w
        hosts = w.hosts.get(HOST_KIND.get(sector, ""), [])
        if hosts and (sector != "medical" or rng.random() < 0.75):
            inst = rng.choice(hosts)
            county = self.county_by_code.get(inst.region_id[:6])
            return inst.name, inst.uscc, county, inst, None
        county = rng.choice(w.counties)
        towns = w.towns.get(county.code, [])
        town = rng.choice(towns) if towns else None
        place = stem(county.name, ("市", "区", "县"))
        pattern = {
            "education": words.SCHOOLS,
            "agriculture": words.AGRI_EMPLOYERS,
            "government": words.GOVERNMENT_EMPLOYERS,
            "medical": words.TOWN_CLINICS,
        }.get(sector, words.SOCIAL_EMPLOYERS)
        name = rng.choice(pattern).format(c=place, t=town.name if town else place)
        if sector not in ("education", "agriculture", "medical"):
            town = None  # a county office; schools, stations and clinics sit in a township
        return name, "", county, None, town

    def person(self, index: int, *, name: str = "", phone: str = "") -> _Row:
        rng = self.rng
        sector = self.weighted(words.SECTOR_WEIGHTS)
        level = self.weighted(words.LEVEL_WEIGHTS)
        major = rng.choice(words.SECTOR_DISCIPLINES[sector])
        terms = rng.sample(words.TERMS[major], 4)
        male = rng.random() < 0.58
        name = name or self.name(male)
        age = {"senior": (45, 64), "vice_senior": (36, 60), "intermediate": (28, 55), "junior": (23, 40), "none": (22, 60)}[level]
        birth = ANCHOR - datetime.timedelta(days=rng.randint(age[0] * 365, age[1] * 365 + 300))
        employer, uscc, county, host, town = self.employer(sector)
        county = county or rng.choice(self.w.counties)
        born_in = county.code if rng.random() < 0.7 else rng.choice(self.w.counties).code
        number = self.resident_id(birth, male, born_in) if rng.random() < 0.93 else ""
        phone = phone or (self.phone() if rng.random() < 0.88 else "")
        frontline = rng.random() < FRONTLINE_SHARE[sector]
        chiefs = ThreeChiefs.NONE
        chief_role = {"education": ThreeChiefs.SCHOOL_PRINCIPAL, "medical": ThreeChiefs.HOSPITAL_DIRECTOR, "agriculture": ThreeChiefs.AGRI_STATION_HEAD}.get(
            sector
        )
        if chief_role and town is not None and level in ("senior", "vice_senior", "intermediate") and rng.random() < 0.3:
            chiefs, frontline = chief_role, True
        programmes = []
        if level in ("senior", "vice_senior") and rng.random() < 0.12:
            programmes.append(rng.choice(words.PROGRAMMES))
        if ANCHOR.year - birth.year < 36 and rng.random() < 0.08:
            programmes.append(rng.choice(words.PROGRAMMES_YOUNG))
        overseas = OverseasStatus.NONE
        roll = rng.random()
        if roll < 0.07:
            overseas = OverseasStatus.RETURNED
        elif roll < 0.08:
            overseas = rng.choice([OverseasStatus.HONG_KONG, OverseasStatus.MACAO, OverseasStatus.TAIWAN, OverseasStatus.OVERSEAS_CHINESE])
        pinyin = self.pinyin(name)
        years = rng.randint(1, max(1, min(30, ANCHOR.year - birth.year - 22)))  # of work, for the summary
        email = ""
        if rng.random() < 0.45:
            email = f"{pinyin.replace(' ', '')}{rng.randint(1, 999)}@{rng.choice(words.EMAIL_DOMAINS)}"
        second = self.w.majors.get(major, [])
        disciplines = [major] + ([rng.choice(second)] if second and rng.random() < 0.7 else [])
        self.next_id += 1
        p = _Row(
            pk=self.next_id,
            name=name,
            name_pinyin=pinyin,
            gender="M" if male else "F",
            birth_date=birth,
            block_key=block_key_of(pinyin, birth),
            id_sealed=pii.encrypt(number),
            id_hash=pii.blind_index(number),
            id_masked=pii.mask_resident_id(number) if number else "",
            phone_sealed=pii.encrypt(phone),
            phone_hash=pii.blind_index(phone),
            phone_masked=pii.mask_phone(phone) if phone else "",
            email=email,
            region_id=(town.code if town else county.code),
            employer_name=employer,
            employer_uscc=uscc,
            sector=sector,
            is_frontline=frontline,
            title=rng.choice(words.TITLES[sector][level]) if level != "none" else "",
            title_level=level,
            education=self.weighted(EDUCATION_BY_LEVEL[level]),
            expertise=" ".join(terms),
            research_summary=rng.choice(words.SUMMARIES).format(a=terms[0], b=terms[1], c=terms[2], y=years),
            overseas_status=overseas,
            three_chiefs=chiefs,
            programmes=programmes,
            status=PersonStatus.ACTIVE,
            consent_at=datetime.datetime(ANCHOR.year, rng.randint(1, 10), rng.randint(1, 28), 9, 0, tzinfo=datetime.UTC) if rng.random() < 0.9 else None,
        )
        p.consent_source = rng.choice(("书面同意书", "线上注册", "会员申请表")) if p.consent_at else ""
        p._demo = {"major": major, "terms": terms, "host": host, "county": county, "town": town, "level": level}
        self.people.append(p)
        self.links.extend((p.pk, code) for code in disciplines)
        self.add_achievements(p, sector, terms, level)
        self.add_listings(p)
        return p

    def add_achievements(self, p: _Row, sector: str, terms: list[str], level: str) -> None:
        rng = self.rng
        count = {"senior": (2, 6), "vice_senior": (1, 4), "intermediate": (0, 3), "junior": (0, 1), "none": (0, 1)}[level]
        for _ in range(rng.randint(*count)):
            kind = rng.choice(words.SECTOR_ACHIEVEMENTS[sector])
            a, b = rng.sample(terms, 2)
            title = rng.choice(words.ACHIEVEMENTS[kind]).format(a=a, b=b)
            year = rng.randint(min(max(p.birth_date.year + 24, ANCHOR.year - 25), ANCHOR.year), ANCHOR.year)
            self.achievements.append(_Row(person_id=p.pk, kind=AchievementKind(kind).value, title=title, year=year))

    def society_for(self, major: str, avoid: set[int] = frozenset()) -> Organization | None:
        options = self.w.societies_by_major.get(major, [])
        if avoid:
            options = [o for o in options if o.pk not in avoid]
        if not options:
            options = [o for o in self.w.all_societies if o.pk not in avoid] if avoid else self.w.all_societies
        return self.rng.choice(options) if options else None

    def listed(self, p: _Row, org: Organization, role: str) -> None:
        self.listings.append(_Row(person_id=p.pk, organization_id=org.pk, role=str(role)))
        self.listed_by[p.pk].add(org.pk)

    def add_listings(self, p: _Row) -> None:
        rng, d, w = self.rng, p._demo, self.w
        done: set[int] = set()

        def add(org: Organization | None, role: str) -> None:
            if org is not None and org.pk not in done:
                done.add(org.pk)
                self.listed(p, org, role)

        if rng.random() < 0.7:
            role = ListingRole.EXPERT if d["level"] == "senior" and rng.random() < 0.4 else ListingRole.MEMBER
            if d["level"] == "senior" and rng.random() < 0.05:
                role = ListingRole.LEADER
            add(self.society_for(d["major"]), role)
        host = d["host"]
        if host is not None and host.pk in w.hosted_assoc and rng.random() < 0.8:
            add(w.hosted_assoc[host.pk], ListingRole.MEMBER)
        if host is not None and host.pk in w.workstations and d["level"] in ("senior", "vice_senior") and rng.random() < 0.5:
            add(w.workstations[host.pk], ListingRole.EXPERT)
        if p.three_chiefs != ThreeChiefs.NONE or (p.is_frontline and rng.random() < 0.5):
            town, county = d["town"], d["county"]
            org = w.territorial.get(town.code) if town else None
            org = org or w.territorial.get(county.code)
            add(org, ListingRole.LEADER if p.three_chiefs != ThreeChiefs.NONE else ListingRole.MEMBER)
        if rng.random() < 0.05:
            teams = w.volunteers_by_city.get(d["county"].code[:4], [])
            if teams:
                add(rng.choice(teams), ListingRole.VOLUNTEER)
        if not done:
            add(w.territorial.get(d["county"].code) or w.territorial.get(d["county"].code[:4] + "00") or w.province, ListingRole.MEMBER)

    # ---- The same person on another list ---------------------------------------------------------
    def duplicate(self, original: _Row) -> _Row:
        rng = self.rng
        name = original.name
        if rng.random() < 0.45 and len(name) >= 2:
            name = name[0] + rng.choice((" ", "　")) + name[1:]
        phone = ""
        roll = rng.random()
        if original.phone_sealed and roll < 0.55:
            phone = pii.decrypt(original.phone_sealed)
        elif roll < 0.8:
            phone = self.phone()
        employer = original.employer_name
        for old, new in words.EMPLOYER_VARIANTS:
            if employer.endswith(old) and rng.random() < 0.6:
                employer = employer[: len(employer) - len(old)] + new
                break
        self.next_id += 1
        pinyin = self.pinyin(name)
        gender = original.gender if rng.random() < 0.8 else "U"
        birth = original.birth_date if rng.random() < 0.6 else None  # drawn after the gender, as always
        p = _Row(
            pk=self.next_id,
            name=name,
            name_pinyin=pinyin,
            gender=gender,
            birth_date=birth,
            block_key=block_key_of(pinyin, birth),
            # The unique ID-number index allows one active record per number: the copy has none.
            id_sealed="",
            id_hash="",
            id_masked="",
            phone_sealed=pii.encrypt(phone),
            phone_hash=pii.blind_index(phone),
            phone_masked=pii.mask_phone(phone) if phone else "",
            email=original.email if rng.random() < 0.5 else "",
            region_id=original.region_id,
            employer_name=employer,
            sector=original.sector,
            is_frontline=original.is_frontline,
            title=original.title if rng.random() < 0.8 else "",
            title_level=original.title_level,
            education=original.education,
            expertise=" ".join(original._demo["terms"][: rng.randint(1, 3)]),
            research_summary="",
            overseas_status=original.overseas_status,
            status=PersonStatus.ACTIVE,
        )
        p._demo = original._demo
        self.people.append(p)
        self.links.append((p.pk, original._demo["major"]))
        org = self.society_for(original._demo["major"], avoid=self.listed_by[original.pk])
        if org is not None:
            self.listed(p, org, ListingRole.MEMBER)
        else:
            self.listed(p, self.w.province, ListingRole.MEMBER)
        return p


_PLAIN = {
    "CharField",
    "TextField",
    "EmailField",
    "BooleanField",
    "BigAutoField",
    "AutoField",
    "ForeignKey",
    "OneToOneField",
    "PositiveSmallIntegerField",
    "IntegerField",
    "PositiveIntegerField",
}


def _insert(model, rows: list[_Row], *, batch_size: int) -> None:
    """`executemany` of plain tuples: `bulk_create` spends most of its time building and
    preparing model instances one field at a time, which here are known to be valid already.
    Columns a row leaves out take the field's default; timestamps are now."""
    if not rows:
        return
    now = timezone.now()
    with_pk = hasattr(rows[0], "pk")
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    getters = []
    for f in fields:
        name = "pk" if f.primary_key else f.attname
        default = now if f.name in ("created_at", "updated_at") else (f.get_default() if f.has_default() or f.null else "")
        kind = f.get_internal_type()
        if kind in _PLAIN:
            convert = None
        elif kind == "DateField":
            convert = connection.ops.adapt_datefield_value
        elif kind == "DateTimeField":
            convert = connection.ops.adapt_datetimefield_value
        else:
            convert = lambda v, f=f: f.get_db_prep_save(v, connection)  # noqa: E731
        getters.append((name, default, convert))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    converted_defaults = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = []
            for row in rows[start : start + batch_size]:
                values = row.__dict__
                out = []
                for name, default, convert in getters:
                    if name in values:
                        value = values[name]
                        out.append(convert(value) if convert and value is not None else value)
                    else:
                        if name not in converted_defaults:
                            converted_defaults[name] = convert(default) if convert and default is not None else default
                        out.append(converted_defaults[name])
                batch.append(out)
            cursor.executemany(sql, batch)


def _worker_identity() -> tuple[str, str]:
    """The demo S&T worker's name and phone, so that the demo can show linking an account."""
    from kejia.accounts.models import User

    user = User.objects.filter(username="worker").first()
    if user is None or not user.phone_sealed:
        return "", ""
    return user.display_name, pii.decrypt(user.phone_sealed)


def _reserve_ids() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Person._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    return Person.objects.aggregate(m=Max("id"))["m"] or 0


def seed_people(*, count: int, seed: int, province: str = "32", actor=None, batch_size: int = 2000) -> PeopleResult:
    """Add `count` person records (about 6 % of them duplicates of others) to the demo province."""
    from kejia.core.audit import record_event

    if count <= 0:
        return PeopleResult()
    started = time.perf_counter()
    with transaction.atomic():
        world = _World.load(province)
        builder = _Builder(world, seed)
        builder.next_id = _reserve_ids()
        duplicates = round(count * DUPLICATE_SHARE) if count >= 20 else 0
        worker_name, worker_phone = _worker_identity()
        for i in range(count - duplicates):
            if i == 0 and worker_name:
                builder.person(i, name=worker_name, phone=worker_phone)
            else:
                builder.person(i)
        originals = [p for p in builder.people[1:] if p.name and len(p.name) >= 2]
        for original in builder.rng.sample(originals, min(duplicates, len(originals))):
            builder.duplicate(original)
        _insert(Person, builder.people, batch_size=batch_size)
        known = set(Discipline.objects.values_list("code", flat=True))
        _insert(Person.disciplines.through, [_Row(person_id=p, discipline_id=d) for p, d in dict.fromkeys(builder.links) if d in known], batch_size=batch_size)
        _insert(Listing, builder.listings, batch_size=batch_size)
        _insert(Achievement, builder.achievements, batch_size=batch_size)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
                cursor.execute(sql)
        result = PeopleResult(people=len(builder.people), duplicates=duplicates, listings=len(builder.listings), achievements=len(builder.achievements))
        record_event(
            actor=actor,
            action=SEED_ACTION,
            obj=world.province,
            organization=world.province,
            new={"seed": seed, "people": result.people, "duplicates": duplicates, "listings": result.listings, "achievements": result.achievements},
        )
    result.seconds = time.perf_counter() - started
    return result
