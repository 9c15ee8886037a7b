import itertools
import random

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kejia.review.assignment import AssignmentError, AssignmentProblem, assign_reviewers, scaled, swap_reviewer


def brute_force(p: AssignmentProblem) -> int | None:
    """The best Σ scaled affinity over every feasible assignment, or None when there is none."""
    options = []
    for a in p.applications:
        must = [r for r in p.reviewers if (a, r) in p.required]
        free = [r for r in p.reviewers if (a, r) in p.candidates and (a, r) not in p.required and p.eligible(a, r)]
        options.append([tuple(must) + rest for rest in itertools.combinations(free, p.per_application - len(must))] if len(must) <= p.per_application else [])
    best = None
    for choice in itertools.product(*options):
        loads = {r: 0 for r in p.reviewers}
        for rs in choice:
            for r in rs:
                loads[r] += 1
        if any(not p.min_load <= v <= p.max_load for v in loads.values()):
            continue
        value = sum(scaled(p.affinity(a, r), p.scale) for a, rs in zip(p.applications, choice, strict=True) for r in rs)
        best = value if best is None else max(best, value)
    return best


def check_valid(p: AssignmentProblem, result) -> None:
    for a in p.applications:
        assert len(set(result.reviewers_of[a])) == p.per_application
    for a, r in result.pairs():
        assert (a, r) not in p.conflicts and (a, r) not in p.forbidden
        assert (a, r) in p.candidates or (a, r) in p.required
    assert p.required <= result.pairs()
    for r in p.reviewers:
        assert p.min_load <= result.loads[r] <= p.max_load


