"""The columns of a talent spreadsheet: the template's Chinese headers, the variants people write,
and the conversion of each cell (labels such as 男, 正高, 本科, 是 to the enum values) with the
spreadsheet traps caught on the way. A converter returns the value or raises CellError."""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from kejia.core.text import normalise_text
from kejia.people.choices import Education, Gender, OverseasStatus, ThreeChiefs, TitleLevel
from kejia.reference.choices import Sector


class CellError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as the template writes it
    variants: tuple[str, ...] = ()
    required: bool = False
    example: str = ""


COLUMNS = [
    Column("name", "姓名", ("名字", "人员姓名"), required=True, example="李明"),
    Column("gender", "性别", (), example="男"),
    Column("birth_date", "出生日期", ("出生年月日", "生日", "出生时间"), example="1980-01-01"),
    Column("resident_id", "身份证号", ("身份证号码", "证件号码", "公民身份号码", "身份证", "居民身份证号码", "身份证件号码"), example="32010219800101069X"),
    Column("phone", "手机号", ("手机", "手机号码", "联系电话", "移动电话", "电话", "联系方式"), example="13905140001"),
    Column("email", "邮箱", ("电子邮箱", "电子邮件", "email", "e-mail", "邮件"), example="liming@example.cn"),
    Column("employer_name", "工作单位", ("单位", "所在单位", "单位名称", "工作单位名称"), example="东南大学"),
    Column("employer_uscc", "单位统一社会信用代码", ("统一社会信用代码", "单位信用代码", "信用代码"), example=""),
    Column("sector", "行业/所在领域", ("行业", "所在领域", "所在行业", "单位类型", "单位性质"), example="高校"),
    Column("is_frontline", "是否基层一线", ("基层一线", "是否一线"), example="否"),
    Column("title", "职称", ("专业技术职称", "专业技术职务"), example="教授"),
    Column("title_level", "职称级别", ("职称等级", "职称层级"), example="正高"),
    Column("education", "学历", ("最高学历", "文化程度"), example="博士"),
    Column("disciplines", "学科代码", ("学科", "所属学科", "学科分类代码"), example="520"),
    Column("expertise", "专业特长", ("专长", "特长", "专业专长"), example="机器学习；知识图谱"),
    Column("research_summary", "研究方向简介", ("研究方向", "研究简介", "个人简介"), example="研究大规模知识图谱构建。"),
    Column("overseas_status", "海外/港澳台身份", ("海外经历", "是否归国留学", "港澳台侨"), example="无"),
    Column("three_chiefs", "三长身份", ("三长",), example="无"),
]
# A society's member list: the person columns above plus these (kejia.memberships.importing).
MEMBER_COLUMNS = [
    Column("member_class", "会员类别", ("会员类型", "会员级别", "会员种类", "会员等级"), required=True, example="正会员"),
    Column("member_number", "会员号", ("会员编号", "会员证号", "会员证编号", "会员代码"), example=""),
    Column("joined_on", "入会日期", ("入会时间", "入会年月日", "加入日期"), example="2015-06-01"),
    Column("paid_through_year", "会费缴至", ("会费缴至年份", "会费缴纳至", "会费已缴至", "缴费至"), example="2026"),
]
EXTRA_FIELDS = frozenset(c.field for c in MEMBER_COLUMNS)
BY_FIELD = {c.field: c for c in [*COLUMNS, *MEMBER_COLUMNS]}

_NOTE = re.compile(r"[（(【\[].*?[）)】\]]")


def header_key(text: Any) -> str:
    """How a header is compared: width-folded, without spaces, required-marks and notes in brackets."""
    key = unicodedata.normalize("NFKC", str(text or ""))
    key = _NOTE.sub("", key)
    return "".join(key.split()).replace("*", "").replace("＊", "").lower()


def _header_map(columns: list[Column]) -> dict[str, str]:
    return {header_key(text): column.field for column in columns for text in (column.header, *column.variants)}


