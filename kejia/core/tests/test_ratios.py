"""Exact shares: "k of n reaches p/q" is k·q against p·n in integers (issue 15)."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kejia.core.ratios import AT_LEAST, AT_MOST, MORE_THAN, fraction_text, parse_fraction, reaches


@settings(max_examples=300, deadline=None)  # no deadline: the machine is shared
@given(n=st.integers(1, 10**7), data=st.data(), q=st.integers(1, 10**6), comparison=st.sampled_from([AT_LEAST, AT_MOST, MORE_THAN]))
def test_reaches_agrees_with_integer_arithmetic(n, data, q, comparison):
    k = data.draw(st.integers(0, n))
    p = data.draw(st.integers(0, q * 2))
    expected = {AT_LEAST: k * q >= p * n, AT_MOST: k * q <= p * n, MORE_THAN: k * q > p * n}[comparison]
    assert reaches(k, n, comparison, p, q) is expected
    assert (
        expected
        is {AT_LEAST: Fraction(k, n) >= Fraction(p, q), AT_MOST: Fraction(k, n) <= Fraction(p, q), MORE_THAN: Fraction(k, n) > Fraction(p, q)}[comparison]
    )


def test_reaches_the_cases_of_the_issue():
    assert not reaches(1402, 2003, AT_LEAST, 70, 100)  # 69.995 %: not 70 % 以上
    assert not reaches(661, 1017, AT_LEAST, 65, 100)  # 64.995 %: not 65 %
    assert reaches(2, 3, AT_LEAST, 2, 3)  # 三分之二以上 includes two thirds
    assert reaches(1, 3, AT_LEAST, 1, 3)
    assert reaches(1, 3, AT_LEAST, 3333, 10000)  # 1/3 is more than 0.3333
    assert reaches(3, 4, AT_LEAST, 75, 100)  # 以上 includes the number (Civil Code art. 1259)
    assert reaches(70, 1, AT_MOST, 70, 1)  # 不超过 70 includes 70
    assert not reaches(1, 2, MORE_THAN, 1, 2)  # 主要: more than half, exactly half is not


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("2/3", (2, 3)),
        ("70%", (70, 100)),
        ("70％", (70, 100)),
        ("0.75", (75, 100)),
        ("70", (70, 1)),
        ("1/3", (1, 3)),
        ("12.5%", (125, 1000)),
        ("０.７", (7, 10)),
        (" 3 / 4 ", (3, 4)),
    ],
)
def test_parse_fraction_keeps_what_was_written(text, fraction):
    assert parse_fraction(text) == fraction


@pytest.mark.parametrize("text", ["", "abc", "1/0", "-1", "1e3", "0.1234567", "1/2/3", "%", "."])
def test_parse_fraction_refuses(text):
    with pytest.raises(ValueError):
        parse_fraction(text)


def test_fraction_text():
    assert fraction_text(70, 100) == "70%"
    assert fraction_text(2, 3) == "2/3"
    assert fraction_text(70, 1) == "70"
    assert fraction_text(125, 1000) == "12.5%"
    assert fraction_text(3, 4, share=True) == "3/4"
