"""What every part of the demo shares: its constants and a few small helpers."""

import datetime

DEFAULT_SEED = 20261123
DEFAULT_ORGS = 2500
MIN_ORGS = 200
DEMO_PASSWORD = "kejia-demo-2026"
# The demo's "today", fixed so that a seed gives the same dates whatever day it runs.
ANCHOR = datetime.date(2026, 11, 23)
SEED_ACTION = "organization.demo_seeded"


def stem(name: str, suffixes: tuple[str, ...] = ("市", "区", "县")) -> str:
    """A place name without its administrative suffix (南京市 → 南京), unless that leaves one character."""
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def org_code_check(body: str) -> str:
    """GB 11714 check character of the 8-character organization code inside a USCC."""
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def demo_worker_person():
    """The demo S&T worker's profile (people.Person) or None: the linked one, else the record the
    people seed made with the worker's name and phone (linking the account is a step the demo
    shows, so the seed does not link it)."""
    from kejia.accounts.models import User
    from kejia.core import pii
    from kejia.people.models import Person

    user = User.objects.filter(username="worker").first()
    if user is None:
        return None
    person = Person.objects.filter(user=user).first()
    if person is None and user.phone_sealed:
        person = (
            Person.objects.filter(name=user.display_name, phone_hash=pii.blind_index(pii.decrypt(user.phone_sealed)), status="active").order_by("pk").first()
        )
    return person
