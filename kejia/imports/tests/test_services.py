"""The import service: both modes, rollback, idempotence, dry runs, identity, scope, audit."""

import datetime

import pytest

from kejia.core.errors import NotFound, PermissionDenied
from kejia.core.models import AuditEvent
from kejia.core.pii import mask_resident_id
from kejia.imports import people as people_import
from kejia.imports import services
from kejia.imports.models import BatchStatus, ImportBatch
from kejia.imports.tests.sheets import person_id, row, xlsx
from kejia.people import resolution
from kejia.people import services as people_services
from kejia.people.models import Listing, Person


def run(tree, content, *, org=None, mode="all", dry_run=False, actor=None, name="people.xlsx"):
    batch = services.start_import(
        org or tree.xw, actor=actor or tree.county_staff, file_name=name, content=content, mode=mode, dry_run=dry_run, background=False
    )
    batch.refresh_from_db()
    return batch


def errors(batch):
    return [(e["row"], e["column"], e["reason"]) for e in batch.report if e["level"] == "error"]


def test_import_good_file_creates_people_and_listings(tree):
    batch = run(tree, xlsx([row(1), row(2), row(3)]))
    assert batch.status == BatchStatus.DONE, batch.message
    assert (batch.good, batch.bad, batch.created_count, batch.listed_count) == (3, 0, 3, 3)
    assert batch.committed
    person = Person.objects.get(name=row(2)["姓名"])
    assert person.title_level == "senior" and person.education == "doctorate" and person.sector == "university"
    assert person.gender == "M" and person.birth_date == datetime.date(1980, 1, 1)
    assert person.id_masked == mask_resident_id(person_id(2)) and person_id(2) not in person.id_sealed
    assert person.phone_masked == "139****0002"
    assert Listing.objects.filter(organization=tree.xw).count() == 3


def test_import_writes_one_audit_event_per_batch(tree):
    batch = run(tree, xlsx([row(n) for n in range(1, 6)]))
    events = AuditEvent.objects.filter(object_type="imports.importbatch", object_id=str(batch.pk))
    assert [e.action for e in events] == ["people.imported"]
    assert events[0].new["created"] == 5 and events[0].org_path == tree.xw.path
    assert not AuditEvent.objects.filter(action="person.created").exists()
    assert person_id(1) not in str(events[0].new)


def test_import_mode_all_writes_nothing_when_a_row_is_bad(tree):
    batch = run(tree, xlsx([row(1), row(2, 手机号="12345"), row(3)]), mode="all")
    assert batch.status == BatchStatus.DONE and not batch.committed
    assert (batch.good, batch.bad, batch.created_count) == (2, 1, 0)
    assert errors(batch) == [(3, "手机号", errors(batch)[0][2])]
    assert Person.objects.count() == 0
    assert AuditEvent.objects.filter(action="people.import_checked").count() == 1


def test_import_mode_good_writes_the_good_rows(tree):
    batch = run(tree, xlsx([row(1), row(2, 手机号="12345"), row(3)]), mode="good")
    assert batch.committed and (batch.good, batch.bad, batch.created_count) == (2, 1, 2)
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted([row(1)["姓名"], row(3)["姓名"]])


def test_import_dry_run_writes_nothing(tree):
    batch = run(tree, xlsx([row(1), row(2)]), dry_run=True, mode="good")
    assert batch.status == BatchStatus.DONE and not batch.committed and batch.good == 2
    assert Person.objects.count() == 0 and Listing.objects.count() == 0


