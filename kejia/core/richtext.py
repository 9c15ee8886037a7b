"""Rich text (a call's notice and guide, a deliverable's note): one list of allowed tags and
attributes, applied with nh3 when the text is stored and again when it is rendered, so a page
marks as safe only what this module has cleaned. Scripts, styles, event handlers (on…) and
links other than http, https and mailto are removed."""

import re

import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "a"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
TAG = re.compile(r"<[a-zA-Z/!?]")


def sanitise(value: str | None) -> str:
    """The text with only the allowed tags and attributes left (what is stored)."""
    value = (value or "").strip()
    if not value:
        return ""
    return nh3.clean(value, tags=set(ALLOWED_TAGS), attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}, url_schemes=set(URL_SCHEMES))


def render(value: str | None) -> SafeString:
    """HTML for a page: text without tags keeps its line breaks (escaped), text with tags is
    cleaned again (rows stored before this module, or written around the services)."""
    value = (value or "").strip()
    if not TAG.search(value):
        return mark_safe(linebreaks(escape(value)))  # escaped just above
    return mark_safe(sanitise(value))  # cleaned by nh3 with the allowed list
