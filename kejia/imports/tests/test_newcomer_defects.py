"""Issue 16 in imports: imported people reach expert search; disciplines by name; 15-digit ID
numbers; "import the good rows now"; the organization picker; the collector left alone inline."""

import gc
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kejia.core.models import AuditEvent
from kejia.imports import services
from kejia.imports.models import BatchStatus, ImportBatch
from kejia.imports.tests.sheets import HEADERS, person_id, row, xlsx
from kejia.people.models import Person
from kejia.search import tasks as search_tasks
from kejia.search.services import find_experts


@pytest.fixture(autouse=True)
def search_index_dir(settings, tmp_path):
    from kejia.search.indexing import reset_backend

    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    reset_backend()
    yield
    reset_backend()


def start(tree, content, *, mode="all", capture=None, **kw):
    if capture is not None:
        with capture(execute=True):
            batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="p.xlsx", content=content, mode=mode, background=False, **kw)
    else:
        batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="p.xlsx", content=content, mode=mode, background=False, **kw)
    batch.refresh_from_db()
    return batch


# ---- 1. imported people reach expert search ------------------------------------------------------


def test_imported_people_are_found_by_expert_search_after_commit(tree, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    original = search_tasks.index_people
    monkeypatch.setattr(search_tasks, "index_people", lambda ids: enqueued.append(ids) or original(ids))
    rows = [row(1, 专业特长="拓扑光子学"), row(2, 专业特长="钙钛矿电池"), row(3, 专业特长="拓扑优化")]
    batch = start(tree, xlsx(rows), capture=django_capture_on_commit_callbacks)
    assert batch.committed and batch.created_count == 3
    assert len(enqueued) == 1 and len(enqueued[0]) == 3  # one task for the batch, not one per person
    found = find_experts(tree.county_staff, text="拓扑")
    assert sorted(e.name for e in found.experts) == sorted([row(1)["姓名"], row(3)["姓名"]])


def test_an_import_that_writes_nothing_queues_no_indexing(tree, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(search_tasks, "index_people", lambda ids: enqueued.append(ids))
    batch = start(tree, xlsx([row(1), row(2, 手机号="123")]), capture=django_capture_on_commit_callbacks)
    assert not batch.committed and enqueued == []


# ---- 2. disciplines by name ----------------------------------------------------------------------


def test_disciplines_written_by_name_and_variants_are_imported(tree):
    rows = [
        row(1, 学科代码="计算机科学技术"),
        row(2, 学科代码="520 计算机科学技术"),
        row(3, 学科代码="520-计算机科学技术；人工智能"),
        row(4, 学科代码="５２０　计算机科学与技术、数学"),
        row(5, 学科代码="畜牧、兽医科学"),
        row(6, 学科代码="520 140"),
    ]
    batch = start(tree, xlsx(rows))
    assert batch.committed and batch.bad == 0, batch.report
    codes = {p.name: sorted(p.disciplines.values_list("code", flat=True)) for p in Person.objects.all()}
    assert codes == {
        row(1)["姓名"]: ["520"],
        row(2)["姓名"]: ["520"],
        row(3)["姓名"]: ["520", "52020"],
        row(4)["姓名"]: ["110", "520"],
        row(5)["姓名"]: ["230"],
        row(6)["姓名"]: ["140", "520"],
    }


def test_an_unrecognised_discipline_is_a_warning_and_the_person_is_imported_without_it(tree):
    batch = start(tree, xlsx([row(1, 学科代码="量子玄学；520"), row(2)]))
    assert batch.committed and (batch.good, batch.bad, batch.created_count) == (2, 0, 2)
    warnings = [e for e in batch.report if e["level"] == "warning"]
    assert [(e["row"], e["column"]) for e in warnings] == [(2, "学科代码")] and "量子玄学" in warnings[0]["reason"]
    assert list(Person.objects.get(name=row(1)["姓名"]).disciplines.values_list("code", flat=True)) == ["520"]


# ---- 3. 15-digit resident ID numbers -------------------------------------------------------------


def test_a_15_digit_id_number_is_converted_with_a_notice(tree):
    eighteen = person_id(1, birth="19800101")
    fifteen = eighteen[:6] + eighteen[8:17]
    batch = start(tree, xlsx([row(1, 身份证号=fifteen)]))
    assert batch.committed and batch.bad == 0, batch.report
    notices = [e for e in batch.report if e["level"] == "notice" and e["column"] == "身份证号"]
    assert len(notices) == 1 and "18" in notices[0]["reason"] and fifteen not in str(batch.report)
    person = Person.objects.get()
    from kejia.core import pii

    assert pii.decrypt(person.id_sealed) == eighteen
    # The same person typed later with the 18-digit number is the same record.
    again = start(tree, xlsx([row(1)]))
    assert again.created_count == 0 and Person.objects.count() == 1


# ---- 4. "import the good rows now" ----------------------------------------------------------------


def failed_all_or_nothing(tree):
    return start(tree, xlsx([row(1), row(2, 手机号="123"), row(3)]), mode="all")


def test_all_or_nothing_failure_keeps_the_file_and_offers_the_good_rows(tree):
    batch = failed_all_or_nothing(tree)
    assert not batch.committed and batch.offers_good_rows and batch.sealed_path
    client = Client()
    client.force_login(tree.county_staff)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert reverse("imports:good_rows", args=[batch.pk]) in page
    response = client.post(reverse("imports:good_rows", args=[batch.pk]))
    new = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[new.pk])
    assert new.retry_of_id == batch.pk and new.mode == "good" and new.committed and new.created_count == 2 and new.bad == 1
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted([row(1)["姓名"], row(3)["姓名"]])
    batch.refresh_from_db()
    assert not batch.offers_good_rows and batch.sealed_path == ""  # the kept file is gone once used
    assert AuditEvent.objects.filter(action="people.import_good_rows", object_id=str(batch.pk), actor=tree.county_staff).count() == 1
    assert AuditEvent.objects.get(action="people.imported").new["retry_of"] == batch.pk
    # Once only: a second click changes nothing.
    again = client.post(reverse("imports:good_rows", args=[batch.pk]))
    assert again.status_code == 302 and ImportBatch.objects.count() == 2 and Person.objects.count() == 2
    assert reverse("imports:detail", args=[new.pk]) in client.get(reverse("imports:detail", args=[batch.pk])).content.decode()


def test_good_rows_offer_is_scoped(tree):
    batch = failed_all_or_nothing(tree)
    for actor in (tree.sibling_staff, tree.wx_staff, tree.worker, tree.society_secretary):
        client = Client()
        client.force_login(actor)
        response = client.post(reverse("imports:good_rows", args=[batch.pk]))
        assert response.status_code == 404, actor
    assert ImportBatch.objects.count() == 1 and Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action="people.import_good_rows").exists()
    client = Client()
    client.force_login(tree.county_staff)
    assert client.get(reverse("imports:good_rows", args=[batch.pk])).status_code == 405


