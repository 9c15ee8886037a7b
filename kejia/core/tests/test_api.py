"""The shared API mechanisms: the paging bounds, the input guard (integers out of the database's
range and NUL characters are a 422 naming the field) and JSON for every error under /api/."""

import pytest
from django.test import Client

from kejia.accounts.services import issue_api_token
from kejia.core.api import MAX_LIMIT, MAX_OFFSET
from kejia.people.tests.helpers import make

HUGE = "9223372036854775808"  # 2**63: past every integer column; SQLite's driver cannot even bind it


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {issue_api_token(user)[1]}"}


@pytest.mark.parametrize(
    "url, field",
    [
        (f"/api/volunteering/teams?offset={HUGE}", "offset"),
        (f"/api/volunteering/teams?limit={HUGE}", "limit"),
        (f"/api/volunteering/teams?org_id={HUGE}", "org_id"),
        ("/api/volunteering/teams?offset=-1", "offset"),
        (f"/api/people?offset={MAX_OFFSET + 1}", "offset"),
        (f"/api/orgs?limit={MAX_LIMIT + 1}", "limit"),
        (f"/api/people/{HUGE}", "id"),
    ],
)
def test_integer_out_of_range_is_a_422_naming_the_field(tree, url, field):
    response = Client().get(url, headers=bearer(tree.county_staff))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid" and response.json()["field"] == field


def test_paging_within_the_bounds_answers(tree):
    response = Client().get("/api/volunteering/teams", {"offset": MAX_OFFSET, "limit": MAX_LIMIT}, headers=bearer(tree.county_staff))
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(
    "data, field", [({"next_seq": 2**63}, "next_seq"), ({"grace_days": -(2**40)}, "grace_days"), ({"growth_bands": [[1, 2**40]]}, "growth_bands.0.1")]
)
def test_body_integer_out_of_range_is_a_422_naming_the_field(tree, data, field):
    # An integer field without bounds of its own gets the database's range.
    response = Client().patch(f"/api/societies/{tree.soc.pk}/membership-rules", data, content_type="application/json", headers=bearer(tree.society_secretary))
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field


def test_query_integer_out_of_range_is_a_422(tree):
    response = Client().get("/api/experts", {"age_min": HUGE}, headers=bearer(tree.county_staff))
    assert response.status_code == 422 and response.json()["field"] == "age_min"


@pytest.mark.parametrize(
    "method, url, data",
    [
        ("patch", "/api/people/{pk}", {"title": "教\x00授"}),
        ("patch", "/api/people/{pk}", {"programmes": ["a", "b\x00"]}),
        ("get", "/api/people", {"q": "李\x00"}),
    ],
)
def test_nul_character_never_reaches_the_database(tree, method, url, data):
    # The request parser strips control characters (kejia.core.api_parser); the guard refuses any
    # NUL left (a 422 naming the field): never a 500 on PostgreSQL, never a NUL stored.
    person = make(tree)
    client, url = Client(), url.format(pk=person.pk)
    if method == "get":
        response = client.get(url, data, headers=bearer(tree.county_staff))
    else:
        response = client.patch(url, data, content_type="application/json", headers=bearer(tree.county_staff))
    assert response.status_code in (200, 422), response.content
    person.refresh_from_db()
    assert "\x00" not in person.title and all("\x00" not in p for p in person.programmes)


def test_guard_refuses_nul_naming_the_field():
    from ninja.errors import ValidationError

    from kejia.core.api import guard_input

    @guard_input
    def view(request, code: str):
        return code

    with pytest.raises(ValidationError) as refused:
        view(None, code="32\x0001")
    assert refused.value.errors[0]["loc"] == ("query", "code")


def test_unknown_api_path_is_a_json_404(db):
    response = Client().get("/api/no-such-thing")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found" and response.json()["message"]


def test_method_not_allowed_is_a_json_405(tree):
    response = Client().put("/api/people", headers=bearer(tree.county_staff))
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_csrf_failure_is_json(tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.county_staff)
    response = client.post("/api/people/me/link", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


def test_unexpected_error_is_a_json_500(tree, monkeypatch):
    from kejia.people import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "search_people", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/people", headers=bearer(tree.county_staff))
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "server_error" and "boom" not in response.content.decode()


def test_html_pages_keep_html_errors(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/people/1%00", "/api/people/%00", "/api/orgs/1%00/children"])
def test_nul_in_a_path_parameter_is_a_422(tree, url):
    # The parser normalises bodies and query strings, not the path: a NUL there is refused.
    response = Client().get(url, headers=bearer(tree.county_staff))
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid" and response.json()["field"] == "id"


def test_nul_in_a_password_is_a_422_not_stripped(tree):
    # Passwords are not normalised (compared byte for byte): the guard refuses a NUL in one.
    response = Client().post("/api/auth/token", {"identifier": "nobody", "password": "pass\x00word"}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "password"
