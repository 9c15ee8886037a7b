"""Building test spreadsheets with openpyxl and valid identifiers."""

import csv
import io

from openpyxl import Workbook

from kejia.core.validators import resident_id_check_char

HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "手机号",
    "邮箱",
    "工作单位",
    "行业/所在领域",
    "是否基层一线",
    "职称",
    "职称级别",
    "学历",
    "学科代码",
    "专业特长",
]


def rid(body17: str) -> str:
    return body17 + resident_id_check_char(body17)


def person_id(n: int, *, birth: str = "19800101", male: bool = True) -> str:
    seq = (n % 500) * 2 + (1 if male else 0)
    return rid(f"320102{birth}{seq:03d}")


def row(n: int, **over) -> dict:
    data = {
        "姓名": f"张{'一二三四五六七八九十'[n % 10]}{n}",
        "性别": "男",
        "出生日期": "1980-01-01",
        "身份证号": person_id(n),
        "手机号": f"139{n:08d}",
        "邮箱": f"p{n}@example.cn",
        "工作单位": "东南大学",
        "行业/所在领域": "高校",
        "是否基层一线": "否",
        "职称": "教授",
        "职称级别": "正高",
        "学历": "博士",
        "学科代码": "",
        "专业特长": "机器学习",
    }
    data.update(over)
    return data


def xlsx(rows: list, headers: list | None = None, *, title_rows: list | None = None, raw: bool = False) -> bytes:
    """rows: dicts keyed by header, or lists when raw."""
    headers = headers or HEADERS
    book = Workbook()
    sheet = book.active
    for title in title_rows or []:
        sheet.append(title)
    sheet.append(headers)
    for item in rows:
        sheet.append(item if raw else [item.get(h) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], headers: list | None = None, *, encoding: str = "utf-8") -> bytes:
    headers = headers or HEADERS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for item in rows:
        writer.writerow([item.get(h, "") for h in headers])
    return out.getvalue().encode(encoding)
