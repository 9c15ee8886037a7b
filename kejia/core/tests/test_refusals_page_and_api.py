"""A refusal answers with the same code and the same HTTP status through a page and through the
API: both take the status from the code's registered kind (kejia.core.errors). Before, the
governance pages answered 409 for a seat already vacated and the API 400."""

import datetime

import pytest
from django.forms import BaseForm
from django.urls import reverse

from kejia.core.errors import DomainError
from kejia.governance import services as governance
from kejia.organizations.tests.test_api import Api
from kejia.people.services import create_person
from kejia.surveys.tests.conftest import build_survey

pytestmark = pytest.mark.django_db


def page_codes(response) -> set[str]:
    """The codes of the refusal a page shows: on its form (kejia.core.web.form_error) or as the error page."""
    found = set()
    values = [value for context in response.context or [] for value in context.flatten().values()]
    values += [v for value in values if isinstance(value, dict) for v in value.values()]  # forms kept in a dict
    for value in values:
        if isinstance(value, BaseForm):
            found |= {error.code for errors in value.errors.as_data().values() for error in errors}
        elif isinstance(value, DomainError):
            found.add(value.code)
    return found


def same_answer(page, api, code: str, status: int):
    assert (page.status_code, api.status_code) == (status, status), (page.content[:300], api.content)
    assert api.json()["code"] == code
    assert code in page_codes(page)


def test_a_seat_already_vacated_is_409_seat_ended_on_both(tree, client):
    body = governance.create_body(tree.xw, actor=tree.county_staff, kind="committee")
    term = governance.start_term(body, actor=tree.county_staff, start=datetime.date(2024, 1, 1))
    member = create_person(actor=tree.platform, organization=tree.xw, name="委员甲", birth_date=datetime.date(1980, 1, 1))
    seat = governance.seat_person(term, actor=tree.county_staff, person=member, start=datetime.date(2024, 1, 1))
    client.force_login(tree.county_staff)
    url = reverse("governance:seat_vacate", args=[seat.pk])
    assert client.post(url, {"vacate-end": "2025-01-01", "vacate-reason": "调离"}).status_code == 302
    page = client.post(url, {"vacate-end": "", "vacate-reason": ""})
    api = Api(tree, tree.county_staff).post(f"/api/governance/seats/{seat.pk}/vacate", {})
    same_answer(page, api, "seat_ended", 409)


def test_dissolving_an_organization_with_children_is_409_has_children_on_both(tree, client):
    client.force_login(tree.county_staff)
    page = client.post(reverse("organizations:status", args=[tree.xw.pk]), {"status": "dissolved", "reason": "合并"})
    api = Api(tree, tree.county_staff).post(f"/api/orgs/{tree.xw.pk}/status", {"status": "dissolved", "reason": "合并"})
    same_answer(page, api, "has_children", 409)
    tree.xw.refresh_from_db()
    assert tree.xw.status == "active"


def test_closing_a_closed_survey_is_409_not_open_on_both(tree, client):
    survey = build_survey(tree)
    client.force_login(tree.county_staff)
    assert client.post(reverse("surveys:close", args=[survey.pk])).status_code == 302
    page = client.post(reverse("surveys:close", args=[survey.pk]))
    api = Api(tree, tree.county_staff).post(f"/api/surveys/{survey.pk}/close")
    same_answer(page, api, "not_open", 409)


def test_a_service_refusing_bad_input_is_400_with_the_same_code_on_both(tree, client):
    body = governance.create_body(tree.xw, actor=tree.county_staff, kind="committee")
    client.force_login(tree.county_staff)
    page = client.post(reverse("governance:term_start", args=[body.pk]), {"term-start": "2026-01-01", "term-planned_end": "2025-01-01"})
    api = Api(tree, tree.county_staff).post(f"/api/governance/bodies/{body.pk}/terms", {"start": "2026-01-01", "planned_end": "2025-01-01"})
    same_answer(page, api, "invalid_dates", 400)
