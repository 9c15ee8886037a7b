import statistics

import pytest

from kejia.core.errors import DomainError
from kejia.review.scoring import DEFAULT_RUBRIC, Review, results, rubric_from_data, totals, z_scores

FULL = {"innovation": 10, "feasibility": 10, "demonstration": 10, "groundwork": 10}


def scores(i, f, d, g):
    return {"innovation": i, "feasibility": f, "demonstration": d, "groundwork": g}


def test_total_weights_each_criterion():
    assert DEFAULT_RUBRIC.total(FULL) == pytest.approx(100)
    # 30·(5/10) + 30·1 + 20·0 + 20·1 = 65
    assert DEFAULT_RUBRIC.total(scores(5, 10, 0, 10)) == pytest.approx(65)
    rubric = rubric_from_data([{"code": "a", "label": "A", "weight": 3, "max_score": 5}, {"code": "b", "label": "B", "weight": 1}])
    assert rubric.total({"a": 5, "b": 0}) == pytest.approx(75)


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"innovation": 11}, "innovation"),
        ({"feasibility": -1}, "feasibility"),
        ({"groundwork": None}, "groundwork"),
        ({"extra": 1}, "extra"),
    ],
)
def test_totals_name_the_criterion_and_row_of_a_bad_score(bad, field):
    reviews = [Review("p1", "r1", FULL), Review("p2", "r1", {**FULL, **bad})]
    with pytest.raises(DomainError) as caught:
        totals(DEFAULT_RUBRIC, reviews)
    assert (caught.value.field, caught.value.row) == (field, 2)


def test_rubric_from_data_refuses_bad_rows():
    with pytest.raises(DomainError) as caught:
        rubric_from_data([{"code": "a", "label": "A", "weight": 1}, {"code": "a", "label": "B", "weight": 1}])
    assert (caught.value.field, caught.value.row) == ("code", 2)
    with pytest.raises(DomainError) as caught:
        rubric_from_data([{"code": "a", "label": "A", "weight": 0}])
    assert (caught.value.field, caught.value.row) == ("weight", 1)


def test_z_scores_are_per_reviewer():
    raw = {
        ("p1", "lenient"): 90.0,
        ("p2", "lenient"): 80.0,
        ("p3", "lenient"): 70.0,
        ("p1", "severe"): 50.0,
        ("p2", "severe"): 40.0,
        ("p3", "severe"): 30.0,
        ("p1", "once"): 77.0,
    }
    z = z_scores(raw)
    sd = statistics.pstdev([90, 80, 70])
    assert z[("p1", "lenient")] == pytest.approx(10 / sd) == pytest.approx(z[("p1", "severe")])
    assert z[("p2", "severe")] == pytest.approx(0)
    assert z[("p1", "once")] == 0.0


def _review_set():
    """Two reviewers agree on p1 > p2 > p3 > p4; on p4 a third reviewer who rates it their best
    disagrees strongly with one who rates it their worst."""
    reviews = []
    for reviewer, base in (("a", 9), ("b", 5)):
        for rank, app in enumerate(["p1", "p2", "p3"]):
            s = base - rank
            reviews.append(Review(app, reviewer, scores(s, s, s, s)))
    reviews += [
        Review("p4", "b", scores(0, 0, 0, 0)),
        Review("p4", "c", scores(10, 10, 10, 10)),
        Review("p5", "c", scores(2, 2, 2, 2)),
        Review("p6", "c", scores(3, 3, 3, 3)),
    ]
    return reviews


def test_results_flag_strong_disagreement_only():
    by_app = {r.application: r for r in results(DEFAULT_RUBRIC, _review_set())}
    assert by_app["p4"].disagreement and by_app["p4"].spread > 2
    assert not any(by_app[p].disagreement for p in ("p1", "p2", "p3", "p5", "p6"))
    assert by_app["p1"].spread < 0.5  # both rate it their best (b has one review more, so not exactly equal)
    assert by_app["p1"].raw_mean == pytest.approx(70)  # 90 and 50
    single = results(DEFAULT_RUBRIC, [Review("p1", "a", FULL)])
    assert not single[0].disagreement
    assert results(DEFAULT_RUBRIC, _review_set(), threshold=10)[0].disagreement is False


def test_results_rank_normalised_then_raw_then_id():
    ranked = results(DEFAULT_RUBRIC, _review_set())
    assert [r.rank for r in ranked] == list(range(1, 7))
    assert ranked[0].application == "p1"
    raw = results(DEFAULT_RUBRIC, _review_set(), by="raw")
    assert [r.application for r in raw][:2] == ["p1", "p2"]  # 70, then 60
    # Equal means on both scales: the id decides, whatever the input order.
    tied = [Review("b", "x", FULL), Review("a", "y", FULL)]
    assert [r.application for r in results(DEFAULT_RUBRIC, tied)] == ["a", "b"]
    assert [r.application for r in results(DEFAULT_RUBRIC, tied[::-1])] == ["a", "b"]
    with pytest.raises(DomainError) as caught:
        results(DEFAULT_RUBRIC, tied, by="median")
    assert caught.value.field == "by"


def test_results_refuse_a_second_review_by_the_same_reviewer():
    with pytest.raises(DomainError) as caught:
        results(DEFAULT_RUBRIC, [Review("p1", "a", FULL), Review("p1", "a", FULL)])
    assert (caught.value.field, caught.value.row) == ("reviewer", 2)
