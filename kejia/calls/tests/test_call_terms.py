"""The terms of a call after its creation: a draft's terms are edited (update_call), a published
call's deadline is extended with a reason (extend_deadline) — both by the owner's staff only,
audited, and refused in the other states."""

import datetime

import pytest
from django.utils import timezone

from kejia.calls import services
from kejia.calls.choices import CallStatus
from kejia.calls.tests.conftest import DEADLINE
from kejia.core.errors import DomainError, IllegalTransition, NotFound
from kejia.core.models import AuditEvent


def test_extend_deadline_is_the_owners_only(calls):
    later = DEADLINE + datetime.timedelta(days=3)
    with pytest.raises(NotFound):
        services.extend_deadline(calls.call, actor=calls.recommender, deadline=later, reason="维护")
    calls.call.refresh_from_db()
    assert calls.call.deadline == DEADLINE


def test_extend_deadline_of_a_draft_or_closed_call_is_refused(calls):
    later = DEADLINE + datetime.timedelta(days=3)
    services.close_call(calls.call, actor=calls.owner)
    with pytest.raises(IllegalTransition):
        services.extend_deadline(calls.call, actor=calls.owner, deadline=later, reason="维护")


def test_extend_deadline_needs_an_aware_time(calls):
    with pytest.raises(DomainError) as exc:
        services.extend_deadline(calls.call, actor=calls.owner, deadline=datetime.datetime(2030, 1, 1), reason="维护")
    assert exc.value.field == "deadline"


def test_extend_deadline_is_audited_with_the_old_and_new_time(calls):
    later = timezone.now() + datetime.timedelta(days=3)  # later than the present deadline, and in the future
    services.extend_deadline(calls.call, actor=calls.owner, deadline=later, reason="系统维护")
    event = AuditEvent.objects.get(action="calls.extend_deadline", object_id=str(calls.call.pk))
    assert event.new["reason"] == "系统维护" and event.old["deadline"] and event.new["deadline"]


def test_update_call_edits_a_draft_only(calls):
    draft = services.create_call_from_template(calls.cast, actor=calls.owner, template="local_reform_pilot", deadline=DEADLINE)
    terms = {"title": "新标题", "deadline": DEADLINE, "min_amount": "100000", "max_amount": "200000", "quota_per_recommender": 1, "reference": draft.reference}
    draft = services.update_call(draft, actor=calls.owner, **terms)
    assert draft.title == "新标题" and draft.quota_per_recommender == 1 and draft.status == CallStatus.DRAFT
    event = AuditEvent.objects.get(action="calls.update_call", object_id=str(draft.pk))
    assert set(event.new) == {"title", "min_amount", "max_amount", "quota_per_recommender"}
    with pytest.raises(IllegalTransition):
        services.update_call(calls.call, actor=calls.owner, **terms)  # published
    with pytest.raises(NotFound):
        services.update_call(draft, actor=calls.t.worker, **terms)
