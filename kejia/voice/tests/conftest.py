"""Fixtures of the voice tests: the shared federation (`tree`) plus a leader of NJ with a title,
a linked profile for the S&T worker, a second sender, and a fake clock (`at`)."""

import datetime

import pytest
from django.utils import timezone

from kejia.accounts.models import RoleKind
from kejia.accounts.services import create_user, grant_role


def at(day: str, hour: int = 10) -> datetime.datetime:
    """A moment on a local day (the fake clock the services take as `now`)."""
    return timezone.make_aware(datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour)))


@pytest.fixture(autouse=True)
def default_deadline_rules(db):
    """The defaults migration 0002 ships; a transactional test elsewhere in the same worker
    (the activities concurrency test, the browser tests) flushes them."""
    from kejia.voice.deadlines import load_default_rules
    from kejia.voice.models import DeadlineRule

    load_default_rules(DeadlineRule)


@pytest.fixture
def voice(tree):
    from kejia.people import services as people_services

    w = tree
    w.nj_leader = create_user(actor=w.platform, username="nj_leader", password=w.password, display_name="南京领导", check_password=False)
    grant_role(w.nj_leader, actor=w.platform, organization=w.nj, kind=RoleKind.LEADER, title="副主席")
    w.other_sender = create_user(actor=w.platform, username="other", password=w.password, display_name="另一位科技工作者", check_password=False)
    person = people_services.create_person(actor=w.platform, organization=w.xw, name="王科技", birth_date=datetime.date(1985, 3, 1))
    w.worker.display_name = "赵工程师"
    w.worker.save(update_fields=["display_name"])
    person.user = w.worker
    person.save(update_fields=["user"])
    w.worker_person = person
    return w


@pytest.fixture
def send(voice):
    """Send an item as the worker (or `actor`) to XW (or `to`) on a given day."""
    from kejia.voice import services

    def make(
        *,
        actor=None,
        to=None,
        kind="suggestion",
        title="建议增加青年科技人才项目",
        body="希望增加面向基层青年科技工作者的项目。",
        allow_public=True,
        day="2026-11-23",
    ):
        return services.send_item(
            actor=actor or voice.worker, organization=to or voice.xw, kind=kind, title=title, body=body, allow_public=allow_public, now=at(day)
        )

    return make
