"""The PDF of an application (kejia.calls.print_layout) with reportlab: A4, the cover page,
sections with ruled tables, the Chinese text set in a TrueType font embedded as a subset.

The font: reportlab embeds TrueType outlines only, and Debian's fonts-noto-cjk has PostScript (CFF)
outlines, so the form is set in AR PL UMing CN (a Song face, as forms are printed; Debian
fonts-arphic-uming), headings in WenQuanYi Micro Hei (a Hei face; fonts-wqy-microhei). The setting
CALLS_PRINT_FONTS (environment, comma-separated "path" or "path#index" of a font collection)
replaces the search list: the first usable font sets the text, the second the headings. Without
any, printing a PDF is refused with the code no_cjk_font (503) rather than printing empty boxes."""

import functools
import io
import logging
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext

from kejia.calls.print_layout import Cover, Grid, Layout, LongText, Note, Pairs, Signoff
from kejia.core.errors import DomainError

log = logging.getLogger(__name__)

# (path, index in a collection): Song faces first for the text, then Hei faces for headings
SEARCH = [
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # AR PL UMing CN
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),  # AR PL SungtiL GB
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # WenQuanYi Micro Hei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # WenQuanYi Zen Hei
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
]
HEADING_SEARCH = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]


def _candidates() -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    configured = [e.strip() for e in getattr(settings, "CALLS_PRINT_FONTS", []) or [] if e.strip()]
    if not configured:
        return SEARCH, HEADING_SEARCH
    parsed = []
    for entry in configured:
        path, _, index = entry.partition("#")
        parsed.append((path, int(index) if index.isdigit() else 0))
    return parsed[:1], parsed[1:2] or parsed[:1]


def _register(name: str, candidates: list[tuple[str, int]]) -> str | None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for path, index in candidates:
        if not Path(path).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
        except (TTFError, OSError) as exc:  # PostScript outlines, a damaged file
            log.warning("font %s#%s cannot be embedded: %s", path, index, exc)
            continue
        return name
    return None


@functools.cache
def _fonts() -> tuple[str, str] | None:
    text, headings = _candidates()
    body = _register("kejia-cjk", text)
    if body is None:
        return None
    return body, _register("kejia-cjk-heading", headings) or body


def fonts() -> tuple[str, str]:
    """The registered (text, heading) font names; refuses clearly when no Chinese font is installed."""
    found = _fonts()
    if found is None:
        _fonts.cache_clear()  # installing a font later takes effect without a restart
        raise DomainError(
            "no_cjk_font",
            gettext("No Chinese font for printing is installed on the server. Ask the administrators to install fonts-arphic-uming."),
        )
    return found


def _styles(body: str, heading: str):
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("text", fontName=body, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "text": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10.5, leading=15),
        "label": ParagraphStyle("label", parent=base, fontName=heading, fontSize=10.5, leading=15),
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=13),
        "h1": ParagraphStyle("h1", parent=base, fontName=heading, fontSize=14, leading=22, spaceBefore=10, spaceAfter=6, keepWithNext=1),
        "caption": ParagraphStyle("caption", parent=base, fontName=heading, fontSize=11, leading=17, spaceBefore=6, spaceAfter=3, keepWithNext=1),
        "cover_top": ParagraphStyle("cover_top", parent=base, fontName=heading, fontSize=18, leading=26, alignment=TA_CENTER),
        "cover_title": ParagraphStyle("cover_title", parent=base, fontName=heading, fontSize=24, leading=34, alignment=TA_CENTER),
        "cover_line": ParagraphStyle("cover_line", parent=base, fontSize=15, leading=24),
        "cover_bottom": ParagraphStyle("cover_bottom", parent=base, fontSize=15, leading=24, alignment=TA_CENTER),
    }


def _p(text: str, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _paragraphs(text: str, style) -> list:
    return [_p(line, style) for line in (text.split("\n") or [""])]


def _cover(cover: Cover, st, width: float) -> list:
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Spacer, Table

    lines = Table(
        [[_p(f"{label}：", st["cover_line"]), _p(value, st["cover_line"])] for label, value in cover.lines],
        colWidths=[4.2 * cm, width - 8.4 * cm],
        style=[
            ("LINEBELOW", (1, 0), (1, -1), 0.8, "black"),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("TOPPADDING", (0, 0), (-1, -1), 10),
            ("FONTNAME", (0, 0), (-1, -1), st["text"].fontName),
        ],
    )
    return [
        Spacer(1, 2 * cm),
        _p(cover.top, st["cover_top"]),
        Spacer(1, 2.5 * cm),
        _p(cover.title, st["cover_title"]),
        Spacer(1, 4 * cm),
        lines,
        Spacer(1, 6 * cm),
        _p(cover.bottom, st["cover_bottom"]),
        _p(cover.month, st["cover_bottom"]),
        PageBreak(),
    ]


def _grid_style(st) -> list:
    # FONTNAME: a table names its cells' font even when every cell is a paragraph (Helvetica by default)
    return [("GRID", (0, 0), (-1, -1), 0.6, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), st["text"].fontName)]


