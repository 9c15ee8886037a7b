"""The affinity's loss on the public gold-standard dataset for the reviewer assignment problem
(Stelmakh, Wieting, Xi, Neubig, Shah: reviewers' self-reported expertise in papers they read). The
data stays out of this repository: give the path of a checkout of the dataset's repository.

    python bench/goldstandard_loss.py PATH [--dataset d_20_1]

Reads PATH/data/evaluations.csv (tab-separated: ParticipantID, Paper1..10, Expertise1..10), the
papers' titles and abstracts from PATH/data/papers/<id>.json, and each reviewer's profile (their
papers, title and abstract) from PATH/evaluation_datasets/<dataset>/archives/~<ParticipantID>.jsonl
(the OpenReview format). Each reviewer is scored against the papers they rated with
`kejia.search.affinity.AffinityScorer` (each profile paper an achievement; idf over the papers
read), and the loss is the dataset's main metric as its own scoring code computes it: over all
reviewers, pairs of rated papers, each pair weighted by the difference of the two ratings, a wrong
order costing the weight and a tie half of it, divided by the total weight (lower is better;
0.5 is chance). Prints JSON."""

import argparse
import csv
import json
import math
import os
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
os.environ.setdefault("ALLOW_DEVELOPMENT_KEYS", "true")


def loss(preds: dict, refs: dict) -> float:
    total = wrong = 0.0
    for reviewer, rated in refs.items():
        for p1, p2 in combinations(list(rated), 2):
            true = rated[p1] - rated[p2]
            if true == 0:
                continue
            pred = preds[reviewer][p1] - preds[reviewer][p2]
            total += abs(true)
            if pred == 0:
                wrong += abs(true) / 2
            elif pred * true < 0:
                wrong += abs(true)
    return wrong / total if total else float("nan")


def _paper_text(record: dict) -> str:
    content = record.get("content", record)
    return f"{content.get('title') or ''}\n{content.get('abstract') or ''}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--dataset", default="d_20_1")
    args = parser.parse_args()

    import django

    django.setup()
    from kejia.search.affinity import AffinityScorer, ReviewerTexts
    from kejia.search.text import index_tokens

    refs: dict[str, dict[str, float]] = {}
    with open(args.path / "data" / "evaluations.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            rated = {row[f"Paper{i}"]: float(row[f"Expertise{i}"]) for i in range(1, 11) if row.get(f"Paper{i}") and row.get(f"Expertise{i}")}
            if rated:
                refs[row["ParticipantID"]] = rated
    papers = {}
    for pid in {p for rated in refs.values() for p in rated}:
        f = args.path / "data" / "papers" / f"{pid}.json"
        if f.exists():
            papers[pid] = _paper_text(json.loads(f.read_text(encoding="utf-8")))
    archives: dict[str, ReviewerTexts] = {}
    for reviewer in refs:
        f = args.path / "evaluation_datasets" / args.dataset / "archives" / f"~{reviewer}.jsonl"
        if f.exists():
            archives[reviewer] = ReviewerTexts([_paper_text(json.loads(line)) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()])
    refs = {r: {p: e for p, e in rated.items() if p in papers} for r, rated in refs.items() if r in archives}

    # idf over every paper read (the reviewers' and the rated ones): no index needed.
    docs = list(papers.values()) + [a for t in archives.values() for a in t.achievements]
    df: Counter = Counter()
    for text in docs:
        df.update(set(index_tokens(text)))
    n = len(docs)
    scorer = AffinityScorer(idf=lambda term: math.log((n + 1) / (df[term] + 1)) + 1.0, texts=lambda ids: {})
    scorer.add_reviewers(archives)
    preds = {r: {p: scorer.pair(scorer.vector(papers[p]), r).score for p in rated} for r, rated in refs.items()}
    print(
        json.dumps(
            {
                "dataset": args.dataset,
                "reviewers": len(refs),
                "papers": len(papers),
                "pairs_rated": sum(len(r) for r in refs.values()),
                "loss": round(loss(preds, refs), 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