HEADER_MAP: dict[str, str] = _header_map(COLUMNS)
MEMBER_HEADER_MAP: dict[str, str] = _header_map(MEMBER_COLUMNS)


def _choices(pairs: dict[str, tuple[str, ...]], enum) -> dict[str, str]:
    table = {}
    for value, labels in pairs.items():
        for label in (*labels, value, str(enum(value).label)):
            table[header_key(label)] = value
    return table


GENDERS = _choices({Gender.MALE: ("男", "男性", "m", "male"), Gender.FEMALE: ("女", "女性", "f", "female"), Gender.UNKNOWN: ("未知", "不详")}, Gender)
TITLE_LEVELS = _choices(
    {
        TitleLevel.SENIOR: ("正高", "正高级", "正高级职称", "高级（正高）"),
        TitleLevel.VICE_SENIOR: ("副高", "副高级", "副高级职称", "高级（副高）", "高级"),
        TitleLevel.INTERMEDIATE: ("中级", "中级职称"),
        TitleLevel.JUNIOR: ("初级", "初级职称", "助理级", "员级"),
        TitleLevel.NONE: ("无", "无职称", "其他"),
    },
    TitleLevel,
)
EDUCATIONS = _choices(
    {
        Education.DOCTORATE: ("博士", "博士研究生", "研究生（博士）"),
        Education.MASTER: ("硕士", "硕士研究生", "研究生（硕士）", "研究生"),
        Education.BACHELOR: ("本科", "大学本科", "学士"),
        Education.COLLEGE: ("大专", "专科", "大学专科", "高职"),
        Education.SECONDARY: ("高中", "中专", "初中", "中学", "中专及以下", "高中及以下", "初中及以下"),
    },
    Education,
)
SECTORS = _choices(
    {
        Sector.ENTERPRISE: ("企业", "公司", "民营企业", "国有企业"),
        Sector.UNIVERSITY: ("高校", "高等院校", "高等学校", "大学"),
        Sector.RESEARCH_INSTITUTE: ("科研院所", "科研机构", "研究院所"),
        Sector.MEDICAL: ("医疗卫生", "医疗", "卫生", "医院"),
        Sector.EDUCATION: ("中小学", "基础教育", "教育"),
        Sector.AGRICULTURE: ("农业", "农技", "农业农村"),
        Sector.GOVERNMENT: ("机关事业单位", "机关", "事业单位", "政府"),
        Sector.SOCIAL_ORGANIZATION: ("社会组织", "社会团体"),
        Sector.OTHER: ("其他",),
    },
    Sector,
)
OVERSEAS = _choices(
    {
        OverseasStatus.NONE: ("无", "否"),
        OverseasStatus.RETURNED: ("留学归国", "海归", "归国留学", "是"),
        OverseasStatus.OVERSEAS_CHINESE: ("华侨", "侨胞"),
        OverseasStatus.FOREIGN: ("外籍",),
        OverseasStatus.HONG_KONG: ("香港",),
        OverseasStatus.MACAO: ("澳门",),
        OverseasStatus.TAIWAN: ("台湾",),
    },
    OverseasStatus,
)
THREE_CHIEFS = _choices(
    {
        ThreeChiefs.NONE: ("无", "否"),
        ThreeChiefs.SCHOOL_PRINCIPAL: ("校长", "学校校长"),
        ThreeChiefs.HOSPITAL_DIRECTOR: ("院长", "医院院长"),
        ThreeChiefs.AGRI_STATION_HEAD: ("农技站长", "站长", "农技推广站站长"),
    },
    ThreeChiefs,
)
YES = {header_key(v) for v in ("是", "Y", "yes", "true", "1", "√", "✓", "对")}
NO = {header_key(v) for v in ("否", "N", "no", "false", "0", "×", "不是")}

