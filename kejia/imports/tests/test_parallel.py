"""A large file is checked by forked worker processes (kejia.imports.people.check_rows, workers ≥ 2):
the same report, bad rows and prepared people as checking it in the importing process, and the
same import in the database. The row estimate that decides it reads sheets without a dimension."""

import io

import pytest
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from kejia.core import pii
from kejia.imports import people as people_import
from kejia.imports import reading
from kejia.imports import services as import_services
from kejia.imports.models import BatchStatus
from kejia.imports.tests.sheets import HEADERS, csv_bytes, person_id, row, xlsx
from kejia.imports.tests.test_services import run
from kejia.people.models import Listing, Person

SEALED = {"id_sealed", "phone_sealed"}  # random nonces: compared opened


def _rows() -> list[dict]:
    rows = [row(n, 身份证号=person_id(n, birth=f"19{80 + n // 500}0101"), 出生日期=f"19{80 + n // 500}-01-01") for n in range(1, 1300)]
    rows[10]["身份证号"] = rows[10]["身份证号"][:-1] + ("0" if rows[10]["身份证号"][-1] != "0" else "1")  # wrong check digit
    rows[20]["身份证号"] = rows[5]["身份证号"]  # the same person twice in one file
    rows[30]["手机号"] = "１３９０００００００３１"  # full-width: folded, noted
    rows[40] = {h: "" for h in HEADERS}  # blank row: skipped
    rows[600]["邮箱"] = "not-an-address"
    rows[1200]["学科代码"] = "999999"  # unknown discipline: a warning, the row is good
    rows[1250]["性别"] = "女"  # disagrees with the ID number
    return rows


def _check(content: bytes, name: str, workers: int):
    report = people_import.Report()
    with translation.override("zh-hans"):
        checked = people_import.check_rows(reading.open_table(content, name), report, prepare=True, workers=workers)
    return report, checked


def _person(person) -> dict:
    state = {k: v for k, v in person.__dict__.items() if k != "_state" and k not in SEALED}
    state.update({k: pii.decrypt(getattr(person, k)) for k in SEALED})
    return state


@pytest.mark.parametrize("name", ["people.xlsx", "people.csv"])
def test_workers_check_as_the_importing_process_does(tree, name):
    rows = _rows()
    content = xlsx(rows) if name.endswith("xlsx") else csv_bytes(rows)
    serial_report, serial = _check(content, name, 0)
    parallel_report, parallel = _check(content, name, 2)
    assert serial.total == parallel.total == len(rows) - 1
    assert serial.bad_rows == parallel.bad_rows and len(serial.bad_rows) == 5
    assert serial_report.entries == parallel_report.entries
    assert any("全角" in e["reason"] or "半角" in e["reason"] for e in parallel_report.entries)  # the report is in Chinese in the workers too
    assert [(g.number, g.data, g.present, g.disciplines) for g in serial.good] == [(g.number, g.data, g.present, g.disciplines) for g in parallel.good]
    assert [_person(g.person) for g in serial.good] == [_person(g.person) for g in parallel.good]
    assert all(g.person._state.adding and g.person.pk is None for g in parallel.good)


@pytest.mark.parametrize("streamed", [True, False])
def test_a_large_import_checked_by_workers_writes_what_a_serial_one_does(tree, streamed):
    rows = _rows()
    content = xlsx(rows)
    with override_settings(IMPORT_WORKERS=0):
        serial = run(tree, content, mode="good")
    people = sorted(Person.objects.values_list("name", "id_hash", "phone_hash", "birth_date", "gender", "email"))
    Listing.objects.all().delete()
    Person.objects.all().delete()
    with override_settings(IMPORT_WORKERS=2, IMPORT_PARALLEL_MIN_ROWS=1000, IMPORT_WRITE_WHILE_CHECKING=streamed):
        assert people_import.check_workers(import_services._count_hint(content)) == 2
        parallel = run(tree, content, mode="good")
    assert parallel.status == serial.status == BatchStatus.DONE
    assert (parallel.good, parallel.bad, parallel.created_count, parallel.listed_count) == (serial.good, serial.bad, serial.created_count, serial.listed_count)
    assert parallel.report == serial.report
    assert sorted(Person.objects.values_list("name", "id_hash", "phone_hash", "birth_date", "gender", "email")) == people


def test_small_files_and_one_worker_stay_in_process(settings):
    settings.IMPORT_PARALLEL_MIN_ROWS = 20_000
    settings.IMPORT_WORKERS = 4
    assert people_import.check_workers(19_999) == 0
    assert people_import.check_workers(20_000) == 4
    settings.IMPORT_WORKERS = 1
    assert people_import.check_workers(100_000) == 0


def test_row_estimate_of_a_sheet_without_a_dimension():
    book = Workbook(write_only=True)  # streaming writers leave the dimension out
    sheet = book.create_sheet("s")
    sheet.append(HEADERS)
    for n in range(1, 5001):
        sheet.append([row(n)[h] for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    hint = import_services._count_hint(out.getvalue())
    assert 4500 <= hint <= 5500  # estimated from the first MiB of the sheet
    assert import_services._count_hint(xlsx([row(n) for n in range(1, 101)])) == 100  # declared
    assert import_services._count_hint(b"PK\x03\x04 not a zip") == 0


def test_workers_parse_the_sheet_in_pieces_as_the_reader_does(tree, monkeypatch):
    """XLSX goes to the workers as XML pieces: title rows above the header, formulas without a
    saved result, rows the file leaves out, IDs typed as numbers and dates as dates must come out
    with the same row numbers and report as reading the sheet here — across many small pieces."""
    import datetime

    from kejia.imports import xlsx as xlsx_reader

    monkeypatch.setattr(xlsx_reader, "CHUNK", 2048)  # many pieces
    monkeypatch.setattr(people_import, "CHECK_CHUNK", 40)  # many tasks
    rows = _rows()[:400]
    grid = [[item.get(h) for h in HEADERS] for item in rows]
    grid[50][HEADERS.index("手机号")] = "=A2&B2"  # a formula with no saved result
    number = grid[60][HEADERS.index("身份证号")]
    if number[-1] != "X":
        grid[60][HEADERS.index("身份证号")] = int(number)  # Excel turned the ID into a number
    grid[70][HEADERS.index("出生日期")] = datetime.datetime(1980, 1, 1)
    grid[80] = [None] * len(HEADERS)  # left out of the file
    grid[81] = [None] * len(HEADERS)
    content = xlsx(grid, raw=True, title_rows=[["2026年 科技工作者名单"], [None]])
    serial_report, serial = _check(content, "people.xlsx", 0)
    parallel_report, parallel = _check(content, "people.xlsx", 2)
    assert serial.total == parallel.total
    assert serial.bad_rows == parallel.bad_rows
    assert any(e["row"] == 54 and "公式" in e["reason"] for e in parallel_report.entries)  # row 51 of data below two title rows and the header
    assert serial_report.entries == parallel_report.entries
    assert [(g.number, g.data, g.present) for g in serial.good] == [(g.number, g.data, g.present) for g in parallel.good]
    assert [_person(g.person) for g in serial.good] == [_person(g.person) for g in parallel.good]


def test_workers_refuse_a_sheet_over_the_row_limit_as_reading_does(tree, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 100)
    content = xlsx([row(n) for n in range(1, 200)])
    for workers in (0, 2):
        with pytest.raises(reading.FileRefused) as refused:
            _check(content, "people.xlsx", workers)
        assert "100" in str(refused.value.message)
