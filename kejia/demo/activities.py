"""Demo data of activities (`seed_demo` calls `seed_activities` once people and memberships exist).

A few hundred events over the demo province, every kind, from four months before the demo's
"today" (`ANCHOR`) to five months after: past ones finished (a few cancelled) with attendance
recorded and certificates of attendance for some, upcoming ones published (some drafts, a few
cancelled, some members-only or by invitation), some full with a waiting list. The organizations
of the demo staff logins (js_staff, nj_staff, the county staff, soc_staff …) each get events of
their own; the demo S&T worker (`worker`) is registered for upcoming events and holds a
certificate. Registrations are in the shapes the services leave (seats counted on the event,
places in line 1..n, check-in by a staff account). Written in bulk with one audit event."""

import base64
import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kejia.activities.certificates import TITLE_LENGTH, sign
from kejia.activities.choices import Audience, EventKind, EventStatus, RegistrationStatus
from kejia.activities.models import AttendanceCertificate, Event, Invitation, Registration
from kejia.demo.common import ANCHOR, DEFAULT_SEED, demo_worker_person
from kejia.organizations.kinds import SOCIETY_KINDS, OrgKind, OrgStatus
from kejia.organizations.models import Organization

SEED_ACTION = "activities.demo_seeded"
EVENTS = 320
PAST_DAYS, AHEAD_DAYS = 120, 150
CERTIFICATES = 400  # certificates of attendance issued (the most recent attended registrations)
R = RegistrationStatus
K = EventKind

SOCIETY_KINDS_OF_EVENT = [K.CONFERENCE, K.CONFERENCE, K.FORUM, K.SALON, K.SALON, K.TRAINING, K.POPULARIZATION]
ASSOCIATION_KINDS_OF_EVENT = [K.POPULARIZATION, K.POPULARIZATION, K.TRAINING, K.PARTY_SCHOOL, K.VISIT, K.VISIT, K.VOLUNTEER, K.VOLUNTEER, K.FORUM, K.SALON]
TOPICS = [
    "人工智能",
    "智能制造",
    "生物医药",
    "新能源",
    "集成电路",
    "现代农业",
    "生态环保",
    "数字经济",
    "新材料",
    "海洋科技",
    "应急科普",
    "健康中国",
    "科学素质",
    "乡村振兴",
    "碳达峰碳中和",
    "青少年科技创新",
    "老年人数字技能",
    "食品安全",
]
TITLES = {
    K.CONFERENCE: ["{org}{year}年学术年会", "{topic}前沿学术会议", "第{n}届{topic}学术研讨会"],
    K.FORUM: ["{topic}发展论坛", "{org}青年科学家论坛", "{topic}产学研协同创新论坛"],
    K.SALON: ["{topic}青年学术沙龙", "科技工作者{topic}沙龙", "“{topic}”主题沙龙第{n}期"],
    K.POPULARIZATION: ["{topic}科普进社区", "全国科普日·{topic}主题活动", "{topic}科普讲座", "科技活动周·{topic}展览"],
    K.TRAINING: ["{topic}专业技术人员继续教育培训", "{org}会员服务能力培训班", "基层科协干部{topic}培训"],
    K.PARTY_SCHOOL: ["{org}党校专题培训班（第{n}期）", "科技工作者党性教育培训", "学习贯彻新时代科技创新思想专题班"],
    K.VISIT: ["“建家交友”走访{topic}企业", "科技工作者之家建家交友活动", "走访慰问一线科技工作者"],
    K.VOLUNTEER: ["科技志愿服务·{topic}下乡", "{topic}科技志愿者进校园", "“科技助农”志愿服务行动"],
}
ADDRESSES = [
    "科技馆报告厅",
    "科学会堂二楼会议室",
    "市民中心多功能厅",
    "图书馆学术报告厅",
    "高新区创新中心",
    "党群服务中心",
    "社区科普e站",
    "职业技术学院礼堂",
    "农业科技示范园",
    "会展中心B馆",
]
CAPACITIES = [None, 30, 40, 50, 60, 80, 100, 120, 150, 200, 300]
DEMO_STAFF = ("js_staff", "nj_staff", "xw_staff", "soc_staff")


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _code(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(128).to_bytes(16, "big")).rstrip(b"=").decode()


