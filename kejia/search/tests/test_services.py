import datetime
import json

import pytest
from django.db import transaction

from kejia.core.errors import ValidationFailed
from kejia.people import services as people
from kejia.people.tests.helpers import ID_A, ID_B
from kejia.search.indexing import get_backend
from kejia.search.services import ExpertFilters, affinity, find_experts
from kejia.search.tasks import index_people_on_commit
from kejia.search.text import parse_query


def names(found):
    return [e.name for e in found.experts]


def test_find_experts_expertise_ranks_above_summary_mention(tree, add_person):
    add_person("张摘要", research_summary="主要从事材料表征工作，也涉及光学成像设备的日常维护与管理。")
    add_person("王专长", expertise="光学成像、显微成像", research_summary="研究高分辨率显微系统。")
    found = find_experts(tree.platform, text="光学成像")
    assert names(found) == ["王专长", "张摘要"]
    assert found.experts[0].score > found.experts[1].score
    assert set(found.experts[0].matched) == {"光学", "成像"}


def test_find_experts_bm25_rarer_word_weighs_more(tree, add_person):
    for i in range(6):
        add_person(f"常见{i}", expertise="机械 设计")
    add_person("稀有", expertise="机械 拓扑优化")
    add_person("普通", expertise="机械 设计 制造")
    # Any of the words: "设计" is in 7 profiles, "拓扑" in one, so the rare match ranks first.
    hits = get_backend().search(parse_query("拓扑 设计"), require_all=False, limit=20).hits
    assert len(hits) == 8 and hits[0].matched == ["拓扑"]
    assert find_experts(tree.platform, text="拓扑 设计").experts == []  # every word is required


@pytest.mark.parametrize("query", ["光", "光学", "光学成像", "Optics", "optical imaging"])
def test_find_experts_chinese_1_2_4_characters_and_english(tree, add_person, query):
    add_person("光明", expertise="光学成像 Optical imaging", research_summary="Optics and photonics.")
    add_person("农人", expertise="水稻育种", research_summary="Rice breeding.")
    assert names(find_experts(tree.platform, text=query)) == ["光明"]


def test_find_experts_single_character_inside_a_word(tree, add_person):
    add_person("激光", expertise="激光加工")  # jieba keeps 激光 whole: the character set finds 光
    add_person("钙钛", expertise="钙钛矿电池")
    assert names(find_experts(tree.platform, text="光")) == ["激光"]
    assert names(find_experts(tree.platform, text="钛")) == ["钙钛"]


def test_find_experts_name_and_pinyin(tree, add_person):
    add_person("欧阳明", expertise="结构力学")
    assert names(find_experts(tree.platform, text="欧阳明")) == ["欧阳明"]
    assert names(find_experts(tree.platform, text="ouyang")) == ["欧阳明"]


def test_find_experts_filters(tree, add_person):
    kw = {"expertise": "人工智能"}
    add_person("甲", sector="enterprise", title_level="junior", birth_date=datetime.date(1995, 5, 1), is_frontline=True, **kw)
    add_person("乙", sector="university", title_level="senior", birth_date=datetime.date(1970, 5, 1), **kw)
    platform = tree.platform

    def run(**f):
        return sorted(names(find_experts(platform, text="人工智能", filters=ExpertFilters(**f))))

    assert run() == ["乙", "甲"]
    assert run(sector=["enterprise"]) == ["甲"]
    assert run(sector="enterprise,university") == ["乙", "甲"]
    assert run(title_level=["senior"]) == ["乙"]
    assert run(frontline=True) == ["甲"]
    assert run(frontline=False) == ["乙"]
    year = datetime.date.today().year
    assert run(age_max=year - 1990) == ["甲"]
    assert run(age_min=year - 1980) == ["乙"]
    assert run(age_min=year - 1996, age_max=year - 1994) == ["甲"]


def test_find_experts_discipline_code_covers_children(tree, add_person):
    add_person("光学家", expertise="成像", disciplines=["14030"])
    add_person("计算机", expertise="成像", disciplines=["520"])
    assert names(find_experts(tree.platform, text="成像", filters=ExpertFilters(discipline=["140"]))) == ["光学家"]
    assert names(find_experts(tree.platform, text="成像", filters=ExpertFilters(discipline=["14030"]))) == ["光学家"]
    # Discipline names are searchable text too (Chinese and English).
    assert names(find_experts(tree.platform, text="Optics")) == ["光学家"]


def test_find_experts_region_subtree(tree, add_person):
    r = tree.regions
    add_person("玄武人", expertise="桥梁", region=r["320102002"])  # a street of 玄武区
    add_person("秦淮人", expertise="桥梁", region=r["320104"])
    add_person("无锡人", expertise="桥梁", region=r["320213"])

    def run(code):
        return sorted(names(find_experts(tree.platform, text="桥梁", filters=ExpertFilters(region=code))))

    assert run("320100") == ["玄武人", "秦淮人"]
    assert run("320102") == ["玄武人"]
    assert run("320200") == ["无锡人"]
    assert run("320000") == ["无锡人", "玄武人", "秦淮人"]
    with pytest.raises(ValidationFailed) as exc:
        run("999999")
    assert "region" in exc.value.errors


