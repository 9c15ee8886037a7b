"""Hostile spreadsheets are refused quickly, with a message naming the reason, in bounded memory
(kejia.imports.xlsx LIMITS; reading's CSV bounds). The bombs are built as streams (bombs.py)."""

import dataclasses
import time
import tracemalloc

import pytest
from django.utils import translation

from kejia.imports import reading, services, xlsx
from kejia.imports.models import BatchStatus
from kejia.imports.tests import bombs
from kejia.people.models import Person

SECONDS = 5  # every refusal below takes well under a second on the development machine


def refused(content: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(reading.FileRefused) as exc:
        table = reading.open_table(content, "bomb.xlsx")
        for _row in table.rows:
            pass
    assert time.perf_counter() - started < SECONDS
    return str(exc.value.message)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages are compared in English
        yield


@pytest.fixture
def limits(monkeypatch):
    def set_limits(**changes):
        monkeypatch.setattr(xlsx, "LIMITS", dataclasses.replace(xlsx.LIMITS, **changes))

    return set_limits


def test_bomb_long_row_refused_by_compression_ratio():
    # The finding: one row of cells compressing ~500 times (the old reader took minutes and gigabytes).
    assert "zip bomb" in refused(bombs.long_row(2_000_000))


def test_bomb_long_row_refused_by_its_length_without_quadratic_time(limits):
    limits(ratio=10**6)
    message = refused(bombs.long_row(2_000_000))
    assert "Row 2" in message and "MB" in message


def test_bomb_long_row_of_varied_cells_refused_by_its_length():
    content = bombs.long_row(400_000, varied=True)  # compresses like a real sheet: only the row length stops it
    assert "Row 2" in refused(content)


def test_bomb_zip_refused_from_directory_before_decompressing():
    content = bombs.zip_bomb(200)
    tracemalloc.start()
    try:
        message = refused(content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zip bomb" in message and peak < 16 * 1024 * 1024


def test_bomb_sheet_too_large_once_decompressed(limits):
    limits(sheet_bytes=10 * 1024 * 1024, ratio=10**6)
    assert "too large once decompressed" in refused(bombs.many_rows_bomb(20))


def test_bomb_many_shared_strings_refused_in_bounded_memory(limits):
    limits(shared_strings=50_000)
    tracemalloc.start()
    try:
        message = refused(bombs.shared_strings(200_000))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "50000 different texts" in message and peak < 32 * 1024 * 1024


def test_bomb_entities_refused():
    assert "DTD" in refused(bombs.entities(9))


def test_bomb_deep_workbook_xml_refused():
    assert "nested" in refused(bombs.deep_workbook(100_000))


def test_bomb_long_cell_and_long_shared_string_refused():
    assert "A2" in refused(bombs.long_cell(40_000)) and "32767" in refused(bombs.long_cell(40_000))


def test_bomb_far_row_number_refused():
    assert "1048576" in refused(bombs.far_row())


def test_bomb_far_column_refused():
    assert "16384" in refused(bombs.far_column())


def test_bomb_unclosed_rows_and_cells_read_in_linear_time(limits):
    limits(ratio=10**6)
    started = time.perf_counter()
    list(xlsx.read_first_sheet(bombs.unclosed_rows(200_000), set()))
    list(xlsx.read_first_sheet(bombs.unclosed_cells(200_000), set()))
    assert time.perf_counter() - started < SECONDS


def test_bomb_csv_long_line_refused():
    assert "Line 2" in refused(bombs.long_csv_line(5))


def test_bomb_csv_long_cell_refused():
    content = "姓名,手机号\n".encode() + ("张" * 40_000).encode() + b",1\n"
    assert "32767" in refused(content)


def test_bomb_import_not_parsed_in_request_and_fails_batch_with_reason(tree, django_capture_on_commit_callbacks, monkeypatch):
    # A large file is not parsed in the web request: it is queued, and the worker refuses it.
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 100)
    opened = []
    open_table = reading.open_table
    monkeypatch.setattr(reading, "open_table", lambda *a, **kw: opened.append(1) or open_table(*a, **kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.start_import(tree.xw, actor=tree.county_staff, file_name="bomb.xlsx", content=bombs.long_row(300_000, varied=True))
    assert opened == [] and batch.status == BatchStatus.QUEUED
    for callback in callbacks:
        callback()
    batch.refresh_from_db()
    assert opened and batch.status == BatchStatus.FAILED and ("Row 2" in batch.message or "第 2 行" in batch.message), batch.message
    assert Person.objects.count() == 0 and batch.sealed_path == ""


def test_bomb_zip_refused_in_request_without_reading_rows(tree, monkeypatch):
    monkeypatch.setattr(services, "INLINE_MAX_BYTES", 100)
    with pytest.raises(reading.FileRefused) as exc:
        services.start_import(tree.xw, actor=tree.county_staff, file_name="bomb.xlsx", content=bombs.zip_bomb(50))
    assert "zip bomb" in str(exc.value.message)
