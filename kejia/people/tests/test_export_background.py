"""Large exports of the talent list are made by the task worker: progress, a file only the
requester downloads, PII rules kept (masked unless allowed; audited; no-store)."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kejia.core.models import AuditEvent
from kejia.people import exports, services
from kejia.people.models import ExportStatus, PeopleExport
from kejia.people.tests.helpers import ID_A, ID_B, ID_C, make


@pytest.fixture
def three(tree, settings, tmp_path):
    settings.PEOPLE_EXPORT_INLINE_MAX = 2
    settings.MEDIA_ROOT = tmp_path
    make(tree)
    make(tree, name="王芳", resident_id=ID_B, phone="13905140002")
    make(tree, name="赵强", resident_id=ID_C, phone="13905140003")
    return tree


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))


def start(client, capture, **params):
    assert "xlsx" not in client.get(reverse("people:export"), params)["Content-Type"]
    with capture(execute=True):
        response = client.post(reverse("people:export"), params)
    assert response.status_code == 302, response.content
    return PeopleExport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_a_large_export_asks_first_and_is_made_in_the_background(three, django_capture_on_commit_callbacks):
    client = client_of(three.county_staff)
    page = client.get(reverse("people:export"))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html") and "no-store" in page["Cache-Control"]
    assert not AuditEvent.objects.filter(action__startswith="person.export").exists()  # a GET starts nothing
    job = start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and (job.total, job.processed, job.rows) == (3, 3, 3) and job.percent == 100
    detail = client.get(reverse("people:export_detail", args=[job.pk]))
    assert reverse("people:export_download", args=[job.pk]) in detail.content.decode() and "no-store" in detail["Cache-Control"]
    response = client.get(reverse("people:export_download", args=[job.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"] and "masked" in response["Content-Disposition"]
    rows = rows_of(response.content)
    assert sorted(r[0] for r in rows[1:]) == sorted(["李明", "王芳", "赵强"]) and ID_A not in str(rows)
    with exports.default_storage.open(job.sealed_path, "rb") as fh:
        sealed = fh.read()
    assert b"PK" not in sealed[:4] and ID_A.encode() not in sealed and "李明".encode() not in sealed
    actions = list(AuditEvent.objects.filter(actor=three.county_staff, action__startswith="person.export").order_by("pk").values_list("action", flat=True))
    assert actions == ["person.export_requested", "person.exported", "person.export_downloaded"]


def test_an_unmasked_background_export_keeps_the_rules(three, django_capture_on_commit_callbacks):
    job = start(client_of(three.county_staff), django_capture_on_commit_callbacks, unmasked="on")
    job.refresh_from_db()
    rows = rows_of(client_of(three.county_staff).get(reverse("people:export_download", args=[job.pk])).content)
    assert ID_A in str(rows) and AuditEvent.objects.filter(action="person.exported_unmasked", actor=three.county_staff).exists()
    # No staff role: no unmasked export, inline or in the background, and nothing queued.
    leader = client_of(three.county_leader)
    assert leader.get(reverse("people:export"), {"unmasked": "on"}).status_code == 403
    assert leader.post(reverse("people:export"), {"unmasked": "on"}).status_code == 403
    assert PeopleExport.objects.count() == 1


def test_only_the_requester_sees_and_downloads_an_export(three, django_capture_on_commit_callbacks):
    job = start(client_of(three.county_staff), django_capture_on_commit_callbacks)
    for user in (three.platform, three.nj_staff, three.county_leader, three.sibling_staff, three.worker, three.nj_admin):
        client = client_of(user)
        assert client.get(reverse("people:export_detail", args=[job.pk])).status_code == 404, user
        assert client.get(reverse("people:export_download", args=[job.pk])).status_code == 404, user
    assert not AuditEvent.objects.filter(action="person.export_downloaded").exists()
    assert Client().get(reverse("people:export_download", args=[job.pk])).status_code == 302  # to the login page


def test_a_small_export_stays_inline(three):
    client = client_of(three.county_staff)
    response = client.get(reverse("people:export"), {"q": "李明"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert not PeopleExport.objects.exists()


def test_an_expired_export_file_is_deleted(three, django_capture_on_commit_callbacks):
    job = start(client_of(three.county_staff), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    path = job.sealed_path
    PeopleExport.objects.filter(pk=job.pk).update(expires_at="2000-01-01T00:00Z")
    assert exports.discard_expired_exports() == 1
    assert not exports.default_storage.exists(path)
    assert client_of(three.county_staff).get(reverse("people:export_download", args=[job.pk])).status_code == 404


def test_progress_is_recorded_as_rows_are_written(three, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_PROGRESS_EVERY", 1)
    seen = []
    original = exports._update
    monkeypatch.setattr(exports, "_update", lambda job, **f: seen.append(f.get("processed")) or original(job, **f))
    job = PeopleExport.objects.create(requester=three.county_staff, params={}, total=3)
    exports.run_export(job)
    assert [n for n in seen if n is not None] == [0, 1, 2, 3, 3] and job.status == ExportStatus.DONE
