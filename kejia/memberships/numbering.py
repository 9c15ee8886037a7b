"""Member numbers: unique per society, in a format the society sets.

A format is text with tokens: {code} (the society's code), {year} (year of approval), {class}
(the member class code, upper case) and {seq} or {seq:0N} (the society's running number, padded
to N digits). Only these tokens are accepted; str.format is never given a user's format."""

import re

from django.utils.translation import gettext_lazy as _

from kejia.core.errors import DomainError

_TOKEN = re.compile(r"\{([a-z]+)(?::0?(\d{1,2}))?\}")
_ALLOWED = {"code", "year", "class", "seq"}
MAX_LENGTH = 40


def validate_format(fmt: str, *, code: str = "X" * 12, class_length: int = 12) -> str:
    """Check a format; `code` and `class_length` are the society's code and its longest class
    code, so numbers in an accepted format fit the field."""
    fmt = (fmt or "").strip()
    if not fmt:
        raise DomainError("invalid_number_format", _("The member number format is empty."), field="number_format")
    names = [m.group(1) for m in _TOKEN.finditer(fmt)]
    unknown = sorted(set(names) - _ALLOWED)
    if unknown:
        raise DomainError(
            "invalid_number_format",
            _("Unknown token in the member number format: %(tokens)s. Use {code}, {year}, {class} and {seq}.")
            % {"tokens": ", ".join(f"{{{n}}}" for n in unknown)},
            field="number_format",
        )
    if names.count("seq") != 1:
        raise DomainError(
            "invalid_number_format", _("The member number format must contain {seq} exactly once, so numbers stay unique."), field="number_format"
        )
    rest = _TOKEN.sub("", fmt)
    if "{" in rest or "}" in rest or not re.fullmatch(r"[0-9A-Za-z\-_/.]*", rest):
        raise DomainError(
            "invalid_number_format", _("The member number format may only hold letters, digits, - _ / . besides its tokens."), field="number_format"
        )
    if len(format_number(fmt, code=code, year=2026, class_code="X" * class_length, seq=10**7)) > MAX_LENGTH:
        raise DomainError(
            "invalid_number_format", _("Member numbers in this format would be longer than %(n)s characters.") % {"n": MAX_LENGTH}, field="number_format"
        )
    return fmt


def format_number(fmt: str, *, code: str, year: int, class_code: str, seq: int) -> str:
    def sub(match: re.Match) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return str(seq).zfill(int(width)) if width else str(seq)
        values = {"code": code, "year": str(year), "class": class_code.upper()}
        if name not in values:  # a format that bypassed validate_format (e.g. edited in the database)
            raise DomainError(
                "invalid_number_format",
                _("Unknown token in the member number format: %(tokens)s. Use {code}, {year}, {class} and {seq}.") % {"tokens": f"{{{name}}}"},
                field="number_format",
            )
        return values[name]

    return _TOKEN.sub(sub, fmt)