def test_find_experts_organization_filter(tree, add_person):
    add_person("梅园", expertise="桥梁", org=tree.my)
    add_person("秦淮", expertise="桥梁", org=tree.qh, actor=tree.sibling_staff)
    assert names(find_experts(tree.platform, text="桥梁", filters=ExpertFilters(organization="XW"))) == ["梅园"]
    assert sorted(names(find_experts(tree.platform, text="桥梁", filters=ExpertFilters(organization="NJ")))) == ["梅园", "秦淮"]


def test_find_experts_unknown_values_named(tree):
    with pytest.raises(ValidationFailed) as exc:
        find_experts(tree.platform, text="x", filters=ExpertFilters(sector=["nope"], title_level=["boss"], organization="NOPE"))
    assert {"sector", "title_level", "organization"} <= set(exc.value.errors)


def test_find_experts_scope_sibling_never_sees(tree, add_person):
    add_person("玄武专家", expertise="桥梁")
    add_person("秦淮专家", expertise="桥梁", org=tree.qh, actor=tree.sibling_staff)
    assert names(find_experts(tree.sibling_staff, text="桥梁")) == ["秦淮专家"]
    assert names(find_experts(tree.county_staff, text="桥梁")) == ["玄武专家"]
    assert sorted(names(find_experts(tree.nj_staff, text="桥梁"))) == ["玄武专家", "秦淮专家"]
    assert names(find_experts(tree.wx_staff, text="桥梁")) == []
    assert names(find_experts(tree.worker, text="桥梁")) == []


def test_find_experts_scope_applied_before_top_k(tree, add_person):
    for i in range(12):
        add_person(f"秦淮{i}", expertise="桥梁 桥梁 桥梁", org=tree.qh, actor=tree.sibling_staff)
    for i in range(3):
        add_person(f"玄武{i}", research_summary="偶尔参与桥梁相关的检测项目与技术咨询工作，主要从事道路养护。")
    found = find_experts(tree.county_staff, text="桥梁", limit=3)
    assert sorted(names(found)) == ["玄武0", "玄武1", "玄武2"]
    assert found.total == 3


def test_find_experts_results_are_masked(tree, add_person):
    add_person("隐私", expertise="桥梁", resident_id=ID_A, phone="13905140001")
    found = find_experts(tree.platform, text="桥梁")
    dump = json.dumps(found.as_list(), ensure_ascii=False)
    assert "隐私" in dump
    for secret in (ID_A, "13905140001", ID_A[-4:] + '"', "0001"):
        assert secret not in dump
    index_bytes = b"".join(p.read_bytes() for p in get_backend().path.rglob("*") if p.is_file())
    assert ID_A.encode() not in index_bytes and b"13905140001" not in index_bytes


def test_index_people_on_commit_indexes_after_commit_only(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        person = people.create_person(actor=tree.county_staff, organization=tree.xw, name="新人", expertise="量子计算")
        index_people_on_commit([person.pk])
    assert names(find_experts(tree.platform, text="量子计算")) == []  # not yet committed
    assert callbacks  # the people service registers its own re-index too, once wired
    for callback in callbacks:
        callback()
    assert names(find_experts(tree.platform, text="量子计算")) == ["新人"]


def test_update_reindexes(tree, add_person, django_capture_on_commit_callbacks):
    person = add_person("改名", expertise="量子计算")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        people.update_person(person, actor=tree.county_staff, expertise="海洋生态")
        index_people_on_commit([person.pk])
    assert names(find_experts(tree.platform, text="量子计算")) == []
    assert names(find_experts(tree.platform, text="海洋生态")) == ["改名"]


def test_anonymize_removes_from_index(tree, add_person, django_capture_on_commit_callbacks):
    person = add_person("删除我", expertise="量子计算", resident_id=ID_B)
    assert get_backend().count() == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        people.anonymize_person(person, actor=tree.county_staff, reason="本人申请")
        index_people_on_commit([person.pk])
    assert get_backend().count() == 0
    assert names(find_experts(tree.platform, text="量子计算")) == []


def test_stale_index_entry_is_not_shown(tree, add_person):
    """The database has the last word even if the index lags behind."""
    person = add_person("滞后", expertise="量子计算")
    people.anonymize_person(person, actor=tree.county_staff, reason="本人申请")  # no re-index
    assert names(find_experts(tree.platform, text="量子计算")) == []


def test_affinity_with_pasted_paragraph(tree, add_person):
    add_person("植保专家", expertise="无人机植保、病虫害监测", research_summary="水稻病虫害遥感识别。")
    add_person("遥感专家", expertise="遥感图像识别", research_summary="Remote sensing image classification.")
    add_person("无关", expertise="古代文学", research_summary="唐诗研究。")
    text = "本项目面向长江流域水稻病虫害智能监测，研究基于深度学习的遥感图像识别方法，结合无人机植保作业，建立病虫害早期预警系统。"
    found = affinity(text, user=tree.platform, limit=5)
    assert names(found)[:2] == ["植保专家", "遥感专家"] and "无关" not in names(found)
    assert {"病虫害", "植保"} <= set(found.experts[0].matched)
    assert found.terms and found.terms[0].weight == 1.0
    assert affinity(text, user=tree.worker).experts == []
    assert names(affinity(text, user=tree.platform, filters=ExpertFilters(exclude_ids=[found.experts[0].id]))) == ["遥感专家"]
