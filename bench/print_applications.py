"""Printing applications (kejia.calls.printing): N applications of the seed-004 form to PDF, the
time per application, against DOCX of the same applications and the layout alone, in the same run.

    python bench/print_applications.py [--applications 1000]

The applications are made in memory (no database: the rendering is what is measured; an archive
adds one query per 50 applications): the shipped 申报书 form, answers of plausible length — each of
the nine long answers 300–1 500 Chinese characters in 1–4 paragraphs, the heads' table, one lead
and 3–10 team members, both sign-offs (no seal image) — with varying units' names so the font
subsets differ. Order: the layout of every application, then DOCX of every one, then PDF of every
one, each after one untimed warm-up (the PDF's warm-up registers the fonts). Also writes the
PDFs into one ZIP the way the call archive does (`archive_chunks`), and reports pages and bytes.

Prints JSON: seconds per application for each, the ratio PDF / DOCX, and the machine's load."""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHARS = (
    "科协深化改革试点工作坚持问题导向突出主线创新体制机制推动科技经济融合发展助力精准扶贫提升公共服务产品供给能力联系服务"
    "科技工作者基层组织建设党建带群建学会企业高校园区乡镇街道社区服务站平台项目人才成果转化宣传推广经验案例制度报告"
)
CITIES = ["南京", "无锡", "徐州", "常州", "苏州", "南通", "连云港", "淮安", "盐城", "扬州", "镇江", "泰州", "宿迁"]


def _text(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        paragraphs.append("".join(rng.choice(CHARS) for _ in range(rng.randint(75, 375))) + "。")
    return "\n".join(paragraphs)


def _person(rng: random.Random, i: int) -> dict:
    return {
        "name": rng.choice("王李张刘陈杨黄赵吴周") + rng.choice("伟芳娜敏静丽强磊洋艳") + rng.choice(["", "华", "明"]),
        "gender": rng.choice(["男", "女"]),
        "birth_month": f"{rng.randint(1960, 1995)}-{rng.randint(1, 12):02d}",
        "employer": f"{rng.choice(CITIES)}市科学技术协会",
        "position": rng.choice(["主席", "副主席", "秘书长", "部长", "高级工程师"]),
    }


def _answers(rng: random.Random, city: str) -> dict:
    head = {
        "name": "王五",
        "mobile": f"139{rng.randint(10000000, 99999999)}",
        "email": "head@example.cn",
        "address": f"{city}市某路{rng.randint(1, 300)}号",
        "postcode": "210000",
        "fax": "/",
        "office_phone": "025-00000000",
    }
    signoff = {"opinion": _text(rng)[:200], "name": "李四", "date": "2020-06-01", "seal": ""}
    data = {
        "pilot_unit": f"{city}市科学技术协会",
        "applicant_unit": "江苏省科学技术协会",
        "filled_month": "2020-06",
        "pilot_unit_name": f"{city}市科学技术协会",
        "pilot_period": {"start": "2020-07", "end": "2021-07"},
        "heads": [head, dict(head, name="赵六")],
        "applicant_opinion": signoff,
        "pilot_opinion": dict(signoff),
        "lead": [_person(rng, 0)],
        "team": [_person(rng, i) for i in range(rng.randint(3, 10))],
    }
    for key in ("recommendation_reason", "pilot_profile", "reform_progress", "highlights", "pilot_content", "work_plan", "expected_results", "publicity_plan"):
        data[key] = _text(rng)
    return data


def _applications(count: int):
    from kejia.calls.models import Application, Call, FormDefinition
    from kejia.organizations.models import Organization

    template = json.loads((ROOT / "kejia/calls/data/local_reform_pilot.json").read_text(encoding="utf-8"))
    form = FormDefinition(pk=1, code="local_reform_pilot", version=1, title=template["form"]["title"], spec=template["form"]["spec"])
    owner = Organization(pk=1, name="中国科学技术协会", kind="national_assoc")
    call = Call(pk=1, owner=owner, title=template["call"]["title"], form=form)
    rng = random.Random(4)
    applications = []
    for i in range(count):
        city = CITIES[i % len(CITIES)]
        applicant = Organization(pk=100 + i, name=f"{city}市科学技术协会", kind="municipal_assoc")
        applications.append(Application(pk=i + 1, call=call, form=form, applicant=applicant, title=f"{city}试点", data=_answers(rng, city)))
    return applications


def _per_app(fn, applications) -> tuple[float, list]:
    fn(applications[0])  # warm-up: imports, font registration
    results, times = [], []
    for application in applications:
        start = time.perf_counter()
        results.append(fn(application))
        times.append(time.perf_counter() - start)
    return sum(times) / len(times), times, results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
    os.environ.setdefault("ALLOW_DEVELOPMENT_KEYS", "true")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from pypdf import PdfReader

    from kejia.calls import printing

    applications = _applications(args.applications)
    load_before = os.getloadavg()
    layout_mean, _, _ = _per_app(printing.layout, applications)
    docx_mean, docx_times, docx_files = _per_app(lambda a: printing.render(a, "docx"), applications)
    pdf_mean, pdf_times, pdf_files = _per_app(lambda a: printing.render(a, "pdf"), applications)
    start = time.perf_counter()
    archive = b"".join(printing.archive_chunks(applications[:100], "pdf"))
    archive_100 = time.perf_counter() - start
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    pages = [len(PdfReader(io.BytesIO(pdf_files[i])).pages) for i in range(0, len(pdf_files), max(1, len(pdf_files) // 20))]
    print(
        json.dumps(
            {
                "applications": args.applications,
                "pdf_seconds_per_application": round(pdf_mean, 4),
                "pdf_median": round(statistics.median(pdf_times), 4),
                "pdf_p95": round(sorted(pdf_times)[int(len(pdf_times) * 0.95) - 1], 4),
                "pdf_total_seconds": round(sum(pdf_times), 1),
                "docx_seconds_per_application": round(docx_mean, 4),
                "layout_seconds_per_application": round(layout_mean, 5),
                "ratio_pdf_to_docx": round(pdf_mean / docx_mean, 2),
                "pdf_kib_mean": round(sum(map(len, pdf_files)) / len(pdf_files) / 1024, 1),
                "docx_kib_mean": round(sum(map(len, docx_files)) / len(docx_files) / 1024, 1),
                "pdf_pages_sampled": [min(pages), max(pages)],
                "archive_100_pdf_seconds": round(archive_100, 2),
                "archive_100_entries": len(names),
                "load_average_before": load_before,
                "machine": machine(),
            },
            ensure_ascii=False,
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
