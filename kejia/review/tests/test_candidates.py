"""The candidate cut of run_assignment: each item's best `candidates_per_item` reviewers by
affinity, conflicts excluded, widened when the cut leaves no assignment."""

import itertools

import pytest

from kejia.core.errors import DomainError
from kejia.core.models import AuditEvent
from kejia.people.models import Listing
from kejia.review import services
from kejia.review.models import Assignment

from .conftest import fixed_affinity, invite_all


def fixed_top(table, calls=None):
    """A stand-in for kejia.search.affinity.top_reviewers over `fixed_affinity(table)`: every
    reviewer of `reviewers` but `exclude[key]`, best first, the first `n`."""
    score = fixed_affinity(table)

    def top(texts, *, n, reviewers, exclude, **kwargs):
        if calls is not None:
            calls.append(n)
        out = {}
        for key in texts:
            pairs = [(key, p) for p in reviewers if p not in set(exclude.get(key, ()))]
            scored = score(texts, pairs)
            out[key] = sorted(((p, scored[(key, p)]) for _k, p in pairs), key=lambda x: (-x[1], x[0]))[:n]
        return out

    return top


def never(*args, **kwargs):
    raise AssertionError("the top-N function is not called when N covers the pool")


def _set_n(rw, n):
    rw.round.candidates_per_item = n
    rw.round.save()


def _check(rw, rows):
    """k reviewers per item, loads within bounds, no conflicted pair."""
    reviewers = [p.pk for p in rw.reviewers]
    conflicted = services.find_conflicts(rw.round, rw.items, reviewers)
    pairs = set(Assignment.objects.filter(round=rw.round).values_list("item_id", "person_id"))
    assert {(a.item_id, a.person_id) for a in rows} == pairs
    assert not pairs & set(conflicted)
    for item in rw.items:
        assert sum(1 for i, _p in pairs if i == item.pk) == rw.round.per_item
    for p in reviewers:
        assert sum(1 for _i, q in pairs if q == p) <= rw.round.max_load


def _brute_force_optimum(rw, table):
    """The largest total affinity over every assignment (k per item, loads, no conflict)."""
    reviewers = [p.pk for p in rw.reviewers]
    conflicted = set(services.find_conflicts(rw.round, rw.items, reviewers))
    score = fixed_affinity(table)
    choices = []
    for item in rw.items:
        options = [c for c in itertools.combinations(reviewers, rw.round.per_item) if not any((item.pk, p) in conflicted for p in c)]
        choices.append([(c, sum(score({}, [(item.pk, p)])[(item.pk, p)] for p in c)) for c in options])
    best = None
    for combo in itertools.product(*choices):
        loads = {}
        for c, _s in combo:
            for p in c:
                loads[p] = loads.get(p, 0) + 1
        if max(loads.values()) <= rw.round.max_load:
            total = sum(s for _c, s in combo)
            best = total if best is None else max(best, total)
    return best


def _nj_staff(rw):
    """Reviewer 0 is one of NJ's own people: conflicted with item 1 (NJ applies)."""
    Listing.objects.create(person=rw.reviewers[0], organization=rw.t.nj, role="staff")
    return (rw.items[0].pk, rw.reviewers[0].pk)


def _table(rw, favourites, high=2.0):
    """`favourites` score `high` on every item, everyone else a little by the fixed function (at
    most 1.0, whatever the ids: the favourites stay the best)."""
    return {(i.pk, p.pk): high for i in rw.items for p in favourites}


def test_a_cut_smaller_than_the_pool_is_feasible_and_conflict_free(rw):
    conflict = _nj_staff(rw)
    r = rw.reviewers
    # Each item prefers its own pair of reviewers, the conflicted one best of all for item 1.
    table = {conflict: 5.0}
    for item, (a, b) in zip(rw.items, [(r[0], r[1]), (r[2], r[3]), (r[4], r[5])], strict=True):
        table[(item.pk, a.pk)] = table.get((item.pk, a.pk), 0.95)
        table[(item.pk, b.pk)] = 0.9
    _set_n(rw, 3)
    invite_all(rw)
    calls = []
    rows = services.run_assignment(rw.round, actor=rw.owner, affinity=never, top=fixed_top(table, calls))
    _check(rw, rows)
    assert calls == [3] and rows.candidates_per_item == 3 and rows.requested == 3 and not rows.widened
    assert conflict not in {(a.item_id, a.person_id) for a in rows}


def test_a_cut_covering_the_pool_is_the_full_computation(rw):
    _nj_staff(rw)
    table = _table(rw, rw.reviewers[:3])
    invite_all(rw)  # six reviewers, N = 200 by default
    rows = services.run_assignment(rw.round, actor=rw.owner, affinity=fixed_affinity(table), top=never)
    _check(rw, rows)
    assert rows.candidates_per_item is None and not rows.widened
    assert sum(a.affinity for a in rows) == pytest.approx(_brute_force_optimum(rw, table))


def test_the_cut_is_widened_when_it_leaves_no_assignment(rw):
    conflict = _nj_staff(rw)
    # Reviewers 1 and 2 are everyone's best: with N = 2 each item has only them, 6 reviews for a
    # capacity of 2 × 2 — the cut is doubled to 4 and the assignment found.
    table = _table(rw, rw.reviewers[1:3])
    _set_n(rw, 2)
    invite_all(rw)
    calls = []
    rows = services.run_assignment(rw.round, actor=rw.owner, affinity=never, top=fixed_top(table, calls))
    _check(rw, rows)
    assert calls == [2, 4] and rows.widened and rows.candidates_per_item == 4 and rows.requested == 2
    assert conflict not in {(a.item_id, a.person_id) for a in rows}
    # The widened cut happens to hold the optimum here (every item's best four).
    assert sum(a.affinity for a in rows) == pytest.approx(_brute_force_optimum(rw, table))
    event = AuditEvent.objects.filter(action="review.run_assignment").latest("pk")
    assert event.new["widened"] is True and event.new["candidates_per_item"] == 4


def test_widening_ends_with_every_eligible_pair(rw):
    # The top-N function finds nobody (no key term matches): N grows to the pool and the full
    # computation assigns.
    _set_n(rw, 1)
    invite_all(rw)
    calls = []

    def nobody(texts, *, n, **kwargs):
        calls.append(n)
        return {key: [] for key in texts}

    rows = services.run_assignment(rw.round, actor=rw.owner, affinity=fixed_affinity(), top=nobody)
    _check(rw, rows)
    assert calls == [1, 2, 4] and rows.widened and rows.candidates_per_item is None


def test_the_real_top_reviewers_with_a_small_cut(rw):
    """Through the settings' REVIEW_TOP_REVIEWERS and REVIEW_AFFINITY (the search engine)."""
    _set_n(rw, 2)
    invite_all(rw)
    rows = services.run_assignment(rw.round, actor=rw.owner)
    _check(rw, rows)
    assert all(0.0 <= a.affinity <= 1.0 for a in rows)


def test_the_cut_must_be_positive(rw):
    with pytest.raises(DomainError) as e:
        services.create_round(rw.t.js, actor=rw.owner, title="x", candidates_per_item=0)
    assert e.value.code == "invalid_candidates" and e.value.field == "candidates_per_item"
