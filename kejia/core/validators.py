"""Identifiers validated by their national standards.

- Unified social credit code (统一社会信用代码): GB 32100-2015, 18 characters, check character
  over a 31-symbol alphabet.
- Resident identity number (公民身份号码): GB 11643-1999, ISO 7064 MOD 11-2 check character; a
  first-generation 15-digit number is converted to its 18-digit form (century 19, check character).
- Administrative division code (行政区划代码): GB/T 2260, six digits; township codes (GB/T 10114)
  extend them to nine.
"""

import datetime
import re
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(r"^[1-9A-HJ-NP-RTUWXY][0-9A-HJ-NP-RTUWXY]\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

_FULLWIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"}


def normalize_code(value: str) -> str:
    """Full-width to half-width, spaces removed, upper case: how people paste codes."""
    return "".join(str(value).translate(_FULLWIDTH).split()).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    code = normalize_code(value)
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters; this one has %(n)d."), params={"n": len(code)}, code="uscc_length")
    if not _USCC_RE.match(code):
        raise ValidationError(_("The unified social credit code contains characters the standard does not use (I, O, Z, S, V)."), code="uscc_chars")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The check character of the unified social credit code is wrong (GB 32100): please check for a typing error."), code="uscc_check"
        )
    return code


def resident_id_check_char(first17: str) -> str:
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("a resident ID check character is computed from 17 digits")
    return ID_CHECK[sum(map(mul, map(int, first17), ID_WEIGHTS)) % 11]


_LEGACY_ID_RE = re.compile(r"^\d{15}$")


def legacy_resident_id(value: str) -> bool:
    """Whether the value is a first-generation (15-digit, GB 11643-1989) resident ID number."""
    return bool(_LEGACY_ID_RE.match(normalize_code(value)))


def upgrade_resident_id(number: str) -> str:
    """A 15-digit number as the 18-digit one it became (GB 11643-1999): the century 19 inserted
    before the two-digit birth year, and the ISO 7064 MOD 11-2 check character appended."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + resident_id_check_char(first17)


def resident_id_notice(value: str) -> str | None:
    """The notice for a 15-digit number that validate_resident_id converts, None for any other:
    what the import, the forms and the API tell the person who typed it (the number masked)."""
    if not legacy_resident_id(value):
        return None
    number = upgrade_resident_id(normalize_code(value))
    masked = number[:6] + "*" * 8 + number[-4:]
    return str(
        _(
            "The 15-digit (first-generation) resident ID number was converted to its 18-digit form %(number)s, "
            "as ID systems do: check it against the person's card."
        )
        % {"number": masked}
    )


def validate_resident_id(value: str) -> str:
    """Returns the normalized 18-character number (a 15-digit legacy number converted: see
    resident_id_notice); raises with a reason a person can act on."""
    number = normalize_code(value)
    if _LEGACY_ID_RE.match(number):
        try:
            datetime.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
        except ValueError:
            raise ValidationError(_("The birth date inside the resident ID number is not a real date."), code="id_birth") from None
        number = upgrade_resident_id(number)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters (or 15, first generation); this one has %(n)d."), params={"n": len(number)}, code="id_length"
        )
    if not _ID_RE.match(number):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="id_chars")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside the resident ID number is not a real date."), code="id_birth") from None
    if birth.year < 1900 or birth > datetime.date.today():
        raise ValidationError(_("The birth date inside the resident ID number is not plausible."), code="id_birth")
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("The check digit of the resident ID number is wrong (GB 11643): please check for a typing error."), code="id_check")
    return number


def resident_id_birth_date(number: str) -> datetime.date:
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_division_code(value: str) -> str:
    code = normalize_code(value)
    if not re.fullmatch(r"\d{6}|\d{9}", code):
        raise ValidationError(_("An administrative division code has 6 digits (9 for a township)."), code="division_format")
    return code


_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str) -> str:
    digits = normalize_code(value).replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_phone(value: str) -> str:
    phone = normalize_phone(value)
    if not _PHONE_RE.match(phone):
        raise ValidationError(_("A mobile phone number has 11 digits and starts with 13–19."), code="phone")
    return phone
