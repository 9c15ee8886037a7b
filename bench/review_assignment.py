"""Reviewer assignment at scale: `kejia.review.assignment.assign_reviewers` (a min-cost flow in
OR-Tools) end to end, and its objective checked against a general LP solver (HiGHS) on the same
instance, in the same run.

    python bench/review_assignment.py [--applications 10000] [--reviewers 6000] [--per-application 3]
                                      [--max-load 6] [--top 200] [--conflict-rate 0.01] [--seed 20261207]
                                      [--highs-time-limit 900] [--fallback-applications 2000]

The synthetic instance (numpy, fixed seed): applications and reviewers get a topic profile over
24 topics (Gamma(0.3) weights, normalised: most have a few strong topics); the affinity of a pair
is the cosine of the two profiles plus Gaussian noise (sd 0.05), rounded to 6 decimals. Each
application's candidates are its --top reviewers by affinity. --conflict-rate of *all* pairs
(1 %: 60 reviewers per application, uniformly) are conflicted; those that fall among the
candidates (about 1 % of them) are removed by the assignment, the rest are passed too and ignored.

Timed: `assign_reviewers` on the problem (validation, eligibility, the network, the solve, the
result) — what a calls app would call with its pairs in memory; the generation is reported apart.

The check: the same eligible pairs as an LP for HiGHS (`highspy`): one column per pair in [0, 1],
Σ_r x_ar = k for every application, min ≤ Σ_a x_ar ≤ max for every reviewer, maximise Σ c_ar x_ar
with c = round(affinity · 10⁶), the integer costs the flow optimises. The constraint matrix is the
incidence matrix of a bipartite graph, totally unimodular, so the LP optimum is the integer
optimum: HiGHS returns a vertex with x integral, and Σ c · round(x) must equal the flow's
`scaled_total` exactly. When HiGHS does not finish within --highs-time-limit seconds, both are run
again on a smaller instance (--fallback-applications, reviewers in the same ratio) and compared
there; the JSON says which instance was compared.

Prints JSON.
"""

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kejia.settings.base")
os.environ.setdefault("ALLOW_DEVELOPMENT_KEYS", "true")

from _common import machine  # noqa: E402

TOPICS = 24


def generate(n: int, m: int, top: int, conflict_rate: float, seed: int):
    """(candidates {(a, r): affinity}, conflicts {(a, r)}, conflicts among the candidates)."""
    import numpy as np

    rng = np.random.default_rng(seed)

    def profiles(count):
        x = rng.gamma(0.3, size=(count, TOPICS)) + 1e-9
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    apps, revs = profiles(n), profiles(m)
    top = min(top, m)
    app_ids, rev_ids, values = [], [], []
    for start in range(0, n, 500):
        block = apps[start : start + 500] @ revs.T
        block += rng.normal(0, 0.05, size=block.shape)
        best = np.argpartition(-block, top - 1, axis=1)[:, :top]
        rows = np.repeat(np.arange(start, start + block.shape[0]), top)
        app_ids.append(rows)
        rev_ids.append(best.ravel())
        values.append(np.round(np.take_along_axis(block, best, axis=1).ravel(), 6))
    a, r, w = (np.concatenate(x) for x in (app_ids, rev_ids, values))
    candidates = dict(zip(zip(a.tolist(), r.tolist(), strict=True), w.tolist(), strict=True))
    per_app = max(1, round(conflict_rate * m))
    conflicts = set()
    for app in range(n):
        for rev in rng.choice(m, size=per_app, replace=False).tolist():
            conflicts.add((app, rev))
    return candidates, frozenset(conflicts), sum(1 for pair in conflicts if pair in candidates)


