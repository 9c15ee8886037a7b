"""The import pages and the API: upload, progress, report download, scope, garbage uploads."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kejia.imports import services
from kejia.imports.columns import CellError, to_resident_id
from kejia.imports.models import BatchStatus, ImportBatch
from kejia.imports.tests.sheets import HEADERS, csv_bytes, row, xlsx
from kejia.people.models import Person

HX = {"HTTP_HX_REQUEST": "true"}


def upload(client, tree, content, *, name="people.xlsx", org=None, mode="all", dry_run=False):
    data = {"organization": (org or tree.xw).pk, "file": SimpleUploadedFile(name, content), "mode": mode}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("imports:new"), data)


def make_batch(tree, content=None, **kw):
    return services.start_import(
        tree.xw, actor=tree.county_staff, file_name="p.xlsx", content=content or xlsx([row(1), row(2, 手机号="123")]), background=False, **kw
    )


def test_new_page_renders_form_with_org_preselected(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(reverse("imports:new"), {"org": tree.xw.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["organization"] == tree.xw
    assert list(response.context["form"].fields["organization"].queryset) == [tree.xw, tree.my, tree.ent]


def test_new_page_for_sibling_org_is_404(client, tree):
    client.force_login(tree.sibling_staff)
    assert client.get(reverse("imports:new"), {"org": tree.xw.pk}).status_code == 404


def test_upload_imports_and_redirects_to_batch(client, tree):
    client.force_login(tree.county_staff)
    response = upload(client, tree, xlsx([row(1), row(2)]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[batch.pk])
    assert batch.status == BatchStatus.DONE and Person.objects.count() == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and "people.xlsx" in page.content.decode()


def test_upload_into_sibling_org_is_refused(client, tree):
    client.force_login(tree.county_staff)
    response = upload(client, tree, xlsx([row(1)]), org=tree.qh)
    assert response.status_code == 400 and "organization" in response.context["form"].errors
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    "content,name",
    [
        (b"", "empty.xlsx"),
        (b"\x00\x01\x02garbage" * 10, "garbage.bin"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
        (b"just some text\nwithout headers", "notes.csv"),
        (b"\xff\xfe\xfa\xfb" * 50, "weird.csv"),
        ("姓名,身份证号\n".encode(), "header-only.csv"),
    ],
)
def test_upload_garbage_gives_a_clear_message_not_500(client, tree, content, name):
    client.force_login(tree.county_staff)
    response = upload(client, tree, content, name=name)
    if response.status_code == 302:  # read, but nothing to import: the batch page says why
        batch = ImportBatch.objects.get()
        assert batch.status == BatchStatus.FAILED and batch.message
        assert client.get(response["Location"]).status_code == 200
    else:
        assert response.status_code == 400
        assert response.context["form"].errors["file"]
    assert Person.objects.count() == 0


def test_upload_too_big_is_refused(client, tree, monkeypatch):
    from kejia.imports import reading

    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    client.force_login(tree.county_staff)
    response = upload(client, tree, xlsx([row(n) for n in range(50)]))
    assert response.status_code == 400 and response.context["form"].errors["file"]


def test_detail_shows_report_and_progress_fragment(client, tree):
    batch = make_batch(tree)
    client.force_login(tree.county_staff)
    html = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert "手机号" in html and 'role="progressbar"' in html
    fragment = client.get(reverse("imports:detail", args=[batch.pk]), **HX)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "hx-trigger" not in fragment.content.decode()  # finished: polling stops


def test_detail_of_running_batch_polls(client, tree):
    batch = make_batch(tree)
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, processed=500, total=1000)
    client.force_login(tree.county_staff)
    html = client.get(reverse("imports:detail", args=[batch.pk]), **HX).content.decode()
    assert 'hx-trigger="every 2s"' in html and 'aria-valuenow="50"' in html


def test_detail_for_sibling_staff_is_404(client, tree):
    batch = make_batch(tree)
    client.force_login(tree.sibling_staff)
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert client.get(reverse("imports:report", args=[batch.pk])).status_code == 404
    client.force_login(tree.nj_staff)  # above: in scope
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 200


def test_list_shows_batches_in_scope_only(client, tree):
    batch = make_batch(tree)
    client.force_login(tree.nj_staff)
    assert list(client.get(reverse("imports:list")).context["page"].object_list) == [batch]
    client.force_login(tree.sibling_staff)
    assert list(client.get(reverse("imports:list")).context["page"].object_list) == []


def test_report_download_lists_row_column_reason(client, tree):
    batch = make_batch(tree)
    client.force_login(tree.county_staff)
    response = client.get(reverse("imports:report", args=[batch.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    number, column, reason, _level = rows[1]
    assert (number, column) == (3, "手机号") and reason


def test_template_download_has_chinese_headers_and_text_id_column(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(reverse("imports:template"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    for name in (
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "手机号",
        "邮箱",
        "工作单位",
        "单位统一社会信用代码",
        "行业/所在领域",
        "是否基层一线",
        "职称",
        "职称级别",
        "学历",
        "学科代码",
        "专业特长",
        "研究方向简介",
    ):
        assert name in headers
    assert sheet.cell(row=3, column=headers.index("身份证号") + 1).number_format == "@"


def test_template_imports_after_example_row(tree):
    """The template's own example row is a valid row."""
    from kejia.imports import workbooks

    batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="t.xlsx", content=workbooks.template_xlsx(), background=False)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.created_count == 1, batch.report


