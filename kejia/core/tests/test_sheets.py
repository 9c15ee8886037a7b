"""The one cell writer (kejia.core.sheets): no formula, no character XML cannot hold, numbers as numbers."""

import datetime
import decimal
import io

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from kejia.core import sheets


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"])
def test_cell_neutralises_formula_starts(text):
    assert sheets.cell(text) == "'" + text


@pytest.mark.parametrize("value", [0, -5, 3.5, decimal.Decimal("-1.25"), True, None, datetime.date(2026, 1, 1), datetime.datetime(2026, 1, 1, 8, 30)])
def test_cell_keeps_numbers_dates_and_empty_cells(value):
    assert sheets.cell(value) is value


def test_cell_removes_characters_xml_cannot_hold_before_the_formula_check():
    assert sheets.cell("李\x01明\x1b") == "李明"
    assert sheets.cell("\x01=1+1") == "'=1+1"
    assert sheets.cell("a\tb\nc") == "a\tb\nc"
    assert sheets.cell(gettext_lazy("yes")) == str(gettext_lazy("yes"))


def test_book_writes_hostile_text_that_reads_back_as_text():
    book = sheets.Book()
    sheet = book.sheet("名单:[1]/\x01")
    sheet.append(["=1+1", "\x1b[31m红\x07", -3, "-3"])
    loaded = load_workbook(io.BytesIO(book.save()))
    cells = list(loaded.worksheets[0].iter_rows())[0]
    assert [c.value for c in cells] == ["'=1+1", "[31m红", -3, "'-3"]
    assert all(c.data_type != "f" for c in cells) and cells[2].data_type == "n"
    assert loaded.sheetnames == ["名单  1  "]
