"""Demo leadership bodies (`seed_demo --people N` calls `seed_governance` once the people and the
memberships exist).

The provincial association gets its congress, committee, standing committee and leadership
group; the municipal associations a committee and a standing committee; a sample of the county
associations a committee; every society a council, a standing council, a supervisory board and a
secretariat. Each body has its current term (the organization's own term dates, so the pages agree)
and some have earlier terms, so "terms held" counts. The seats are people of the talent database,
with their attributes copied at seating; the front-line shares are drawn so that most bodies meet
the rules and some do not, and a few officials hold posts in two or three societies, are over 70
or in their third term; most officials' posts have their approval on file, some not. The
"jiangsu", "societies" and "plan2025" rule sets apply to the whole province (each rule judges only
the kinds of organization it names). The
provincial standing committee's members keep contact with most counties and provincial societies,
with visits logged. Written in bulk with one audit event, like the rest of the demo; the demo's
"today" is `ANCHOR`.

`GovernanceBuilder` is reused by bench/governance_compliance.py to seat a 20 000-organization
province."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from kejia.demo.common import ANCHOR, DEFAULT_SEED, add_years
from kejia.governance import verdicts
from kejia.governance.choices import POST_ROLES, BodyKind, ContactForm, OfficialStatus, SeatRole
from kejia.governance.models import Body, ContactAssignment, ContactVisit, Rule, RuleSet, RuleSetAssignment, Seat, Term
from kejia.organizations.kinds import SOCIETY_KINDS, OrgKind, OrgStatus
from kejia.organizations.models import Organization

SEED_ACTION = "governance.demo_seeded"
RULE_SETS = ("jiangsu", "societies", "plan2025")
APPROVED = 0.9  # share of the officials' society posts with their approval (经批准) on file
APPROVERS = ("省委组织部", "省科协党组", "省委老干部局")
COUNTY_SAMPLE = 0.5  # share of the county associations whose committee is on file
CONTACT_COVERAGE = 0.85  # share of the counties and provincial societies with a contact leader
MULTI_POST_OFFICIALS = 3  # officials holding posts in two or three societies
OLD_OFFICIALS = 3  # officials over 70 on a society's council
THIRD_TERM_OFFICIALS = 3  # officials in their third term on a society's council

# (person id, front-line, birth date, gender, sector)
PersonRow = tuple[int, bool, datetime.date | None, str, str]

VISIT_NOTES = (
    "听取学会年度工作汇报，了解会员发展和学术活动情况。",
    "走访基层科协，调研科普阵地建设和科技志愿服务开展情况。",
    "参加学会理事会会议，就换届筹备工作提出意见。",
    "座谈了解企业科协和院士专家工作站运行情况。",
    "调研县域科协“三长”联系服务机制落实情况。",
    "了解学会承接政府职能转移和团体标准工作进展。",
)
VISIT_ISSUES = (
    "专职工作人员不足，建议争取编制或购买服务。",
    "换届工作滞后，需督促按期召开会员代表大会。",
    "基层一线理事比例偏低，建议下届调整。",
    "活动经费紧张，希望加大项目支持。",
    "",
)


@dataclass
class GovernanceSeed:
    bodies: int = 0
    terms: int = 0
    seats: int = 0
    overdue: int = 0
    ending_soon: int = 0
    duties: int = 0
    visits: int = 0


@dataclass
class Special:
    """An official placed on purpose: posts in several societies, over 70, or in a third term."""

    person: int
    official: str
    terms: int = 1  # terms on the body, counting the current one


class SeatRow:
    """A seat to be written: the columns of `Seat`, with the (unsaved) term it belongs to."""

    __slots__ = ("term", "person_id", "role", "start", "end", "is_frontline", "birth_date", "gender", "sector", "official", "approved_on", "approved_by")

    def __init__(
        self,
        term: Term,
        person_id: int,
        role: str,
        start: datetime.date,
        end: datetime.date | None,
        is_frontline: bool,
        birth_date: datetime.date | None,
        gender: str,
        sector: str,
        official: str,
        approved_on: datetime.date | None = None,
        approved_by: str = "",
    ) -> None:
        self.term, self.person_id, self.role, self.start, self.end = term, person_id, role, start, end
        self.is_frontline, self.birth_date, self.gender, self.sector, self.official = is_frontline, birth_date, gender, sector, official
        self.approved_on, self.approved_by = approved_on, approved_by


SEAT_COLUMNS = (
    "term_id",
    "person_id",
    "role",
    "start",
    "end",
    "is_frontline",
    "birth_date",
    "gender",
    "sector",
    "official",
    "approved_on",
    "approved_by",
    "created_at",
    "updated_at",
)


def insert_seats(rows: list[SeatRow], *, batch_size: int = 5000) -> None:
    """`executemany` of plain tuples: `bulk_create` spends most of its time preparing model
    instances one field at a time (as kejia.demo.talent does for people)."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    day = ops.adapt_datefield_value
    sql = (
        f"INSERT INTO {ops.quote_name(Seat._meta.db_table)} ({', '.join(ops.quote_name(c) for c in SEAT_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(SEAT_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    (
                        r.term.pk,
                        r.person_id,
                        r.role,
                        day(r.start),
                        day(r.end),
                        r.is_frontline,
                        day(r.birth_date),
                        r.gender,
                        r.sector,
                        r.official,
                        day(r.approved_on),
                        r.approved_by,
                        now,
                        now,
                    )
                    for r in rows[start : start + batch_size]
                ],
            )


