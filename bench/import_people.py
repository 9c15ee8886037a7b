"""Talent import: validated rows per second, file to committed rows, three ways side by side.

    python bench/import_people.py [--rows 100000] [--die-rows 5000] [--format xlsx|csv]

Generates a --rows spreadsheet of valid, distinct S&T workers (GB 11643 check digits computed by
kejia.core.validators.resident_id_check_char; seed 20261123) in a throwaway SQLite database and
media folder under /tmp, then times, in the same process:

(a) kejia: the import service (kejia.imports.services.import_as_system, mode "all"): read,
    convert, validate every row with clean_profile, seal ID and phone (AES-GCM), resolve
    identity, bulk insert people and listings, one transaction, one audit event;
(b) raw: the same file read with the same reader, ID and phone sealed the same way (the table
    must hold no plaintext), and `executemany` of one INSERT into people_person in one
    transaction — no validation, no identity resolution, no listings;
(c) django-import-export (installed only for this script: pip install --target
    /tmp/kejia-bench-die django-import-export): a ModelResource over the same columns with
    id_hash as import id, sealing in before_save_instance, on the first --die-rows rows
    (0: the whole file, which takes about 10 minutes), rate per committed row; twice: as
    configured by default (no validation: whatever the cells hold is stored) and with its own
    validation switched on (clean_model_instances: Model.full_clean() on every row — field
    formats, choices, the unique ID constraint), which is what "validated rows" means for it.

Prints JSON. Run time: about 1.5 minutes for 100 000 rows with --die-rows 2000 on the development
machine (2 vCPUs, quiet), about 12 minutes with --die-rows 0."""

import argparse
import csv
import datetime
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIE_TARGET = "/tmp/kejia-bench-die"
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
    "专业特长",
    "研究方向简介",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏建红飞鑫波宁斌宇浩凯健俊帆帅旭晨辰阳佳琪欣怡婷雪琳晶颖慧莉梅"
DIVISIONS = [
    "320102",
    "320104",
    "320105",
    "320106",
    "320111",
    "320113",
    "320114",
    "320115",
    "320116",
    "320117",
    "320118",
    "320205",
    "320211",
    "320213",
    "320302",
    "320402",
    "320505",
    "320506",
    "320583",
    "320602",
]
EMPLOYERS = [
    ("东南大学", "高校"),
    ("南京大学", "高校"),
    ("江苏省农业科学院", "科研院所"),
    ("江苏省人民医院", "医疗卫生"),
    ("南京市第一中学", "中小学"),
    ("紫金科技有限公司", "企业"),
    ("玄武区农技推广站", "农业"),
    ("南京市科学技术局", "机关事业单位"),
]
TITLES = [
    ("教授", "正高"),
    ("研究员", "正高"),
    ("副教授", "副高"),
    ("高级工程师", "副高"),
    ("工程师", "中级"),
    ("主治医师", "中级"),
    ("助理工程师", "初级"),
    ("", "无"),
]
EDUCATION = ["博士", "硕士", "本科", "大专"]
EXPERTISE = ["机器学习 知识图谱", "水稻育种 分子标记", "心血管介入 临床研究", "桥梁结构 健康监测", "新能源电池 材料", "中学物理教学 科普", "智慧农业 物联网"]


def generate(rows: int, seed: int = 20261123) -> list[list]:
    from kejia.core.validators import resident_id_check_char

    rnd = random.Random(seed)
    out, seen = [], set()
    start, span = datetime.date(1950, 1, 1), (datetime.date(2000, 12, 31) - datetime.date(1950, 1, 1)).days
    while len(out) < rows:
        birth = start + datetime.timedelta(days=rnd.randrange(span))
        male = rnd.random() < 0.55
        seq = rnd.randrange(500) * 2 + (1 if male else 0)
        body = f"{rnd.choice(DIVISIONS)}{birth:%Y%m%d}{seq:03d}"
        if body in seen:
            continue
        seen.add(body)
        n = len(out)
        employer, sector = rnd.choice(EMPLOYERS)
        title, level = rnd.choice(TITLES)
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.6 else "")
        out.append(
            [
                name,
                "男" if male else "女",
                birth.isoformat(),
                body + resident_id_check_char(body),
                f"139{n:08d}",
                f"p{n}@example.cn",
                employer,
                sector,
                rnd.choice("是否"),
                title,
                level,
                rnd.choice(EDUCATION),
                rnd.choice(EXPERTISE),
                f"长期从事{rnd.choice(EXPERTISE)}方面的研究与推广。",
            ]
        )
    return out


