"""Demo volunteer service (`seed_demo` calls `seed_volunteering` once people, memberships and
governance exist): the demo province's volunteer teams get members from the talent database (those
already listed as volunteers, then people of the organization that formed the team) with one leader
each; townships post service demands, which teams of their county take and serve; a few hundred
services of the last two and a half years carry the hours of their participants, most confirmed and
some waiting for the leader. The demo S&T worker `worker` (when linked to a profile) is a member of
two teams with hours in both. Written in bulk with one audit event; deterministic from the seed; the
demo's "today" is `ANCHOR`."""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kejia.demo.common import ANCHOR, DEFAULT_SEED
from kejia.organizations.kinds import OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.volunteering.choices import MAX_HOURS_PER_DAY, DemandStatus, ServiceStatus, TeamRole
from kejia.volunteering.models import ServiceDemand, ServiceHours, ServiceRecord, TeamMember

SEED_ACTION = "volunteering.demo_seeded"
SERVICES_PER_TEAM = (3, 9)
DEMANDS_PER_TOWN = 0.6  # a share of the townships post one demand (some two)
FIRST_SERVICE = datetime.date(2024, 6, 1)

TOPICS = (
    ("防范电信网络诈骗科普讲座", "面向社区居民讲解常见诈骗手法和防范要点，需要讲师和现场咨询人员。"),
    ("青少年科学实验课", "为小学生开展趣味科学实验，需要实验讲解和器材准备的志愿者。"),
    ("老年人智能手机使用培训", "帮助老年人学会健康码、移动支付和视频通话，需要耐心细致的志愿者一对一辅导。"),
    ("果树冬季修剪技术指导", "到田间地头指导农户修剪和病虫害防治。"),
    ("应急避险与急救知识培训", "讲解火灾、地震逃生和心肺复苏，需要持证急救培训师。"),
    ("健康义诊与慢病科普", "测血压血糖，讲解高血压、糖尿病的日常管理。"),
    ("气象防灾减灾科普", "结合汛期讲解暴雨、雷电的防范知识。"),
    ("垃圾分类与生态环保宣传", "入户宣传垃圾分类，组织亲子环保手工活动。"),
    ("水稻绿色高产技术培训", "讲解测土配方施肥和稻田综合种养。"),
    ("科学健身与合理膳食讲座", "面向社区居民讲解科学运动和膳食搭配。"),
    ("校园天文科普观测活动", "携带天文望远镜到学校开展星空观测。"),
    ("食品安全科普进社区", "讲解食品添加剂、保质期等常见误区。"),
)
REQUESTERS = ("中心小学", "实验小学", "初级中学", "社区居委会", "村民委员会", "老年活动中心", "新时代文明实践站", "党群服务中心")
HOURS = (
    Decimal("1"),
    Decimal("1.5"),
    Decimal("2"),
    Decimal("2"),
    Decimal("2.5"),
    Decimal("3"),
    Decimal("3"),
    Decimal("4"),
    Decimal("4"),
    Decimal("6"),
    Decimal("8"),
)


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


