"""Writing while checking (settings.IMPORT_WRITE_WHILE_CHECKING, the default): the good rows are
written in the import's transaction as they are checked. The same people, listings, counts and
report as checking every row first; "all" mode still writes nothing when a late row is bad, even
after chunks were written; and the progress can be read before the transaction commits."""

import pytest
from django.test import override_settings

from kejia.core.models import AuditEvent
from kejia.imports import people as people_import
from kejia.imports import progress, selectors
from kejia.imports.models import BatchStatus
from kejia.imports.tests.sheets import person_id, row, xlsx
from kejia.imports.tests.test_services import errors, run
from kejia.people import services as people_services
from kejia.people.models import Listing, Person


def _rows(count: int) -> list[dict]:
    return [row(n, 身份证号=person_id(n, birth=f"19{60 + n // 500:02d}0101"), 出生日期=None) for n in range(count)]


def _state():
    people = sorted(Person.objects.values_list("name", "id_hash", "phone_hash", "birth_date", "gender", "email", "employer_name"))
    listings = sorted(Listing.objects.values_list("person__id_hash", "organization_id", "role"))
    return people, listings


@pytest.mark.parametrize("mode", ["good", "all"])
def test_writing_while_checking_writes_what_checking_first_does(tree, mode):
    # Someone already in the database (filled, not overwritten: a notice), a bad row late in the
    # file, a duplicate of an earlier row: the write meets all of it after chunks were written.
    rows = _rows(2400)
    rows[2300]["邮箱"] = "not-an-address"
    rows[2350]["身份证号"] = rows[10]["身份证号"]
    content = xlsx(rows)
    outcomes = {}
    for streamed in (False, True):
        people_services.create_person(
            actor=tree.county_staff, organization=tree.xw, name="张一1201", resident_id=person_id(1201, birth="19620101"), employer_name="南京大学"
        )
        with override_settings(IMPORT_WRITE_WHILE_CHECKING=streamed):
            batch = run(tree, content, mode=mode)
        outcomes[streamed] = (batch, _state())
        Listing.objects.all().delete()
        Person.objects.all().delete()
    (first, first_state), (streamed, streamed_state) = outcomes[False], outcomes[True]
    assert streamed.status == first.status == BatchStatus.DONE
    fields = ("total", "processed", "good", "bad", "created_count", "updated_count", "listed_count", "committed", "message", "report")
    assert [getattr(streamed, f) for f in fields] == [getattr(first, f) for f in fields]
    assert streamed_state == first_state
    assert (2302, "邮箱") in {(r, c) for r, c, _reason in errors(streamed)} and streamed.bad == 2
    kept = [e["row"] for e in streamed.report if e["level"] == "notice" and "已保留原有值" in e["reason"]]  # a write's notice
    if mode == "all":
        assert not streamed.committed and streamed.created_count == 0 and len(streamed_state[0]) == 1
        assert kept == []  # what the rolled-back write noted is not reported
    else:
        assert streamed.committed and streamed.created_count == 2400 - 2 - 1 and streamed.updated_count == 1
        assert kept == [1203]  # 南京大学 kept over the file's 东南大学


def test_all_mode_rolls_back_the_chunks_written_before_a_bad_row(tree, monkeypatch):
    written = []
    original = people_import.RowWriter.write

    def write(self, rows):
        written.append(len(rows))
        original(self, rows)

    monkeypatch.setattr(people_import.RowWriter, "write", write)
    rows = _rows(2500)
    rows[2400]["手机号"] = "12345"
    batch = run(tree, xlsx(rows), mode="all")
    assert written == [1000, 1000]  # two chunks went in before row 2402 was found bad; nothing after it
    assert batch.status == BatchStatus.DONE and not batch.committed and batch.bad == 1 and batch.good == 2499
    assert (batch.created_count, batch.listed_count) == (0, 0)
    assert Person.objects.count() == 0 and Listing.objects.count() == 0
    assert not AuditEvent.objects.filter(action="people.imported").exists()
    assert AuditEvent.objects.filter(action="people.import_checked").count() == 1


def test_progress_is_readable_before_the_import_commits(tree, monkeypatch):
    batches, seen = [], []
    record, write = progress.record, people_import.RowWriter.write

    def recording(batch_pk, n):
        batches.append(batch_pk)
        record(batch_pk, n)

    def writing(self, rows):
        # What the batch page and the API show while this chunk is written (the batch row itself still says 0).
        seen.append(selectors.get_batch_for(tree.county_staff, batches[-1]).processed if batches else 0)
        write(self, rows)

    monkeypatch.setattr(progress, "record", recording)
    monkeypatch.setattr(people_import.RowWriter, "write", writing)
    batch = run(tree, xlsx(_rows(3500)), mode="good")
    assert batch.committed and batch.created_count == 3500 and batch.processed == 3500
    assert seen == [0, 1000, 2000, 3000]  # the rows checked so far, recorded as each chunk is written
    assert progress.read(batch.pk) == 0  # cleared once the batch has finished


def test_a_running_batch_shows_the_recorded_progress(tree):
    batch = run(tree, xlsx(_rows(3)), mode="good")
    batch.status = BatchStatus.RUNNING
    batch.processed = 0
    batch.save(update_fields=["status", "processed"])
    progress.record(batch.pk, 2000)
    assert selectors.get_batch_for(tree.county_staff, batch.pk).processed == 2000
    batch.status = BatchStatus.DONE
    batch.save(update_fields=["status"])
    assert selectors.get_batch_for(tree.county_staff, batch.pk).processed == 0  # a finished batch: its row is the truth
    progress.clear(batch.pk)
