"""Printing (kejia.calls.printing): the DOCX opens and holds the cover and the tables, the PDF
embeds its Chinese font and its text can be extracted, the file is named after the 申报单位, and
the downloads keep to the scope of the application (pages and API; the four routes are in the calls' MATRIX_ROUTES,
kejia/calls/tests/test_scope.py)."""

import io
import re
import zipfile
from urllib.parse import quote

import docx
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from kejia.calls import print_layout, print_pdf, printing, services, workflow
from kejia.calls.tests.conftest import BEFORE, complete_answers
from kejia.calls.tests.test_scope import EXPECTED
from kejia.core.models import AuditEvent
from kejia.organizations.tests.test_api import Api


def actor_of(calls, name):
    return getattr(calls, name) if name in ("applicant", "recommender", "owner") else getattr(calls.t, name)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def test_render_docx_has_cover_and_tables(draft):
    data = printing.render(draft, "docx")
    text = _docx_text(data)
    for expected in ("中国科学技术协会", "地方科协深化改革工作试点申报书", "试点单位：", "南京市科学技术协会", "申报单位：", "江苏省科学技术协会", "2020年6月"):
        assert expected in text
    document = docx.Document(io.BytesIO(data))
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["", "申报单位负责人", "试点单位负责人"] in headers  # the heads' table turned as on 附件2
    assert ["姓名", "性别", "出生年月", "单位", "职务职称"] in headers
    assert "2020年7月至2021年7月" in text and "孙八" in text and "同意推荐，内容准确。" in text
    assert "申报单位负责人（签章）：李四" in text and "2020年6月1日" in text


def test_render_pdf_embeds_the_font_and_text_is_extractable(draft):
    data = printing.render(draft, "pdf")
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # a TrueType subset, embedded
    reader = PdfReader(io.BytesIO(data))
    used = set()
    for page in reader.pages:
        resources = page["/Resources"]["/Font"]
        for name in set(re.findall(rb"/(F[\d+]+) [\d.]+ Tf", page.get_contents().get_data())):
            used.add(str(resources[f"/{name.decode()}"].get_object()["/BaseFont"]))
    assert used and all("+" in name for name in used), used  # only subset fonts (AAAAAA+UMingCN) draw text
    text = _pdf_text(data)
    for expected in (
        "地方科协深化改革工作试点申报书",
        "试点单位：",
        "江苏省科学技术协会",
        "申报单位负责人",
        "电子邮箱",
        "主要参与团队",
        "职务职称",
        "试点成果宣传计划",
    ):
        assert expected in text
    assert len(reader.pages) >= 3


def test_blank_answers_print_a_slash_and_inapplicable_fields_are_left_out(draft, calls):
    data = complete_answers()
    data["publicity_plan"] = ""
    data["team"] = []
    draft = services.save_draft(draft, actor=calls.applicant, data=data, now=BEFORE)
    doc = printing.layout(draft)
    long_texts = {b.label: b.text for s in doc.sections for b in s.blocks if isinstance(b, print_layout.LongText)}
    assert long_texts["3. 试点成果宣传计划"] == "/"
    team = next(b for s in doc.sections for b in s.blocks if isinstance(b, print_layout.Grid) and b.caption == "主要参与团队")
    assert team.rows == [["/"] * 5]
    signoffs = [b.label for s in doc.sections for b in s.blocks if isinstance(b, print_layout.Signoff)]
    assert signoffs == ["申报单位意见", "试点单位意见"]
    draft.applicant.kind = "provincial_assoc"  # 省级试点不填写此栏
    assert [b.label for s in printing.layout(draft).sections for b in s.blocks if isinstance(b, print_layout.Signoff)] == ["申报单位意见"]


