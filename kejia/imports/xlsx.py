"""A streaming reader of the first worksheet of an .xlsx file, for imports.

openpyxl builds an object per cell (≈0.8 ms a row of 14 cells here); an import only needs the
values, so this reads the sheet XML with the C ElementTree parser as it streams from the zip and
keeps nothing but the current row. It understands what spreadsheets people send contain: shared
and inline strings (rich text runs joined, phonetic runs left out), numbers, booleans, errors,
ISO dates, numbers formatted as dates (built-in and custom date formats, 1900 and 1904 date
systems), formulas with a saved result (the result is read) and without one (reported through
`formula_cells`, the row and column the importer names in its report). openpyxl stays the
writer of reports and templates, and the reference this reader is tested against."""

import codecs
import datetime
import html
import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import XMLPullParser

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that show a date or time (ECMA-376 18.8.30).
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47,
                                  50, 51, 52, 53, 54, 55, 56, 57, 58})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
CHUNK = 1 << 16


class NotAWorkbook(Exception):
    pass


def _is_date_format(code: str) -> bool:
    bare = _QUOTED.sub("", code).split(";")[0].lower()
    return any(ch in bare for ch in "ymdhs") and "general" not in bare


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _parse(archive: zipfile.ZipFile, name: str) -> Iterator:
    """(event, element) pairs of one part, parsed as it is decompressed."""
    parser = XMLPullParser(events=("start", "end"))
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            parser.feed(chunk)
            yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _text_of(si) -> str:
    """A shared or inline string: its <t>, or its rich-text runs' <t> joined (no phonetic runs)."""
    t = si.find(f"{MAIN}t")
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(f"{MAIN}t") or "" for r in si.iterfind(f"{MAIN}r"))