class _Builder:
    def __init__(self, rng: random.Random, today: datetime.date, actor):
        self.rng, self.today, self.actor = rng, today, actor
        self.members: list[TeamMember] = []
        self.by_team: dict[int, list[TeamMember]] = defaultdict(list)
        self.records: list[ServiceRecord] = []
        self.hours: list[list[tuple[int, Decimal]]] = []
        self.busy: dict[tuple[int, datetime.date], Decimal] = defaultdict(Decimal)
        self.team_days: set[tuple[int, datetime.date]] = set()

    def member(self, team: Organization, person_id: int, *, role: str = TeamRole.MEMBER, may_leave: bool = True) -> None:
        rng = self.rng
        start = max(team.founded_on or datetime.date(2019, 1, 1), datetime.date(2019, 1, 1))
        joined = _day(rng, start, max(start, datetime.date(2024, 5, 31)))
        left = None
        if may_leave and role == TeamRole.MEMBER and rng.random() < 0.05:
            first = max(joined + datetime.timedelta(days=30), datetime.date(2025, 1, 1))
            left = _day(rng, first, max(first, self.today - datetime.timedelta(days=10)))
        m = TeamMember(team=team, person_id=person_id, role=role, joined_on=joined, left_on=left)
        self.members.append(m)
        self.by_team[team.pk].append(m)

    def service(
        self,
        team: Organization,
        date: datetime.date,
        *,
        demand: ServiceDemand | None = None,
        must: int | None = None,
        address: str = "",
        region_id: str | None = None,
    ) -> bool:
        rng = self.rng
        if (team.pk, date) in self.team_days:
            return False
        present = [m.person_id for m in self.by_team[team.pk] if m.joined_on <= date and (m.left_on is None or m.left_on >= date)]
        if not present:
            return False
        chosen = rng.sample(present, min(len(present), rng.randint(2, 8)))
        if must is not None and must in present and must not in chosen:
            chosen[0] = must
        rows = []
        for pid in chosen:
            hours = rng.choice(HOURS)
            if self.busy[(pid, date)] + hours > MAX_HOURS_PER_DAY:
                continue
            self.busy[(pid, date)] += hours
            rows.append((pid, hours))
        if not rows:
            return False
        self.team_days.add((team.pk, date))
        recent = (self.today - date).days < 30
        status = ServiceStatus.REPORTED if recent and rng.random() < 0.35 else ServiceStatus.CONFIRMED
        title, text = (demand.title, demand.description) if demand else rng.choice(TOPICS)
        when = timezone.make_aware(datetime.datetime.combine(date, datetime.time(18)))
        self.records.append(
            ServiceRecord(
                team=team,
                demand=demand,
                date=date,
                region_id=region_id or team.region_id,
                status=status,
                address=address or f"{team.name.removesuffix('科技志愿服务队')}{rng.choice(REQUESTERS)}",
                people_served=rng.randint(12, 320),
                note=f"{title}：{text}",
                reported_by=self.actor,
                confirmed_by=self.actor if status == ServiceStatus.CONFIRMED else None,
                confirmed_at=when if status == ServiceStatus.CONFIRMED else None,
            )
        )
        self.hours.append(rows)
        return True


def _reach(path: str, counties: list[str]) -> str:
    return max((c for c in counties if path.startswith(c)), key=len, default=path)


def _worker_person() -> int | None:
    """The demo S&T worker's profile: linked to the `worker` account, or the one with the account's
    name and phone that the worker links to when trying the demo (demo/talent.py)."""
    from kejia.accounts.models import User
    from kejia.core import pii
    from kejia.people.models import Person

    active = Person.objects.filter(status="active")
    linked = active.filter(user__username="worker").values_list("pk", flat=True).first()
    if linked:
        return linked
    user = User.objects.filter(username="worker").first()
    if user is None or not user.phone_sealed:
        return None
    phone = pii.decrypt(user.phone_sealed)
    return active.filter(name=user.display_name, phone_hash=pii.blind_index(phone)).order_by("pk").values_list("pk", flat=True).first()


