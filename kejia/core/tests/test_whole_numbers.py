"""Numbers read from query strings, form fields and answers (kejia.core.text.whole_number): a
character that str.isdigit() takes but int() refuses ("²", "①") once answered 500."""

import pytest
from django.test import Client

from kejia.core.text import whole_number
from kejia.surveys.forms import QuestionForm
from kejia.surveys.questions import validate_submission

NOT_INT = ["²", "①", "1²", "--5"]


@pytest.mark.parametrize(
    "value, expected",
    [("42", 42), (" 7 ", 7), ("３２", 32), ("²", None), ("①", None), ("", None), ("-1", None), ("1e3", None), ("9" * 19, None), (12, 12)],
)
def test_whole_number_takes_decimal_digits_only(value, expected):
    assert whole_number(value) == expected


@pytest.mark.parametrize(
    "url",
    [
        "/memberships/stats/?root={v}",
        "/voice/inbox/?org={v}",
        "/voice/dashboard/?org={v}",
        "/imports/new/?org={v}",
        "/governance/orgs/{xw}/contacts/?person={v}",
    ],
)
@pytest.mark.parametrize("value", NOT_INT[:2])
def test_page_with_a_non_integer_digit_in_the_query_is_not_a_500(tree, url, value):
    client = Client(raise_request_exception=False)
    client.force_login(tree.platform)
    response = client.get(url.format(v=value, xw=tree.xw.pk))
    assert response.status_code < 500


@pytest.mark.parametrize("value", NOT_INT)
def test_survey_answer_with_a_non_integer_digit_is_refused_not_raised(value):
    question = {"key": "q1", "kind": "single", "options": ["a", "b"], "required": True, "condition": None}
    clean, errors = validate_submission([question], {"q1": value})
    assert clean == {} and "q1" in errors


@pytest.mark.parametrize("value", ["²", "1,①"])
def test_question_condition_with_a_non_integer_digit_is_a_form_error(value):
    form = QuestionForm({"kind": "single", "text": "问题", "required": "on", "condition_options": value})
    assert not form.is_valid() and "condition_options" in form.errors