def _shared_strings(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    if "xl/sharedStrings.xml" not in names:
        return []
    strings = []
    for event, element in _parse(archive, "xl/sharedStrings.xml"):
        if event == "end" and element.tag == f"{MAIN}si":
            strings.append(_text_of(element))
            element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, names: set[str]) -> set[int]:
    """Indexes of the cell formats (the `s` of a cell) that display a date."""
    if "xl/styles.xml" not in names:
        return set()
    from xml.etree.ElementTree import fromstring

    root = fromstring(archive.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")}
    dates = set()
    for index, xf in enumerate(root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and _is_date_format(custom[fmt])):
            dates.add(index)
    return dates


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, bool]:
    """The part name of the first worksheet and whether the workbook uses the 1904 date system."""
    from xml.etree.ElementTree import fromstring

    if "xl/workbook.xml" not in names:
        raise NotAWorkbook
    workbook = fromstring(archive.read("xl/workbook.xml"))
    pr = workbook.find(f"{MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise NotAWorkbook
    target = "xl/worksheets/sheet1.xml"
    if "xl/_rels/workbook.xml.rels" in names:
        rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        wanted = sheet.get(f"{REL}id")
        for rel in rels.iterfind(f"{PKG_REL}Relationship"):
            if rel.get("Id") == wanted:
                path = rel.get("Target", "")
                target = path.lstrip("/") if path.startswith("/") else "xl/" + path
                break
    if target not in names:
        raise NotAWorkbook
    return target, date1904


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "E" not in text.upper() and "." not in text else value


def _as_date(value: float, date1904: bool) -> datetime.datetime | float:
    if date1904:
        value += 1462
    if value < 1:
        return value
    if value < 60:  # Excel's 1900 leap-year bug: serials before 1900-03-01 are one day ahead
        value += 1
    base = datetime.datetime(1899, 12, 30)
    try:
        moment = base + datetime.timedelta(days=value)
    except OverflowError:
        return value
    return moment.replace(microsecond=0) if moment.microsecond < 500 else (moment + datetime.timedelta(seconds=1)).replace(microsecond=0)


class Sheet:
    """The first worksheet of a workbook, opened: its part name, shared strings and date styles
    read. `rows` streams its rows; an import that checks in several processes instead takes
    `pieces` of its XML here and has each worker `parse` them, `scan` telling this process where
    each piece's row numbering starts without parsing its cells."""

    def __init__(self, content: bytes):
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(content))
            names = set(self.archive.namelist())
            self.part, self.date1904 = _first_sheet(self.archive, names)
            self.strings = _shared_strings(self.archive, names)
            self.date_styles = _date_styles(self.archive, names)
        except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError) as exc:
            raise NotAWorkbook from exc

    def pieces(self) -> Iterator[str]:
        return _row_chunks(self.archive, self.part)

    def rows(self, formula_cells: set[tuple[int, int]]) -> Iterator[tuple[int, tuple]]:
        expected = 1
        for piece in self.pieces():
            parsed, expected = self.parse(piece, expected, formula_cells)
            yield from parsed

    def parse(self, piece: str, expected: int, formula_cells: set[tuple[int, int]]) -> tuple[list[tuple[int, tuple]], int]:
        """The rows of one piece, those the file leaves out (before a row numbered past
        `expected`) as empty tuples, and the row number expected after the piece."""
        out: list[tuple[int, tuple]] = []
        strings, date_styles, date1904 = self.strings, self.date_styles, self.date1904
        for row in _ROW.finditer(piece):
            number_match = _ROW_NUMBER.search(row.group(1))
            number = int(number_match.group(1)) if number_match else expected
            body = row.group(2) or ""
            cells = _fast_row(body, strings, date_styles, date1904)
            if cells is None:
                cells = _general_row(body, number, strings, date_styles, date1904, formula_cells)
            while expected < number:  # rows the file leaves out are empty rows
                out.append((expected, ()))
                expected += 1
            width = max(cells) + 1 if cells else 0
            out.append((number, tuple(cells.get(i) for i in range(width))))
            expected = number + 1
        return out, expected

    @staticmethod
    def scan(piece: str, expected: int) -> tuple[int, int]:
        """What `parse` would return for the piece, counted from the row tags alone: how many
        rows it yields and the row number expected after it."""
        count = 0
        for head in _ROW_HEAD.findall(piece):
            number_match = _ROW_NUMBER.search(head)
            number = int(number_match.group(1)) if number_match else expected
            count += max(number - expected, 0) + 1
            expected = number + 1
        return count, expected


def read_first_sheet(content: bytes, formula_cells: set[tuple[int, int]]) -> Iterator[tuple[int, tuple]]:
    """Yield (row number as the sheet shows it, values) for every row of the first worksheet,
    rows without cells included as empty tuples so numbering stays true. Cells holding a formula
    with no saved result are added to `formula_cells` as (row number, column index) before their
    row is yielded. Raises NotAWorkbook when the zip is not a workbook."""
    return Sheet(content).rows(formula_cells)


_P = r"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix (x:c, ns0:row …)
_ROW = re.compile(rf"<{_P}row\b([^>]*?)(?:/>|>(.*?)</{_P}row>)", re.S)
_CELL = re.compile(rf"<{_P}c\b([^>]*?)(?:/>|>(.*?)</{_P}c>)", re.S)
_ATTR = re.compile(r"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V = re.compile(rf"<{_P}v(?:\s[^>]*)?>([^<]*)</{_P}v>")
_F = re.compile(rf"<{_P}f\b")
_T = re.compile(rf"<{_P}t(?:\s[^>]*)?(?:/>|>([^<]*)</{_P}t>)")
_PHONETIC = re.compile(rf"<{_P}rPh\b.*?</{_P}rPh>", re.S)
_ROW_NUMBER = re.compile(r"""\br\s*=\s*["'](\d+)""")
_ROW_END = re.compile(rf"</{_P}row>|<{_P}row\b[^>]*/>")
_ROW_HEAD = re.compile(rf"<{_P}row\b([^>]*?)/?>")


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1).rsplit(":", 1)[-1]: m.group(2) if m.group(2) is not None else m.group(3) for m in _ATTR.finditer(text)}


