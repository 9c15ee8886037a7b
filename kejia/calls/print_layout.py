"""The layout of a printed application (kejia.calls.printing): what the cover page, each section,
table and sign-off block say, made from the form definition and the answers, for the DOCX and the
PDF renderers (kejia.calls.print_docx, kejia.calls.print_pdf) to draw alike."""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext, pgettext

from kejia.calls import forms_spec, services
from kejia.calls.models import Application

FILENAME_LABEL = "申报单位"
SEAL_PREFIX = "calls/"  # a seal image is a stored file under the calls' folder, nothing else
SEAL_MAX_BYTES = 2 * 1024 * 1024
UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass
class Pairs:
    """Short answers: a two-column table, label | value."""

    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class LongText:
    label: str
    help: str
    text: str


@dataclass
class Grid:
    """A table: its caption, header and rows of cells (the first column a label when `labelled`)."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    labelled: bool = False


@dataclass
class Signoff:
    label: str
    help: str
    opinion: str | None  # None: the block has no opinion text
    signer_label: str
    name: str
    date: str
    seal: bytes | None
    seal_label: str


@dataclass
class Note:
    label: str
    text: str


@dataclass
class Section:
    title: str
    help: str
    blocks: list = field(default_factory=list)
    new_page: bool = False


@dataclass
class Cover:
    top: str
    title: str
    lines: list[tuple[str, str]]
    bottom: str
    month: str


@dataclass
class Layout:
    cover: Cover
    sections: list[Section]
    footer: str


def month_text(value: str) -> str:
    """2020-06 → 2020年6月 (anything else as written)."""
    match = forms_spec.MONTH.match(str(value).strip())
    return f"{match.group(1)}年{int(match.group(2))}月" if match else str(value)


def date_text(value: str) -> str:
    try:
        day = datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


class _Values:
    """How answers print: "/" (or nothing) for a blank, months and dates in Chinese, choices by label."""

    def __init__(self, slash: bool):
        self.empty = forms_spec.SLASH if slash else ""

    def scalar(self, spec: dict, value) -> str:
        if _blank(value):
            return self.empty
        text = str(value).strip()
        kind = spec["type"]
        if kind == "month":
            return month_text(text)
        if kind == "date":
            return date_text(text)
        if kind == "choice":
            return next((str(o.get("label", o["value"])) for o in spec.get("options", []) if str(o["value"]) == text), text)
        if kind == "money" and text != forms_spec.SLASH:
            return gettext("%(amount)s yuan") % {"amount": text}
        if kind == "attachment":
            return text.rsplit("/", 1)[-1]
        return text

    def any(self, spec: dict, value) -> str:
        kind = spec["type"]
        if kind in ("month_range", "date_range"):
            if not isinstance(value, dict) or _blank(value.get("start")):
                return self.empty
            show = month_text if kind == "month_range" else date_text
            return gettext("%(start)s to %(end)s") % {"start": show(value["start"]), "end": show(value.get("end", ""))}
        if kind == "multi_choice":
            labels = {str(o["value"]): str(o.get("label", o["value"])) for o in spec.get("options", [])}
            return "、".join(labels.get(str(v), str(v)) for v in value) if isinstance(value, list) and value else self.empty
        return self.scalar(spec, value)


def seal_image(reference) -> bytes | None:
    """The stored seal image a sign-off names, when it is one (a readable image under the calls'
    folder, at most 2 MB); anything else prints as the words （单位公章）."""
    if not isinstance(reference, str) or not reference.startswith(SEAL_PREFIX) or ".." in reference:
        return None
    try:
        if not default_storage.exists(reference) or default_storage.size(reference) > SEAL_MAX_BYTES:
            return None
        with default_storage.open(reference, "rb") as fh:
            data = fh.read()
        from PIL import Image

        Image.open(io.BytesIO(data)).verify()
    except Exception:  # a missing, unreadable or non-image file: the words stand in for it
        return None
    return data


def _grid(field_spec: dict, value, values: _Values) -> Grid:
    columns = field_spec.get("columns", [])
    fixed = field_spec.get("rows") or []
    rows = [r if isinstance(r, dict) else {} for r in (value if isinstance(value, list) else [])]
    caption = field_spec.get("label", field_spec["key"])
    if fixed:
        rows = [rows[i] if i < len(rows) else {} for i in range(len(fixed))]
        if len(fixed) < len(columns):  # turned as on the paper form: one column per fixed row
            body = [[c.get("label", c["key"])] + [values.scalar(c, r.get(c["key"])) for r in rows] for c in columns]
            return Grid(caption, [""] + [str(label) for label in fixed], body, labelled=True)
        body = [[str(fixed[i])] + [values.scalar(c, r.get(c["key"])) for c in columns] for i, r in enumerate(rows)]
        return Grid(caption, [""] + [c.get("label", c["key"]) for c in columns], body, labelled=True)
    rows = [r for r in rows if not all(_blank(r.get(c["key"])) for c in columns)] or [{}]
    return Grid(caption, [c.get("label", c["key"]) for c in columns], [[values.scalar(c, r.get(c["key"])) for c in columns] for r in rows])


def _signer_label(label: str) -> str:
    # 申报单位意见 → 申报单位负责人（签章）, as on the paper form
    unit = label[: -len("意见")] if label.endswith("意见") else ""
    return gettext("%(unit)sHead (signature and seal)") % {"unit": unit}


def _signoff(field_spec: dict, value, values: _Values) -> Signoff:
    value = value if isinstance(value, dict) else {}
    label = field_spec.get("label", field_spec["key"])
    return Signoff(
        label=label,
        help=field_spec.get("help", ""),
        opinion=values.scalar({"type": "long_text"}, value.get("opinion")) if field_spec.get("opinion") else None,
        signer_label=_signer_label(label),
        name=values.scalar({"type": "short_text"}, value.get("name")),
        date=values.scalar({"type": "date"}, value.get("date")),
        seal=seal_image(value.get("seal")),
        seal_label=gettext("(Seal of the unit)"),
    )


def _section(spec_section: dict, data: dict, facts: dict, values: _Values) -> Section:
    section = Section(spec_section["title"], spec_section.get("help", ""))
    pairs: Pairs | None = None
    for field_spec in spec_section.get("fields", []):
        if not forms_spec.applies(field_spec, data, facts):
            continue
        kind, value = field_spec["type"], data.get(field_spec["key"])
        label = field_spec.get("label", field_spec["key"])
        if kind in ("short_text", "date", "month", "number", "money", "choice", "attachment", "date_range", "month_range", "multi_choice"):
            if pairs is None:
                pairs = Pairs()
                section.blocks.append(pairs)
            pairs.rows.append((label, values.any(field_spec, value)))
            continue
        pairs = None
        if kind == "long_text":
            section.blocks.append(LongText(label, field_spec.get("help", ""), values.scalar(field_spec, value)))
        elif kind == "table":
            section.blocks.append(_grid(field_spec, value, values))
        elif kind == "signoff":
            section.blocks.append(_signoff(field_spec, value, values))
        elif kind == "note":
            section.blocks.append(Note(label, field_spec.get("text", "")))
    section.new_page = bool(section.blocks) and all(isinstance(b, Note) for b in section.blocks)
    return section


def applicant_name(application: Application) -> str:
    if application.applicant_id:
        return application.applicant.name
    user = application.applicant_user
    return (getattr(user, "display_name", "") or getattr(user, "username", "")) if user else ""


def _cover(application: Application, spec: dict, data: dict, values: _Values) -> tuple[Cover, str | None]:
    """The cover and the key of the section it was made from (None: made from the application)."""
    call = application.call
    month = application.submitted_at or application.updated_at or datetime.datetime.now(datetime.UTC)
    month_value = f"{month.year}年{month.month}月"
    for spec_section in spec.get("sections", []):
        if spec_section.get("key") != "cover":
            continue
        lines = []
        for field_spec in spec_section.get("fields", []):
            if field_spec["type"] == "month":
                month_value = values.scalar(field_spec, data.get(field_spec["key"]))
            elif field_spec["type"] != "note":
                lines.append((field_spec.get("label", field_spec["key"]), values.any(field_spec, data.get(field_spec["key"]))))
        return Cover(call.owner.name, application.form.title, lines, call.owner.name, month_value), spec_section["key"]
    lines = [
        (pgettext("print cover", "Call"), call.title),
        (pgettext("print cover", "Applicant"), applicant_name(application)),
        (pgettext("print cover", "Title"), application.title or values.empty),
    ]
    return Cover(call.owner.name, application.form.title, lines, call.owner.name, month_value), None


def layout(application: Application) -> Layout:
    """What is printed, in Chinese whatever the reader's language: the official form is Chinese."""
    with translation.override("zh-hans"):
        spec, data = application.form.spec, application.data or {}
        values = _Values(bool(spec.get("slash_for_empty")))
        cover, cover_key = _cover(application, spec, data, values)
        facts = services.facts(application)
        sections = [_section(s, data, facts, values) for s in spec.get("sections", []) if s.get("key") != cover_key]
        footer = gettext("%(title)s — %(applicant)s") % {"title": application.form.title, "applicant": applicant_name(application)}
        return Layout(cover, [s for s in sections if s.blocks], footer)


def safe_name(text) -> str:
    """A name usable as a file name on every desktop: no separators, controls or reserved marks."""
    return UNSAFE.sub("_", text).strip(" ._")[:80] if isinstance(text, str) else ""


def filename_base(application: Application) -> str:
    """The 申报单位's name, made safe as a file name (the notice: 文件名为“申报单位”)."""
    data = application.data or {}
    named = next((data.get(f["key"]) for f in forms_spec.fields(application.form.spec) if f.get("label") == FILENAME_LABEL), None)
    for candidate in (named, applicant_name(application)):
        clean = safe_name(candidate)
        if clean and clean != forms_spec.SLASH:
            return clean
    return f"application-{application.pk}"
