"""The streaming XLSX reader against openpyxl (the reference) on what spreadsheets contain, and on
hand-written parts openpyxl never writes (shared strings with rich text and phonetic runs,
namespace prefixes, the 1904 date system, custom date formats, cells without references)."""

import datetime
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from kejia.imports.xlsx import NotAWorkbook, Sheet, read_first_sheet


def _trim(row) -> tuple:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return tuple(row)


def reference(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    return [_trim(r) for r in sheet.iter_rows(values_only=True)]


def ours(content: bytes) -> tuple[list[tuple], set]:
    formulas: set = set()
    rows = []
    for number, cells in read_first_sheet(content, formulas):
        assert number == len(rows) + 1
        rows.append(_trim(cells))
    while rows and not rows[-1]:
        rows.pop()
    return rows, formulas


def saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_read_matches_openpyxl_on_spreadsheet_traps():
    book = Workbook()
    sheet = book.active
    sheet.append(["江苏省计算机学会会员名单（2026年）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["姓名", "出生日期", "身份证号", "数量", "公式", "是否", "时间"])
    sheet.append(["张三", datetime.date(1980, 1, 2), 320102198001020011, 1.5, "=1+2", True, datetime.datetime(2024, 3, 4, 5, 6, 7)])
    sheet.append([])
    sheet.append(["  李四 ", datetime.datetime(1999, 12, 31), "3.20102E+17", -3, None, False, 0.25])
    sheet.append(["a & b <c> \"d\" 'e'", "第一行\n第二行", "ｆｕｌｌ　ｗｉｄｔｈ　１２３", 10**15, 1e-7])
    sheet["B8"] = 45000
    sheet["B8"].number_format = "yyyy/m/d"
    sheet["D9"] = 45000.5
    sheet["D9"].number_format = "[$-F800]dddd, mmmm dd, yyyy"
    sheet["E9"] = 12
    sheet["E9"].number_format = '0.00"天"'
    sheet["C10"] = "x"
    content = saved(book)
    rows, formulas = ours(content)
    assert rows == reference(content)
    assert formulas == {(3, 4)}  # E3: a formula openpyxl wrote without a cached value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.none(),
                st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
                st.integers(min_value=-(10**15), max_value=10**15),
                st.floats(allow_nan=False, allow_infinity=False, width=32),
                st.booleans(),
                st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
            ),
            max_size=8,
        ),
        max_size=12,
    )
)
def test_read_matches_openpyxl_on_any_grid(grid):
    book = Workbook()
    sheet = book.active
    for row in grid:
        sheet.append([v.strip() or None if isinstance(v, str) and v.strip() == "" else v for v in row])
    content = saved(book)
    rows, _ = ours(content)
    expected = reference(content)
    while expected and not expected[-1]:
        expected.pop()
    assert rows == expected


def _workbook(sheet_xml: str, *, shared: str = "", styles: str = "", date1904: bool = False, prefix: str = "") -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{ns}" xmlns:r="{rel}">{pr}<sheets><sheet name="名单" sheetId="1" r:id="rId7"/></sheets></workbook>')
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Type="worksheet" Target="worksheets/名单.xml"/></Relationships>',
        )
        decl = f'xmlns:{prefix[:-1]}="{ns}"' if prefix else f'xmlns="{ns}"'
        z.writestr("xl/worksheets/名单.xml", f"<{prefix}worksheet {decl}><{prefix}sheetData>{sheet_xml}</{prefix}sheetData></{prefix}worksheet>")
        if shared:
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{ns}">{shared}</sst>')
        if styles:
            z.writestr("xl/styles.xml", f'<styleSheet xmlns="{ns}">{styles}</styleSheet>')
    return out.getvalue()


def test_read_shared_strings_rich_text_and_phonetic_runs():
    shared = (
        '<si><t>姓名</t></si><si><t xml:space="preserve"> 王 五 </t></si>'
        '<si><r><rPr><b/></rPr><t>南京</t></r><r><t>大学</t></r><rPh sb="0" eb="1"><t>ナンキン</t></rPh></si><si><t>A&amp;B</t></si>'
    )
    content = _workbook(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>3</v></c></row>'
        '<row r="2" spans="1:3"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c></row>',
        shared=shared,
    )
    rows, _ = ours(content)
    assert rows == [("姓名", None, "A&B"), (" 王 五 ", "南京大学")]


def test_read_prefixed_namespace_gaps_and_cells_without_reference():
    content = _workbook(
        '<x:row r="2"><x:c t="inlineStr"><x:is><x:t>甲</x:t></x:is></x:c><x:c><x:v>7</x:v></x:c></x:row>'
        '<x:row r="5"/><x:row r="6"><x:c r="C6" t="b"><x:v>1</x:v></x:c></x:row>',
        prefix="x:",
    )
    rows, _ = ours(content)
    assert rows == [(), ("甲", 7), (), (), (), (None, None, True)]


def test_read_dates_1904_system_custom_formats_and_iso_cells():
    styles = (
        '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
        '<numFmt numFmtId="165" formatCode="0.00&quot;d&quot;"/></numFmts>'
        '<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="14"/></cellXfs>'
    )
    sheet = (
        '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="2"><v>5</v></c><c r="C1" s="3"><v>1.5</v></c>'
        '<c r="D1" t="d"><v>2026-11-23T00:00:00</v></c><c r="E1"><f>A1+1</f><v>3</v></c><c r="F1"><f>NOW()</f></c>'
        '<c r="G1" t="e"><v>#N/A</v></c><c r="H1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>'
    )
    rows, formulas = ours(_workbook(sheet, styles=styles, date1904=True))
    assert rows == [(datetime.datetime(1904, 1, 1), 5, datetime.datetime(1904, 1, 2, 12, 0), datetime.datetime(2026, 11, 23), 3, None, "#N/A", "ab")]
    assert formulas == {(1, 5)}
    rows, _ = ours(_workbook('<row r="1"><c r="A1" s="3"><v>29221</v></c></row>', styles=styles))
    assert rows == [(datetime.datetime(1980, 1, 1),)]


@pytest.mark.parametrize("content", [b"PK\x03\x04 not a zip", b"", _workbook("").replace(b"workbook", b"wurkbook")])
def test_read_refuses_what_is_not_a_workbook(content):
    with pytest.raises(NotAWorkbook):
        list(read_first_sheet(content, set()))


_ROW_TAGS = st.lists(st.tuples(st.sampled_from(["", "x:"]), st.one_of(st.none(), st.integers(1, 40)), st.booleans()), max_size=25)


@settings(max_examples=150, deadline=None)
@given(_ROW_TAGS, st.integers(1, 10))
def test_scan_counts_the_rows_parse_yields(tags, expected):
    """A large import numbers each piece's rows from Sheet.scan (row tags only) while workers
    parse the pieces: the two must agree on any mix of numbered, unnumbered, empty and
    out-of-order rows."""
    piece = "".join(
        f"<{p}row{f' r={chr(34)}{n}{chr(34)}' if n else ''}" + ("/>" if empty else f"><{p}c><{p}v>1</{p}v></{p}c></{p}row>") for p, n, empty in tags
    )
    parsed, after = _sheet().parse(piece, expected, set())
    assert Sheet.scan(piece, expected) == (len(parsed), after)


def _sheet() -> Sheet:
    return Sheet(_workbook('<row r="1"><c r="A1"><v>1</v></c></row>'))
