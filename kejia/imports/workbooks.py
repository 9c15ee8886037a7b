"""The spreadsheets Kejia hands out: the import template and a batch's report."""

import io

from django.utils.translation import gettext, pgettext
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from kejia.core.sheets import Book, cell
from kejia.imports.columns import COLUMNS
from kejia.imports.models import ImportBatch

TEXT_FIELDS = {"resident_id", "phone", "employer_uscc", "disciplines"}
LISTS = {
    "gender": "男,女",
    "title_level": "正高,副高,中级,初级,无",
    "education": "博士,硕士,本科,大专,高中及以下",
    "is_frontline": "是,否",
    "sector": "企业,高校,科研院所,医疗卫生,中小学,农业,机关事业单位,社会组织,其他",
}


def template_xlsx() -> bytes:
    """Styled (a normal workbook, not kejia.core.sheets.Book), its cells still through the one cell writer."""
    book = Workbook()
    sheet = book.active
    sheet.title = "科技工作者"
    bold, required = Font(bold=True), PatternFill("solid", fgColor="FDE9D9")
    for index, column in enumerate(COLUMNS, start=1):
        head = sheet.cell(row=1, column=index, value=cell(column.header))
        head.font = bold
        if column.required:
            head.fill = required
        example = sheet.cell(row=2, column=index, value=cell(column.example or None))
        letter = head.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.field in TEXT_FIELDS:
            # Text format for the whole column: Excel would otherwise turn ID numbers into 3.20102E+17.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.field == "birth_date":
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "yyyy-mm-dd"
        if column.field in LISTS:
            check = DataValidation(type="list", formula1=f'"{LISTS[column.field]}"', allow_blank=True)
            check.add(f"{letter}2:{letter}1001")
            sheet.add_data_validation(check)
        example.number_format = sheet.cell(row=3, column=index).number_format
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    for line in (
        "第一行是列名，列的顺序可以调整；常见的列名写法（如 身份证号码、证件号码、手机号码、所在单位）都能识别。",
        "只有“姓名”必填；身份证号请按文本填写（本模板已设为文本格式），出生日期和性别可由身份证号推出。",
        "职称级别填 正高/副高/中级/初级/无；学历填 博士/硕士/本科/大专/高中及以下；是否基层一线填 是/否。",
        "学科代码按 GB/T 13745，多个代码用分号隔开。第二行是示例，导入前请删除。",
    ):
        notes.append([cell(line)])
    notes.column_dimensions["A"].width = 110
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_xlsx(batch: ImportBatch) -> bytes:
    """The report's cells come from the uploaded file (headers, values quoted in reasons): written
    through kejia.core.sheets.cell, so a header such as =HYPERLINK(…) stays text."""
    book = Book()
    sheet = book.sheet(gettext("Report"))
    sheet.append([gettext("Row"), gettext("Column"), gettext("Reason"), pgettext("import report", "Level")])
    levels = {"error": pgettext("import report", "Error"), "warning": pgettext("import report", "Warning"), "notice": pgettext("import report", "Notice")}
    for entry in batch.report:
        sheet.append([entry["row"] or None, entry["column"], entry["reason"], levels.get(entry.get("level"), entry.get("level"))])
    summary = book.sheet(pgettext("import report", "Summary"))
    for label, value in (
        (gettext("File"), batch.file_name),
        (gettext("Organization"), batch.organization.name),
        (gettext("Status"), batch.get_status_display()),
        (pgettext("import report", "Rows"), batch.total),
        (gettext("Good rows"), batch.good),
        (gettext("Bad rows"), batch.bad),
        (gettext("People added"), batch.created_count),
        (gettext("People updated"), batch.updated_count),
        (pgettext("import report", "Message"), batch.message),
    ):
        summary.append([label, value])
    return book.save()
