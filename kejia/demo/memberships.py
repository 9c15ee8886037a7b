"""Demo memberships (`seed_demo --people N` calls `seed_memberships` once the people exist).

Every demo society gets the default classes (services.default_classes: the same data the service
creates) and its rules; the people its list names become members in the shapes the services
leave behind: most active with dues paid through this year (numbers in the society's format,
joining dates, one payment per year with unique receipt numbers), some applications in the queue
or waiting for more information, some lapsed after the grace period, a few resigned, a few units
as group members. Written in bulk with one audit event, like the rest of the demo; the demo's
"today" is `ANCHOR`. The demo S&T worker's profile (`worker`, once they link their account) holds an
active membership and an application; `soc_staff`'s society has a queue to work."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from kejia.demo.common import ANCHOR, DEFAULT_SEED, demo_worker_person
from kejia.memberships import numbering
from kejia.memberships.choices import ClassKind, MembershipStatus, PaymentMethod, PaymentStatus, Transition
from kejia.memberships.member_classes import default_classes
from kejia.memberships.models import DuesPayment, GroupRepresentative, MemberClass, Membership, MembershipEvent, MembershipRules
from kejia.organizations.kinds import SOCIETY_KINDS, OrgStatus
from kejia.organizations.models import Institution, Organization

S = MembershipStatus
SEED_ACTION = "membership.demo_seeded"
GRACE_DAYS = 90  # MembershipRules' default, which the demo keeps
GROUP_SOCIETIES = 3
QUEUE_AT_LEAST = 8
STAFF_SOCIETY_MEMBERS = 120  # soc_staff's society gets at least this many memberships, so its pages have figures
METHODS = [PaymentMethod.BANK_TRANSFER, PaymentMethod.WECHAT, PaymentMethod.ALIPAY, PaymentMethod.PAYROLL, PaymentMethod.CASH]


@dataclass
class MembershipSeed:
    societies: int = 0
    memberships: int = 0
    payments: int = 0


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


class _Builder:
    def __init__(self, rng: random.Random, today: datetime.date, actor) -> None:
        self.rng, self.today, self.actor = rng, today, actor
        self.memberships: list[Membership] = []
        self.events: list[tuple[Membership, str, str, str, datetime.date, str]] = []
        self.payments: list[DuesPayment] = []
        self.seq: dict[int, int] = defaultdict(int)
        self.receipts: dict[int, int] = defaultdict(int)

    def joined(self) -> datetime.date:
        # About 8 % joined this year; the rest spread over fifteen years.
        if self.rng.random() < 0.08:
            return self.today - datetime.timedelta(days=self.rng.randint(1, (self.today - datetime.date(self.today.year, 1, 1)).days))
        year = self.rng.randint(self.today.year - 15, self.today.year - 1)
        return datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def number(self, society: Organization, member_class: MemberClass, joined: datetime.date) -> str:
        self.seq[society.pk] += 1
        return numbering.format_number("{code}-{year}-{seq:05}", code=society.code, year=joined.year, class_code=member_class.code, seq=self.seq[society.pk])

    def pay(self, m: Membership, year: int, status: str = PaymentStatus.CONFIRMED) -> None:
        low = max(datetime.date(year, 1, 2), m.joined_on)
        high = min(datetime.date(year, 12, 30), self.today, low + datetime.timedelta(days=120))
        paid_on = low + datetime.timedelta(days=self.rng.randint(0, max((high - low).days, 0)))
        receipt = ""
        if status == PaymentStatus.CONFIRMED:
            self.receipts[m.society.pk] += 1
            receipt = f"{m.society.code}-{year}-R{self.receipts[m.society.pk]:05d}"
        self.payments.append(
            DuesPayment(
                society=m.society,
                membership=m,
                year=year,
                amount=m.member_class.annual_dues,
                paid_on=paid_on,
                method=self.rng.choice(METHODS),
                receipt_no=receipt,
                status=status,
                reference=f"TX{self.rng.randint(10**9, 10**10 - 1)}" if status == PaymentStatus.PENDING else "",
                recorded_by=self.actor if status == PaymentStatus.CONFIRMED else None,
            )
        )

    def event(self, m: Membership, transition: str, before: str, after: str, day: datetime.date, note: str = "") -> None:
        self.events.append((m, transition, before, after, day, note))

    def add(
        self,
        society: Organization,
        member_class: MemberClass,
        status: str,
        *,
        person_id: int | None = None,
        unit: Institution | None = None,
        contact_id: int | None = None,
    ) -> Membership:
        m = Membership(
            society=society,
            person_id=person_id,
            unit=unit,
            contact_person_id=contact_id,
            member_class=member_class,
            status=status,
            is_student=member_class.requires_student,
        )
        self.memberships.append(m)
        if status in (S.APPLIED, S.NEEDS_INFO):
            applied = self.today - datetime.timedelta(days=self.rng.randint(1, 45))
            m.applied_at = _at(applied)
            m.step = self.rng.randint(0, max(len(member_class.approval_steps) - 2, 0)) if status == S.APPLIED else 0
            self.event(m, Transition.APPLY, "", S.APPLIED, applied)
            if status == S.NEEDS_INFO:
                m.reason = gettext("Please upload a scan of your professional title certificate.")
                self.event(m, Transition.ASK_MORE, S.APPLIED, S.NEEDS_INFO, applied + datetime.timedelta(days=2), m.reason)
            return m
        joined = self.joined()
        if status != S.ACTIVE and joined.year >= self.today.year - 1:
            joined = datetime.date(self.today.year - 3, joined.month, min(joined.day, 28))
        m.joined_on = joined
        m.applied_at = _at(joined - datetime.timedelta(days=14))
        m.number = self.number(society, member_class, joined)
        self.event(m, Transition.APPROVE, S.APPLIED, S.ACTIVE, joined)
        dues = member_class.has_dues
        if status == S.ACTIVE:
            in_grace = (self.today - joined).days <= GRACE_DAYS
            if dues and not (in_grace and self.rng.random() < 0.5):
                m.paid_through = datetime.date(self.today.year, 12, 31)
                for year in range(max(joined.year, self.today.year - 1), self.today.year + 1):
                    self.pay(m, year)
            elif dues and self.rng.random() < 0.5:
                self.pay(m, self.today.year, PaymentStatus.PENDING)  # a reported transfer waiting for the secretary
        elif status == S.LAPSED:
            last = self.rng.choice([self.today.year - 2, self.today.year - 1])
            m.paid_through = datetime.date(last, 12, 31) if last >= joined.year else None
            if m.paid_through:
                self.pay(m, last)
            base = m.paid_through or joined - datetime.timedelta(days=1)
            m.ended_on = base + datetime.timedelta(days=GRACE_DAYS + 1)
            m.reason = gettext("Dues unpaid after the grace period")
            self.event(m, Transition.LAPSE, S.ACTIVE, S.LAPSED, m.ended_on, m.reason)
        elif status == S.RESIGNED:
            m.paid_through = datetime.date(self.today.year - 1, 12, 31) if dues else None
            if dues:
                self.pay(m, self.today.year - 1)
            m.ended_on = datetime.date(self.today.year, self.rng.randint(1, self.today.month), self.rng.randint(1, 28))
            m.reason = gettext("Moved to another field")
            self.event(m, Transition.RESIGN, S.ACTIVE, S.RESIGNED, m.ended_on, m.reason)
        return m


def _classes(societies: list[Organization]) -> dict[int, dict[str, MemberClass]]:
    rows = []
    for index, society in enumerate(societies):
        for data in default_classes():
            rows.append(MemberClass(society=society, **data))
        if index < GROUP_SOCIETIES:
            rows.append(
                MemberClass(
                    society=society,
                    code="group",
                    name=gettext("Group member"),
                    kind=ClassKind.GROUP,
                    annual_dues=Decimal("2000"),
                    approval_steps=[gettext("Secretariat check"), gettext("Council approval")],
                    rights=gettext("Send representatives to activities; take part in the society's projects."),
                    duties=gettext("Abide by the articles; pay dues; support the society's work."),
                    sort=4,
                )
            )
    MemberClass.objects.bulk_create(rows)
    out: dict[int, dict[str, MemberClass]] = defaultdict(dict)
    for item in MemberClass.objects.filter(society__in=societies):
        out[item.society_id][item.code] = item
    return out


def _pick_class(rng: random.Random, classes: dict[str, MemberClass], title_level: str) -> MemberClass:
    roll = rng.random()
    if title_level == "senior" and roll < 0.45:
        return classes["senior"]
    if title_level in ("none", "junior", "") and roll < 0.35:
        return classes["student"]
    return classes["full"]


def _status(rng: random.Random) -> str:
    roll = rng.random()
    for status, share in ((S.ACTIVE, 0.80), (S.LAPSED, 0.07), (S.RESIGNED, 0.03), (S.APPLIED, 0.07)):
        if roll < share:
            return status
        roll -= share
    return S.NEEDS_INFO


def _worker_profile() -> int | None:
    """The demo S&T worker's profile; once they link their account, the memberships page lists what is seeded for it."""
    person = demo_worker_person()
    return person.pk if person else None


