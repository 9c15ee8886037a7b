"""Every spreadsheet trap the issue names, each with the message the user sees."""

import datetime
import io

from openpyxl import Workbook

from kejia.imports import services
from kejia.imports.columns import to_date
from kejia.imports.models import BatchStatus
from kejia.imports.tests.sheets import HEADERS, csv_bytes, person_id, row, xlsx
from kejia.people.models import Person


def run(tree, content, *, mode="good", name="people.xlsx"):
    batch = services.start_import(tree.xw, actor=tree.county_staff, file_name=name, content=content, mode=mode, background=False)
    batch.refresh_from_db()
    return batch


def errors(batch):
    return [(e["row"], e["column"], e["reason"]) for e in batch.report if e["level"] == "error"]


def test_import_id_as_scientific_notation_says_column_must_be_text(tree):
    content = csv_bytes([row(1, 身份证号="3.20102E+17"), row(2)])
    batch = run(tree, content, name="people.csv")
    [(number, column, reason)] = errors(batch)
    assert (number, column) == (2, "身份证号")
    assert "3.20102E+17" in reason and "Excel" in reason


def test_import_id_stored_as_number_reports_lost_digits(tree):
    content = xlsx([row(1, 身份证号=320102198001010000), row(2, 身份证号=3.20102198001011e17), row(3)])
    batch = run(tree, content)
    found = errors(batch)
    assert [(r, c) for r, c, _m in found] == [(2, "身份证号"), (3, "身份证号")]
    assert all("E+17" in reason for _r, _c, reason in found)  # openpyxl reads both back as floats
    assert batch.created_count == 1


def test_import_full_width_digits_and_spaces_are_converted_with_a_notice(tree):
    wide = person_id(1).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    content = xlsx([row(1, 身份证号=f"　{wide[:6]} {wide[6:]}", 手机号="１３９ ０００ ０００ ０１", 姓名="张　一")])
    batch = run(tree, content)
    assert batch.created_count == 1, batch.report
    person = Person.objects.get()
    assert person.name == "张一" and person.phone_masked == "139****0001"
    assert {(e["row"], e["column"]) for e in batch.report if e["level"] == "notice"} == {(2, "身份证号"), (2, "手机号")}


def test_import_excel_date_serial_is_read_in_the_1900_system(tree):
    assert to_date(29221) == datetime.date(1980, 1, 1)
    assert to_date("29221") == datetime.date(1980, 1, 1)
    batch = run(tree, xlsx([row(1, 出生日期=29221)]))
    assert batch.created_count == 1, batch.report
    assert Person.objects.get().birth_date == datetime.date(1980, 1, 1)


def test_import_dates_as_text_in_several_formats(tree):
    for text in ("1980-01-01", "1980/1/1", "1980年1月1日", "19800101", "1980.01.01", datetime.datetime(1980, 1, 1)):
        assert to_date(text) == datetime.date(1980, 1, 1), text
    batch = run(
        tree,
        csv_bytes([row(1, 出生日期="1980年1月1日"), row(2, 出生日期="1980/1/1"), row(3, 出生日期="19800101"), row(4, 出生日期="一九八零年")]),
        name="p.csv",
    )
    assert batch.created_count == 3
    [(number, column, reason)] = errors(batch)
    assert (number, column) == (5, "出生日期") and "1980年1月1日" in reason


def test_import_birth_date_disagreeing_with_id_is_reported(tree):
    batch = run(tree, xlsx([row(1, 出生日期="1981-01-01")]))
    assert [(r, c) for r, c, _m in errors(batch)] == [(2, "出生日期")]


def test_import_title_rows_above_the_header_are_skipped(tree):
    content = xlsx([row(1), row(2)], title_rows=[["玄武区科协科技工作者名单（2026年）"], ["填报单位：玄武区科协", None, "填报日期：2026-11-01"]])
    batch = run(tree, content)
    assert batch.created_count == 2 and batch.total == 2
    assert errors(batch) == []


def test_import_merged_title_row_is_skipped(tree):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "科技工作者信息登记表"
    sheet.merge_cells("A1:N1")
    sheet.append(HEADERS)
    sheet.append([row(1).get(h) for h in HEADERS])
    out = io.BytesIO()
    book.save(out)
    batch = run(tree, out.getvalue())
    assert batch.created_count == 1
    assert Person.objects.get().name == row(1)["姓名"]


def test_import_formula_without_cached_value_is_reported(tree):
    content = xlsx([row(1, 工作单位='=CONCATENATE("东南","大学")'), row(2)])
    batch = run(tree, content)
    [(number, column, reason)] = errors(batch)
    assert (number, column) == (2, "工作单位") and "WPS" in reason
    assert batch.created_count == 1


def test_import_formula_error_value_is_reported(tree):
    batch = run(tree, csv_bytes([row(1, 工作单位="#REF!")]), name="p.csv")
    assert [(r, c) for r, c, _m in errors(batch)] == [(2, "工作单位")]


