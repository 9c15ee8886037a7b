"""Identity resolution: precision, recall and F1 of the automatic decisions on a generated
register with known duplicates, against a naive baseline (exact name + birth date), in one run.

    python bench/identity.py [--people 20000] [--seed 20261123] [--merge]

Builds, in a throwaway SQLite database under /tmp (and, when DATABASE_URL points to PostgreSQL,
in a throwaway database on that server), --people base records plus duplicates carrying the
variations organizations' spreadsheets show (name spacing, homophone characters, missing resident
ID, a typo in the phone, employer variants, day and month swapped) and hard non-duplicates (same
name and birth date, another person). Then:
- `resolve_all(dry_run=True)`: pairs decided "same" are clustered (as the merge would) and
  scored pairwise against the truth; "review" pairs are counted separately (the staff queue);
- the baseline clusters records with the same name characters and birth date;
- `match_person()` on a sample of the duplicates (the importer's path), records per second;
- with --merge, the real run (merges written, undoable) and its time.
Prints JSON. Each backend runs in its own process because Django's settings are fixed at start."""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, pg_admin  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
UNIVERSITIES = [
    "南京大学",
    "东南大学",
    "河海大学",
    "南京航空航天大学",
    "南京理工大学",
    "中国药科大学",
    "南京农业大学",
    "南京师范大学",
    "江南大学",
    "苏州大学",
    "扬州大学",
    "江苏大学",
    "南京工业大学",
    "南京邮电大学",
    "南京医科大学",
    "中国矿业大学",
]
HOSPITALS = ["江苏省人民医院", "南京鼓楼医院", "无锡市第一人民医院", "苏州市立医院", "南京市第一医院", "徐州医科大学附属医院"]
# How often each variation is drawn for a duplicate (one or two per duplicate): our reading of
# organizations' member spreadsheets — IDs are often left out, names typed with a space, employers
# written with or without their legal form; homophones and swapped dates are rarer.
VARIATIONS = {"missing_id": 0.30, "spacing": 0.15, "employer": 0.20, "phone_missing": 0.12, "phone_typo": 0.08, "homophone": 0.08, "transposed": 0.07}
REGION_CODES = ["320102", "320104", "320105", "320106", "320111", "320213", "320214", "320505", "320506", "320602"]


# ---- Generating the register (pure Python, deterministic) --------------------------------------


def _resident_id(rng: random.Random, birth: datetime.date, gender: str) -> str:
    from kejia.core.validators import resident_id_check_char

    seq = rng.randrange(0, 50) * 2 + (1 if gender == "M" else 0)
    first17 = f"{rng.choice(REGION_CODES)}{birth:%Y%m%d}{rng.randrange(0, 10)}{seq:02d}"
    return first17 + resident_id_check_char(first17)


def _homophones(names: list[str]) -> dict[str, list[str]]:
    from pypinyin import lazy_pinyin

    by_sound = defaultdict(set)
    for name in names:
        for ch in name:
            by_sound[lazy_pinyin(ch)[0]].add(ch)
    return {ch: sorted(group - {ch}) for group in by_sound.values() for ch in group if len(group) > 1}


def _employer_variant(rng: random.Random, employer: str) -> str:
    if employer.endswith("有限公司"):
        base = employer[: -len("有限公司")]
        return rng.choice([base + "股份有限公司", base + "有限责任公司", "江苏" + employer, base + "公司"])
    if employer.endswith("大学"):
        return rng.choice([employer + "（本部）", employer + "（新校区）", " " + employer])
    return employer + rng.choice(["（总院）", "（本部）"])


def _typo(rng: random.Random, phone: str) -> str:
    i = rng.randrange(3, 11)
    return phone[:i] + str((int(phone[i]) + rng.randrange(1, 10)) % 10) + phone[i + 1 :]