_FULLWIDTH_RE = re.compile("[\u3000\uff01-\uff5e]")
_SCI_RE = re.compile(r"^\s*\d+(\.\d+)?[eE][+]?\d+\s*$")
_EXCEL_ERRORS = {"#VALUE!", "#REF!", "#N/A", "#NAME?", "#DIV/0!", "#NUM!", "#NULL!"}
_DATE_RES = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def text_of(value: Any) -> tuple[str, bool]:
    """A cell as text, full-width characters folded to half-width; the flag says some were."""
    if value is None:
        return "", False
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = normalise_text(str(value))  # control characters out, NFC: as every text that comes in (kejia.core.text)
    if text.strip() in _EXCEL_ERRORS:
        raise CellError(_("The cell holds a spreadsheet error (%(e)s): fix the formula or type the value.") % {"e": text.strip()})
    folded = _FULLWIDTH_RE.search(text) is not None
    if folded:
        text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
    return text.strip(), folded


def to_resident_id(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError(_("A resident ID number is expected here."))
    if isinstance(value, float):
        raise CellError(
            _("Excel turned this resident ID number into a number (%(v)s) and lost its last digits: format the column as text and type the numbers again.")
            % {"v": f"{value:.5E}"}
        )
    if isinstance(value, int):
        digits = str(value)
        if len(digits) > 15:
            raise CellError(
                _(
                    "This resident ID number was stored as a number: Excel keeps only 15 digits, so the last ones are lost "
                    "(%(v)s). Format the column as text and type the numbers again."
                )
                % {"v": digits[:6] + "…" + digits[-3:]}
            )
        raise CellError(_("This resident ID number was stored as a number; the column must be text."))
    text, _folded = text_of(value)
    if _SCI_RE.match(text):
        raise CellError(
            _(
                "Excel turned this resident ID number into scientific notation (%(v)s) and lost its last digits: "
                "format the column as text and type the numbers again."
            )
            % {"v": text}
        )
    return text


def to_phone(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise CellError(_("This phone number was stored as a decimal number; the column must be text."))
    text, _folded = text_of(value)
    if _SCI_RE.match(text):
        raise CellError(_("Excel turned this phone number into scientific notation (%(v)s): format the column as text.") % {"v": text})
    return text


def to_date(value: Any) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("A date is expected here."))
    if isinstance(value, int | float):
        return _serial(value)
    text, _folded = text_of(value)
    if not text:
        return None
    if re.fullmatch(r"\d{1,5}(\.0+)?", text) and len(text.split(".")[0]) <= 5:
        return _serial(float(text))
    for pattern in _DATE_RES:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                raise CellError(_("%(v)s is not a real date.") % {"v": text}) from None
    raise CellError(_("Cannot read %(v)s as a date: write it as 1980-01-01, 1980/1/1, 1980年1月1日 or 19800101.") % {"v": text})


def _serial(number: float) -> datetime.date:
    """An Excel date serial (1900 system, as openpyxl reads it: 29221 is 1980-01-01)."""
    if not 1 <= number < 2958466:
        raise CellError(_("The number %(v)s is not a date.") % {"v": number})
    return from_excel(number).date()


def _choice(table: dict[str, str], value: Any, accepted: str) -> str | None:
    text, _folded = text_of(value)
    if not text:
        return None
    found = table.get(header_key(text))
    if found is None:
        raise CellError(_("Unknown value %(v)s; write one of: %(accepted)s.") % {"v": text, "accepted": accepted})
    return found


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text, _folded = text_of(value)
    if not text:
        return None
    key = header_key(text)
    if key in YES:
        return True
    if key in NO:
        return False
    raise CellError(_("Write 是 or 否 (yes or no), not %(v)s.") % {"v": text})


def to_year(value: Any) -> int | None:
    """A year such as 2026 (also read from a date: 2026-12-31 or 2026年)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value.year
    if isinstance(value, bool):
        raise CellError(_("A year is expected here, e.g. 2026."))
    text, _folded = text_of(value)
    if not text:
        return None
    match = re.fullmatch(r"(\d{4})(?:年(?:底|末)?|[-/.]\d{1,2}[-/.]\d{1,2}|[-/.]\d{1,2})?", text)
    if not match:
        raise CellError(_("Cannot read %(v)s as a year: write it as 2026.") % {"v": text})
    return int(match.group(1))


_LIST_SEPARATORS = re.compile(r"[,;，；/|\n]+")


def to_disciplines(value: Any) -> list[str]:
    """The disciplines of a cell as written, one text each (codes or names, kejia.reference's
    find_discipline reads them): separated by ；, ，, / or new lines. Spaces and 、 may also separate
    them, or belong to one (520 计算机科学技术, 畜牧、兽医科学): the checker decides (people.py)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text, _folded = text_of(value)
    return [piece.strip() for piece in _LIST_SEPARATORS.split(text) if piece.strip()]


def to_text(value: Any) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return text_of(value)[0]


CONVERTERS = {
    "resident_id": to_resident_id,
    "phone": to_phone,
    "birth_date": to_date,
    "gender": lambda v: _choice(GENDERS, v, "男、女"),
    "title_level": lambda v: _choice(TITLE_LEVELS, v, "正高、副高、中级、初级、无"),
    "education": lambda v: _choice(EDUCATIONS, v, "博士、硕士、本科、大专、高中及以下"),
    "sector": lambda v: _choice(SECTORS, v, "企业、高校、科研院所、医疗卫生、中小学、农业、机关事业单位、社会组织、其他"),
    "overseas_status": lambda v: _choice(OVERSEAS, v, "无、留学归国、华侨、外籍、香港、澳门、台湾"),
    "three_chiefs": lambda v: _choice(THREE_CHIEFS, v, "无、校长、院长、农技站长"),
    "is_frontline": to_bool,
    "disciplines": to_disciplines,
    "joined_on": to_date,
    "paid_through_year": to_year,
}


def convert(field: str, value: Any) -> tuple[Any, bool]:
    """The cell's value for `field`, and whether full-width characters were folded."""
    folded = isinstance(value, str) and _FULLWIDTH_RE.search(value) is not None
    converter = CONVERTERS.get(field, to_text)
    return converter(value), folded


# Fields whose text cells take few distinct values (labels): their conversions are remembered.
_LABEL_FIELDS = frozenset({"gender", "title_level", "education", "sector", "overseas_status", "three_chiefs", "is_frontline"})
_MEMO_MAX = 4096
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def converter_for(field: str):
    """`convert(field, value)` for one column, planned once: what a whole import calls per cell.
    Same results and errors as `convert`; text cells without full-width characters take a short
    path, and the labels of choice columns (男, 正高, 是 …) are converted once per distinct text."""
    converter = CONVERTERS.get(field, to_text)
    search = _FULLWIDTH_RE.search
    errors = _EXCEL_ERRORS
    if converter is to_text:

        def text(value: Any) -> tuple[Any, bool]:
            if type(value) is str and search(value) is None:
                stripped = normalise_text(value).strip()
                if stripped in errors:
                    return converter(value), False  # raises the spreadsheet-error message
                return stripped, False
            return converter(value), isinstance(value, str) and search(value) is not None

        return text
    if converter is to_date:
        iso = _ISO_DATE.fullmatch

        def date(value: Any) -> tuple[Any, bool]:
            if type(value) is str and iso(value):  # 1980-01-01, the commonest way: read without the general parser
                try:
                    return datetime.date(int(value[:4]), int(value[5:7]), int(value[8:])), False
                except ValueError:
                    pass  # not a real date: the general path says so
            return converter(value), isinstance(value, str) and search(value) is not None

        return date
    if field in _LABEL_FIELDS:
        memo: dict[str, tuple[Any, bool]] = {}

        def label(value: Any) -> tuple[Any, bool]:
            if type(value) is str:
                found = memo.get(value)
                if found is None:
                    found = (converter(value), search(value) is not None)  # a bad label raises: not remembered
                    if len(memo) < _MEMO_MAX:
                        memo[value] = found
                return found
            return converter(value), False

        return label

    def other(value: Any) -> tuple[Any, bool]:
        return converter(value), isinstance(value, str) and search(value) is not None

    return other
