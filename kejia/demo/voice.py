"""Demo data of voice (`seed_demo` calls `seed_voice` once people and memberships exist).

About 360 items sent over the four months before the demo's "today" (`ANCHOR`) to associations
and societies across the province, by a few dozen demo S&T workers (accounts without a password)
and by the demo user `worker`. Their histories are simulated the way the services would have
written them: most were answered (a share in public by the demo leaders, under their real names
and posts), many rated, some reopened once; open ones past their due date climbed the tree as the
daily escalation would have moved them, and a few are one to three days overdue (the next
`manage.py escalate_voice` moves them). Bulk writes and one audit event; deterministic from `seed`."""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kejia.accounts.models import Role, RoleKind, User
from kejia.demo.common import ANCHOR, DEFAULT_SEED
from kejia.organizations.kinds import SOCIETY_KINDS, OrgKind, OrgStatus
from kejia.organizations.models import Organization
from kejia.voice import deadlines
from kejia.voice.choices import EventKind, ItemKind, ItemStatus
from kejia.voice.models import Answer, Item, ItemEvent

SEED_ACTION = "voice.demo_seeded"
ITEMS = 360
SENDERS = 48
SENDER_PREFIX = "voice_demo_"
STAFFED_ITEMS = 12  # more for each organization where a demo user is staff

TOPICS = {
    ItemKind.SUGGESTION: [
        ("建议加大对基层青年科技工作者的项目支持", "基层一线青年科技工作者申请项目渠道少，建议设立专门的青年托举项目，并简化申报材料。"),
        ("建议在县域建设科技工作者之家活动阵地", "县里科技工作者分散，缺少交流场所，建议依托科技馆建设科技工作者之家，定期开展沙龙。"),
        ("关于开展企业科协能力提升培训的建议", "不少企业科协刚成立，负责人不熟悉工作方法，建议每年组织一次专题培训并编印工作手册。"),
        ("建议推动科普资源进社区", "社区科普活动形式单一，建议将学会的科普资源精准推送到社区，并组织专家志愿者定期讲座。"),
        ("关于学术交流活动增加线上参与方式的建议", "基层科技人员外出参会不便，建议学术年会同步开展线上直播和线上提问。"),
    ],
    ItemKind.APPEAL: [
        ("反映职称评审中成果认定的问题", "本人在企业从事技术研发多年，专利和技术标准在职称评审中难以认定，希望科协反映基层诉求。"),
        ("反映学会会费收缴方式不便", "学会目前只接受线下缴纳会费，外地会员很不方便，希望开通线上缴费。"),
        ("关于科研经费报销手续繁琐的诉求", "小额科研经费报销需要多次签字，耗费大量时间，希望推动简化流程。"),
        ("反映农技协会员技术培训机会少", "我们村的农技协会员希望多参加新品种、新技术培训，目前机会很少。"),
    ],
    ItemKind.RIGHTS: [
        ("技术成果被合作单位擅自使用", "本人与某公司合作研发的技术成果被对方擅自申请专利，希望科协协助维护知识产权权益。"),
        ("劳动合同中竞业限制条款不合理", "单位要求签订过长的竞业限制协议且无补偿，希望得到法律咨询和帮助。"),
        ("论文署名权纠纷求助", "本人主要完成的论文被他人以第一作者发表，希望学会协助调查并给出处理意见。"),
    ],
    ItemKind.POLICY_QUESTION: [
        ("青年科技奖的申报条件是什么", "想了解省青年科技奖对年龄、成果和推荐渠道的具体要求。"),
        ("企业科协如何备案", "我们公司准备成立企业科协，请问需要准备哪些材料、在哪里办理备案。"),
        ("个人会员与单位会员有什么区别", "单位已经是学会的团体会员，本人是否还需要以个人身份入会？权利义务有什么不同？"),
        ("科技志愿服务时长如何认定", "参加科普志愿活动的时长如何记录和认定，能否用于评优？"),
    ],
}
ANSWERS = {
    ItemKind.SUGGESTION: "感谢您的建议。我们已将此事纳入明年工作计划，将会同有关部门研究具体措施，并在网上科协公布进展。",
    ItemKind.APPEAL: "您反映的问题已收悉。我们已向有关部门转达基层科技工作者的诉求，并将在下次座谈会上专题研究。",
    ItemKind.RIGHTS: "我们已联系法律服务团的专家与您对接，建议您保留相关证据，通过法律程序依法维护自身合法权益。",
    ItemKind.POLICY_QUESTION: "相关政策的具体要求请见本会网站通知公告栏目；如仍有疑问，可在工作日致电本会办公室咨询。",
}
KIND_WEIGHTS = [(ItemKind.SUGGESTION, 4), (ItemKind.APPEAL, 3), (ItemKind.RIGHTS, 1), (ItemKind.POLICY_QUESTION, 3)]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 20), rng.randint(0, 59))))