def test_seal_image_is_printed_when_stored(draft, calls, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    path = default_storage.save("calls/seals/nj.png", ContentFile(PNG))
    data = complete_answers()
    data["applicant_opinion"]["seal"] = path
    data["pilot_opinion"]["seal"] = "../../etc/passwd"
    draft = services.save_draft(draft, actor=calls.applicant, data=data, now=BEFORE)
    blocks = [b for s in printing.layout(draft).sections for b in s.blocks if isinstance(b, print_layout.Signoff)]
    assert blocks[0].seal == PNG and blocks[1].seal is None
    assert docx.Document(io.BytesIO(printing.render(draft, "docx"))).inline_shapes  # the seal is in the DOCX
    assert b"/Subtype /Image" in printing.render(draft, "pdf")


def test_filename_is_the_applying_unit_sanitised(draft, calls):
    assert printing.filename(draft, "pdf") == "江苏省科学技术协会.pdf"
    data = complete_answers()
    data["applicant_unit"] = '../江苏:省*科协?"<>|'
    draft = services.save_draft(draft, actor=calls.applicant, data=data, now=BEFORE)
    assert printing.filename(draft, "docx") == "江苏_省_科协.docx"
    data["applicant_unit"] = "/"
    draft = services.save_draft(draft, actor=calls.applicant, data=data, now=BEFORE)
    assert printing.filename(draft, "pdf") == f"{draft.applicant.name}.pdf"


def test_download_names_the_file_with_rfc5987(draft, calls, client):
    client.force_login(calls.applicant)
    response = client.get(reverse("calls:application_print", args=[draft.pk]), {"format": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert f"filename*=utf-8''{quote('江苏省科学技术协会.docx')}" in response["Content-Disposition"]
    assert client.get(reverse("calls:application_print", args=[draft.pk]), {"format": "odt"}).status_code == 400


def test_no_cjk_font_is_refused_clearly(draft, calls, client, settings):
    settings.CALLS_PRINT_FONTS = ["/nonexistent/font.ttf"]
    print_pdf._fonts.cache_clear()
    try:
        client.force_login(calls.applicant)
        response = client.get(reverse("calls:application_print", args=[draft.pk]))
        assert response.status_code == 503 and "fonts-arphic-uming" in response.content.decode()
        api = Api(calls.t, calls.applicant)
        response = api.get(f"/api/calls/applications/{draft.pk}/print")
        assert response.status_code == 503 and response.json()["code"] == "no_cjk_font"
        response = Api(calls.t, calls.owner).get(f"/api/calls/{calls.call.pk}/archive", format="pdf")
        assert response.status_code == 503 and not response.streaming  # refused before the download starts
        assert Api(calls.t, calls.owner).get(f"/api/calls/{calls.call.pk}/archive", format="docx").status_code == 200
    finally:
        settings.CALLS_PRINT_FONTS = []
        print_pdf._fonts.cache_clear()


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_print_scope(draft, calls, client, actor):
    """Whoever sees the application may print it (the applicant from the draft on; the
    recommending and the owner's staff once submitted); others get 404. Each download is audited
    (the form shows the applicants' contact details) with its format, never its content; a
    refused one writes nothing."""
    user = actor_of(calls, actor)
    see_draft, see_submitted, _ = EXPECTED[actor]
    api = Api(calls.t, user)
    client.force_login(user)
    page = reverse("calls:application_print", args=[draft.pk])
    audit = AuditEvent.objects.count()
    assert client.get(page, {"format": "docx"}).status_code == see_draft
    assert api.get(f"/api/calls/applications/{draft.pk}/print", format="docx").status_code == see_draft
    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    audit = AuditEvent.objects.count()
    response = api.get(f"/api/calls/applications/{draft.pk}/print", format="pdf")
    assert response.status_code == see_submitted
    if see_submitted == 200:
        assert response.content.startswith(b"%PDF")
    assert client.get(page, {"format": "docx"}).status_code == see_submitted
    assert api.get("/api/calls/applications/987654321/print").status_code == 404
    assert client.get(reverse("calls:application_print", args=[987654321])).status_code == 404
    printed = AuditEvent.objects.filter(action="calls.print_application").order_by("pk")
    assert AuditEvent.objects.count() == audit + (2 if see_submitted == 200 else 0)
    if see_submitted == 200:
        assert [(e.actor_id, e.object_id, e.new) for e in printed][-2:] == [(user.pk, str(draft.pk), {"format": f}) for f in ("pdf", "docx")]


@pytest.mark.parametrize("actor", sorted(EXPECTED))
def test_archive_scope(draft, calls, client, actor):
    """The archive is the owner's staff's only (404 for every other actor, the recommending
    organization included); it holds the submitted applications, not drafts."""
    from kejia.calls.services import create_application, save_draft

    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    other = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, title="无锡", topic="1", now=BEFORE)
    save_draft(other, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)  # a draft: not in the archive
    user = actor_of(calls, actor)
    owner = actor in ("owner", "platform")
    client.force_login(user)
    response = client.get(reverse("calls:archive", args=[calls.call.pk]), {"format": "docx"})
    assert response.status_code == (200 if owner else 404)
    api = Api(calls.t, user)
    response = api.get(f"/api/calls/{calls.call.pk}/archive")
    assert response.status_code == (200 if owner else 404)
    if owner:
        assert response["Content-Type"] == "application/zip" and "filename*=" in response["Content-Disposition"]
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        assert archive.namelist() == ["江苏省科学技术协会.pdf"]
        assert archive.read("江苏省科学技术协会.pdf").startswith(b"%PDF")
    assert api.get("/api/calls/987654321/archive").status_code == 404
    downloads = AuditEvent.objects.filter(action="calls.download_archive", object_id=str(calls.call.pk))
    assert [(e.actor_id, e.new) for e in downloads.order_by("pk")] == ([(user.pk, {"format": "docx"}), (user.pk, {"format": "pdf"})] if owner else [])


def test_archive_names_repeated_units_apart(draft, calls):
    from kejia.calls.services import create_application, save_draft

    workflow.submit_application(draft, actor=calls.applicant, attest=True, now=BEFORE)
    other = create_application(calls.call, actor=calls.t.wx_staff, applicant=calls.t.wx, title="无锡", topic="1", now=BEFORE)
    save_draft(other, actor=calls.t.wx_staff, data=complete_answers(), now=BEFORE)
    workflow.submit_application(other, actor=calls.t.wx_staff, attest=True, now=BEFORE)
    applications = printing.archive_applications(calls.call, calls.owner)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(printing.archive_chunks(applications, "docx"))))
    assert archive.namelist() == ["江苏省科学技术协会.docx", "江苏省科学技术协会（2）.docx"]
    assert "南京市科学技术协会" in _docx_text(archive.read("江苏省科学技术协会.docx"))
