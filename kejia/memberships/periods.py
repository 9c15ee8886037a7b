"""The dates of a membership's dues: the first unpaid year, the arrears, when dues ran out, the
end of the grace period, and how long a certificate issued today is valid. Read by the dues
(dues.py) and the certificates (certificates.py)."""

import datetime
from decimal import Decimal

from kejia.memberships import workflow
from kejia.memberships.choices import MembershipStatus
from kejia.memberships.models import Membership, MembershipRules

S = MembershipStatus
PAYABLE_STATUSES = (S.ACTIVE, S.LAPSED, S.SUSPENDED)


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def next_year_due(membership: Membership, today: datetime.date | None = None) -> int | None:
    """The first calendar year not yet paid (None for a class without dues)."""
    if not membership.member_class.has_dues:
        return None
    if membership.paid_through:
        return membership.paid_through.year + 1
    return (membership.joined_on or today or workflow.today()).year


def arrears(membership: Membership, today: datetime.date | None = None) -> list[tuple[int, Decimal]]:
    """The unpaid years up to this one, each at the class's dues."""
    today = today or workflow.today()
    first = next_year_due(membership, today)
    if first is None or membership.status not in PAYABLE_STATUSES:
        return []
    return [(year, membership.member_class.annual_dues) for year in range(first, today.year + 1)]


def expiry_base(membership: Membership) -> datetime.date | None:
    """The day dues ran out: paid_through, or for a member who never paid the day before joining;
    after a readmission, no earlier than the day before it."""
    if membership.paid_through:
        base = membership.paid_through
    elif membership.joined_on:
        base = membership.joined_on - datetime.timedelta(days=1)
    else:
        return None
    if membership.dues_clock_from:
        base = max(base, membership.dues_clock_from - datetime.timedelta(days=1))
    return base


def grace_ends(membership: Membership, rules: MembershipRules | None = None) -> datetime.date | None:
    base = expiry_base(membership)
    if base is None or not membership.member_class.has_dues:
        return None
    rules = rules or workflow.rules_of(membership.society)
    return base + datetime.timedelta(days=rules.grace_days)


def certificate_validity(membership: Membership, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """From when to when a certificate issued today is valid: to the end of the paid year; in
    the grace period, to its end; for a class without dues, to the end of this year."""
    today = today or workflow.today()
    start = max(membership.joined_on or today, datetime.date(today.year, 1, 1))
    if not membership.member_class.has_dues:
        return start, year_end(today.year)
    if membership.paid_through and membership.paid_through >= today:
        return start, membership.paid_through
    return start, max(grace_ends(membership) or today, today)