def seed_volunteering(*, seed: int = DEFAULT_SEED, actor=None, today: datetime.date = ANCHOR) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    from kejia.core.audit import record_event
    from kejia.people.choices import ListingRole
    from kejia.people.models import Listing, Person

    if TeamMember.objects.exists() or ServiceDemand.objects.exists() or ServiceRecord.objects.exists():
        return {}
    teams = list(Organization.objects.filter(kind=OrgKind.VOLUNTEER_TEAM, status=OrgStatus.ACTIVE).select_related("parent").order_by("path"))
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    if not teams or root is None or not Person.objects.exists():
        return {}
    rng = random.Random(seed + 6006)
    b = _Builder(rng, today, actor)
    with transaction.atomic():
        listings = list(
            Listing.objects.filter(person__status="active")
            .order_by("person_id", "organization_id")
            .values_list("person_id", "organization__path", "organization_id", "role")
        )
        everyone = sorted({pid for pid, *_ in listings})
        volunteer_of: dict[int, list[int]] = defaultdict(list)
        for pid, _path, org_id, role in listings:
            if role == ListingRole.VOLUNTEER:
                volunteer_of[org_id].append(pid)
        worker = _worker_person()
        worker_teams = (
            (
                [t for t in teams if t.parent and t.parent.kind == OrgKind.COUNTY_ASSOCIATION][:1]
                + [t for t in teams if t.parent and t.parent.kind != OrgKind.COUNTY_ASSOCIATION][:1]
            )
            if worker
            else []
        )
        for team in teams:
            base = team.parent.path if team.parent else team.path
            local = [pid for pid, path, _org, _role in listings if path.startswith(base)]
            people = list(dict.fromkeys(volunteer_of.get(team.pk, []) + rng.sample(local, min(len(local), rng.randint(6, 18)))))
            if len(people) < 4:
                people += rng.sample(everyone, min(len(everyone), 6))
                people = list(dict.fromkeys(people))
            if worker:
                people = [p for p in people if p != worker]
            for i, pid in enumerate(people):
                b.member(team, pid, role=TeamRole.LEADER if i == 0 else TeamRole.MEMBER)
            if team in worker_teams:
                b.member(team, worker, may_leave=False)
        # Demands of the townships, taken by a team of their county.
        counties = list(Organization.objects.filter(kind=OrgKind.COUNTY_ASSOCIATION).values_list("path", flat=True))
        towns = list(Organization.objects.filter(kind=OrgKind.TOWNSHIP_ASSOCIATION, status=OrgStatus.ACTIVE).order_by("path"))
        demands: list[ServiceDemand] = []
        for town in towns:
            for _ in range((rng.random() < DEMANDS_PER_TOWN) + (rng.random() < 0.1)):
                reach = _reach(town.path, counties)
                takers = [t for t in teams if t.path.startswith(reach)]
                roll = rng.random()
                title, text = rng.choice(TOPICS)
                d = ServiceDemand(
                    organization=town,
                    reach_path=reach,
                    title=title,
                    description=text,
                    region_id=town.region_id,
                    requester=f"{town.name.removesuffix('科学技术协会')}{rng.choice(REQUESTERS)}",
                    address=f"{town.name.removesuffix('科学技术协会')}{rng.choice(REQUESTERS)}",
                    people_needed=rng.randint(2, 10),
                    posted_by=actor,
                )
                if takers and roll < 0.5:
                    d.status, d.team = DemandStatus.DONE, rng.choice(takers)
                    d.wanted_from = _day(rng, FIRST_SERVICE, today - datetime.timedelta(days=5))
                elif takers and roll < 0.65:
                    d.status, d.team = DemandStatus.TAKEN, rng.choice(takers)
                    d.wanted_from = _day(rng, today + datetime.timedelta(days=2), today + datetime.timedelta(days=40))
                elif roll < 0.93:
                    d.status, d.wanted_from = DemandStatus.OPEN, _day(rng, today + datetime.timedelta(days=3), today + datetime.timedelta(days=75))
                else:
                    d.status, d.close_reason = DemandStatus.CANCELLED, "活动场地调整，另行安排。"
                    d.wanted_from = _day(rng, today - datetime.timedelta(days=200), today + datetime.timedelta(days=30))
                if d.team:
                    d.taken_by = actor
                    d.taken_at = timezone.make_aware(datetime.datetime.combine(min(d.wanted_from, today) - datetime.timedelta(days=7), datetime.time(9)))
                if d.status in (DemandStatus.DONE, DemandStatus.CANCELLED):
                    d.closed_at = timezone.make_aware(datetime.datetime.combine(min(d.wanted_from, today), datetime.time(18)))
                demands.append(d)
        ServiceDemand.objects.bulk_create(demands)
        team_by_pk = {t.pk: t for t in teams}
        for d in demands:
            if d.status == DemandStatus.DONE:
                b.service(team_by_pk[d.team_id], d.wanted_from, demand=d, address=d.address, region_id=d.region_id)
        # The teams' own services, and the worker's.
        for team in teams:
            for _ in range(rng.randint(*SERVICES_PER_TEAM)):
                b.service(team, _day(rng, FIRST_SERVICE, today - datetime.timedelta(days=1)))
        for team in worker_teams:
            made = 0
            for _ in range(40):
                if made >= 4:
                    break
                made += b.service(team, _day(rng, datetime.date(2024, 6, 1), today - datetime.timedelta(days=3)), must=worker)
        TeamMember.objects.bulk_create(b.members)
        known = set(Listing.objects.filter(role=ListingRole.VOLUNTEER).values_list("person_id", "organization_id"))
        Listing.objects.bulk_create(
            [Listing(person_id=m.person_id, organization_id=m.team_id, role=ListingRole.VOLUNTEER) for m in b.members if (m.person_id, m.team_id) not in known],
            ignore_conflicts=True,
        )
        ServiceRecord.objects.bulk_create(b.records)
        ServiceHours.objects.bulk_create(
            [ServiceHours(record=r, person_id=pid, hours=h) for r, rows in zip(b.records, b.hours, strict=True) for pid, h in rows]
        )
        made = {
            "teams with members": len(b.by_team),
            "members": len(b.members),
            "demands": len(demands),
            "services": len(b.records),
            "hours": int(sum(h for rows in b.hours for _, h in rows)),
        }
        record_event(actor=actor, action=SEED_ACTION, obj=root, organization=root, new={"seed": seed, **made})
    return made
