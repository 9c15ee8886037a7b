"""The round page's search of reviewers to invite: people the owner's staff can see who agreed to
review and are not invited, by name, discipline and employer, paged, without JavaScript."""

from django.test import Client

from kejia.people.models import Listing, Person
from kejia.reference.models import Discipline
from kejia.review import services, views
from kejia.review.models import Invitation

from .conftest import scoring_round


def _page(rw, user=None, **query):
    client = Client()
    client.force_login(user or rw.owner)
    return client, client.get(f"/review/rounds/{rw.round.pk}/", query)


def _listed(response):
    return [p.pk for p in response.context["willing"].object_list]


def test_the_search_lists_the_willing_not_yet_invited(rw):
    _client, response = _page(rw)
    assert response.status_code == 200
    assert set(_listed(response)) == {p.pk for p in rw.reviewers}  # not the unwilling person
    services.invite(rw.round, rw.reviewers[0], actor=rw.owner)
    _client, response = _page(rw)
    assert rw.reviewers[0].pk not in _listed(response)


def test_by_name_employer_and_discipline(rw):
    r0, r1, r2 = rw.reviewers[:3]
    d = Discipline.objects.filter(level=1).exclude(name_en="").first() or Discipline.objects.first()
    r2.disciplines.add(d)
    assert _listed(_page(rw, who="专家1")[1]) == [r1.pk]
    assert _listed(_page(rw, employer="单位0")[1]) == [r0.pk]
    assert _listed(_page(rw, discipline=d.name)[1]) == [r2.pk]
    if d.name_en:
        assert _listed(_page(rw, discipline=d.name_en.upper())[1]) == [r2.pk]
    response = _page(rw, who="专家", employer="单位2", discipline=d.code)[1]
    assert _listed(response) == [r2.pk]
    assert "单位2" in response.content.decode()
    assert _listed(_page(rw, who="nobody")[1]) == []


def test_paged(rw, monkeypatch):
    monkeypatch.setattr(views, "INVITE_PAGE", 4)
    first = _listed(_page(rw)[1])
    second = _listed(_page(rw, page=2)[1])
    assert len(first) == 4 and len(second) == 2 and not set(first) & set(second)
    response = _page(rw, who="专家", page=2)[1]
    assert "who=" in response.content.decode()  # the pager keeps the search


def test_scoped_to_the_people_the_owner_sees(rw):
    """A round run by Nanjing: its staff find and invite Nanjing's people only."""
    t = rw.t
    round_ = services.create_round(t.nj, actor=t.nj_staff, title="南京评审")
    client = Client()
    client.force_login(t.nj_staff)
    response = client.get(f"/review/rounds/{round_.pk}/")
    seen = {p.pk for p in response.context["willing"].object_list}
    nj_people = set(Person.objects.filter(listings__organization__path__startswith=t.nj.path, willing_to_review=True).values_list("pk", flat=True))
    assert seen == nj_people and seen
    outsider = next(p for p in rw.reviewers if p.pk not in nj_people)
    response = client.post(f"/review/rounds/{round_.pk}/", {"action": "invite", "person": outsider.pk})
    assert response.status_code == 400
    assert not Invitation.objects.filter(round=round_).exists()
    insider = Person.objects.get(pk=min(nj_people))
    response = client.post(f"/review/rounds/{round_.pk}/?who={insider.name}", {"action": "invite", "person": insider.pk})
    assert response.status_code == 302 and Invitation.objects.filter(round=round_, person=insider).exists()


def test_the_api_invites_only_people_the_owner_sees(rw):
    from kejia.review.tests.test_scope import Api

    t = rw.t
    round_ = services.create_round(t.nj, actor=t.nj_staff, title="南京评审")
    outsider = Listing.objects.filter(organization=t.wx, person__willing_to_review=True).first().person
    api = Api(t, t.nj_staff)
    assert api.post(f"/api/review/rounds/{round_.pk}/invitations", {"person_id": outsider.pk}).status_code == 404
    assert not Invitation.objects.filter(round=round_).exists()


def test_no_search_once_scoring(rw):
    assert "find-who" in _page(rw)[1].content.decode()
    scoring_round(rw)
    assert "find-who" not in _page(rw)[1].content.decode()