class _Roles:
    """Who writes and signs answers: the nearest staff and the nearest leader of each organization."""

    def __init__(self) -> None:
        self.staff: dict[str, User] = {}
        self.leaders: dict[str, Role] = {}
        for role in Role.objects.select_related("user", "organization").order_by("organization__depth", "pk"):
            path = role.organization.path
            if role.kind in (RoleKind.STAFF, RoleKind.ADMIN):
                self.staff.setdefault(path, role.user)
            elif role.kind == RoleKind.LEADER:
                self.leaders.setdefault(path, role)

    def _nearest(self, table: dict, org: Organization):
        for i in range(len(org.path), 0, -6):
            found = table.get(org.path[:i])
            if found is not None:
                return found
        return None

    def staff_for(self, org: Organization) -> User | None:
        return self._nearest(self.staff, org)

    def leader_for(self, org: Organization) -> Role | None:
        return self._nearest(self.leaders, org)


class _Builder:
    def __init__(self, rng: random.Random, roles: _Roles, orgs: dict[int, Organization], today: datetime.date) -> None:
        self.rng, self.roles, self.orgs, self.today = rng, roles, orgs, today
        self.calendar = deadlines.StoredCalendar()
        self.items: list[Item] = []
        self.events: list[tuple[Item, ItemEvent]] = []
        self.answers: list[tuple[Item, Answer]] = []
        self.days: dict[tuple[str, int], int] = {}

    def _days(self, kind: str, org: Organization) -> int:
        key = (kind, org.pk)
        if key not in self.days:
            self.days[key] = deadlines.working_days_for(kind, org)
        return self.days[key]

    def _event(self, item: Item, kind: str, when: datetime.datetime, **kw) -> None:
        data = kw.pop("data", {})
        self.events.append((item, ItemEvent(kind=kind, created_at=when, data=data, **kw)))

    def _due(self, item: Item, org: Organization, start: datetime.date) -> None:
        item.deadline_days = self._days(item.kind, org)
        item.due_on = deadlines.add_working_days(start, item.deadline_days, self.calendar)

    def _escalate(self, item: Item) -> None:
        """As the daily run would have: the day after each due date, one level up."""
        while item.due_on < self.today:
            org = self.orgs[item.organization_id]
            parent = self.orgs.get(org.parent_id) if org.parent_id else None
            if parent is None:
                return
            day = item.due_on + datetime.timedelta(days=1)
            when = _moment(day, self.rng).replace(hour=2)
            overdue_since = item.due_on
            item.organization_id, item.assignee = parent.pk, None
            if item.status == ItemStatus.ASSIGNED:
                item.status = ItemStatus.SUBMITTED
            self._due(item, parent, day)
            item.escalation_level += 1
            item.escalated_at = when
            self._event(item, EventKind.ESCALATED, when, from_org=org, to_org=parent, data={"due_on": str(item.due_on), "overdue_since": str(overdue_since)})

    def _answer(self, item: Item, when: datetime.datetime, *, public: bool) -> None:
        org = self.orgs[item.organization_id]
        leader = self.roles.leader_for(org) if public and item.allow_public else None
        author = leader.user if leader else self.roles.staff_for(org)
        answer = Answer(author=author, organization=org, text=ANSWERS[item.kind], created_at=when)
        if leader is not None:
            name = leader.user.display_name or leader.user.username
            answer.is_public, answer.signed_by, answer.published_at = True, leader.user, when
            answer.signer_name, answer.signer_title = name[:64], f"{leader.organization.name}{leader.title or leader.get_kind_display()}"[:160]
        self.answers.append((item, answer))
        item.status, item.answered_at = ItemStatus.ANSWERED, when
        self._event(item, EventKind.ANSWERED, when, actor=author, data={"public": answer.is_public})

    def item(
        self,
        *,
        sender: User,
        org: Organization,
        sent: datetime.date,
        kind: str | None = None,
        fate: str | None = None,
        allow_public: bool | None = None,
        settle: bool = True,
    ) -> Item:
        """One item and its history; `fate` open, answered or public (answered by a leader in public)."""
        rng = self.rng
        kind = kind or rng.choices([k for k, _w in KIND_WEIGHTS], [w for _k, w in KIND_WEIGHTS])[0]
        title, body = rng.choice(TOPICS[kind])
        allow_public = rng.random() < 0.6 if allow_public is None else allow_public
        item = Item(
            kind=kind, title=title, body=body, sender=sender, organization_id=org.pk, origin_id=org.pk, allow_public=allow_public, status=ItemStatus.SUBMITTED
        )
        created = _moment(sent, rng)
        item.created_at = created
        self._due(item, org, sent)
        self._event(item, EventKind.SUBMITTED, created, actor=sender, to_org=org, data={"due_on": str(item.due_on)})
        age = (self.today - sent).days
        if fate is None:  # old items are mostly settled by now
            fate = rng.choices(["answered", "open"], [0.72, 0.28] if age < 45 else [0.93, 0.07])[0]
        staff = self.roles.staff_for(org)
        if staff is not None and rng.random() < 0.5:
            when = created + datetime.timedelta(hours=rng.randint(2, 30))
            item.assignee, item.status = staff, ItemStatus.ASSIGNED
            self._event(item, EventKind.ASSIGNED, when, actor=staff, internal=True, data={"assignee": staff.pk, "assignee_name": str(staff)})
        if fate == "late":
            pass  # left for the next escalation run
        elif fate == "open":
            self._escalate(item)
        else:
            took = rng.randint(1, max(2, min(age, item.deadline_days + 6)))
            if took >= age:
                took = max(0, age - 1)
            when = _moment(sent + datetime.timedelta(days=took), rng)
            self._answer(item, when, public=fate == "public" or rng.random() < 0.55)
            after = self.today - when.date()
            if settle and after.days >= 2 and rng.random() < 0.55:
                rated = when + datetime.timedelta(days=1)
                item.rating = rng.choices([5, 4, 3, 2, 1], [45, 30, 13, 7, 5])[0]
                item.rated_at, item.status, item.closed_at = rated, ItemStatus.CLOSED, rated
                self._event(item, EventKind.RATED, rated, actor=sender, data={"rating": item.rating})
                if item.rating <= 2 and after.days >= 6 and rng.random() < 0.6:
                    again = rated + datetime.timedelta(days=1)
                    item.status, item.reopened_at, item.closed_at, item.rating, item.rated_at = ItemStatus.REOPENED, again, None, None, None
                    self._due(item, org, again.date())
                    self._event(item, EventKind.REOPENED, again, actor=sender, note="答复没有解决我的问题，请进一步说明。", data={"due_on": str(item.due_on)})
                    if (self.today - again.date()).days > 3:
                        self._answer(item, again + datetime.timedelta(days=2), public=False)
        self.items.append(item)
        return item

    def late(self, *, sender: User, org: Organization) -> Item:
        """An item whose due date passed in the last days: today's escalation run has not moved it yet."""
        kind = self.rng.choice([k for k, _w in KIND_WEIGHTS])
        sent = self.today - datetime.timedelta(days=1)
        while deadlines.add_working_days(sent, self._days(kind, org), self.calendar) >= self.today:
            sent -= datetime.timedelta(days=1)
        return self.item(sender=sender, org=org, sent=sent, kind=kind, fate="late")

    def save(self) -> None:
        Item.objects.bulk_create(self.items, batch_size=500)
        Item.objects.bulk_update(self.items, ["created_at"], batch_size=500)  # auto_now_add overwrote the simulated moments
        answers = []
        for item, answer in self.answers:
            answer.item = item
            answers.append(answer)
        Answer.objects.bulk_create(answers, batch_size=500)
        Answer.objects.bulk_update(answers, ["created_at"], batch_size=500)
        events = []
        for item, event in self.events:
            event.item = item
            events.append(event)
        ItemEvent.objects.bulk_create(events, batch_size=1000)


