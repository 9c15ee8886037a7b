"""The one cell writer for every spreadsheet Kejia hands out (exports, reports).

A text cell is written so that no spreadsheet program runs it: a value that starts with = + - @
or a tab or carriage return (a formula, or what Excel and WPS treat as one, also after a
save as CSV) gets a leading apostrophe, and characters XML cannot hold (control characters, which
openpyxl refuses with an exception) are removed. Numbers, dates and empty cells are written as
they are: a number stays a number."""

import datetime
import decimal
import io
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What openpyxl refuses in a cell (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE), plus what XML 1.0 cannot hold.
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PLAIN = (bool, int, float, decimal.Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


def cell(value: Any) -> Any:
    """A value ready for a sheet: text neutralised, everything else as it is."""
    if value is None or isinstance(value, _PLAIN):
        return value
    text = value if isinstance(value, str) else str(value)  # a lazy translation, a UUID, …
    text = _ILLEGAL_RE.sub("", text)  # before the formula check: "\x01=1" must not become a formula
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(values) -> list:
    return [cell(v) for v in values]


class Sheet:
    """A write-only sheet that passes every row through `cell`."""

    def __init__(self, sheet):
        self._sheet = sheet

    def append(self, values) -> None:
        self._sheet.append(row(values))

    def __getattr__(self, name):
        return getattr(self._sheet, name)


class Book:
    """A write-only workbook whose sheets write every cell through `cell`."""

    def __init__(self):
        from openpyxl import Workbook

        self._book = Workbook(write_only=True)

    def sheet(self, title: Any) -> Sheet:
        # A sheet title is at most 31 characters, none of : \ / ? * [ ]
        clean = re.sub(r"[:\\/?*\[\]]", " ", _ILLEGAL_RE.sub("", str(title)))[:31] or "Sheet"
        return Sheet(self._book.create_sheet(clean))

    def save(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()
