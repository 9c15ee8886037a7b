"""The menu's "My reviews" (/review/): for whoever holds a role (who may run a review round) and
for a S&T worker invited to review; not for a worker without an invitation nor for a visitor. A
worker's menu reads it in the same query as its contact duty (the home page's count is pinned)."""

import datetime

import pytest
from django.urls import reverse

from kejia.people.models import Person
from kejia.review import services as review

pytestmark = pytest.mark.django_db


def _has_entry(client) -> bool:
    html = client.get(reverse("calls:list")).content.decode()
    return f'href="{reverse("review:mine")}"' in html


def test_my_reviews_in_the_menu(tree, client):
    assert not _has_entry(client)  # a visitor
    client.force_login(tree.worker)
    assert not _has_entry(client)
    person = Person.objects.create(name="李明", user=tree.worker, willing_to_review=True)
    round_ = review.create_round(tree.nj, actor=tree.nj_staff, title="试点评审", score_deadline=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    review.invite(round_, person, actor=tree.nj_staff)
    assert _has_entry(client)
    client.force_login(tree.nj_staff)
    assert _has_entry(client)
    client.force_login(tree.county_leader)
    assert _has_entry(client)
