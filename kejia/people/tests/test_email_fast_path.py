"""clean_profile takes a plain e-mail address without Django's EmailValidator: every address the
fast pattern takes, the validator takes too, and anything else still goes through the validator."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from kejia.people import services

PARTS = st.text(alphabet="aZ09._+-@!#中ü", min_size=0, max_size=12)


def _django_accepts(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=3000, deadline=None)
@given(
    local=PARTS,
    labels=st.lists(st.text(alphabet="ab09-_.中", min_size=0, max_size=64), min_size=1, max_size=4),
    tld=st.text(alphabet="abZ9-", min_size=0, max_size=66),
)
def test_the_plain_pattern_takes_only_what_django_takes(local, labels, tld):
    value = f"{local}@{'.'.join(labels)}.{tld}"
    if services._PLAIN_EMAIL.fullmatch(value) and len(value) <= 320:
        assert _django_accepts(value), value


@pytest.mark.parametrize("value", ["p1@example.cn", "zhang.san+kx@mail.seu.edu.cn", "a_b-c@sub-domain.example.com"])
def test_plain_addresses_take_the_fast_path(value):
    assert services._PLAIN_EMAIL.fullmatch(value) and services._validate_email(value) == value and _django_accepts(value)


@pytest.mark.parametrize("value", ["x@例子.广告", '"quoted"@example.cn', "x@[127.0.0.1]", "x@localhost"])
def test_other_valid_addresses_still_pass_through_django(value):
    assert not services._PLAIN_EMAIL.fullmatch(value)
    assert services._validate_email(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "not-an-address",
        "a..b@example.cn",
        "a@-example.cn",
        "a@example.c",
        "a@example.c0m",
        ".a@example.cn",
        "a@example-.cn",
        "a@" + "x" * 64 + ".cn",
        "a" * 320 + "@example.cn",
    ],
)
def test_bad_addresses_are_refused(value):
    with pytest.raises(ValidationError):
        services._validate_email(value)
