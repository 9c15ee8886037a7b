"""The stored review: invitations, conflicts (never assigned, also not by a swap), the assignment,
score sheets, reminders, closing, results and the credibility record."""

import datetime

import pytest

from kejia.core.errors import DomainError, NotFound, PermissionDenied
from kejia.core.models import AuditEvent, Notice
from kejia.people.models import Listing
from kejia.review import selectors, services
from kejia.review.models import Assignment, Invitation, InvitationStatus, RoundStatus, ScoreSheet
from kejia.review.tests.conftest import DEADLINE, assigned, fixed_affinity, full_scores, invite_all, scoring_round

pytestmark = pytest.mark.django_db


def _pairs(rw):
    return set(Assignment.objects.filter(round=rw.round).values_list("item_id", "person_id"))


def test_invitations_accept_and_decline_with_a_reason(rw):
    with pytest.raises(DomainError) as e:
        services.invite(rw.round, rw.unwilling, actor=rw.owner)
    assert e.value.code == "not_willing"
    inv = services.invite(rw.round, rw.reviewers[0], actor=rw.owner)
    with pytest.raises(DomainError) as e:
        services.invite(rw.round, rw.reviewers[0], actor=rw.owner)
    assert e.value.code == "already_invited"
    with pytest.raises(NotFound):
        services.invite(rw.round, rw.reviewers[1], actor=rw.t.nj_staff)  # not the owner's staff
    with pytest.raises(PermissionDenied):
        services.respond(inv, actor=rw.reviewers[1].user, accept=True)
    with pytest.raises(DomainError) as e:
        services.respond(inv, actor=rw.reviewers[0].user, accept=False)
    assert e.value.code == "reason_required"
    inv = services.respond(inv, actor=rw.reviewers[0].user, accept=False, reason="出差")
    assert inv.status == InvitationStatus.DECLINED and inv.reason == "出差"
    with pytest.raises(DomainError) as e:
        services.respond(inv, actor=rw.reviewers[0].user, accept=True)
    assert e.value.code == "already_answered" and e.value.status == 409
    assert AuditEvent.objects.filter(action="review.decline_invitation").count() == 1
    assert Notice.objects.filter(user=rw.owner, kind="review").exists()


def test_assignment_gives_k_reviewers_within_loads_from_those_who_accepted(rw):
    for person in rw.reviewers[:5]:
        services.respond(services.invite(rw.round, person, actor=rw.owner), actor=person.user, accept=True)
    services.invite(rw.round, rw.reviewers[5], actor=rw.owner)  # never answers
    rows = services.run_assignment(rw.round, actor=rw.owner, affinity=fixed_affinity())
    assert len(rows) == 6
    per_item = {i.pk: Assignment.objects.filter(item=i).count() for i in rw.items}
    assert set(per_item.values()) == {2}
    loads = [Assignment.objects.filter(person=p).count() for p in rw.reviewers]
    assert max(loads) <= 2 and loads[5] == 0
    assert ScoreSheet.objects.filter(assignment__round=rw.round).count() == 6
    rw.round.refresh_from_db()
    assert rw.round.status == RoundStatus.ASSIGNING
    assert AuditEvent.objects.filter(action="review.run_assignment").exists()


