"""A database that refuses a connection answers 503 with a clear message (JSON on /api/), not
500 (kejia.core.dbunavailable). The refusal is simulated here at the cursor, on a view and on a
middleware's read; kejia/activities/tests/test_concurrency.py meets a real one on PostgreSQL."""

from unittest import mock

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.test import Client

REFUSED = OperationalError('connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  sorry, too many clients already')


def refuse(*args, **kwargs):
    raise REFUSED


@pytest.fixture
def client_500():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_api_answers_503_json_when_the_database_refuses(tree, client_500):
    client_500.force_login(tree.county_staff)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", refuse):
        response = client_500.get("/api/orgs")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "database_unavailable" and response.json()["message"]
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_page_answers_503_page_when_the_database_refuses(tree, client_500):
    client_500.force_login(tree.county_staff)
    with mock.patch.object(BaseDatabaseWrapper, "cursor", refuse):
        response = client_500.get("/people/")  # the session is read in a middleware, before the view
    assert response.status_code == 503 and response["Content-Type"].startswith("text/html")
    assert "数据库" in response.content.decode() or "请稍后" in response.content.decode()


@pytest.mark.django_db
def test_other_database_errors_are_not_taken_for_refusals(tree, client_500):
    client_500.force_login(tree.county_staff)

    real, calls = BaseDatabaseWrapper.cursor, []

    def broken(self, *args, **kwargs):  # the first query fails; the 500 page may read the database again
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("no such column: nope")
        return real(self, *args, **kwargs)

    with mock.patch.object(BaseDatabaseWrapper, "cursor", broken):
        response = client_500.get("/api/orgs")
    assert response.status_code == 500