@contextlib.contextmanager
def _quiet_stdout():
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def highs_optimum(problem, time_limit: float) -> dict:
    """The LP optimum of the same instance (see the module docstring), or why there is none."""
    import highspy
    import numpy as np

    from kejia.review.assignment import scaled

    p = problem
    app_index = {a: i for i, a in enumerate(p.applications)}
    rev_index = {r: i for i, r in enumerate(p.reviewers)}
    free = [pair for pair in p.candidates if pair not in p.conflicts and pair not in p.forbidden]
    n, m, cols = len(p.applications), len(p.reviewers), len(free)
    cost = np.array([scaled(p.candidates[pair], p.scale) for pair in free], dtype=np.float64)
    index = np.empty(2 * cols, dtype=np.int32)
    index[0::2] = [app_index[a] for a, _r in free]
    index[1::2] = [n + rev_index[r] for _a, r in free]

    started = time.perf_counter()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols, n + m
    lp.col_cost_ = -cost  # minimise −Σ c x
    lp.col_lower_ = np.zeros(cols)
    lp.col_upper_ = np.ones(cols)
    lp.row_lower_ = np.concatenate([np.full(n, float(p.per_application)), np.full(m, float(p.min_load))])
    lp.row_upper_ = np.concatenate([np.full(n, float(p.per_application)), np.full(m, float(p.max_load))])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * cols + 1, 2, dtype=np.int32)
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = np.ones(2 * cols)
    with _quiet_stdout():  # the HiGHS banner is printed from C++ on construction: keep stdout pure JSON
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    h.run()
    seconds = time.perf_counter() - started
    status = h.modelStatusToString(h.getModelStatus())
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return {"status": status, "seconds": round(seconds, 2), "columns": cols}
    x = np.asarray(h.getSolution().col_value)
    chosen = np.rint(x)
    return {
        "status": status,
        "seconds": round(seconds, 2),
        "columns": cols,
        "objective": -h.getInfo().objective_function_value,
        "max_fractionality": float(np.abs(x - chosen).max()),
        "integer_objective": int(np.dot(chosen, cost).round()),
        "pairs_chosen": int(chosen.sum()),
    }


def run(n: int, m: int, args) -> dict:
    from kejia.review.assignment import AssignmentProblem, assign_reviewers

    started = time.perf_counter()
    candidates, conflicts, conflicted_candidates = generate(n, m, args.top, args.conflict_rate, args.seed)
    generated = time.perf_counter() - started
    problem = AssignmentProblem(
        applications=list(range(n)),
        reviewers=list(range(m)),
        candidates=candidates,
        per_application=args.per_application,
        max_load=args.max_load,
        conflicts=conflicts,
    )
    load_before = os.getloadavg()
    started = time.perf_counter()
    result = assign_reviewers(problem)
    end_to_end = time.perf_counter() - started
    loads = list(result.loads.values())
    out = {
        "instance": {
            "applications": n,
            "reviewers": m,
            "per_application": args.per_application,
            "max_load": args.max_load,
            "candidates_per_application": min(args.top, m),
            "candidate_pairs": len(candidates),
            "conflicted_pairs": len(conflicts),
            "conflicted_candidate_pairs": conflicted_candidates,
            "seed": args.seed,
        },
        "generate_seconds": round(generated, 2),
        "ortools": {
            "end_to_end_seconds": round(end_to_end, 2),
            "solve_seconds": round(result.solve_seconds, 2),
            "scaled_total": result.scaled_total,
            "total_affinity": round(result.total_affinity, 6),
            "load_min": min(loads),
            "load_max": max(loads),
            "conflicts_assigned": len(result.pairs() & conflicts),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
    }
    highs = highs_optimum(problem, args.highs_time_limit)
    out["highs"] = highs
    if "integer_objective" in highs:
        out["objectives_equal"] = highs["integer_objective"] == result.scaled_total
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10000)
    parser.add_argument("--reviewers", type=int, default=6000)
    parser.add_argument("--per-application", type=int, default=3)
    parser.add_argument("--max-load", type=int, default=6)
    parser.add_argument("--top", type=int, default=200)
    parser.add_argument("--conflict-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--highs-time-limit", type=float, default=900)
    parser.add_argument("--fallback-applications", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    report = {"machine": machine(), "runs": [run(args.applications, args.reviewers, args)]}
    if "objectives_equal" not in report["runs"][0] and args.fallback_applications < args.applications:
        ratio = args.reviewers / args.applications
        report["runs"].append(run(args.fallback_applications, max(1, round(args.fallback_applications * ratio)), args))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
