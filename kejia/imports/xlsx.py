"""A streaming reader of the first worksheet of an .xlsx file, for imports.

openpyxl builds an object per cell (≈0.8 ms a row of 14 cells here); an import only needs the
values, so this reads the sheet XML with the C ElementTree parser as it streams from the zip and
keeps nothing but the current row. It understands what spreadsheets people send contain: shared
and inline strings (rich text runs joined, phonetic runs left out), numbers, booleans, errors,
ISO dates, numbers formatted as dates (built-in and custom date formats, 1900 and 1904 date
systems), formulas with a saved result (the result is read) and without one (reported through
`formula_cells`, the row and column the importer names in its report). openpyxl stays the
writer of reports and templates, and the reference this reader is tested against.

A workbook is a zip of XML anyone can write, so the reader bounds what it will read before it
reads it (LIMITS): the decompressed size and compression ratio of every part it opens (from the
zip's directory, which the zip module then holds the data to), the length of a row's XML, of a cell
and of a string, the number of shared strings, row numbers and columns, the nesting of the XML it
parses, and no DTD (entities) at all. Past a limit it raises FileRefused with a message that names
the reason, after reading at most about the limit — never the whole file."""

import codecs
import datetime
import html
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import XMLPullParser

from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that show a date or time (ECMA-376 18.8.30).
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
CHUNK = 1 << 16


class NotAWorkbook(Exception):
    pass


class FileRefused(DomainError):
    """The file is refused as a whole (past one of the reader's limits here; kejia.imports.reading
    refuses for other reasons): the message says why, for the person who sent it."""

    def __init__(self, message):
        super().__init__("bad_file", message, field="file")


MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    sheet_bytes: int = 512 * MIB  # the worksheet's XML, decompressed (a 200 000-row sheet is about 160 MB)
    strings_bytes: int = 128 * MIB  # the shared strings' XML, decompressed
    other_bytes: int = 16 * MIB  # workbook, relationships, styles
    ratio: int = 100  # decompressed / compressed, for a part of more than ratio_from bytes (sheets are about 14)
    ratio_from: int = 1 * MIB
    row_chars: int = 4 * MIB  # one row's XML (the sheet's head before its first row counts as one)
    cell_chars: int = 32_767  # Excel's own limit for a cell
    shared_strings: int = 1_500_000
    shared_chars: int = 64 * MIB  # all shared strings together
    columns: int = 16_384  # Excel's XFD
    row_number: int = 1_048_576  # Excel's last row
    depth: int = 64  # XML nesting (a workbook's parts need fewer than 10)
    prolog_bytes: int = 64 * 1024  # what may come before the root element


LIMITS = Limits()


