import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kejia.core.validators import (
    USCC_ALPHABET,
    normalize_phone,
    resident_id_check_char,
    uscc_check_char,
    validate_division_code,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)


def test_validate_uscc_accepts_published_example():
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"


def test_validate_uscc_normalizes_fullwidth_and_spaces():
    assert validate_uscc(" ９１３５０１００Ｍ０００１００Ｙ４３ ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100Y44", "uscc_check"),
        ("91350100M000100I43", "uscc_chars"),
        ("01350100M000100Y43", "uscc_chars"),
    ],
)
def test_validate_uscc_rejects_with_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert exc.value.code == code


@given(
    st.text(alphabet="123456789ABCDEFGHJKLMNPQRTUWXY", min_size=1, max_size=1),
    st.text(alphabet=USCC_ALPHABET, min_size=1, max_size=1),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_validate_uscc_roundtrip_and_single_substitution_detected(a, b, region, org):
    body = a + b + region + org
    code = body + uscc_check_char(body)
    assert validate_uscc(code) == code
    # Changing any one character of the body is always caught (the check is a weighted MOD 31).
    pos = len(body) - 1
    other = USCC_ALPHABET[(USCC_ALPHABET.index(body[pos]) + 1) % 31]
    with pytest.raises(ValidationError):
        validate_uscc(body[:pos] + other + code[17])


def test_validate_resident_id_accepts_standard_example_with_x():
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1101051949123100", "id_length"),
        ("11010519491231002Y", "id_chars"),
        ("110105194902300021", "id_birth"),  # 30 February
        ("110105189901010021", "id_birth"),  # before 1900
        ("110105194912310021", "id_check"),
        ("1.10105E+17", "id_length"),  # what Excel does to a long number
    ],
)
def test_validate_resident_id_rejects_with_reason(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert exc.value.code == code


@given(st.dates(min_value=datetime.date(1920, 1, 1), max_value=datetime.date(2010, 12, 31)), st.integers(min_value=0, max_value=999))
def test_validate_resident_id_roundtrip(birth, seq):
    body = f"320102{birth:%Y%m%d}{seq:03d}"
    number = body + resident_id_check_char(body)
    assert validate_resident_id(number) == number


@pytest.mark.parametrize("value", ["13912345678", "+86 139 1234 5678", "0086-139-1234-5678", "１３９１２３４５６７８"])
def test_validate_phone_normalizes(value):
    assert validate_phone(value) == "13912345678"


@pytest.mark.parametrize("value", ["1391234567", "23912345678", "phone", ""])
def test_validate_phone_rejects(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_normalize_phone_keeps_digits_only_form():
    assert normalize_phone(" 139-1234-5678 ") == "13912345678"


@pytest.mark.parametrize(("value", "ok"), [("320102", True), ("320102002", True), ("32010", False), ("3201020021", False), ("32O102", False)])
def test_validate_division_code(value, ok):
    if ok:
        assert validate_division_code(value) == value
    else:
        with pytest.raises(ValidationError):
            validate_division_code(value)


def test_validate_resident_id_converts_a_15_digit_number_to_18():
    from kejia.core.validators import legacy_resident_id, resident_id_notice, upgrade_resident_id

    # 110105491231002 is the first-generation form of GB 11643's example 11010519491231002X.
    assert upgrade_resident_id("110105491231002") == "11010519491231002X"
    assert validate_resident_id("110105491231002") == "11010519491231002X"
    assert validate_resident_id("１１０１０５４９１２３１００２") == "11010519491231002X"
    assert legacy_resident_id("110105491231002") and not legacy_resident_id("11010519491231002X")
    notice = resident_id_notice("110105491231002")
    assert "110105********002X" in notice and "11010519491231" not in notice
    assert resident_id_notice("11010519491231002X") is None


@pytest.mark.parametrize("value", ["110105491331002", "110105490230002"])
def test_validate_resident_id_15_digit_with_impossible_birth_date_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert exc.value.code == "id_birth"
