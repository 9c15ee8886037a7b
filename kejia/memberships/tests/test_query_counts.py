"""The staff's approval queue reads in a fixed number of queries: more applications, of persons
and of units, add none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kejia.memberships import applications
from kejia.memberships.tests.conftest import make_person

pytestmark = pytest.mark.django_db


def apply(tree, society, n, start=0):
    for i in range(start, start + n):
        applications.apply_for_membership(
            actor=tree.society_secretary, society=tree.soc, member_class=society.classes["full"], person=make_person(tree, name=f"申请人{i}")
        )


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queue_queries_do_not_grow_with_applications(client, tree, society, django_assert_max_num_queries):
    apply(tree, society, 2)
    client.force_login(tree.society_secretary)
    path = reverse("memberships:queue")
    # 8: the session and the user; the user's roles (scope); whether a society is in reach; the
    # page's count and its applications with their society, class and people; the unread
    # notices; the societies of the filter.
    with django_assert_max_num_queries(8):
        assert client.get(path).status_code == 200
    first = count(client, path)
    apply(tree, society, 10, start=2)
    assert count(client, path) == first
