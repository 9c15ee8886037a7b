import datetime

import pytest

from kejia.calls import workflow
from kejia.calls.choices import APPLICATION_TRANSITIONS, Transition
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.models import ApplicationEvent
from kejia.calls.services import create_application, save_draft
from kejia.calls.tests.conftest import AFTER_ANNOUNCEMENT, BEFORE, DEADLINE, complete_answers, walk_to
from kejia.core.errors import DomainError, IllegalTransition, PermissionDenied, ValidationFailed
from kejia.core.models import AuditEvent, Notice
from kejia.core.testing import worlds
from kejia.review.scoring import ApplicationResult

# conftest's tree built once for the module; each test runs in a savepoint (kejia/core/testing/worlds.py).
_world, db, tree = worlds.shared_tree()


def test_submit_application_by_applicant_before_deadline(calls, draft):
    application = workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    assert application.status == S.SUBMITTED
    assert application.attested_by == calls.applicant and application.attested_at == BEFORE
    assert ApplicationEvent.objects.filter(application=application, transition="submit").exists()
    assert AuditEvent.objects.filter(action="calls.submit", object_id=str(application.pk)).exists()
    assert Notice.objects.filter(user=calls.recommender, kind="calls").exists()


@pytest.mark.parametrize("seconds, ok", [(-1, True), (0, True), (1, False)])
def test_submit_application_deadline_in_shanghai_time(calls, draft, seconds, ok):
    now = DEADLINE + datetime.timedelta(seconds=seconds)
    assert DEADLINE.astimezone(datetime.UTC) == datetime.datetime(2020, 6, 10, 15, 59, 59, tzinfo=datetime.UTC)
    if ok:
        assert workflow.submit_application(draft, actor=calls.applicant, attest=True, now=now).status == S.SUBMITTED
    else:
        with pytest.raises(DomainError) as caught:
            workflow.submit_application(draft, actor=calls.applicant, attest=True, now=now)
        assert caught.value.code == "deadline_passed"
        draft.refresh_from_db()
        assert draft.status == S.DRAFT


def test_submit_application_after_deadline_refused_with_real_clock(calls, draft):
    with pytest.raises(DomainError) as caught:  # the call closed in 2020
        workflow.submit_application(draft, actor=calls.applicant, attest=True)
    assert caught.value.code == "deadline_passed"


def test_submit_application_empty_field_refused_and_named(calls, draft):
    data = complete_answers()
    data["team"][0]["employer"] = ""
    save_draft(draft, actor=calls.applicant, data=data, now=BEFORE)
    with pytest.raises(ValidationFailed) as caught:
        workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    assert "team.1.employer" in caught.value.errors
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.attested_at is None


def test_submit_application_without_attestation_refused(calls, draft):
    with pytest.raises(DomainError) as caught:
        workflow.submit_application(draft, actor=calls.applicant, attest=False, now=BEFORE)
    assert caught.value.code == "attestation_required"


@pytest.mark.parametrize("who", ["recommender", "owner", "sibling"])
def test_submit_application_by_others_refused(calls, draft, who):
    actor = {"recommender": calls.recommender, "owner": calls.owner, "sibling": calls.t.wx_staff}[who]
    with pytest.raises(PermissionDenied):
        workflow.submit_application(draft, actor=actor, attest=True, now=BEFORE)


def test_recommend_application_by_the_province(calls, draft):
    application = walk_to(calls, draft, S.RECOMMENDED)
    assert application.recommender == calls.t.js