def _pairs(block: Pairs, st, width: float):
    from reportlab.lib.units import cm
    from reportlab.platypus import Table

    rows = [[_p(label, st["label"]), _p(value, st["cell"])] for label, value in block.rows]
    return Table(rows, colWidths=[3.6 * cm, width - 3.6 * cm], style=_grid_style(st), repeatRows=0)


def _grid(block: Grid, st, width: float) -> list:
    from reportlab.platypus import Table

    columns = len(block.header)
    first = width * (0.22 if block.labelled else 1 / columns)
    widths = [first] + [(width - first) / max(columns - 1, 1)] * (columns - 1) if columns > 1 else [width]
    rows = [[_p(h, st["label"]) for h in block.header]]
    rows += [[_p(cell, st["label"] if block.labelled and i == 0 else st["cell"]) for i, cell in enumerate(row)] for row in block.rows]
    return [_p(block.caption, st["caption"]), Table(rows, colWidths=widths, style=_grid_style(st), repeatRows=1)]


def _long(block: LongText, st) -> list:
    from reportlab.platypus import HRFlowable

    head = block.label + (f"（{block.help}）" if block.help else "")
    return [_p(head, st["caption"]), *_paragraphs(block.text, st["text"]), HRFlowable(width="100%", thickness=0.4, color="black", spaceBefore=4, spaceAfter=4)]


def _signoff(block: Signoff, st, width: float) -> list:
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import HRFlowable, Image, KeepTogether, Table

    head = block.label + (f"（{block.help}）" if block.help else "") + "："
    seal = None
    if block.seal:
        try:
            seal = Image(io.BytesIO(block.seal), width=3 * cm, height=3 * cm, kind="proportional")
        except Exception:  # an image reportlab cannot read: the words stand in for it
            seal = None
    sign = Table(
        [[_p(f"{block.signer_label}：{block.name}", st["text"]), seal or _p(block.seal_label, st["text"])]],
        colWidths=[width * 0.62, width * 0.38],
        style=[("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), st["text"].fontName)],
    )
    right = ParagraphStyle("right", parent=st["text"], alignment=TA_RIGHT)
    parts = [_p(head, st["caption"])]
    if block.opinion is not None:
        parts += _paragraphs(block.opinion, st["text"])
    tail = [sign, _p(block.date, right), HRFlowable(width="100%", thickness=0.4, color="black", spaceBefore=4, spaceAfter=4)]
    return [*parts, KeepTogether(tail)]


def render_pdf(doc: Layout) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    body, heading = fonts()
    st = _styles(body, heading)
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=2.6 * cm,
        rightMargin=2.6 * cm,
        topMargin=2.5 * cm,
        bottomMargin=2.5 * cm,
        title=doc.cover.title,
        author=doc.cover.top,
        initialFontName=body,  # else every page names Helvetica, a font it never uses
        initialFontSize=11,
    )
    width = template.width
    story = _cover(doc.cover, st, width)
    for number, section in enumerate(doc.sections):
        story.append(_p(section.title, st["h1"]))
        if section.help:
            story.append(_p(section.help, st["small"]))
        for block in section.blocks:
            if isinstance(block, Pairs):
                story.append(_pairs(block, st, width))
            elif isinstance(block, Grid):
                story += _grid(block, st, width)
            elif isinstance(block, LongText):
                story += _long(block, st)
            elif isinstance(block, Signoff):
                story += _signoff(block, st, width)
            elif isinstance(block, Note):
                story += _paragraphs(block.text, st["text"])
        if section.new_page and number + 1 < len(doc.sections):
            story.append(PageBreak())

    def page_number(canvas, document):
        if document.page == 1:
            return
        canvas.saveState()
        canvas.setFont(body, 9)
        canvas.drawCentredString(A4[0] / 2, 1.4 * cm, f"— {document.page - 1} —")
        canvas.drawString(2.6 * cm, A4[1] - 1.6 * cm, doc.footer[:60])
        canvas.restoreState()

    template.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()