def to_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("科技工作者")
    sheet.append(HEADERS)
    for item in rows:
        sheet.append(item)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def clear_people() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("people_listing", "people_person_disciplines", "people_person"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 — fixed table names


def count_people() -> int:
    from kejia.people.models import Person

    return Person.objects.count()


def run_kejia(org, content: bytes, file_name: str) -> dict:
    from kejia.imports import services

    clear_people()
    started = time.perf_counter()
    batch = services.import_as_system(org, file_name=file_name, content=content, mode="all")
    seconds = time.perf_counter() - started
    committed = count_people()
    assert batch.status == "done" and batch.committed, batch.message
    return {
        "seconds": round(seconds, 2),
        "rows": batch.total,
        "committed_people": committed,
        "listings": batch.listed_count,
        "rows_per_second": round(committed / seconds),
    }


def _reader_rows(content: bytes, fmt: str):
    """The data rows as the import reads them: kejia.imports.reading.open_table (the streaming
    kejia.imports.xlsx reader for XLSX, the csv module for CSV), header row found and skipped."""
    from kejia.imports.reading import is_blank, open_table

    table = open_table(content, f"people.{fmt}")
    assert table.headers[: len(HEADERS)] == HEADERS, table.headers  # the columns in the order the rows below index them
    width = len(HEADERS)
    for _number, cells in table.rows:
        if not is_blank(cells):
            yield cells if len(cells) >= width else (*cells, *([None] * (width - len(cells))))


def run_raw(content: bytes, fmt: str) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from kejia.core import pii

    clear_people()
    gender = {"男": "M", "女": "F"}
    from kejia.people.models import Person

    columns = [
        "name",
        "name_pinyin",
        "gender",
        "birth_date",
        "id_sealed",
        "id_hash",
        "id_masked",
        "phone_sealed",
        "phone_hash",
        "phone_masked",
        "email",
        "employer_name",
        "employer_uscc",
        "sector",
        "is_frontline",
        "title",
        "title_level",
        "education",
        "expertise",
        "research_summary",
        "overseas_status",
        "three_chiefs",
        "programmes",
        "status",
        "created_at",
        "updated_at",
    ]
    # Columns this list does not name (added to the model later) get their default, as the ORM would give them.
    extra = [f for f in Person._meta.concrete_fields if not f.primary_key and f.column not in columns and not f.null]
    columns += [f.column for f in extra]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    sql = f"INSERT INTO people_person ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    started = time.perf_counter()
    now = timezone.now()
    values = []
    for r in _reader_rows(content, fmt):
        r = [v if v is not None else "" for v in r]
        number, phone = str(r[3]), str(r[4])
        birth = r[2].date().isoformat() if isinstance(r[2], datetime.datetime) else r[2]
        values.append(
            (
                r[0],
                "",
                gender.get(r[1], "U"),
                birth,
                pii.encrypt(number),
                pii.blind_index(number),
                pii.mask_resident_id(number),
                pii.encrypt(phone),
                pii.blind_index(phone),
                pii.mask_phone(phone),
                r[5],
                r[6],
                "",
                "other",
                r[8] == "是",
                r[9],
                "none",
                "",
                r[12],
                r[13],
                "none",
                "none",
                "[]",
                "active",
                now,
                now,
                *defaults,
            )
        )
    prepared = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, values)
    seconds = time.perf_counter() - started
    committed = count_people()
    return {
        "seconds": round(seconds, 2),
        "read_and_seal_seconds": round(prepared - started, 2),
        "executemany_seconds": round(seconds - (prepared - started), 2),
        "committed_people": committed,
        "rows_per_second": round(committed / seconds),
        "executemany_only_rows_per_second": round(committed / (seconds - (prepared - started))),
    }