def _organizers(rng: random.Random) -> tuple[list[Organization], list[Organization]]:
    """(the demo staff's organizations, a weighted draw of the other active organizations)."""
    from kejia.accounts.models import Role, RoleKind, User

    staff = [
        role.organization
        for role in Role.objects.filter(user__in=User.objects.filter(username__endswith="_staff"), kind__in=(RoleKind.STAFF, RoleKind.ADMIN))
        .select_related("organization__region")
        .order_by("organization__path")
    ]
    staff = list({o.pk: o for o in staff}.values())
    weights = {
        OrgKind.PROVINCIAL_ASSOCIATION: 12,
        OrgKind.MUNICIPAL_ASSOCIATION: 6,
        OrgKind.COUNTY_ASSOCIATION: 2,
        OrgKind.TOWNSHIP_ASSOCIATION: 1,
        OrgKind.PROVINCIAL_SOCIETY: 3,
        OrgKind.MUNICIPAL_SOCIETY: 1,
        OrgKind.SOCIETY_BRANCH: 1,
        OrgKind.SPECIALIZED_COMMITTEE: 1,
        OrgKind.UNIVERSITY_ASSOCIATION: 1,
        OrgKind.ENTERPRISE_ASSOCIATION: 1,
        OrgKind.VOLUNTEER_TEAM: 2,
        OrgKind.RURAL_TECH_ASSOCIATION: 1,
    }
    pool = list(Organization.objects.filter(status=OrgStatus.ACTIVE, kind__in=list(weights)).select_related("region").order_by("path"))
    draw = rng.choices(pool, weights=[weights[o.kind] for o in pool], k=max(EVENTS - 4 * len(staff), 0)) if pool else []
    return staff, draw


def _title(rng: random.Random, kind: str, org: Organization, day: datetime.date) -> str:
    short = org.short_name or org.name.replace("科学技术协会", "科协")
    return rng.choice(TITLES[kind]).format(org=short, topic=rng.choice(TOPICS), year=day.year, n=rng.randint(2, 18))[:200]


