"""Membership figures: one society's (members by class and status; new members of the year over the
members at its start against the 3 %–10 % target of seed 003 三.1, net growth beside it; full-time
staff against members for comprehensive demonstration societies, seed 003 三.3; dues collected
against dues due) and an overview of every society in a user's scope, computed with a handful of
grouped queries whatever the number of societies.

Targets are whole percentages and compared exactly: n new members of s at the start reach t % when
100·n ≥ t·s (以上 includes the number itself).

Members at the start of the year are reconstructed from `joined_on` and `ended_on`: a membership
counts when it was joined before 1 January and had not ended before it. This is an approximation:
a renewal or readmission clears `ended_on`, so a member who lapsed last year and renewed this year
counts as a member on 1 January; a suspension does not end a membership; an imported member
without a joining date counts from the day the row was created."""

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from kejia.memberships.choices import MEMBER_STATUSES, PENDING_STATUSES, MembershipStatus, PaymentStatus, Transition
from kejia.memberships.models import (
    DEFAULT_GROWTH_BANDS,
    DEFAULT_STAFF_BANDS,
    DuesPayment,
    MemberClass,
    Membership,
    MembershipEvent,
    MembershipRules,
)
from kejia.memberships.selectors import visible_societies
from kejia.organizations.kinds import SocietyClass

S = MembershipStatus
# Seed 003 三.1: 确保不同规模学会年度动态新增会员 3%—10%以上 (the span the size bands move in).
BAND = [3, 10]
# Seed 003 三.3: 不同规模综合示范学会专职人员比例应达会员数的1%—5%以上.
STAFF_BAND = [1, 5]
ENDING = (Transition.LAPSE, Transition.RESIGN, Transition.TERMINATE)
ZERO = Decimal("0.00")


def target_rate(bands: list | None, size: int, default: list = DEFAULT_GROWTH_BANDS) -> int:
    """The target (%) of a society of `size` members: the last band whose lower bound it reaches."""
    target = None
    for lower, pct in bands or default:
        if size >= lower:
            target = pct
    return int(target if target is not None else (bands or default)[0][1])


def reaches(part: int, whole: int, pct: int) -> bool | None:
    """Whether `part` of `whole` reaches `pct` % — in integers, the number itself included."""
    return None if not whole else 100 * part >= pct * whole


def _rate(part, whole) -> float | None:
    return round(100 * float(part) / float(whole), 1) if whole else None


def _at_start(start: datetime.date) -> Q:
    """Memberships that were current on `start` (see the module note)."""
    joined_before = Q(joined_on__lt=start) | Q(joined_on__isnull=True, imported=True, created_at__date__lt=start)
    return Q(status__in=MEMBER_STATUSES) & joined_before & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


def _growth(*, start: int, active: int, new: int, due: Decimal | None, collected: Decimal | None, bands) -> dict[str, Any]:
    net = active - start
    target = target_rate(bands, start)
    due, collected = (due or ZERO).quantize(ZERO), (collected or ZERO).quantize(ZERO)
    return {
        "members_at_start": start,
        "active_now": active,
        "new_this_year": new,
        "new_rate": _rate(new, start),
        "target_rate": target,
        "band": list(BAND),
        "on_target": reaches(new, start, target),
        "net_growth": net,
        "growth_rate": _rate(net, start),
        "dues_due": due,
        "dues_collected": collected,
        "dues_rate": _rate(collected, due),
    }


def _staff(*, society_class: str, staff: int, active: int, bands) -> dict[str, Any]:
    """Full-time staff against active members: judged only for comprehensive demonstration societies."""
    applies = society_class == SocietyClass.DEMONSTRATION
    target = target_rate(bands, active, DEFAULT_STAFF_BANDS)
    return {
        "staff_rule_applies": applies,
        "fulltime_staff": staff,
        "staff_rate": _rate(staff, active),
        "staff_target": target,
        "staff_band": list(STAFF_BAND),
        "staff_on_target": reaches(staff, active, target) if applies else None,
    }


