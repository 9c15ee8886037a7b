"""Text normalised on the way in (kejia.core.text): the API's parser, form posts, imported cells."""

import json

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from kejia.core.api_parser import NormalisingParser
from kejia.core.middleware import NormaliseFormTextMiddleware
from kejia.core.text import has_invisible_marks, normalise_data, normalise_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("李\x01明\x1b", "李明"),
        ("a\x00b", "ab"),
        ("Cafe\u0301", "Caf\u00e9"),
        ("一\r\n二\r三", "一\n二\n三"),
        ("tab\tkept", "tab\tkept"),
        ("\x85\x9f", ""),
        ("half\ud800", "half"),
        ("\ufeffBOM", "\ufeffBOM"),
        ("张三", "张三"),
    ],
)
def test_normalise_text(raw, clean):
    assert normalise_text(raw) == clean


def test_normalise_data_walks_json_and_leaves_passwords():
    data = {"name": "李\x01明", "items": [{"note": "\x1b"}], "n": 3, "password": "pa\x01ss", "new_password": "\x02"}
    assert normalise_data(data) == {"name": "李明", "items": [{"note": ""}], "n": 3, "password": "pa\x01ss", "new_password": "\x02"}


@pytest.mark.parametrize("name", ["李\u202e明", "王\u200b芳", "\u2066张\u2069", "赵\u200d钱", "\ufeff孙"])
def test_invisible_marks_in_names(name):
    assert has_invisible_marks(name)
    assert not has_invisible_marks("欧阳·娜娜 Li-Ming O'Neil")


def test_api_parser_normalises_body_and_query():
    request = RequestFactory().post("/api/x", json.dumps({"name": "李\u0001明", "tags": ["\u001b红"]}), content_type="application/json")
    parser = NormalisingParser()
    assert parser.parse_body(request) == {"name": "李明", "tags": ["红"]}
    assert parser.parse_querydict(QueryDict("q=a%01b&k=1&k=%1b2"), ["k"], request) == {"q": "ab", "k": ["1", "2"]}


@pytest.mark.parametrize("multipart", [False, True])
def test_form_middleware_normalises_posts_but_not_passwords(multipart):
    data = {"name": "李\x01明", "password": "p\x01w", "items": ["\x1ba", "b"]}
    if multipart:
        request = RequestFactory().post("/x", data)
    else:
        request = RequestFactory().post("/x", _urlencoded(data), content_type="application/x-www-form-urlencoded")
    NormaliseFormTextMiddleware(lambda r: None)(request)
    assert request.POST["name"] == "李明" and request.POST["password"] == "p\x01w" and request.POST.getlist("items") == ["a", "b"]
    assert not request.POST._mutable


def test_form_middleware_leaves_json_bodies_to_the_api_parser():
    request = RequestFactory().post("/api/x", json.dumps({"name": "\x01"}), content_type="application/json")
    NormaliseFormTextMiddleware(lambda r: None)(request)
    assert not request.POST and json.loads(request.body) == {"name": "\x01"}


def _urlencoded(data):
    q = QueryDict(mutable=True)
    for key, value in data.items():
        q.setlist(key, value if isinstance(value, list) else [value])
    return q.urlencode()


def test_form_middleware_normalises_a_form_read_before_it():
    request = RequestFactory().post("/x", {"name": "a\x01"})
    request.POST  # noqa: B018 — read by an earlier middleware
    NormaliseFormTextMiddleware(lambda r: None)(request)
    assert request.POST["name"] == "a"


def test_form_middleware_lets_the_view_set_upload_handlers_first():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.files.uploadhandler import MemoryFileUploadHandler

    request = RequestFactory().post("/x", {"name": "b\x1b", "file": SimpleUploadedFile("a.csv", b"x")})
    NormaliseFormTextMiddleware(lambda r: None)(request)
    request.upload_handlers = [MemoryFileUploadHandler(request)]  # allowed: nothing was parsed yet
    assert request.POST["name"] == "b" and request.FILES["file"].read() == b"x"
