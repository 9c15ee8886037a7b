"""Scope of expert review, through the API and the pages. `MATRIX_ROUTES` names the routes with an
object id for the route guard in kejia/organizations/tests/test_scope_matrix.py.

The owner's staff (and the platform administrator) run the round; a reviewer sees their own
invitations and assigned items only, the other reviewers' scores of those items only once the
round is closed, and no applicant name in a blind round; everyone else gets a 404 with nothing
written."""

import pytest
from django.test import Client

from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api
from kejia.review import services
from kejia.review.models import Assignment, Invitation, ReviewRound, ScoreSheet
from kejia.review.tests.conftest import assigned, fixed_affinity, full_scores

pytestmark = pytest.mark.django_db

MATRIX_ROUTES: list[str] = [
    "review:invitation",
    "review:sheet",
    "review:round",
    "GET /api/review/rounds/{id}",
    "POST /api/review/rounds/{id}/invitations",
    "POST /api/review/invitations/{id}/accept",
    "POST /api/review/invitations/{id}/decline",
    "POST /api/review/rounds/{id}/assignment",
    "GET /api/review/rounds/{id}/assignments",
    "POST /api/review/assignments/{id}/swap",
    "POST /api/review/rounds/{id}/start-scoring",
    "POST /api/review/rounds/{id}/close",
    "GET /api/review/sheets/{id}",
    "PUT /api/review/sheets/{id}",
    "POST /api/review/sheets/{id}/conflict",
    "GET /api/review/rounds/{id}/results",
    "GET /api/review/rounds/{id}/credibility",
    "POST /api/review/rounds/{id}/conflicts",
]

OUTSIDERS = ("nj_staff", "wx_staff", "county_staff", "society_secretary", "worker")


