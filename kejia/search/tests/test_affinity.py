"""Issue 18: the affinity of reviewers to applications — analysis of English words, achievement
details, paging past 100, one length limit by every door, normalised pair scores."""

import pytest
from django.db import transaction

from kejia.core.errors import ValidationFailed
from kejia.people import services as people
from kejia.search.affinity import AffinityScorer, score_pairs, top_reviewers
from kejia.search.indexing import index_people
from kejia.search.services import MAX_TEXT_CHARS, affinity, find_experts
from kejia.search.text import index_tokens, key_terms, parse_query


def names(found):
    return [e.name for e in found.experts]


@pytest.fixture
def add_achievement(tree, django_capture_on_commit_callbacks):
    def add(person, title, detail=""):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            people.add_achievement(person, actor=tree.county_staff, kind="paper", title=title, detail=detail)
        index_people([person.pk])  # the task the service queues, run here

    return add


# -- analysis ------------------------------------------------------------------------------------


def test_english_stems_and_stop_words():
    assert [w.text for w in parse_query("models")] == [w.text for w in parse_query("model")] == ["model"]
    assert {"network", "model"} <= set(index_tokens("Neural networks and models"))
    assert not {"which", "can", "the", "and"} & set(index_tokens("which can the and"))
    terms = [t.shown for t in key_terms("Which models can learn? Which networks can we train? Graph networks.")]
    assert "which" not in terms and "can" not in terms and terms[0] == "networks"


def test_hyphens_3d_and_accents_in_queries():
    assert [w.text for w in parse_query("x-ray")] == ["xray"] and parse_query("x-ray")[0].shown == "x-ray"
    assert {"x", "ray", "xray"} <= set(index_tokens("X-ray imaging"))
    assert [w.text for w in parse_query("3D打印")] == ["3d", "打印"]
    assert [w.text for w in parse_query("Müller")] == ["muller"] == [w.text for w in parse_query("Muller")]
    assert "3d" in [t.text for t in key_terms("3D printing of 3D scaffolds")]


@pytest.mark.parametrize("query", ["networks", "network", "x-ray", "3D", "Müller", "Muller"])
def test_english_queries_find_the_person_end_to_end(tree, add_person, query):
    add_person("甲", expertise="X-ray imaging, 3D reconstruction", research_summary="Neural network models, with Prof. Müller.")
    add_person("乙", expertise="水稻育种", research_summary="Rice breeding.")
    assert names(find_experts(tree.platform, text=query)) == ["甲"]


def test_achievement_detail_is_searched(tree, add_person, add_achievement):
    person = add_person("有摘要", expertise="材料")
    add_person("无关", expertise="材料")
    add_achievement(person, "一种新材料", detail="钙钛矿太阳能电池的界面钝化 perovskite passivation")
    assert names(find_experts(tree.platform, text="钝化")) == ["有摘要"]
    assert names(find_experts(tree.platform, text="perovskite")) == ["有摘要"]
    assert find_experts(tree.platform, text="钝化").experts[0].matched_fields == {"achievements": ["钝化"]}


# -- paging and limits --------------------------------------------------------------------------


@pytest.fixture
def many(tree, add_person):
    """105 people sharing a subject, each with one more rare word so the ranking is strict."""
    return [add_person(f"人{i:03d}", expertise="光学成像 " + " ".join(["显微"] * (1 + i % 7)), research_summary=f"编号{i}") for i in range(105)]


def test_paging_past_100_without_repeats(tree, many):
    text = "光学成像与显微系统研制"
    seen: list[int] = []
    for offset in range(0, 120, 20):
        seen += [e.id for e in affinity(text, user=tree.platform, limit=20, offset=offset).experts]
    assert len(seen) == len(set(seen)) == 105
    words = [e.id for offset in range(0, 120, 50) for e in find_experts(tree.platform, text="光学", limit=50, offset=offset).experts]
    assert len(words) == len(set(words)) == 105
    with pytest.raises(ValidationFailed) as exc:
        find_experts(tree.platform, text="光学", limit=101)
    assert "limit" in exc.value.errors


def test_page_two_of_a_pasted_text_is_not_page_one(client, tree, many):
    client.force_login(tree.platform)
    text = "光学成像与显微系统研制"
    one = client.get("/people/experts/", {"q": text, "mode": "text"}).content.decode()
    two = client.get("/people/experts/", {"q": text, "mode": "text", "page": "2"}).content.decode()
    shown = lambda html: {f"人{i:03d}" for i in range(105) if f"人{i:03d}" in html}  # noqa: E731
    assert len(shown(one)) == 20 and len(shown(two)) == 20 and not shown(one) & shown(two)


