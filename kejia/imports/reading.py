"""Reading an uploaded spreadsheet: XLSX (kejia.imports.xlsx, streaming, cached formula values) or CSV
(UTF-8 with or without BOM, else GB18030, which covers GBK). Finds the header row below any
title rows, maps the headers to fields and reports the columns it does not know.

Refusals of the whole file are FileRefused (a DomainError): never a 500 for a bad file."""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from kejia.core.text import normalise_text
from kejia.imports.columns import BY_FIELD, HEADER_MAP, header_key
from kejia.imports.xlsx import LIMITS, FileRefused, NotAWorkbook, Sheet, check_archive

__all__ = ["FileRefused", "MAX_BYTES", "MAX_ROWS", "Table", "open_table"]

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SCAN_ROWS = 10


@dataclass
class Table:
    headers: list[str]  # as written in the file
    fields: list[str | None]  # the field of each column, None when unknown
    header_row: int
    rows: Iterator[tuple[int, tuple]]  # (row number as the spreadsheet shows it, cells)
    unknown: list[str] = field(default_factory=list)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column index) with no cached value
    # XLSX read with formulas flagged: the opened sheet, for checking that parses its pieces in worker processes.
    sheet: Sheet | None = None

    def column_of(self, field_name: str) -> str:
        """The header as written for a field, or the template's header when the file has none."""
        for header, name in zip(self.headers, self.fields, strict=False):
            if name == field_name:
                return header
        column = BY_FIELD.get(field_name)
        return column.header if column else field_name


NOT_A_WORKBOOK = _("The file cannot be read as an Excel workbook (.xlsx): it may be damaged or of another kind.")
OLD_EXCEL = _("This is an old Excel file (.xls): open it in Excel or WPS and save it as .xlsx, then upload it again.")


def check_file(content: bytes) -> None:
    """The checks of open_table that read no row, for a file too large to read in a web request
    (its rows are read by the task worker): not empty, not too big, not an old .xls, and an XLSX
    file's zip within the reader's limits."""
    _check_size(content)
    if content[:4] == b"PK\x03\x04":
        try:
            check_archive(content)
        except NotAWorkbook:
            raise FileRefused(NOT_A_WORKBOOK) from None
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(OLD_EXCEL)