def _state():
    return (
        AuditEvent.objects.filter(action__startswith="review.").count(),
        list(Assignment.objects.order_by("pk").values_list("pk", "person_id")),
        list(ScoreSheet.objects.order_by("pk").values_list("pk", "scores", "submitted_at")),
        list(ReviewRound.objects.order_by("pk").values_list("pk", "status")),
        list(Invitation.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.fixture
def scoring(rw):
    assigned(rw)
    services.start_scoring(rw.round, actor=rw.owner)
    return rw


def _reviewer_of(rw, item, other=False):
    ids = set(Assignment.objects.filter(item=item).values_list("person_id", flat=True))
    return next(p for p in rw.reviewers if (p.pk in ids) != other)


@pytest.mark.parametrize("actor", ["owner", "platform", "reviewer", *OUTSIDERS])
def test_owner_endpoints(scoring, actor):
    rw = scoring
    user = {"owner": rw.owner, "platform": rw.t.platform, "reviewer": rw.reviewers[0].user}.get(actor) or getattr(rw.t, actor)
    api = Api(rw.t, user)
    r = rw.round.pk
    owner = actor in ("owner", "platform")
    assert api.get(f"/api/review/rounds/{r}").status_code == (200 if owner or actor == "reviewer" else 404)
    for url in (f"/api/review/rounds/{r}/assignments", f"/api/review/rounds/{r}/credibility", f"/api/review/rounds/{r}/results"):
        assert api.get(url).status_code == (200 if owner else 404), url
    a = Assignment.objects.filter(item=rw.items[0]).first()
    free = next(p for p in rw.reviewers if not Assignment.objects.filter(item=rw.items[0], person=p).exists())
    before = _state()
    for url, body in (
        (f"/api/review/rounds/{r}/invitations", {"person_id": rw.unwilling.pk}),
        (f"/api/review/rounds/{r}/assignment", {}),
        (f"/api/review/rounds/{r}/start-scoring", {}),
        (f"/api/review/assignments/{a.pk}/swap", {"person_id": free.pk}),
    ):
        response = api.post(url, body)
        if owner:
            assert response.status_code in (200, 400, 409), (url, response.content)
        else:
            assert response.status_code == 404, url
            assert _state() == before
    response = api.post(f"/api/review/rounds/{r}/conflicts", {"item_id": rw.items[0].pk, "person_id": rw.reviewers[1].pk, "reason": "事后发现"})
    assert response.status_code == (200 if owner else 404), response.content
    if not owner:
        assert _state() == before
    else:
        assert api.get(f"/api/review/rounds/{r}/credibility").json()
    response = api.post(f"/api/review/rounds/{r}/close")
    assert response.status_code == (200 if owner else 404)
    if not owner:
        assert _state() == before
    assert api.get("/api/review/rounds/987654321").status_code == 404


def test_owner_runs_the_round_through_the_api(rw):
    api = Api(rw.t, rw.owner)
    response = api.post(f"/api/review/rounds/{rw.round.pk}/invitations", {"person_id": rw.unwilling.pk})
    assert response.status_code == 400 and response.json()["code"] == "not_willing"
    for person in rw.reviewers:
        response = api.post(f"/api/review/rounds/{rw.round.pk}/invitations", {"person_id": person.pk})
        assert response.status_code == 200, response.content
        services.respond(Invitation.objects.get(pk=response.json()["id"]), actor=person.user, accept=True)
    page = Client()
    page.force_login(rw.owner)
    assert page.post(f"/review/rounds/{rw.round.pk}/", {"action": "invite", "person": rw.unwilling.pk}).status_code == 400
    from django.test import override_settings

    with override_settings(REVIEW_AFFINITY="kejia.review.tests.test_scope.stand_in"):
        response = api.post(f"/api/review/rounds/{rw.round.pk}/assignment")
    assert response.status_code == 200, response.content
    rows = response.json()
    assert len(rows) == 6 and {r["item_id"] for r in rows} == {i.pk for i in rw.items}
    listed = api.get(f"/api/review/rounds/{rw.round.pk}/assignments").json()
    assert listed["count"] == 6
    # a swap into a conflicted pair: 400 conflicted_pair, nothing written
    target = rows[0]
    item = next(i for i in rw.items if i.pk == target["item_id"])
    free = [p for p in rw.reviewers if Assignment.objects.filter(person=p).count() < 2 and not Assignment.objects.filter(item=item, person=p).exists()]
    from kejia.people.models import Listing

    Listing.objects.create(person=free[0], organization=item.applicant_org, role="staff")
    before = _state()
    response = api.post(f"/api/review/assignments/{target['id']}/swap", {"person_id": free[0].pk})
    assert response.status_code == 400 and response.json()["code"] == "conflicted_pair"
    assert _state() == before
    assert api.post(f"/api/review/rounds/{rw.round.pk}/start-scoring").status_code == 200
    credibility = api.get(f"/api/review/rounds/{rw.round.pk}/credibility").json()
    assert {c["person_id"] for c in credibility} == {p.pk for p in rw.reviewers}


def stand_in(texts, pairs):
    return fixed_affinity()(texts, pairs)


def test_a_reviewer_sees_only_what_is_assigned(scoring):
    rw = scoring
    item = rw.items[0]
    mine = Assignment.objects.filter(item=item).select_related("person").first()
    me = mine.person
    not_mine = Assignment.objects.exclude(person=me).first()
    api = Api(rw.t, me.user)
    listed = api.get("/api/review/sheets").json()
    assert {s["id"] for s in listed["items"]} == set(Assignment.objects.filter(person=me).values_list("pk", flat=True))
    assert api.get(f"/api/review/sheets/{mine.pk}").status_code == 200
    before = _state()
    for call in (
        lambda: api.get(f"/api/review/sheets/{not_mine.pk}"),
        lambda: api.put(f"/api/review/sheets/{not_mine.pk}", {"scores": full_scores(), "comments": "x", "submit": True}),
        lambda: api.post(f"/api/review/sheets/{not_mine.pk}/conflict", {"reason": "x"}),
    ):
        assert call().status_code == 404
    assert _state() == before
    # the owner reads sheets through the assignments list, not as a reviewer
    assert Api(rw.t, rw.owner).get(f"/api/review/sheets/{mine.pk}").status_code == 404
    response = api.put(f"/api/review/sheets/{mine.pk}", {"scores": {"innovation": 12}, "comments": ""})
    assert response.status_code == 400 and response.json()["code"] == "invalid_score"
    response = api.put(f"/api/review/sheets/{mine.pk}", {"scores": full_scores(), "comments": "好", "submit": True})
    assert response.status_code == 200 and response.json()["submitted_at"]
    response = api.put(f"/api/review/sheets/{mine.pk}", {"scores": full_scores(), "comments": "好", "submit": True})
    assert response.status_code == 409


def test_other_scores_only_after_the_round_is_closed(scoring):
    rw = scoring
    for sheet in ScoreSheet.objects.select_related("assignment__person"):
        services.save_sheet(sheet, actor=sheet.assignment.person.user, scores=full_scores(5 + sheet.pk % 5), comments="意见", submit=True)
    a = Assignment.objects.filter(item=rw.items[0]).select_related("person").first()
    api = Api(rw.t, a.person.user)
    assert api.get(f"/api/review/sheets/{a.pk}").json()["others"] == []
    assert api.get(f"/api/review/rounds/{rw.round.pk}/results").status_code == 404
    services.close_round(rw.round, actor=rw.owner)
    body = api.get(f"/api/review/sheets/{a.pk}").json()
    assert len(body["others"]) == 1 and "name" not in body["others"][0]
    results = api.get(f"/api/review/rounds/{rw.round.pk}/results").json()
    assert {r["item_id"] for r in results} == set(Assignment.objects.filter(person=a.person).values_list("item_id", flat=True))
    outsider = (
        next(p for p in rw.reviewers if not Assignment.objects.filter(person=p).exists())
        if any(not Assignment.objects.filter(person=p).exists() for p in rw.reviewers)
        else None
    )
    if outsider is not None:
        assert Api(rw.t, outsider.user).get(f"/api/review/rounds/{rw.round.pk}/results").status_code == 404
    assert Api(rw.t, rw.t.worker).get(f"/api/review/rounds/{rw.round.pk}/results").status_code == 404


@pytest.mark.parametrize("blind", [True, False])
def test_blind_rounds_hide_the_applicant(rw, blind):
    ReviewRound.objects.filter(pk=rw.round.pk).update(blind=blind)
    assigned(rw)
    services.start_scoring(rw.round, actor=rw.owner)
    a = Assignment.objects.filter(item=rw.items[0]).select_related("person").first()
    body = Api(rw.t, a.person.user).get(f"/api/review/sheets/{a.pk}").json()
    assert body["item"]["applicant_name"] == ("" if blind else "南京市科协")
    client = Client()
    client.force_login(a.person.user)
    page = client.get(f"/review/sheets/{a.pk}/")
    assert page.status_code == 200
    assert ("南京市科协" in page.content.decode()) is (not blind)
    owner_page = Client()
    owner_page.force_login(rw.owner)
    assert "南京市科协" in owner_page.get(f"/review/rounds/{rw.round.pk}/").content.decode()


def test_invitations_answer_only_by_the_invited(rw):
    inv = services.invite(rw.round, rw.reviewers[0], actor=rw.owner)
    before = _state()
    for user in (rw.reviewers[1].user, rw.owner, rw.t.platform, rw.t.worker):
        api = Api(rw.t, user)
        assert api.post(f"/api/review/invitations/{inv.pk}/accept").status_code == 404
        assert api.post(f"/api/review/invitations/{inv.pk}/decline", {"reason": "忙"}).status_code == 404
        assert api.get("/api/review/invitations").json()["count"] == 0
        c = Client()
        c.force_login(user)
        assert c.post(f"/review/invitations/{inv.pk}/", {"action": "accept"}).status_code == 404
    assert _state() == before
    me = Api(rw.t, rw.reviewers[0].user)
    assert me.get("/api/review/invitations").json()["count"] == 1
    assert me.get(f"/api/review/rounds/{rw.round.pk}").status_code == 200
    response = me.post(f"/api/review/invitations/{inv.pk}/decline", {"reason": ""})
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert me.post(f"/api/review/invitations/{inv.pk}/decline", {"reason": "出差"}).json()["status"] == "declined"
    assert me.post(f"/api/review/invitations/{inv.pk}/accept").status_code == 409


@pytest.mark.parametrize("actor", ["owner", "platform", "reviewer", "other_reviewer", *OUTSIDERS])
def test_pages_scope(scoring, actor):
    rw = scoring
    a = Assignment.objects.filter(item=rw.items[0]).select_related("person").first()
    other = next(p for p in rw.reviewers if p != a.person)
    user = {"owner": rw.owner, "platform": rw.t.platform, "reviewer": a.person.user, "other_reviewer": other.user}.get(actor) or getattr(rw.t, actor)
    client = Client()
    client.force_login(user)
    owner = actor in ("owner", "platform")
    assert client.get(f"/review/rounds/{rw.round.pk}/").status_code == (200 if owner else 404)
    assert client.get(f"/review/sheets/{a.pk}/").status_code == (200 if actor == "reviewer" else 404)
    before = _state()
    response = client.post(f"/review/sheets/{a.pk}/", {"action": "submit", **{f"score-{k}": v for k, v in full_scores().items()}, "comments": "好"})
    assert response.status_code == (302 if actor == "reviewer" else 404)
    if actor != "reviewer":
        assert _state() == before
    before = _state()
    response = client.post(f"/review/rounds/{rw.round.pk}/", {"action": "close"})
    assert response.status_code == (302 if owner else 404)
    if not owner:
        assert _state() == before
    assert client.get("/review/sheets/987654321/").status_code == 404
    mine = client.get("/review/")
    assert mine.status_code == 200
    assert (f"/review/rounds/{rw.round.pk}/" in mine.content.decode()) is owner