def generate(n: int, seed: int) -> list[dict]:
    """Records with a `truth` key: records of one person share it."""
    from faker import Faker

    rng = random.Random(seed)
    Faker.seed(seed)
    fake = Faker("zh_CN")
    names = [fake.name() for _ in range(n)]
    homophones = _homophones(names)
    employers = [fake.company() for _ in range(600)] + UNIVERSITIES * 10 + HOSPITALS * 10
    phones = rng.sample(range(13000000000, 19999999999), n * 2)
    records: list[dict] = []
    base = []
    for i in range(n):
        gender = rng.choice("MF")
        birth = datetime.date(1955, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 45))
        person = {
            "truth": i,
            "kind": "base",
            "name": names[i],
            "gender": gender,
            "birth_date": birth,
            "resident_id": _resident_id(rng, birth, gender) if rng.random() < 0.6 else "",
            "phone": str(phones[i]) if rng.random() < 0.85 else "",
            "email": f"u{i}@example.cn" if rng.random() < 0.3 else "",
            "employer_name": rng.choice(employers),
        }
        base.append(person)
        records.append(person)
    variations, weights = list(VARIATIONS), list(VARIATIONS.values())
    for person in rng.sample(base, n // 4):
        for _copy in range(2 if rng.random() < 0.1 else 1):
            dup = dict(person, kind="duplicate")
            dup["resident_id"] = person["resident_id"] if rng.random() < 0.3 else ""
            dup["email"] = person["email"] if rng.random() < 0.5 else ""
            chosen = []
            while len(chosen) < rng.choice([1, 1, 2]):
                pick = rng.choices(variations, weights)[0]
                if pick not in chosen:
                    chosen.append(pick)
            for variation in chosen:
                name = dup["name"]
                if variation == "spacing":
                    dup["name"] = name[0] + " " + name[1:]
                elif variation == "homophone":
                    spots = [k for k, ch in enumerate(name) if ch in homophones and k > 0] or [k for k, ch in enumerate(name) if ch in homophones]
                    if spots:
                        k = rng.choice(spots)
                        dup["name"] = name[:k] + rng.choice(homophones[name[k]]) + name[k + 1 :]
                elif variation == "missing_id":
                    dup["resident_id"] = ""
                elif variation == "phone_typo" and dup["phone"]:
                    dup["phone"] = _typo(rng, dup["phone"])
                elif variation == "phone_missing":
                    dup["phone"] = ""
                elif variation == "employer":
                    dup["employer_name"] = _employer_variant(rng, dup["employer_name"])
                elif variation == "transposed":
                    d = dup["birth_date"]
                    if d.day <= 12 and d.day != d.month:
                        dup["birth_date"] = d.replace(month=d.day, day=d.month)
                        dup["resident_id"] = ""  # an ID would carry the right date
            dup["variations"] = chosen
            records.append(dup)
    for j, person in enumerate(rng.sample(base, n // 20)):
        gender = person["gender"] if rng.random() < 0.8 else ("F" if person["gender"] == "M" else "M")
        records.append(
            {
                "truth": n + j,
                "kind": "namesake",
                "name": person["name"],
                "gender": gender,
                "birth_date": person["birth_date"],
                "resident_id": _resident_id(rng, person["birth_date"], gender) if rng.random() < 0.6 else "",
                "phone": str(phones[n + j]) if rng.random() < 0.85 else "",
                "email": "",
                "employer_name": rng.choice(employers),
            }
        )
    rng.shuffle(records)
    return records


# ---- Measuring (child process, Django configured) ---------------------------------------------------


def _load(records: list[dict]) -> list[int]:
    from django.db import transaction

    from kejia.core import pii
    from kejia.people.models import Person
    from kejia.people.resolution import block_key_of
    from kejia.people.services import pinyin_of

    people = []
    for r in records:
        pinyin = pinyin_of(r["name"])
        people.append(
            Person(
                name=r["name"],
                name_pinyin=pinyin,
                gender=r["gender"],
                birth_date=r["birth_date"],
                block_key=block_key_of(pinyin, r["birth_date"]),
                id_sealed=pii.encrypt(r["resident_id"]),
                id_hash=pii.blind_index(r["resident_id"]),
                id_masked=pii.mask_resident_id(r["resident_id"]) if r["resident_id"] else "",
                phone_sealed=pii.encrypt(r["phone"]),
                phone_hash=pii.blind_index(r["phone"]),
                phone_masked=pii.mask_phone(r["phone"]) if r["phone"] else "",
                email=r["email"],
                employer_name=r["employer_name"],
            )
        )
    # Records sharing a resident ID cannot all be active (the unique index): the first one is the
    # register's record, the others arrive through the importer, which attaches them by the ID.
    seen_ids: set[str] = set()
    for p in people:
        if p.id_hash and p.id_hash in seen_ids:
            p.status = "merged"
        elif p.id_hash:
            seen_ids.add(p.id_hash)
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
    return [p.pk for p in people]


def _pairs_of(clusters: dict) -> set[tuple[int, int]]:
    out = set()
    for members in clusters.values():
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                out.add((a, b))
    return out


def _score(predicted: set, truth: set) -> dict:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs_predicted": len(predicted), "true_positives": tp, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _measure(n: int, seed: int, merge: bool, sample: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from kejia.people.bulk_resolution import Clusters, resolve_all
    from kejia.people.models import Person
    from kejia.people.resolution import match_person
    from kejia.people.services import clean_profile

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    records = generate(n, seed)
    generate_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pks = _load(records)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    truth_of = {pk: r["truth"] for pk, r in zip(pks, records, strict=True)}
    # Records attached by their resident ID at load (status merged) count as found by the exact match.
    preset = dict(Person.objects.filter(status="merged").values_list("pk", "id_hash"))
    holder = dict(Person.objects.filter(status="active").exclude(id_hash="").values_list("id_hash", "pk"))
    true_clusters = defaultdict(list)
    for pk, t in truth_of.items():
        true_clusters[t].append(pk)
    truth_pairs = _pairs_of(true_clusters)

    started = time.perf_counter()
    report = resolve_all(dry_run=True)
    resolve_seconds = time.perf_counter() - started
    clusters = Clusters()
    for a, b, _s in report.same:
        clusters.union(a, b)
    for pk, id_hash in preset.items():
        clusters.union(pk, holder[id_hash])
    ours = _score(_pairs_of(clusters.groups()), truth_pairs)
    review_pairs = {(a, b) for a, b, _s in report.review}
    ours["review_queue_pairs"] = len(review_pairs)
    ours["review_queue_true_duplicates"] = len(review_pairs & truth_pairs)
    ours["true_pairs_missed_entirely"] = len(truth_pairs - _pairs_of(clusters.groups()) - review_pairs)
    ours["seconds"] = round(resolve_seconds, 2)
    ours["records_per_second"] = round(report.scanned / resolve_seconds)
    ours["pairs_compared"] = report.compared

    started = time.perf_counter()
    naive = Clusters()
    first = {}
    for pk, name, birth in Person.objects.order_by().values_list("pk", "name", "birth_date"):
        naive.union(pk, first.setdefault((name, birth), pk))
    for pk, id_hash in preset.items():  # the baseline gets the resident-ID attach too
        naive.union(pk, holder[id_hash])
    baseline_seconds = time.perf_counter() - started
    baseline = _score(_pairs_of(naive.groups()), truth_pairs)
    baseline["seconds"] = round(baseline_seconds, 2)

    rng = random.Random(seed + 1)
    dup_rows = [(pk, r) for pk, r in zip(pks, records, strict=True) if r["kind"] == "duplicate" and not r["resident_id"]]
    chosen = rng.sample(dup_rows, min(sample, len(dup_rows)))
    decisions = defaultdict(int)
    correct = 0
    started = time.perf_counter()
    for pk, r in chosen:
        data = clean_profile({k: r[k] for k in ("name", "gender", "birth_date", "resident_id", "phone", "email", "employer_name")})
        match = match_person(data, exclude=[pk])
        decisions[match.decision] += 1
        correct += match.decision == "same" and truth_of[match.person.pk] == r["truth"]
    match_seconds = time.perf_counter() - started
    incremental = {
        "sample": len(chosen),
        "decisions": dict(decisions),
        "same_and_right": correct,
        "records_per_second": round(len(chosen) / match_seconds) if match_seconds else None,
    }

    result = {
        "backend": connection.vendor,
        "records": len(records),
        "base_people": n,
        "duplicates": sum(r["kind"] == "duplicate" for r in records),
        "namesakes (same name and birth date, another person)": sum(r["kind"] == "namesake" for r in records),
        "true_pairs": len(truth_pairs),
        "generate_seconds": round(generate_seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "resolution": ours,
        "baseline_exact_name_and_birth_date": baseline,
        "f1_ratio_resolution_over_baseline": round(ours["f1"] / baseline["f1"], 2) if baseline["f1"] else None,
        "match_person_on_duplicates_without_id": incremental,
    }
    if merge:
        started = time.perf_counter()
        real = resolve_all()
        seconds = time.perf_counter() - started
        result["merge_run"] = {**real.summary(), "seconds": round(seconds, 1), "merges_per_second": round(real.merged / seconds) if seconds else None}
    return result


# ---- Orchestration (parent process) ---------------------------------------------------------------


def _run_child(backend: str, env: dict, args) -> dict:
    cmd = [sys.executable, __file__, "--child", "--people", str(args.people), "--seed", str(args.seed), "--sample", str(args.sample)]
    if args.merge:
        cmd.append("--merge")
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"backend": backend, "error": done.stderr.strip().splitlines()[-8:]}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--sample", type=int, default=2000, help="duplicates matched one by one through match_person")
    parser.add_argument("--merge", action="store_true", help="also run the real resolution (writes the merges)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(_measure(args.people, args.seed, args.merge, args.sample), ensure_ascii=False))
        return

    started = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix="kejia-bench-") as var_dir:
        base = {**os.environ, "DJANGO_SETTINGS_MODULE": "kejia.settings.base", "ALLOW_DEVELOPMENT_KEYS": "true", "KEJIA_VAR_DIR": var_dir, "LOG_LEVEL": "ERROR"}
        results.append(_run_child("sqlite", {k: v for k, v in base.items() if k != "DATABASE_URL"}, args))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            name = f"kejia_bench_identity_{os.getpid()}"
            pg_admin(url, f'CREATE DATABASE "{name}"')
            try:
                results.append(_run_child("postgresql", {**base, "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path="/" + name))}, args))
            finally:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "benchmark": "identity resolution: blocking + Fellegi–Sunter scoring vs exact name + birth date",
                "people": args.people,
                "seed": args.seed,
                "machine": machine(),
                "results": results,
                "seconds": round(time.perf_counter() - started, 1),
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