def test_one_length_limit_by_every_door(client, tree, add_person):
    add_person("王专长", expertise="光学成像")
    ok = "光学成像" * (MAX_TEXT_CHARS // 4)
    long = ok + "光"
    assert affinity(ok, user=tree.platform).experts  # the limit itself is accepted
    for call in (lambda: affinity(long, user=tree.platform), lambda: find_experts(tree.platform, text=long), lambda: top_reviewers({"a": long})):
        with pytest.raises(ValidationFailed) as exc:
            call()
        assert str(MAX_TEXT_CHARS) in str(exc.value.errors)
    client.force_login(tree.platform)
    response = client.post("/api/experts/affinity", {"text": long}, content_type="application/json")
    assert response.status_code == 400 and str(MAX_TEXT_CHARS) in response.content.decode()
    response = client.get("/api/experts", {"q": long})
    assert response.status_code == 400 and str(MAX_TEXT_CHARS) in response.content.decode()
    response = client.get("/people/experts/", {"q": long, "mode": "text"})
    assert response.status_code == 400 and f"{MAX_TEXT_CHARS}" in response.content.decode().replace(",", "")


# -- pair scores --------------------------------------------------------------------------------

TEXT = "深度学习在医学图像分割中的应用 Deep learning for medical image segmentation with convolutional networks"


@pytest.fixture
def reviewers(tree, add_person, add_achievement):
    a = add_person("影像专家", expertise="医学图像 深度学习", research_summary="Medical image segmentation.")
    add_achievement(a, "Convolutional networks for biomedical image segmentation", "U-shaped network, 3D volumes")
    b = add_person("视觉专家", expertise="计算机视觉", research_summary="Object detection.")
    add_achievement(b, "Deep learning for object detection", "Region proposals and convolutional networks.")
    c = add_person("农学专家", expertise="水稻育种", research_summary="Rice breeding and soil.")
    add_achievement(c, "水稻高产栽培", "土壤改良")
    return a, b, c


def test_pair_scores_normalised_and_consistent_with_search(tree, reviewers):
    a, b, c = reviewers
    scores = score_pairs({"app": TEXT}, [("app", p.pk) for p in reviewers])
    values = [scores[("app", p.pk)].score for p in reviewers]
    assert 1 >= values[0] > values[1] > values[2] >= 0
    assert values[2] == 0  # nothing in common
    assert scores[("app", a.pk)].best_achievement == 0
    assert names(affinity(TEXT, user=tree.platform))[:2] == ["影像专家", "视觉专家"]
    top = top_reviewers({"app": TEXT}, n=5)["app"]
    assert [pid for pid, _s in top] == [a.pk, b.pk] and [s for _pid, s in top] == values[:2]
    # The call's pool and the applicant's exclusion.
    assert [pid for pid, _s in top_reviewers({"app": TEXT}, reviewers=[b.pk, c.pk])["app"]] == [b.pk]
    assert [pid for pid, _s in top_reviewers({"app": TEXT}, exclude={"app": [a.pk]})["app"]] == [b.pk]


def test_scores_do_not_grow_with_the_length_of_the_application(tree, reviewers):
    a = reviewers[0]
    once = score_pairs({"x": TEXT}, [("x", a.pk)])[("x", a.pk)].score
    thrice = score_pairs({"x": " ".join([TEXT] * 3)}, [("x", a.pk)])[("x", a.pk)].score
    assert once == pytest.approx(thrice, abs=1e-6)


def test_scores_stable_when_unrelated_people_are_added(tree, add_person, reviewers):
    before = {k: v.score for k, v in score_pairs({"app": TEXT}, [("app", p.pk) for p in reviewers]).items()}
    for i in range(30):
        add_person(f"无关{i}", expertise="古典文学 诗词", research_summary="Classical poetry and calligraphy.")
    after = {k: v.score for k, v in score_pairs({"app": TEXT}, [("app", p.pk) for p in reviewers]).items()}
    assert sorted(before, key=before.get) == sorted(after, key=after.get)
    assert all(abs(before[k] - after[k]) < 0.01 for k in before), (before, after)


def test_scorer_with_given_texts_and_idf_needs_no_database():
    from kejia.search.affinity import ReviewerTexts

    scorer = AffinityScorer(idf=lambda term: 1.0, texts=lambda ids: {})
    scorer.add_reviewers({1: ReviewerTexts(["graph neural networks"], "graphs"), 2: ReviewerTexts([], "rice breeding")})
    vector = scorer.vector("Neural networks on graphs")
    assert scorer.pair(vector, 1).score > scorer.pair(vector, 2).score == 0
    assert scorer.pair(vector, 3).score == 0  # unknown: nothing to match


def test_api_refuses_more_than_100_per_page_and_pages_a_pasted_text(client, tree, many):
    client.force_login(tree.platform)
    assert client.get("/api/experts", {"q": "光学", "limit": 101}).status_code == 422  # schema validation
    body = {"text": "光学成像与显微系统研制", "limit": 101}
    assert client.post("/api/experts/affinity", body, content_type="application/json").status_code == 422
    ids = []
    for offset in (0, 100):
        body = {"text": "光学成像与显微系统研制", "limit": 100, "offset": offset}
        ids += [item["id"] for item in client.post("/api/experts/affinity", body, content_type="application/json").json()["items"]]
    assert len(ids) == len(set(ids)) == 105