def test_conflicted_pairs_are_never_assigned_even_with_the_best_affinity(rw):
    r0, r1, r2 = rw.reviewers[:3]
    item1, item2, item3 = rw.items
    Listing.objects.create(person=r0, organization=rw.t.nj, role="staff")  # one of NJ's own people
    services.declare_relation(r1, r2, actor=r1.user, kind="师生")
    item2.people = [r2.pk]
    item2.save()
    rw.Achievement.objects.create(person=r2, kind="paper", title="科协改革研究", year=2024)
    r3 = rw.reviewers[3]
    rw.Achievement.objects.create(person=r3, kind="paper", title="科协 改革研究", year=2024)  # the same work
    r4 = rw.reviewers[4]
    r4.employer_name = "南京大学"
    r4.save()
    item3.employers = ["南京 大学"]
    item3.save()
    best = {(item1.pk, r0.pk): 9.0, (item2.pk, r1.pk): 9.0, (item2.pk, r3.pk): 9.0, (item2.pk, r2.pk): 9.0, (item3.pk, r4.pk): 9.0}
    assigned(rw, fixed_affinity(best))
    pairs = _pairs(rw)
    conflicted = {(item1.pk, r0.pk), (item2.pk, r1.pk), (item2.pk, r2.pk), (item2.pk, r3.pk), (item3.pk, r4.pk)}
    assert not pairs & conflicted
    found = services.find_conflicts(rw.round, rw.items, [p.pk for p in rw.reviewers])
    assert {c.rule for c in found[(item1.pk, r0.pk)]} == {"applicant_organization"}
    assert {c.rule for c in found[(item2.pk, r1.pk)]} == {"declared_relation"}
    assert {c.rule for c in found[(item2.pk, r3.pk)]} == {"co_author"}
    assert {c.rule for c in found[(item3.pk, r4.pk)]} == {"same_employer"}

    # A swap into a conflicted pair is refused too, and writes nothing.
    a = Assignment.objects.filter(item=item1).first()
    before = (_pairs(rw), AuditEvent.objects.count())
    with pytest.raises(DomainError) as e:
        services.swap(a, actor=rw.owner, new_person=r0, affinity=fixed_affinity())
    assert e.value.code in ("conflicted_pair", "already_assigned", "load_exceeded")
    assert (_pairs(rw), AuditEvent.objects.count()) == before


def test_swap_checks_conflicts_loads_and_the_pool(rw):
    assigned(rw)
    item1 = rw.items[0]
    a = Assignment.objects.filter(item=item1).first()
    free = [p for p in rw.reviewers if Assignment.objects.filter(person=p).count() < 2 and not Assignment.objects.filter(item=item1, person=p).exists()]
    assert free
    # Make the free reviewer conflicted: one of NJ's own people. Refused.
    Listing.objects.create(person=free[0], organization=rw.t.nj, role="leader")
    with pytest.raises(DomainError) as e:
        services.swap(a, actor=rw.owner, new_person=free[0], affinity=fixed_affinity())
    assert e.value.code == "conflicted_pair"
    Listing.objects.filter(person=free[0], organization=rw.t.nj, role="leader").delete()
    with pytest.raises(DomainError) as e:
        services.swap(a, actor=rw.owner, new_person=rw.unwilling, affinity=fixed_affinity())
    assert e.value.code == "not_in_pool"
    with pytest.raises(NotFound):
        services.swap(a, actor=rw.t.nj_staff, new_person=free[0])
    new = services.swap(a, actor=rw.owner, new_person=free[0], affinity=fixed_affinity())
    assert new.manual and new.person == free[0] and not Assignment.objects.filter(pk=a.pk).exists()
    assert AuditEvent.objects.filter(action="review.swap").count() == 1


def test_a_self_declared_conflict_blocks_the_sheet_and_the_pair(rw):
    scoring_round(rw)
    a = Assignment.objects.filter(item=rw.items[0]).select_related("person").first()
    services.declare_conflict(a, actor=a.person.user, reason="曾合作")
    with pytest.raises(DomainError) as e:
        services.save_sheet(a.sheet, actor=a.person.user, scores=full_scores())
    assert e.value.code == "conflict_declared"
    found = services.find_conflicts(rw.round, [rw.items[0]], [a.person_id])
    assert (rw.items[0].pk, a.person_id) in found


def test_score_sheet_validation(rw):
    assigned(rw)
    a = Assignment.objects.select_related("person", "sheet").first()
    user = a.person.user
    with pytest.raises(DomainError) as e:  # not yet scoring
        services.save_sheet(a.sheet, actor=user, scores=full_scores())
    assert e.value.code == "round_state"
    services.start_scoring(rw.round, actor=rw.owner)
    with pytest.raises(PermissionDenied):
        services.save_sheet(a.sheet, actor=rw.reviewers[-1].user if rw.reviewers[-1] != a.person else rw.reviewers[0].user, scores={})
    sheet = services.save_sheet(a.sheet, actor=user, scores={"innovation": "7.5"}, comments="草稿")
    assert sheet.scores == {"innovation": 7.5} and sheet.submitted_at is None
    for scores, code, field in (
        ({"innovation": 11, **{k: 5 for k in ("feasibility", "demonstration", "groundwork")}}, "invalid_score", "innovation"),
        ({"innovation": 5}, "missing_score", "feasibility"),
        ({**full_scores(), "novelty": 3}, "unknown_criterion", "novelty"),
        ({**full_scores(), "groundwork": "abc"}, "invalid_score", "groundwork"),
    ):
        with pytest.raises(DomainError) as e:
            services.save_sheet(a.sheet, actor=user, scores=scores, comments="意见", submit=True)
        assert (e.value.code, e.value.field) == (code, field)
    with pytest.raises(DomainError) as e:
        services.save_sheet(a.sheet, actor=user, scores=full_scores(), comments=" ", submit=True)
    assert e.value.code == "comments_required"
    sheet = services.save_sheet(a.sheet, actor=user, scores=full_scores(9), comments="很好", submit=True)
    assert sheet.submitted_at is not None and sheet.total == pytest.approx(90.0)
    with pytest.raises(DomainError) as e:
        services.save_sheet(a.sheet, actor=user, scores=full_scores(), comments="改", submit=True)
    assert e.value.code == "sheet_submitted"