def test_no_offer_for_a_dry_run_a_good_rows_import_or_an_expired_file(tree, settings):
    assert not start(tree, xlsx([row(1), row(2, 手机号="123")]), dry_run=True).offers_good_rows
    assert not start(tree, xlsx([row(4), row(5, 手机号="123")]), mode="good").offers_good_rows
    settings.IMPORT_KEEP_SECONDS = 0
    assert not start(tree, xlsx([row(6), row(7, 手机号="123")])).offers_good_rows
    settings.IMPORT_KEEP_SECONDS = 3600
    kept = failed_all_or_nothing(tree)
    ImportBatch.objects.filter(pk=kept.pk).update(kept_until="2000-01-01T00:00Z")
    assert services.discard_expired_files() == 1
    kept.refresh_from_db()
    assert kept.sealed_path == "" and kept.kept_until is None and not kept.offers_good_rows


def test_good_rows_of_a_background_batch_run_in_the_worker(tree, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 100)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="big.xlsx", content=xlsx([row(1), row(2, 手机号="123")]))
    batch.refresh_from_db()
    assert batch.offers_good_rows and batch.sealed_path  # the worker kept it
    with django_capture_on_commit_callbacks(execute=True):
        new = services.import_good_rows(batch, actor=tree.county_staff)
    new.refresh_from_db()
    assert new.status == BatchStatus.DONE and new.created_count == 1 and new.sealed_path == ""