def _staff_society() -> Organization | None:
    from kejia.accounts.models import Role

    role = Role.objects.filter(user__username="soc_staff", organization__kind__in=SOCIETY_KINDS).select_related("organization").first()
    return role.organization if role else None


def seed_memberships(*, seed: int = DEFAULT_SEED, actor=None, today: datetime.date = ANCHOR) -> MembershipSeed:
    """Seed once: a database that already has memberships is left as it is."""
    from kejia.core.audit import record_event
    from kejia.people.models import Listing, Person

    if Membership.objects.exists() or not Person.objects.exists():
        return MembershipSeed()
    rng = random.Random(seed + 3003)
    societies = list(Organization.objects.filter(kind__in=SOCIETY_KINDS, status=OrgStatus.ACTIVE).order_by("path"))
    if not societies:
        return MembershipSeed()
    staff_society = _staff_society()
    if staff_society is not None:  # the staff's society first: it gets a group class too
        societies.sort(key=lambda s: s.pk != staff_society.pk)
    with transaction.atomic():
        worker_person = _worker_profile()
        classes = _classes(societies)
        by_society: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for society_id, person_id, level in (
            Listing.objects.filter(organization__in=societies)
            .order_by("organization_id", "person_id")
            .values_list("organization_id", "person_id", "person__title_level")
            .distinct()
        ):
            by_society[society_id].append((person_id, level))
        b = _Builder(rng, today, actor)
        contacts: dict[int, list[int]] = defaultdict(list)
        for society in societies:
            listed = [(p, level) for p, level in by_society.get(society.pk, []) if p != worker_person]
            for person_id, level in listed:
                status = _status(rng)
                m = b.add(society, _pick_class(rng, classes[society.pk], level), status, person_id=person_id)
                if m.status == S.ACTIVE:
                    contacts[society.pk].append(person_id)
        # soc_staff's queue, and the worker's application there and membership elsewhere.
        if staff_society is not None:
            queue = sum(1 for m in b.memberships if m.society_id == staff_society.pk and m.status in (S.APPLIED, S.NEEDS_INFO))
            taken = {m.person_id for m in b.memberships if m.society_id == staff_society.pk}
            members = sum(1 for m in b.memberships if m.society_id == staff_society.pk)
            wanted = max(QUEUE_AT_LEAST - queue, 0) + max(STAFF_SOCIETY_MEMBERS - members, 0)
            spare = list(Person.objects.exclude(pk__in=taken).exclude(pk=worker_person or 0).order_by("pk").values_list("pk", "title_level")[:wanted])
            for index, (person_id, level) in enumerate(spare):
                status = S.APPLIED if index < QUEUE_AT_LEAST - queue else _status(rng)
                b.add(staff_society, _pick_class(rng, classes[staff_society.pk], level), status, person_id=person_id)
            Listing.objects.bulk_create([Listing(person_id=p, organization=staff_society) for p, _level in spare], ignore_conflicts=True)
            if worker_person:
                b.add(staff_society, classes[staff_society.pk]["full"], S.APPLIED, person_id=worker_person)
                other = next((s for s in societies if s.pk != staff_society.pk), None)
                if other is not None:
                    b.add(other, classes[other.pk]["full"], S.ACTIVE, person_id=worker_person)
        # A few units as group members, their contact an active member of the society.
        units = list(Institution.objects.filter(is_large=True).order_by("pk")[: GROUP_SOCIETIES * 3])
        groups = []
        for index, society in enumerate(societies[:GROUP_SOCIETIES]):
            for unit in units[index * 3 : (index + 1) * 3]:
                if contacts[society.pk]:
                    contact = rng.choice(contacts[society.pk])
                    groups.append((b.add(society, classes[society.pk]["group"], S.ACTIVE, unit=unit, contact_id=contact), contact))
        Membership.objects.bulk_create(b.memberships, batch_size=2000)
        GroupRepresentative.objects.bulk_create([GroupRepresentative(membership=m, person_id=contact, role=gettext("Contact person")) for m, contact in groups])
        created_at = MembershipEvent._meta.get_field("created_at")
        created_at.auto_now_add = False  # the events carry the days they stand for, not the seed's
        try:
            MembershipEvent.objects.bulk_create(
                [
                    MembershipEvent(
                        membership=m,
                        transition=t,
                        from_status=before,
                        to_status=after,
                        note=note,
                        created_at=_at(day),
                        actor=actor if t != Transition.APPLY else None,
                    )
                    for m, t, before, after, day, note in b.events
                ],
                batch_size=2000,
            )
        finally:
            created_at.auto_now_add = True
        DuesPayment.objects.bulk_create(b.payments, batch_size=2000)
        MembershipRules.objects.bulk_create([MembershipRules(society=s, next_seq=b.seq[s.pk] + 1) for s in societies])
        result = MembershipSeed(societies=len(societies), memberships=len(b.memberships), payments=len(b.payments))
        root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
        record_event(
            actor=actor,
            action=SEED_ACTION,
            obj=root,
            organization=root,
            new={"seed": seed, "societies": result.societies, "memberships": result.memberships, "payments": result.payments},
        )
    return result
