"""Text as the system keeps it: one normalisation for every string that comes in (JSON bodies,
form posts, imported cells) and the checks a person's name gets on top.

normalise_text: Unicode NFC; control characters removed (tab and line breaks kept, CR LF and CR
made LF), and what no text can hold — lone surrogates, U+FFFE/U+FFFF — removed too. A NUL or an
ESC in a name would otherwise be stored and then break every spreadsheet it is written to (XML
cannot hold them) or the PostgreSQL driver (NUL)."""

import re
import unicodedata
from typing import Any

# C0 controls but tab and line feed (CR is turned into LF first), DEL, C1 controls, surrogates, non-characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Bidirectional overrides, embeddings, isolates and marks, and zero-width characters: invisible in
# a name, they make two names that look the same differ or reverse how a name is shown.
_INVISIBLE_RE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SKIP_KEYS = ("password",)  # secrets are compared byte for byte; never rewritten


def normalise_text(value: str) -> str:
    if value.isprintable() and (value.isascii() or unicodedata.is_normalized("NFC", value)):
        return value  # the common case, at C speed (an import normalises millions of cells)
    value = _CONTROL_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", value)


def normalise_data(value: Any, *, key: str = "") -> Any:
    """Every string of a parsed JSON document (dicts, lists) normalised; keys too. A value under a
    key naming a password is left as it is."""
    if isinstance(value, str):
        return value if _is_secret(key) else normalise_text(value)
    if isinstance(value, dict):
        return {normalise_text(k) if isinstance(k, str) else k: normalise_data(v, key=k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_data(v, key=key) for v in value]
    return value


def _is_secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in _SKIP_KEYS)


def normalise_querydict(data):
    """A copy of a QueryDict (form post) with every value normalised, passwords left as they are."""
    from django.http import QueryDict

    copy = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        if not _is_secret(key):
            key, values = normalise_text(key), [normalise_text(v) if isinstance(v, str) else v for v in values]
        copy.setlist(key, copy.getlist(key) + values)
    copy._mutable = False
    return copy


def has_invisible_marks(value: str) -> bool:
    """Whether `value` holds a bidirectional control or a zero-width character."""
    return _INVISIBLE_RE.search(value) is not None


def whole_number(value: Any, *, max_digits: int = 18) -> int | None:
    """A whole number ≥ 0 written in decimal digits (ASCII or full-width), at most `max_digits` of
    them, or None. Not str.isdigit(): it is true for "²" and "①", which int() refuses — a 500
    where a query string or a form field was merely wrong."""
    text = str(value).strip()
    return int(text) if text.isdecimal() and len(text) <= max_digits else None
