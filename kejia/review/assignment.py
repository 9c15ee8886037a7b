"""Reviewer assignment: give every application exactly `per_application` reviewers, keep each
reviewer's load between `min_load` and `max_load`, never pair a conflicted reviewer with an
application, and among all such assignments take one with the largest total affinity.

Pure functions over ids and numbers: the caller (a call for projects, an award) passes its
applications, its reviewers, the candidate pairs with their affinity (any comparable floats, e.g.
the expert-finding score) and the pairs the conflict rules refuse (`kejia.review.conflicts`).

The network
-----------
One node per application, one per reviewer, one sink. Application `a` supplies `k` units (its
reviews); an arc a→r of capacity 1 exists for every eligible candidate pair (not conflicted, not
forbidden); an arc r→sink has capacity `max_load`; the sink demands `n·k`. An integral flow is an
assignment (a→r carries 1 ⇔ r reviews a) and every assignment is such a flow, so the two sets are
in one-to-one correspondence.

Lower bounds (the usual transform): an arc u→v with lower bound l and capacity c becomes an arc of
capacity c − l, with l units taken from the supply of u and given to v. It is applied to
- the reviewer's arc r→sink with l = `min_load` (minimum loads), and
- the arc a→r of a *required* pair with l = c = 1 (the arc disappears; a supplies one unit less,
  r one more; its affinity is added as a constant).
A flow of the transformed network plus the lower bounds is a flow of the original meeting them,
and conversely, with the same cost up to the constant.

Integer costs, and why the optimum is exact
-------------------------------------------
OR-Tools' `SimpleMinCostFlow` works in 64-bit integers. Each affinity w is scaled to
c = round(w · S) with S = `scale` (default 10⁶), and the arc a→r costs C − c, where C is the
largest c: every cost is ≥ 0 (the solver does not need negative costs) and, since every feasible
flow uses exactly n·k − (required pairs) arcs a→r, its cost is that count times C minus Σ c —
minimising the cost is maximising Σ c, exactly. Capacities and supplies are integers, so the
problem has an integral optimal flow (integrality theorem), and the cost-scaling algorithm finds
an optimal one using only integer arithmetic: no rounding happens inside the solver. We check
before solving that the largest arc cost (at most 2 · (max |w| · S + 1)) times max(nodes + 2, n·k)
stays below 2⁶² (the solver multiplies costs by the node count; the total cost sums n·k arcs), so
nothing overflows; otherwise `AssignmentError` asks the caller to lower `scale`.

So the assignment returned maximises Σ round(w · S) *exactly*. About the unscaled floats: each
|c − w·S| ≤ ½, so for the returned X and any feasible X*, W(X) ≥ W(X*) − n·k / S (n·k pairs, each
rounding by at most ½ on either side). When affinities have at most d decimals and S ≥ 10^d,
c = w·S exactly and X is optimal for the floats themselves.

Errors
------
Bad or infeasible input raises `AssignmentError` (a `DomainError`) with a stable `code`, the
`field` (the name of the argument at fault: `per_application`, `max_load`, `min_load`,
`candidates`, `required`, `forbidden`, `applications`, `reviewers`, `scale`) and `details` (the
applications or reviewers concerned). When every simple count passes but no assignment exists
(a group of applications whose eligible reviewers together are too few), a max-flow minimum cut
names that group.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from ortools.graph.python import max_flow, min_cost_flow

from kejia.core.errors import DomainError

Pair = tuple[Hashable, Hashable]
DEFAULT_SCALE = 10**6
_INT_LIMIT = 2**62
_SHOWN = 5  # ids named in a message; `details` holds them all


class AssignmentError(DomainError):
    """The problem has no assignment, or is malformed. `details` lists the ids concerned."""

    def __init__(self, code: str, message: str, *, field: str, details: dict | None = None):
        super().__init__(code, message, field=field)
        self.details = details or {}

    def as_dict(self) -> dict:
        return {**super().as_dict(), "details": {k: [str(v) for v in vs] for k, vs in self.details.items()}}


def _ids(values: Iterable[Hashable]) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:_SHOWN])
    if len(values) > _SHOWN:
        shown += " " + _("and %(count)d more") % {"count": len(values) - _SHOWN}
    return shown


@dataclass(frozen=True)
class AssignmentProblem:
    """Everything the assignment depends on. Pairs are (application, reviewer)."""

    applications: Sequence[Hashable]
    reviewers: Sequence[Hashable]
    candidates: Mapping[Pair, float]
    per_application: int
    max_load: int
    min_load: int = 0
    conflicts: frozenset[Pair] = frozenset()
    required: frozenset[Pair] = frozenset()
    forbidden: frozenset[Pair] = frozenset()
    scale: int = DEFAULT_SCALE

    def affinity(self, application: Hashable, reviewer: Hashable) -> float:
        """The pair's affinity; 0 for a pair that is not a candidate (a manual choice)."""
        return float(self.candidates.get((application, reviewer), 0.0))

    def eligible(self, application: Hashable, reviewer: Hashable) -> bool:
        return (application, reviewer) not in self.conflicts and (application, reviewer) not in self.forbidden


