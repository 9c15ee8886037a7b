"""The shared upload checks (kejia.core.uploads) and the answers to oversized bodies and a busy
database (kejia.core.http): the API's JSON error format on /api/, the error page elsewhere."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kejia.core import uploads
from kejia.core.errors import DomainError
from kejia.imports import selectors as import_selectors
from kejia.imports import services as import_services

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages are compared in English
        yield


@pytest.mark.parametrize(
    "name,content,reason",
    [
        ("a.pdf", b"<html></html>", "is not a"),
        ("a.png", b"MZ\x90\x00" + b"\x00" * 60, "is not a"),
        ("a.pdf", b"", "is empty"),
        ("a.pdf", b"%PDF-1.4\n" + b"0" * 2000, "incomplete"),
        ("a.pdf", PDF * 40, "larger than"),
    ],
)
def test_check_upload_refuses_by_content_and_size(name, content, reason):
    with pytest.raises(DomainError) as exc:
        uploads.check_upload(SimpleUploadedFile(name, content), kinds=("pdf", "png"), max_bytes=2048, code="bad_document", field="doc")
    assert reason in str(exc.value.message) and name in str(exc.value.message) and exc.value.field == "doc"


def test_check_upload_kind_follows_content_not_name():
    upload = SimpleUploadedFile("scan.pdf", PNG)
    assert uploads.check_upload(upload, kinds=("pdf", "png"), max_bytes=2048).suffix == ".png" and upload.read(4) == PNG[:4]


class Counting(io.BytesIO):
    """An upload that records how much of it was read."""

    def __init__(self, content: bytes, size: int):
        super().__init__(content)
        self.size, self.name, self.taken = size, "big.xlsx", 0

    def read(self, n=-1):
        data = super().read(n)
        self.taken += len(data)
        return data


def test_read_upload_checks_size_before_reading():
    upload = Counting(b"x" * 1000, size=200 * 1024 * 1024)
    with pytest.raises(DomainError) as exc:
        uploads.read_upload(upload, max_bytes=50 * 1024 * 1024)
    assert upload.taken == 0 and "50 MB" in str(exc.value.message)


def test_read_upload_stops_when_announced_size_lies():
    upload = Counting(b"x" * (3 << 20), size=10)
    with pytest.raises(DomainError):
        uploads.read_upload(upload, max_bytes=1 << 20)
    assert upload.taken <= 2 << 20


def test_import_upload_too_big_refused_before_reading(client, tree, monkeypatch):
    from kejia.imports import reading

    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    seen = []
    monkeypatch.setattr(import_services, "start_import", lambda *a, **kw: seen.append(kw))
    client.force_login(tree.county_staff)
    response = client.post(
        reverse("imports:new"), {"organization": tree.xw.pk, "mode": "all", "file": SimpleUploadedFile("p.csv", "姓名,手机号\n".encode() * 200)}
    )
    assert response.status_code == 400 and "p.csv" in response.context["form"].errors["file"][0] and seen == []


def test_oversized_body_is_413_json_on_api_and_page_elsewhere(client, settings):
    settings.MAX_REQUEST_BYTES = 1000
    body = b"x" * 2000
    api = client.generic("POST", "/api/imports", body, content_type="application/octet-stream")
    assert api.status_code == 413 and api["Content-Type"].startswith("application/json") and api.json()["code"] == "too_large"
    page = client.generic("POST", reverse("imports:new"), body, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and page["Content-Type"].startswith("text/html") and "MB" in page.content.decode()


def test_form_body_over_django_limit_is_413_not_400(client, tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.force_login(tree.county_staff)
    response = client.post(reverse("imports:new"), {"x": "y" * 500})
    assert response.status_code == 413


def _token(tree, user):
    api = Client()
    response = api.post("/api/auth/token", {"identifier": user.username, "password": tree.password}, content_type="application/json")
    return api, {"Authorization": f"Bearer {response.json()['token']}"}


def test_database_locked_is_503_json_with_retry_after_on_api(tree, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(import_services, "start_import", locked)
    api, headers = _token(tree, tree.county_staff)
    response = api.post("/api/imports", {"organization_id": tree.xw.pk, "file": SimpleUploadedFile("p.csv", b"a,b\n")}, headers=headers)
    assert response.status_code == 503 and response["Retry-After"] == "5" and response.json()["code"] == "busy"


def test_database_locked_on_page_write_is_503_page_with_retry_after(client, tree, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(import_services, "start_import", locked)
    client.force_login(tree.county_staff)
    response = client.post(reverse("imports:new"), {"organization": tree.xw.pk, "mode": "all", "file": SimpleUploadedFile("p.csv", b"a,b\n")})
    assert response.status_code == 503 and response["Retry-After"] == "5" and response["Content-Type"].startswith("text/html")


def test_database_locked_on_safe_request_is_tried_again(client, tree, monkeypatch):
    calls = []
    original = import_selectors.visible_batches

    def flaky(user):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return original(user)

    monkeypatch.setattr(import_selectors, "visible_batches", flaky)
    client.force_login(tree.county_staff)
    assert client.get(reverse("imports:list")).status_code == 200 and len(calls) == 2


def test_other_database_errors_are_not_called_busy(tree, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("no such table: imports_importbatch")

    monkeypatch.setattr(import_services, "start_import", broken)
    api, headers = _token(tree, tree.county_staff)
    api.raise_request_exception = False
    response = api.post("/api/imports", {"organization_id": tree.xw.pk, "file": SimpleUploadedFile("p.csv", b"a,b\n")}, headers=headers)
    assert response.status_code == 500


def _zip(member: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, "<x/>")
    return buffer.getvalue()


def test_docx_and_xlsx_are_told_apart_by_their_members():
    docx, xlsx = _zip("word/document.xml"), _zip("xl/workbook.xml")
    assert uploads.check_upload(SimpleUploadedFile("a.xlsx", docx), kinds=("docx", "xlsx"), max_bytes=4096).suffix == ".docx"
    assert uploads.check_upload(SimpleUploadedFile("a.docx", xlsx), kinds=("docx", "xlsx"), max_bytes=4096).suffix == ".xlsx"
    for content, kinds in ((docx, ("xlsx",)), (xlsx, ("docx",)), (b"PK\x03\x04" + b"\x00" * 60, ("docx", "xlsx")), (docx, ("pdf",))):
        with pytest.raises(DomainError):
            uploads.check_upload(SimpleUploadedFile("a.docx", content), kinds=kinds, max_bytes=4096)