def seed_activities(*, seed: int = DEFAULT_SEED, actor=None, today: datetime.date = ANCHOR) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    from kejia.accounts.models import User
    from kejia.core.audit import record_event
    from kejia.memberships.certificates import mask_name, signing_key
    from kejia.people.models import Listing, Person

    if Event.objects.exists() or not Person.objects.exists():
        return {}
    rng = random.Random(seed + 6006)
    staff_orgs, drawn = _organizers(rng)
    if not staff_orgs and not drawn:
        return {}
    people = list(Person.objects.filter(status="active").order_by("pk").values_list("pk", "name", "region_id", "user_id"))
    by_city: dict[str, list[tuple]] = defaultdict(list)
    for row in people:
        if row[2]:
            by_city[row[2][:4]].append(row)
    listed: dict[int, list[int]] = defaultdict(list)
    for org_id, person_id in Listing.objects.order_by("organization_id", "person_id").values_list("organization_id", "person_id"):
        listed[org_id].append(person_id)
    names = {row[0]: row for row in people}
    checker = User.objects.filter(username="xw_staff").first() or actor
    worker = User.objects.filter(username="worker").first()
    worker_person = demo_worker_person()

    plan: list[tuple[Organization, int]] = [(org, i) for org in staff_orgs for i in range(4)] + [(org, 4) for org in drawn]
    events: list[Event] = []
    for org, slot in plan:
        # The staff's four: a past one with attendance, an upcoming full one, an upcoming open one, a draft.
        if slot == 0:
            day = today - datetime.timedelta(days=rng.randint(5, 60))
        elif slot in (1, 2):
            day = today + datetime.timedelta(days=rng.randint(16, 60))
        elif slot == 3:
            day = today + datetime.timedelta(days=rng.randint(30, 90))
        else:
            day = today + datetime.timedelta(days=rng.randint(-PAST_DAYS, AHEAD_DAYS))
        kinds = (
            SOCIETY_KINDS_OF_EVENT
            if org.kind in SOCIETY_KINDS or org.kind in (OrgKind.SOCIETY_BRANCH, OrgKind.SPECIALIZED_COMMITTEE)
            else ASSOCIATION_KINDS_OF_EVENT
        )
        kind = rng.choice(kinds)
        start = _at(day, rng.choice([9, 9, 14, 14, 19]), rng.choice([0, 30]))
        length = (
            datetime.timedelta(days=1, hours=8)
            if kind in (K.CONFERENCE, K.PARTY_SCHOOL) and rng.random() < 0.5
            else datetime.timedelta(hours=rng.choice([2, 3, 4, 8]))
        )
        online = rng.random() < 0.15
        past = day < today
        if slot == 3:
            status = EventStatus.DRAFT
        elif past:
            status = EventStatus.CANCELLED if rng.random() < 0.04 else EventStatus.FINISHED
        else:
            status = rng.choices([EventStatus.PUBLISHED, EventStatus.DRAFT, EventStatus.CANCELLED], [86, 9, 5])[0] if slot == 4 else EventStatus.PUBLISHED
        audience = Audience.PUBLIC if slot in (0, 1, 2) else rng.choices([Audience.PUBLIC, Audience.MEMBERS, Audience.INVITED], [80, 15, 5])[0]
        capacity = rng.choice([30, 40, 50]) if slot == 1 else rng.choice(CAPACITIES)
        fee = Decimal(rng.choice([200, 300, 500, 800])) if kind == K.CONFERENCE and rng.random() < 0.4 else Decimal(0)
        events.append(
            Event(
                organization=org,
                kind=kind,
                title=_title(rng, kind, org, day),
                description=f"由{org.name}主办。欢迎广大科技工作者报名参加。",
                starts_at=start,
                ends_at=start + length,
                region=None if online else org.region,
                address="" if online or org.region_id is None else rng.choice(ADDRESSES),
                online_url=f"https://meeting.kejia-demo.cn/{org.code}/{len(events) + 1}" if online or org.region_id is None else "",
                capacity=capacity,
                audience=audience,
                audience_organization=org if audience == Audience.MEMBERS else None,
                fee=fee,
                status=status,
                published_at=None if status == EventStatus.DRAFT else start - datetime.timedelta(days=rng.randint(20, 45)),
                cancel_reason="因场地调整，活动取消。" if status == EventStatus.CANCELLED else "",
                created_by=actor,
            )
        )
        events[-1]._slot = slot

    with transaction.atomic():
        Event.objects.bulk_create(events, batch_size=500)
        regs: list[Registration] = []
        invitations: list[Invitation] = []
        for event in events:
            if event.status == EventStatus.DRAFT:
                continue
            pool = listed.get(event.organization_id, []) if event.audience != Audience.PUBLIC else []
            if event.audience == Audience.INVITED:
                invited = rng.sample(pool, min(len(pool), 15)) if pool else [p[0] for p in rng.sample(people, min(15, len(people)))]
                invitations.extend(Invitation(event=event, person_id=pid, invited_by=actor) for pid in invited)
                pool = invited
            if event.audience == Audience.PUBLIC:
                city = by_city.get((event.organization.region_id or "")[:4]) or people
                pool = [row[0] for row in city]
            if not pool:
                continue
            if event.capacity is None:
                wanted = rng.randint(5, 60)
            elif event._slot == 1 or rng.random() < 0.12:
                wanted = event.capacity + rng.randint(3, 15)  # full, with a waiting list
            else:
                wanted = int(event.capacity * rng.uniform(0.2, 0.95))
            chosen = rng.sample(pool, min(wanted, len(pool)))
            _registrations(rng, event, chosen, names, regs, checker)
        if worker is not None:
            _worker_registrations(rng, events, worker, worker_person, regs, checker, today)
        Registration.objects.bulk_create(regs, batch_size=2000)
        Invitation.objects.bulk_create(invitations, batch_size=2000, ignore_conflicts=True)
        seats: dict[int, int] = defaultdict(int)
        line: dict[int, int] = defaultdict(int)
        for r in regs:
            if r.status in (R.CONFIRMED, R.ATTENDED):
                seats[r.event.pk] += 1
            line[r.event.pk] = max(line[r.event.pk], r.waitlist_position or 0)
        for event in events:
            event.confirmed_count, event.waitlist_seq = seats[event.pk], line[event.pk]
        Event.objects.bulk_update(events, ["confirmed_count", "waitlist_seq"], batch_size=500)
        through = Event.disciplines.through
        org_disciplines: dict[int, list[str]] = defaultdict(list)
        for org_id, code in Organization.disciplines.through.objects.filter(organization_id__in={e.organization_id for e in events}).values_list(
            "organization_id", "discipline_id"
        ):
            org_disciplines[org_id].append(code)
        through.objects.bulk_create(
            [through(event_id=e.pk, discipline_id=code) for e in events for code in org_disciplines[e.organization_id][:3]], batch_size=2000
        )
        certs = _certificates(rng, regs, signing_key(), mask_name, worker)
        root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
        made = {
            "events": len(events),
            "registrations": len(regs),
            "check-ins": sum(1 for r in regs if r.status == R.ATTENDED),
            "waitlisted": sum(1 for r in regs if r.status == R.WAITLISTED),
            "invitations": len(invitations),
            "certificates of attendance": certs,
        }
        record_event(actor=actor, action=SEED_ACTION, obj=root or events[0], organization=root, new=made)
    return made