@dataclass(frozen=True)
class Assignment:
    """The reviewers of each application (best affinity first) and each reviewer's load."""

    reviewers_of: dict[Hashable, tuple[Hashable, ...]]
    loads: dict[Hashable, int]
    total_affinity: float
    scaled_total: int  # Σ round(affinity · scale): the quantity maximised exactly
    scale: int
    solve_seconds: float = field(default=0.0, compare=False)

    def pairs(self) -> set[Pair]:
        return {(a, r) for a, rs in self.reviewers_of.items() for r in rs}


def scaled(affinity: float, scale: int) -> int:
    """The integer cost unit of an affinity (round half to even)."""
    return round(affinity * scale)


def _validate(p: AssignmentProblem) -> tuple[dict, dict]:
    """Check the input; return the index of applications and of reviewers."""
    if not isinstance(p.per_application, int) or p.per_application < 1:
        raise AssignmentError("invalid_per_application", _("The number of reviewers per application must be at least 1."), field="per_application")
    if not isinstance(p.max_load, int) or p.max_load < 1:
        raise AssignmentError("invalid_max_load", _("The maximum load of a reviewer must be at least 1."), field="max_load")
    if not isinstance(p.min_load, int) or not 0 <= p.min_load <= p.max_load:
        raise AssignmentError("invalid_min_load", _("The minimum load must be between 0 and the maximum load."), field="min_load")
    if not isinstance(p.scale, int) or p.scale < 1:
        raise AssignmentError("invalid_scale", _("The affinity scale must be a positive whole number."), field="scale")
    for name, values in (("applications", p.applications), ("reviewers", p.reviewers)):
        twice = [v for v, c in Counter(values).items() if c > 1]
        if twice:
            raise AssignmentError("duplicate_id", _("These ids appear more than once: %(ids)s.") % {"ids": _ids(twice)}, field=name, details={name: twice})
    app_index = {a: i for i, a in enumerate(p.applications)}
    rev_index = {r: i for i, r in enumerate(p.reviewers)}
    for name, pairs in (("candidates", p.candidates), ("required", p.required), ("forbidden", p.forbidden), ("conflicts", p.conflicts)):
        unknown = [pair for pair in pairs if pair[0] not in app_index or pair[1] not in rev_index]
        if unknown:
            raise AssignmentError(
                "unknown_id",
                _("These pairs name an unknown application or reviewer: %(pairs)s.") % {"pairs": _ids(unknown)},
                field=name,
                details={"pairs": unknown},
            )
    bad = [pair for pair, w in p.candidates.items() if not math.isfinite(w)]
    if bad:
        raise AssignmentError(
            "invalid_affinity", _("These pairs have no finite affinity: %(pairs)s.") % {"pairs": _ids(bad)}, field="candidates", details={"pairs": bad}
        )
    return app_index, rev_index


def _check_required(p: AssignmentProblem) -> None:
    conflicted = sorted((pair for pair in p.required if pair in p.conflicts), key=str)
    if conflicted:
        raise AssignmentError(
            "conflicted_pair",
            _("These required pairs have a conflict of interest: %(pairs)s.") % {"pairs": _ids(conflicted)},
            field="required",
            details={"pairs": conflicted},
        )
    both = sorted((pair for pair in p.required if pair in p.forbidden), key=str)
    if both:
        raise AssignmentError(
            "required_and_forbidden",
            _("These pairs are both required and forbidden: %(pairs)s.") % {"pairs": _ids(both)},
            field="required",
            details={"pairs": both},
        )
    per_app = Counter(a for a, _r in p.required)
    over = [a for a in p.applications if per_app[a] > p.per_application]
    if over:
        raise AssignmentError(
            "too_many_required",
            _("These applications have more required reviewers than the %(k)d they get: %(ids)s.") % {"k": p.per_application, "ids": _ids(over)},
            field="required",
            details={"applications": over},
        )
    per_rev = Counter(r for _a, r in p.required)
    over = [r for r in p.reviewers if per_rev[r] > p.max_load]
    if over:
        raise AssignmentError(
            "too_many_required",
            _("These reviewers are required on more applications than their maximum load of %(load)d: %(ids)s.") % {"load": p.max_load, "ids": _ids(over)},
            field="required",
            details={"reviewers": over},
        )


