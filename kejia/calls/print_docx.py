"""The DOCX of an application (kejia.calls.print_layout) with python-docx: A4, the cover page,
the sections with ruled tables ("Table Grid"), sign-off blocks with the seal image when stored,
page numbers in the footer. The text is set in 宋体 and the headings in 黑体 (the East Asian font
of the paragraph styles made here): Word and WPS on a Chinese desktop have both; fonts are not
embedded in the DOCX (the PDF carries its own). Fonts and sizes live in a few paragraph styles
rather than on every run: that is what Word does, and it halves the time to write the file."""

import functools
import io

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kejia.calls.print_layout import Cover, Grid, Layout, LongText, Note, Pairs, Signoff

SONG, HEI, LATIN = "宋体", "黑体", "Times New Roman"
# name: (size in points, East Asian font, bold, space after in points, alignment)
STYLES = {
    "Kejia Text": (12, SONG, False, 0, None),
    "Kejia Opinion": (12, SONG, False, 6, None),
    "Kejia Right": (12, SONG, False, 8, WD_ALIGN_PARAGRAPH.RIGHT),
    "Kejia Small": (9, SONG, False, 0, None),
    "Kejia Cell": (10.5, SONG, False, 0, None),
    "Kejia Cell Label": (10.5, HEI, False, 0, None),
    "Kejia Caption": (12, HEI, False, 3, None),
    "Kejia Section": (14, HEI, False, 6, None),
    "Kejia Cover Top": (18, HEI, False, 36, WD_ALIGN_PARAGRAPH.CENTER),
    "Kejia Cover Title": (24, HEI, True, 60, WD_ALIGN_PARAGRAPH.CENTER),
    "Kejia Cover Line": (15, SONG, False, 0, None),
    "Kejia Cover Bottom": (15, SONG, False, 0, WD_ALIGN_PARAGRAPH.CENTER),
}


def _east_asian(element, font: str) -> None:
    element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


@functools.cache
def _base() -> bytes:
    """An empty A4 document with the styles, made once per process (adding a style is slow)."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(12)
    _east_asian(normal.element, SONG)
    for name, (size, east_asian, bold, after, align) in STYLES.items():
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.name, style.font.size, style.font.bold = LATIN, Pt(size), bold
        _east_asian(style.element, east_asian)
        style.paragraph_format.space_after = Pt(after)
        style.paragraph_format.keep_with_next = name in ("Kejia Section", "Kejia Caption")
        if align is not None:
            style.paragraph_format.alignment = align
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.different_first_page_header_footer = True  # no number on the cover
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _lines(paragraph, text: str):
    lines = text.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    return paragraph


def _set_style(paragraph, style) -> None:
    # What `paragraph.style = style` does, without its check that the style is not the default one
    # (a walk over every style of the document, 8 ms a paragraph: most of the time of a file).
    paragraph._p.style = style.style_id


def _para(container, text: str, style):
    paragraph = container.add_paragraph()
    _set_style(paragraph, style)
    return _lines(paragraph, text)


def _cell(cell, text: str, style) -> None:
    paragraph = cell.paragraphs[0]
    _set_style(paragraph, style)
    _lines(paragraph, text)


def _cover(document, cover: Cover, st: dict) -> None:
    for _ in range(2):
        _para(document, "", st["Kejia Text"])
    _para(document, cover.top, st["Kejia Cover Top"])
    _para(document, cover.title, st["Kejia Cover Title"])
    table = document.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in cover.lines:
        row = table.add_row().cells
        _cell(row[0], f"{label}：", st["Kejia Cover Line"])
        _cell(row[1], value, st["Kejia Cover Line"])
        row[0].width, row[1].width = Cm(3.5), Cm(9)
    for _ in range(8):
        _para(document, "", st["Kejia Text"])
    _para(document, cover.bottom, st["Kejia Cover Bottom"])
    _para(document, cover.month, st["Kejia Cover Bottom"]).add_run().add_break(WD_BREAK.PAGE)


def _table(document, header: list[str] | None, rows: list[list[str]], *, labelled: bool, st: dict) -> None:
    table = document.add_table(rows=0, cols=len(header or rows[0]))
    table.style = "Table Grid"
    if header:
        for cell, text in zip(table.add_row().cells, header, strict=True):
            _cell(cell, text, st["Kejia Cell Label"])
    for values in rows:
        for i, (cell, text) in enumerate(zip(table.add_row().cells, values, strict=True)):
            _cell(cell, text, st["Kejia Cell Label"] if labelled and i == 0 else st["Kejia Cell"])


def _signoff(document, block: Signoff, st: dict) -> None:
    _para(document, block.label + (f"（{block.help}）" if block.help else "") + "：", st["Kejia Caption"])
    if block.opinion is not None:
        _para(document, block.opinion, st["Kejia Opinion"])
    line = _para(document, f"{block.signer_label}：{block.name}        ", st["Kejia Text"])
    placed = False
    if block.seal:
        try:
            line.add_run().add_picture(io.BytesIO(block.seal), width=Cm(3))
            placed = True
        except Exception:  # an image Word cannot take: the words stand in for it
            placed = False
    if not placed:
        line.add_run(block.seal_label)
    _para(document, block.date, st["Kejia Right"])


def _page_number(section, header_text: str, st: dict) -> None:
    _set_style(_lines(section.header.paragraphs[0], header_text), st["Kejia Small"])
    paragraph = section.footer.paragraphs[0]
    _set_style(paragraph, st["Kejia Small"])
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run.element.append(element)


def render_docx(doc: Layout) -> bytes:
    document = docx.Document(io.BytesIO(_base()))
    st = {style.name: style for style in document.styles if style.name in STYLES}  # one walk, not one per name
    section = document.sections[0]
    _page_number(section, doc.footer, st)
    _cover(document, doc.cover, st)
    for number, part in enumerate(doc.sections):
        _para(document, part.title, st["Kejia Section"])
        if part.help:
            _para(document, part.help, st["Kejia Small"])
        for block in part.blocks:
            if isinstance(block, Pairs):
                _table(document, None, [list(r) for r in block.rows], labelled=True, st=st)
            elif isinstance(block, Grid):
                _para(document, block.caption, st["Kejia Caption"])
                _table(document, block.header, block.rows, labelled=block.labelled, st=st)
            elif isinstance(block, LongText):
                _para(document, block.label + (f"（{block.help}）" if block.help else ""), st["Kejia Caption"])
                _para(document, block.text, st["Kejia Opinion"])
            elif isinstance(block, Signoff):
                _signoff(document, block, st)
            elif isinstance(block, Note):
                _para(document, block.text, st["Kejia Opinion"])
        if part.new_page and number + 1 < len(doc.sections):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
