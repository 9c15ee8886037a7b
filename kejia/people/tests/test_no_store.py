"""Answers carrying unmasked identifiers are never kept by a browser's or a proxy's cache."""

from django.test import Client
from django.urls import reverse

from kejia.accounts.services import issue_api_token
from kejia.people.tests.helpers import ID_A, make


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_api_reveal_is_no_store(tree):
    person = make(tree)
    response = Client().post(f"/api/people/{person.pk}/reveal", headers={"Authorization": f"Bearer {issue_api_token(tree.county_staff)[1]}"})
    assert response.status_code == 200 and response.json()["resident_id"] == ID_A
    assert _no_store(response)


def test_page_reveal_is_no_store(client, tree):
    person = make(tree)
    client.force_login(tree.county_staff)
    response = client.post(reverse("people:reveal", args=[person.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and ID_A in response.content.decode()
    assert _no_store(response)


def test_unmasked_export_is_no_store(client, tree):
    make(tree)
    client.force_login(tree.county_staff)
    response = client.get(reverse("people:export"), {"unmasked": "on"})
    assert response.status_code == 200 and _no_store(response)