@st.composite
def problems(draw):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 4))
    k = draw(st.integers(1, min(2, m)))
    max_load = draw(st.integers(1, 3))
    min_load = draw(st.sampled_from([0, 0, 1]))
    min_load = min(min_load, max_load)
    apps, revs = [f"a{i}" for i in range(n)], list(range(m))
    pairs = list(itertools.product(apps, revs))
    affinity = st.one_of(st.floats(-1, 1, allow_nan=False), st.sampled_from([0.0, 0.5, 0.25]))  # ties are common
    candidates = {pair: draw(affinity) for pair in pairs if draw(st.booleans()) or draw(st.booleans())}
    conflicts = frozenset(pair for pair in pairs if draw(st.integers(0, 9)) == 0)
    forbidden = frozenset(pair for pair in pairs if draw(st.integers(0, 14)) == 0)
    required = frozenset(pair for pair in candidates if draw(st.integers(0, 11)) == 0 and pair not in conflicts and pair not in forbidden)
    scale = draw(st.sampled_from([1, 100, 10**6]))
    return AssignmentProblem(
        applications=apps,
        reviewers=revs,
        candidates=candidates,
        per_application=k,
        max_load=max_load,
        min_load=min_load,
        conflicts=conflicts,
        forbidden=forbidden,
        required=required,
        scale=scale,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_assign_reviewers_is_optimal_against_brute_force(p):
    best = brute_force(p)
    if best is None:
        with pytest.raises(AssignmentError):
            assign_reviewers(p)
        return
    result = assign_reviewers(p)
    check_valid(p, result)
    assert result.scaled_total == best


def _random_problem(seed: int, n=60, m=40, k=3, max_load=6, min_load=0, conflict_rate=0.1):
    rng = random.Random(seed)
    apps, revs = list(range(n)), [f"r{j}" for j in range(m)]
    candidates = {(a, r): rng.random() for a in apps for r in rng.sample(revs, min(15, m))}
    conflicts = frozenset(pair for pair in candidates if rng.random() < conflict_rate)
    return AssignmentProblem(
        applications=apps, reviewers=revs, candidates=candidates, per_application=k, max_load=max_load, min_load=min_load, conflicts=conflicts
    )


@pytest.mark.parametrize("seed", range(5))
def test_assign_reviewers_never_assigns_a_conflict_and_respects_loads(seed):
    p = _random_problem(seed, min_load=2)
    result = assign_reviewers(p)
    check_valid(p, result)
    assert sum(result.loads.values()) == 60 * 3
    assert not result.pairs() & p.conflicts


def test_assign_reviewers_exact_for_decimal_affinities():
    """Affinities with 3 decimals and scale 1000: the float total itself is the optimum."""
    rng = random.Random(7)
    apps, revs = ["a", "b", "c"], ["x", "y", "z", "w"]
    candidates = {(a, r): rng.randint(0, 999) / 1000 for a in apps for r in revs}
    p = AssignmentProblem(applications=apps, reviewers=revs, candidates=candidates, per_application=2, max_load=2, scale=1000)
    result = assign_reviewers(p)
    assert result.scaled_total == brute_force(p)
    assert result.total_affinity == pytest.approx(result.scaled_total / 1000)


def test_assign_reviewers_too_few_candidates_names_the_application():
    p = AssignmentProblem(
        applications=["a", "b"],
        reviewers=[1, 2, 3],
        candidates={("a", 1): 1, ("a", 2): 1, ("b", 1): 1, ("b", 2): 1},
        per_application=2,
        max_load=2,
        conflicts=frozenset({("b", 2)}),
    )
    with pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert caught.value.code == "too_few_candidates" and caught.value.field == "candidates"
    assert caught.value.details["applications"] == ["b"]
    assert "b" in str(caught.value.message)


def test_assign_reviewers_total_capacity_short():
    p = _random_problem(1, n=60, m=40, k=3, max_load=4)  # 160 < 180
    with translation.override("zh-hans"), pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert (caught.value.code, caught.value.field) == ("capacity_short", "max_load")
    assert caught.value.message == "60 个申报项目共需 180 份评审，但 40 位专家在最大评审量 4 之内最多只能完成 160 份。"


def test_assign_reviewers_minimum_load_too_high():
    p = _random_problem(1, n=20, m=40, k=3, min_load=2)  # 80 > 60
    with pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert (caught.value.code, caught.value.field) == ("min_load_too_high", "min_load")


def test_assign_reviewers_names_the_group_its_reviewers_cannot_serve():
    """Each application has enough candidates and the total capacity is enough, but a and b
    both rely on reviewer 1 alone: the minimum cut names them."""
    candidates = {("a", 1): 1.0, ("b", 1): 1.0, ("c", 1): 1.0, ("c", 2): 1.0, ("c", 3): 1.0}
    p = AssignmentProblem(applications=["a", "b", "c"], reviewers=[1, 2, 3], candidates=candidates, per_application=1, max_load=1)
    with translation.override("en"), pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert caught.value.code == "not_enough_reviewers" and caught.value.field == "max_load"
    assert sorted(caught.value.details["applications"]) == ["a", "b"]
    assert "need 2 reviews" in caught.value.message and "only 1" in caught.value.message


def test_assign_reviewers_minimum_load_unreachable():
    candidates = {("a", 1): 1.0, ("b", 1): 1.0, ("a", 2): 0.0, ("b", 2): 0.0, ("c", 3): 1.0, ("c", 4): 0.5, ("d", 3): 1.0, ("d", 4): 1.0}
    # Reviewer 4 can have one of c, d, and 3 the other; 1 and 2 share a and b: each gets one — all fine.
    p = AssignmentProblem(applications=["a", "b", "c", "d"], reviewers=[1, 2, 3, 4], candidates=candidates, per_application=1, max_load=2, min_load=1)
    check_valid(p, assign_reviewers(p))
    # Every count passes and 2 and 3 each have a candidate, but both only through c.
    candidates = {("a", 1): 1.0, ("b", 1): 1.0, ("c", 2): 1.0, ("c", 3): 1.0}
    p = AssignmentProblem(applications=["a", "b", "c"], reviewers=[1, 2, 3], candidates=candidates, per_application=1, max_load=2, min_load=1)
    with pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert brute_force(p) is None
    assert caught.value.code == "min_load_unreachable" and caught.value.field == "min_load"


def test_assign_reviewers_keeps_required_pairs_and_refuses_conflicted_ones():
    p = _random_problem(3)
    low = min((pair for pair in p.candidates if pair not in p.conflicts), key=p.candidates.get)
    result = assign_reviewers(AssignmentProblem(**{**vars(p), "required": frozenset({low})}))
    assert low in result.pairs()
    conflicted = next(iter(p.conflicts))
    with pytest.raises(AssignmentError) as caught:
        assign_reviewers(AssignmentProblem(**{**vars(p), "required": frozenset({conflicted})}))
    assert (caught.value.code, caught.value.field) == ("conflicted_pair", "required")


def test_assign_reviewers_never_uses_forbidden_pairs():
    p = _random_problem(4)
    first = assign_reviewers(p)
    banned = frozenset(list(first.pairs())[:20])
    second = assign_reviewers(AssignmentProblem(**{**vars(p), "forbidden": banned}))
    assert not second.pairs() & banned
    assert second.scaled_total <= first.scaled_total


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"per_application": 0}, "invalid_per_application", "per_application"),
        ({"max_load": 0}, "invalid_max_load", "max_load"),
        ({"min_load": 9}, "invalid_min_load", "min_load"),
        ({"applications": [1, 1]}, "duplicate_id", "applications"),
        ({"candidates": {(1, "nobody"): 1.0}}, "unknown_id", "candidates"),
        ({"candidates": {(0, "r0"): float("nan")}}, "invalid_affinity", "candidates"),
        ({"candidates": {(0, "r0"): 1e18}}, "scale_too_large", "scale"),
    ],
)
def test_assign_reviewers_bad_input_names_the_field(change, code, field):
    p = AssignmentProblem(**{**vars(_random_problem(0, n=1, m=3, k=1)), "conflicts": frozenset(), **change})
    with pytest.raises(AssignmentError) as caught:
        assign_reviewers(p)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.as_dict()["field"] == field