def society_figures(society, *, today: datetime.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    year = today.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    members = Membership.objects.filter(society=society)
    counts: dict[int, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in members.values("member_class_id", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["member_class_id"], {})[row["status"]] = row["n"]
        totals[row["status"]] = totals.get(row["status"], 0) + row["n"]
    by_class = [
        {"id": c.pk, "code": c.code, "name": c.name, "annual_dues": c.annual_dues, "counts": counts.get(c.pk, {})}
        for c in MemberClass.objects.filter(society=society)
    ]
    agg = members.aggregate(
        new=Count("id", filter=Q(status__in=MEMBER_STATUSES, joined_on__gte=start, joined_on__lte=end)),
        at_start=Count("id", filter=_at_start(start)),
        due=Sum("member_class__annual_dues", filter=Q(status=S.ACTIVE, member_class__annual_dues__gt=0)),
    )
    events = MembershipEvent.objects.filter(
        membership__society=society, transition__in=ENDING, created_at__date__gte=start, created_at__date__lte=end
    ).aggregate(lapsed=Count("membership", filter=Q(transition=Transition.LAPSE), distinct=True), ended=Count("membership", distinct=True))
    collected = DuesPayment.objects.filter(society=society, year=year, status=PaymentStatus.CONFIRMED).aggregate(s=Sum("amount"))["s"]
    bands, staff_bands = MembershipRules.objects.filter(society=society).values_list("growth_bands", "staff_bands").first() or (None, None)
    return {
        "society": {"id": society.pk, "code": society.code, "name": society.name},
        "year": year,
        "by_class": by_class,
        "totals": totals,
        "lapsed_this_year": events["lapsed"],
        "ended_this_year": events["ended"],
        **_growth(start=agg["at_start"], active=totals.get(S.ACTIVE, 0), new=agg["new"], due=agg["due"], collected=collected, bands=bands),
        **_staff(society_class=society.society_class, staff=society.fulltime_staff, active=totals.get(S.ACTIVE, 0), bands=staff_bands),
        "applicants_waiting": sum(totals.get(s, 0) for s in PENDING_STATUSES),
    }


def societies_overview(user, *, root=None, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """One row per society in the user's scope (under `root` when given), from six queries."""
    today = today or timezone.localdate()
    year = today.year
    start = datetime.date(year, 1, 1)
    societies = visible_societies(user)
    if root is not None:
        societies = societies.filter(path__descends=root.path)
    rows = list(societies.values("id", "code", "name", "path", "kind", "society_class", "fulltime_staff"))
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    counts: dict[int, dict[str, int]] = {}
    for row in Membership.objects.filter(society_id__in=ids).values("society_id", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["society_id"], {})[row["status"]] = row["n"]
    sums = {
        row["society_id"]: row
        for row in Membership.objects.filter(society_id__in=ids)
        .values("society_id")
        .annotate(
            at_start=Count("id", filter=_at_start(start)),
            new=Count("id", filter=Q(status__in=MEMBER_STATUSES, joined_on__gte=start, joined_on__lte=datetime.date(year, 12, 31))),
            due=Sum("member_class__annual_dues", filter=Q(status=S.ACTIVE, member_class__annual_dues__gt=0)),
        )
        .order_by()
    }
    collected = dict(
        DuesPayment.objects.filter(society_id__in=ids, year=year, status=PaymentStatus.CONFIRMED)
        .values("society_id")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("society_id", "s")
    )
    bands = {sid: (g, st) for sid, g, st in MembershipRules.objects.filter(society_id__in=ids).values_list("society_id", "growth_bands", "staff_bands")}
    out = []
    for row in rows:
        sid = row["id"]
        by_status = counts.get(sid, {})
        agg = sums.get(sid, {})
        out.append(
            {
                "society": {"id": sid, "code": row["code"], "name": row["name"], "kind": row["kind"]},
                "year": year,
                "counts": by_status,
                "members": sum(by_status.get(s, 0) for s in MEMBER_STATUSES),
                "applicants_waiting": sum(by_status.get(s, 0) for s in PENDING_STATUSES),
                **_growth(
                    start=agg.get("at_start", 0),
                    active=by_status.get(S.ACTIVE, 0),
                    new=agg.get("new", 0),
                    due=agg.get("due"),
                    collected=collected.get(sid),
                    bands=bands.get(sid, (None, None))[0],
                ),
                **_staff(
                    society_class=row["society_class"], staff=row["fulltime_staff"], active=by_status.get(S.ACTIVE, 0), bands=bands.get(sid, (None, None))[1]
                ),
            }
        )
    return out