def _xml_text(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _inline(body: str) -> str:
    if "rPh" in body:
        body = _PHONETIC.sub("", body)
    return "".join(_xml_text(m.group(1) or "") for m in _T.finditer(body))


def _row_chunks(archive: zipfile.ZipFile, sheet: str) -> Iterator[str]:
    """The sheet's XML in pieces that end on a row boundary, decoded, as it decompresses."""
    pending = ""
    with archive.open(sheet) as stream:
        decoder = codecs.getincrementaldecoder("utf-8")()
        while chunk := stream.read(CHUNK):
            pending += decoder.decode(chunk)
            end = _last_row_end(pending, max(0, len(pending) - len(chunk) - 64))
            if end:
                yield pending[:end]
                pending = pending[end:]
        pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _last_row_end(text: str, start: int) -> int:
    """Where the last row of `text` (searched from `start`) ends, 0 if none does: looked for in
    a window at the end first, widened until found, so a piece is not matched row by row."""
    window = 4096
    while True:
        low = max(start, len(text) - window)
        end = 0
        for match in _ROW_END.finditer(text, low):
            end = match.end()
        if end or low == start:
            return end
        window *= 8


# The cell shapes Excel, WPS, openpyxl and xlsxwriter write, in their attribute order: one match
# per cell. A row with any other shape (a formula, a prefix, other attributes) takes the general path.
_FAST_CELL = re.compile(r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(s|n|str|b|e|inlineStr)")?'
                        r'(?: ?/>|>(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)')
_COLUMNS: dict[str, int] = {}


def _fast_row(body: str, strings, date_styles, date1904) -> dict[int, object] | None:
    found = _FAST_CELL.findall(body)
    if len(found) != body.count("<c ") or ":c" in body:  # a prefixed cell (<x:c …>) goes the general way
        return None
    cells: dict[int, object] = {}
    for letters, style, kind, text, inline in found:
        column = _COLUMNS.get(letters)
        if column is None:
            column = _COLUMNS.setdefault(letters, _column_index(letters))
        if kind == "inlineStr":
            value = _xml_text(inline)
        elif not text:
            continue
        elif kind == "s":
            value = strings[int(text)]
        elif kind in ("str", "e"):
            value = _xml_text(text)
        elif kind == "b":
            value = text.strip() == "1"
        else:
            try:
                value = _number(text)
            except ValueError:
                value = text
            else:
                if style and date_styles and int(style) in date_styles:
                    value = _as_date(value, date1904)
        if value != "":
            cells[column] = value
    return cells


def _general_row(body: str, number: int, strings, date_styles, date1904, formula_cells) -> dict[int, object]:
    cells: dict[int, object] = {}
    next_column = 0
    for cell in _CELL.finditer(body):
        attrs = _attrs(cell.group(1))
        ref = attrs.get("r")
        column = _column_index(ref) if ref else next_column
        next_column = column + 1
        inner = cell.group(2) or ""
        kind = attrs.get("t", "n")
        if kind == "inlineStr":
            value = _inline(inner)
        else:
            v = _V.search(inner)
            text = _xml_text(v.group(1)) if v is not None else None
            if text is None:
                value = None
                if _F.search(inner):
                    formula_cells.add((number, column))
            elif kind == "s":
                value = strings[int(text)]
            elif kind in ("str", "e"):
                value = text
            elif kind == "b":
                value = text.strip() == "1"
            elif kind == "d":
                try:
                    value = datetime.datetime.fromisoformat(text.rstrip("Z"))
                except ValueError:
                    value = text
            else:
                try:
                    value = _number(text)
                except ValueError:
                    value = text
                else:
                    if date_styles and int(attrs.get("s") or 0) in date_styles:
                        value = _as_date(value, date1904)
        if value is not None and value != "":
            cells[column] = value
    return cells
