"""A masked resident ID number cannot be combined back with what is shown beside it.

Every door that shows a person (list and detail pages, the API, the XLSX export, the merge review)
shows the birth date and the gender, and often the region, whose code is usually the first six
digits of the number. From all of that together, at least 40 numbers must stay possible (the
earlier mask, first 4 and last 4 characters, left at most 10, and one with the region)."""

import io
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kejia.accounts.services import issue_api_token
from kejia.core import pii
from kejia.core.validators import resident_id_check_char
from kejia.people.tests.helpers import ID_A, make

MASK_RE = re.compile(r"(?<![0-9X*])[0-9X*]{18}(?![0-9X*])")
MIN_CANDIDATES = 40


def candidates(masked: str, *, region_code: str, birth: str, male: bool) -> int:
    """The valid numbers that match the shown characters, the birth date (YYYYMMDD), the gender
    and the region code — every sequence number tried."""
    count = 0
    for sequence in range(1000):
        if sequence % 2 != int(male):
            continue
        first17 = f"{region_code}{birth}{sequence:03d}"
        number = first17 + resident_id_check_char(first17)
        if all(m == "*" or m == c for m, c in zip(masked, number, strict=True)):
            count += 1
    return count


def shown_masks(text: str) -> set[str]:
    return {m for m in MASK_RE.findall(text) if "*" in m}


@pytest.mark.parametrize("number", [ID_A, "11010519491231002X", "44030620010229123" + resident_id_check_char("44030620010229123")])
def test_mask_leaves_many_candidates(number):
    masked = pii.mask_resident_id(number)
    assert number not in masked
    assert candidates(masked, region_code=number[:6], birth=number[6:14], male=int(number[16]) % 2 == 1) >= MIN_CANDIDATES


def test_everything_shown_together_leaves_many_candidates(client, tree):
    person = make(tree, region=tree.xw.region if getattr(tree.xw, "region", None) else None)
    client.force_login(tree.county_staff)
    outputs = {
        "list": client.get(reverse("people:list")).content.decode(),
        "detail": client.get(reverse("people:detail", args=[person.pk])).content.decode(),
    }
    book = load_workbook(io.BytesIO(client.get(reverse("people:export")).content))
    outputs["export"] = str([list(r) for r in book.active.iter_rows(values_only=True)])
    api = Client()
    headers = {"Authorization": f"Bearer {issue_api_token(tree.county_staff)[1]}"}
    outputs["api list"] = api.get("/api/people", headers=headers).content.decode()
    outputs["api detail"] = api.get(f"/api/people/{person.pk}", headers=headers).content.decode()
    masks = {door: shown_masks(text) for door, text in outputs.items()}
    assert all(masks.values()), masks  # every door shows the mask …
    assert set().union(*masks.values()) == {person.id_masked}  # … the one mask (kejia.core.pii.mask_resident_id)
    assert all(ID_A not in text for text in outputs.values())
    assert "1980-01-01" in outputs["export"]  # the birth date is shown beside it: counted as known
    assert candidates(person.id_masked, region_code=ID_A[:6], birth=ID_A[6:14], male=True) >= MIN_CANDIDATES


def test_migration_remasks_people_and_audit_rows_stored_in_the_earlier_form(tree):
    import importlib

    from django.apps import apps
    from django.db import connection

    from kejia.core.models import AuditEvent

    migration = importlib.import_module("kejia.people.migrations.0004_remask_resident_ids")
    person = make(tree)
    earlier = ID_A[:4] + "*" * 10 + ID_A[-4:]
    type(person).objects.filter(pk=person.pk).update(id_masked=earlier)
    event = AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)).first()
    AuditEvent.objects.filter(pk=event.pk).update(new={**event.new, "resident_id": earlier})
    migration.remask_all(apps, SimpleNamespace(connection=connection))  # only its connection is used
    person.refresh_from_db()
    event.refresh_from_db()
    assert person.id_masked == pii.mask_resident_id(ID_A) == event.new["resident_id"]