def test_swap_reviewer_rechecks_conflicts_and_loads():
    p = AssignmentProblem(
        applications=["a", "b", "c"],
        reviewers=[1, 2, 3, 4],
        candidates={("a", 1): 0.9, ("b", 2): 0.9, ("c", 3): 0.9, ("a", 4): 0.1, ("b", 4): 0.1},
        per_application=1,
        max_load=1,
        conflicts=frozenset({("c", 4)}),
    )
    result = assign_reviewers(p)
    assert result.reviewers_of == {"a": (1,), "b": (2,), "c": (3,)}
    with pytest.raises(AssignmentError) as caught:
        swap_reviewer(p, result, application="c", old=3, new=4)
    assert (caught.value.code, caught.value.field) == ("conflicted_pair", "new")
    with pytest.raises(AssignmentError) as caught:
        swap_reviewer(p, result, application="a", old=1, new=2)
    assert (caught.value.code, caught.value.field) == ("load_exceeded", "new")
    with pytest.raises(AssignmentError) as caught:
        swap_reviewer(p, result, application="a", old=2, new=4)
    assert (caught.value.code, caught.value.field) == ("not_assigned", "old")
    swapped = swap_reviewer(p, result, application="a", old=1, new=4)
    assert swapped.reviewers_of["a"] == (4,) and swapped.loads[1] == 0 and swapped.loads[4] == 1
    assert swapped.total_affinity == pytest.approx(0.1 + 0.9 + 0.9)
    # A reviewer outside the candidates may be chosen by hand; the pair's affinity counts as 0.
    again = swap_reviewer(p, swapped, application="c", old=3, new=1)
    assert again.reviewers_of["c"] == (1,) and again.total_affinity == pytest.approx(0.1 + 0.9)
    minimum = AssignmentProblem(
        applications=["a", "b"], reviewers=[1, 2], candidates={("a", 1): 1.0, ("b", 2): 1.0, ("a", 2): 0.5}, per_application=1, max_load=2, min_load=1
    )
    with pytest.raises(AssignmentError) as caught:
        swap_reviewer(minimum, assign_reviewers(minimum), application="a", old=1, new=2)
    assert (caught.value.code, caught.value.field) == ("load_below_minimum", "old")
