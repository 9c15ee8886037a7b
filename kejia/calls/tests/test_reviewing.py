"""The calls' bridge to the stored review: a round from the applications under review, its
conflict facts, and the review meeting recorded from the round's ranking."""

import datetime

import pytest

from kejia.calls import reviewing
from kejia.calls.choices import ApplicationStatus as S
from kejia.calls.tests.conftest import fixed_pairs, reviewers_for
from kejia.core.errors import DomainError
from kejia.people.models import Listing, Person
from kejia.review import services as review
from kejia.review.models import Assignment, ScoreSheet

pytestmark = pytest.mark.django_db
DEADLINE = datetime.datetime(2030, 6, 30, tzinfo=datetime.UTC)


def test_open_review_builds_items_with_facts_and_blind_titles(under_review):
    calls, apps = under_review
    team_member = Person.objects.create(name="钱七", willing_to_review=True)
    Listing.objects.create(person=team_member, organization=calls.t.nj, role="member")
    round_ = reviewing.open_review(calls.call, actor=calls.owner, blind=True, per_item=2, max_load=2, score_deadline=DEADLINE, candidates_per_item=50)
    assert round_.subject == f"calls.call:{calls.call.pk}" and round_.owner == calls.cast and round_.blind
    assert round_.candidates_per_item == 50
    items = list(round_.items.order_by("pk"))
    assert [i.ref for i in items] == [f"calls.application:{a.pk}" for a in apps]
    assert items[0].title == "申报书 1" or items[0].title.endswith("1")
    assert "南京" not in items[0].title and items[0].applicant_name == "南京市科学技术协会"
    assert items[0].applicant_org == calls.t.nj and items[0].recommender_org == calls.t.js
    assert "试点内容" in items[0].text and "内容" in items[0].text
    assert items[0].people == [team_member.pk] and "南京市科学技术协会" in items[0].employers
    with pytest.raises(DomainError) as e:
        reviewing.open_review(calls.call, actor=calls.owner)
    assert e.value.code == "round_exists"
    with pytest.raises(DomainError):
        reviewing.open_review(calls.call, actor=calls.t.nj_staff)


def test_the_applicants_own_people_are_never_assigned(under_review):
    calls, apps = under_review
    reviewers = reviewers_for(calls, 4)
    Listing.objects.create(person=reviewers[0], organization=calls.t.nj, role="staff")
    round_ = reviewing.open_review(calls.call, actor=calls.owner, per_item=2, max_load=2, score_deadline=DEADLINE)
    for p in reviewers:
        review.respond(review.invite(round_, p, actor=calls.owner), actor=p.user, accept=True)
    review.run_assignment(round_, actor=calls.owner, affinity=lambda t, pairs: {pair: 9.0 if pair[1] == reviewers[0].pk else 0.1 for pair in pairs})
    nj_item = round_.items.get(ref=f"calls.application:{apps[0].pk}")
    assert not Assignment.objects.filter(item=nj_item, person=reviewers[0]).exists()
    assert Assignment.objects.filter(person=reviewers[0]).count() == 1  # the other item


def test_close_review_records_the_meeting_with_score_and_rank(under_review):
    calls, apps = under_review
    reviewers = reviewers_for(calls, 4)
    round_ = reviewing.open_review(calls.call, actor=calls.owner, per_item=2, max_load=1, score_deadline=DEADLINE)
    for p in reviewers:
        review.respond(review.invite(round_, p, actor=calls.owner), actor=p.user, accept=True)
    review.run_assignment(round_, actor=calls.owner, affinity=fixed_pairs)
    review.start_scoring(round_, actor=calls.owner)
    with pytest.raises(DomainError) as e:
        reviewing.close_review(calls.call, actor=calls.owner, minutes="会评")
    assert e.value.code == "items_unscored"
    values = {f"calls.application:{apps[0].pk}": 6, f"calls.application:{apps[1].pk}": 9}
    for sheet in ScoreSheet.objects.filter(assignment__round=round_).select_related("assignment__item", "assignment__person"):
        v = values[sheet.assignment.item.ref]
        review.save_sheet(
            sheet,
            actor=sheet.assignment.person.user,
            scores=dict.fromkeys(("innovation", "feasibility", "demonstration", "groundwork"), v),
            comments="意见",
            submit=True,
        )
    with pytest.raises(DomainError) as e:
        reviewing.close_review(calls.call, actor=calls.owner, minutes=" ")
    assert e.value.code == "reason_required"
    out = reviewing.close_review(calls.call, actor=calls.owner, minutes="会评纪要")
    by_pk = {a.pk: a for a in out}
    assert by_pk[apps[1].pk].rank == 1 and by_pk[apps[1].pk].score == pytest.approx(90.0)
    assert by_pk[apps[0].pk].rank == 2 and by_pk[apps[0].pk].score == pytest.approx(60.0)
    assert all(a.status == S.REVIEWED for a in out)
    round_.refresh_from_db()
    assert round_.status == "closed"


def test_open_review_through_the_api(under_review):
    from kejia.organizations.tests.test_api import Api

    calls, apps = under_review
    api = Api(calls.t, calls.owner)
    response = api.post(
        f"/api/calls/{calls.call.pk}/review", {"blind": True, "per_item": 2, "max_load": 2, "score_deadline": DEADLINE.isoformat(), "candidates_per_item": 40}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == f"calls.call:{calls.call.pk}" and body["blind"] and body["status"] == "open"
    assert body["candidates_per_item"] == 40
    assert api.post(f"/api/calls/{calls.call.pk}/review", {}).status_code == 409
    response = api.post(f"/api/calls/{calls.call.pk}/review/close", {"minutes": "纪要"})
    assert response.status_code == 409 and response.json()["code"] == "round_state"
    assert Api(calls.t, calls.applicant).post(f"/api/calls/{calls.call.pk}/review", {}).status_code == 404