def _check_size(content: bytes) -> None:
    if not content:
        raise FileRefused(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileRefused(_("The file is too big (at most %(mb)d MB): split it into several files.") % {"mb": MAX_BYTES // 1024 // 1024})


def open_table(content: bytes, file_name: str = "", *, formulas: bool = True, extra_headers: dict[str, str] | None = None) -> Table:
    """`extra_headers`: more known columns (header key → field) for a kind of import that has them,
    e.g. the membership columns of a society's member list."""
    _check_size(content)
    sheet = None
    if content[:4] == b"PK\x03\x04":
        rows, found, sheet = _xlsx_rows(content, formulas)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(OLD_EXCEL)
    else:
        rows, found = _csv_rows(content), set()
    table = _with_header(rows, found, {**HEADER_MAP, **(extra_headers or {})})
    table.sheet = sheet if formulas else None
    return table


def _xlsx_rows(content: bytes, formulas: bool) -> tuple[Iterator[tuple[int, tuple]], set[tuple[int, int]], Sheet]:
    """The first sheet's rows through the streaming reader (kejia.imports.xlsx). Cells with a
    formula but no saved result are added to the returned set as their rows are read."""
    found: set[tuple[int, int]] = set()
    try:
        sheet = Sheet(content)
    except NotAWorkbook:
        raise FileRefused(NOT_A_WORKBOOK) from None
    rows = sheet.rows(found if formulas else set())
    return _numbered(cells for _number, cells in rows), found, sheet  # the reader numbers every row, empty ones too


def check_row_limit(number: int) -> None:
    """Refuse a file once its row `number` (title and header rows included) is past the limit."""
    if number > MAX_ROWS + HEADER_SCAN_ROWS:
        raise FileRefused(_("The file has more than %(n)d rows: split it into several files.") % {"n": MAX_ROWS})


def _numbered(rows) -> Iterator[tuple[int, tuple]]:
    for number, cells in enumerate(rows, start=1):
        check_row_limit(number)
        yield number, cells


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise FileRefused(_("The file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise FileRefused(_("The text encoding of the CSV file is not recognized: save it as UTF-8 (or GBK) and upload it again.")) from None


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str) -> Iterator[str]:
    """The CSV's lines (ended as universal newlines end them), each refused past the length of a
    spreadsheet row (LIMITS.row_chars) before it is copied out of the text: the csv module would
    build a list of a line's every field before anything could look at it."""
    for number, match in enumerate(_LINE.finditer(text), start=1):
        if match.end() - match.start() > LIMITS.row_chars:
            raise FileRefused(
                _("Line %(n)d of the CSV file is longer than %(mb)d MB: it is not a row of a spreadsheet.")
                % {"n": number, "mb": LIMITS.row_chars // 1024 // 1024}
            )
        yield match.group()


def _csv_rows(content: bytes) -> Iterator[tuple[int, tuple]]:
    text = _decode(content)
    first = text[:4096].splitlines()[0] if text.strip() else ""
    delimiter = max(",\t;", key=first.count) if first else ","
    reader = csv.reader(_lines(text), delimiter=delimiter)

    def rows():
        try:
            for cells in reader:
                if len(cells) > LIMITS.columns:
                    raise FileRefused(
                        _("Line %(n)d of the CSV file has more than %(max)d columns (Excel's limit).") % {"n": reader.line_num, "max": LIMITS.columns}
                    )
                if cells and max(map(len, cells)) > LIMITS.cell_chars:
                    raise FileRefused(
                        _("A cell on line %(n)d of the CSV file holds more than %(max)d characters (Excel's limit for a cell).")
                        % {"n": reader.line_num, "max": LIMITS.cell_chars}
                    )
                yield tuple(cells)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileRefused(
                    _("A cell on line %(n)d of the CSV file holds more than %(max)d characters (Excel's limit for a cell).")
                    % {"n": reader.line_num, "max": LIMITS.cell_chars}
                ) from None
            raise FileRefused(_("The CSV file is malformed near line %(n)d.") % {"n": reader.line_num}) from None

    return _numbered(rows())


def _with_header(rows: Iterator[tuple[int, tuple]], formulas: set, header_map: dict[str, str]) -> Table:
    """The header is the first of the top rows that names at least two known columns; rows above
    it are titles (often merged cells across the sheet)."""
    for number, cells in rows:
        keys = [header_key(c) for c in cells]
        known = sum(1 for k in keys if k in header_map)
        if known >= 2 or (known == 1 and sum(1 for k in keys if k) == 1 and header_map.get(keys[0]) == "name"):
            return _table(number, cells, rows, formulas, header_map)
        if number >= HEADER_SCAN_ROWS:
            break
    raise FileRefused(
        _("No header row found in the first %(n)d rows: the sheet needs a row of column names such as 姓名, 身份证号, 手机号 (download the template).")
        % {"n": HEADER_SCAN_ROWS}
    )


def _table(number: int, cells: tuple, rows, formulas, header_map: dict[str, str]) -> Table:
    headers = ["" if c is None else normalise_text(str(c)).strip() for c in cells]
    fields: list[str | None] = []
    seen: dict[str, str] = {}
    unknown = []
    for header in headers:
        name = header_map.get(header_key(header))
        if name and name in seen:
            raise FileRefused(_("Two columns mean the same thing: %(a)s and %(b)s. Keep one.") % {"a": seen[name], "b": header})
        if name:
            seen[name] = header
        elif header:
            unknown.append(header)
        fields.append(name)
    if "name" not in seen:
        raise FileRefused(_("The column 姓名 (name) is missing."))
    return Table(headers=headers, fields=fields, header_row=number, rows=rows, unknown=unknown, formula_cells=formulas)


def is_blank(cells: tuple) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def cell(cells: tuple, index: int) -> Any:
    return cells[index] if index < len(cells) else None
