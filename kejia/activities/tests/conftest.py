"""Fixtures of the activities tests: an event factory on the shared tree, and S&T workers with
linked profiles. Times are relative to the real clock (the pages use it); services take `now=`."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

DAY = datetime.timedelta(days=1)


def make_person(tree, *, name="李明", org=None, user=None, **kw):
    from kejia.people.services import create_person

    kw.setdefault("birth_date", datetime.date(1985, 3, 9))
    person = create_person(actor=tree.platform, organization=org or tree.lx, name=name, **kw)
    if user is not None:
        person.user = user
        person.save(update_fields=["user"])
    return person


def make_user(tree, username: str, *, person_org=None, name: str = ""):
    """An S&T worker's account with a linked profile."""
    from kejia.accounts.services import create_user

    user = create_user(actor=tree.platform, username=username, password=tree.password, display_name=username, check_password=False)
    make_person(tree, name=name or f"用户{username}", org=person_org or tree.lx, user=user)
    return user


def make_event(tree, *, org=None, publish=True, start_in=DAY * 10, hours=3, title="人工智能学术沙龙", kind="salon", **kw):
    from kejia.activities import services

    start = timezone.now().replace(microsecond=0) + start_in
    kw.setdefault("region", tree.regions["320102"])
    kw.setdefault("address", "玄武大道 1 号")
    event = services.create_event(
        org or tree.xw, actor=tree.platform, kind=kind, title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **kw
    )
    if publish:
        event = services.publish_event(event, actor=tree.platform, now=start - DAY * 20)
    event.refresh_from_db()
    return event


@pytest.fixture
def people(tree):
    """The worker's own profile (listed by LX) and two more accounts with profiles."""
    worker_person = make_person(tree, name="王工", user=tree.worker)
    return SimpleNamespace(worker=worker_person, a=make_user(tree, "alice"), b=make_user(tree, "bob"), c=make_user(tree, "carol"))
