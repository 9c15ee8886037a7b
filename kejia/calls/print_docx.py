"""The DOCX of an application (kejia.calls.print_layout) with python-docx: A4, the cover page,
the sections with ruled tables ("Table Grid"), sign-off blocks with the seal image when stored,
page numbers in the footer. The text is set in 宋体 and the headings in 黑体 (the East Asian font
of each run): Word and WPS on a Chinese desktop have both; fonts are not embedded in the DOCX (the
PDF carries its own)."""

import io

from kejia.calls.print_layout import Cover, Grid, Layout, LongText, Note, Pairs, Signoff

SONG, HEI, LATIN = "宋体", "黑体", "Times New Roman"


def _font(run, east_asian: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = LATIN
    run.font.bold = bold
    if size:
        run.font.size = Pt(size)
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)


def _para(container, text: str, *, size: float = 12, east_asian: str = SONG, bold: bool = False, align=None, space_after: float = 0):
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    lines = text.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    _font(run, east_asian, size, bold)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _cell(cell, text: str, *, label: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    lines = text.split("\n")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    _font(run, HEI if label else SONG, 10.5)


def _cover(document, cover: Cover) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm

    center = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(2):
        _para(document, "")
    _para(document, cover.top, size=18, east_asian=HEI, align=center, space_after=36)
    _para(document, cover.title, size=24, east_asian=HEI, bold=True, align=center, space_after=60)
    table = document.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in cover.lines:
        row = table.add_row().cells
        _cell(row[0], f"{label}：")
        _cell(row[1], value)
        row[0].width, row[1].width = Cm(3.5), Cm(9)
        for cell in row:
            for run in cell.paragraphs[0].runs:
                _font(run, SONG, 15)
    for _ in range(8):
        _para(document, "")
    _para(document, cover.bottom, size=15, align=center)
    last = _para(document, cover.month, size=15, align=center)
    last.add_run().add_break(WD_BREAK.PAGE)


def _table(document, header: list[str] | None, rows: list[list[str]], *, labelled: bool) -> None:
    table = document.add_table(rows=0, cols=len(header or rows[0]))
    table.style = "Table Grid"
    if header:
        for cell, text in zip(table.add_row().cells, header, strict=True):
            _cell(cell, text, label=True)
    for values in rows:
        cells = table.add_row().cells
        for i, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _cell(cell, text, label=labelled and i == 0)


def _signoff(document, block: Signoff) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    head = block.label + (f"（{block.help}）" if block.help else "") + "："
    _para(document, head, east_asian=HEI, space_after=4)
    if block.opinion is not None:
        _para(document, block.opinion, space_after=6)
    line = _para(document, f"{block.signer_label}：{block.name}        ")
    if block.seal:
        try:
            line.add_run().add_picture(io.BytesIO(block.seal), width=Cm(3))
        except Exception:  # an image Word cannot take: the words stand in for it
            _font(line.add_run(block.seal_label), SONG, 12)
    else:
        _font(line.add_run(block.seal_label), SONG, 12)
    _para(document, block.date, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=8)


def _page_number(section, footer_text: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = section.header.paragraphs[0]
    _font(header.add_run(footer_text), SONG, 9)
    paragraph = section.footer.paragraphs[0]
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
        run._element.append(element)
    _font(run, SONG, 9)


def render_docx(doc: Layout) -> bytes:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.different_first_page_header_footer = True  # no number on the cover
    _page_number(section, doc.footer)
    _cover(document, doc.cover)
    for number, part in enumerate(doc.sections):
        _para(document, part.title, size=14, east_asian=HEI, space_after=6)
        if part.help:
            _para(document, part.help, size=9)
        for block in part.blocks:
            if isinstance(block, Pairs):
                _table(document, None, [list(r) for r in block.rows], labelled=True)
            elif isinstance(block, Grid):
                _para(document, block.caption, size=12, east_asian=HEI, space_after=3)
                _table(document, block.header, block.rows, labelled=block.labelled)
            elif isinstance(block, LongText):
                _para(document, block.label + (f"（{block.help}）" if block.help else ""), east_asian=HEI, space_after=3)
                _para(document, block.text, space_after=8)
            elif isinstance(block, Signoff):
                _signoff(document, block)
            elif isinstance(block, Note):
                _para(document, block.text, space_after=6)
        if part.new_page and number + 1 < len(doc.sections):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
