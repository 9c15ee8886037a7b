"""Membership figures: one society's (members by class and status, new, lapsed, net growth against
the 3–10 % target band of seed 003 三.1, dues collected against dues due) and an overview of every
society in a user's scope, computed with a handful of grouped queries whatever the number of
societies.

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
from kejia.memberships.models import DEFAULT_GROWTH_BANDS, DuesPayment, MemberClass, Membership, MembershipEvent, MembershipRules
from kejia.memberships.selectors import visible_societies

S = MembershipStatus
# Seed 003 三.1: 确保不同规模学会年度动态新增会员 3%—10%以上.
BAND = [3, 10]
ENDING = (Transition.LAPSE, Transition.RESIGN, Transition.TERMINATE)
ZERO = Decimal("0.00")


def target_rate(bands: list | None, size: int) -> int:
    """The growth target (%) of a society of `size` members: the last band whose lower bound it reaches."""
    target = None
    for lower, pct in bands or DEFAULT_GROWTH_BANDS:
        if size >= lower:
            target = pct
    return int(target if target is not None else (bands or DEFAULT_GROWTH_BANDS)[0][1])


def _rate(part, whole) -> float | None:
    return round(100 * float(part) / float(whole), 1) if whole else None


def _at_start(start: datetime.date) -> Q:
    """Memberships that were current on `start` (see the module note)."""
    joined_before = Q(joined_on__lt=start) | Q(joined_on__isnull=True, imported=True, created_at__date__lt=start)
    return Q(status__in=MEMBER_STATUSES) & joined_before & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


def _growth(*, start: int, active: int, due: Decimal | None, collected: Decimal | None, bands) -> dict[str, Any]:
    net = active - start
    rate = _rate(net, start)
    target = target_rate(bands, start)
    due, collected = (due or ZERO).quantize(ZERO), (collected or ZERO).quantize(ZERO)
    return {"members_at_start": start, "active_now": active, "net_growth": net, "growth_rate": rate, "target_rate": target,
            "band": list(BAND), "on_target": None if rate is None else rate >= target,
            "dues_due": due, "dues_collected": collected, "dues_rate": _rate(collected, due)}


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
    by_class = [{"id": c.pk, "code": c.code, "name": c.name, "annual_dues": c.annual_dues, "counts": counts.get(c.pk, {})}
                for c in MemberClass.objects.filter(society=society)]
    agg = members.aggregate(
        new=Count("id", filter=Q(status__in=MEMBER_STATUSES, joined_on__gte=start, joined_on__lte=end)),
        at_start=Count("id", filter=_at_start(start)),
        due=Sum("member_class__annual_dues", filter=Q(status=S.ACTIVE, member_class__annual_dues__gt=0)),
    )
    events = (MembershipEvent.objects.filter(membership__society=society, transition__in=ENDING,
                                             created_at__date__gte=start, created_at__date__lte=end)
              .aggregate(lapsed=Count("membership", filter=Q(transition=Transition.LAPSE), distinct=True),
                         ended=Count("membership", distinct=True)))
    collected = DuesPayment.objects.filter(society=society, year=year, status=PaymentStatus.CONFIRMED).aggregate(s=Sum("amount"))["s"]
    bands = MembershipRules.objects.filter(society=society).values_list("growth_bands", flat=True).first()
    return {
        "society": {"id": society.pk, "code": society.code, "name": society.name},
        "year": year,
        "by_class": by_class,
        "totals": totals,
        "new_this_year": agg["new"],
        "lapsed_this_year": events["lapsed"],
        "ended_this_year": events["ended"],
        **_growth(start=agg["at_start"], active=totals.get(S.ACTIVE, 0), due=agg["due"], collected=collected, bands=bands),
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
    rows = list(societies.values("id", "code", "name", "path", "kind"))
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    counts: dict[int, dict[str, int]] = {}
    for row in Membership.objects.filter(society_id__in=ids).values("society_id", "status").annotate(n=Count("id")).order_by():
        counts.setdefault(row["society_id"], {})[row["status"]] = row["n"]
    sums = {row["society_id"]: row for row in Membership.objects.filter(society_id__in=ids).values("society_id").annotate(
        at_start=Count("id", filter=_at_start(start)),
        new=Count("id", filter=Q(status__in=MEMBER_STATUSES, joined_on__gte=start, joined_on__lte=datetime.date(year, 12, 31))),
        due=Sum("member_class__annual_dues", filter=Q(status=S.ACTIVE, member_class__annual_dues__gt=0))).order_by()}
    collected = dict(DuesPayment.objects.filter(society_id__in=ids, year=year, status=PaymentStatus.CONFIRMED)
                     .values("society_id").annotate(s=Sum("amount")).order_by().values_list("society_id", "s"))
    bands = dict(MembershipRules.objects.filter(society_id__in=ids).values_list("society_id", "growth_bands"))
    out = []
    for row in rows:
        sid = row["id"]
        by_status = counts.get(sid, {})
        agg = sums.get(sid, {})
        out.append({
            "society": {"id": sid, "code": row["code"], "name": row["name"], "kind": row["kind"]},
            "year": year,
            "counts": by_status,
            "members": sum(by_status.get(s, 0) for s in MEMBER_STATUSES),
            "applicants_waiting": sum(by_status.get(s, 0) for s in PENDING_STATUSES),
            "new_this_year": agg.get("new", 0),
            **_growth(start=agg.get("at_start", 0), active=by_status.get(S.ACTIVE, 0), due=agg.get("due"), collected=collected.get(sid),
                      bands=bands.get(sid)),
        })
    return out
