"""Member number formats: the tokens a society may use and the numbers they give (no database)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejia.core.errors import DomainError
from kejia.memberships import numbering


def number(fmt, seq=7, *, code="SOC", year=2026, class_code="full"):
    return numbering.format_number(fmt, code=code, year=year, class_code=class_code, seq=seq)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("{code}-{year}-{seq:05}", "SOC-2026-00007"),
        ("{code}-{year}-{seq:5}", "SOC-2026-00007"),
        ("{class}{seq}", "FULL7"),
        ("M/{year}.{seq:03}_x", "M/2026.007_x"),
        ("{seq:00}", "7"),
    ],
)
def test_format_number_fills_tokens(fmt, expected):
    assert numbering.validate_format(fmt) == fmt
    assert number(fmt) == expected


def test_format_number_does_not_cut_long_sequence():
    assert number("{seq:03}", seq=123456) == "123456"


def test_validate_format_strips_spaces_around():
    assert numbering.validate_format("  {code}-{seq}  ") == "{code}-{seq}"


@pytest.mark.parametrize(
    "fmt",
    [
        "",
        "   ",
        None,
        "{code}-{year}",  # no {seq}
        "{seq}-{seq:03}",  # two {seq}
        "{code}-{foo}-{seq}",  # unknown token
        "{code} {seq}",
        "会员{seq}",
        "{seq}#",
        "{seq}%d",  # characters outside letters, digits, - _ / .
        "{{seq}}",
        "{seq",
        "seq}",
        "{SEQ}",
        "{seq:}",
        "{seq:0123}",
        "{year!r}{seq}",  # braces that are no token
        "{code}{code}{code}{seq}",  # longer than a member number may be
        "{seq:99}",
    ],
)
def test_validate_format_refuses_bad_format(fmt):
    with pytest.raises(DomainError) as exc:
        numbering.validate_format(fmt)
    assert (exc.value.code, exc.value.field) == ("invalid_number_format", "number_format")


def test_validate_format_names_unknown_token():
    with pytest.raises(DomainError) as exc:
        numbering.validate_format("{code}-{foo}-{bar}-{seq}")
    assert "{bar}, {foo}" in str(exc.value.message)


def test_format_number_refuses_unknown_token_of_unvalidated_format():
    with pytest.raises(DomainError) as exc:
        number("{code}-{foo}-{seq}")
    assert exc.value.code == "invalid_number_format"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_validate_format_raises_only_domain_error(fmt):
    try:
        valid = numbering.validate_format(fmt)
    except DomainError as exc:
        assert exc.code == "invalid_number_format"
        return
    assert number(valid, seq=10**9, code="X" * 12, class_code="X" * 12)


TOKENS = st.sampled_from(["{code}", "{year}", "{class}", "{seq}", "{seq:04}", "{", "}", "{foo}", ":", "-", "/", "会"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(TOKENS, st.text(max_size=4)), max_size=8).map("".join), st.integers(0, 10**9))
def test_format_number_raises_only_domain_error(fmt, seq):
    try:
        number(fmt, seq=seq)
    except DomainError as exc:
        assert exc.code == "invalid_number_format"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["{code}", "{year}", "{class}", "-", "/", "A", "7", "."]), max_size=2),
    st.sampled_from(["{seq}", "{seq:03}", "{seq:8}"]),
    st.integers(1, 10**9),
    st.integers(1, 10**9),
)
def test_format_number_gives_distinct_numbers_for_distinct_sequence(parts, seq_token, a, b):
    """With {seq} exactly once, two sequence numbers never give the same member number."""
    fmt = "".join(parts[:2]) + seq_token + "".join(parts[2:])
    numbering.validate_format(fmt)
    assert (number(fmt, seq=a) == number(fmt, seq=b)) == (a == b)
