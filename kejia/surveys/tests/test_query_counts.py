"""The results page of a survey reads in a fixed number of queries: more answers add none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kejia.surveys import answering
from kejia.surveys.tests.conftest import GOOD, build_survey, invite, make_person, make_user

pytestmark = pytest.mark.django_db


def count(client, path, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_results_queries_do_not_grow_with_answers(client, tree, folks, django_assert_max_num_queries):
    respondents = [make_user(tree, f"respondent{i}") for i in range(8)]
    for i, user in enumerate(respondents):
        make_person(tree, f"答卷人{i}", user=user, sector="enterprise" if i % 2 else "university")
    survey = build_survey(tree)
    invite(tree, survey)
    answering.submit_response(survey, actor=tree.worker, data=GOOD)
    answering.submit_response(survey, actor=folks.li_user, data={**GOOD, "q2": 1})
    client.force_login(tree.county_staff)
    path = reverse("surveys:results", args=[survey.pk])
    # 11: the session and the user; the survey; the user's roles (scope); the survey's versions
    # (their questions); the respondents per question; the counts per question, row and option;
    # the text answers of the two text questions; the number of responses; the unread notices.
    with django_assert_max_num_queries(11):
        assert client.get(path).status_code == 200
    # 12: the same, and the cross-tab by the respondents' sector (one grouped query).
    with django_assert_max_num_queries(12):
        assert client.get(path, {"question": "q1", "by": "sector"}).status_code == 200
    first = [count(client, path, params) for params in ({}, {"question": "q1", "by": "sector"})]
    for i, user in enumerate(respondents):
        answering.submit_response(survey, actor=user, data={**GOOD, "q1": i % 3, "q4": [i % 3]})
    assert [count(client, path, params) for params in ({}, {"question": "q1", "by": "sector"})] == first
