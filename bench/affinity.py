"""Affinity of reviewers to applications (issue 18): the engine's path (`top_reviewers`: key terms,
a tantivy query for the best `--pool` candidates, re-scored by the pair scorer) against brute
force (the same pair scorer over every reviewer: a plain-Python TF-IDF cosine per achievement and
profile), on the same synthetic data, in one run.

    python bench/affinity.py [--reviewers 6000] [--applications 1000] [--brute 100] [--top 20] [--pool 100]

Synthetic data (seed 20261207): 60 subjects, each with 30 English and 10 Chinese terms; a reviewer
has 1–2 subjects, a profile (expertise, summary) and 5 achievements (a title and an abstract of 40
words drawn from their subjects and from words common to all); an application draws 120 words
from 1–2 subjects. The index is built in a temporary directory (no database: the scorer is given
the reviewers' texts). `--applications` go through the engine path; the first `--brute` of them
also through brute force (every reviewer), which gives the agreement: the share of brute force's
top `--top` that the engine path finds, and whether the scores of common pairs are equal. The
rate for 10 000 applications is extrapolated from the measured per-application time. JSON on stdout."""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
os.environ.setdefault("ALLOW_DEVELOPMENT_KEYS", "true")

COMMON = (
    "method system data analysis model performance design control process structure efficient robust "
    "framework evaluation experiment application accuracy large scale optimization theory"
).split()
SYLLABLES = "ka to ri ne mo su pa li de vo ga zu fi ro te na chi bo".split()
HANZI = "光电磁声热力化生医农材能信网算图谱模控测量波场流固晶膜核酶菌药土水林"


def _subjects(rng: random.Random, n: int = 60) -> list[tuple[list[str], list[str]]]:
    out = []
    for _ in range(n):
        english = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))) + rng.choice(["tion", "ity", "ics", "ing", "ers"]) for _ in range(30)]
        chinese = ["".join(rng.choice(HANZI) for _ in range(2)) for _ in range(10)]
        out.append((english, chinese))
    return out


def _text(rng, subjects, picks, words: int) -> str:
    out = []
    for _ in range(words):
        if rng.random() < 0.3:
            out.append(rng.choice(COMMON))
        else:
            english, chinese = subjects[rng.choice(picks)]
            out.append(rng.choice(chinese) if rng.random() < 0.2 else rng.choice(english))
    return " ".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviewers", type=int, default=6000)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--brute", type=int, default=100)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--pool", type=int, default=100)
    args = parser.parse_args()

    import django

    django.setup()
    from _common import machine

    from kejia.search.affinity import AffinityScorer, ReviewerTexts, top_reviewers
    from kejia.search.engine import TantivyBackend
    from kejia.search.indexing import analyse

    rng = random.Random(20261207)
    subjects = _subjects(rng)
    texts: dict[int, ReviewerTexts] = {}
    records = []
    for pk in range(1, args.reviewers + 1):
        picks = rng.sample(range(len(subjects)), rng.randint(1, 2))
        achievements = [_text(rng, subjects, picks, 8) + "\n" + _text(rng, subjects, picks, 40) for _ in range(5)]
        expertise = " ".join(rng.choice(subjects[p][0]) for p in picks for _ in range(3))
        summary = _text(rng, subjects, picks, 30)
        texts[pk] = ReviewerTexts(achievements, f"{expertise}\n{summary}")
        records.append(
            {
                "id": pk,
                "name": f"r{pk}",
                "name_pinyin": "",
                "expertise": expertise,
                "summary": summary,
                "employer": "",
                "title": "",
                "sector": "university",
                "title_level": "senior",
                "frontline": False,
                "status": "active",
                "birth_year": None,
                "region_path": "",
                "org_paths": [],
                "disciplines": [],
                "achievements": achievements,
            }
        )
    applications = {}
    for key in range(args.applications):
        picks = rng.sample(range(len(subjects)), rng.randint(1, 2))
        applications[key] = _text(rng, subjects, picks, 120)

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        backend = TantivyBackend(Path(tmp) / "index")
        with backend.writer() as w:
            for rec in records:
                w.add(analyse(rec))
        index_seconds = time.perf_counter() - t0

        scorer = AffinityScorer(backend=backend, texts=lambda ids: {i: texts[i] for i in ids if i in texts})
        t0 = time.perf_counter()
        scorer.add_reviewers(texts)  # the reviewers' vectors, once per call
        vectors_seconds = time.perf_counter() - t0

        t0 = time.perf_counter()
        engine = top_reviewers(applications, n=args.top, pool=args.pool, backend=backend, scorer=scorer)
        engine_seconds = time.perf_counter() - t0

        brute_apps = list(applications)[: args.brute]
        t0 = time.perf_counter()
        brute = {}
        for key in brute_apps:
            vector = scorer.vector(applications[key])
            scored = sorted(((pid, scorer.pair(vector, pid).score) for pid in texts), key=lambda x: (-x[1], x[0]))
            brute[key] = [(pid, s) for pid, s in scored[: args.top] if s > 0]
        brute_seconds = time.perf_counter() - t0

    recall = [len({p for p, _ in engine[k]} & {p for p, _ in brute[k]}) / max(1, len(brute[k])) for k in brute_apps]
    same_scores = all(dict(brute[k]).get(p, s) == s for k in brute_apps for p, s in engine[k])
    engine_per_app = engine_seconds / len(applications)
    brute_per_app = brute_seconds / max(1, len(brute_apps))
    print(
        json.dumps(
            {
                "machine": machine(),
                "reviewers": args.reviewers,
                "applications_engine": len(applications),
                "applications_brute": len(brute_apps),
                "top": args.top,
                "pool": args.pool,
                "index_seconds": round(index_seconds, 2),
                "reviewer_vectors_seconds": round(vectors_seconds, 2),
                "engine": {
                    "seconds": round(engine_seconds, 2),
                    "ms_per_application": round(engine_per_app * 1000, 2),
                    "pairs_scored_per_second": round(len(applications) * args.pool / engine_seconds),
                    "extrapolated_10000_applications_seconds": round(engine_per_app * 10_000, 1),
                },
                "brute_force": {
                    "seconds": round(brute_seconds, 2),
                    "ms_per_application": round(brute_per_app * 1000, 2),
                    "pairs_scored_per_second": round(len(brute_apps) * args.reviewers / brute_seconds),
                    "extrapolated_10000_applications_seconds": round(brute_per_app * 10_000, 1),
                },
                "speed_ratio_brute_over_engine": round(brute_per_app / engine_per_app, 1),
                "agreement": {
                    "mean_recall_of_brute_top": round(statistics.mean(recall), 4),
                    "min_recall": round(min(recall), 4),
                    "same_scores_on_common_pairs": same_scores,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
