"""The expert search form with pickers: why each result matched (whole phrases, by field), the
division cascade, the discipline and organization lookups (the latter within the caller's scope),
the shared pager instead of a "Page" field."""

import pytest
from django.urls import reverse

from kejia.search.text import index_tokens, parse_query

URL = "/people/experts/"


def test_jieba_keeps_machine_learning_one_term():
    assert [w.text for w in parse_query("机器学习")] == ["机器学习"]
    assert "机器学习" in index_tokens("从事机器学习与医疗影像研究")


def test_why_matched_lists_machine_learning_as_one_phrase_with_its_fields(client, tree, add_person):
    add_person("王机学", expertise="机器学习、医疗影像", research_summary="用机器学习分析病理切片。")
    client.force_login(tree.county_staff)
    response = client.get(URL, {"q": "机器学习"})
    html = response.content.decode()
    assert response.status_code == 200 and "王机学" in html
    assert "<mark>机器学习</mark>" in html and "<mark>机器</mark>" not in html and "<mark>学习</mark>" not in html
    assert response.context["results"].experts[0].matched_fields == {"expertise": ["机器学习"], "summary": ["机器学习"]}
    why = html[html.index('class="why meta"') :]
    assert why.index("机器学习") > 0 and ("专长" in why or "expertise" in why)


def test_region_filter_through_the_cascade_without_javascript(client, tree, add_person):
    add_person("王玄武", expertise="光学成像", region=tree.regions["320102"])
    add_person("李秦淮", expertise="光学成像", region=tree.regions["320104"], org=tree.xw)
    client.force_login(tree.county_staff)
    html = client.get(URL, {"q": "光学", "region_1": "320000", "region_2": "320100", "region_3": "320102"}).content.decode()
    assert "王玄武" in html and "李秦淮" not in html
    assert '<option value="320102" selected>' in html and 'name="region_4"' in html  # the cascade, no code box
    assert 'name="region"' not in html and 'name="page"' not in html


def test_discipline_is_searched_by_name_and_a_single_match_is_taken(client, tree, add_person):
    add_person("王计算", expertise="软件工程", disciplines=["52040"])
    add_person("李农学", expertise="软件工程", disciplines=["210"])
    client.force_login(tree.county_staff)
    response = client.get(URL, {"q": "软件", "discipline_q": "计算机软件"})
    html = response.content.decode()
    assert response.status_code == 200 and "王计算" in html and "李农学" not in html
    assert '<option value="52040" selected>' in html


def test_discipline_search_with_several_matches_asks_to_choose(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(URL, {"q": "x", "discipline_q": "计算机"})
    html = response.content.decode()
    assert response.status_code == 400 and 'name="discipline"' in html and 'value="52040"' in html


def test_discipline_lookup_endpoint_is_public_reference_data(client, reference):
    html = client.get(reverse("reference:disciplines"), {"field": "discipline", "discipline_q": "520"}).content.decode()
    assert 'name="discipline"' in html and 'value="520"' in html
    bad = client.get(reverse("reference:disciplines"), {"field": '"><script>', "q": "农"}).content.decode()
    assert "<script>" not in bad and 'name="choice"' in bad


def test_organization_lookup_lists_only_the_callers_scope(client, tree):
    client.force_login(tree.county_staff)  # 玄武区科协 and below
    html = client.get(reverse("search:organizations"), {"field": "organization", "organization_q": "科学技术协会"}).content.decode()
    assert 'value="XW"' in html and 'value="XW-MY"' in html
    assert 'value="QH"' not in html and 'value="NJ"' not in html and 'value="JS"' not in html


def test_organization_lookup_needs_login(client, tree):
    assert client.get(reverse("search:organizations"), {"q": "科协"}).status_code == 302


def test_organization_outside_scope_is_a_field_error(client, tree):
    client.force_login(tree.county_staff)
    response = client.get(URL, {"q": "光学", "organization": "QH"})
    html = response.content.decode()
    assert response.status_code == 400 and "秦淮区" not in html and 'value="QH"' not in html
    ok = client.get(URL, {"q": "光学", "organization_q": "梅园新村"})
    assert ok.status_code == 200 and '<option value="XW-MY" selected>' in ok.content.decode()


def test_results_page_with_the_shared_pager(client, tree, add_person, monkeypatch):
    from kejia.search import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for i in range(5):
        add_person(f"王光学{i}", expertise="光学成像")
    client.force_login(tree.county_staff)
    first = client.get(URL, {"q": "光学"})
    assert first.status_code == 200 and 'rel="next"' in first.content.decode() and first.context["page"].paginator.num_pages == 3
    last = client.get(URL, {"q": "光学", "page": "3"})
    assert last.context["page"].number == 3 and len(last.context["results"].experts) == 1
    beyond = client.get(URL, {"q": "光学", "page": "9"})
    assert beyond.context["page"].number == 3 and len(beyond.context["results"].experts) == 1


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-1", "q": "x"}, {"region_q": "江" * 80, "q": "x"}])
def test_expert_search_bad_input_is_never_a_500(client, tree, params):
    client.force_login(tree.county_staff)
    assert client.get(URL, params).status_code in (200, 400)