def _mb(n: int) -> int:
    return max(n // MIB, 1)


def _part(archive: zipfile.ZipFile, name: str, limit: int) -> zipfile.ZipInfo:
    """The part's directory entry, refused when it would decompress past `limit` bytes or by more
    than the allowed ratio. ZipFile reads a part only up to the size its entry declares (and checks
    the CRC), so these figures bound what is read."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise FileRefused(
            _("The workbook is too large once decompressed (a part of it is %(size)d MB, at most %(max)d MB): split it into several files.")
            % {"size": _mb(info.file_size), "max": _mb(limit)}
        )
    if info.file_size > LIMITS.ratio_from and info.file_size > LIMITS.ratio * max(info.compress_size, 1):
        raise FileRefused(
            _("The workbook is compressed %(ratio)d times, more than a spreadsheet can be (at most %(max)d): it was refused as a possible zip bomb.")
            % {"ratio": info.file_size // max(info.compress_size, 1), "max": LIMITS.ratio}
        )
    return info


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


def _parse(archive: zipfile.ZipFile, name: str, limit: int) -> Iterator:
    """(event, element) pairs of one part, parsed as it is decompressed: at most `limit` bytes,
    no DTD (the prolog before the root element is checked), nested at most LIMITS.depth deep."""
    _part(archive, name, limit)
    parser = XMLPullParser(events=("start", "end"))
    prolog = b""
    depth = 0
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            if prolog is not None:  # checked before expat sees it: it would expand the entities as it parses
                prolog += chunk
                _check_prolog(prolog)
                if len(prolog) > LIMITS.prolog_bytes + CHUNK:
                    raise FileRefused(_("A part of the workbook is not a spreadsheet's XML."))
            parser.feed(chunk)
            for event, element in parser.read_events():
                prolog = None
                depth += 1 if event == "start" else -1
                if depth > LIMITS.depth:
                    raise FileRefused(_("The workbook's XML is nested more than %(n)d levels deep: it is not a spreadsheet.") % {"n": LIMITS.depth})
                yield event, element
    parser.close()
    yield from parser.read_events()


def _check_prolog(head: bytes) -> None:
    """No spreadsheet declares a DTD; one with entities can expand a few bytes into gigabytes."""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise FileRefused(_("The workbook's XML declares a DTD or entities, which spreadsheets never do: it was refused."))


def _read_root(archive: zipfile.ZipFile, name: str):
    """The root element of a small part, parsed with the same guards as the large ones."""
    root = None
    for event, element in _parse(archive, name, LIMITS.other_bytes):
        if root is None and event == "start":
            root = element
    if root is None:
        raise NotAWorkbook
    return root


def _shared_strings(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    """The shared strings, read like the sheet (pieces of XML cut at a string's end, matched with
    patterns that scan each stretch once; no entity is ever expanded): at most
    LIMITS.shared_strings of them, LIMITS.shared_chars characters in all, each at most a cell."""
    if "xl/sharedStrings.xml" not in names:
        return []
    _part(archive, "xl/sharedStrings.xml", LIMITS.strings_bytes)
    strings: list[str] = []
    chars = 0
    first = True

    def too_long(_pending: str):
        return _("Shared string %(n)d of the workbook is longer than %(mb)d MB of XML: it is not a spreadsheet's text.") % {
            "n": len(strings) + 1,
            "mb": _mb(LIMITS.row_chars),
        }

    for piece in _chunks(archive, "xl/sharedStrings.xml", _SI_END, too_long):
        if first:
            _check_prolog(piece[: piece.find("<si")].encode() if "<si" in piece else piece.encode())
            first = False
        for match in _SI.finditer(piece):
            body = match.group(1) or ""
            plain = _PLAIN_SI.fullmatch(body)
            text = _xml_text(plain.group(1)) if plain else _inline(body)
            if len(text) > LIMITS.cell_chars:
                raise FileRefused(
                    _("Shared string %(n)d of the workbook is longer than %(max)d characters (Excel's limit for a cell).")
                    % {"n": len(strings) + 1, "max": LIMITS.cell_chars}
                )
            chars += len(text)
            strings.append(text)
        if len(strings) > LIMITS.shared_strings or chars > LIMITS.shared_chars:
            raise FileRefused(
                _("The workbook holds more than %(n)d different texts (or %(mb)d million characters of text): split it into several files.")
                % {"n": LIMITS.shared_strings, "mb": LIMITS.shared_chars // 1_000_000}
            )
    return strings


def _date_styles(archive: zipfile.ZipFile, names: set[str]) -> set[int]:
    """Indexes of the cell formats (the `s` of a cell) that display a date."""
    if "xl/styles.xml" not in names:
        return set()
    root = _read_root(archive, "xl/styles.xml")
    custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")}
    dates = set()
    for index, xf in enumerate(root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        fmt = int(xf.get("numFmtId", "0"))
        if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and _is_date_format(custom[fmt])):
            dates.add(index)
    return dates


def _first_sheet(archive: zipfile.ZipFile, names: set[str]) -> tuple[str, bool]:
    """The part name of the first worksheet and whether the workbook uses the 1904 date system."""
    if "xl/workbook.xml" not in names:
        raise NotAWorkbook
    workbook = _read_root(archive, "xl/workbook.xml")
    pr = workbook.find(f"{MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise NotAWorkbook
    target = "xl/worksheets/sheet1.xml"
    if "xl/_rels/workbook.xml.rels" in names:
        rels = _read_root(archive, "xl/_rels/workbook.xml.rels")
        wanted = sheet.get(f"{REL}id")
        for rel in rels.iterfind(f"{PKG_REL}Relationship"):
            if rel.get("Id") == wanted:
                path = rel.get("Target", "")
                target = path.lstrip("/") if path.startswith("/") else "xl/" + path
                break
    if target not in names:
        raise NotAWorkbook
    _part(archive, target, LIMITS.sheet_bytes)
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
        except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, EOFError, OSError, zlib.error) as exc:
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
            number = _row_number(row.group(1), expected)
            body = row.group(2) or ""
            try:
                cells = _fast_row(body, strings, date_styles, date1904)
                if cells is None:
                    cells = _general_row(body, number, strings, date_styles, date1904, formula_cells)
            except (ValueError, IndexError, OverflowError):
                raise FileRefused(
                    _(
                        "Row %(n)d of the sheet cannot be read: a cell refers to a text or a format the workbook does not "
                        "have. Open the file in Excel or WPS and save it again."
                    )
                    % {"n": number}
                ) from None
            if len(body) > LIMITS.cell_chars:
                _check_cells(cells, number)
            if cells and max(cells) >= LIMITS.columns:
                raise FileRefused(_("Row %(n)d of the sheet has a cell beyond column %(max)d (Excel's last column).") % {"n": number, "max": LIMITS.columns})
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
            number = _row_number(head, expected)
            count += max(number - expected, 0) + 1
            expected = number + 1
        return count, expected


def _row_number(attributes: str, expected: int) -> int:
    """The row's `r` (the next row when it has none), refused past Excel's last row: the rows
    left out before it are yielded as empty rows, so a huge number would be a huge list."""
    match = _ROW_NUMBER.search(attributes)
    number = expected if match is None else int(match.group(1)) if len(match.group(1)) < 10 else LIMITS.row_number + 1
    if number > LIMITS.row_number:
        raise FileRefused(
            _("The sheet has a row numbered past %(max)d (Excel's last row): it is not a spreadsheet Excel can open.") % {"max": LIMITS.row_number}
        )
    return number


def _check_cells(cells: dict[int, object], number: int) -> None:
    for column, value in cells.items():
        if isinstance(value, str) and len(value) > LIMITS.cell_chars:
            raise FileRefused(
                _("Cell %(cell)s holds more than %(max)d characters (Excel's limit for a cell).")
                % {"cell": f"{_column_letters(column)}{number}", "max": LIMITS.cell_chars}
            )


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_archive(content: bytes) -> None:
    """What can be known of a workbook without reading its rows or strings, cheaply enough for a
    web request: a zip with a first worksheet, every part the reader would open within its
    limits. Raises NotAWorkbook or FileRefused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            _first_sheet(archive, names)
            for name, limit in (("xl/sharedStrings.xml", LIMITS.strings_bytes), ("xl/styles.xml", LIMITS.other_bytes)):
                if name in names:
                    _part(archive, name, limit)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError, EOFError, OSError, zlib.error) as exc:
        raise NotAWorkbook from exc