def test_start_scoring_needs_a_deadline_and_full_panels(rw):
    assigned(rw)
    type(rw.round).objects.filter(pk=rw.round.pk).update(score_deadline=None)
    with pytest.raises(DomainError) as e:
        services.start_scoring(rw.round, actor=rw.owner)
    assert e.value.code == "deadline_required"
    services.set_deadline(rw.round, actor=rw.owner, score_deadline=DEADLINE)
    services.start_scoring(rw.round, actor=rw.owner)
    assert Notice.objects.filter(user=rw.reviewers[0].user, kind="review").exists()


def test_reminders_once_per_sheet_within_the_window(rw):
    scoring_round(rw)
    first = ScoreSheet.objects.select_related("assignment__person").first()
    services.save_sheet(first, actor=first.assignment.person.user, scores=full_scores(), comments="好", submit=True)
    assert services.send_reminders(now=DEADLINE - datetime.timedelta(days=5)) == 0  # before the window (3 days)
    from kejia.review.tasks import review_reminders_task

    assert review_reminders_task.call((DEADLINE - datetime.timedelta(days=2)).isoformat()) == 5
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("review_reminders", "--json", now=(DEADLINE - datetime.timedelta(days=1)).isoformat(), stdout=out)
    assert out.getvalue().strip() == '{"reminded": 0}'  # once
    assert services.send_reminders(now=DEADLINE + datetime.timedelta(days=1)) == 0  # past the deadline
    reminded = Notice.objects.filter(subject__contains="试点项目评审", kind="review", user=first.assignment.person.user)
    assert ScoreSheet.objects.filter(reminded_at__isnull=False).count() == 5
    assert reminded.exists()


def _score_all(rw, late=(), values=None):
    for sheet in ScoreSheet.objects.filter(assignment__round=rw.round).select_related("assignment__person"):
        v = (values or {}).get(sheet.assignment.person_id, 6 + sheet.assignment.item_id % 3)
        now = DEADLINE + datetime.timedelta(days=1) if sheet.assignment.person_id in late else DEADLINE - datetime.timedelta(days=1)
        services.save_sheet(sheet, actor=sheet.assignment.person.user, scores=full_scores(v), comments="意见", submit=True, now=now)


def test_close_results_and_credibility(rw):
    scoring_round(rw)
    # The late reviewer is one the assignment gave items to (which one depends on the database's
    # order among equal affinities: not always the first).
    slow = next(p for p in rw.reviewers if Assignment.objects.filter(round=rw.round, person=p).exists())
    late = {slow.pk}
    _score_all(rw, late=late)
    services.close_round(rw.round, actor=rw.owner)
    results = selectors.results(rw.round)
    assert [r.rank for r in results] == [1, 2, 3] and all(r.reviews == 2 for r in results)
    services.record_conflict_found(rw.items[0], rw.reviewers[1], actor=rw.owner, reason="事后发现同单位")
    decliner = rw.unwilling
    decliner.willing_to_review = True
    decliner.save()
    records = selectors.credibility([p.pk for p in rw.reviewers])
    r0 = records[slow.pk]
    assert r0.sheets_due == Assignment.objects.filter(person=slow).count() > 0 and r0.on_time == 0 and r0.on_time_rate == 0.0
    assert records[rw.reviewers[1].pk].conflicts_found_after == 1
    others = [records[p.pk] for p in rw.reviewers if p.pk != slow.pk and records[p.pk].sheets_due]
    assert all(r.on_time_rate == 1.0 for r in others)
    assert all(r.deviation is not None for r in records.values() if r.sheets_due)
    assert AuditEvent.objects.filter(action="review.record_conflict").exists()