def _registrations(rng: random.Random, event: Event, chosen: list[int], names: dict, regs: list, checker) -> None:
    """In arrival order: a few who cancelled, then confirmed up to the capacity, then the waiting list."""
    position = 0
    seats = 0
    finished, cancelled_event = event.status == EventStatus.FINISHED, event.status == EventStatus.CANCELLED
    for pid in chosen:
        _pk, name, _region, user_id = names[pid]
        created = event.published_at + datetime.timedelta(hours=rng.randint(1, 24 * 15))
        reg = Registration(event=event, person_id=pid, user_id=user_id, name=name[:64], checkin_code=_code(rng), confirmed_at=created)
        if cancelled_event:
            reg.status, reg.cancelled_at, reg.cancel_reason = R.CANCELLED, event.starts_at - datetime.timedelta(days=3), "活动已取消。"
        elif rng.random() < 0.05:
            reg.status, reg.cancelled_at, reg.cancel_reason = R.CANCELLED, created + datetime.timedelta(days=1), "时间冲突"
        elif event.capacity is None or seats < event.capacity:
            seats += 1
            reg.status = R.CONFIRMED
            if finished and rng.random() < 0.82:
                reg.status, reg.checked_in_at, reg.checked_in_by = R.ATTENDED, event.starts_at - datetime.timedelta(minutes=rng.randint(0, 40)), checker
        elif finished:
            reg.status, reg.confirmed_at, reg.cancelled_at, reg.cancel_reason = R.CANCELLED, None, event.ends_at, "活动已结束。"
        else:
            position += 1
            reg.status, reg.confirmed_at, reg.waitlist_position = R.WAITLISTED, None, position
        if reg.status == R.CANCELLED and not cancelled_event:
            reg.confirmed_at = None
        regs.append(reg)


def _worker_registrations(rng: random.Random, events: list[Event], worker, person, regs: list, checker, today: datetime.date) -> None:
    """The demo S&T worker: confirmed for two upcoming public events, waitlisted for a full one,
    and attended a past one (with its certificate)."""
    taken = {r.event.pk for r in regs if (person is not None and r.person_id == person.pk) or r.user_id == worker.pk}
    public = [e for e in events if e.audience == Audience.PUBLIC and e.pk not in taken]
    upcoming = [e for e in public if e.status == EventStatus.PUBLISHED and e.starts_at.date() > today + datetime.timedelta(days=20)]
    full = [e for e in upcoming if e._slot == 1]
    roomy = [e for e in upcoming if e.capacity is None or e._slot == 2]
    past = [e for e in public if e.status == EventStatus.FINISHED]
    name = (person.name if person is not None else worker.display_name or worker.username)[:64]
    for event, status in [*((e, R.CONFIRMED) for e in roomy[:2]), *((e, R.WAITLISTED) for e in full[:1]), *((e, R.ATTENDED) for e in past[-1:])]:
        reg = Registration(
            event=event,
            person=person,
            user=worker,
            name=name,
            status=status,
            checkin_code=_code(rng),
            confirmed_at=event.published_at + datetime.timedelta(days=1),
        )
        if status == R.WAITLISTED:
            reg.confirmed_at = None
            reg.waitlist_position = max((r.waitlist_position or 0 for r in regs if r.event is event), default=0) + 1
        elif status == R.ATTENDED:
            reg.checked_in_at, reg.checked_in_by = event.starts_at, checker
            if event.capacity is not None and sum(1 for r in regs if r.event is event and r.status in (R.CONFIRMED, R.ATTENDED)) >= event.capacity:
                event.capacity += 1
                Event.objects.filter(pk=event.pk).update(capacity=event.capacity)
        elif event.capacity is not None:
            event.capacity += 1  # a seat kept for the worker
            Event.objects.filter(pk=event.pk).update(capacity=event.capacity)
        regs.append(reg)


def _certificates(rng: random.Random, regs: list[Registration], key, mask_name, worker) -> int:
    attended = [r for r in regs if r.status == R.ATTENDED]
    attended.sort(key=lambda r: (r.user_id != getattr(worker, "pk", None), -r.event.starts_at.timestamp(), r.pk))
    certs = []
    for reg in attended[:CERTIFICATES]:
        event = reg.event
        serial = f"{rng.getrandbits(64):016X}"
        values = {
            "kid": key.kid,
            "serial": serial,
            "organizer": event.organization.code,
            "event": str(event.pk),
            "name": mask_name(reg.name),
            "title": event.title[:TITLE_LENGTH],
            "date": timezone.localtime(event.starts_at).strftime("%Y%m%d"),
        }
        certs.append(AttendanceCertificate(registration=reg, serial=serial, key=key, token=sign(values, key)))
    AttendanceCertificate.objects.bulk_create(certs, batch_size=1000)
    return len(certs)