def test_recommend_application_by_applicant_refused(calls, draft):
    application = walk_to(calls, draft, S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        workflow.recommend_application(application, actor=calls.applicant, now=BEFORE)


def test_recommend_application_after_deadline_refused(calls, draft):
    application = walk_to(calls, draft, S.SUBMITTED)
    with pytest.raises(DomainError) as caught:
        workflow.recommend_application(application, actor=calls.recommender, now=DEADLINE + datetime.timedelta(seconds=1))
    assert caught.value.code == "deadline_passed"


def test_recommend_application_quota_per_recommender(calls, draft):
    walk_to(calls, draft, S.RECOMMENDED)
    second = create_application(calls.call, actor=calls.recommender, applicant=calls.t.js, now=BEFORE)
    save_draft(second, actor=calls.recommender, data=complete_answers(), now=BEFORE)
    assert second.recommender == calls.t.js  # a provincial pilot recommends itself
    workflow.submit_application(second, actor=calls.recommender, attest=True, now=BEFORE)
    workflow.recommend_application(second, actor=calls.recommender, now=BEFORE)
    third = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, now=BEFORE)
    save_draft(third, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)
    workflow.submit_application(third, actor=calls.t.wx_staff, attest=True, now=BEFORE)
    with pytest.raises(DomainError) as caught:
        workflow.recommend_application(third, actor=calls.recommender, now=BEFORE)
    assert caught.value.code == "quota_reached"


def test_return_to_applicant_needs_reason_and_allows_resubmission(calls, draft):
    application = walk_to(calls, draft, S.SUBMITTED)
    with pytest.raises(DomainError) as caught:
        workflow.return_to_applicant(application, actor=calls.recommender, reason=" ")
    assert caught.value.code == "reason_required"
    application = workflow.return_to_applicant(application, actor=calls.recommender, reason="补充工作基础")
    assert application.status == S.RETURNED and application.last_reason == "补充工作基础"
    assert workflow.submit_application(application, actor=calls.applicant, attest=True, now=BEFORE).status == S.SUBMITTED


def test_return_for_correction_only_while_the_call_is_open(calls, draft):
    application = walk_to(calls, draft, S.RECOMMENDED)
    with pytest.raises(DomainError) as caught:
        workflow.return_for_correction(application, actor=calls.owner, reason="缺盖章", now=DEADLINE + datetime.timedelta(days=1))
    assert caught.value.code == "deadline_passed"
    application = workflow.return_for_correction(application, actor=calls.owner, reason="缺盖章", now=BEFORE)
    assert application.status == S.RETURNED


def test_formal_check_by_recommender_refused(calls, draft):
    application = walk_to(calls, draft, S.RECOMMENDED)
    with pytest.raises(PermissionDenied):
        workflow.accept_application(application, actor=calls.recommender)


def test_refuse_application_at_formal_check(calls, draft):
    application = walk_to(calls, draft, S.RECOMMENDED)
    application = workflow.refuse_application(application, actor=calls.owner, reason="材料不全")
    assert application.status == S.INADMISSIBLE
    with pytest.raises(IllegalTransition):
        workflow.accept_application(application, actor=calls.owner)


def test_record_review_meeting_ranks_every_application_under_review(calls, draft):
    application = walk_to(calls, draft, S.UNDER_REVIEW)
    with pytest.raises(DomainError):
        workflow.record_review_meeting(calls.call, actor=calls.owner, minutes="纪要", results=[])
    workflow.record_review_meeting(calls.call, actor=calls.owner, minutes="会评纪要", results=[ApplicationResult(application.pk, 3, 88.5, 0.7, 0.2, False)])
    application.refresh_from_db()
    assert application.status == S.REVIEWED
    assert (application.rank, application.score) == (1, 88.5)
    calls.call.refresh_from_db()
    assert calls.call.meeting_minutes == "会评纪要"