def _check_counts(p: AssignmentProblem, free: list[Pair]) -> None:
    """The necessary conditions one can name plainly, before the solver."""
    n, m, k = len(p.applications), len(p.reviewers), p.per_application
    options: Counter = Counter(a for a, _r in free)
    options.update(a for a, _r in p.required)
    short = [a for a in p.applications if options[a] < k]
    if short:
        raise AssignmentError(
            "too_few_candidates",
            _("These applications have fewer than %(k)d eligible candidate reviewers: %(ids)s.") % {"k": k, "ids": _ids(short)},
            field="candidates",
            details={"applications": short, "eligible": [options[a] for a in short]},
        )
    if m * p.max_load < n * k:
        raise AssignmentError(
            "capacity_short",
            _("%(n)d applications need %(needed)d reviews but %(m)d reviewers with a maximum load of %(load)d can give only %(capacity)d.")
            % {"n": n, "needed": n * k, "m": m, "load": p.max_load, "capacity": m * p.max_load},
            field="max_load",
        )
    if m * p.min_load > n * k:
        raise AssignmentError(
            "min_load_too_high",
            _("%(m)d reviewers with a minimum load of %(load)d need %(wanted)d reviews but the applications have only %(needed)d.")
            % {"m": m, "load": p.min_load, "wanted": m * p.min_load, "needed": n * k},
            field="min_load",
        )
    if p.min_load:
        reach: Counter = Counter(r for _a, r in free)
        reach.update(r for _a, r in p.required)
        idle = [r for r in p.reviewers if reach[r] < p.min_load]
        if idle:
            raise AssignmentError(
                "reviewer_too_few_candidates",
                _("These reviewers are eligible for fewer than %(load)d applications, the minimum load: %(ids)s.") % {"load": p.min_load, "ids": _ids(idle)},
                field="min_load",
                details={"reviewers": idle},
            )


def assign_reviewers(problem: AssignmentProblem) -> Assignment:
    """The assignment of largest total (scaled) affinity; `AssignmentError` when there is none."""
    p = problem
    app_index, rev_index = _validate(p)
    _check_required(p)
    free = [pair for pair in p.candidates if pair not in p.required and p.eligible(*pair)]
    _check_counts(p, free)

    n, m, k = len(p.applications), len(p.reviewers), p.per_application
    sink = n + m
    largest = max((abs(w) for w in p.candidates.values()), default=0.0) * p.scale + 1
    if 2 * largest * max(sink + 2, n * k) >= _INT_LIMIT:
        raise AssignmentError("scale_too_large", _("The affinities times the scale are too large for exact integer costs; use a smaller scale."), field="scale")
    c = np.fromiter((scaled(p.candidates[pair], p.scale) for pair in free), dtype=np.int64, count=len(free))
    top = int(c.max()) if len(c) else 0

    tails = np.fromiter((app_index[a] for a, _r in free), dtype=np.int32, count=len(free))
    heads = np.fromiter((n + rev_index[r] for _a, r in free), dtype=np.int32, count=len(free))
    req_app = Counter(app_index[a] for a, _r in p.required)
    req_rev = Counter(rev_index[r] for _a, r in p.required)
    supplies = np.empty(n + m + 1, dtype=np.int64)
    supplies[:n] = [k - req_app[i] for i in range(n)]
    supplies[n:sink] = [req_rev[j] - p.min_load for j in range(m)]
    supplies[sink] = -n * k + m * p.min_load

    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, np.ones(len(free), dtype=np.int64), top - c)
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, sink, dtype=np.int32), np.full(m, sink, dtype=np.int32), np.full(m, p.max_load - p.min_load, dtype=np.int64), np.zeros(m, dtype=np.int64)
    )
    flow.set_nodes_supplies(np.arange(n + m + 1, dtype=np.int32), supplies)
    status = flow.solve()
    elapsed = time.perf_counter() - started
    if status == flow.INFEASIBLE:
        _diagnose(p, free, tails, heads, supplies)
    if status != flow.OPTIMAL:
        raise AssignmentError(
            "solver_failed", _("The assignment could not be computed (solver status %(status)s).") % {"status": str(status)}, field="candidates"
        )

    chosen = np.flatnonzero(flow.flows(arcs))
    reviewers_of: dict[Hashable, list[Hashable]] = defaultdict(list)
    for i in chosen:
        a, r = free[i]
        reviewers_of[a].append(r)
    for a, r in p.required:
        reviewers_of[a].append(r)
    return _result(p, reviewers_of, elapsed)