class GovernanceBuilder:
    """Collects bodies, terms and seats in memory (terms point to unsaved bodies, seats to unsaved
    terms) and writes them: bodies and terms with `bulk_create`, seats with `insert_seats`."""

    def __init__(self, rng: random.Random, people: list[PersonRow], today: datetime.date) -> None:
        self.rng, self.today = rng, today
        self.people = {p[0]: p for p in people}
        self.front = [p[0] for p in people if p[1]]
        self.other = [p[0] for p in people if not p[1]]
        self.bodies: list[Body] = []
        self.terms: list[Term] = []
        self.seats: list[SeatRow] = []
        self.current: dict[tuple[int, str], Term] = {}  # (organization, kind) → current term
        self.history: dict[tuple[int, str], list[Term]] = {}  # (organization, kind) → earlier terms, newest first
        self.org_terms: dict[int, tuple[Organization, datetime.date, datetime.date]] = {}
        self.posts: dict[int, int] = defaultdict(int)  # person → society posts given so far
        self.reserved: set[int] = set()  # people placed on purpose only (not drawn)

    # -- terms --
    def term_dates(self, org: Organization, years: int, overdue: float = 0.08) -> tuple[datetime.date, datetime.date]:
        """The current term of an organization's bodies: started one to `years` years ago (so about
        one in twenty ends within 90 days), or (`overdue`) ended up to two years ago with no
        successor; never before the organization was founded. Written back to the organization's
        own term dates by `save`, so that its pages agree."""
        rng = self.rng
        if rng.random() < overdue:
            end = self.today - datetime.timedelta(days=rng.randint(20, 700))
            start = add_years(end, -years)
        else:
            start = self.today - datetime.timedelta(days=rng.randint(365, years * 365 - 1))
            end = add_years(start, years)
        if org.founded_on and start < org.founded_on <= self.today:
            start = org.founded_on
            end = add_years(start, years)
        self.org_terms[org.pk] = (org, start, end)
        return start, end

    def body(
        self,
        org: Organization,
        kind: str,
        start: datetime.date,
        planned_end: datetime.date,
        *,
        years: int = 5,
        number: int | None = None,
        past: int = 0,
        at_least: int = 1,
    ) -> Term:
        """A body with its current term and `past` earlier terms (numbers permitting); the earlier
        terms are on `self.history` for `seat_past`."""
        body = Body(organization=org, kind=kind, term_years=years)
        self.bodies.append(body)
        if number is None:
            founded = org.founded_on or add_years(start, -years * self.rng.randint(2, 8))
            number = max(at_least, 1 + (start.year - founded.year) // years)
        term = Term(body=body, number=number, start=start, planned_end=planned_end)
        self.terms.append(term)
        self.current[(org.pk, kind)] = term
        earlier, end = [], start
        for n in range(number - 1, max(number - 1 - past, 0), -1):
            late = self.rng.randint(30, 400) if self.rng.random() < 0.2 else 0  # a change held late
            planned = end - datetime.timedelta(days=late)
            begun = add_years(planned, -years)
            old = Term(body=body, number=n, start=begun, planned_end=planned, actual_end=end)
            self.terms.append(old)
            earlier.append(old)
            end = begun
        self.history[(org.pk, kind)] = earlier
        return term

    # -- people --
    def draw(self, n: int, share: float, *, prefer: list[int] = (), exclude: set[int] | None = None) -> list[int]:
        """`n` distinct people, round(n × share) of them from the front line, members listed with the
        organization first (`prefer`), none of `exclude`. Fewer when the database has too few."""
        exclude = set(exclude or ()) | self.reserved
        want_front = round(n * share)
        picked: list[int] = []
        for pool, want in ((self.front, want_front), (self.other, n - want_front)):
            flag = pool is self.front
            mine = [p for p in prefer if p not in exclude and self.people[p][1] == flag]
            self.rng.shuffle(mine)
            got = mine[:want]
            exclude.update(got)
            tries = 0
            while len(got) < want and tries < 4:
                k = min(len(pool), (want - len(got)) * 2 + len(exclude) // 4 + 8)
                for p in self.rng.sample(pool, k):
                    if p not in exclude and len(got) < want:
                        got.append(p)
                        exclude.add(p)
                tries += 1
            picked += got
        if len(picked) < n:  # one pool ran dry: top up from the other
            rest = [p for p in self.front + self.other if p not in exclude]
            picked += self.rng.sample(rest, min(len(rest), n - len(picked)))
        return picked

    def seat(
        self, term: Term, person: int, role: str = SeatRole.MEMBER, *, official: str = "", start: datetime.date | None = None, end: datetime.date | None = None
    ) -> None:
        _pk, front, birth, gender, sector = self.people[person]
        start = start or term.start
        approved_on, approved_by = None, ""
        # Most officials' posts were approved before the election (drawn apart from `rng`, so the rest of the demo is unchanged).
        own = random.Random(person * 7919 + start.toordinal())
        if official and role in POST_ROLES and own.random() < APPROVED:
            approved_on, approved_by = start - datetime.timedelta(days=own.randint(10, 60)), own.choice(APPROVERS)
        self.seats.append(SeatRow(term, person, role, start, end, front, birth, gender, sector, official, approved_on, approved_by))

    def seat_members(self, term: Term, people: list[int]) -> None:
        """Ordinary members: most seated at the start of the term, a few in a by-election later and a
        few who have since left."""
        rng = self.rng
        last = min(term.planned_end, self.today)
        for person in people:
            roll = rng.random()
            if roll < 0.03 and (last - term.start).days > 90:
                self.seat(term, person, start=term.start + datetime.timedelta(days=rng.randint(60, (last - term.start).days)))
            elif roll < 0.04 and (last - term.start).days > 120:
                self.seat(term, person, end=term.start + datetime.timedelta(days=rng.randint(90, (last - term.start).days - 1)))
            else:
                self.seat(term, person)

    def seat_past(
        self,
        org: Organization,
        kind: str,
        leaders: list[tuple[int, str, str]],
        members: list[int],
        *,
        share: float,
        prefer: list[int] = (),
        keep: dict[int, int] | None = None,
    ) -> None:
        """The earlier terms of a body: most leaders and about half the members were seated before
        too; the rest of each earlier term is drawn afresh. `keep`: person → terms held in all
        (these sit in that many terms whatever the draw)."""
        keep = keep or {}
        rng = self.rng
        for back, old in enumerate(self.history.get((org.pk, kind), []), start=1):
            seated: set[int] = set()
            for person, role, official in leaders:
                stays = keep[person] > back if person in keep else rng.random() < 0.7 / back
                if stays:
                    self.seat(old, person, role, official=official, end=old.actual_end)
                    seated.add(person)
            kept = [p for p in members if p not in seated and p not in keep and rng.random() < 0.5 / back]
            for person in kept:
                self.seat(old, person, end=old.actual_end)
            seated.update(kept)
            size = len(leaders) + len(members)
            for person in self.draw(max(size - len(seated), 0), share, prefer=prefer, exclude=seated | set(keep)):
                self.seat(old, person, end=old.actual_end)

    # -- writing --
    def save(self, batch_size: int = 2000, *, org_terms: bool = True) -> None:
        if org_terms and self.org_terms:
            ops, table = connection.ops, Organization._meta.db_table
            rows = []
            for org, start, end in self.org_terms.values():
                org.term_start, org.term_end = start, end
                rows.append((ops.adapt_datefield_value(start), ops.adapt_datefield_value(end), org.pk))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {ops.quote_name(table)} SET {ops.quote_name('term_start')} = %s, "
                    f"{ops.quote_name('term_end')} = %s WHERE {ops.quote_name('id')} = %s",
                    rows,
                )
        Body.objects.bulk_create(self.bodies, batch_size=batch_size)
        for term in self.terms:
            term.body = term.body  # the body has its id now
        Term.objects.bulk_create(self.terms, batch_size=batch_size)
        insert_seats(self.seats)


def _leaders(b: GovernanceBuilder, people: list[int], roles: list[str], *, officials: float = 0.0, society: bool = False) -> list[tuple[int, str, str]]:
    """Take the office holders out of `people` (some prefer those not on the front line, as office
    holders often are not): (person, role, official status). A society's office holders hold no
    post in another society (the officials placed on purpose aside)."""
    rng = b.rng
    out = []
    for role in roles:
        free = [i for i, p in enumerate(people) if not (society and b.posts[p])]
        if not free:
            break
        others = [i for i in free if not b.people[people[i]][1]]
        index = rng.choice(others) if others and rng.random() < 0.35 else rng.choice(free)
        person = people.pop(index)
        official = ""
        if not b.people[person][1] and rng.random() < officials:
            official = OfficialStatus.SERVING if rng.random() < 0.35 else OfficialStatus.RETIRED
        if society:
            b.posts[person] += 1
        out.append((person, role, official))
    return out


def _standing(b: GovernanceBuilder, leaders: list[tuple[int, str, str]], members: list[int], size: int, share: float) -> list[int]:
    """Members of the standing body besides the office holders, from the full body's members so
    that the standing body's front-line share comes near `share`."""
    rest = max(size - len(leaders), 0)
    want_front = max(round(size * share) - sum(1 for p, *_ in leaders if b.people[p][1]), 0)
    front = [p for p in members if b.people[p][1]]
    other = [p for p in members if not b.people[p][1]]
    take_front = min(want_front, rest, len(front))
    take_other = min(rest - take_front, len(other))
    picked = b.rng.sample(front, take_front) + b.rng.sample(other, take_other)
    if len(picked) < rest:
        spare = [p for p in front if p not in picked]
        picked += b.rng.sample(spare, min(len(spare), rest - len(picked)))
    return picked


def _share(rng: random.Random, fail_rate: float, ok: tuple[float, float], bad: tuple[float, float]) -> float:
    return rng.uniform(*bad) if rng.random() < fail_rate else rng.uniform(*ok)


# ---- The bodies of each kind of organization ---------------------------------------------------


def territorial_bodies(
    b: GovernanceBuilder,
    org: Organization,
    *,
    committee: int,
    standing: int = 0,
    congress: int = 0,
    leadership: bool = False,
    share: tuple[float, float] = (0.76, 0.86),
    fail_rate: float = 0.25,
    past: int = 0,
    officials: float = 0.1,
) -> None:
    """An association's congress (delegates), committee, standing committee and leadership group."""
    rng = b.rng
    start, end = b.term_dates(org, 5, overdue=0.0 if org.parent_id is None else 0.08)
    if congress:
        term = b.body(org, BodyKind.CONGRESS, start, end, past=past)
        delegates = b.draw(congress, rng.uniform(0.71, 0.76))
        b.seat_members(term, delegates)
        b.seat_past(org, BodyKind.CONGRESS, [], delegates, share=0.7)
    term = b.body(org, BodyKind.COMMITTEE, start, end, past=past)
    c_share = _share(rng, fail_rate, share, (share[0] - 0.12, share[0] - 0.03))
    members = b.draw(committee, c_share)
    vice_full = 3 if congress else (2 if standing else 1)
    roles = [SeatRole.CHAIR] + [SeatRole.VICE_CHAIR_FULL] * vice_full + [SeatRole.VICE_CHAIR_PART] * (6 if congress else 3)
    leaders = _leaders(b, members, roles, officials=officials)
    for person, role, official in leaders:
        b.seat(term, person, role, official=official)
    b.seat_members(term, members)
    b.seat_past(org, BodyKind.COMMITTEE, leaders, members, share=c_share)
    if standing:
        term = b.body(org, BodyKind.STANDING_COMMITTEE, start, end, past=past)
        s_share = _share(rng, fail_rate, share, (share[0] - 0.12, share[0] - 0.03))
        chosen = _standing(b, leaders, members, standing, s_share)
        for person, role, official in leaders:
            b.seat(term, person, role, official=official)
        b.seat_members(term, chosen)
        b.seat_past(org, BodyKind.STANDING_COMMITTEE, leaders, chosen, share=s_share)
    if leadership:
        term = b.body(org, BodyKind.LEADERSHIP, start, end, past=past)
        full = [(p, r) for p, r, _o in leaders if r in (SeatRole.CHAIR, SeatRole.VICE_CHAIR_FULL)]
        secretary = b.draw(1, 0.0, exclude={p for p, _r in full})
        for person, role in full + [(p, SeatRole.SECRETARY_GENERAL) for p in secretary]:
            b.seat(term, person, role, official=OfficialStatus.SERVING if role != SeatRole.CHAIR else "")


def society_bodies(
    b: GovernanceBuilder,
    org: Organization,
    *,
    council: tuple[int, int] = (40, 80),
    standing: tuple[int, int] = (12, 20),
    prefer: list[int] = (),
    specials: list[Special] = (),
    past: int | None = None,
    fail_rate: float = 0.2,
    staff: int | None = None,
) -> None:
    """A society's council, standing council, supervisory board and secretariat (the secretary-general
    and `staff` full-time staff: by default the organization's own figure, at most six)."""
    rng = b.rng
    years = 3 if org.kind == OrgKind.SOCIETY_UNION else 5
    start, end = b.term_dates(org, years)
    if past is None:
        past = 1 if rng.random() < 0.6 else 0
    if any(s.terms > 2 for s in specials):
        past = 2
    special_ids = {s.person for s in specials}
    # Council
    share = _share(rng, fail_rate, (0.76, 0.86), (0.60, 0.70))
    size = rng.randint(*council)
    members = b.draw(size - len(specials), share, prefer=prefer, exclude=special_ids)
    roles = (
        [SeatRole.CHAIR]
        + [SeatRole.VICE_CHAIR_FULL] * (rng.random() < 0.3)
        + [SeatRole.VICE_CHAIR_PART] * (rng.randint(3, 6) - len(specials))
        + [SeatRole.SECRETARY_GENERAL]
    )
    leaders = _leaders(b, members, roles, officials=0.25, society=True)
    leaders += [(s.person, SeatRole.VICE_CHAIR_PART, s.official) for s in specials]
    council_term = b.body(org, BodyKind.COUNCIL, start, end, years=years, past=past, at_least=past + 1)
    number = council_term.number
    for person, role, official in leaders:
        b.seat(council_term, person, role, official=official)
    b.seat_members(council_term, members)
    keep = {s.person: s.terms for s in specials}
    b.seat_past(org, BodyKind.COUNCIL, leaders, members, share=share, prefer=prefer, keep=keep)
    # Standing council: the office holders and some council members.
    s_share = _share(rng, fail_rate * 0.8, (0.68, 0.80), (0.50, 0.62))
    chosen = _standing(b, leaders, members, rng.randint(*standing), s_share)
    term = b.body(org, BodyKind.STANDING_COUNCIL, start, end, years=years, number=number, past=past)
    for person, role, official in leaders:
        b.seat(term, person, role, official=official)
    b.seat_members(term, chosen)
    b.seat_past(org, BodyKind.STANDING_COUNCIL, leaders, chosen, share=s_share, prefer=prefer, keep=keep)
    # Supervisory board: not council members.
    taken = {p for p, *_ in leaders} | set(members)
    term = b.body(org, BodyKind.SUPERVISORY_BOARD, start, end, years=years, number=number)
    board = b.draw(rng.randint(3, 5), 0.6, prefer=prefer, exclude=taken)
    chair = _leaders(b, board, [SeatRole.CHAIR], society=True)  # the chief supervisor holds a post too
    for person, role, _official in chair:
        b.seat(term, person, role)
    for person in board:
        b.seat(term, person)
    board += [p for p, *_ in chair]
    # Secretariat: the secretary-general and the full-time staff.
    term = b.body(org, BodyKind.SECRETARIAT, start, end, years=years, number=number)
    for person, role, _official in leaders:
        if role == SeatRole.SECRETARY_GENERAL:
            b.seat(term, person, role)
    for person in b.draw(min(org.fulltime_staff, 6) if staff is None else staff, 0.0, exclude=taken | set(board)):
        b.seat(term, person, SeatRole.STAFF)


# ---- The demo ----------------------------------------------------------------------------------


def _old_officials(rng: random.Random, count: int) -> list[int]:
    """People who can be made retired officials over 70: not on the front line, no resident ID
    number on file (whose digits would carry the birth date) and not one of a duplicate pair."""
    from kejia.people.models import Person

    names: dict[str, int] = defaultdict(int)
    rows = list(Person.objects.filter(status="active").order_by("pk").values_list("pk", "name", "id_hash", "is_frontline"))
    for _pk, name, _h, _f in rows:
        names[name.replace(" ", "").replace("\u3000", "")] += 1
    candidates = [pk for pk, name, id_hash, front in rows if not id_hash and not front and names[name.replace(" ", "").replace("\u3000", "")] == 1]
    return rng.sample(candidates, min(count, len(candidates)))


def _age_people(b: GovernanceBuilder, ages: dict[int, datetime.date]) -> None:
    """Give the chosen retired officials birth dates that make them 71–74 when seated."""
    from kejia.people.models import Person

    people = list(Person.objects.filter(pk__in=ages))
    for person in people:
        person.birth_date = ages[person.pk]
        if person.block_key:  # "<surname pinyin>|<birth year>" (people.resolution.block_key_of), without loading pypinyin
            person.block_key = f"{person.block_key.rsplit('|', 1)[0]}|{person.birth_date.year}"
        _pk, front, _birth, gender, sector = b.people[person.pk]
        b.people[person.pk] = (person.pk, front, person.birth_date, gender, sector)
    Person.objects.bulk_update(people, ["birth_date", "block_key"])
    if people:
        from kejia.search.tasks import index_people_on_commit

        index_people_on_commit([p.pk for p in people])


def _contacts(rng: random.Random, b: GovernanceBuilder, root: Organization, targets: list[Organization], today: datetime.date, actor) -> tuple[int, int]:
    """The provincial standing committee's members keep contact with most counties and societies."""
    term = b.current.get((root.pk, BodyKind.STANDING_COMMITTEE))
    leaders = sorted({s.person_id for s in b.seats if s.term is term and s.end is None})
    if not leaders:
        return 0, 0
    rng.shuffle(leaders)
    covered = sorted(rng.sample(targets, round(len(targets) * CONTACT_COVERAGE)), key=lambda o: o.path)
    duties = []
    for i, org in enumerate(covered):
        since = min(term.start + datetime.timedelta(days=rng.randint(30, 120)), today - datetime.timedelta(days=30))
        duties.append(ContactAssignment(leader_id=leaders[i % len(leaders)], assigned_by=root, organization=org, since=since))
    ContactAssignment.objects.bulk_create(duties)
    visits = []
    for duty in duties:
        roll = rng.random()
        span = (today - duty.since).days
        if roll < 0.55:  # visited within the last six months (and perhaps before)
            dates = [today - datetime.timedelta(days=rng.randint(3, min(180, span)))]
            dates += [today - datetime.timedelta(days=rng.randint(181, span)) for _ in range(rng.randint(0, 2)) if span > 200]
        elif roll < 0.8 and span > 200:  # only older visits: due again
            dates = [today - datetime.timedelta(days=rng.randint(200, span)) for _ in range(rng.randint(1, 2))]
        else:
            dates = []
        for day in dates:
            visits.append(
                ContactVisit(
                    assignment=duty,
                    date=day,
                    form=rng.choice(ContactForm.values),
                    notes=rng.choice(VISIT_NOTES),
                    issues=rng.choice(VISIT_ISSUES),
                    recorded_by=actor,
                )
            )
    ContactVisit.objects.bulk_create(visits)
    return len(duties), len(visits)


def _assign_rule_sets(root: Organization) -> int:
    if RuleSet.objects.filter(name__in=RULE_SETS).count() < len(RULE_SETS):
        from kejia.governance.rulesets import load_rule_sets

        load_rule_sets(RuleSet, Rule)
    made = [RuleSetAssignment(ruleset=rs, organization=root, include_subtree=True) for rs in RuleSet.objects.filter(name__in=RULE_SETS)]
    RuleSetAssignment.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def seed_governance(*, seed: int = DEFAULT_SEED, actor=None, today: datetime.date = ANCHOR) -> GovernanceSeed:
    """Seed once: a database that already has leadership bodies (or no people) is left as it is."""
    from kejia.core.audit import record_event
    from kejia.people.models import Listing, Person

    if Body.objects.exists() or not Person.objects.exists():
        return GovernanceSeed()
    root = Organization.objects.filter(parent__isnull=True, kind=OrgKind.PROVINCIAL_ASSOCIATION).order_by("path").first()
    if root is None:
        return GovernanceSeed()
    rng = random.Random(seed + 4004)
    live = [OrgStatus.ACTIVE, OrgStatus.DORMANT, OrgStatus.EXITING]
    within = Organization.objects.filter(path__startswith=root.path, status__in=live).order_by("path")
    cities = list(within.filter(kind=OrgKind.MUNICIPAL_ASSOCIATION))
    counties = list(within.filter(kind=OrgKind.COUNTY_ASSOCIATION))
    societies = list(within.filter(kind__in=SOCIETY_KINDS))
    with transaction.atomic():
        people: list[PersonRow] = list(
            Person.objects.filter(status="active").order_by("pk").values_list("pk", "is_frontline", "birth_date", "gender", "sector")
        )
        b = GovernanceBuilder(rng, people, today)
        listed: dict[int, list[int]] = defaultdict(list)
        for org_id, person_id in (
            Listing.objects.filter(organization__in=societies).order_by("organization_id", "person_id").values_list("organization_id", "person_id")
        ):
            if person_id in b.people:
                listed[org_id].append(person_id)
        # Officials placed on purpose, on provincial societies' councils.
        provincial = [s for s in societies if s.kind == OrgKind.PROVINCIAL_SOCIETY and s.status == OrgStatus.ACTIVE]
        specials: dict[int, list[Special]] = defaultdict(list)
        old = _old_officials(rng, OLD_OFFICIALS)
        multi = [p for p in rng.sample(b.other, min(len(b.other), MULTI_POST_OFFICIALS + 10)) if p not in old][:MULTI_POST_OFFICIALS]
        third = [p for p in rng.sample(b.other, min(len(b.other), THIRD_TERM_OFFICIALS + 20)) if p not in old and p not in multi][:THIRD_TERM_OFFICIALS]
        if len(provincial) >= 15:
            b.reserved.update(old, multi, third)
            pool = rng.sample(provincial, len(provincial))
            for person in multi:
                for society in pool[: rng.randint(2, 3)]:
                    specials[society.pk].append(Special(person, OfficialStatus.SERVING))
                pool = pool[3:]
            for person in old:
                specials[pool.pop().pk].append(Special(person, OfficialStatus.RETIRED))
            for person in third:
                specials[pool.pop().pk].append(Special(person, OfficialStatus.RETIRED, terms=3))
        # The provincial association (its standing committee is brought below the 75 % further down).
        territorial_bodies(b, root, congress=300, committee=120, standing=35, leadership=True, share=(0.76, 0.80), fail_rate=0.0, past=1, officials=0.1)
        for city in cities:
            territorial_bodies(b, city, committee=rng.randint(45, 75), standing=rng.randint(11, 17), past=int(rng.random() < 0.5), fail_rate=0.3)
        for county in sorted(rng.sample(counties, round(len(counties) * COUNTY_SAMPLE)), key=lambda o: o.path):
            territorial_bodies(b, county, committee=rng.randint(21, 35), share=(0.75, 0.88), fail_rate=0.3, officials=0.0)
        for society in societies:
            small = society.kind != OrgKind.PROVINCIAL_SOCIETY
            society_bodies(
                b,
                society,
                council=(25, 45) if small else (40, 80),
                standing=(9, 13) if small else (12, 20),
                prefer=listed.get(society.pk, []),
                specials=specials.get(society.pk, []),
            )
        # The old officials: born so that they were 71–74 when seated.
        ages = {}
        for society_id, placed in specials.items():
            term = b.current[(society_id, BodyKind.COUNCIL)]
            for s in placed:
                if s.person in old:
                    ages[s.person] = add_years(term.start, -rng.randint(71, 74)) - datetime.timedelta(days=rng.randint(1, 300))
        _age_people(b, ages)
        for seat in b.seats:
            if seat.person_id in ages:
                seat.birth_date = ages[seat.person_id]
        _provincial_standing_below_target(b, root)
        b.save()
        assignments = _assign_rule_sets(root)
        targets = [c for c in counties if c.status == OrgStatus.ACTIVE] + provincial
        duties, visits = _contacts(rng, b, root, targets, today, actor)
        current = [t for t in b.terms if t.actual_end is None]
        result = GovernanceSeed(
            bodies=len(b.bodies),
            terms=len(b.terms),
            seats=len(b.seats),
            overdue=sum(1 for t in current if t.planned_end < today),
            ending_soon=sum(1 for t in current if today <= t.planned_end <= today + datetime.timedelta(days=90)),
            duties=duties,
            visits=visits,
        )
        record_event(
            actor=actor,
            action=SEED_ACTION,
            obj=root,
            organization=root,
            new={
                "seed": seed,
                "bodies": result.bodies,
                "terms": result.terms,
                "seats": result.seats,
                "overdue": result.overdue,
                "rule_set_assignments": assignments,
                "contact_duties": duties,
                "contact_visits": visits,
            },
        )
        verdicts.inputs_changed()  # seats, bodies, terms and assignments written without signals
    return result


def _provincial_standing_below_target(b: GovernanceBuilder, root: Organization) -> None:
    """The provincial standing committee as drawn meets the 75 %; swap front-line members for
    committee members who are not, until it is at about 71 % (a failure the what-if can fix)."""
    term = b.current.get((root.pk, BodyKind.STANDING_COMMITTEE))
    committee = b.current.get((root.pk, BodyKind.COMMITTEE))
    if term is None or committee is None:
        return
    seats = [s for s in b.seats if s.term is term and s.end is None]
    inside = {s.person_id for s in seats}
    spare = [s.person_id for s in b.seats if s.term is committee and s.role == SeatRole.MEMBER and not s.is_frontline and s.person_id not in inside]
    target = int(len(seats) * 0.71)
    for seat in seats:
        if sum(1 for s in seats if s.is_frontline) <= target or not spare:
            break
        if seat.is_frontline and seat.role == SeatRole.MEMBER:
            _pk, front, birth, gender, sector = b.people[spare.pop()]
            seat.person_id, seat.is_frontline, seat.birth_date, seat.gender, seat.sector = _pk, front, birth, gender, sector
