"""Fixtures of the home tests: published events of the shared tree's organizations, made with the
activities services, and the S&T worker's linked profile."""

import datetime

import pytest
from django.utils import timezone

from kejia.memberships.tests.conftest import make_person


def make_event(tree, org, title, *, days=10, publish=True, audience="public", **kw):
    from kejia.activities import services

    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    kw.setdefault("region", org.region)
    kw.setdefault("address", "活动中心")
    event = services.create_event(
        org, actor=tree.platform, kind="salon", title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=2), audience=audience, **kw
    )
    return services.publish_event(event, actor=tree.platform) if publish else event


@pytest.fixture
def worker_person(tree):
    person = make_person(tree, name="李明", user=tree.worker)
    person.region = tree.regions["320102002"]
    person.save(update_fields=["region"])
    return person


def waiting_survey(tree, *, org=None, title="科技工作者状况调查"):
    """An open survey of `org` (default the society) asking the people it lists — the worker's
    profile made by `make_person` is listed by the society — one single-choice question."""
    from kejia.surveys import distribution, services

    org = org or tree.soc
    actor = tree.platform
    survey = services.create_survey(org, actor=actor, title=title)
    services.add_question(survey, actor=actor, kind="single", text="您对本会服务满意吗？", options="满意\n一般\n不满意", required=True)
    distribution.add_target(survey, actor=actor, kind="members", organization=org.pk)
    services.publish_survey(survey, actor=actor)
    return survey