def _result(p: AssignmentProblem, reviewers_of: Mapping[Hashable, list[Hashable]], elapsed: float = 0.0) -> Assignment:
    rev_order = {r: i for i, r in enumerate(p.reviewers)}
    ordered = {a: tuple(sorted(reviewers_of.get(a, ()), key=lambda r, a=a: (-p.affinity(a, r), rev_order[r]))) for a in p.applications}
    loads = Counter(r for rs in ordered.values() for r in rs)
    return Assignment(
        reviewers_of=ordered,
        loads={r: loads[r] for r in p.reviewers},
        total_affinity=math.fsum(p.affinity(a, r) for a, rs in ordered.items() for r in rs),
        scaled_total=sum(scaled(p.affinity(a, r), p.scale) for a, rs in ordered.items() for r in rs),
        scale=p.scale,
        solve_seconds=elapsed,
    )


def _diagnose(p: AssignmentProblem, free: list[Pair], tails, heads, supplies) -> None:
    """Name why the solver found no flow: a group of applications whose eligible reviewers cannot
    give the reviews they need (a minimum cut of the max-flow without minimum loads), or else the
    minimum loads."""
    n, m = len(p.applications), len(p.reviewers)
    source, sink = n + m, n + m + 1
    need = supplies[:n]
    room = np.array([p.max_load - (p.min_load + int(s)) for s in supplies[n : n + m]], dtype=np.int64)  # max_load − required
    graph = max_flow.SimpleMaxFlow()
    graph.add_arcs_with_capacity(np.full(n, source, dtype=np.int32), np.arange(n, dtype=np.int32), need)
    graph.add_arcs_with_capacity(tails, heads, np.ones(len(free), dtype=np.int64))
    graph.add_arcs_with_capacity(np.arange(n, n + m, dtype=np.int32), np.full(m, sink, dtype=np.int32), room)
    graph.solve(source, sink)
    wanted = int(need.sum())
    if graph.optimal_flow() < wanted:
        side = {int(v) for v in graph.get_source_side_min_cut()}
        in_group = [i for i in range(n) if i in side]
        group = [p.applications[i] for i in in_group]
        in_group_set = set(in_group)
        arcs_to: Counter = Counter(int(h) - n for t, h in zip(tails, heads, strict=True) if int(t) in in_group_set)
        can_give = sum(min(int(room[j]), cnt) for j, cnt in arcs_to.items())
        needed = int(sum(int(need[i]) for i in in_group))
        raise AssignmentError(
            "not_enough_reviewers",
            _("These applications need %(needed)d reviews in all but their eligible reviewers can give only %(capacity)d within their maximum loads: %(ids)s.")
            % {"needed": needed, "capacity": can_give, "ids": _ids(group)},
            field="max_load",
            details={"applications": group},
        )
    raise AssignmentError(
        "min_load_unreachable",
        _("No assignment gives every reviewer at least %(load)d applications with these candidates and conflicts; lower the minimum load.")
        % {"load": p.min_load},
        field="min_load",
    )


def swap_reviewer(problem: AssignmentProblem, assignment: Assignment, *, application: Hashable, old: Hashable, new: Hashable) -> Assignment:
    """A staff member's change: `new` reviews `application` instead of `old`. The conflict and
    forbidden pairs still hold for a manual choice, and both reviewers' loads stay within bounds.
    `new` need not be a candidate (its affinity then counts as 0)."""
    p = problem
    if application not in assignment.reviewers_of:
        raise AssignmentError("unknown_id", _("No such application in this assignment."), field="application")
    current = assignment.reviewers_of[application]
    if old not in current:
        raise AssignmentError("not_assigned", _("This reviewer is not assigned to the application."), field="old")
    if new not in assignment.loads:
        raise AssignmentError("unknown_id", _("No such reviewer in this assignment."), field="new")
    if new in current:
        raise AssignmentError("already_assigned", _("This reviewer already reviews the application."), field="new")
    if (application, new) in p.conflicts:
        raise AssignmentError("conflicted_pair", _("This reviewer has a conflict of interest with the application."), field="new")
    if (application, new) in p.forbidden:
        raise AssignmentError("forbidden_pair", _("This reviewer may not review the application."), field="new")
    if assignment.loads[new] + 1 > p.max_load:
        raise AssignmentError("load_exceeded", _("This reviewer already has the maximum load of %(load)d applications.") % {"load": p.max_load}, field="new")
    if assignment.loads[old] - 1 < p.min_load:
        raise AssignmentError(
            "load_below_minimum", _("The reviewer replaced would fall below the minimum load of %(load)d applications.") % {"load": p.min_load}, field="old"
        )
    reviewers_of = {a: list(rs) for a, rs in assignment.reviewers_of.items()}
    reviewers_of[application] = [new if r == old else r for r in current]
    return _result(p, reviewers_of)
