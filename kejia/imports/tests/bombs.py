"""Hostile spreadsheets, built as streams (none is ever held decompressed): a very long row, a
huge shared-strings part, a zip bomb, deep and entity-laden XML, a long cell, huge row and
column numbers, unclosed rows. Used by test_bombs.py and bench/import_bombs.py."""

import io
import zipfile
from collections.abc import Callable, Iterable

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="B1" t="inlineStr"><is><t>手机号</t></is></c></row>'
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
BLOCK = 1 << 20


def _write(archive: zipfile.ZipFile, name: str, parts: Iterable[str | bytes]) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as out:
        buffer: list[bytes] = []
        size = 0
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            buffer.append(data)
            size += len(data)
            if size >= BLOCK:
                out.write(b"".join(buffer))
                buffer, size = [], 0
        out.write(b"".join(buffer))


def workbook(sheet: Iterable[str | bytes], strings: Iterable[str | bytes] | None = None, *, workbook_xml: str = WORKBOOK) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info_name, text in (("xl/workbook.xml", workbook_xml), ("xl/_rels/workbook.xml.rels", RELS)):
            info = zipfile.ZipInfo(info_name)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        _write(archive, "xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            _write(archive, "xl/sharedStrings.xml", strings)
    return out.getvalue()


def _sheet(rows: Callable[[], Iterable[str]]) -> Iterable[str]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'
    yield HEADER_ROW
    yield from rows()
    yield "</sheetData></worksheet>"


def long_row(cells: int, *, varied: bool = False) -> bytes:
    """Row 2 holds `cells` number cells without references (the shape of the original finding);
    `varied` makes them differ so the file compresses like a real sheet instead of 1000 times."""

    def rows():
        yield '<row r="2">'
        step = 4096
        for start in range(0, cells, step):
            if varied:
                yield "".join(f"<c><v>{(n * 2654435761) % 10**9}</v></c>" for n in range(start, min(start + step, cells)))
            else:
                yield "<c><v>1</v></c>" * min(step, cells - start)
        yield "</row>"

    return workbook(_sheet(rows))


def shared_strings(count: int) -> bytes:
    """`count` different shared strings; the sheet uses the first."""

    def strings():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst {NS} count="{count}" uniqueCount="{count}">'
        step = 10_000
        for start in range(0, count, step):
            yield "".join(f"<si><t>{n}</t></si>" for n in range(start, min(start + step, count)))
        yield "</sst>"

    return workbook(_sheet(lambda: ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings())


def zip_bomb(megabytes: int) -> bytes:
    """A sheet part of `megabytes` MB of blanks inside a row: about 1000 times smaller zipped."""

    def rows():
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c>'
        blanks = " " * BLOCK
        for _ in range(megabytes):
            yield blanks
        yield "</row>"

    return workbook(_sheet(rows))


def many_rows_bomb(megabytes: int) -> bytes:
    """Rows of a real shape, repeated: a sheet part of `megabytes` MB that compresses a thousand times."""
    line = '<row><c t="inlineStr"><is><t>张三</t></is></c><c t="inlineStr"><is><t>13900000000</t></is></c></row>'
    per_block = BLOCK // len(line.encode())

    def rows():
        block = line * per_block
        for _ in range(megabytes):
            yield block

    return workbook(_sheet(rows))


def entities(levels: int = 10) -> bytes:
    """Billion laughs in the shared strings: each entity ten of the one before."""

    def strings():
        decl = ['<!ENTITY e0 "lol">'] + [f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, levels)]
        yield f'<?xml version="1.0"?><!DOCTYPE sst [{"".join(decl)}]><sst {NS}><si><t>&e{levels - 1};</t></si></sst>'

    return workbook(_sheet(lambda: ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings())


def deep_strings(depth: int) -> bytes:
    """A shared string nested `depth` elements deep."""

    def strings():
        yield f'<?xml version="1.0"?><sst {NS}><si>'
        yield "<r>" * depth
        yield "</r>" * depth
        yield "</si></sst>"

    return workbook(_sheet(lambda: ['<row r="2"><c r="A2" t="s"><v>0</v></c></row>']), strings())


def deep_workbook(depth: int) -> bytes:
    """The workbook part nested `depth` elements deep (before its sheets)."""
    nested = "<x>" * depth + "</x>" * depth
    return workbook(_sheet(lambda: []), workbook_xml=WORKBOOK.replace("<sheets>", nested + "<sheets>"))


def long_cell(chars: int) -> bytes:
    return workbook(_sheet(lambda: [f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"张" * chars}</t></is></c></row>']))


def far_row(number: int = 1_000_000_000) -> bytes:
    return workbook(_sheet(lambda: [f'<row r="{number}"><c t="inlineStr"><is><t>张三</t></is></c></row>']))


def far_column() -> bytes:
    return workbook(_sheet(lambda: ['<row r="2"><c r="ZZZZZZZ2" t="inlineStr"><is><t>张三</t></is></c><x:c/></row>']))


def unclosed_rows(count: int) -> bytes:
    """`count` rows opened and never closed, then one empty row: each used to be scanned to the end."""
    return workbook(_sheet(lambda: ["<row>" * count, "<row/>"]))


def unclosed_cells(count: int) -> bytes:
    return workbook(_sheet(lambda: ['<row r="2">', '<c t="str">' * count, "</row>"]))


def long_csv_line(megabytes: int) -> bytes:
    return "姓名,手机号\n".encode() + b"," * (megabytes * BLOCK) + b"\n"