def test_objection_upheld_takes_the_application_out(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    objection = workflow.record_objection(application, actor=calls.owner, text="材料失实", now=application.announced_until)
    with pytest.raises(DomainError) as caught:
        workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    assert caught.value.code == "objections_open"
    workflow.handle_objection(objection, actor=calls.owner, upheld=True, resolution="经核实属实")
    application.refresh_from_db()
    assert application.status == S.NOT_SELECTED


def test_record_objection_after_announcement_refused(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    with pytest.raises(IllegalTransition):
        workflow.record_objection(application, actor=calls.owner, text="x", now=application.announced_until + datetime.timedelta(seconds=1))


def test_approve_application_during_announcement_refused(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    with pytest.raises(DomainError) as caught:
        workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=application.announced_until)
    assert caught.value.code == "announcement_open"


@pytest.mark.parametrize("amount", ["299999.99", "400000.01"])
def test_approve_application_amount_outside_range_refused(calls, draft, amount):
    application = walk_to(calls, draft, S.ANNOUNCED)
    with pytest.raises(DomainError) as caught:
        workflow.approve_application(application, actor=calls.owner, amount=amount, starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    assert caught.value.code == "amount_out_of_range"


def test_approve_application_creates_project_with_tranches(calls, draft):
    application = walk_to(calls, draft, S.ANNOUNCED)
    project = workflow.approve_application(application, actor=calls.owner, amount="350000.01", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    assert project.tranches == [{"amount": "175000.00", "gate": "approval"}, {"amount": "175000.01", "gate": "midterm_passed"}]
    assert project.ends_on == datetime.date(2021, 6, 30)
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_approve_application_over_budget_refused(calls, draft):
    calls.call.budget = 300000
    calls.call.save()
    application = walk_to(calls, draft, S.ANNOUNCED)
    with pytest.raises(DomainError) as caught:
        workflow.approve_application(application, actor=calls.owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT)
    assert caught.value.code == "over_budget"


# Every transition refused from every state it does not start from (the table drives the test).
def _mover(calls, transition):
    owner, reason = calls.owner, "理由"
    return {
        Transition.SUBMIT: lambda a: workflow.submit_application(a, actor=calls.applicant, attest=True, now=BEFORE),
        Transition.WITHDRAW: lambda a: workflow.withdraw_application(a, actor=calls.applicant),
        Transition.RECOMMEND: lambda a: workflow.recommend_application(a, actor=calls.recommender, now=BEFORE),
        Transition.RETURN_TO_APPLICANT: lambda a: workflow.return_to_applicant(a, actor=calls.recommender, reason=reason),
        Transition.ACCEPT: lambda a: workflow.accept_application(a, actor=owner),
        Transition.RETURN_FOR_CORRECTION: lambda a: workflow.return_for_correction(a, actor=owner, reason=reason, now=BEFORE),
        Transition.REFUSE: lambda a: workflow.refuse_application(a, actor=owner, reason=reason),
        Transition.SELECT: lambda a: workflow.select_application(a, actor=owner),
        Transition.REJECT: lambda a: workflow.reject_application(a, actor=owner),
        Transition.ANNOUNCE: lambda a: workflow.announce_application(a, actor=owner, now=BEFORE),
        Transition.APPROVE: lambda a: workflow.approve_application(
            a, actor=owner, amount="350000", starts_on=datetime.date(2020, 7, 1), now=AFTER_ANNOUNCEMENT
        ),
    }[transition]


WALKABLE = [S.DRAFT, S.SUBMITTED, S.RECOMMENDED, S.UNDER_REVIEW, S.REVIEWED, S.SELECTED, S.ANNOUNCED]
TABLE = [t for t in APPLICATION_TRANSITIONS if t not in (Transition.RANK, Transition.UPHOLD_OBJECTION)]


def _fresh(calls):
    application = create_application(calls.call, actor=calls.applicant, applicant=calls.t.nj, now=BEFORE)
    return save_draft(application, actor=calls.applicant, data=complete_answers(), now=BEFORE)


@pytest.mark.parametrize("transition", TABLE)
def test_transition_refused_from_every_wrong_state(calls, transition):
    calls.call.quota_per_recommender = None
    calls.call.save()
    for state in [s for s in WALKABLE if s not in APPLICATION_TRANSITIONS[transition][0]]:
        application = _fresh(calls)
        if state != S.DRAFT:
            # one application under review at a time, so the meeting ranks just this one
            application = walk_to(calls, application, state)
        with pytest.raises(IllegalTransition) as caught:
            _mover(calls, transition)(application)
        assert caught.value.code == "illegal_transition" and caught.value.status == 409, (transition, state)
        application.refresh_from_db()
        assert application.status == state
        application.status = S.WITHDRAWN  # out of the way of the next walk
        application.save()


@pytest.mark.parametrize("transition", TABLE)
def test_transition_allowed_from_its_start_state(calls, draft, transition):
    start = next(s for s in WALKABLE if s in APPLICATION_TRANSITIONS[transition][0])
    application = draft if start == S.DRAFT else walk_to(calls, draft, start)
    _mover(calls, transition)(application)
    application.refresh_from_db()
    assert application.status == APPLICATION_TRANSITIONS[transition][1]


def test_withdraw_by_owner_refused(calls, draft):
    with pytest.raises(PermissionDenied):
        workflow.withdraw_application(draft, actor=calls.owner)


def test_call_for_individuals_goes_straight_to_the_owner(calls):
    from kejia.calls.services import create_call, install_form, publish_call
    from kejia.calls.tests.conftest import DEADLINE

    spec_form = install_form("local_reform_pilot")
    call = create_call(
        calls.cast, actor=calls.owner, title="个人项目", deadline=DEADLINE, form=spec_form, min_amount="0", max_amount="50000", eligibility="individuals"
    )
    call = publish_call(call, actor=calls.owner)
    application = create_application(call, actor=calls.t.worker, now=BEFORE)
    assert application.applicant_user == calls.t.worker and application.recommender is None
    save_draft(application, actor=calls.t.worker, data=complete_answers(), now=BEFORE)
    with pytest.raises(PermissionDenied):
        save_draft(application, actor=calls.t.wx_staff, data={}, now=BEFORE)
    application = workflow.submit_application(application, actor=calls.t.worker, attest=True, now=BEFORE)
    with pytest.raises(PermissionDenied):
        workflow.recommend_application(application, actor=calls.recommender, now=BEFORE)
    application = workflow.recommend_application(application, actor=calls.owner, now=BEFORE)  # the owner's receipt
    assert application.status == S.RECOMMENDED
    assert Notice.objects.filter(user=calls.t.worker, kind="calls").exists() is False  # nothing came back to the person yet
    application = workflow.return_for_correction(application, actor=calls.owner, reason="补充材料", now=BEFORE)
    assert Notice.objects.filter(user=calls.t.worker, kind="calls").exists()


def test_create_call_refuses_a_naive_deadline_and_a_bad_plan(calls):
    from kejia.calls.services import create_call, install_form

    form = install_form("local_reform_pilot")
    with pytest.raises(DomainError) as caught:
        create_call(calls.cast, actor=calls.owner, title="x", deadline=datetime.datetime(2020, 6, 10), form=form, min_amount=1, max_amount=2)
    assert caught.value.field == "deadline"
    with pytest.raises(DomainError) as caught:
        create_call(
            calls.cast,
            actor=calls.owner,
            title="x",
            deadline=DEADLINE,
            form=form,
            min_amount=1,
            max_amount=2,
            tranches=[{"share": "60", "gate": "approval"}, {"share": "30", "gate": "midterm_passed"}],
        )
    assert caught.value.field == "tranches"
    with pytest.raises(DomainError) as caught:
        create_call(calls.cast, actor=calls.owner, title="x", deadline=DEADLINE, form=form, min_amount=3, max_amount=2)
    assert caught.value.field == "min_amount"
    with pytest.raises((PermissionDenied, DomainError)):
        create_call(calls.cast, actor=calls.recommender, title="x", deadline=DEADLINE, form=form, min_amount=1, max_amount=2)