def test_import_empty_rows_are_skipped_not_errors(tree):
    blank = dict.fromkeys(HEADERS, None)
    content = xlsx([row(1), blank, {**blank, "姓名": "  "}, row(2)])
    batch = run(tree, content, mode="all")
    assert batch.total == 2 and batch.bad == 0 and batch.created_count == 2


def test_import_row_numbers_follow_the_sheet_after_blank_rows(tree):
    blank = dict.fromkeys(HEADERS, None)
    batch = run(tree, xlsx([row(1), blank, blank, row(2, 邮箱="not-an-email")]))
    assert [(r, c) for r, c, _m in errors(batch)] == [(5, "邮箱")]


def test_import_duplicate_id_in_one_file_reports_the_second(tree):
    batch = run(tree, xlsx([row(1), row(2), row(3, 身份证号=person_id(1), 姓名=row(1)["姓名"])]))
    [(number, column, reason)] = errors(batch)
    assert (number, column) == (4, "身份证号") and "2" in reason
    assert batch.created_count == 2


def test_import_header_variants_and_free_column_order(tree):
    headers = ["证件号码", "手机号码", "所在单位", "名字", "职称等级", "最高学历", "性别", "序号"]
    data = [[person_id(1), "13900000001", "东南大学", "王五", "副高", "硕士研究生", "男", 1]]
    batch = run(tree, xlsx(data, headers, raw=True))
    assert batch.created_count == 1, batch.report
    person = Person.objects.get()
    assert (person.name, person.employer_name, person.title_level, person.education) == ("王五", "东南大学", "vice_senior", "master")
    assert batch.unknown_columns == ["序号"]
    assert [(e["row"], e["column"], e["level"]) for e in batch.report] == [(1, "序号", "notice")]


def test_import_more_header_variants_are_recognized(tree):
    for id_header, phone_header, unit_header in (
        ("身份证号码", "手机", "单位"),
        ("公民身份号码", "联系电话", "工作单位"),
        ("身份证号（必填）", "手机号", "所在单位"),
    ):
        headers = ["姓名", id_header, phone_header, unit_header]
        content = xlsx([["赵六", person_id(7), "13900000007", "南京大学"]], headers, raw=True)
        batch = run(tree, content)
        assert batch.status == BatchStatus.DONE and batch.unknown_columns == [], (id_header, batch.report)


def test_import_chinese_labels_map_to_enums(tree):
    content = xlsx([row(1, 性别="女", 身份证号=person_id(1, male=False), 职称级别="中级", 学历="本科", 是否基层一线="是", **{"行业/所在领域": "医疗卫生"})])
    batch = run(tree, content)
    assert batch.created_count == 1, batch.report
    person = Person.objects.get()
    assert (person.gender, person.title_level, person.education, person.is_frontline, person.sector) == ("F", "intermediate", "bachelor", True, "medical")


def test_import_unknown_label_names_the_accepted_values(tree):
    batch = run(tree, xlsx([row(1, 职称级别="特级")]))
    [(number, column, reason)] = errors(batch)
    assert (number, column) == (2, "职称级别") and "正高" in reason and "特级" in reason


def test_import_gbk_csv_is_decoded(tree):
    batch = run(tree, csv_bytes([row(1), row(2)], encoding="gbk"), name="people.csv")
    assert batch.status == BatchStatus.DONE and batch.created_count == 2, batch.message
    assert Person.objects.filter(employer_name="东南大学").count() == 2


def test_import_utf8_csv_with_bom_is_decoded(tree):
    batch = run(tree, b"\xef\xbb\xbf" + csv_bytes([row(1)]), name="people.csv")
    assert batch.created_count == 1 and batch.unknown_columns == []


def test_import_gb18030_csv_with_rare_characters_is_decoded(tree):
    batch = run(tree, csv_bytes([row(1, 姓名="王𠀀")], encoding="gb18030"), name="people.csv")
    assert batch.created_count == 1 and Person.objects.get().name == "王𠀀"


def test_import_unknown_discipline_code_is_a_warning_and_the_person_is_imported_without_it(tree):
    batch = run(tree, xlsx([row(1, 学科代码="520；999999")]))
    assert errors(batch) == [] and batch.created_count == 1
    [(number, column, reason)] = [(e["row"], e["column"], e["reason"]) for e in batch.report if e["level"] == "warning"]
    assert (number, column) == (2, "学科代码") and "999999" in reason
    assert list(Person.objects.get().disciplines.values_list("code", flat=True)) == ["520"]


def test_import_known_discipline_codes_are_linked(tree):
    batch = run(tree, xlsx([row(1, 学科代码="520；110")]))
    assert batch.created_count == 1, batch.report
    assert sorted(Person.objects.get().disciplines.values_list("code", flat=True)) == ["110", "520"]


def test_import_report_reasons_are_in_chinese(tree):
    batch = run(tree, xlsx([row(1, 手机号="123", 邮箱="bad")]))
    reasons = [reason for _r, _c, reason in errors(batch)]
    assert len(reasons) == 2
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in reason) for reason in reasons), reasons