def test_import_failure_midway_rolls_everything_back(tree, monkeypatch):
    calls = {"n": 0}
    original = people_import.match_rows

    def failing(rows, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second chunk: the first one is already inserted
            raise RuntimeError("disk full")
        return original(rows, **kwargs)

    monkeypatch.setattr(people_import, "match_rows", failing)
    batch = run(tree, xlsx([row(n, 身份证号=person_id(n, birth=f"19{60 + n // 500:02d}0101"), 出生日期=None) for n in range(2000)]), mode="good")
    assert calls["n"] == 2
    assert batch.status == BatchStatus.FAILED and not batch.committed and batch.created_count == 0
    assert "未写入任何数据" in batch.message
    assert Person.objects.count() == 0 and Listing.objects.count() == 0
    assert not AuditEvent.objects.filter(action="people.imported").exists()


def test_import_same_file_twice_changes_nothing(tree):
    content = xlsx([row(1), row(2), row(3)])
    run(tree, content)
    people = list(Person.objects.order_by("pk").values())
    listings = Listing.objects.count()
    events = AuditEvent.objects.count()
    again = run(tree, content)
    assert again.status == BatchStatus.DONE and again.committed
    assert (again.created_count, again.updated_count, again.listed_count) == (0, 0, 0)
    assert list(Person.objects.order_by("pk").values()) == people
    assert Listing.objects.count() == listings
    assert AuditEvent.objects.count() == events + 1  # the batch's own record only


def test_import_known_person_adds_listing_and_fills_empty_fields_only(tree):
    existing = people_services.create_person(actor=tree.nj_staff, organization=tree.nj, name=row(1)["姓名"], resident_id=person_id(1), title="研究员", email="")
    batch = run(tree, xlsx([row(1, 职称="教授")]))
    existing.refresh_from_db()
    assert batch.created_count == 0 and batch.updated_count == 1 and batch.listed_count == 1
    assert existing.title == "研究员"  # not overwritten …
    assert existing.email == "p1@example.cn" and existing.title_level == "senior"  # … empty fields filled
    assert existing.phone_masked == "139****0001"
    assert set(existing.listings.values_list("organization__code", flat=True)) == {"NJ", "XW"}
    notices = [e for e in batch.report if e["level"] == "notice"]
    assert [(n["row"], n["column"]) for n in notices] == [(2, "职称")]


def test_import_review_decision_creates_person_and_queues(tree, monkeypatch):
    queued = []
    monkeypatch.setattr(people_import, "match_rows", lambda rows, **kwargs: [resolution.Match("review", None, 0.7) for _r in rows])
    monkeypatch.setattr(people_import, "queue_review", lambda person, match: queued.append(person.pk))
    batch = run(tree, xlsx([row(1)]))
    assert batch.created_count == 1 and batch.review_count == 1
    assert queued == [Person.objects.get().pk]


def test_import_into_sibling_organization_is_refused(tree):
    with pytest.raises(NotFound):
        run(tree, xlsx([row(1)]), org=tree.qh)
    with pytest.raises(PermissionDenied):
        run(tree, xlsx([row(1)]), org=tree.xw, actor=tree.county_leader)
    assert ImportBatch.objects.count() == 0


def test_import_large_file_runs_as_background_task(tree, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 100)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="big.xlsx", content=xlsx([row(1), row(2)]))
        assert ImportBatch.objects.get().status == BatchStatus.QUEUED
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.created_count == 2 and batch.total == 2 and batch.processed == 2
    assert batch.sealed_path == ""  # the uploaded file is deleted after the run


def _chiefs_file():
    from kejia.imports.tests.sheets import HEADERS

    rows = [row(1, 三长身份="校长"), row(2, 三长身份="院长"), row(3, 三长身份="无"), row(4)]
    return xlsx(rows, [*HEADERS, "三长身份"])


def test_import_three_chiefs_column_records_key_staff_taken_in_by_a_grassroots_importer(tree):
    """The 三长 column fills the profile field and makes a key staff record taken in by the
    importing township association, so the county's and township's counts include the people."""
    from kejia.grassroots.categories import load_categories
    from kejia.grassroots.models import Category, KeyStaff
    from kejia.grassroots.selectors import counts_by_area

    load_categories(Category)
    batch = run(tree, _chiefs_file(), org=tree.my)
    assert batch.status == BatchStatus.DONE and batch.committed, batch.message
    records = KeyStaff.objects.select_related("person", "category").order_by("person__name")
    assert {(r.person.name, r.category.code, r.organization_id) for r in records} == {
        (row(1)["姓名"], "education", tree.my.pk),
        (row(2)["姓名"], "health", tree.my.pk),
    }
    assert Person.objects.get(name=row(1)["姓名"]).three_chiefs == "school_principal"
    areas = {a["code"]: a for a in counts_by_area(tree.platform, tree.xw)}
    assert (areas["XW"]["chiefs"], areas["XW-MY"]["chiefs"]) == (2, 2)
    assert AuditEvent.objects.filter(action="key_staff.imported", organization_id=tree.my.pk).count() == 1
    run(tree, _chiefs_file(), org=tree.my)  # the same file again: nobody recorded twice
    assert KeyStaff.objects.count() == 2


def test_import_three_chiefs_by_a_county_records_key_staff_without_a_body_and_says_so(tree):
    from kejia.grassroots.categories import load_categories
    from kejia.grassroots.models import Category, KeyStaff

    load_categories(Category)
    batch = run(tree, _chiefs_file(), org=tree.xw)
    assert batch.committed, batch.message
    assert list(KeyStaff.objects.values_list("organization", flat=True)) == [None, None]
    notices = [e for e in batch.report if e["level"] == "notice" and e["column"] == "三长身份"]
    assert len(notices) == 1 and "2" in notices[0]["reason"]
    assert not run(tree, _chiefs_file(), org=tree.xw, dry_run=True).committed
    assert KeyStaff.objects.count() == 2