def read_first_sheet(content: bytes, formula_cells: set[tuple[int, int]]) -> Iterator[tuple[int, tuple]]:
    """Yield (row number as the sheet shows it, values) for every row of the first worksheet,
    rows without cells included as empty tuples so numbering stays true. Cells holding a formula
    with no saved result are added to `formula_cells` as (row number, column index) before their
    row is yielded. Raises NotAWorkbook when the zip is not a workbook."""
    return Sheet(content).rows(formula_cells)


_P = r"(?:[A-Za-z_][\w.-]*:)?"  # any namespace prefix (x:c, ns0:row …)
# Every pattern scans a stretch of text once: attributes stop at "<", and an element's body stops at
# the next opening of the same element (the unrolled `[^<]*(?:<(?!…)[^<]*)*`), so a row, cell or
# phonetic run left unclosed cannot make each later one rescan to the end (quadratic in the row).
_ROW = re.compile(rf"<{_P}row\b([^<>]*?)(?:/>|>([^<]*(?:<(?!/?{_P}row\b)[^<]*)*)</{_P}row>)", re.S)
_CELL = re.compile(rf"<{_P}c\b([^<>]*?)(?:/>|>([^<]*(?:<(?!/?{_P}c\b)[^<]*)*)</{_P}c>)", re.S)
_ATTR = re.compile(r"""(?<![\w:])([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V = re.compile(rf"<{_P}v(?:\s[^<>]*)?>([^<]*)</{_P}v>")
_F = re.compile(rf"<{_P}f\b")
_T = re.compile(rf"<{_P}t(?:\s[^<>]*)?(?:/>|>([^<]*)</{_P}t>)")
_PHONETIC = re.compile(rf"<{_P}rPh\b[^<]*(?:<(?!/?{_P}rPh\b)[^<]*)*</{_P}rPh>", re.S)
_SI = re.compile(rf"<{_P}si\b[^<>]*?(?:/>|>([^<]*(?:<(?!/?{_P}si\b)[^<]*)*)</{_P}si>)")
_SI_END = re.compile(rf"</{_P}si>|<{_P}si\b[^<>]*/>")
_PLAIN_SI = re.compile(rf'<{_P}t(?: xml:space="preserve")?>([^<]*)</{_P}t>')
_ROW_NUMBER = re.compile(r"""\br\s*=\s*["'](\d+)""")
_ROW_END = re.compile(rf"</{_P}row>|<{_P}row\b[^<>]*/>")
_ROW_HEAD = re.compile(rf"<{_P}row\b([^<>]*?)/?>")


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

    def too_long(pending: str):
        head = _ROW_HEAD.search(pending)
        row = _row_number(head.group(1), 0) if head else 0
        if row:
            return _("Row %(n)d of the sheet is longer than %(mb)d MB of XML: it is not a row of a spreadsheet.") % {"n": row, "mb": _mb(LIMITS.row_chars)}
        return _("The sheet holds more than %(mb)d MB of XML before its first row ends: it is not a spreadsheet.") % {"mb": _mb(LIMITS.row_chars)}

    return _chunks(archive, sheet, _ROW_END, too_long)


def _chunks(archive: zipfile.ZipFile, part: str, end_pattern: re.Pattern, too_long) -> Iterator[str]:
    """A part's XML in pieces that end where `end_pattern` last matched (an element's end),
    decoded, as it decompresses. Past LIMITS.row_chars without an end the part is refused with
    the message `too_long(text)` gives: without a bound one long element would be copied again
    with every chunk added to it (quadratic), and held whole."""
    pending = ""
    try:
        with archive.open(part) as stream:
            decoder = codecs.getincrementaldecoder("utf-8")()
            while chunk := stream.read(CHUNK):
                pending += decoder.decode(chunk)
                end = _last_end(end_pattern, pending, max(0, len(pending) - len(chunk) - 64))
                if end:
                    yield pending[:end]
                    pending = pending[end:]
                elif len(pending) > LIMITS.row_chars:
                    raise FileRefused(too_long(pending))
            pending += decoder.decode(b"", final=True)
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError):
        raise FileRefused(_("The workbook is damaged (its compressed data does not match its directory): open it in Excel or WPS and save it again.")) from None
    if pending:
        yield pending


def _last_end(pattern: re.Pattern, text: str, start: int) -> int:
    """Where the last element of `text` (searched from `start`) ends, 0 if none does: looked for in
    a window at the end first, widened until found, so a piece is not matched row by row."""
    window = 4096
    while True:
        low = max(start, len(text) - window)
        end = 0
        for match in pattern.finditer(text, low):
            end = match.end()
        if end or low == start:
            return end
        window *= 8


# The cell shapes Excel, WPS, openpyxl and xlsxwriter write, in their attribute order: one match
# per cell. A row with any other shape (a formula, a prefix, other attributes) takes the general path.
_FAST_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(s|n|str|b|e|inlineStr)")?'
    r'(?: ?/>|>(?:<v>([^<]*)</v>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
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
            if text == "" and kind != "str" and _F.search(inner):
                text = None  # <f>…</f><v></v>: a formula saved without its result (openpyxl with lxml writes this)
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