def test_credibility_filter_keeps_late_reviewers_out(rw):
    scoring_round(rw)
    slow = next(p for p in rw.reviewers if Assignment.objects.filter(round=rw.round, person=p).exists())
    late = {slow.pk}
    _score_all(rw, late=late)
    services.close_round(rw.round, actor=rw.owner)
    Invitation.objects.filter(person=slow).update(status=InvitationStatus.DECLINED)
    assert selectors.credibility([slow.pk])[slow.pk].declined == 1
    second = services.create_round(rw.t.js, actor=rw.owner, title="第二轮", per_item=1, max_load=3, min_on_time_rate=0.8)
    services.add_item(second, actor=rw.owner, ref="x:1", title="甲", text="改革")
    for person in rw.reviewers:
        services.respond(services.invite(second, person, actor=rw.owner), actor=person.user, accept=True)
    assert slow.pk not in services.pool(second)
    assert set(services.pool(second)) == {p.pk for p in rw.reviewers if p.pk != slow.pk}


def test_assignment_with_the_search_affinity(rw):
    """Without a stand-in the affinity is kejia.search.affinity.score_pairs (setting REVIEW_AFFINITY)."""
    invite_all(rw)
    rows = services.run_assignment(rw.round, actor=rw.owner)
    assert len(rows) == 6 and all(0.0 <= r.affinity <= 1.0 for r in rows)
    assert any(r.affinity > 0 for r in rows)


def test_items_only_while_open_and_unique(rw):
    with pytest.raises(DomainError) as e:
        services.add_item(rw.round, actor=rw.owner, ref="test.item:1", title="重复")
    assert e.value.code == "duplicate_item"
    assigned(rw)
    with pytest.raises(DomainError) as e:
        services.add_item(rw.round, actor=rw.owner, ref="test.item:9", title="晚了")
    assert e.value.code == "round_state"


def test_the_person_agrees_to_review_and_joins_the_pool(rw):
    from kejia.accounts.services import create_user
    from kejia.people.services import set_willing_to_review

    user = create_user(actor=rw.t.platform, username="newexpert", password=rw.t.password, check_password=False)
    person = rw.unwilling
    person.user = user
    person.save()
    with pytest.raises(NotFound):
        set_willing_to_review(person, actor=rw.t.worker, willing=True)
    person = set_willing_to_review(person, actor=user, willing=True)
    assert person.willing_to_review
    assert AuditEvent.objects.filter(action="person.willing_to_review", object_id=str(person.pk)).exists()
    services.invite(rw.round, person, actor=rw.owner)


def test_local_rounds_bar_the_same_area_and_the_recommenders_people(rw):
    """With the same-area rule (a local call), a reviewer listed in the applicant's subtree is
    conflicted; the recommending organization's own people always are."""
    local = services.create_round(
        rw.t.js,
        actor=rw.owner,
        title="市级试点评审",
        per_item=1,
        max_load=3,
        conflict_rules={"rules": ["same_subtree", "recommending_organization"], "subtree_depth": 2},
    )
    item = services.add_item(local, actor=rw.owner, ref="x:1", title="玄武试点", applicant_org=rw.t.xw, recommender_org=rw.t.nj)
    r_qh, r_wx, r_nj = rw.reviewers[2], rw.reviewers[1], rw.reviewers[0]  # listed at QH (under NJ), WX, NJ (as an expert)
    Listing.objects.create(person=r_nj, organization=rw.t.nj, role="staff")
    found = services.find_conflicts(local, [item], [r_qh.pk, r_wx.pk, r_nj.pk])
    assert {c.rule for c in found[(item.pk, r_qh.pk)]} == {"same_subtree"}
    assert (item.pk, r_wx.pk) not in found
    assert "recommending_organization" in {c.rule for c in found[(item.pk, r_nj.pk)]}
    for person in (r_qh, r_wx, r_nj):
        services.respond(services.invite(local, person, actor=rw.owner), actor=person.user, accept=True)
    services.run_assignment(local, actor=rw.owner, affinity=fixed_affinity({(item.pk, r_qh.pk): 5.0, (item.pk, r_nj.pk): 5.0}))
    assert list(Assignment.objects.filter(round=local).values_list("person_id", flat=True)) == [r_wx.pk]