def test_to_resident_id_numeric_18_digits_reports_lost_digits():
    with pytest.raises(CellError) as exc:
        to_resident_id(320102198001010000)
    assert "15" in str(exc.value.message) and "320102…000" in str(exc.value.message)


# ---- API ---------------------------------------------------------------------------------------


def token(tree, user):
    client = Client()
    response = client.post("/api/auth/token", {"identifier": user.username, "password": tree.password}, content_type="application/json")
    return client, {"Authorization": f"Bearer {response.json()['token']}"}


def test_api_post_import_and_read_batch_and_report(tree):
    client, headers = token(tree, tree.county_staff)
    response = client.post(
        "/api/imports",
        {"organization_id": tree.xw.pk, "mode": "good", "file": SimpleUploadedFile("p.csv", csv_bytes([row(1), row(2, 邮箱="bad")]))},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["good"] == 1 and body["bad"] == 1 and body["created_count"] == 1
    assert client.get(f"/api/imports/{body['id']}", headers=headers).json()["committed"] is True
    report = client.get(f"/api/imports/{body['id']}/report", headers=headers).json()
    assert report["count"] == 1 and [(e["row"], e["column"], e["level"]) for e in report["items"]] == [(3, "邮箱", "error")]
    assert client.get(f"/api/imports/{body['id']}/report", {"offset": 1}, headers=headers).json()["items"] == []
    assert client.get(f"/api/imports/{body['id']}/report", {"limit": 501}, headers=headers).status_code == 422
    xlsx_report = client.get(f"/api/imports/{body['id']}/report", {"format": "xlsx"}, headers=headers)
    assert xlsx_report.status_code == 200 and xlsx_report.content[:2] == b"PK"


def test_api_import_garbage_is_400_naming_file(tree):
    client, headers = token(tree, tree.county_staff)
    response = client.post("/api/imports", {"organization_id": tree.xw.pk, "file": SimpleUploadedFile("x.xlsx", b"nonsense\x00")}, headers=headers)
    assert response.status_code == 400 and response.json()["field"] == "file"


def test_api_batch_outside_scope_is_404(tree):
    batch = make_batch(tree)
    client, headers = token(tree, tree.sibling_staff)
    assert client.get(f"/api/imports/{batch.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/imports/{batch.pk}/report", headers=headers).status_code == 404
    response = client.post("/api/imports", {"organization_id": tree.xw.pk, "file": SimpleUploadedFile("p.xlsx", xlsx([row(1)]))}, headers=headers)
    assert response.status_code == 404 and ImportBatch.objects.count() == 1


# ---- Command -----------------------------------------------------------------------------------


def test_command_imports_file(tree, tmp_path, capsys):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([row(1), row(2)]))
    call_command("import_people", str(path), "--org", "XW")
    assert Person.objects.count() == 2
    assert '"created": 2' in capsys.readouterr().out


def test_command_dry_run_and_mode(tree, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes([row(1), row(2, 手机号="1")], HEADERS, encoding="gbk"))
    call_command("import_people", str(path), "--org", "XW", "--dry-run", "--mode", "good", "--actor", "xw_staff")
    assert Person.objects.count() == 0
    out = capsys.readouterr().out
    assert "error\t3\t手机号" in out
    call_command("import_people", str(path), "--org", "XW", "--mode", "good")
    assert Person.objects.count() == 1


def test_command_refuses_out_of_scope_actor_and_bad_file(tree, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([row(1)]))
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--org", "XW", "--actor", "qh_staff")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"nothing")
    with pytest.raises(CommandError):
        call_command("import_people", str(bad), "--org", "XW")
    with pytest.raises(CommandError):
        call_command("import_people", str(path), "--org", "NOPE")
    assert Person.objects.count() == 0