# ---- 5. the organization picker -------------------------------------------------------------------


def test_new_import_page_stays_small_with_thousands_of_organizations(tree, django_assert_max_num_queries):
    from kejia.organizations.models import Organization

    base = tree.nj
    Organization.objects.bulk_create(
        [
            Organization(
                code=f"BULK-{i:04d}",
                name=f"批量测试第{i}号企业科学技术协会",
                kind="enterprise_assoc",
                parent=base,
                path=f"{base.path}{9000000 + i:07d}/"[:255],
                depth=base.depth + 1,
            )
            for i in range(2500)
        ]
    )
    client = Client()
    client.force_login(tree.platform)
    with django_assert_max_num_queries(5):  # 3: the session, the user, the organizations listed
        response = client.get(reverse("imports:new"))
    html = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 20_000, len(response.content)
    assert html.count('name="organization"') <= 20 and "<select" not in html.split('name="organization"')[0][-200:]
    # Without JS: the search reloads the page with the matches.
    found = client.get(reverse("imports:new"), {"org_q": "第1234号"}).content.decode()
    assert found.count('name="organization"') == 1 and "批量测试第1234号企业科学技术协会" in found
    # The endpoint the picker asks as one types.
    with django_assert_max_num_queries(4):
        part = client.get(reverse("imports:organizations"), {"org_q": "BULK-00"}).content.decode()
    assert part.count('name="organization"') == 20


def test_picker_lists_only_the_users_scope(tree):
    client = Client()
    client.force_login(tree.county_staff)
    part = client.get(reverse("imports:organizations"), {"org_q": "科学技术协会"}).content.decode()
    assert tree.xw.name in part and tree.qh.name not in part and tree.nj.name not in part
    page = client.get(reverse("imports:new"), {"org_q": tree.qh.name}).content.decode()
    assert re.findall(r'name="organization" value="(\d+)"', page) == []
    # Posting another organization's id is refused by the form (it is outside the scope).
    response = client.post(reverse("imports:new"), {"organization": tree.qh.pk, "mode": "all", "file": SimpleUploadedFile("p.xlsx", xlsx([row(1)]))})
    assert response.status_code == 400 and not ImportBatch.objects.exists()


def test_picker_upload_with_the_chosen_organization(tree):
    client = Client()
    client.force_login(tree.county_staff)
    page = client.get(reverse("imports:new"), {"org": tree.xw.pk}).content.decode()
    assert f'value="{tree.xw.pk}" id="id_organization" checked' in page or f'value="{tree.xw.pk}" checked' in page
    response = client.post(reverse("imports:new"), {"organization": tree.xw.pk, "mode": "all", "file": SimpleUploadedFile("p.xlsx", xlsx([row(1)]))})
    assert response.status_code == 302 and ImportBatch.objects.get().organization == tree.xw


# ---- issue 17: the collector is the worker's business ---------------------------------------------


def test_an_inline_import_leaves_the_collector_on(tree, monkeypatch):
    seen = []
    original = services._run

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_run", spy)
    start(tree, xlsx([row(1)]))
    assert seen == [True] and gc.isenabled()


def test_the_worker_pauses_the_collector_and_large_files_go_to_it(tree, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    original = services._run

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_run", spy)
    import random

    rnd = random.Random(5)
    text = "".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(90_000))
    content = xlsx([row(n, 研究方向简介=text[n * 300 : (n + 1) * 300]) for n in range(1, 300)], [*HEADERS, "研究方向简介"])
    assert len(content) > services.INLINE_MAX_BYTES
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="big.xlsx", content=content)
        assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED  # not run in the request
    assert seen == [False] and gc.isenabled()