def run_die(content: bytes, fmt: str, rows: int, *, validate: bool = False) -> dict:
    sys.path.append(DIE_TARGET)
    try:
        import import_export  # noqa: F401
        import tablib
        from import_export import fields, resources
    except ImportError as exc:
        return {
            "available": False,
            "reason": f"django-import-export not importable ({exc}); install it with pip install --target {DIE_TARGET} django-import-export",
        }
    from kejia.core import pii
    from kejia.people.models import Person

    labels = {
        "gender": {"男": "M", "女": "F"},
        "title_level": {"正高": "senior", "副高": "vice_senior", "中级": "intermediate", "初级": "junior", "无": "none"},
        "education": {"博士": "doctorate", "硕士": "master", "本科": "bachelor", "大专": "college"},
    }

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")
        gender = fields.Field(attribute="gender", column_name="性别")
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期")
        id_hash = fields.Field(attribute="id_hash", column_name="id_hash")
        email = fields.Field(attribute="email", column_name="邮箱")
        employer_name = fields.Field(attribute="employer_name", column_name="工作单位")
        title = fields.Field(attribute="title", column_name="职称")
        title_level = fields.Field(attribute="title_level", column_name="职称级别")
        education = fields.Field(attribute="education", column_name="学历")
        expertise = fields.Field(attribute="expertise", column_name="专业特长")
        research_summary = fields.Field(attribute="research_summary", column_name="研究方向简介")

        class Meta:
            model = Person
            import_id_fields = ["id_hash"]  # de-duplicate on the ID number, as the talent database must
            fields = ["name", "gender", "birth_date", "id_hash", "email", "employer_name", "title", "title_level", "education", "expertise", "research_summary"]
            clean_model_instances = validate  # its own validation: Model.full_clean() on every row (fields, choices, constraints)

        def before_import_row(self, row, **kwargs):
            for column in ("职称", "邮箱", "工作单位", "专业特长", "研究方向简介"):
                row[column] = row[column] or ""
            for column, key in (("性别", "gender"), ("职称级别", "title_level"), ("学历", "education")):
                row[column] = labels[key].get(row[column], row[column])

        def before_save_instance(self, instance, row, **kwargs):
            number, phone = str(row["身份证号"]), str(row["手机号"])
            instance.id_sealed, instance.id_masked = pii.encrypt(number), pii.mask_resident_id(number)
            instance.phone_sealed, instance.phone_hash, instance.phone_masked = pii.encrypt(phone), pii.blind_index(phone), pii.mask_phone(phone)

    clear_people()
    started = time.perf_counter()
    dataset = tablib.Dataset().load(content, format=fmt) if fmt == "xlsx" else tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    id_column = dataset.headers.index("身份证号")
    dataset.append_col([pii.blind_index(str(r[id_column])) for r in dataset], header="id_hash")
    result = PersonResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    seconds = time.perf_counter() - started
    committed = count_people()
    from importlib.metadata import version

    return {
        "available": True,
        "version": version("django-import-export"),
        "validated": validate,
        "rows": rows,
        "seconds": round(seconds, 2),
        "committed_people": committed,
        "errors": result.has_errors(),
        "rows_per_second": round(committed / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--die-rows", type=int, default=5_000, help="rows given to django-import-export (0: the whole file)")
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--skip", choices=["kejia", "raw", "die"], action="append", default=[], help="leave out one of the three")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="kejia-bench-import-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kejia.settings.base",
            "ALLOW_DEVELOPMENT_KEYS": "true",
            "KEJIA_VAR_DIR": tmp,
            "LOG_LEVEL": "ERROR",
            "TASK_BACKEND": "immediate",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import sqlite3

    from django.core.management import call_command

    from kejia.accounts.models import User
    from kejia.organizations.services import create_organization

    call_command("migrate", verbosity=0)
    admin = User.objects.create_superuser("bench", "bench@example.cn", "bench-pass-2026")
    from kejia.reference.models import Region
    from kejia.reference.services import load_disciplines, load_regions

    load_regions(provinces=["32"])
    load_disciplines()
    org = create_organization(actor=admin, parent=None, name="江苏省科学技术协会", code="JS", kind="provincial_assoc", region=Region.objects.get(code="320000"))

    started = time.perf_counter()
    rows = generate(args.rows)
    writer = to_xlsx if args.format == "xlsx" else to_csv
    content = writer(rows)
    die_rows = args.die_rows or args.rows  # 0: the whole file
    die_content = writer(rows[:die_rows])
    generated = time.perf_counter() - started

    result = {
        "benchmark": "talent import",
        "rows": args.rows,
        "format": args.format,
        "file_bytes": len(content),
        "generate_seconds": round(generated, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    for key, skip, run in (
        ("kejia", "kejia", lambda: run_kejia(org, content, f"people.{args.format}")),
        ("raw_executemany", "raw", lambda: run_raw(content, args.format)),
        ("django_import_export", "die", lambda: run_die(die_content, args.format, die_rows)),
        ("django_import_export_validated", "die", lambda: run_die(die_content, args.format, die_rows, validate=True)),
    ):
        if skip not in args.skip:
            result[key] = run()
            print(key, json.dumps(result[key], ensure_ascii=False), file=sys.stderr, flush=True)
    ours = result.get("kejia", {}).get("rows_per_second")
    if ours and "raw_executemany" in result:
        result["kejia_vs_raw"] = round(ours / result["raw_executemany"]["rows_per_second"], 2)
    if ours and result.get("django_import_export", {}).get("available"):
        result["kejia_vs_django_import_export"] = round(ours / result["django_import_export"]["rows_per_second"], 1)
        result["kejia_vs_django_import_export_validated"] = round(ours / result["django_import_export_validated"]["rows_per_second"], 1)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