def _senders(rng: random.Random, count: int) -> list[User]:
    """Demo S&T workers who send items (no password: they cannot log in), named after profiles."""
    from kejia.people.models import Person

    names = list(Person.objects.filter(user__isnull=True, status="active").order_by("pk").values_list("name", flat=True)[: count * 4])
    rng.shuffle(names)
    names = (names or ["科技工作者"])[:count]
    unusable = make_password(None)
    users = [User(username=f"{SENDER_PREFIX}{i:03d}", display_name=names[i % len(names)], password=unusable) for i in range(count)]
    User.objects.bulk_create(users, ignore_conflicts=True)
    return list(User.objects.filter(username__startswith=SENDER_PREFIX).order_by("username"))


def seed_voice(*, seed: int = DEFAULT_SEED, actor=None, today: datetime.date = ANCHOR, items: int = ITEMS) -> dict[str, int]:
    """Seed once; return what was made, by name (empty when the demo already has it)."""
    from kejia.core.audit import record_event

    if Item.objects.exists():
        return {}
    root = Organization.objects.filter(parent__isnull=True, kind=OrgKind.PROVINCIAL_ASSOCIATION).order_by("path").first()
    if root is None:
        return {}
    rng = random.Random(seed + 6006)
    within = list(Organization.objects.filter(path__startswith=root.path, status=OrgStatus.ACTIVE).order_by("path"))
    orgs = {o.pk: o for o in Organization.objects.filter(path__startswith=root.path)}
    by_kind = {
        "county": [o for o in within if o.kind == OrgKind.COUNTY_ASSOCIATION],
        "city": [o for o in within if o.kind == OrgKind.MUNICIPAL_ASSOCIATION],
        "society": [o for o in within if o.kind in SOCIETY_KINDS],
        "other": [o for o in within if o.depth >= 2 and o.kind not in SOCIETY_KINDS and o.kind != OrgKind.COUNTY_ASSOCIATION],
        "root": [root],
    }
    pools = [(k, w) for k, w in (("county", 40), ("city", 18), ("society", 22), ("other", 10), ("root", 10)) if by_kind[k]]
    roles = _Roles()
    with transaction.atomic():
        senders = _senders(rng, SENDERS)
        b = _Builder(rng, roles, orgs, today)
        for n in range(items):
            pool = rng.choices([k for k, _w in pools], [w for _k, w in pools])[0]
            if n % 20 == 0:
                b.late(sender=rng.choice(senders), org=rng.choice(by_kind[pool]))
                continue
            sent = today - datetime.timedelta(days=rng.randint(1, 120))
            b.item(sender=rng.choice(senders), org=rng.choice(by_kind[pool]), sent=sent)
        # The demo staff's own organizations (and those below them) get a share, so their inboxes have work.
        staffed = sorted(
            {r.organization_id for r in Role.objects.filter(kind=RoleKind.STAFF) if r.organization_id in orgs and orgs[r.organization_id].depth > 0}
        )
        for org_id in staffed:
            org = orgs[org_id]
            # An inactive staffed organization is not in `within`, and may have nothing active below it.
            below = [o for o in within if o.path.startswith(org.path)][:40] or [org]
            for n in range(STAFFED_ITEMS):
                target = org if n % 2 == 0 else rng.choice(below)
                if n % 6 == 5:
                    b.late(sender=rng.choice(senders), org=target)
                else:
                    b.item(sender=rng.choice(senders), org=target, sent=today - datetime.timedelta(days=rng.randint(1, 60)))
        worker = User.objects.filter(username="worker").first()
        mine = 0
        if worker is not None:
            # The demo worker's own items: one in every state the pages show.
            county = next(
                (
                    r.organization
                    for r in Role.objects.filter(user__username__endswith="_leader", kind=RoleKind.LEADER)
                    .select_related("organization")
                    .order_by("-organization__depth")
                ),
                root,
            )
            county = orgs.get(county.pk, root)
            # Waiting; answered in public and waiting for a rating; escalated; answered in private; closed.
            plan = [
                (ItemKind.SUGGESTION, 3, "open", True, False),
                (ItemKind.POLICY_QUESTION, 12, "public", True, False),
                (ItemKind.APPEAL, 40, "open", False, False),
                (ItemKind.RIGHTS, 30, "answered", False, False),
                (ItemKind.SUGGESTION, 60, "public", True, True),
            ]
            for kind, ago, fate, public, settle in plan:
                b.item(sender=worker, org=county, sent=today - datetime.timedelta(days=ago), kind=kind, fate=fate, allow_public=public, settle=settle)
                mine += 1
        b.save()
        result = {
            "items": len(b.items),
            "public answers": sum(1 for _i, a in b.answers if a.is_public),
            "answers": len(b.answers),
            "open": sum(1 for i in b.items if i.status in (ItemStatus.SUBMITTED, ItemStatus.ASSIGNED, ItemStatus.REOPENED)),
            "overdue": sum(1 for i in b.items if i.status in (ItemStatus.SUBMITTED, ItemStatus.ASSIGNED, ItemStatus.REOPENED) and i.due_on < today),
            "escalated": sum(1 for i in b.items if i.escalation_level),
            "worker's items": mine,
        }
        record_event(actor=actor, action=SEED_ACTION, obj=root, organization=root, new={"seed": seed, **result})
    return result
